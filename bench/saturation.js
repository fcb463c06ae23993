#!/usr/bin/env node
"use strict";
/**
 * Whether a phase is bound by DynamoDB Local rather than by the client: one
 * operation, through one implementation, at several concurrencies, each on a
 * fresh DynamoDB Local. If operations per second stay flat as concurrency
 * grows while part of the machine is idle, neither the cores nor the client
 * hold it back: the server serializes the work (its SQLite thread is shown).
 *
 *   node bench/saturation.js                       # this package, create, at 16, 64 and 256
 *   BENCH_IMPL=sdk BENCH_OP=update BENCH_CONC=64,256 node bench/saturation.js
 *   (BENCH_WARM_S: warm-up seconds, default 20; BENCH_MEASURE_S: measured seconds, default 10)
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { findImpl, withFreshAdapter } = require("./impls.js");
const { serverCpuReader, serverSerialCpuReader, machineTicks, idlePct } = require("./proc-cpu.js");

const TABLE = "bao-saturation";
const REGION = "us-west-2";
const IMPL = process.env.BENCH_IMPL || "native";
const OP = process.env.BENCH_OP || "create";
const CONCS = (process.env.BENCH_CONC || "16,64,256").split(",").map(Number);
const WARM_MS = 1000 * Number(process.env.BENCH_WARM_S || 20);
const MEASURE_MS = 1000 * Number(process.env.BENCH_MEASURE_S || 10);
const SEEDED = 300;
const OPS = ["create", "find", "update"];

/** Runs `op` with `conc` in flight until `ms` have passed; resolves to the operations done. */
async function drive(adapter, ids, conc, ms) {
  const end = Date.now() + ms;
  let next = 0;
  const worker = async () => {
    let done = 0;
    while (Date.now() < end) {
      const i = next++;
      const id = ids[i % ids.length];
      const got = OP === "create" ? await adapter.create(i) : OP === "find" ? await adapter.find(id) : await adapter.update(id, i);
      if (got !== 1) throw new Error(`${OP} ${i} answered ${got}`);
      done++;
    }
    return done;
  };
  const counts = await Promise.all(Array.from({ length: conc }, worker));
  return counts.reduce((a, b) => a + b, 0);
}

async function measure(impl, conc) {
  const options = { tableName: TABLE, region: REGION, tenant: "saturation", seeded: SEEDED };
  return withFreshAdapter(impl, options, async ({ adapter, ids, server }) => {
    await drive(adapter, ids, conc, WARM_MS);
    const serverTotal = serverCpuReader(server.pid);
    const serverSerial = serverSerialCpuReader(server.pid);
    const [s0, q0, m0, c0, t0] = [serverTotal(), serverSerial(), machineTicks(), process.cpuUsage(), Date.now()];
    const ops = await drive(adapter, ids, conc, MEASURE_MS);
    const wallS = (Date.now() - t0) / 1000;
    const [c1, m1, s1, q1] = [process.cpuUsage(c0), machineTicks(), serverTotal(), serverSerial()];
    const perOp = (a, b) => (a == null || b == null ? null : (b - a) / ops);
    return {
      conc,
      opsPerSec: ops / wallS,
      clientCpuPerOpUs: (c1.user + c1.system) / ops,
      serverCpuPerOpUs: perOp(s0, s1),
      serialCpuPerOpUs: perOp(q0, q1),
      serialBusyPct: q0 == null || q1 == null ? null : (q1 - q0) / (wallS * 1e4),
      machineIdlePct: idlePct(m0, m1),
    };
  });
}

async function main() {
  if (!OPS.includes(OP)) throw new Error(`BENCH_OP must be one of ${OPS.join(", ")}`);
  const one = process.env.BENCH_SATURATION_ONE;
  if (one) {
    fs.writeSync(1, JSON.stringify(await measure(findImpl(IMPL), Number(one))));
    return;
  }
  const fmt = (v, unit = "") => (v == null ? "–" : `${Math.round(v).toLocaleString("en-US")}${unit}`);
  const lines = [
    `${IMPL} ${OP}: ${WARM_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured, a fresh DynamoDB Local each`,
    "",
    "| in flight | ops/s | client CPU µs/op | server CPU µs/op | SQLite thread µs/op | SQLite thread busy | machine idle |",
    "|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const conc of CONCS) {
    // One process per concurrency: each library is initialised once, against its own server.
    const out = execFileSync(process.execPath, [__filename], {
      env: { ...process.env, BENCH_SATURATION_ONE: String(conc) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const r = JSON.parse(out.toString());
    lines.push(
      `| ${conc} | ${fmt(r.opsPerSec)} | ${fmt(r.clientCpuPerOpUs)} | ${fmt(r.serverCpuPerOpUs)} | ${fmt(r.serialCpuPerOpUs)} | ` +
        `${fmt(r.serialBusyPct, "%")} | ${fmt(r.machineIdlePct, "%")} |`,
    );
    process.stderr.write(`[saturation] ${lines[lines.length - 1]}\n`);
  }
  fs.writeSync(1, `${lines.join("\n")}\n`);
}

main().then(
  () => process.exit(0), // the library's client may hold sockets open
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
