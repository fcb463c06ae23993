"use strict";
/**
 * CPU time from /proc, which process.cpuUsage() cannot give: DynamoDB
 * Local's (another process: it shares the machine's cores with the client,
 * so it bounds every client's throughput) and this process's split by
 * thread (the JS thread, the addon's tokio workers, the rest: V8's GC and
 * compiler threads, libuv's pool), which says on which side of the napi
 * boundary an operation's CPU is spent.
 */
const fs = require("node:fs");

// USER_HZ: the unit of utime/stime in /proc/.../stat, 100 on every Linux ABI Node supports.
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat file in µs, or null when it cannot be read. */
function statCpuUs(file) {
  let stat;
  try {
    stat = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces; fields count from after its ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(rest[11]) + Number(rest[12])) * 1e6) / TICKS_PER_SECOND;
}

/**
 * One thread's CPU in µs: its scheduler run time (`schedstat`, in ns), or
 * utime + stime in 10 ms ticks where the kernel has no schedstat. A phase's
 * share of one thread is often a few ticks, too coarse to compare. (A
 * running thread's run time is as of its last scheduler event, at most a
 * scheduler tick ago.)
 * @param {string} dir `/proc/<pid>/task/<tid>`
 */
function threadCpuUs(dir) {
  try {
    const ns = Number(fs.readFileSync(`${dir}/schedstat`, "utf8").split(" ", 1)[0]);
    if (Number.isFinite(ns)) return ns / 1000;
  } catch {
    // no schedstat (or the thread ended): the tick count below
  }
  return statCpuUs(`${dir}/stat`);
}

/**
 * @param {number|undefined} pid
 * @returns {() => number|null} µs of CPU the process (every thread) has used so far
 */
function serverCpuReader(pid) {
  if (!pid) return () => null;
  const file = `/proc/${pid}/stat`;
  return () => statCpuUs(file);
}

/**
 * DynamoDB Local runs every SQLite statement on one thread (sqlite4java's
 * `SQLiteQueue`), so part of its work per operation is serial: that thread
 * alone can do at most one second of it per second, whatever the cores and
 * the client.
 */
const SERIAL_THREAD = /^SQLiteQueue/;

/**
 * @param {number|undefined} pid
 * @returns {() => number|null} µs of CPU the process's serial thread(s) have used so far
 */
function serverSerialCpuReader(pid) {
  if (!pid) return () => null;
  return () => sumByGroup(pid, (tid, comm) => (SERIAL_THREAD.test(comm) ? "serial" : null))?.serial ?? null;
}

/** @returns {{idle: number, total: number}|null} the whole machine's idle and total CPU ticks so far */
function machineTicks() {
  let line;
  try {
    line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
  } catch {
    return null;
  }
  // cpu user nice system idle iowait irq softirq steal …
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  return { idle: t[3] + t[4], total: t.reduce((a, b) => a + b, 0) };
}

/** Percent of the machine idle between two `machineTicks()` readings. */
function idlePct(before, after) {
  if (!before || !after || after.total <= before.total) return null;
  return (100 * (after.idle - before.idle)) / (after.total - before.total);
}

function group(tid, comm) {
  if (Number(tid) === process.pid) return "js";
  if (comm.startsWith("tokio-")) return "tokio";
  return "other";
}

/**
 * How many times a thread has gone to sleep so far (`voluntary_ctxt_switches`:
 * each is a wake-up to come), or null when it cannot be read.
 * @param {string} dir `/proc/<pid>/task/<tid>`
 */
function threadSleeps(dir) {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(fs.readFileSync(`${dir}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // the thread ended, or no such field
  }
}

/**
 * `read(dir)` of a process's live threads, summed by the group `groupOf`
 * names for each (threads it gives `null` are left out; threads that exited
 * are not counted).
 * @param {number|"self"} pid
 * @param {(tid: string, comm: string) => string|null} groupOf
 * @param {(dir: string) => number|null} [read] per thread, from `/proc/<pid>/task/<tid>`; CPU µs by default
 * @returns {Record<string, number>|null} null when the threads cannot be listed
 */
function sumByGroup(pid, groupOf, read = threadCpuUs) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out = {};
  for (const tid of tids) {
    let comm;
    try {
      comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const g = groupOf(tid, comm);
    const v = g === null ? null : read(`/proc/${pid}/task/${tid}`);
    if (v != null) out[g] = (out[g] ?? 0) + v;
  }
  return out;
}

/** This process's threads' `read` figures, as `{js, tokio, other}`. */
function byThreadGroup(read) {
  const out = sumByGroup("self", group, read);
  return out && { js: out.js ?? 0, tokio: out.tokio ?? 0, other: out.other ?? 0 };
}

/** @returns {{js: number, tokio: number, other: number}|null} this process's CPU µs so far by group */
function threadCpu() {
  return byThreadGroup(threadCpuUs);
}

/** @returns {{js: number, tokio: number, other: number}|null} this process's sleeps so far by group (see threadSleeps) */
function threadSleepCounts() {
  return byThreadGroup(threadSleeps);
}

/** Per-operation CPU by group between two `threadCpu()` readings. */
function perOp(before, after, ops) {
  if (!before || !after) return null;
  const r = {};
  for (const k of Object.keys(after)) r[k] = (after[k] - before[k]) / ops;
  return r;
}

module.exports = { serverCpuReader, serverSerialCpuReader, machineTicks, idlePct, threadCpu, threadSleepCounts, perOp };
