'use strict';
/**
 * The benchmark's throughput ceilings (bench/report.js): what no client can
 * exceed given DynamoDB Local's CPU on the shared cores, and, for batched
 * finds, the batch window every DynamoBao wave waits before it sends.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Worker } = require('node:worker_threads');
const { summarize } = require('../bench/report.js');
const { threadCpu, threadSleepCounts } = require('../bench/proc-cpu.js');

/** One run per implementation with the given phase figures. */
function rawWith(phases) {
  const impls = [
    { id: 'native', kind: 'bao' },
    { id: 'original', kind: 'bao' },
    { id: 'sdk', kind: 'sdk' },
  ];
  return {
    impls,
    requires: [],
    instantiations: [],
    runs: impls.map((i) => ({ impl: i.id, maxRssKb: 1024, rssAfterSetupKb: 1024, phases: phases(i.id) })),
  };
}

const phase = (key, cpuPerOpUs, serverCpuPerOpUs, opsPerSec) => ({ key, cpuPerOpUs, serverCpuPerOpUs, opsPerSec });

test('a phase of independent operations is bound by client and server CPU over every core', () => {
  const s = summarize(rawWith(() => [phase('find@64', 100, 300, 1000)]), { cores: 2 });
  const [find] = s.phases;
  assert.equal(find.byImpl.native.ceilingOpsPerSec, 2e6 / 400);
  const reach = s.targets.find((t) => t.name === 'find c64 ops/s this/original');
  assert.equal(reach.detail, `a zero-CPU client would reach ${(2e6 / 300 / 1000).toFixed(2)}x`);
});

test("batched finds are also bound by the batch window of DynamoBao's waves, not by lib-dynamodb's", () => {
  const s = summarize(rawWith(() => [phase('findBatched@64', 20, 100, 3000)]), { cores: 2 });
  const [batched] = s.phases;
  // A wave of 64: 5 ms of window, then 64 × 120 µs of CPU spread over 2 cores.
  const waveS = 0.005 + (64 * 120e-6) / 2;
  assert.ok(Math.abs(batched.byImpl.native.ceilingOpsPerSec - 64 / waveS) < 1e-6);
  assert.ok(Math.abs(batched.byImpl.original.ceilingOpsPerSec - 64 / waveS) < 1e-6);
  // The hand-written lib-dynamodb code sends its BatchGetItem at once.
  assert.equal(batched.byImpl.sdk.ceilingOpsPerSec, 2e6 / 120);
  // A client costing nothing still waits the window: 64 finds per 5 ms + 3.2 ms.
  const reach = s.targets.find((t) => t.name === 'findBatched c64 ops/s this/original');
  assert.equal(reach.detail, `a zero-CPU client would reach ${(64 / (0.005 + 0.0032) / 3000).toFixed(2)}x`);
});

test("DynamoDB Local's SQLite thread bounds a phase on its own: one thread, whatever the cores", () => {
  // 2 cores / (100 + 300 µs) would allow 5,000/s; a serial 400 µs per op allows 2,500.
  const s = summarize(
    rawWith(() => [{ ...phase('create@64', 100, 300, 1000), serverSerialCpuPerOpUs: 400, machineIdlePct: 30 }]),
    { cores: 2 },
  );
  const [create] = s.phases;
  assert.equal(create.byImpl.native.ceilingOpsPerSec, 1e6 / 400);
  const reach = s.targets.find((t) => t.name === 'create c64 ops/s this/original');
  assert.equal(reach.detail, `a zero-CPU client would reach ${(1e6 / 400 / 1000).toFixed(2)}x; 30% of the machine idle at this package's rate`);
});

test('a busy machine is not noted, and a serial thread cheaper than the cores changes nothing', () => {
  const s = summarize(
    rawWith(() => [{ ...phase('find@64', 100, 300, 1000), serverSerialCpuPerOpUs: 50, machineIdlePct: 4 }]),
    { cores: 2 },
  );
  assert.equal(s.phases[0].byImpl.native.ceilingOpsPerSec, 2e6 / 400);
  const reach = s.targets.find((t) => t.name === 'find c64 ops/s this/original');
  assert.equal(reach.detail, `a zero-CPU client would reach ${(2e6 / 300 / 1000).toFixed(2)}x`);
});

// Without schedstat (no /proc, or a kernel without it) ticks are all there is.
const SCHEDSTAT = fs.existsSync('/proc/self/schedstat');

test('the thread split counts CPU in scheduler time, not 10 ms ticks', { skip: !SCHEDSTAT && 'no /proc/self/schedstat' }, async () => {
  // Another thread works 3 ms of CPU and then waits, which brings its
  // scheduler time up to date (a running thread's is only updated at
  // scheduler events). Ticks would read those 3 ms as 0 or 10,000 µs. The
  // work is counted in CPU (the process's, which only this thread adds to
  // here), not wall time: on a loaded machine 3 ms of wall time can hold far
  // less CPU.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const cpuUs = () => { const c = process.cpuUsage(); return c.user + c.system; };
     parentPort.on('message', (ms) => {
       const until = cpuUs() + ms * 1000;
       while (cpuUs() < until);
       parentPort.postMessage('done');
     });`,
    { eval: true },
  );
  const work = (ms) => new Promise((resolve) => { worker.once('message', resolve); worker.postMessage(ms); });
  try {
    await work(1); // started and settled
    const before = threadCpu();
    await work(3);
    const used = threadCpu().other - before.other;
    assert.ok(used > 2500 && used < 9000, `3 ms of work on another thread read as ${used} µs`);
  } finally {
    await worker.terminate();
  }
});

test("a thread's sleeps are counted, one per wait", { skip: !fs.existsSync('/proc/self/status') && 'no /proc' }, () => {
  // Atomics.wait on a value that never changes blocks the JS thread every
  // time (an awaited timer may already be due when a loaded machine gets to
  // it, and then nothing sleeps).
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const before = threadSleepCounts();
  for (let i = 0; i < 10; i++) Atomics.wait(cell, 0, 0, 1);
  const slept = threadSleepCounts().js - before.js;
  assert.ok(slept >= 10 && slept < 40, `10 waits read as ${slept} sleeps of the JS thread`);
});
