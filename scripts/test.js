#!/usr/bin/env node
'use strict';
/**
 * `npm test`: the whole test suite against a throw-away, in-memory DynamoDB Local, so tests
 * never need AWS and never touch real data or credentials.
 *
 *   1. start DynamoDB Local on a free 127.0.0.1 port (scripts/ddb-local.js)
 *   2. point everything at it (env below; dummy credentials override any real ones)
 *   3. create the table with the library's own createTable (scripts/create-table.js)
 *   4. cargo test --release --no-default-features --lib   (skip: SKIP_CARGO_TEST=1)
 *   5. node --test on __test__/*.test.js (or the files given: npm test -- __test__/keys.test.js)
 *   5b. the Jest project __test__/jest/ in parallel workers (scripts/jest-project.js; with files
 *       given, only when some are under __test__/jest/)
 *   6. bao-audit-keys on the test table: every partition key inside a tenant prefix (full runs only)
 *   7. always stop the server; print one line per step; exit non-zero if any step failed
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const ddbLocal = require('./ddb-local');
const { createTable } = require('./create-table');
const jestProject = require('./jest-project');

const ROOT = path.join(__dirname, '..');
const TABLE_NAME = 'bao-native-test';
const REGION = 'us-west-2';

const steps = []; // { name, status: 'ok'|'failed'|'skipped', seconds, note }
let server = null;
let currentChild = null;
let finishing = false; // set once a signal or the end of main() starts shutting down

function record(name, status, t0, note = '') {
  steps.push({ name, status, seconds: t0 == null ? null : (Date.now() - t0) / 1000, note });
}

function summary() {
  console.log('\n── summary ──');
  for (const s of steps) {
    const time = s.seconds == null ? '' : ` (${s.seconds.toFixed(1)} s)`;
    console.log(`${s.name}: ${s.status}${s.note ? ` (${s.note})` : ''}${time}`);
  }
}

/** Runs a command with inherited stdio; resolves to its exit code (or throws if it cannot start). */
function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    if (finishing) return reject(new Error('interrupted'));
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
    currentChild = child;
    child.on('error', (err) => {
      currentChild = null;
      reject(err);
    });
    child.on('exit', (code, signal) => {
      currentChild = null;
      resolve(code == null ? `signal ${signal}` : code);
    });
  });
}

function givenFiles() {
  return process.argv.slice(2).filter((a) => a !== '--');
}

function testFiles() {
  const given = givenFiles();
  if (given.length) return given.filter((f) => !jestProject.isJestPath(f));
  // Node 20's `node --test <dir>` differs from 22's; list the files ourselves.
  const dir = path.join(ROOT, '__test__');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join('__test__', f));
}

