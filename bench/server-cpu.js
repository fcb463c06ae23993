"use strict";
/**
 * CPU time of the DynamoDB Local process (every thread), read from
 * /proc/<pid>/stat. DynamoDB Local shares the machine's cores with the client,
 * so an operation's throughput is bounded by client CPU + server CPU per
 * operation; measuring the server's share says how much of an ops/s ratio
 * the client can still move.
 */
const fs = require("node:fs");

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every Linux ABI Node supports.
const TICKS_PER_SECOND = 100;

/**
 * @param {number|undefined} pid
 * @returns {(() => number|null)} microseconds of CPU the process has used so far (null when unreadable)
 */
function serverCpuReader(pid) {
  const file = `/proc/${pid}/stat`;
  if (!pid || !fs.existsSync(file)) return () => null;
  return () => {
    try {
      // The command name (field 2) may contain spaces; fields count from after its ')'.
      const stat = fs.readFileSync(file, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const utime = Number(rest[11]);
      const stime = Number(rest[12]);
      return ((utime + stime) * 1e6) / TICKS_PER_SECOND;
    } catch {
      return null;
    }
  };
}

module.exports = { serverCpuReader };
