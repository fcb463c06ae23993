'use strict';
/**
 * Part of `npm test` with a fixed seed, so CI is reproducible; `npm run test:fuzz` runs it with
 * a fresh random seed each time (printed, with the replay command, in the summary line).
 *
 * No crash from input: 10,000 random calls (wrong types, huge strings, deep objects, invalid
 * UTF-16, NaN, BigInt, Symbols, Proxies, throwing getters and toJSON, cycles, ...) spread over
 * every native export (NativeDb, NativeModel, TenantScope and the free functions, with wrong
 * `this` too) and the public JS API (TenantContext, initModels, model statics and instances under
 * runWithTenant(valid or hostile tenant), field factories and methods, FilterExpressionBuilder,
 * the search-text helpers, marshall/unmarshall and documentClient.send). Generator and targets:
 * helpers/fuzz-values.js and helpers/fuzz-worker.js.
 *
 * The calls run in a child process (helpers/fuzz-worker.js) that journals every call before it
 * starts, so a crash (a Rust panic aborting, a segfault, a process.exit) is reported here with
 * the seed and the exact calls in flight; the run then resumes after the crashing call, so one
 * crash does not hide the rest. Requirements:
 *
 *   1. the process never dies;
 *   2. every synchronous call returns or throws an Error; every async call resolves or rejects
 *      with an Error within 30 s (FUZZ_HANG_MS); no call keeps the event loop that long; no uncaught exception or
 *      unhandled rejection escapes;
 *   3. after the run, a raw scan finds no item written by it outside this run's tenants
 *      (`[fz-<run>-a]#`, `[fz-<run>-b]#`), and no trace of a hostile tenant anywhere;
 *   4. what the public models stored has the types their fields validate;
 *   5. bad input never surfaces as a TypeError from inside the library (an unchecked argument);
 *   6. bad input to the public API is never reported with the core's INTERNAL ("a bug in this
 *      library") code;
 *   7. (pinned from a fuzz finding) batchFind refuses 10,000 ids without blocking the event loop.
 *
 * The caller's own exceptions (thrown by the generated getters, traps, toJSON, resolvers) may pass
 * through as they are. "Maximum call stack size exceeded" RangeErrors (JSON.stringify of the
 * 10,000-deep object) count as JS errors and are listed as notes.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_ITERATIONS scales it (default 10000); FUZZ_BUDGET_MS bounds
 * the time in which calls may start (default 35 s per 10,000 calls, so the file stays under a
 * minute on 2 cores); FUZZ_KEEP_JOURNALS=1 keeps the workers' journals (one JSON line per event).
 * One call: FUZZ_SEED=<n> FUZZ_ONLY=<i> FUZZ_VERBOSE=1 node __test__/helpers/fuzz-worker.js (with
 * the environment `npm test` sets).
 */
const { test, before, after } = require('node:test');
// The run writes odd but valid values (numbers like 1e+21, deep maps) that other test
// files' raw scans need not read: it gets a table of its own, dropped afterwards.
const SHARED_TABLE = process.env.TABLE_NAME;
process.env.TABLE_NAME = `fuzz-${Date.now().toString(36)}-${process.pid}`;
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { rawScan } = require('./helpers/raw');
const { uid } = require('./helpers/ids');
const { createTable, deleteTable } = require('../lib/admin.js');
const { readJournal, inFlight, summarize } = require('./helpers/fuzz-journal');

/** The seed `npm test` uses; `npm run test:fuzz` sets FUZZ_RANDOM=1 for a new one per run. */
const CI_SEED = 20261126;
const SEED =
  process.env.FUZZ_SEED != null
    ? Number(process.env.FUZZ_SEED) >>> 0
    : process.env.FUZZ_RANDOM === '1'
      ? crypto.randomInt(2 ** 32)
      : CI_SEED;
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS || 10000);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS || 35000 * Math.max(1, ITERATIONS / 10000));
const MARKER = uid('f').slice(0, 16);
const WORKER = path.join(__dirname, 'helpers', 'fuzz-worker.js');
const MAX_RESTARTS = 25;
/** How long an async call may take to settle before it counts as hung (see fuzz-worker.js). */
const HANG_MS = Number(process.env.FUZZ_HANG_MS || 30000);
/** After the deadline: time for in-flight calls to settle (HANG_MS each at most) and the worker to exit. */
const GRACE_MS = HANG_MS + 5000;
/** A worker whose journal gets no line for this long is stuck in a synchronous call. */
const SILENCE_MS = 15000;

