#!/usr/bin/env node
"use strict";
/**
 * `npm run bench`: this package against the original DynamoBao and
 * hand-written @aws-sdk/lib-dynamodb code, on one throw-away DynamoDB Local.
 *
 *   1. refuse unless the addon is a release build (bench/release-build.js)
 *   2. start DynamoDB Local, create the table
 *   3. seed 2,000 items per implementation, each with its own code and tenant
 *   4. repetitions: one child process per implementation, interleaved
 *      (a, b, c, a, b, c, …), each running every phase of bench/workload.js;
 *      then one instantiation child per DynamoBao-API implementation
 *   5. medians, ratios and targets -> bench/results/latest.{json,md}
 *      (quick mode: bench/results/quick.{json,md}, kept out of git)
 *
 * Environment: BENCH_QUICK=1 (few operations, one repetition: a smoke test),
 * BENCH_REPS=n (default 3), BENCH_IMPLS=native,original,sdk (a subset),
 * BENCH_PHASES=find,create@64 (a subset), DYNAMO_BAO_ORIGINAL=<dynamo-bao
 * source tree> (adds that version, e.g. 0.6.0, next to the npm one),
 * BENCH_OUT=<dir> (default bench/results), BENCH_CHILD_ARGS="--cpu-prof ..."
 * (extra node flags for the workload children).
 */
const { runChild } = require("./fork-child.js");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const ddbLocal = require("../scripts/ddb-local.js");
const { createTable } = require("../scripts/create-table.js");
const { implementations } = require("./impls.js");
const { checkReleaseBuild } = require("./release-build.js");
const { machine, loadavg } = require("./machine.js");
const { summarize, markdown } = require("./report.js");
const { SEED_COUNT } = require("./models.js");

const TABLE = "bao-bench";
const REGION = "us-west-2";
const QUICK = process.env.BENCH_QUICK === "1";
const REPS = QUICK ? 1 : Number(process.env.BENCH_REPS || 3);
const OUT_DIR = path.resolve(process.env.BENCH_OUT || path.join(__dirname, "results"));
// A smoke test must not overwrite the figures the README quotes.
const OUT_NAME = QUICK ? "quick" : "latest";
/**
 * Fresh processes per implementation that only time their require(), run
 * before DynamoDB Local starts: timed inside the workload children, require()
 * shared the cores with a server still busy from the previous run (12-22 ms
 * for this package there). One untimed load of
 * each implementation comes first: this VM's kernel pages out files left
 * untouched for about a minute (DAMON), and the first load after that reads
 * them back from disk (a 2.5 ms dlopen of the addon took 15.8 ms, with 10
 * major page faults).
 */
const REQUIRE_REPS = QUICK ? 3 : 11;

/** Children start in an empty folder so no config file is picked up. */
function child(task, { cwd, execArgv = [] }) {
  return runChild(task, { cwd, execArgv: ["--expose-gc", ...execArgv] });
}

function log(line) {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main() {
  const started = Date.now();
  const build = checkReleaseBuild();
  if (build.release === false) {
    throw new Error(`${build.file} is not a release build (${build.evidence}). Run \`npm run build\` (it builds with --release).`);
  }
  if (build.release == null && process.env.BENCH_ALLOW_UNVERIFIED_BUILD !== "1") {
    throw new Error(`${build.file}: ${build.evidence}. Set BENCH_ALLOW_UNVERIFIED_BUILD=1 to run anyway.`);
  }
  log(`addon ${build.file}: ${build.release ? "release build" : "unverified build"} (${build.evidence}; ${build.scripts})`);

  const impls = implementations().map((i) => ({ id: i.id, label: i.label, kind: i.kind, version: i.version() }));
  const childArgs = (process.env.BENCH_CHILD_ARGS || "").split(/\s+/).filter(Boolean);
  const loadBefore = loadavg();
  log(`load average before: ${loadBefore.one} ${loadBefore.five} ${loadBefore.fifteen}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bao-bench-"));
  const raw = { impls, requires: [], seeds: {}, runs: [], instantiations: [] };
  for (const impl of impls) await child({ mode: "require", impl: impl.id }, { cwd: work });
  for (let rep = 1; rep <= REQUIRE_REPS; rep++) {
    for (const impl of impls) raw.requires.push({ rep, ...(await child({ mode: "require", impl: impl.id }, { cwd: work })) });
  }
  log(`timed require() in ${raw.requires.length} fresh processes`);
  const server = await ddbLocal.start();
  try {
    ddbLocal.useLocalEnv(server.endpoint, { tableName: TABLE, region: REGION });
    await createTable({ endpoint: server.endpoint, tableName: TABLE, region: REGION });
    log(`DynamoDB Local at ${server.endpoint}, table ${TABLE}`);
    const base = { endpoint: server.endpoint, tableName: TABLE, region: REGION, quick: QUICK, serverPid: server.pid };
    const tenantOf = (id) => `bench-${id}`;
    const idsFile = (id) => path.join(work, `${id}.ids.json`);

    for (const impl of impls) {
      const t0 = Date.now();
      const r = await child({ ...base, mode: "seed", impl: impl.id, tenant: tenantOf(impl.id), count: SEED_COUNT }, { cwd: work });
      if (r.ids.length !== SEED_COUNT || r.ids.some((id) => typeof id !== "string")) throw new Error(`${impl.id}: seeding failed`);
      fs.writeFileSync(idsFile(impl.id), JSON.stringify(r.ids));
      raw.seeds[impl.id] = { seconds: (Date.now() - t0) / 1000 };
      log(`seeded ${SEED_COUNT} items with ${impl.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }

    for (let rep = 1; rep <= REPS; rep++) {
      for (const impl of impls) {
        const t0 = Date.now();
        const r = await child(
          { ...base, mode: "run", impl: impl.id, tenant: tenantOf(impl.id), idsFile: idsFile(impl.id) },
          { cwd: work, execArgv: childArgs },
        );
        raw.runs.push({ rep, ...r });
        log(`run ${rep}/${REPS} ${impl.id}: ${((Date.now() - t0) / 1000).toFixed(1)} s, load ${r.loadavg1.toFixed(2)}`);
      }
      for (const impl of impls.filter((i) => i.kind === "bao")) {
        const r = await child({ ...base, mode: "instantiate", impl: impl.id, tenant: tenantOf(impl.id) }, { cwd: work });
        raw.instantiations.push({ rep, ...r });
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const loadAfter = loadavg();
  const meta = {
    machine: machine(),
    loadBefore,
    loadAfter,
    build,
    impls,
    reps: REPS,
    quick: QUICK,
    date: new Date().toISOString(),
    durationS: (Date.now() - started) / 1000,
  };
  const summary = summarize(raw, { cores: meta.machine.cores });
  const md = markdown(meta, summary);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, `${OUT_NAME}.json`), JSON.stringify({ meta, summary, raw }, null, 2) + "\n");
  fs.writeFileSync(path.join(OUT_DIR, `${OUT_NAME}.md`), md);
  process.stdout.write(md);
  log(`wrote ${path.join(OUT_DIR, OUT_NAME)}.md and .json`);
}

main().catch((err) => {
  console.error(`bench failed: ${(err && err.stack) || err}`);
  process.exit(1);
});
