'use strict';
/**
 * The Jest step of `npm test`: runs the Jest project in `__test__/jest/` in parallel
 * workers against the suite's DynamoDB Local, then checks from the outside what the tests
 * cannot check themselves:
 *
 *   - Jest passed every test (its --json report);
 *   - the tests ran in more than one worker process, at the same time: at least one test
 *     read its data while a test in another worker had items in the same partitions;
 *   - every test had its own tenant, and every tenant was empty afterwards (the
 *     useTestTenant clean-up), checked through the library.
 *
 * The tests write a journal (`$BAO_JEST_JOURNAL/<pid>.jsonl`, see __test__/jest/support.js).
 * scripts/test.js spawns the command from `command()` and then calls `verify()`.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const PROJECT_DIR = path.join('__test__', 'jest');
const MAX_WORKERS = 4;

/** Whether a command-line path names a file or folder of the Jest project. */
function isJestPath(p) {
  const rel = path.relative(ROOT, path.resolve(ROOT, p));
  return rel === PROJECT_DIR || rel.startsWith(PROJECT_DIR + path.sep);
}

/**
 * The Jest command and where its outputs go. A fresh cache folder each run: with cached
 * timings of fast files Jest would run them all in one process (`runInBand`).
 * @param {string[]} [files] project files to run (default: all)
 */
function command(files = []) {
  const jestBin = require.resolve('jest/bin/jest', { paths: [ROOT] });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-jest-'));
  const journalDir = path.join(work, 'journal');
  fs.mkdirSync(journalDir);
  const outputFile = path.join(work, 'results.json');
  const args = [
    jestBin,
    '--config',
    path.join(ROOT, PROJECT_DIR, 'jest.config.js'),
    `--maxWorkers=${MAX_WORKERS}`,
    '--ci',
    '--json',
    `--outputFile=${outputFile}`,
    `--cacheDirectory=${path.join(work, 'cache')}`,
    ...files.map((f) => path.resolve(ROOT, f)),
  ];
  return { args, env: { BAO_JEST_JOURNAL: journalDir }, work, journalDir, outputFile };
}

function readJournal(dir) {
  const records = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.jsonl')) continue;
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (line.trim()) records.push(JSON.parse(line));
    }
  }
  return records;
}

/** Tests that read while another worker's test had items in the same partitions. */
function overlapping(tests) {
  return tests.filter((x) => tests.some((y) => y.pid !== x.pid && y.writtenAt < x.end && y.end > x.queriedAt));
}

/** Every journaled tenant must be empty: no note, no account under the shared email. */
async function emptyTenants(tenants) {
  const { TenantContext, initModels } = require('..');
  const { config, Note, Account, SHARED_EMAIL } = require('../__test__/jest/support.js');
  TenantContext.runWithTenant('jest-verify', () => initModels(config));
  const left = [];
  for (const tenantId of tenants) {
    await TenantContext.withTenant(tenantId, async () => {
      const { count } = await Note.count();
      const account = await Account.findByUniqueConstraint('uniqueEmail', SHARED_EMAIL);
      if (count || account.exists()) left.push(`${tenantId}: ${count} notes${account.exists() ? ', 1 account' : ''}`);
    });
  }
  return left;
}

/**
 * Checks a finished run. `full` is false when only some project files ran, which need
 * not be enough for two workers to overlap.
 * @returns {Promise<{ok: boolean, note: string}>}
 */
async function verify({ code, outputFile, journalDir, work }, { full = true } = {}) {
  const problems = [];
  let report = null;
  try {
    report = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
  } catch (err) {
    problems.push(`no Jest report (${err.code || err.message})`);
  }
  if (code !== 0) problems.push(`jest exit ${code}`);
  if (report && (report.numFailedTests || report.numRuntimeErrorTestSuites || !report.numPassedTests)) {
    problems.push(`${report.numFailedTests} failed tests, ${report.numRuntimeErrorTestSuites} suites did not run`);
  }

  const records = readJournal(journalDir);
  const tests = records.filter((r) => r.event === 'test');
  const tenants = records.filter((r) => r.event === 'test' || r.event === 'concurrent').map((r) => r.tenantId);
  const pids = new Set(tests.map((r) => r.pid));
  const overlap = overlapping(tests);
  if (new Set(tenants).size !== tenants.length) problems.push('a tenant id was used by two tests');
  if (full) {
    if (tests.length === 0) problems.push('no isolation test wrote to the journal');
    if (pids.size < 2) problems.push(`isolation tests ran in ${pids.size} worker process(es), not in parallel`);
    if (overlap.length === 0) problems.push('no test read while another worker had data in the same partitions');
  }
  let left = [];
  try {
    left = await emptyTenants(tenants);
  } catch (err) {
    problems.push(`tenant check failed: ${err.message}`);
  }
  if (left.length) problems.push(`not cleaned up: ${left.slice(0, 3).join('; ')}${left.length > 3 ? ' …' : ''}`);

  if (problems.length === 0) fs.rmSync(work, { recursive: true, force: true });
  const counts = report
    ? `${report.numPassedTests}/${report.numTotalTests} tests in ${report.numTotalTestSuites} files, ${pids.size} worker processes (--maxWorkers=${MAX_WORKERS}), `
    : '';
  const note =
    `${counts}${overlap.length}/${tests.length} isolation tests read while another worker's tenant had data, ` +
    `${tenants.length - left.length}/${tenants.length} test tenants empty afterwards` +
    (problems.length ? `; FAILED: ${problems.join('; ')} (outputs kept in ${work})` : '');
  return { ok: problems.length === 0, note };
}

module.exports = { isJestPath, command, verify, PROJECT_DIR, MAX_WORKERS };