const TENANTS = [`fz-${MARKER}-a`, `fz-${MARKER}-b`];
const HOSTILE_MARKER = `q${MARKER}`;
const PREFIX = `z${MARKER.slice(-6)}`;

/**
 * A DynamoDB-JSON attribute as a plain value. (The SDK's unmarshall refuses numbers beyond 2^53
 * unless wrapped; here they become JS numbers, so an out-of-range integer stays visible.)
 */
function plain(a) {
  if (!a || typeof a !== 'object') return a;
  if ('S' in a) return a.S;
  if ('N' in a) return Number(a.N);
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('B' in a) return Buffer.from(a.B);
  if ('SS' in a) return new Set(a.SS);
  if ('NS' in a) return new Set(a.NS.map(Number));
  if ('BS' in a) return new Set(a.BS.map((b) => Buffer.from(b)));
  if ('L' in a) return a.L.map(plain);
  if ('M' in a) return plainItem(a.M);
  return a;
}
const plainItem = (item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)]));

/** What the run found; filled by `before`. */
let run;

/**
 * Runs one worker. It is killed when it outlives `killAfterMs`, or when its journal stays silent
 * for longer than a hung async call may take to be recorded (then its event loop is blocked:
 * a synchronous call that never returns).
 */
function runWorker(env, killAfterMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-warnings', WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout = (stdout + d).slice(-20000);
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-20000);
    });
    let killed = null;
    const timer = setTimeout(() => {
      killed = 'still running after the deadline';
      child.kill('SIGKILL');
    }, killAfterMs);
    let lastSize = -1;
    let lastChange = Date.now();
    const watchdog = setInterval(() => {
      let size = 0;
      try {
        size = fs.statSync(env.FUZZ_PROGRESS).size;
      } catch {
        // not created yet (the worker is still loading)
      }
      if (size !== lastSize) {
        lastSize = size;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > SILENCE_MS) {
        killed = `silent for ${SILENCE_MS / 1000} s (a synchronous call never returned)`;
        child.kill('SIGKILL');
      }
    }, 500);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      resolve({ code, signal, killed, stdout, stderr });
    });
  });
}

