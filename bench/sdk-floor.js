#!/usr/bin/env node
"use strict";
/**
 * `npm run bench:floor`: the client CPU aws-sdk-rust alone needs for the
 * benchmark's requests (examples/sdk_floor.rs: the package's own client
 * configuration, no Node, no napi, no modeling), against one throw-away
 * DynamoDB Local. Next to it, this package's figures from the last
 * `npm run bench` (bench/results/latest.json), so the table shows how much
 * of an operation's CPU is the SDK's and how much is everything else.
 *
 * Builds the example with cargo first (release, without the Node binding; a
 * no-op when it is up to date). Writes bench/results/sdk-floor.{json,md}.
 * Environment: FLOOR_QUICK=1 (few operations: a smoke test, not written).
 */
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const ddbLocal = require("../scripts/ddb-local.js");
const { createTable } = require("../scripts/create-table.js");
const { machine, loadavg } = require("./machine.js");
const { num } = require("./report.js");

const ROOT = path.join(__dirname, "..");
const RESULTS = path.join(__dirname, "results");
const TABLE = "bao-bench";
const REGION = "us-west-2";
const QUICK = process.env.FLOOR_QUICK === "1";
const BIN = path.join(ROOT, "target", "release", "examples", "sdk_floor");

function build() {
  process.stderr.write("[floor] cargo build --release --no-default-features --example sdk_floor\n");
  execFileSync("cargo", ["build", "--release", "--no-default-features", "--example", "sdk_floor"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

function run(endpoint) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [], {
      env: { ...process.env, ENDPOINT: endpoint, TABLE, REGION, FLOOR_QUICK: QUICK ? "1" : "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out.trim().split("\n").map((l) => JSON.parse(l))) : reject(new Error(`sdk_floor exited with ${code}`)),
    );
  });
}

/** This package's figures for the same phase in the last full bench, if any. */
function packageFigures() {
  const file = path.join(RESULTS, "latest.json");
  if (!fs.existsSync(file)) return null;
  const { summary, meta } = JSON.parse(fs.readFileSync(file, "utf8"));
  return { date: meta.date, phases: summary.phases };
}

async function main() {
  build();
  const before = loadavg();
  const server = await ddbLocal.start();
  let rows;
  try {
    ddbLocal.useLocalEnv(server.endpoint, { tableName: TABLE, region: REGION });
    await createTable({ endpoint: server.endpoint, tableName: TABLE, region: REGION });
    rows = await run(server.endpoint);
  } finally {
    await server.stop();
  }
  const wrong = rows.filter((r) => r.wrong > 0);
  if (wrong.length) throw new Error(`wrong answers: ${JSON.stringify(wrong)}`);
  const pkg = packageFigures();
  const m = machine();
  const lines = [
    `aws-sdk-rust alone (examples/sdk_floor.rs, the package's client configuration; no Node, no napi), ` +
      `${m.cpuModel}, ${m.cores} cores, DynamoDB Local on the same machine; load before ${before.one}/${before.five}/${before.fifteen}; ` +
      `${new Date().toISOString()}${QUICK ? "; QUICK MODE" : ""}.` +
      (pkg ? ` "this package" is bench/results/latest.json (${pkg.date}), a different run.` : ""),
    "",
    "| operation @concurrency | SDK alone, CPU µs/op | SDK alone, ops/s | this package, CPU µs/op | SDK share of this package's CPU |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const p = pkg?.phases.find((x) => x.key === `${r.op}@${r.conc}`)?.byImpl.native;
    lines.push(
      `| ${r.op} @${r.conc} | ${num(r.cpuPerOpUs)} | ${num(r.opsPerSec)} | ${num(p?.cpuPerOpUs)} | ` +
        `${p ? `${Math.round((100 * r.cpuPerOpUs) / p.cpuPerOpUs)}%` : "–"} |`,
    );
  }
  const md = lines.join("\n") + "\n";
  process.stdout.write(md);
  if (!QUICK) {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, "sdk-floor.json"), JSON.stringify({ machine: m, rows }, null, 2) + "\n");
    fs.writeFileSync(path.join(RESULTS, "sdk-floor.md"), md);
  }
}

main().catch((err) => {
  console.error(`bench:floor failed: ${(err && err.stack) || err}`);
  process.exit(1);
});
