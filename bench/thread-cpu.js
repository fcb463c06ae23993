"use strict";
/**
 * This process's CPU split by thread: the JS thread, the addon's tokio
 * workers, and the rest (V8's GC and compiler threads, libuv's pool), read
 * from /proc/self/task/<tid>/stat. It says which side of the napi boundary an
 * operation's CPU is spent on, which process.cpuUsage() cannot.
 */
const fs = require("node:fs");

const TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc's utime and stime

function group(tid, comm) {
  if (Number(tid) === process.pid) return "js";
  if (comm.startsWith("tokio-")) return "tokio";
  return "other";
}

/** @returns {{js: number, tokio: number, other: number}|null} CPU µs so far by group (threads that exited are not counted) */
function threadCpu() {
  const out = { js: 0, tokio: 0, other: 0 };
  let tids;
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return null;
  }
  for (const tid of tids) {
    try {
      const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[group(tid, comm)] += ((Number(rest[11]) + Number(rest[12])) * 1e6) / TICKS_PER_SECOND;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Per-operation CPU by group between two readings. */
function perOp(before, after, ops) {
  if (!before || !after) return null;
  const r = {};
  for (const k of Object.keys(after)) r[k] = (after[k] - before[k]) / ops;
  return r;
}

module.exports = { threadCpu, perOp };