/** Runs the fuzz, resuming after each crash; returns everything the journals and exits say. */
async function fuzz() {
  const t0 = Date.now();
  const deadline = t0 + BUDGET_MS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-fuzz-'));
  const journals = [];
  const deaths = []; // abnormal worker exits, with the calls in flight
  let start = 0;
  for (let attempt = 0; start < ITERATIONS && attempt <= MAX_RESTARTS; attempt++) {
    const journalFile = path.join(dir, `journal-${attempt}.jsonl`);
    const exit = await runWorker(
      {
        FUZZ_SEED: String(SEED),
        FUZZ_START: String(start),
        FUZZ_END: String(ITERATIONS),
        FUZZ_DEADLINE: String(deadline),
        FUZZ_MARKER: MARKER,
        FUZZ_PROGRESS: journalFile,
      },
      Math.max(deadline - Date.now(), 0) + GRACE_MS,
    );
    const entries = readJournal(journalFile);
    journals.push(entries);
    const done = entries.find((e) => e.t === 'D');
    if (done && exit.code === 0) break;
    const flying = inFlight(entries);
    const starts = entries.filter((e) => e.t === 'S');
    deaths.push({
      start,
      // The call the worker was executing: the last one started (earlier ones still in flight
      // are async calls awaiting DynamoDB; the replay below tells which one it really was).
      suspect: starts.length ? { i: starts[starts.length - 1].i, target: starts[starts.length - 1].target, args: starts[starts.length - 1].args } : null,
      code: exit.code,
      signal: exit.signal,
      killed: exit.killed,
      inFlight: flying,
      stderrTail: exit.stderr.split('\n').filter(Boolean).slice(-8).join('\n'),
      stdoutTail: exit.stdout.split('\n').filter(Boolean).slice(-3).join('\n'),
    });
    const startedIdx = entries.filter((e) => e.t === 'S').map((e) => e.i);
    if (!startedIdx.length || Date.now() > deadline) break; // nothing to resume from, or no time left
    start = Math.max(...startedIdx) + 1;
  }
  // Replay each crash's suspect alone (a few, distinct by target), so the report says which
  // call kills the process by itself.
  const replayed = new Set();
  for (const d of deaths) {
    if (!d.suspect || d.killed || replayed.size >= 4 || replayed.has(d.suspect.target)) continue;
    replayed.add(d.suspect.target);
    const exit = await runWorker(
      { FUZZ_SEED: String(SEED), FUZZ_ONLY: String(d.suspect.i), FUZZ_MARKER: MARKER, FUZZ_DEADLINE: String(Date.now() + 20000), FUZZ_PROGRESS: path.join(dir, `replay-${d.suspect.i}.jsonl`) },
      20000,
    );
    d.replay =
      exit.code === 0
        ? 'survived when replayed alone (the crash depends on earlier calls, or on stack depth and JIT state)'
        : `dies when replayed alone too (code ${exit.code}, signal ${exit.signal})`;
  }
  if (process.env.FUZZ_KEEP_JOURNALS === '1') console.log(`fuzz journals kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  const summary = summarize(journals);
  return { ...summary, deaths, ms: Date.now() - t0 };
}

function summaryLine(r) {
  const group = (prefix) =>
    Object.entries(r.counts)
      .filter(([k]) => k.startsWith(prefix))
      .sort((a, b) => b[1] - a[1]);
  const total = (rows) => rows.reduce((n, [, v]) => n + v, 0);
  const list = (rows, prefix) => rows.slice(0, 8).map(([k, v]) => `${k.slice(prefix.length)} ${v}`).join(', ');
  const threw = group('threw:');
  const rejected = group('rejected:');
  const stopped = r.calls < ITERATIONS ? ` (${ITERATIONS - r.calls} not made: time budget or generator errors)` : '';
  return (
    `fuzz seed=${SEED} marker=${MARKER}: ${r.calls}/${ITERATIONS} calls in ${(r.ms / 1000).toFixed(1)} s${stopped} | ` +
    `returned ${r.counts.returned || 0}, resolved ${r.counts.resolved || 0}, ` +
    `threw ${total(threw)} [${list(threw, 'threw:')}], rejected ${total(rejected)} [${list(rejected, 'rejected:')}], ` +
    `hangs ${r.counts.hang || 0} | crashes ${r.deaths.length}, failures ${r.failures.length}, ` +
    `findings ${r.findings.length}, notes ${r.notes.length} | replay: FUZZ_SEED=${SEED}`
  );
}

after(() => deleteTable({ tableName: process.env.TABLE_NAME }));

function show(v) {
  return JSON.stringify(v, null, 1).slice(0, 1500);
}

before(async () => {
  if (!SHARED_TABLE) throw new Error('run the fuzz test through `npm test` (it needs TABLE_NAME)');
  await createTable({ tableName: process.env.TABLE_NAME });
  run = await fuzz();
  console.log(summaryLine(run));
});

test('the process survives every call (no abort, segfault or exit)', () => {
  const report = run.deaths.map((d) => {
    const how = d.killed ? `was killed: ${d.killed}` : `died (code ${d.code}, signal ${d.signal})`;
    const others = d.inFlight.filter((c) => !d.suspect || c.i !== d.suspect.i);
    return (
      `worker from call ${d.start} ${how}\n  executing: ${show(d.suspect)}${d.replay ? `\n  replayed: ${d.replay}` : ''}\n` +
      `  also in flight: ${others.map((c) => `#${c.i} ${c.target}`).join(', ') || 'none'}\n` +
      `  stderr: ${d.stderrTail.slice(-400)}\n` +
      `  replay: FUZZ_SEED=${SEED} FUZZ_ONLY=${d.suspect ? d.suspect.i : ''} FUZZ_VERBOSE=1 node __test__/helpers/fuzz-worker.js`
    );
  });
  assert.equal(run.deaths.length, 0, `the fuzz worker died ${run.deaths.length} time(s):\n${report.join('\n')}`);
});

test(`every throw and rejection is an Error, every async call settles within ${HANG_MS / 1000} s, nothing escapes`, () => {
  assert.ok(run.calls > 0, 'no call ran');
  const harness = run.failures.filter((f) => f.kind === 'harness-error');
  const bad = run.failures.filter((f) => f.kind !== 'harness-error');
  assert.deepEqual(
    bad.map((f) => `#${f.i} ${f.target}: ${f.kind}`),
    [],
    `failures (seed ${SEED}):\n${bad.slice(0, 20).map(show).join('\n')}` +
      (harness.length ? `\nand the generator itself failed ${harness.length} time(s) (a bug in this test):\n${harness.slice(0, 3).map(show).join('\n')}` : ''),
  );
  assert.deepEqual(harness.map((f) => `#${f.i} ${f.target}: ${f.detail}`), [], 'the generator itself failed (a bug in this test)');
});

