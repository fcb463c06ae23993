#!/usr/bin/env node
"use strict";
/**
 * What a wave of batched finds costs, split into the part paid once per wave
 * and the part paid per find. Each implementation runs waves of two sizes
 * (default 1 and 100 finds, each wave one `runWithBatchContext`, so one
 * BatchGetItem after the 5 ms batch delay) in its own process against a
 * fresh DynamoDB Local; client CPU per wave is taken as `fixed + n × per
 * find`, solved from the two sizes.
 *
 * The fixed part is mostly one request sent after the batch window's idle,
 * which on a VM costs several times what the same request does among many in
 * flight, whichever thread sends it. So the benchmark's per-find figure at
 * 64, `fixed / 64 + per find`, says little about the per-find cost unless
 * the two parts are seen apart. Each thread's sleeps per wave are counted
 * too (a sleep is a wake-up to come).
 *
 *   node bench/wave-cost.js                # native, original and sdk; sizes 1 and 100
 *   BENCH_IMPLS=native,original BENCH_WAVE_SIZES=1,64 BENCH_WAVES=200 node bench/wave-cost.js
 *   (BENCH_WAVES: measured waves per size, after as many unmeasured; default 100)
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { setTimeout: sleep } = require("node:timers/promises");
const { findImpl, withFreshAdapter } = require("./impls.js");
const { threadCpu, threadSleepCounts, perOp } = require("./proc-cpu.js");

const TABLE = "bao-wave-cost";
const REGION = "us-west-2";
const IMPLS = (process.env.BENCH_IMPLS || "native,original,sdk").split(",");
const SIZES = (process.env.BENCH_WAVE_SIZES || "1,100").split(",").map(Number);
const WAVES = Number(process.env.BENCH_WAVES || 100);
const SEEDED = 300;
const AT = 64; // the benchmark's concurrency for batched finds

/**
 * `fixed` (µs per wave) and `perFind` (µs) of the line through two
 * (wave size, CPU per wave) points, and what that makes a find in a wave of AT.
 * @param {{size: number, cpuPerWaveUs: number}} a
 * @param {{size: number, cpuPerWaveUs: number}} b
 */
function split(a, b) {
  const perFind = (b.cpuPerWaveUs - a.cpuPerWaveUs) / (b.size - a.size);
  const fixed = a.cpuPerWaveUs - perFind * a.size;
  return { fixed, perFind, atWaveOf64: fixed / AT + perFind };
}

/** Client CPU of `await setTimeout(ms)` in this process, µs per wake-up. */
async function timerWakeUs(ms = 5, n = 100) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await sleep(ms);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** One implementation, in this process: CPU per wave (and by thread) at each size. */
async function measure(impl) {
  const options = { tableName: TABLE, region: REGION, tenant: "wavecost", seeded: SEEDED };
  return withFreshAdapter(impl, options, async ({ adapter, ids }) => {
    const out = [];
    for (const size of SIZES) {
      const wave = async (w) => {
        const batch = Array.from({ length: size }, (_, k) => ids[(w * size + k) % ids.length]);
        const got = await adapter.findBatched(batch);
        if (got !== size) throw new Error(`a wave of ${size} found ${got}`);
      };
      for (let w = 0; w < WAVES; w++) await wave(w);
      const [c0, t0, z0] = [process.cpuUsage(), threadCpu(), threadSleepCounts()];
      for (let w = 0; w < WAVES; w++) await wave(WAVES + w);
      const [c, t1, z1] = [process.cpuUsage(c0), threadCpu(), threadSleepCounts()];
      out.push({ size, cpuPerWaveUs: (c.user + c.system) / WAVES, cpu: perOp(t0, t1, WAVES), sleeps: perOp(z0, z1, WAVES) });
    }
    return out;
  });
}

async function main() {
  const one = process.env.BENCH_WAVE_COST_ONE;
  if (one) {
    fs.writeSync(1, JSON.stringify(await measure(findImpl(one))));
    return;
  }
  if (SIZES.length !== 2 || !(SIZES[0] < SIZES[1])) throw new Error("BENCH_WAVE_SIZES takes two sizes, smaller first");
  const fmt = (v) => (v == null ? "–" : v.toLocaleString("en-US", { maximumFractionDigits: v < 100 ? 1 : 0 }));
  const wakeUs = await timerWakeUs();
  const rows = [];
  for (const id of IMPLS) {
    // One process per implementation: its CPU, its JIT and its client alone.
    const out = execFileSync(process.execPath, [__filename], {
      env: { ...process.env, BENCH_WAVE_COST_ONE: id },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const sizes = JSON.parse(out.toString());
    rows.push({ id, sizes, ...split(sizes[0], sizes[1]) });
    process.stderr.write(`[wave-cost] ${id} done\n`);
  }
  const [a, b] = SIZES;
  const lines = [
    `Batched finds: ${WAVES} measured waves per size (after ${WAVES} unmeasured), a fresh DynamoDB Local per implementation.`,
    `An idle 5 ms timer wake-up costs ${fmt(wakeUs)} µs of CPU in a bare Node process on this machine.`,
    "",
    `| implementation | CPU per wave of ${a} (µs) | per wave of ${b} | fixed per wave | per find | per find in a wave of ${AT} |`,
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.id} | ${fmt(r.sizes[0].cpuPerWaveUs)} | ${fmt(r.sizes[1].cpuPerWaveUs)} | ${fmt(r.fixed)} | ${fmt(r.perFind)} | ${fmt(r.atWaveOf64)} |`,
    );
  }
  const base = rows.find((r) => r.id === "original");
  const native = rows.find((r) => r.id === "native");
  if (base && native) {
    const x = (v) => `${v.toFixed(2)}x`;
    lines.push(
      "",
      `native/original: fixed per wave ${x(native.fixed / base.fixed)}, per find ${x(native.perFind / base.perFind)}, ` +
        `per find in a wave of ${AT} ${x(native.atWaveOf64 / base.atWaveOf64)}`,
    );
  }
  const threaded = rows.filter((r) => r.sizes[0].cpu);
  if (threaded.length) {
    lines.push(
      "",
      "By thread, per wave: CPU µs, and how often the thread went to sleep:",
      "",
      "| implementation | wave of | JS thread | tokio workers | other threads | JS thread sleeps | tokio sleeps | other sleeps |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of threaded) {
      for (const s of r.sizes) {
        const z = s.sleeps ?? {};
        lines.push(
          `| ${r.id} | ${s.size} | ${fmt(s.cpu.js)} | ${fmt(s.cpu.tokio)} | ${fmt(s.cpu.other)} | ${fmt(z.js)} | ${fmt(z.tokio)} | ${fmt(z.other)} |`,
        );
      }
    }
  }
  fs.writeSync(1, `${lines.join("\n")}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0), // the library's client may hold sockets open
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

module.exports = { split };