async function main() {
  // 1. DynamoDB Local
  let t0 = Date.now();
  try {
    server = await ddbLocal.start();
  } catch (err) {
    record('DynamoDB Local', 'failed', t0);
    console.error(err.message);
    return;
  }
  record('DynamoDB Local', 'ok', t0, server.endpoint);

  // 2. Environment for this process (the in-process createTable) and every child.
  ddbLocal.useLocalEnv(server.endpoint, { tableName: TABLE_NAME, region: REGION });
  const env = { ...process.env };

  // 3. Table
  t0 = Date.now();
  let tableOk = false;
  try {
    const res = await createTable({ endpoint: server.endpoint, tableName: TABLE_NAME, region: REGION });
    tableOk = true;
    record('create table', 'ok', t0, `${TABLE_NAME}${res && res.created === false ? ', already existed' : ''}`);
  } catch (err) {
    record('create table', 'failed', t0);
    console.error(`create table failed: ${(err && err.stack) || err}`);
  }

  // 4. Rust unit tests (independent of the table, so they run even if step 3 failed)
  if (process.env.SKIP_CARGO_TEST === '1') {
    record('cargo test', 'skipped', null, 'SKIP_CARGO_TEST=1');
  } else {
    t0 = Date.now();
    console.log('\n$ cargo test --release --no-default-features --lib');
    try {
      const code = await run('cargo', ['test', '--release', '--no-default-features', '--lib'], env);
      record('cargo test', code === 0 ? 'ok' : 'failed', t0, code === 0 ? '' : `exit ${code}`);
    } catch (err) {
      record('cargo test', 'failed', t0, `cannot run cargo: ${err.message}`);
    }
  }

  // 5. JS tests
  if (finishing) return;
  if (!tableOk) {
    record('node tests', 'skipped', null, 'no table');
    return;
  }
  const files = testFiles();
  if (files.length === 0) {
    record('node tests', 'skipped', null, 'only Jest files given');
  } else {
    t0 = Date.now();
    const args = ['--test', '--test-concurrency=4', ...files];
    console.log(`\n$ node ${args.join(' ')}`);
    try {
      const code = await run(process.execPath, args, env);
      record('node tests', code === 0 ? 'ok' : 'failed', t0, code === 0 ? `${files.length} file${files.length === 1 ? '' : 's'}` : `exit ${code}`);
    } catch (err) {
      record('node tests', 'failed', t0, err.message);
    }
  }

  // 5b. Jest project: parallel workers, one tenant per test (useTestTenant)
  if (finishing) return;
  const given = givenFiles();
  const jestFiles = given.filter((f) => jestProject.isJestPath(f));
  if (given.length && jestFiles.length === 0) {
    record('jest (parallel workers)', 'skipped', null, 'no __test__/jest file given');
  } else {
    t0 = Date.now();
    try {
      const jest = jestProject.command(jestFiles);
      console.log(`\n$ node ${jest.args.map((a) => path.relative(ROOT, a) || a).join(' ')}`);
      const code = await run(process.execPath, jest.args, { ...env, ...jest.env });
      // Files of the project given one by one need not overlap across workers.
      const full = jestFiles.length === 0 || jestFiles.some((f) => path.resolve(ROOT, f) === path.join(ROOT, jestProject.PROJECT_DIR));
      const v = await jestProject.verify({ code, ...jest }, { full });
      record('jest (parallel workers)', v.ok ? 'ok' : 'failed', t0, v.note);
    } catch (err) {
      record('jest (parallel workers)', 'failed', t0, err.message);
    }
  }

  // 6. Key audit: after everything the tests wrote, no partition key of the test table
  // may lie outside a tenant prefix (tests that write without tenancy clean up after
  // themselves). Skipped when only some test files ran.
  if (finishing || process.argv.slice(2).some((a) => a !== '--')) return;
  t0 = Date.now();
  console.log(`\n$ bao-audit-keys --table ${TABLE_NAME}`);
  try {
    const code = await run(process.execPath, [path.join(ROOT, 'bin', 'bao-audit-keys.js'), '--table', TABLE_NAME], env);
    record('key audit', code === 0 ? 'ok' : 'failed', t0, code === 0 ? 'no key outside a tenant prefix' : `exit ${code}`);
  } catch (err) {
    record('key audit', 'failed', t0, err.message);
  }
}

async function finish(code) {
  if (server) {
    const t0 = Date.now();
    try {
      await server.stop();
      record('stop DynamoDB Local', 'ok', t0);
    } catch (err) {
      record('stop DynamoDB Local', 'failed', t0, err.message);
    }
    server = null;
  }
  summary();
  const failed = steps.some((s) => s.status === 'failed');
  process.exit(code != null ? code : failed ? 1 : 0);
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    if (finishing) return;
    finishing = true;
    console.error(`\n${sig}: stopping`);
    if (currentChild) currentChild.kill(sig);
    finish(code);
  });
}

main()
  .catch((err) => {
    record('test runner', 'failed', null, (err && err.message) || String(err));
    console.error(err);
  })
  .finally(() => {
    if (!finishing) {
      finishing = true;
      finish();
    }
  });
