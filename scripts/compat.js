#!/usr/bin/env node
'use strict';
/**
 * `npm run compat -- <DynamoBao source tree> [options] [jest test-path pattern...]`
 *
 * Runs DynamoBao's own jest suite against THIS package, on a throw-away DynamoDB Local:
 *
 *   1. copy the tree's test/ into a temporary work folder;
 *   2. link the tree's node_modules there (jest and the suite's own dependencies), and this
 *      package as node_modules/dynamo-bao, so the suite's `require("../src/<x>")` goes
 *      through one-line modules that require "dynamo-bao/src/<x>.js" and only our
 *      package.json `exports` map resolves them (as in generated model files); the tree's
 *      bin/ files are taken from this package's bin/ by the same relative path;
 *   3. start DynamoDB Local on a free port (scripts/ddb-local.js), drop and re-create the
 *      suite's table (name from its test/config.js);
 *   4. run the tree's jest in band with JSON output;
 *   5. print one row per test file, every failed test, the failures grouped by cause, and a
 *      last line `N passed, M failed`; write summary.json, summary.txt, jest-results.json and
 *      jest-output.log to the results folder.
 *
 * Options:
 *   --results DIR    where results go (default: a new folder under the OS temp dir)
 *   --port N         DynamoDB Local port (default: a free one)
 *   --baseline FILE  a summary.json of an earlier run (say, of the original): files whose
 *                    passed count differs from it are listed
 *   --keep           keep the temporary work folder (the suite copy and shims)
 *   --strict         exit 1 when any test failed (default: exit 0 once jest produced results)
 *   --verbose        stream jest's own output (it is always saved to jest-output.log)
 * Anything else is passed to jest (a test-path pattern such as 'test/(ttl|unique)\.test\.js',
 * or flags such as -t 'name').
 *
 * The tree needs `npm install` done (it provides jest and the suite's dependencies), and this
 * package needs its addon built (`npm install` / `npm run build`).
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ddbLocal = require('./ddb-local');

const ROOT = path.join(__dirname, '..');
const REGION = 'us-west-2';
const JEST_CONFIG = `module.exports = {
  rootDir: __dirname,
  roots: ["<rootDir>/test"],
  testEnvironment: "node",
  testPathIgnorePatterns: ["/node_modules/", "/test/codegen/"],
};
`;

const USAGE = 'usage: npm run compat -- <DynamoBao source tree> [--results DIR] [--port N] [--baseline FILE] [--keep] [--strict] [--verbose] [jest args...]';

function parseArgs(argv) {
  const opts = { src: null, results: null, port: undefined, baseline: null, keep: false, strict: false, verbose: false, jestArgs: [] };
  const value = (i, name) => {
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value\n${USAGE}`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--results') opts.results = path.resolve(value(i++, a));
    else if (a === '--baseline') opts.baseline = path.resolve(value(i++, a));
    else if (a === '--port') {
      opts.port = Number(value(i++, a));
      if (!(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) throw new Error(`invalid --port ${argv[i]}`);
    } else if (a === '--keep') opts.keep = true;
    else if (a === '--strict') opts.strict = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (opts.src === null && !a.startsWith('-')) opts.src = path.resolve(a);
    else opts.jestArgs.push(a);
  }
  if (!opts.src) throw new Error(USAGE);
  return opts;
}

/** Checks the tree and returns the path of its jest binary. */
function checkSourceTree(src) {
  for (const dir of ['test', 'src']) {
    if (!fs.statSync(path.join(src, dir), { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${src} does not look like a DynamoBao source tree (no ${dir}/ folder)`);
    }
  }
  const jest = path.join(src, 'node_modules', 'jest', 'bin', 'jest.js');
  if (!fs.existsSync(jest)) throw new Error(`jest not found in ${src}/node_modules: run \`npm install\` there first`);
  return jest;
}

function listJs(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listJs(p, base);
    return e.isFile() && e.name.endsWith('.js') ? [path.relative(base, p)] : [];
  });
}

/** Lays out the work folder: the suite, node_modules with this package as dynamo-bao, shims. */
function prepareWorkDir(src, work) {
  fs.cpSync(path.join(src, 'test'), path.join(work, 'test'), { recursive: true });

  const nm = path.join(work, 'node_modules');
  fs.mkdirSync(nm);
  for (const name of fs.readdirSync(path.join(src, 'node_modules'))) {
    if (name === 'dynamo-bao') continue;
    fs.symlinkSync(path.join(src, 'node_modules', name), path.join(nm, name));
  }
  fs.symlinkSync(ROOT, path.join(nm, 'dynamo-bao'), 'dir');

  const shim = (rel, target) => {
    const file = path.join(work, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `module.exports = require(${JSON.stringify(target)});\n`);
  };
  // Through the package name, so the exports map decides (a path it lacks fails to load,
  // as it would for a user's generated model file).
  for (const rel of listJs(path.join(src, 'src'))) shim(path.join('src', rel), `dynamo-bao/src/${rel.split(path.sep).join('/')}`);
  // bin/ is not exported by the original either; the suite requires a few helpers by path.
  for (const rel of listJs(path.join(src, 'bin'))) shim(path.join('bin', rel), path.join(ROOT, 'bin', rel));

  fs.writeFileSync(path.join(work, 'jest.config.js'), JEST_CONFIG);
}

/** The suite's table name, read in a child so its dotenv call cannot touch this process. */
function suiteTableName(work) {
  const out = execFileSync(process.execPath, ['-p', 'require("./test/config.js").db.tableName'], { cwd: work, encoding: 'utf8' });
  const name = out.trim();
  if (!name) throw new Error('test/config.js names no db.tableName');
  return name;
}

async function recreateTable({ endpoint, tableName }) {
  const admin = require('../lib/admin.js');
  await admin.deleteTable({ endpoint, tableName, region: REGION });
  await admin.createTable({ endpoint, tableName, region: REGION });
}

function runJest({ jest, work, resultsDir, jestArgs, verbose, env }) {
  const args = [jest, '--config', path.join(work, 'jest.config.js'), '--runInBand', '--json', `--outputFile=${path.join(resultsDir, 'jest-results.json')}`, ...jestArgs];
  const log = fs.createWriteStream(path.join(resultsDir, 'jest-output.log'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk) => {
      log.write(chunk);
      if (verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => log.end(() => resolve({ code, signal })));
  });
}

const stripAnsi = (s) => String(s || '').replace(/\u001b\[[0-9;]*m/g, '');
const firstLines = (text, n) =>
  stripAnsi(text)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ');

/** One short cause per failed test, so a run's failures can be counted by cause. */
function causeOf(message) {
  const text = stripAnsi(message);
  if (/TENANT_REQUIRED|Tenant context is required/.test(text)) return 'TENANT_REQUIRED (no tenant in scope)';
  const m = /^\s*(\w*Error\b[^\n]*)/m.exec(text);
  return (m ? m[1] : firstLines(text, 1)).slice(0, 120);
}

function summarize(jestJson, { baseline }) {
  const suiteRoot = (name) => {
    const i = name.lastIndexOf(`${path.sep}test${path.sep}`);
    return i >= 0 ? name.slice(0, i) : path.dirname(name);
  };
  const files = jestJson.testResults
    .map((r) => {
      const file = path.relative(suiteRoot(r.name), r.name).split(path.sep).join('/');
      const n = { passed: 0, failed: 0, skipped: 0 };
      for (const a of r.assertionResults) {
        if (a.status === 'passed') n.passed++;
        else if (a.status === 'failed') n.failed++;
        else n.skipped++;
      }
      // A file that fails to load reports no tests: count the baseline's tests (else 1) as failed.
      const loadError = r.assertionResults.length === 0 && r.status === 'failed';
      const notRun = loadError ? (baseline?.[file] ?? 1) : 0;
      return {
        file,
        passed: n.passed,
        failed: n.failed + notRun,
        skipped: n.skipped,
        notRun,
        seconds: +((r.endTime - r.startTime) / 1000).toFixed(1),
        loadError: loadError ? firstLines(r.message || r.failureMessage, 6) : undefined,
        failedTests: r.assertionResults
          .filter((a) => a.status === 'failed')
          .map((a) => ({ name: a.fullName, cause: causeOf(a.failureMessages.join('\n')), message: firstLines(a.failureMessages.join('\n'), 3) })),
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const total = (k) => files.reduce((s, f) => s + f[k], 0);
  const causes = {};
  for (const f of files) {
    for (const t of f.failedTests) causes[t.cause] = (causes[t.cause] || 0) + 1;
    if (f.loadError) causes[`failed to load: ${f.loadError.slice(0, 100)}`] = (causes[`failed to load: ${f.loadError.slice(0, 100)}`] || 0) + f.notRun;
  }
  return {
    totals: {
      files: files.length,
      filesFailing: files.filter((f) => f.failed > 0).length,
      passed: total('passed'),
      failed: total('failed'),
      skipped: total('skipped'),
      notRun: total('notRun'),
    },
    causes,
    files,
  };
}

function table(summary) {
  const w = Math.max(4, ...summary.files.map((f) => f.file.length));
  const row = (a, b, c, d, e) => `${a.padEnd(w)}  ${String(b).padStart(6)}  ${String(c).padStart(6)}  ${String(d).padStart(7)}  ${String(e).padStart(7)}`;
  const rule = '-'.repeat(w + 34);
  const lines = [row('file', 'passed', 'failed', 'skipped', 'seconds'), rule];
  for (const f of summary.files) lines.push(row(f.file, f.passed, f.failed, f.skipped, f.seconds) + (f.loadError ? '  (failed to load)' : ''));
  lines.push(rule, row('total', summary.totals.passed, summary.totals.failed, summary.totals.skipped, summary.wallSeconds ?? ''));
  return lines.join('\n') + '\n';
}

function readBaseline(file) {
  if (!file) return null;
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.fromEntries((json.files || []).map((f) => [f.file, f]));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const jest = checkSourceTree(opts.src);
  const baselineFiles = readBaseline(opts.baseline);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-compat-'));
  const resultsDir = opts.results || path.join(os.tmpdir(), `bao-compat-results-${path.basename(work).slice('bao-compat-'.length)}`);
  fs.mkdirSync(resultsDir, { recursive: true });

  let server = null;
  let interrupted = false;
  const cleanup = async () => {
    if (server) await server.stop().catch(() => {});
    server = null;
    if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
  };
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(sig, async () => {
      interrupted = true;
      console.error(`\n${sig}: stopping`);
      await cleanup();
      process.exit(code);
    });
  }

  try {
    prepareWorkDir(opts.src, work);
    const tableName = suiteTableName(work);

    server = await ddbLocal.start({ port: opts.port });
    console.log(`DynamoDB Local at ${server.endpoint}`);
    ddbLocal.useLocalEnv(server.endpoint, { tableName, region: REGION });
    const env = { ...process.env, DDB_ENDPOINT: server.endpoint, LOG_LEVEL: 'OFF', DYNAMO_BAO_LOG_LEVEL: 'ERROR' };
    delete env.AWS_ENDPOINT_URL;
    // The tree's .env (if any) must not redirect the run.
    delete env.DYNAMO_BAO_CONFIG;

    await recreateTable({ endpoint: server.endpoint, tableName });
    console.log(`table ${tableName} (re-)created`);
    console.log(`suite: ${opts.src}\npackage: ${ROOT}\nwork: ${work}\njest: --runInBand ${opts.jestArgs.join(' ')}`.trim());

    const t0 = Date.now();
    const { code, signal } = await runJest({ jest, work, resultsDir, jestArgs: opts.jestArgs, verbose: opts.verbose, env });
    const wallSeconds = +((Date.now() - t0) / 1000).toFixed(1);
    if (interrupted) return;

    const resultsFile = path.join(resultsDir, 'jest-results.json');
    let jestJson;
    try {
      jestJson = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    } catch (err) {
      console.error(`jest produced no results (${signal ? `signal ${signal}` : `exit ${code}`}); see ${path.join(resultsDir, 'jest-output.log')}`);
      console.error(fs.readFileSync(path.join(resultsDir, 'jest-output.log'), 'utf8').split('\n').slice(-20).join('\n'));
      console.log('0 passed, 0 failed');
      process.exitCode = 1;
      return;
    }

    const baselineCounts = baselineFiles && Object.fromEntries(Object.entries(baselineFiles).map(([k, f]) => [k, f.passed + f.failed + f.skipped]));
    const summary = {
      package: ROOT,
      suite: opts.src,
      endpoint: server.endpoint,
      jestArgs: opts.jestArgs,
      finishedAt: new Date().toISOString(),
      wallSeconds,
      ...summarize(jestJson, { baseline: baselineCounts }),
    };
    const text = table(summary);
    fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    fs.writeFileSync(path.join(resultsDir, 'summary.txt'), text);

    process.stdout.write(`\n${text}`);
    for (const f of summary.files) {
      if (f.loadError) console.log(`LOAD ERROR ${f.file}: ${f.loadError}`);
      for (const t of f.failedTests) console.log(`FAIL ${f.file} :: ${t.name} :: ${t.message}`);
    }
    if (Object.keys(summary.causes).length) {
      console.log('\nfailures by cause:');
      for (const [cause, n] of Object.entries(summary.causes).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${cause}`);
    }
    if (baselineFiles) {
      const diffs = summary.files.filter((f) => baselineFiles[f.file] && baselineFiles[f.file].passed !== f.passed);
      const missing = Object.keys(baselineFiles).filter((k) => !summary.files.some((f) => f.file === k));
      console.log(`\nagainst the baseline (${opts.baseline}): ${diffs.length} file(s) differ in passed tests`);
      for (const f of diffs) console.log(`  ${f.file}: ${f.passed} passed here, ${baselineFiles[f.file].passed} in the baseline`);
      if (missing.length && !opts.jestArgs.length) console.log(`  not run here: ${missing.join(', ')}`);
    }
    console.log(`\nresults: ${resultsDir}/summary.{json,txt}, jest-results.json, jest-output.log`);
    if (opts.keep) console.log(`work folder kept: ${work}`);
    console.log(`${summary.totals.passed} passed, ${summary.totals.failed} failed`);
    if (opts.strict && summary.totals.failed > 0) process.exitCode = 1;
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().catch((err) => {
  console.error((err && err.message) || err);
  process.exit(2);
});