/** Non-ASCII and control characters as \\uXXXX, so a U+FFFD or a NUL in a key is visible. */
const visible = (text) => String(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

test("nothing is written outside this run's tenants, and no hostile tenant reaches the table", async () => {
  const all = await rawScan();
  const prefixes = TENANTS.map((t) => `[${t}]#`);
  const isPartitionAttr = (name) => name === '_pk' || name === '_iter_pk' || /^_gsi\d+_pk$/.test(name);
  const outside = new Map(); // tenant part of the key -> {keys, items, example}
  const hostile = [];
  let ours = 0;
  for (const raw of all) {
    const text = JSON.stringify(raw);
    if (!text.includes(MARKER)) continue;
    ours++;
    const item = plainItem(raw);
    let flagged = false;
    for (const [name, value] of Object.entries(item)) {
      if (!isPartitionAttr(name) || (typeof value === 'string' && prefixes.some((p) => value.startsWith(p)))) continue;
      const m = typeof value === 'string' ? /^\[([^\]]*)\]#/.exec(value) : null;
      const where = m ? `[${visible(m[1])}]#` : `no tenant prefix (${visible(String(value).slice(0, 40))})`;
      const o = outside.get(where) || { keys: 0, items: 0, example: null };
      o.keys++;
      if (!flagged) o.items++;
      flagged = true;
      o.example ||= visible(text.slice(0, 400));
      outside.set(where, o);
    }
    // The hostile marker is never used as data; raw-seam items (<prefix>r) may carry it in
    // non-key attributes only (written through the seam on purpose).
    const rawSeam = typeof item._pk === 'string' && item._pk.includes(`#${PREFIX}r`);
    const keyText = JSON.stringify(Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith('_'))));
    if ((rawSeam ? keyText : text).includes(HOSTILE_MARKER)) hostile.push(visible(text.slice(0, 300)));
  }
  assert.ok(ours > 0, 'the run wrote nothing at all (setup creates items): the scan is not looking at the right table');
  const problems = [...outside].map(
    ([where, o]) => `${o.items} item(s), ${o.keys} partition key(s) under ${where}, not one of ${prefixes.map(visible).join(' ')}; e.g. ${o.example}`,
  );
  if (hostile.length) problems.push(`${hostile.length} item(s) carry a hostile tenant string (${HOSTILE_MARKER}…), e.g. ${hostile[0]}`);
  assert.deepEqual(problems, [], `seed ${SEED}`);
});

