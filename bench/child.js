"use strict";
/**
 * One benchmark process: loads one implementation (timing its require() in
 * this fresh process), then seeds, runs the workload or measures
 * instantiation, and sends its figures to the parent over IPC. One process
 * per implementation and run, so CPU and peak RSS belong to that
 * implementation alone.
 *
 *   argv[2]: JSON {mode: "require"|"seed"|"run"|"instantiate", impl, endpoint, tableName, region, tenant, idsFile?,
 *                  quick?, cpuProfDir? (V8 profiles of each measured phase), serverPid? (DynamoDB Local)}
 */
const task = JSON.parse(process.argv[2]);
const { findImpl, adapterFor } = require("./impls.js");

// Profiling only: load another build of the addon (one with symbols for
// `perf`) wherever the package loads native/*.node.
if (process.env.BENCH_ADDON) {
  const Module = require("node:module");
  const load = Module._extensions[".node"];
  Module._extensions[".node"] = (module, filename) =>
    load(module, /[\\/]native[\\/]dynamo-bao-native\.[^\\/]*\.node$/.test(filename) ? process.env.BENCH_ADDON : filename);
}

const impl = findImpl(task.impl);
const t0 = process.hrtime.bigint();
const lib = impl.load();
const requireMs = Number(process.hrtime.bigint() - t0) / 1e6;

const fs = require("node:fs");
const os = require("node:os");

async function seed(adapter, count) {
  const ids = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) ids[i] = await adapter.seed(i);
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { ids };
}

async function run(adapter) {
  const { phases, runPhase } = require("./workload.js");
  const ids = JSON.parse(fs.readFileSync(task.idsFile, "utf8"));
  const rssAfterSetupKb = process.resourceUsage().maxRSS;
  const results = [];
  const list = phases(task.quick);
  let hooks = {};
  if (task.cpuProfDir) hooks = require("./cpu-profile.js").profilerHooks(task.cpuProfDir, impl.id);
  else if (process.env.BENCH_PERF_CTL) hooks = require("./perf-control.js").perfControlHooks(process.env.BENCH_PERF_CTL);
  const procCpu = require("./proc-cpu.js");
  const serverCpu = { total: procCpu.serverCpuReader(task.serverPid), serial: procCpu.serverSerialCpuReader(task.serverPid) };
  for (let k = 0; k < list.length; k++) results.push(await runPhase(adapter, list[k], ids, k, hooks, serverCpu));
  return { phases: results, rssAfterSetupKb };
}

async function main() {
  const loadavg = os.loadavg()[0];
  let body;
  if (task.mode === "require") {
    body = {}; // the require() above is the measurement
  } else if (task.mode === "instantiate") {
    if (impl.kind !== "bao") throw new Error(`${impl.id} has no models to instantiate`);
    const { measureInstantiation } = require("./instantiate.js");
    body = { instantiation: measureInstantiation(lib, task) };
  } else {
    const adapter = adapterFor(impl, lib, task);
    if (task.mode === "seed") body = await seed(adapter, task.count);
    else if (task.mode === "run") body = await run(adapter);
    else throw new Error(`unknown mode ${task.mode}`);
  }
  return { impl: impl.id, mode: task.mode, pid: process.pid, requireMs, loadavg1: loadavg, maxRssKb: process.resourceUsage().maxRSS, ...body };
}

main().then(
  (result) => process.send(result, () => process.exit(0)),
  (err) => {
    process.send({ error: String((err && err.stack) || err) }, () => process.exit(1));
  },
);
