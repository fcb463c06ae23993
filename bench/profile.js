#!/usr/bin/env node
"use strict";
/**
 * Where this package's client CPU goes on the hot path: one DynamoDB Local,
 * 2,000 seeded items, then for each phase (default: create, find, update,
 * query, batched find, all at concurrency 64)
 *
 *   - a V8 CPU profile of the measured operations (JS thread: lib/*.js,
 *     node internals, GC, and "native, outside JS"), summarised by file and
 *     by function;
 *   - with `perf` installed, `perf record` of a child running that phase
 *     alone, summarised by thread (main thread vs tokio workers), by shared
 *     object (addon, node, libc, kernel) and by symbol. The shipped addon is
 *     stripped; BENCH_ADDON=<an unstripped build of the same source> names
 *     its functions.
 *
 *   node bench/profile.js                      # writes bench/results/profile/
 *   BENCH_PROFILE_PHASES=find@64 BENCH_ADDON=/path/libdynamo_bao_native.so node bench/profile.js
 *   (BENCH_PERF_FREQ: perf samples per second, default 1999; BENCH_NO_PERF=1: V8 profiles only)
 */
const { execFileSync } = require("node:child_process");
const { runChild } = require("./fork-child.js");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const ddbLocal = require("../scripts/ddb-local.js");
const { createTable } = require("../scripts/create-table.js");
const { checkReleaseBuild } = require("./release-build.js");
const { summarizeProfile } = require("./cpu-profile.js");
const { SEED_COUNT } = require("./models.js");

const ROOT = path.join(__dirname, "..");
const TABLE = "bao-bench";
const REGION = "us-west-2";
const OUT = path.resolve(process.env.BENCH_PROFILE_OUT || path.join(__dirname, "results", "profile"));
const PHASES = (process.env.BENCH_PROFILE_PHASES || "create@64,find@64,update@64,query@64,findBatched@64").split(",");
const IMPL = process.env.BENCH_PROFILE_IMPL || "native";

function hasPerf() {
  try {
    execFileSync("perf", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `perf report` rows (percent, then the sort keys) above `min` percent. */
function perfReport(file, sort, min = 0.5, limit = 40) {
  const out = execFileSync(
    "perf",
    ["report", "-i", file, "--no-children", "--sort", sort, "--stdio", "--percent-limit", String(min)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 2 ** 20 },
  );
  return out
    .split("\n")
    .filter((l) => /^\s+\d+\.\d+%/.test(l))
    .slice(0, limit)
    .map((l) => l.replace(/\s+/g, " ").trim());
}

function pct(x) {
  return `${(x * 100).toFixed(1)}%`;
}

async function main() {
  const build = checkReleaseBuild();
  if (build.release === false) throw new Error(`${build.file} is not a release build (${build.evidence})`);
  fs.mkdirSync(OUT, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bao-profile-"));
  const server = await ddbLocal.start();
  const lines = [];
  const perfPids = [];
  const say = (l = "") => {
    lines.push(l);
    console.log(l);
  };
  try {
    ddbLocal.useLocalEnv(server.endpoint, { tableName: TABLE, region: REGION });
    await createTable({ endpoint: server.endpoint, tableName: TABLE, region: REGION });
    const base = { endpoint: server.endpoint, tableName: TABLE, region: REGION, impl: IMPL, tenant: `bench-${IMPL}` };
    const seeded = await runChild({ ...base, mode: "seed", count: SEED_COUNT }, { cwd: work });
    const idsFile = path.join(work, "ids.json");
    fs.writeFileSync(idsFile, JSON.stringify(seeded.ids));

    say(`# Profile of ${IMPL} (${new Date().toISOString()}, load ${fs.existsSync("/proc/loadavg") ? fs.readFileSync("/proc/loadavg", "utf8").trim() : "?"})`);
    say(`addon: ${process.env.BENCH_ADDON || build.file}`);
    const env = { ...process.env, BENCH_PHASES: PHASES.join(",") };
    const run = await runChild({ ...base, mode: "run", idsFile, cpuProfDir: OUT }, { cwd: work, env, execArgv: ["--expose-gc"] });
    for (const p of run.phases) {
      const file = path.join(OUT, `${IMPL}-${p.key.replace("@", "-c")}.cpuprofile`);
      const s = summarizeProfile(JSON.parse(fs.readFileSync(file, "utf8")), ROOT + path.sep);
      const idle = s.byCategory.find((c) => c.name.startsWith("idle"))?.ms || 0;
      const busy = s.totalMs - idle;
      say();
      say(`## ${p.key}: ${p.cpuPerOpUs.toFixed(0)} µs CPU/op (all threads), ${p.opsPerSec.toFixed(0)} ops/s; ` +
        `JS thread busy ${((busy * 1000) / p.ops).toFixed(0)} µs/op`);
      say("JS thread, self time by file (share of busy time):");
      for (const c of s.byCategory.filter((c) => !c.name.startsWith("idle")).slice(0, 14)) {
        say(`  ${pct(c.ms / busy).padStart(6)}  ${((c.ms * 1000) / p.ops).toFixed(1).padStart(6)} µs/op  ${c.name}`);
      }
      say("JS thread, top functions:");
      for (const f of s.byFunction.filter((f) => !f.name.startsWith("(idle)")).slice(0, 16)) {
        say(`  ${pct(f.ms / busy).padStart(6)}  ${((f.ms * 1000) / p.ops).toFixed(1).padStart(6)} µs/op  ${f.name}`);
      }
    }

    if (hasPerf() && process.env.BENCH_NO_PERF !== "1") {
      for (const key of PHASES) {
        const data = path.join(OUT, `${IMPL}-${key.replace("@", "-c")}.perf.data`);
        // Recording starts disabled; the child enables it around the measured operations.
        const ctl = path.join(work, `${key}.ctl`);
        const ack = path.join(work, `${key}.ack`);
        execFileSync("mkfifo", [ctl, ack]);
        const r = await runChild(
          { ...base, mode: "run", idsFile },
          {
            cwd: work,
            env: { ...process.env, BENCH_PHASES: key, BENCH_PERF_CTL: `${ctl},${ack}` },
            execPath: "perf",
            execArgv: [
              "record", "-q", "-F", process.env.BENCH_PERF_FREQ || "1999", "-g", "--delay=-1", `--control=fifo:${ctl},${ack}`, "-o", data,
              "--", process.execPath, "--perf-basic-prof-only-functions", "--expose-gc",
            ],
          },
        );
        perfPids.push(r.pid);
        say();
        say(`## perf ${key} (the measured operations only): ${r.phases[0].cpuPerOpUs.toFixed(0)} µs CPU/op`);
        say("by thread:");
        for (const l of perfReport(data, "comm", 0.5, 12)) say(`  ${l}`);
        say("by shared object:");
        for (const l of perfReport(data, "dso", 0.5, 12)) say(`  ${l}`);
        say("top symbols:");
        for (const l of perfReport(data, "dso,sym", 0.4, 45)) say(`  ${l}`);
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
    // The JIT symbol maps node wrote for perf (--perf-basic-prof-only-functions).
    for (const pid of perfPids) fs.rmSync(path.join("/tmp", `perf-${pid}.map`), { force: true });
  }
  fs.writeFileSync(path.join(OUT, "summary.txt"), lines.join("\n") + "\n");
  console.error(`[profile] wrote ${OUT}/summary.txt, *.cpuprofile${hasPerf() ? ", *.perf.data" : ""}`);
}

main().catch((err) => {
  console.error(`profile failed: ${(err && err.stack) || err}`);
  process.exit(1);
});