test('the public models stored only values their fields validate', async () => {
  const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  // CreateDateField keeps a date string as given (DynamoBao's toDy, kept on purpose); it must parse.
  const isDate = (v) => isNum(v) || (typeof v === 'string' && !Number.isNaN(new Date(v).getTime()));
  const rules = {
    [`${PREFIX}u`]: { userId: (v) => typeof v === 'string' && ULID.test(v), createdAt: isDate, modifiedAt: isNum },
    [`${PREFIX}a`]: {
      id: (v) => typeof v === 'string' && ULID.test(v),
      i: (v) => v === null || (Number.isSafeInteger(v)),
      f: (v) => v === null || isNum(v),
      b: (v) => v === null || typeof v === 'boolean',
      dt: (v) => v === null || isNum(v),
      cd: isDate,
      md: isNum,
      c: (v) => Number.isSafeInteger(v),
      v: (v) => typeof v === 'string' && v.length === 26,
      bin: (v) => v === null || Buffer.isBuffer(v) || v instanceof Uint8Array,
      ss: (v) => v === null || (v instanceof Set && [...v].every((m) => typeof m === 'string' && m.length <= 50) && v.size <= 5),
      ttl: (v) => v === null || isNum(v),
    },
    [`${PREFIX}c`]: { n: (v) => Number.isSafeInteger(v) },
  };
  const declared = {
    [`${PREFIX}u`]: ['userId', 'name', 'email', 'status', 'createdAt', 'modifiedAt'],
    [`${PREFIX}a`]: ['id', 's', 's2', 'i', 'f', 'b', 'dt', 'cd', 'md', 'c', 'v', 'bin', 'ss', 'ttl', 'rel'],
    [`${PREFIX}c`]: ['a', 'n', 'label'],
    [`${PREFIX}p`]: ['k', 'v'],
  };
  const items = (await rawScan((raw) => JSON.stringify(raw).includes(MARKER))).map(plainItem);
  const problems = [];
  let checked = 0;
  for (const item of items) {
    const m = typeof item._pk === 'string' ? /^\[[^\]]*\]#([^#]+)/.exec(item._pk) : null;
    const model = m && declared[m[1]] ? m[1] : null;
    if (!model) continue; // raw-seam, native-API and unique-constraint items
    checked++;
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith('_')) continue;
      if (!declared[model].includes(name)) problems.push(`${model}: undeclared attribute ${name} = ${JSON.stringify(value)}`);
      const rule = rules[model]?.[name];
      if (rule && !rule(value)) problems.push(`${model}.${name} holds ${util.inspect(value).slice(0, 80)}`);
    }
  }
  assert.ok(checked > 0, 'no item of the public models found');
  assert.deepEqual(problems.slice(0, 30), [], `seed ${SEED}`);
});

test('bad input never surfaces as a TypeError from inside the library (an unchecked argument)', () => {
  const found = run.findings.filter((f) => f.kind === 'internal-js-error');
  assert.deepEqual(
    found.map((f) => `${f.key} (×${f.count}, via ${f.targets.join(', ')})`),
    [],
    `seed ${SEED}; first example of each:\n${found.map((f) => show(f.example)).join('\n')}`,
  );
});

test('bad input to the public API is never reported with the INTERNAL ("bug in this library") code', () => {
  const found = run.findings.filter((f) => f.kind === 'internal-code');
  assert.deepEqual(
    found.map((f) => `${f.key} (×${f.count}, via ${f.targets.join(', ')})`),
    [],
    `seed ${SEED}; first example of each:\n${found.map((f) => show(f.example)).join('\n')}`,
  );
});

// The fuzz saw batchFind with a long id list keep the event loop for seconds (tens of seconds
// with 40,000 ids) before it even checked for a tenant. Pinned here without the randomness:
// 10,000 distinct ids with no tenant in scope must be refused at once.
test('batchFind refuses 10,000 ids without blocking the event loop (no quadratic work before the tenant check)', async () => {
  const { TenantContext } = require('..');
  const { makeModels, initTenantModels } = require('./helpers/models');
  const models = makeModels();
  initTenantModels(models);
  const ids = Array.from({ length: 10000 }, (_, k) => `01ARZ3NDEK${String(k).padStart(16, '0')}`);
  const t0 = performance.now();
  const pending = TenantContext.runWithTenant(undefined, () => models.User.batchFind(ids));
  const blockedMs = performance.now() - t0;
  const err = await pending.then(
    () => null,
    (e) => e,
  );
  assert.equal(err && err.code, 'TENANT_REQUIRED', 'no tenant in scope: refused');
  assert.ok(
    blockedMs < 250,
    `User.batchFind(<10,000 distinct ids>) with no tenant kept the event loop for ${Math.round(blockedMs)} ms ` +
      'before rejecting (the duplicate check is quadratic: lib/model-reads.js batchFind, `missing.includes(id)` in a loop)',
  );
});

test('notes (allowed, listed): stack overflows, calls that kept the event loop over 1 s, input errors labelled NETWORK', (t) => {
  for (const n of run.notes) t.diagnostic(`${n.key} (×${n.count}, via ${n.targets.join(', ')}) e.g. #${n.example?.i} ${n.example?.target}`);
  assert.ok(true);
});
