"use strict";
/**
 * The workload: which operations, how many, at which concurrency, and the
 * driver that runs one phase and measures it. A phase's figures are the
 * process's own: CPU from process.cpuUsage() (every thread of the process,
 * so the addon's tokio workers count), wall time and per-operation latency.
 */
const { performance } = require("node:perf_hooks");
const { percentile } = require("./stats.js");
const { threadCpu, perOp, machineTicks, idlePct } = require("./proc-cpu.js");
const { SEED_COUNT, GROUPS, groupOf } = require("./models.js");

const CONCURRENCY = [1, 64];

/**
 * `items`: items one operation touches (per-item CPU is reported for those
 * above 1). `wave`: the concurrency is the number of finds issued together in
 * one batch context; the driver runs the waves one after another.
 * `batchWindowMs`: how long each wave waits before its BatchGetItem is sent
 * in both DynamoBao implementations (the default `batchDelay`, which the
 * adapters keep); the lib-dynamodb code sends at once.
 */
const OPERATIONS = [
  { id: "create", label: "create", items: 1 },
  { id: "find", label: "find", items: 1 },
  { id: "findBatched", label: "find, batched in a batch context", items: 1, wave: true, batchWindowMs: 5 },
  { id: "update", label: "update", items: 1 },
  { id: "query", label: "queryByIndex, 20 a page", items: 20 },
  { id: "batchFind", label: "batchFind of 100", items: 100 },
  { id: "iterateAll", label: `iterateAll over ${SEED_COUNT}`, items: SEED_COUNT },
];

/** Measured operations per phase: [at concurrency 1, at concurrency 64]. */
const COUNTS = {
  full: {
    create: [300, 3000],
    find: [300, 3000],
    findBatched: [200, 3008],
    update: [300, 3000],
    query: [300, 3000],
    batchFind: [30, 192],
    iterateAll: [2, 64],
  },
  quick: {
    create: [20, 128],
    find: [20, 128],
    findBatched: [10, 128],
    update: [20, 128],
    query: [20, 128],
    batchFind: [4, 32],
    iterateAll: [1, 8], // 8 in flight, not 64: a smoke test
  },
};

/** Waves a batched-find phase warms up with, at least. */
const MIN_WARMUP_WAVES = 200;

/**
 * Unmeasured operations first, so JIT compilation and connection set-up are
 * not timed. Batched finds warm up with as many waves as are measured, and
 * at least MIN_WARMUP_WAVES: their per-wave code (the batch, one
 * BatchGetItem, the context) runs once per wave, so V8 gets to it late.
 * With 47 waves before the 47 measured at 64, `--trace-opt` showed
 * TurboFan recompiling this package's `batchFind` (35 ms on a helper
 * thread) inside the measured waves, about 4 µs per find of "other
 * threads" CPU; after 200, in a process running the same phases before it,
 * 0.6 µs. The original's figure moved by less than the machine's noise
 * either way.
 * @returns {number} operations (finds, for batched finds)
 */
function warmupCount(op, n, conc) {
  if (op.id === "iterateAll") return conc === 1 ? 1 : 0;
  if (op.wave) return Math.max(n, MIN_WARMUP_WAVES * conc);
  return Math.min(n, Math.max(conc * 2, Math.ceil(n / 10)));
}

/** The phases of one run, in the order they are run. */
function phases(quick) {
  const counts = quick ? COUNTS.quick : COUNTS.full;
  const only = process.env.BENCH_PHASES ? new Set(process.env.BENCH_PHASES.split(",").map((s) => s.trim())) : null;
  const out = [];
  for (const op of OPERATIONS) {
    CONCURRENCY.forEach((conc, k) => {
      const key = `${op.id}@${conc}`;
      if (only && !only.has(op.id) && !only.has(key)) return;
      const n = counts[op.id][k];
      out.push({ key, op, conc, n, warmup: warmupCount(op, n, conc) });
    });
  }
  return out;
}

/**
 * The argument of the i-th operation of a phase. `offset` moves the warm-up
 * and the measured operations onto different items.
 */
function argsFor(op, i, conc, ids, offset) {
  const at = (k) => ids[(offset + k) % ids.length];
  switch (op.id) {
    case "create":
      return [offset + i];
    case "find":
      return [at(i)];
    case "findBatched":
      return [Array.from({ length: conc }, (_, k) => at(i * conc + k))];
    case "update":
      return [at(i), offset + i];
    case "query":
      return [groupOf(offset + i)];
    case "batchFind":
      return [Array.from({ length: 100 }, (_, k) => at(i * 100 + k))];
    case "iterateAll":
      return [];
    default:
      throw new Error(`unknown operation ${op.id}`);
  }
}

/** Items a correct answer holds; anything else means the benchmark is measuring a failure. */
function expected(op, conc) {
  if (op.id === "findBatched") return conc;
  return op.items;
}

/**
 * Runs `count` operations with `workers` in flight; resolves to the latency of each (ms).
 */
async function drive(adapter, op, count, workers, conc, ids, offset) {
  const latencies = new Float64Array(count);
  const want = expected(op, conc);
  let next = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t = performance.now();
      const got = await adapter[op.id](...argsFor(op, i, conc, ids, offset));
      latencies[i] = performance.now() - t;
      if (got !== want) {
        throw new Error(`${op.id}: operation ${i} answered ${got} items, expected ${want}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(workers, count) }, worker));
  return latencies;
}

/**
 * Runs one phase (warm-up, then the measured operations) and returns its figures.
 * Batched finds run as waves of `conc` finds; their figures are per find.
 * @param {{beforeMeasure?: () => Promise<void>, afterMeasure?: () => Promise<void>}} [hooks]
 *   around the measured operations only (the profiler uses them)
 * @param {{total?: () => number|null, serial?: () => number|null}} [serverCpu] the DynamoDB Local
 *   process's CPU so far, µs: all of it, and its serial (SQLite) thread's
 */
async function runPhase(adapter, phase, ids, phaseIndex, hooks = {}, serverCpu = {}) {
  const { total: serverTotal = () => null, serial: serverSerial = () => null } = serverCpu;
  const { op, conc, n, warmup } = phase;
  const waves = op.wave;
  const ops = waves ? Math.ceil(n / conc) : n; // calls to the adapter
  const workers = waves ? 1 : conc;
  const offset = phaseIndex * 997;
  if (warmup > 0) {
    const warmOps = waves ? Math.max(2, Math.ceil(warmup / conc)) : warmup;
    await drive(adapter, op, warmOps, workers, conc, ids, offset + SEED_COUNT / 2);
  }
  if (global.gc) global.gc();
  if (hooks.beforeMeasure) await hooks.beforeMeasure(phase);
  // Readings that walk /proc's thread lists come first and last, outside the client CPU window.
  const serial0 = serverSerial();
  const server0 = serverTotal();
  const threads0 = threadCpu();
  const machine0 = machineTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const latencies = await drive(adapter, op, ops, workers, conc, ids, offset);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const machine1 = machineTicks();
  const server1 = serverTotal();
  const threads1 = threadCpu();
  const serial1 = serverSerial();
  if (hooks.afterMeasure) await hooks.afterMeasure(phase);
  const finds = waves ? ops * conc : ops; // per-operation figures count finds, not waves
  const cpuUs = cpu.user + cpu.system;
  return {
    key: phase.key,
    op: op.id,
    conc,
    ops: finds,
    itemsPerOp: op.items,
    wallMs,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    cpuPerOpUs: cpuUs / finds,
    cpuPerItemUs: cpuUs / (finds * op.items),
    threadCpuPerOpUs: perOp(threads0, threads1, finds),
    serverCpuPerOpUs: server0 == null || server1 == null ? null : (server1 - server0) / finds,
    serverSerialCpuPerOpUs: serial0 == null || serial1 == null ? null : (serial1 - serial0) / finds,
    machineIdlePct: idlePct(machine0, machine1),
    opsPerSec: finds / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

module.exports = { OPERATIONS, CONCURRENCY, COUNTS, phases, runPhase, GROUPS };
