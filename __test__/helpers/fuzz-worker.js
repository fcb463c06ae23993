'use strict';
/**
 * The fuzz run of __test__/fuzz.test.js, in a child process of its own so that a crash (a Rust
 * panic aborting the process, a segfault, a `process.exit` inside the library) is reported by the
 * parent test with the seed and the calls in flight, instead of silently killing the test runner.
 *
 * Environment (set by fuzz.js; usable by hand for replays):
 *   FUZZ_SEED        run seed (32-bit integer)
 *   FUZZ_START, FUZZ_END   the calls to make: indices START..END-1 (default 0..FUZZ_ITERATIONS-1)
 *   FUZZ_DEADLINE    epoch ms after which no new call starts (default: now + 40 s)
 *   FUZZ_MARKER      unique tenant-safe run id
 *   FUZZ_PROGRESS    journal file (below)
 *   FUZZ_ONLY        comma-separated call indices to replay (e.g. "4711" or "10,11")
 *   FUZZ_VERBOSE=1   print every call with its arguments and outcome
 *   TABLE_NAME, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB (from `npm test`)
 *
 * Every call i draws its target and arguments from its own generator seeded by (seed, i), so
 * `FUZZ_SEED=<s> FUZZ_ONLY=<i> node __test__/helpers/fuzz-worker.js` replays exactly that call
 * (calls that depend on items created at setup still find them: setup is deterministic in kind,
 * not in ids).
 *
 * Results go to the journal (see "Outcome journal" below); stdout ends with FUZZ_DONE.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const util = require('node:util');

const ROOT = path.join(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib') + path.sep;
const INDEX = path.join(ROOT, 'index.js');

const SEED = process.env.FUZZ_SEED != null ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const START = Number(process.env.FUZZ_START || 0);
const END = Number(process.env.FUZZ_END || process.env.FUZZ_ITERATIONS || 10000);
const DEADLINE = Number(process.env.FUZZ_DEADLINE || Date.now() + 40000);
const MARKER = process.env.FUZZ_MARKER || `fz${Date.now().toString(36)}`;
const ONLY = process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split(',').map(Number) : null;
const VERBOSE = process.env.FUZZ_VERBOSE === '1';
/**
 * An async call still unsettled after this long counts as hung. 30 s, not less: under `npm test`
 * other files share DynamoDB Local and the 2 cores, and a legitimate batchFind of 2,000 ids
 * (20 BatchGetItem requests) once took over 10 s there.
 */
const HANG_MS = Number(process.env.FUZZ_HANG_MS || 30000);
/**
 * A call that keeps the event loop to itself this long blocks every other request of the process:
 * noted; beyond HANG_MS it is a failure like a hang.
 */
const BLOCK_MS = 1000;
const MAX_IN_FLIGHT = 8;
const TABLE = process.env.TABLE_NAME;
const REGION = process.env.AWS_REGION || 'us-west-2';
const ENDPOINT = process.env.AWS_ENDPOINT_URL_DYNAMODB;

const progressFd = process.env.FUZZ_PROGRESS ? fs.openSync(process.env.FUZZ_PROGRESS, 'w') : null;
function progress(line) {
  if (progressFd != null) fs.writeSync(progressFd, `${line}\n`);
}

const { makeGen, seedFor, isOwnThrown, describe, OWN_THROWN_PREFIX } = require('./fuzz-values');

/** An error our hostile values throw (recognised as the caller's own, see fuzz-values.js). */
function ownThrow() {
  return `${OWN_THROWN_PREFIX}valueOf`;
}
const { ulid } = require('./ids');

const lib = require('../..');
const native = require('../../lib/native.js');
const { FilterExpressionBuilder } = require('../../lib/filter-expression.js');
const searchText = require('../../lib/utils/search-text.js');
const ddbClient = require('../../lib/dynamodb-client.js');

const {
  initModels,
  BaoModel,
  TenantContext,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  runWithBatchContext,
  fields,
} = lib;
const { NativeDb, NativeModel, TenantScope } = native;

// ---------------------------------------------------------------------------------------------
// Tenants and markers

/** Valid tenants of this run: every item the run may write lives under one of them. */
const TENANT_A = `fz-${MARKER}-a`;
const TENANT_B = `fz-${MARKER}-b`;
const BOOT_TENANT = `fz-${MARKER}-boot`; // current only while initModels runs; never for data
/** Model prefix shared by the run's models: `<P>u`, `<P>a`, ... (public API), `<P>n…` (native). */
const P = `z${MARKER.slice(-6)}`;

/**
 * Marker of hostile tenants and of raw keys outside the tenant: used for nothing else (never in
 * generated data), so no stored item may ever contain it.
 */
const Q = `q${MARKER}`;
/** Tenant ids that must be refused (each carries Q, so a leak is visible in a scan). */
const HOSTILE_TENANTS = [
  `${Q}]#x`, `[${Q}`, `${Q}]`, `${Q}#`, `${Q}#x`, `[${Q}]#`,
  `${Q}\n`, `${Q}\u0000`, `${Q}\u007f`, `${Q}\u0085`, `${Q}${'x'.repeat(200)}`,
  // Lone surrogates cannot be stored as themselves (keys are UTF-8): refusing them is the only
  // way to keep the tenant in the key equal to the tenant asked for.
  `${Q}\uD800`, `${Q}\uDC00x`, `${TENANT_A}\uD800`, `${TENANT_A}\uDFFF`,
  '', '#', '[', ']', ']#', 'a]#b',
];

/** Anything but a string (a random string could be a valid tenant, and land outside this run's). */
function nonString(g) {
  for (let n = 0; n < 5; n++) {
    const v = g.value();
    if (typeof v !== 'string') return v;
  }
  return 42;
}

function tenantChoice(g) {
  return g.weighted([
    [55, TENANT_A],
    [10, TENANT_B],
    [15, g.pick(HOSTILE_TENANTS)],
    [5, null],
    [5, undefined],
    [10, nonString(g)], // numbers, objects, symbols, BigInt, functions, proxies ...
  ]);
}

// ---------------------------------------------------------------------------------------------
// Models under test (public API): unique prefixes per run

const { StringField, UlidField, IntegerField, FloatField, BooleanField, DateTimeField, CreateDateField,
  ModifiedDateField, CounterField, VersionField, BinaryField, StringSetField, TtlField, RelatedField } = fields;

class FzUser extends BaoModel {
  static modelPrefix = `${P}u`;
  static iterable = true;
  static iterationBuckets = 2;
  static fields = {
    userId: UlidField({ autoAssign: true }),
    name: StringField({ required: true }),
    email: StringField(),
    status: StringField({ required: true, defaultValue: 'active' }),
    createdAt: CreateDateField(),
    modifiedAt: ModifiedDateField(),
  };
  static primaryKey = PrimaryKeyConfig('userId');
  static indexes = { byStatus: IndexConfig('status', 'createdAt', 'gsi1') };
}

class FzAll extends BaoModel {
  static modelPrefix = `${P}a`;
  static iterable = true;
  static iterationBuckets = 2;
  static searchable = true;
  static searchConfig = { fields: ['s', 's2'] };
  static fields = {
    id: UlidField({ autoAssign: true }),
    s: StringField(),
    s2: StringField(),
    i: IntegerField(),
    f: FloatField({ precision: 2 }),
    b: BooleanField(),
    dt: DateTimeField(),
    cd: CreateDateField(),
    md: ModifiedDateField(),
    c: CounterField(),
    v: VersionField(),
    bin: BinaryField(),
    ss: StringSetField({ maxMemberCount: 5, maxStringLength: 50 }),
    ttl: TtlField(),
    rel: RelatedField('FzUser'),
  };
  static primaryKey = PrimaryKeyConfig('id');
  static indexes = {
    byS: IndexConfig('s', 'dt', 'gsi1'),
    byI: IndexConfig('i', 'f', 'gsi2'),
    byB: IndexConfig('modelPrefix', 'b', 'gsi3'),
    byId: PrimaryKeyConfig('id'),
  };
  static uniqueConstraints = { uniqueS2: UniqueConstraintConfig('s2', '_uc1') };
}

class FzComp extends BaoModel {
  static modelPrefix = `${P}c`;
  static iterable = true;
  static iterationBuckets = 1;
  static fields = {
    a: StringField({ required: true }),
    n: IntegerField({ required: true }),
    label: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('a', 'n');
}

class FzPk extends BaoModel {
  static modelPrefix = `${P}p`;
  static fields = { k: StringField({ required: true }), v: StringField() };
  static primaryKey = PrimaryKeyConfig('modelPrefix', 'k');
}

const MODELS = { FzUser, FzAll, FzComp, FzPk };
const MODEL_LIST = Object.values(MODELS);

/** Native schemas with their own prefixes (`<P>n…`): the raw native API writes no JS-validated data. */
const NATIVE_SCHEMAS = [
  {
    name: 'NUser', prefix: `${P}nu`,
    fields: [{ name: 'userId', kind: 'ulid' }, { name: 'name', kind: 'string' }, { name: 'status', kind: 'string' },
      { name: 'createdAt', kind: 'createDate' }],
    primaryKey: { pk: 'userId', sk: 'modelPrefix' },
    indexes: [{ name: 'byStatus', pk: 'status', sk: 'createdAt', indexId: 'gsi1' }],
    uniqueConstraints: [{ name: 'uniqueName', field: 'name', constraintId: '_uc1' }],
    iterable: true, iterationBuckets: 3,
    searchConfig: { fields: ['name'] },
  },
  {
    name: 'NComp', prefix: `${P}nc`,
    fields: [{ name: 'a', kind: 'string' }, { name: 'n', kind: 'integer' }, { name: 'f', kind: 'float' },
      { name: 'd', kind: 'dateTime' }, { name: 'b', kind: 'boolean' }, { name: 'ss', kind: 'stringSet' },
      { name: 'bin', kind: 'binary' }, { name: 'c', kind: 'counter' }, { name: 'ttl', kind: 'ttl' }],
    primaryKey: { pk: 'a', sk: 'n' },
    indexes: [{ name: 'byF', pk: 'modelPrefix', sk: 'f', indexId: 'gsi2' }, { name: 'pkAlias', primaryKey: true }],
    uniqueConstraints: [],
    iterable: false,
  },
  {
    name: 'NPk', prefix: `${P}np`,
    fields: [{ name: 'k', kind: 'string' }, { name: 'v', kind: 'version' }],
    primaryKey: { pk: 'modelPrefix', sk: 'k' },
    indexes: [], uniqueConstraints: [], iterable: true, iterationBuckets: 1000,
  },
];
const FIELD_NAMES = [...new Set([
  ...MODEL_LIST.flatMap((M) => Object.keys(M.fields)),
  ...NATIVE_SCHEMAS.flatMap((s) => s.fields.map((f) => f.name)),
])];
const FIELD_KINDS = ['string', 'ulid', 'related', 'integer', 'float', 'counter', 'boolean', 'dateTime', 'createDate',
  'modifiedDate', 'ttl', 'version', 'binary', 'stringSet'];

// ---------------------------------------------------------------------------------------------
// Outcome journal: one JSON object per line in FUZZ_PROGRESS, written synchronously, so the parent
// can rebuild every count, failure and finding even when this process dies mid-run.
//   {t:"S", i, target, args}   call i starts          {t:"E", i, o}      call i ended with outcome o
//   {t:"F", i, target, args, kind, detail}            a hard failure (non-Error, hang, stray error)
//   {t:"N", key, example?}     an internal TypeError  {t:"R", key, example?}  a stack overflow (note)
//   {t:"D", ...}               the run ended normally

const seenKeys = new Set(); // finding/note keys already given an example by this process
const currentInFlight = new Map(); // i -> {target, args}

function journal(obj) {
  let line;
  try {
    line = JSON.stringify(obj);
  } catch {
    line = JSON.stringify({ t: obj.t, i: obj.i, o: obj.o, note: 'unserialisable' });
  }
  progress(line);
}

function fail(i, target, args, kind, detail) {
  journal({ t: 'F', i, target, args, kind, detail });
}

function topFrame(err) {
  try {
    const lines = String(err.stack || '').split('\n').filter((l) => /^\s+at /.test(l));
    return lines[0] ? lines[0].trim() : '';
  } catch {
    return '';
  }
}
function frames(err, n = 4) {
  try {
    return String(err.stack || '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, n).map((l) => l.trim().replace(ROOT + path.sep, ''));
  } catch {
    return [];
  }
}
const inLibrary = (frame) => frame.includes(LIB) || frame.includes(INDEX);

/** Messages of errors that mean "code inside the library met a value it did not check". */
const INTERNAL = new RegExp(
  [
    'Cannot read propert', 'Cannot set propert', 'Cannot create property', 'is not a function', 'is not iterable',
    'is not a constructor', 'Cannot convert undefined or null to object', "Cannot use 'in' operator", 'Cannot destructure',
    'Reduce of empty array', 'before initialization', 'is not defined', 'Invalid array length', 'Spread syntax requires',
    'Cannot assign to read only', 'object is not extensible', 'Invalid time value', 'is not valid JSON',
  ].join('|'),
);
/** Messages of errors JS itself raises for values no API can take (the caller's value, not a bug). */
const COERCION = /BigInt|circular structure|Symbol value|Cannot convert object to primitive value|proxy that has been revoked|Maximum call stack size exceeded/;

/** A message with the caller's values taken out, so one defect gives one key. */
function normalizeMessage(msg) {
  return msg
    .replace(/ at line \d+ column \d+/g, '')
    .replace(/(Cannot use 'in' operator to search for '[^']*' in ).*/s, '$1…')
    .replace(/ on (string|number|boolean|bigint|symbol) '.*'$/s, ' on $1 …')
    .replace(/(invalid (?:type|value): [a-z ]+?) (?:"[\s\S]*"|`[^`]*`)(?=, expected)/, '$1 …')
    .replace(/`[^`]*`/g, '`…`')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/was called on .*, which is/, 'was called on …, which is')
    .replace(/\d{3,}/g, 'N')
    .slice(0, 160);
}

function errKey(err) {
  let name = 'Error';
  let code = '';
  try {
    name = String(err.name);
    code = err.code != null ? `:${String(err.code)}` : '';
  } catch {
    name = '<unreadable>';
  }
  return `${name}${code}`;
}
function errMessage(err) {
  try {
    return String(err.message);
  } catch {
    return '<unreadable message>';
  }
}

/**
 * Classifies one outcome and journals it; returns the outcome key.
 * `how`: returned | threw | resolved | rejected | hang.
 */
function record(i, target, args, how, value, ms, ctx = {}) {
  if (how === 'returned' || how === 'resolved') return how;
  if (how === 'hang') {
    fail(i, target.name, args, 'hang', `no settlement within ${HANG_MS} ms`);
    return 'hang';
  }
  const err = value;
  if (isOwnThrown(err)) return `${how}:own-value`; // the caller's own exception, let through
  if (!(err instanceof Error)) {
    const kind = how === 'threw' ? 'non-error-thrown' : 'non-error-rejection';
    fail(i, target.name, args, kind, `${typeof err}: ${describe(err)}`);
    return `${how}:NON-ERROR`;
  }
  const key = errKey(err);
  const msg = errMessage(err);
  const top = topFrame(err).replace(ROOT + path.sep, '');
  const example = () => ({ i, target: target.name, args, how, error: `${key}: ${msg.slice(0, 300)}`, frames: frames(err) });
  const keep = (t, k, kind) => {
    if (ctx.lenient && t === 'N') return;
    const first = !seenKeys.has(k);
    seenKeys.add(k);
    journal(first ? { t, kind, key: k, target: target.name, example: example() } : { t, kind, key: k, target: target.name });
  };
  const shortMsg = normalizeMessage(msg);
  const where = (top.match(/\(?((?:lib|index)[^()\s]*:\d+:\d+)\)?$/) || [, top])[1];
  if (err instanceof RangeError && /Maximum call stack/.test(msg)) {
    keep('R', `RangeError: Maximum call stack size exceeded @ ${where}`, 'stack-overflow');
  } else if (
    (err instanceof ReferenceError ||
      ((err instanceof TypeError || err instanceof SyntaxError || err instanceof RangeError) && INTERNAL.test(msg) && !COERCION.test(msg))) &&
    inLibrary(topFrame(err))
  ) {
    keep('N', `${err.name}: ${shortMsg} @ ${where}`, 'internal-js-error');
  } else if (target.name.startsWith('api.') && err.code === 'INTERNAL') {
    // The core's code for "a bug in this library", reached with nothing but bad input.
    keep('N', `${key}: ${shortMsg}`, 'internal-code');
  } else if (target.name.startsWith('api.') && err.code === 'NETWORK' && /failed to construct request/.test(msg)) {
    keep('R', `${key}: ${shortMsg}`, 'input-error-labelled-network');
  }
  return `${how}:${key}`;
}

// ---------------------------------------------------------------------------------------------
// Value helpers shaped like the library's inputs

/** Ids created at setup, per model; calls pick them to reach the code past "not found". */
const POOL = { FzUser: [], FzAll: [], FzComp: [], FzPk: [], native: [] };

function plausible(g, kind) {
  switch (kind) {
    case 'string':
      return g.weighted([[3, `${MARKER} ${g.smallString()}`], [2, g.smallString()], [1, 'active']]);
    case 'ulid':
    case 'related':
    case 'version':
      return g.weighted([[3, ulid()], [1, g.smallString()], [1, POOL.FzUser[0] || ulid()]]);
    case 'integer':
    case 'counter':
      return g.pick([0, 1, -1, 42, 2 ** 53 - 1, 2 ** 53 + 1, '42', '+1', '-3', ' 7 ', '1e3', 1.5, NaN, Infinity, g.int(1000) - 500]);
    case 'float':
      return g.pick([0, -0, 3.14159, '2.5', 1e308, -1e-300, NaN, Infinity, '', ' ', '0x1F', g.rand() * 1000]);
    case 'boolean':
      return g.pick([true, false, 0, 1, 'true', null]);
    case 'dateTime':
    case 'createDate':
    case 'modifiedDate':
    case 'ttl':
      return g.pick([new Date(), new Date(NaN), Date.now(), -1, 8.64e15, 8.64e15 + 1, '2024-01-01T00:00:00Z', 'nope', '', 0]);
    case 'binary':
      return g.pick([Buffer.from('abc'), new Uint8Array([0, 255]), Buffer.alloc(0), 'abc', [1, 2]]);
    case 'stringSet':
      return g.pick([['a', 'b'], new Set(['x', MARKER]), [], new Set(), ['a', 1], ['x'.repeat(60)], ['a', 'b', 'c', 'd', 'e', 'f']]);
    default:
      return g.value();
  }
}

function fieldValue(g, field) {
  let kind = 'string';
  try {
    const { fieldKind } = require('../../lib/field-kinds.js');
    kind = fieldKind(field);
  } catch {
    // keep 'string'
  }
  return g.chance(0.7) ? plausible(g, kind) : g.value();
}

/** Data for a model: its fields with plausible or hostile values, sometimes extra keys. */
/** Data every field accepts: reaches the write path, where only the tenant can be wrong. */
function cleanData(g, M) {
  const tag = `${MARKER} ${g.int(1e9).toString(36)}`;
  if (M === FzUser) return { name: tag, email: g.pick([undefined, 'a@x.test']), status: g.pick([undefined, 'active', 'gone']) };
  if (M === FzAll) return { s: tag, s2: `${tag} u`, i: g.int(100), f: 1.25, b: g.chance(0.5), dt: new Date(), ss: ['a'], rel: POOL.FzUser[0] };
  if (M === FzComp) return { a: tag, n: g.int(1000), label: 'x' };
  return { k: tag, v: 'x' };
}

function modelData(g, M) {
  if (g.chance(0.3)) return cleanData(g, M);
  if (g.chance(0.1)) return g.value();
  const data = {};
  for (const [name, field] of Object.entries(M.fields)) {
    if (g.chance(0.6)) data[name] = fieldValue(g, field);
  }
  if (M === FzUser && g.chance(0.8)) data.name = `${MARKER} ${g.chance(0.5) ? g.smallString() : 'user'}`;
  if (g.chance(0.1)) Object.defineProperty(data, g.pick(['bogus', '_pk', '_sk', '__proto__', 'modelPrefix', '_searchText', '_iter_pk']), { value: g.value(), enumerable: true, writable: true, configurable: true });
  if (g.chance(0.05)) return g.hostileObject();
  return data;
}

function primaryIdChoice(g, M) {
  const pool = POOL[M.name] || [];
  return g.weighted([
    [4, pool.length ? g.pick(pool) : ulid()],
    [1, ulid()],
    [1, g.smallString()],
    [1, g.value()],
    [1, { [M.primaryKey.pk]: plausible(g, 'string'), [M.primaryKey.sk]: g.primitive() }],
    [1, pool.length ? `${g.pick(pool)}##__SK__##${g.smallString()}` : 'a##__SK__##b'],
  ]);
}

const OPS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$between', '$beginsWith', '$contains', '$exists', '$size', '$bogus', 'eq', ''];

/** A filter in DynamoBao's syntax, over the given field names (or anything). */
function filterValue(g, names, depth = 0) {
  const k = g.int(depth > 2 ? 5 : 12);
  const field = () => g.weighted([[6, g.pick(names)], [1, g.pick(['_searchText', '_pk', 'modelPrefix', 'nope', '__proto__', ''])], [1, g.smallString()]]);
  const operand = () => g.weighted([[3, plausible(g, g.pick(FIELD_KINDS))], [1, g.value()]]);
  switch (k) {
    case 0:
    case 1:
      return { [field()]: operand() };
    case 2:
    case 3: {
      const op = g.pick(OPS);
      let v = operand();
      if (op === '$between' && g.chance(0.7)) v = [operand(), operand()];
      if (op === '$in' && g.chance(0.7)) v = [operand(), operand(), operand()];
      if (op === '$exists') v = g.pick([true, false, 'yes', null]);
      if (op === '$size') v = g.pick([0, 1, -1, 1.5, 'x', { $gt: 1 }]);
      return { [field()]: { [op]: v } };
    }
    case 4:
      return g.value();
    case 5:
    case 6:
      return { $and: Array.from({ length: g.int(4) }, () => filterValue(g, names, depth + 1)) };
    case 7:
    case 8:
      return { $or: Array.from({ length: g.int(4) }, () => filterValue(g, names, depth + 1)) };
    case 9:
      return { $not: filterValue(g, names, depth + 1) };
    case 10:
      return { [field()]: operand(), [field()]: { [g.pick(OPS)]: operand() } };
    default:
      return g.hostileObject();
  }
}

function filterFor(g, M) {
  return filterValue(g, Object.keys(M?.fields || {}).concat(['name']));
}

function skConditionFor(g, M, indexName) {
  let skField = 'modelPrefix';
  try {
    skField = (M.indexes?.[indexName] || M.primaryKey)?.sk || 'modelPrefix';
  } catch {
    // a hostile index name (revoked proxy, throwing toString): any field will do
  }
  return g.weighted([
    [3, null],
    [2, { [skField]: plausible(g, 'string') }],
    [3, { [skField]: { [g.pick(['$gt', '$gte', '$lt', '$lte', '$beginsWith', '$between', '$eq', '$in', '$bogus'])]: g.chance(0.3) ? [plausible(g, 'integer'), plausible(g, 'dateTime')] : plausible(g, g.pick(FIELD_KINDS)) } }],
    [1, { [g.smallString()]: g.value() }],
    [1, { [skField]: g.value() }],
    [1, g.value()],
  ]);
}

function startKeyChoice(g) {
  const t = g.pick([TENANT_A, TENANT_B, Q]);
  return g.weighted([
    [4, undefined],
    [2, { _pk: `[${t}]#${P}u#${ulid()}`, _sk: `${P}u` }],
    [1, { _pk: `[${t}]#${P}a`, _sk: `${P}a`, _gsi3_pk: `[${t}]#${P}a`, _gsi3_sk: 'true' }],
    [1, { _pk: { S: 'x' } }],
    [1, g.value()],
  ]);
}

function queryOptions(g, M) {
  if (g.chance(0.1)) return g.value();
  const o = {};
  if (g.chance(0.4)) o.limit = g.pick([1, 2, 10, 0, -1, 1.5, NaN, Infinity, 2 ** 31, '5', null, 1e6]);
  if (g.chance(0.3)) o.direction = g.pick(['ASC', 'DESC', 'asc', '', 'sideways', 1, null]);
  if (g.chance(0.3)) o.startKey = startKeyChoice(g);
  if (g.chance(0.2)) o.countOnly = g.pick([true, false, 1, 'yes']);
  if (g.chance(0.3)) o.filter = filterFor(g, M);
  if (g.chance(0.2)) o.returnWrapped = g.pick([true, false, 0]);
  if (g.chance(0.1)) o.loadRelated = g.pick([true, false]);
  if (g.chance(0.1)) o.relatedFields = g.pick([null, ['rel'], ['nope'], 'rel', [1]]);
  if (g.chance(0.05)) o.relatedOnly = true;
  return o;
}

function searchOptions(g, M) {
  if (g.chance(0.1)) return g.value();
  const o = {};
  if (g.chance(0.3)) o.operator = g.pick(['$and', '$or', 'AND', '', null, 1, '$not']);
  if (g.chance(0.4)) o.limit = g.pick([1, 5, 100, Infinity, 0, -1, 1.5, NaN, '10', 2 ** 53]);
  if (g.chance(0.3)) o.batchSize = g.pick([1, 10, 0, -1, 1e9, NaN, 'x', 2 ** 31]);
  if (g.chance(0.3)) o.cursor = g.weighted([[2, g.smallString()], [2, craftedCursor(g)], [1, g.value()]]);
  if (g.chance(0.2)) o.filter = filterFor(g, M);
  if (g.chance(0.2)) o.parallel = g.pick([true, false, 'no']);
  if (g.chance(0.3)) o.maxQueriesPerBucket = g.pick([1, 2, 0, -1, 1.5, 1e9, 'x']);
  return o;
}

/** A cursor that decodes (so the resume checks run), with hostile fields. */
function craftedCursor(g) {
  const state = {
    bucketCursors: g.pick([{}, { 0: { _iter_pk: `[${TENANT_B}]#${P}a#0`, _iter_sk: 'x' } }, { 99: null }, { '-1': 'x' }, []]),
    predicateHash: g.pick(['0', 'abc', g.smallString()]),
    modelPrefix: g.pick([`${P}a`, `${P}u`, null, 'x']),
    scope: g.pick([[0, 1], [0], [1], [-1], [0.5], [], [2 ** 53], ['0']]),
    tenantId: g.pick([TENANT_A, TENANT_B, null, `${Q}]#x`, 5]),
    pendingItemKeys: g.pick([[], [ulid()], [1], 'x', [`${ulid()}##__SK__##x`]]),
  };
  try {
    return Buffer.from(JSON.stringify(state)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  } catch {
    return 'e30';
  }
}

// ---------------------------------------------------------------------------------------------
// Native objects

let goodDb; // NativeDb on the test table, tenancy enabled
let scratchDb; // NativeDb on a table that does not exist (safe `this` for table-level methods)
const nativeModels = []; // NativeModel of NATIVE_SCHEMAS

function schemaJson(g) {
  const base = JSON.parse(JSON.stringify(g.pick(NATIVE_SCHEMAS)));
  const k = g.int(12);
  if (k === 0) return g.jsonish();
  if (k === 1) return g.value();
  // Mutate a valid schema: one to three random edits.
  for (let n = 1 + g.int(3); n > 0; n--) {
    const edit = g.int(14);
    if (edit === 0) base.name = g.jsonValue();
    else if (edit === 1) base.prefix = g.pick(['', null, '#', 'a]#b', '\uD800', 'x'.repeat(3000), g.smallString(), 5]);
    else if (edit === 2 && Array.isArray(base.fields)) base.fields.push({ name: g.smallString(), kind: g.pick([...FIELD_KINDS, 'nope', 5, null]) });
    else if (edit === 3) base.fields = g.jsonValue();
    else if (edit === 4) base.primaryKey = g.pick([null, {}, { pk: 'nope' }, { pk: 'modelPrefix', sk: 'modelPrefix' }, { pk: 5 }, { pk: 'a', sk: g.smallString() }, { pk: 'k', sk: 'k' }]);
    else if (edit === 5 && Array.isArray(base.indexes)) {
      base.indexes.push({
        name: g.smallString(),
        pk: g.pick(['modelPrefix', 'a', 'name', 'nope', null]),
        sk: g.pick(['modelPrefix', 'ss', 'nope', null]),
        indexId: g.pick(['gsi1', 'gsi5', 'gsi6', '', null, 5]),
        primaryKey: g.pick([undefined, true, false, 'yes']),
      });
    }
    else if (edit === 6 && Array.isArray(base.uniqueConstraints)) base.uniqueConstraints.push({ name: g.smallString(), field: g.pick(['name', 'modelPrefix', 'nope', 'ss', 'bin']), constraintId: g.pick(['_uc1', '_uc3', '_uc4', '', 'x']) });
    else if (edit === 7) base.iterationBuckets = g.pick([0, 1, 1000, 1001, -1, 2 ** 32, 2 ** 32 + 1, 1.5, NaN, '3', null]);
    else if (edit === 8) base.iterable = g.pick([true, false, 'yes', 1, null]);
    else if (edit === 9) base.searchConfig = g.pick([null, {}, { fields: [] }, { fields: ['nope'] }, { fields: ['name'], minTermLength: g.pick([0, -1, 2 ** 40, 1.5, 1e20]) }, { fields: ['name'], caseSensitive: 'x' }, { fields: 'name' }]);
    else if (edit === 10 && Array.isArray(base.fields)) base.fields.push({ name: '_hidden', kind: 'string' });
    else if (edit === 11 && Array.isArray(base.fields)) base.fields.push({ ...base.fields[0] }); // duplicate field name
    else if (edit === 12) Object.defineProperty(base, g.pick(['__proto__', 'extra', 'constructor']), { value: g.jsonValue(), enumerable: true, writable: true, configurable: true });
    else if (Array.isArray(base.fields)) base.fields = base.fields.map((f) => ({ ...f, kind: g.pick(FIELD_KINDS) }));
  }
  let text = JSON.stringify(base);
  if (g.chance(0.1)) text = text.slice(0, g.int(text.length));
  return text;
}

function dbConfigJson(g) {
  const k = g.int(10);
  if (k === 0) return g.jsonish();
  if (k === 1) return g.value();
  const c = { tableName: TABLE, region: REGION, tenancyEnabled: true };
  for (let n = 1 + g.int(3); n > 0; n--) {
    const edit = g.int(10);
    if (edit === 0) c.tableName = g.pick(['', null, g.smallString(), 5, 'x'.repeat(300)]);
    else if (edit === 1) c.region = g.pick(['', null, g.smallString(), 'us-east-1', 'not a region!', '\u0000']);
    else if (edit === 2) c.endpoint = g.pick(['', 'not a url', 'http://', 'http://[::1', 'ftp://x', g.smallString(), 5, ENDPOINT]);
    else if (edit === 3) c.credentials = g.pick([null, {}, { accessKeyId: '' }, { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 5 }, 'x', g.jsonValue()]);
    else if (edit === 4) c.tenancyEnabled = g.pick([false, 'yes', 1, null]);
    else if (edit === 5) c.tenancyStrict = g.pick([true, false, 'x']);
    else if (edit === 6) c.defaultTenant = g.pick([...HOSTILE_TENANTS, TENANT_A, 5, null]);
    else if (edit === 7) c.iterationIndexName = g.pick(['', 'iter_index', 'iter_search_index', 'nope', 5, g.smallString()]);
    else c[g.pick(['__proto__', 'extra', 'maxAttempts', 'timeout'])] = g.jsonValue();
  }
  return JSON.stringify(c);
}

/** A payload for a NativeDb operation, valid-shaped with random edits, or garbage. */
function dbPayload(g, op) {
  const k = g.int(10);
  if (k === 0) return g.jsonish();
  if (k === 1) return g.value();
  const id = () => g.weighted([[3, POOL.native.length ? g.pick(POOL.native) : ulid()], [1, g.jsonValue()], [1, { a: g.smallString(), n: g.pick([1, -1, 2 ** 53 + 1, 1.5, 'x']) }]]);
  const dy = () => {
    const o = {};
    for (const name of ['userId', 'name', 'status', 'createdAt', 'a', 'n', 'f', 'd', 'b', 'ss', 'bin', 'c', 'ttl', 'k', 'v']) {
      if (g.chance(0.4)) o[name] = g.weighted([[2, g.jsonValue()], [1, `${MARKER} ${g.smallString()}`]]);
    }
    if (g.chance(0.3)) o.userId = ulid();
    if (g.chance(0.1)) o[g.pick(['_pk', '_sk', '_iter_pk', '_gsi1_pk', '_searchText', 'bogus'])] = g.jsonValue();
    return o;
  };
  let payload;
  switch (op) {
    case 'find':
      payload = id();
      break;
    case 'save':
      payload = { isNew: g.pick([true, false, 'x']), dy: g.chance(0.9) ? dy() : g.jsonValue(), forceReindex: g.pick([true, false, undefined]) };
      if (g.chance(0.5)) payload.primaryId = id();
      if (g.chance(0.2)) payload.condition = g.jsonValue();
      if (g.chance(0.2)) payload.current = g.chance(0.5) ? dy() : g.jsonValue();
      break;
    case 'delete':
      payload = { primaryId: id(), condition: g.chance(0.3) ? g.jsonValue() : undefined };
      break;
    case 'query':
      payload = {
        index: g.pick([null, 'byStatus', 'byF', 'pkAlias', 'nope', 5]),
        pkValue: g.jsonValue(),
        skCondition: g.pick([null, { createdAt: { $gt: 1 } }, { f: { $between: [1, 2] } }, g.jsonValue()]),
        limit: g.pick([1, 10, 0, -1, 1.5, 2 ** 53, null, 'x']),
        direction: g.pick([undefined, 'ASC', 'DESC', 'x']),
        startKey: g.chance(0.2) ? startKeyChoice(g) : undefined,
        countOnly: g.pick([true, false]),
        filter: g.chance(0.3) ? g.jsonValue() : undefined,
      };
      break;
    case 'count':
      payload = g.chance(0.5) ? null : g.jsonValue();
      break;
    case 'findByUnique':
      payload = { name: g.pick(['uniqueName', 'nope', '', 5]), value: g.jsonValue() };
      break;
    case 'batchFind':
      payload = Array.from({ length: g.pick([0, 1, 3, 101, 250]) }, () => id());
      break;
    case 'iterationQuery':
      payload = {
        bucket: g.pick([0, 1, 2, 999, 1000, -1, 1.5, 2 ** 32, null, 'x']),
        batchSize: g.pick([1, 100, 0, -1, 2 ** 31, null, 'x']),
        filter: g.chance(0.3) ? g.jsonValue() : undefined,
        search: g.chance(0.4) ? { terms: g.pick([[], ['a'], [g.smallString()], 'x', [1]]), operator: g.pick(['$and', '$or', 'x', null]) } : undefined,
        startKey: g.chance(0.3) ? startKeyChoice(g) : undefined,
      };
      break;
    default:
      payload = g.jsonValue();
  }
  let text;
  try {
    text = JSON.stringify(payload);
  } catch {
    text = '{}';
  }
  if (text === undefined) text = 'null';
  if (g.chance(0.05)) text = text.slice(0, g.int(text.length));
  return text;
}

/** Keys for the raw seam: mostly inside this run's tenant (prefix `<P>r`, never a model prefix). */
function rawKey(g) {
  const pk = g.weighted([
    [5, `[${TENANT_A}]#${P}r#${g.int(20)}`],
    [1, `[${TENANT_B}]#${P}r#${g.int(20)}`],
    [2, `[${Q}]#${P}r#1`],
    [1, Q],
    [1, g.jsonValue()],
  ]);
  return g.weighted([[6, { _pk: pk, _sk: g.pick(['a', 'b', '', 1]) }], [1, { _sk: 'a' }], [1, g.jsonValue()], [1, { _pk: { S: pk }, _sk: { S: 'a' } }]]);
}

function rawInput(g, op) {
  const table = g.weighted([[8, TABLE], [1, `fz-${MARKER}-missing`], [1, g.jsonValue()]]);
  const key = rawKey(g);
  const item = () => {
    const it = { ...(typeof key === 'object' && key && !Array.isArray(key) ? key : {}), note: `${MARKER} raw` };
    if (g.chance(0.3)) it[g.pick(['_gsi1_pk', '_iter_pk', '_gsi9_pk', '_gsi2_pk'])] = g.pick([`[${TENANT_A}]#${P}r`, `[${Q}]#x`, Q]);
    if (g.chance(0.3)) it.val = g.jsonValue();
    return it;
  };
  let input;
  switch (op) {
    case 'GetItem':
    case 'DeleteItem':
      input = { TableName: table, Key: key };
      break;
    case 'UpdateItem':
      input = {
        TableName: table,
        Key: key,
        UpdateExpression: g.pick(['SET #a = :v', 'SET #p = :v', 'SET _pk = :v', 'SET x = :v, _iter_pk = :w', 'REMOVE x', 'SET a = list_append(a, :v), _gsi1_pk = :w', 'ADD n :v', 'set   _pk=:v', g.smallString()]),
        ExpressionAttributeNames: g.pick([{ '#a': 'val' }, { '#p': '_pk' }, { '#p': '_gsi2_pk', '#a': 'x' }, undefined, g.jsonValue()]),
        ExpressionAttributeValues: g.pick([{ ':v': `[${Q}]#x`, ':w': Q }, { ':v': `[${TENANT_A}]#${P}r#9`, ':w': `[${TENANT_A}]#x` }, { ':v': 1 }, g.jsonValue()]),
      };
      break;
    case 'Query':
      input = {
        TableName: table,
        IndexName: g.pick([undefined, 'gsi1', 'iter_index', 'nope']),
        KeyConditionExpression: g.pick([
          '#pk = :pk', '_pk = :pk AND _sk > :s', '(_pk = :pk)', '_pk=:pk and begins_with(_sk, :s)', '_sk = :s AND _pk = :pk',
          '#pk = :pk OR _pk = :x', '_pk IN (:pk)', 'begins_with(_pk, :pk)', '_gsi1_pk = :pk', g.smallString(), undefined,
        ]),
        ExpressionAttributeNames: g.pick([{ '#pk': '_pk' }, { '#pk': '_sk' }, undefined, g.jsonValue()]),
        ExpressionAttributeValues: g.pick([{ ':pk': `[${TENANT_A}]#${P}r#1`, ':s': 'a', ':x': `[${Q}]#x` }, { ':pk': `[${Q}]#x` }, { ':pk': `[${TENANT_B}]#${P}u` }, g.jsonValue()]),
        Limit: g.pick([undefined, 1, 0, -1, 2 ** 40]),
        ExclusiveStartKey: g.chance(0.2) ? rawKey(g) : undefined,
      };
      break;
    case 'BatchGetItem':
      input = { RequestItems: g.pick([{ [TABLE]: { Keys: [key, rawKey(g)] } }, { [TABLE]: { Keys: [] } }, { [TABLE]: g.jsonValue() }, g.jsonValue()]) };
      break;
    case 'TransactWriteItems':
      input = {
        TransactItems: Array.from({ length: g.int(4) }, () => g.pick([
          { Put: { TableName: table, Item: item() } },
          { Update: { TableName: table, Key: rawKey(g), UpdateExpression: 'SET #p = :v', ExpressionAttributeNames: { '#p': g.pick(['_pk', '_iter_pk', 'x']) }, ExpressionAttributeValues: { ':v': g.pick([Q, `[${TENANT_A}]#${P}r`]) } } },
          { Delete: { TableName: table, Key: rawKey(g) } },
          { ConditionCheck: { TableName: table, Key: rawKey(g), ConditionExpression: 'attribute_exists(_pk)' } },
          g.jsonValue(),
        ])),
      };
      break;
    case 'UpdateTimeToLive':
      // Never on the test table: a TTL change would affect every other test.
      input = { TableName: `fz-${MARKER}-missing`, TimeToLiveSpecification: g.pick([{ AttributeName: 'ttl', Enabled: true }, {}, g.jsonValue()]) };
      break;
    default:
      input = g.chance(0.5) ? { TableName: table } : g.jsonValue();
  }
  if (g.chance(0.1) && input && typeof input === 'object') input[g.pick(['ReturnValues', 'ReturnConsumedCapacity', 'ConditionExpression', 'Select'])] = g.pick(['ALL_OLD', 'TOTAL', 'x', 5, 'attribute_not_exists(_pk)', 'COUNT']);
  return input;
}

const RAW_OPS = [
  'GetItem', 'Query', 'UpdateItem', 'DeleteItem', 'BatchGetItem', 'TransactWriteItems', 'DescribeTable', 'ListTables',
  'DescribeTimeToLive', 'UpdateTimeToLive', 'PutItem', 'Scan', 'CreateTable', 'UpdateTable', 'DeleteTable', 'ExecuteStatement',
];
function rawOp(g) {
  // (rawInput points UpdateTimeToLive at a table that does not exist.)
  return g.weighted([[10, g.pick(RAW_OPS)], [1, g.smallString()]]);
}

// ---------------------------------------------------------------------------------------------
// Targets

/** A NativeModel or something else where one is expected. */
function nativeModelArg(g) {
  return g.weighted([[8, g.pick(nativeModels)], [1, goodDb], [1, new TenantScope()], [1, g.value()]]);
}
function scopeArg(g) {
  return g.weighted([[8, new TenantScope()], [1, g.pick(nativeModels)], [1, g.value()]]);
}
function strOr(g, s, p = 0.8) {
  return g.chance(p) ? s : g.value();
}

/** Free functions of the addon, with type-correct and type-wrong arguments. */
function nativeFree(g, a) {
  const which = g.int(11);
  const argc = g.chance(0.05) ? g.int(6) : null; // wrong number of arguments
  const call = (fn, args) => () => fn(...(argc == null ? args : args.concat(Array.from({ length: 3 }, () => g.value())).slice(0, argc)));
  switch (which) {
    case 0: {
      const fieldsList = g.chance(0.8) ? g.pick([FIELD_NAMES, ['name'], [], FIELD_NAMES.concat(['$and', '__proto__'])]) : g.jsonValue();
      const modelJson = a(strOr(g, g.chance(0.85) ? JSON.stringify({ fields: fieldsList, searchConfig: g.pick([null, { caseSensitive: true }, { fields: ['s'] }, 'x', g.jsonValue()]) }) : g.jsonish()));
      let filter;
      try {
        filter = JSON.stringify(filterValue(g, FIELD_NAMES));
      } catch {
        filter = g.jsonish();
      }
      return ['buildFilter', call(native.buildFilter, [modelJson, a(strOr(g, filter ?? 'null'))])];
    }
    case 1: {
      const kind = a(strOr(g, g.chance(0.8) ? g.pick(FIELD_KINDS) : g.smallString()));
      const dy = a(g.weighted([[5, (() => { try { return JSON.stringify(g.jsonValue()); } catch { return '1'; } })()], [1, undefined], [1, null], [1, g.jsonish()], [1, g.value()]]));
      return ['fieldToGsi', call(native.fieldToGsi, [kind, dy])];
    }
    case 2:
      return ['assertFilterFitsIndex', call(native.assertFilterFitsIndex, [
        a(strOr(g, g.pick(['iter_index', 'iter_search_index', '', g.smallString()]))),
        a(g.chance(0.8)
          ? Array.from({ length: g.int(4) }, () => strOr(g, g.pick(['_searchText', '_pk', '_iter_pk', 'name', g.smallString()]), 0.9))
          : g.value()),
      ])];
    case 3:
      return ['searchNormalize', call(native.searchNormalize, [a(strOr(g, g.string())), a(g.chance(0.8) ? g.chance(0.5) : g.value())])];
    case 4:
      return ['searchPredicate', call(native.searchPredicate, [
        a(strOr(g, g.chance(0.7) ? JSON.stringify(Array.from({ length: g.int(5) }, () => g.smallString())) : g.jsonish())),
        a(strOr(g, g.pick(['$and', '$or', 'AND', '', g.smallString()]))),
        a(strOr(g, g.chance(0.7) ? JSON.stringify({ fields: ['s'], caseSensitive: g.chance(0.5), minTermLength: g.pick([1, 0, 3, -1, 2 ** 40, 1.5]), dedupe: g.chance(0.5) }) : g.jsonish())),
      ])];
    case 5:
      return ['searchBuildText', call(native.searchBuildText, [
        a(strOr(g, g.chance(0.6) ? JSON.stringify({ s: g.smallString(), s2: g.jsonValue(), n: 5 }) : g.jsonish())),
        a(strOr(g, g.chance(0.6) ? JSON.stringify({ fields: g.pick([['s', 's2'], ['n'], [], ['missing']]), caseSensitive: g.chance(0.5), minTermLength: g.pick([1, 0, 4, 2 ** 40]), dedupe: g.chance(0.5) }) : g.jsonish())),
      ])];
    case 6:
      return ['searchTextUpdate', call(native.searchTextUpdate, [
        a(strOr(g, g.chance(0.6) ? JSON.stringify({ fields: ['s', 's2'], caseSensitive: false, minTermLength: 1, dedupe: g.chance(0.5) }) : g.jsonish())),
        a(strOr(g, g.chance(0.6) ? JSON.stringify({ s: g.smallString(), s2: g.pick([null, 'x', 5]) }) : g.jsonish())),
        a(g.weighted([[3, undefined], [2, JSON.stringify({ s: 'old', _searchText: 'old' })], [1, g.jsonish()], [1, g.value()]])),
        a(g.chance(0.8) ? g.chance(0.5) : g.value()),
        a(g.chance(0.8) ? g.chance(0.5) : g.value()),
      ])];
    case 7:
      return ['marshallJson', call(native.marshallJson, [a(strOr(g, g.chance(0.5) ? (() => { try { return JSON.stringify({ a: g.jsonValue(), b: g.jsonValue() }); } catch { return '{}'; } })() : g.jsonish()))])];
    case 8:
      return ['unmarshallJson', call(native.unmarshallJson, [a(strOr(g, g.chance(0.5) ? g.pick([
        '{"a":{"S":"x"},"b":{"N":"1e400"}}', '{"a":{"N":"abc"}}', '{"a":{"N":"-0"}}', '{"a":{"N":"99999999999999999999999"}}',
        '{"a":{"B":"!!!"}}', '{"a":{"B":"AAEC"}}', '{"a":{"SS":["x","x"]}}', '{"a":{"NS":["1","x"]}}', '{"a":{"BS":["@"]}}',
        '{"a":{"M":{"b":{"L":[{"NULL":true},{"BOOL":"x"}]}}}}', '{"a":{"S":"x","N":"1"}}', '{"a":{}}', '{"a":{"Q":"x"}}',
        '{"a":"plain"}', '{"a":null}', '{"a":{"N":"0x10"}}', '{"a":{"N":" 1"}}', '{"a":{"N":"1e-400"}}', '{"a":{"N":"NaN"}}',
      ]) : g.jsonish()))])];
    case 9:
      if (g.chance(0.03)) {
        // A value whose toJSON calls the same function again: the addon's type error formats
        // the value with JSON.stringify, which re-enters the addon, again and again.
        const fn = g.pick([native.marshallJson, native.unmarshallJson, native.searchNormalize]);
        const reentrantToJSON = { toJSON: () => fn(reentrantToJSON, true) };
        a(reentrantToJSON);
        return ['reentrantToJSON', () => fn(reentrantToJSON, true)];
      }
    // falls through
    default: {
      // A function called with nothing, or with a `this` that is not its own.
      const fn = g.pick([native.buildFilter, native.fieldToGsi, native.marshallJson, native.searchNormalize, native.unmarshallJson]);
      const self = a(g.value());
      const args = [a(g.value()), a(g.value())];
      return ['freeFnOddCall', () => fn.apply(self, args.slice(0, g.int(3)))];
    }
  }
}

const DB_OPS = ['find', 'save', 'delete', 'query', 'count', 'findByUnique', 'batchFind'];

const TARGETS = [
  // ---- native exports ----------------------------------------------------------------------
  {
    name: 'native.NativeModel.new', weight: 5,
    make: (g, a) => {
      const arg = a(schemaJson(g));
      return () => {
        const m = new NativeModel(arg);
        // Exercise what was built (a schema that constructs must work).
        m.primaryId(JSON.stringify({ userId: ulid(), a: 'x', n: 1, k: 'k', name: 'n' }));
        m.iterationKeys(ulid(), TENANT_A);
        m.makePrimaryId('a', 'b');
        return m;
      };
    },
  },
  {
    name: 'native.NativeModel.methods', weight: 6,
    make: (g, a) => {
      const m = g.pick(nativeModels);
      const which = g.int(3);
      if (which === 0) {
        const dy = a(g.chance(0.7) ? (() => { try { return JSON.stringify({ userId: g.weighted([[2, ulid()], [1, g.jsonValue()]]), a: g.jsonValue(), n: g.jsonValue(), k: g.jsonValue() }); } catch { return '{}'; } })() : strOr(g, g.jsonish(), 0.7));
        return () => m.primaryId(dy);
      }
      if (which === 1) {
        const id = a(strOr(g, g.weighted([[2, ulid()], [1, g.string()]])));
        const t = a(g.weighted([[3, TENANT_A], [2, g.pick(HOSTILE_TENANTS)], [1, undefined], [1, null], [1, g.value()]]));
        return () => m.iterationKeys(id, t);
      }
      const x = a(strOr(g, g.string()));
      const y = a(strOr(g, g.string()));
      return () => m.makePrimaryId(x, y);
    },
  },
  {
    name: 'native.NativeDb.new', weight: 4,
    make: (g, a) => {
      const cfg = a(dbConfigJson(g));
      return () => {
        const db = new NativeDb(cfg);
        return db.tableName;
      };
    },
  },
  {
    name: 'native.TenantScope', weight: 5,
    make: (g, a) => {
      const scope = new TenantScope(...(g.chance(0.2) ? [a(g.value())] : []));
      const steps = [];
      for (let n = 1 + g.int(5); n > 0; n--) {
        const k = g.int(7);
        if (k === 0) { const v = a(g.weighted([[2, TENANT_A], [2, g.pick(HOSTILE_TENANTS)], [3, g.value()]])); steps.push(() => scope.setFallback(v)); }
        else if (k === 1) steps.push(() => scope.clearFallback(a(g.value())));
        else if (k === 2) {
          const kind = g.int(12); // 0-3: resolvers that re-enter the scope (0 recurses without end)
          let r;
          // Named, so reports say which kind of resolver was registered.
          if (kind === 0) r = { reentrantCurrent: () => scope.current(undefined) }.reentrantCurrent;
          else if (kind === 1) r = { addsResolverWhileResolving: () => { scope.addResolver(() => TENANT_A); return null; } }.addsResolverWhileResolving;
          else if (kind === 2) r = { clearsResolversWhileResolving: () => { scope.clearResolvers(); return TENANT_A; } }.clearsResolversWhileResolving;
          else if (kind === 3) r = { setsFallbackWhileResolving: () => { scope.setFallback(`${Q}]#x`); return null; } }.setsFallbackWhileResolving;
          else r = g.chance(0.8) ? g.func() : g.value();
          a(r);
          steps.push(() => scope.addResolver(r));
        } else if (k === 3) steps.push(() => scope.clearResolvers());
        else { const v = a(g.weighted([[3, undefined], [1, TENANT_A], [2, g.value()]])); steps.push(() => scope.current(v)); }
      }
      return () => {
        let last;
        for (const s of steps) last = s();
        return last;
      };
    },
  },
  {
    name: 'native.freeFunctions', weight: 14,
    make: (g, a) => {
      const [, thunk] = nativeFree(g, a);
      return thunk;
    },
  },
  {
    name: 'native.wrongThis', weight: 4,
    make: (g, a) => {
      const methods = [
        ['NativeModel', 'primaryId'], ['NativeModel', 'iterationKeys'], ['NativeModel', 'makePrimaryId'],
        ['NativeDb', 'find'], ['NativeDb', 'save'], ['NativeDb', 'query'], ['NativeDb', 'iterationQuery'], ['NativeDb', 'send'],
        ['NativeDb', 'auditPage'], ['NativeDb', 'createTable'], ['NativeDb', 'updateTable'], ['NativeDb', 'deleteTable'],
        ['NativeDb', 'tableName'], ['TenantScope', 'setFallback'], ['TenantScope', 'current'], ['TenantScope', 'addResolver'],
        ['TenantScope', 'clearResolvers'],
      ];
      const [cls, name] = g.pick(methods);
      const proto = native[cls].prototype;
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      const fn = desc.get || desc.value;
      const tableLevel = ['createTable', 'updateTable', 'deleteTable'].includes(name);
      // Never the test table's handle as `this` for table-level methods (deleteTable would drop it).
      const self = a(g.pick([
        g.pick(nativeModels), new TenantScope(), scratchDb, {}, Object.create(proto), g.value(), undefined, null,
        tableLevel ? scratchDb : goodDb,
      ]));
      const args = [new TenantScope(), TENANT_A, g.pick(nativeModels), '"x"', g.value()].map((v) => (g.chance(0.3) ? g.value() : v)).map(a);
      return () => fn.apply(self, args);
    },
    maybeAsync: true,
  },
  {
    name: 'native.NativeDb.ops', weight: 9, async: true,
    make: (g, a) => {
      const op = g.pick(DB_OPS);
      const args = [a(scopeArg(g)), a(tenantChoice(g)), a(nativeModelArg(g)), a(strOr(g, dbPayload(g, op), 0.9))];
      if (g.chance(0.03)) args.length = g.int(4);
      return () => goodDb[op](...args);
    },
  },
  {
    name: 'native.NativeDb.iterationQuery', weight: 3,
    make: (g, a) => {
      const args = [a(scopeArg(g)), a(tenantChoice(g)), a(nativeModelArg(g)), a(strOr(g, dbPayload(g, 'iterationQuery'), 0.9))];
      return () => goodDb.iterationQuery(...args);
    },
  },
  {
    name: 'native.NativeDb.send', weight: 4, async: true,
    make: (g, a) => {
      const op = rawOp(g);
      let input;
      try {
        input = JSON.stringify(rawInput(g, op));
      } catch {
        input = '{}';
      }
      const args = [a(scopeArg(g)), a(tenantChoice(g)), a(strOr(g, op, 0.9)), a(g.chance(0.9) ? g.chance(0.5) : g.value()), a(strOr(g, input ?? 'null', 0.9))];
      return () => goodDb.send(...args);
    },
  },
  {
    name: 'native.NativeDb.tableLevel', weight: 1, async: true,
    make: (g, a) => {
      const which = g.int(3);
      if (which === 0) {
        const sk = a(g.weighted([[2, undefined], [1, JSON.stringify({ _pk: `[${TENANT_A}]#x`, _sk: 'x' })], [2, g.jsonish()], [1, g.value()]]));
        const limit = a(g.pick([undefined, null, 1, 5, 0, -1, 2 ** 31, NaN, 1.5, 'x', g.value()]));
        return () => goodDb.auditPage(sk, limit);
      }
      // Only on the handle of a table that does not exist.
      const extra = a(g.value());
      return which === 1 ? () => scratchDb.updateTable(extra) : () => scratchDb.deleteTable(extra);
    },
  },

  // ---- public JS API -----------------------------------------------------------------------
  {
    name: 'api.create', weight: 6, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const data = a(modelData(g, M));
      return () => TenantContext.runWithTenant(t, () => M.create(data));
    },
    model: true,
  },
  {
    name: 'api.find', weight: 4, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const id = a(primaryIdChoice(g, M));
      const opts = a(g.weighted([[4, undefined], [1, { batchDelay: g.pick([0, 5, -1, NaN]), bypassCache: g.value() }], [1, g.value()]]));
      return () => TenantContext.runWithTenant(t, () => M.find(id, opts));
    },
  },
  {
    name: 'api.update', weight: 5, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const id = a(primaryIdChoice(g, M));
      const changes = a(modelData(g, M));
      const opts = a(g.weighted([[3, undefined], [2, { condition: filterFor(g, M), forceReindex: g.pick([true, false, 'x']) }], [1, g.value()]]));
      return () => TenantContext.runWithTenant(t, () => M.update(id, changes, opts));
    },
  },
  {
    name: 'api.delete', weight: 3, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const id = a(primaryIdChoice(g, M));
      const opts = a(g.weighted([[3, undefined], [2, { condition: filterFor(g, M) }], [1, g.value()]]));
      return () => TenantContext.runWithTenant(t, () => M.delete(id, opts));
    },
  },
  {
    name: 'api.queryByIndex', weight: 5, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const names = Object.keys(M.indexes || {});
      const ix = a(g.weighted([[6, names.length ? g.pick(names) : 'nope'], [1, g.smallString()], [1, g.value()]]));
      const pk = a(g.weighted([[3, g.pick(['active', `${P}a`, `${MARKER} x`, 1, true])], [2, plausible(g, g.pick(FIELD_KINDS))], [1, g.value()]]));
      const sk = a(skConditionFor(g, M, ix));
      const opts = a(queryOptions(g, M));
      if (g.chance(0.2)) return () => TenantContext.runWithTenant(t, () => M.queryByPrimaryKey(pk, sk, opts));
      return () => TenantContext.runWithTenant(t, () => M.queryByIndex(ix, pk, sk, opts));
    },
  },
  {
    name: 'api.count', weight: 3, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const f = a(g.weighted([[2, undefined], [1, null], [2, { _searchText: { $contains: 'x' } }], [3, filterFor(g, M)]]));
      return () => TenantContext.runWithTenant(t, () => M.count(f));
    },
  },
  {
    name: 'api.batchFind', weight: 3, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const ids = a(g.weighted([[5, Array.from({ length: g.pick([1, 2, 5, 150]) }, () => primaryIdChoice(g, M))], [1, []], [2, g.value()]]));
      return () => TenantContext.runWithTenant(t, () => M.batchFind(ids));
    },
  },
  {
    name: 'api.findByUniqueConstraint', weight: 2, async: true,
    make: (g, a) => {
      const M = g.chance(0.8) ? FzAll : g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const name = a(g.weighted([[5, 'uniqueS2'], [1, g.smallString()], [1, g.value()]]));
      const value = a(g.weighted([[3, `${MARKER} s2`], [3, plausible(g, 'string')], [2, g.value()]]));
      return () => TenantContext.runWithTenant(t, () => M.findByUniqueConstraint(name, value));
    },
  },
  {
    name: 'api.search', weight: 3, async: true,
    make: (g, a) => {
      const M = g.chance(0.85) ? FzAll : g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const terms = a(g.weighted([[5, Array.from({ length: g.int(4) }, () => g.chance(0.7) ? g.pick(['user', MARKER, 'x', 'a b', '"q"']) : g.smallString())], [1, g.value()], [1, [g.value()]]]));
      const opts = a(searchOptions(g, M));
      if (g.chance(0.25)) {
        const b = a(g.pick([0, 1, 2, -1, 1.5, NaN, '0', g.value()]));
        return () => TenantContext.runWithTenant(t, () => M.searchBucket(b, terms, opts));
      }
      return () => TenantContext.runWithTenant(t, () => M.searchAll(terms, opts));
    },
  },
  {
    name: 'api.iterate', weight: 2, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const opts = a(g.weighted([[2, undefined], [2, { batchSize: g.pick([1, 5, 0, -1, 'x', NaN]), filter: g.chance(0.5) ? filterFor(g, M) : undefined }], [1, g.value()]]));
      const bucket = g.chance(0.3) ? a(g.pick([0, 1, -1, 5, NaN, '0', g.value()])) : undefined;
      return () => TenantContext.runWithTenant(t, async () => {
        const it = bucket === undefined ? M.iterateAll(opts) : M.iterateBucket(bucket, opts);
        try {
          return await it.next();
        } finally {
          await it.return();
        }
      });
    },
  },
  {
    name: 'api.batchContext', weight: 3, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      // Two delays per context, so finds share (or fight over) batches keyed by model and delay.
      const DELAYS = [0, 1, 5, -1, NaN, '1', null, undefined, 1n, 2 ** 31, { valueOf: () => 1 }, { toString: () => '1', valueOf: () => { throw ownThrow(); } }];
      const delays = [g.pick(DELAYS), g.pick(DELAYS)];
      const calls = Array.from({ length: 1 + g.int(4) }, () => ({
        id: primaryIdChoice(g, M),
        opts: g.weighted([[1, undefined], [5, { batchDelay: g.pick(delays), bypassCache: g.pick([true, false, undefined]) }], [1, g.value()]]),
      }));
      a(calls.map((c) => c.opts));
      a(calls.map((c) => c.id));
      return () =>
        TenantContext.runWithTenant(t, () =>
          runWithBatchContext(async () => {
            // One after the other: a later find must not depend on how an earlier one failed.
            const out = [];
            for (const c of calls) {
              try {
                out.push(await M.find(c.id, c.opts));
              } catch (e) {
                out.push(e);
              }
            }
            const firstError = out.find((o) => o instanceof Error || isOwnThrown(o));
            if (firstError !== undefined) throw firstError;
            return out;
          }),
        );
    },
  },
  {
    name: 'api.keys', weight: 3,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      if (g.chance(0.5)) {
        const data = a(g.chance(0.7) ? modelData(g, M) : g.value());
        return () => M.getPrimaryId(data);
      }
      const x = a(g.chance(0.7) ? g.string() : g.value());
      const y = a(g.chance(0.7) ? g.string() : g.value());
      return () => M.makePrimaryId(x, y);
    },
  },
  {
    name: 'api.instance', weight: 3, async: true,
    make: (g, a) => {
      const M = g.pick(MODEL_LIST);
      const t = a(tenantChoice(g));
      const data = a(modelData(g, M));
      const what = g.int(5);
      const arg = a(g.value());
      return () => TenantContext.runWithTenant(t, async () => {
        const inst = new M(data);
        if (what === 0) return inst.save(g.chance(0.5) ? arg : undefined);
        if (what === 1) return inst.delete(arg);
        if (what === 2) return inst.getOrLoadRelatedField(g.chance(0.5) ? 'rel' : arg);
        if (what === 3) return inst.loadRelatedData(arg);
        return [inst.getPrimaryId(), inst.hasChanges(), inst.getNumericConsumedCapacity(arg)];
      });
    },
  },
  {
    name: 'api.fields', weight: 6,
    make: (g, a) => {
      const factories = Object.entries(fields).filter(([n]) => !n.endsWith('Class'));
      const [fname, factory] = g.pick(factories);
      const opts = a(g.weighted([
        [3, undefined],
        [2, {
          required: g.chance(0.5),
          defaultValue: g.value(),
          precision: g.pick([undefined, 2, -1, 200, NaN]),
          autoAssign: g.value(),
          maxMemberCount: g.pick([undefined, 1, -1]),
          maxStringLength: g.pick([undefined, 3, NaN]),
        }],
        [1, g.value()],
      ]));
      const method = g.pick(['validate', 'toDy', 'fromDy', 'toGsi', 'getInitialValue', 'updateBeforeSave', 'fromGsi']);
      const v = a(g.chance(0.5) ? plausible(g, g.pick(FIELD_KINDS)) : g.value());
      return () => {
        const field = fname === 'RelatedField' ? factory(g.chance(0.8) ? 'FzUser' : g.value(), opts) : factory(opts);
        return field[method](v);
      };
    },
  },
  {
    name: 'api.FilterExpressionBuilder', weight: 5,
    make: (g, a, ctx) => {
      const M = a(g.weighted([[6, g.pick(MODEL_LIST)], [1, { fields: g.value(), searchConfig: g.value() }], [1, g.value()]]));
      // Not a model class: any error is fair (build's second argument is documented as one).
      ctx.lenient = !MODEL_LIST.includes(M);
      const filter = a(g.chance(0.9) ? filterFor(g, MODEL_LIST.includes(M) ? M : FzAll) : g.value());
      return () => new FilterExpressionBuilder().build(filter, M);
    },
  },
  {
    name: 'api.searchText', weight: 6,
    make: (g, a) => {
      const which = g.int(10);
      const v = () => a(g.value());
      const cfg = () => a(g.weighted([[3, { fields: ['s', 's2'], caseSensitive: g.chance(0.5), minTermLength: g.pick([1, 2, 0, -1, 1.5, 'x']), dedupe: g.chance(0.5) }], [1, g.value()]]));
      switch (which) {
        case 0: { const x = a(g.chance(0.5) ? { s: g.string(), s2: g.value() } : g.value()); const c = cfg(); return () => searchText.buildSearchText(x, c); }
        case 1: { const x = a(g.chance(0.7) ? g.string() : g.value()); const c = cfg(); return () => searchText.normalizeSearchTerm(x, c); }
        case 2: { const x = a(g.chance(0.7) ? g.string() : g.value()); return () => searchText.tokenizeSearchQuery(x); }
        case 3: {
          const x = a(g.chance(0.6)
            ? {
              searchConfig: g.chance(0.8) ? { fields: ['s'] } : g.value(),
              dyUpdatesToSave: g.value(),
              currentItem: g.chance(0.5) ? { _dyData: g.value() } : g.value(),
              isNew: g.value(),
              forceReindex: g.value(),
            }
            : g.value());
          return () => searchText.computeSearchTextUpdate(x);
        }
        case 4: { const terms = a(g.chance(0.7) ? [g.string(), g.smallString()] : g.value()); const c = cfg(); const o = v(); return () => searchText.buildSearchPredicate(terms, c, o); }
        case 5: { const x = v(); return () => searchText.validateLimit(x); }
        case 6: { const terms = a(g.chance(0.7) ? [g.string()] : g.value()); const op = v(); const c = cfg(); return () => searchText.predicateHash(terms, op, c); }
        case 7: { const x = a(g.chance(0.5) ? { bucketCursors: g.value(), predicateHash: g.value(), modelPrefix: g.value(), scope: g.value(), tenantId: g.value(), pendingItemKeys: g.value() } : g.value()); return () => searchText.encodeCursor(x); }
        case 8: { const x = a(g.weighted([[2, craftedCursor(g)], [2, g.string()], [1, g.value()]])); return () => searchText.decodeCursor(x); }
        default: {
          const src = a(g.pick([[[1, 2], [3]], [], g.value()]));
          const limit = a(g.pick([1, 2, Infinity, 0, -1, NaN, 'x', g.value()]));
          return async () => {
            const out = [];
            for await (const b of searchText.applyLimit((async function* gen() { yield* (Array.isArray(src) ? src : [src]); })(), limit)) out.push(b);
            return out;
          };
        }
      }
    },
    maybeAsync: true,
  },
  {
    name: 'api.marshall', weight: 4,
    make: (g, a) => {
      const x = a(g.chance(0.6) ? { a: g.value(), b: g.jsonValue(), c: plausible(g, g.pick(FIELD_KINDS)) } : g.value());
      if (g.chance(0.5)) return () => ddbClient.marshall(x);
      const y = a(g.chance(0.6) ? { a: g.pick([{ S: 'x' }, { N: g.pick(['1', 'x', '1e400']) }, { B: g.pick(['AAE=', '!!', 5]) }, { M: g.value() }, { L: g.value() }, { SS: g.value() }, { NULL: g.value() }, g.value()]) } : g.value());
      return () => ddbClient.unmarshall(y);
    },
  },
  {
    name: 'api.documentClient', weight: 5, async: true,
    make: (g, a) => {
      const names = ['GetCommand', 'QueryCommand', 'UpdateCommand', 'DeleteCommand', 'BatchGetCommand', 'TransactWriteCommand',
        'DescribeTableCommand', 'ListTablesCommand', 'DescribeTimeToLiveCommand', 'UpdateTimeToLiveCommand', 'CreateTableCommand', 'UpdateTableCommand'];
      const cname = g.pick(names);
      const op = {
        GetCommand: 'GetItem', QueryCommand: 'Query', UpdateCommand: 'UpdateItem', DeleteCommand: 'DeleteItem',
        BatchGetCommand: 'BatchGetItem', TransactWriteCommand: 'TransactWriteItems', UpdateTimeToLiveCommand: 'UpdateTimeToLive',
      }[cname] || 'DescribeTable';
      let input = rawInput(g, op);
      if (cname === 'UpdateTimeToLiveCommand' || cname === 'CreateTableCommand' || cname === 'UpdateTableCommand') {
        input = { ...(input && typeof input === 'object' ? input : {}), TableName: `fz-${MARKER}-missing` };
      } else if (g.chance(0.15)) {
        input = g.value();
      }
      a(cname);
      a(input);
      const t = a(tenantChoice(g));
      const M = g.pick(MODEL_LIST);
      const wire = g.chance(0.3);
      const which = g.int(10);
      return () => TenantContext.runWithTenant(t, () => {
        if (which === 0) {
          // A command-shaped object that is not one of the classes.
          const Odd = class extends ddbClient.GetCommand {};
          Object.defineProperty(Odd, 'name', { value: g.pick(['PutItemCommand', 'ScanCommand', 'Command', '', 'DeleteTableCommand']) });
          return M.documentClient.send(new Odd(input));
        }
        if (which === 1) return M.documentClient.send(g.value());
        const cmd = new ddbClient[cname](input);
        if (wire) {
          const client = new ddbClient.DynamoDBClient({ region: REGION, endpoint: ENDPOINT });
          return client.send(cmd);
        }
        return M.documentClient.send(cmd);
      });
    },
  },
  {
    name: 'api.clients', weight: 1,
    make: (g, a) => {
      const cfg = a(g.weighted([[2, { region: g.pick(['', 'us-east-1', 5, null]), endpoint: g.pick([undefined, 'not a url', 5, g.smallString()]), credentials: g.value() }], [2, g.value()]]));
      if (g.chance(0.5)) return () => new ddbClient.DynamoDBClient(cfg);
      return () => ddbClient.DynamoDBDocumentClient.from(cfg, g.value());
    },
  },

  // ---- global state: run alone, state restored afterwards -------------------------------------
  {
    name: 'api.TenantContext', weight: 3, exclusive: true, async: true,
    make: (g, a) => {
      const steps = [];
      for (let n = 1 + g.int(4); n > 0; n--) {
        const k = g.int(11);
        // Global state: only this run's tenant, hostile ones or non-strings (calls of other
        // targets may still be in flight and must not end up under a random valid tenant).
        const v = a(g.weighted([[2, TENANT_A], [2, g.pick(HOSTILE_TENANTS)], [3, nonString(g)]]));
        if (k === 0) steps.push(() => TenantContext.setCurrentTenant(v));
        else if (k === 1) {
          const kind = g.int(8); // 0-2: resolvers that re-enter TenantContext (0 recurses without end)
          let r;
          if (kind === 0) r = { reentrantGetCurrentTenant: () => TenantContext.getCurrentTenant() }.reentrantGetCurrentTenant;
          else if (kind === 1) r = { clearsResolversWhileResolving: () => { TenantContext.clearResolvers(); return TENANT_A; } }.clearsResolversWhileResolving;
          else if (kind === 2) r = { addsResolverWhileResolving: () => { TenantContext.addResolver(() => null); return null; } }.addsResolverWhileResolving;
          else if (kind === 3 || kind === 4) {
            const f = g.func(); // throws, is async, a class, a generator ...
            r = { wrapped: (...x) => { const out = f(...x); return typeof out === 'string' ? TENANT_A : out; } }.wrapped;
          } else r = v;
          a(r);
          steps.push(() => TenantContext.addResolver(r));
        } else if (k === 2) steps.push(() => TenantContext.getCurrentTenant());
        else if (k === 3) steps.push(() => TenantContext.getInstance(v));
        else if (k === 4) steps.push(() => TenantContext.validateTenantRequired(g.chance(0.5) ? { tenancy: { enabled: true } } : v));
        else if (k === 5) { const cb = a(g.chance(0.5) ? () => TenantContext.getCurrentTenant() : g.value()); steps.push(() => TenantContext.runWithTenant(v, cb)); }
        else if (k === 6) { const cb = a(g.chance(0.5) ? () => TenantContext.getCurrentTenant() : g.value()); steps.push(() => TenantContext.withTenant(v, cb)); }
        else if (k === 7) steps.push(() => TenantContext.clearTenant(v));
        else if (k === 8) steps.push(() => TenantContext.clearResolvers(v));
        else if (k === 9) {
          // A read through whatever the fallback and resolvers now say (writes would land under
          // a tenant of the generator's choosing, which is correct behaviour but not this run's).
          const id = primaryIdChoice(g, FzUser);
          steps.push(() => TenantContext.runWithTenant(null, () => FzUser.find(id)));
        } else steps.push(() => FzUser.manager);
      }
      return async () => {
        let last;
        for (const s of steps) {
          last = s();
          if (util.types.isPromise(last)) last = await last;
        }
        return describe(last);
      };
    },
    cleanup: () => {
      TenantContext.clearResolvers();
      TenantContext.clearTenant();
    },
  },
  {
    name: 'api.initModels', weight: 2, exclusive: true,
    make: (g, a) => {
      // Fresh throw-away classes (never the models under test: init rewires what it registers).
      const make = () => {
        const C = class extends BaoModel {};
        Object.defineProperty(C, 'name', { value: g.pick(['FzThrowaway', 'FzUser2', 'X', '', '__proto__', 'constructor']) });
        const statics = {
          modelPrefix: g.pick([`${P}t`, '', null, 5, 'a]#b', g.smallString()]),
          fields: g.weighted([[3, { id: fields.StringField({ required: true }), n: fields.IntegerField() }], [1, { id: fields.TtlField() }], [1, g.value()]]),
          primaryKey: g.weighted([[3, PrimaryKeyConfig('id')], [1, PrimaryKeyConfig('modelPrefix', 'id')], [1, g.value()]]),
          indexes: g.weighted([[3, {}], [1, { _bad: IndexConfig('id', 'n', 'gsi1') }], [1, { ok: IndexConfig('id', 'n', g.pick(['gsi1', 'gsi9', 5])) }], [1, g.value()]]),
          uniqueConstraints: g.weighted([[3, {}], [1, { u: UniqueConstraintConfig(g.pick(['id', 'nope']), g.pick(['_uc1', '_uc9'])) }], [1, g.value()]]),
          iterable: g.pick([undefined, true, false, 'yes']),
          iterationBuckets: g.pick([undefined, 1, 0, 1001, 1.5, NaN]),
          searchable: g.pick([undefined, true, false]),
          searchConfig: g.pick([undefined, null, { fields: ['id'] }, { fields: [] }, g.value()]),
        };
        for (const [k, v] of Object.entries(statics)) if (v !== undefined || g.chance(0.5)) Object.defineProperty(C, k, { value: v, writable: true, configurable: true });
        return C;
      };
      const config = g.weighted([
        [4, {
          aws: g.pick([{ region: REGION, endpoint: ENDPOINT }, { region: g.value() }, g.value(), undefined]),
          db: g.pick([{ tableName: g.pick([TABLE, `fz-${MARKER}-missing`, '', 5]) }, { tableName: TABLE, iterationIndexName: g.value() }, g.value()]),
          tenancy: g.pick([{ enabled: true }, { enabled: false }, { enabled: true, strict: true }, g.value()]),
          models: g.weighted([[4, { [g.pick(['FzThrowaway', 'X', '__proto__'])]: make() }], [1, { a: make(), b: make() }], [1, { x: BaoModel }], [1, { x: g.value() }], [1, g.value()], [1, []]]),
          testId: g.pick([undefined, g.smallString(), TENANT_A, 5]),
          tenantId: g.pick([undefined, g.smallString(), 5]),
          batchContext: g.pick([undefined, { requireBatchContext: true }, g.value()]),
          logging: g.pick([undefined, { level: g.value() }]),
        }],
        [1, g.value()],
        [1, undefined],
      ]);
      // Never let a random config scan or require files: models are always given, paths point nowhere.
      if (config && typeof config === 'object' && !util.types.isProxy(config)) {
        try {
          if (!config.models) config.models = { FzThrowaway: make() };
          config.paths = { modelsDir: `/nonexistent-${MARKER}`, generatedModelsManifest: undefined };
        } catch {
          // frozen or exotic: fine, it will not get far
        }
      }
      a(config);
      const tenant = a(g.weighted([[3, TENANT_A], [1, null], [1, g.pick(HOSTILE_TENANTS)], [1, g.value()]]));
      // Plain objects got safe paths above; anything else reaches no directory either (the merged
      // config then has no models and modelsDir null). Skip only what could not be made safe.
      const plain = config && typeof config === 'object' && !util.types.isProxy(config) && !Array.isArray(config);
      const safe = !plain || config.paths?.modelsDir === `/nonexistent-${MARKER}`;
      return () => (safe ? TenantContext.runWithTenant(tenant, () => initModels(config)) : null);
    },
    cleanup: () => {
      TenantContext.clearResolvers();
      TenantContext.clearTenant();
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Runner

function pickTarget(g) {
  return g.weighted(TARGETS.map((t) => [t.weight, t]));
}

function settleWithin(p, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ how: 'hang' }), ms);
    const done = (how, value) => {
      clearTimeout(timer);
      resolve({ how, value });
    };
    try {
      p.then((v) => done('resolved', v), (e) => done('rejected', e));
    } catch (e) {
      done('threw', e);
    }
  });
}

const inFlight = new Set();
/** Normal calls settle within a few tens of ms; older ones no longer hold up the run. */
const YOUNG_MS = 250;
const startedAt = new Map(); // tracked promise -> start time

/**
 * Waits until fewer than MAX_IN_FLIGHT calls younger than YOUNG_MS are in flight. Older ones are
 * probably hung: they wait for their HANG_MS apart, without holding up the run.
 */
async function slot() {
  for (;;) {
    const now = Date.now();
    const young = [...inFlight].filter((p) => now - startedAt.get(p) < YOUNG_MS);
    if (young.length < MAX_IN_FLIGHT) return;
    await Promise.race([...young, new Promise((r) => setTimeout(r, 50))]);
  }
}
/**
 * Waits for the calls in flight. With `youngOnly`, only for those started less than YOUNG_MS ago,
 * and no longer than that (older ones are probably hung; they are recorded when their HANG_MS run
 * out). Exclusive targets
 * only set tenant state that is this run's tenant, a hostile one or a non-string, so a call still
 * in flight cannot end up writing elsewhere.
 */
async function drain(youngOnly = false) {
  const since = Date.now();
  for (;;) {
    const now = Date.now();
    const waiting = [...inFlight].filter((p) => !youngOnly || now - startedAt.get(p) < YOUNG_MS);
    if (!waiting.length || (youngOnly && now - since > YOUNG_MS)) return;
    await Promise.race([...waiting, new Promise((r) => setTimeout(r, 50))]);
  }
}

/** Runs call i; resolves when it is recorded (sync calls) or queued (async calls). */
async function runOne(i) {
  const g = makeGen(seedFor(SEED, i), { marker: MARKER, fieldNames: FIELD_NAMES });
  const target = pickTarget(g);
  if (target.exclusive) await drain(true);
  else await slot();

  const args = [];
  const a = (v) => {
    args.push(describe(v));
    return v;
  };
  const ctx = { lenient: false };
  let thunk;
  try {
    thunk = target.make(g, a, ctx);
  } catch (e) {
    // The generator itself failed: a harness bug, reported but not blamed on the library.
    fail(i, target.name, args, 'harness-error', String(e && e.stack));
    return;
  }
  journal({ t: 'S', i, target: target.name, args, ts: Math.round(performance.now()) });
  if (VERBOSE) console.log(`#${i} start ${target.name}(${args.join(', ')})`);
  currentInFlight.set(i, { target: target.name, args });
  const finish = (how, value, ms) => {
    const o = record(i, target, args, how, value, ms, ctx);
    currentInFlight.delete(i);
    const d = Math.round(ms);
    journal(how === 'threw' || how === 'rejected' ? { t: 'E', i, o, d, m: errMessage(value).slice(0, 160) } : { t: 'E', i, o, d });
    if (VERBOSE) console.log(`#${i} -> ${how}${how === 'threw' || how === 'rejected' ? ` ${errKey(value)}: ${errMessage(value)}` : ''}`);
    if (target.cleanup) {
      try {
        target.cleanup();
      } catch (e) {
        fail(i, target.name, args, 'cleanup-failed', String(e && e.stack));
      }
    }
  };

  const t0 = performance.now();
  let result;
  let threw = false;
  try {
    result = thunk();
  } catch (e) {
    threw = true;
    result = e;
  }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) {
    fail(i, target.name, args, 'blocked-event-loop', `the call kept the event loop for ${Math.round(ms)} ms before it ${threw ? 'threw' : 'returned'}`);
  } else if (ms > BLOCK_MS) {
    journal({ t: 'R', kind: 'slow-call', key: `${target.name} kept the event loop for more than ${BLOCK_MS} ms`, target: target.name, example: { i, target: target.name, args, ms: Math.round(ms) } });
  }
  if (threw) {
    finish('threw', result, ms);
    return;
  }
  // (util.types.isPromise: `instanceof` would run the traps of a returned Proxy.)
  const awaitable = util.types.isPromise(result) && (target.async || target.maybeAsync);
  if (!awaitable) {
    finish('returned', result, ms);
    return;
  }
  const p = settleWithin(result, HANG_MS).then(({ how, value }) => finish(how, value, performance.now() - t0));
  if (target.exclusive) {
    await p;
    return;
  }
  const tracked = p.then(() => {
    inFlight.delete(tracked);
    startedAt.delete(tracked);
  });
  inFlight.add(tracked);
  startedAt.set(tracked, Date.now());
}

/** Outside any call: an exception or rejection nobody could catch (fatal in a real process). */
function stray(kind) {
  return (reason) => {
    if (isOwnThrown(reason)) {
      journal({ t: 'E', i: null, o: `${kind}:own-value` });
      return;
    }
    fail(
      [...currentInFlight.keys()],
      [...currentInFlight.values()].map((c) => c.target).join(' | ') || '(none in flight)',
      [...currentInFlight.values()].map((c) => c.args),
      kind,
      reason instanceof Error ? `${reason.name}: ${reason.message}\n${frames(reason, 6).join('\n')}` : describe(reason),
    );
  };
}

async function setup() {
  if (!TABLE || !ENDPOINT) throw new Error('the fuzz worker needs TABLE_NAME and AWS_ENDPOINT_URL_DYNAMODB (run it through `npm test`)');
  TenantContext.reset();
  TenantContext.setCurrentTenant(BOOT_TENANT);
  try {
    initModels({
      aws: { region: REGION },
      db: { tableName: TABLE, iterationIndexName: 'iter_search_index' },
      tenancy: { enabled: true },
      models: MODELS,
    });
  } finally {
    TenantContext.clearTenant();
  }
  goodDb = new NativeDb(JSON.stringify({ tableName: TABLE, region: REGION, tenancyEnabled: true }));
  scratchDb = new NativeDb(JSON.stringify({ tableName: `fz-${MARKER}-missing`, region: REGION, tenancyEnabled: true }));
  for (const s of NATIVE_SCHEMAS) nativeModels.push(new NativeModel(JSON.stringify(s)));

  // A few items to update, delete and find (unique per setup: a restarted worker sets up again).
  const run = Math.random().toString(36).slice(2, 8);
  await TenantContext.runWithTenant(TENANT_A, async () => {
    for (let n = 0; n < 6; n++) POOL.FzUser.push((await FzUser.create({ name: `${MARKER} user ${n}`, email: `${n}@x.test` })).userId);
    for (let n = 0; n < 4; n++) {
      const item = await FzAll.create({ s: `${MARKER} s${n}`, s2: `${MARKER} s2 ${run} ${n}`, i: n, f: n + 0.5, b: n % 2 === 0, dt: new Date(), rel: POOL.FzUser[0], ss: ['a', 'b'], bin: Buffer.from('hi'), ttl: new Date(Date.now() + 864e5) });
      POOL.FzAll.push(item.id);
    }
    for (let n = 0; n < 3; n++) {
      await FzComp.create({ a: `${MARKER}-c-${run}`, n, label: 'x' });
      POOL.FzComp.push(FzComp.getPrimaryId({ a: `${MARKER}-c-${run}`, n }));
      await FzPk.create({ k: `${MARKER}-k-${run}-${n}`, v: 'x' });
      POOL.FzPk.push(FzPk.getPrimaryId({ k: `${MARKER}-k-${run}-${n}` }));
    }
  });
  POOL.native = POOL.FzUser.slice(0, 3);
}

async function main() {
  process.on('uncaughtException', stray('uncaught-exception'));
  process.on('unhandledRejection', stray('unhandled-rejection'));
  const t0 = performance.now();
  await setup();
  const setupMs = performance.now() - t0;
  const indices = ONLY || Array.from({ length: Math.max(0, END - START) }, (_, k) => START + k);
  let ran = 0;
  let stoppedAt = null;
  for (const i of indices) {
    if (Date.now() > DEADLINE) {
      stoppedAt = i;
      break;
    }
    await runOne(i);
    ran++;
  }
  await drain();
  const polluted = Object.keys(Object.prototype).concat(Object.keys(Array.prototype));
  if (({}).polluted !== undefined || polluted.length) fail(null, '(global)', [], 'prototype-pollution', polluted.join(', '));
  journal({ t: 'D', seed: SEED, ran, stoppedAt, setupMs: Math.round(setupMs), fuzzMs: Math.round(performance.now() - t0 - setupMs) });
  if (progressFd != null) fs.closeSync(progressFd);
  process.stdout.write('\nFUZZ_DONE\n', () => process.exit(0));
}

main().catch((e) => {
  fail(null, '(setup)', [], 'setup-failed', String((e && e.stack) || e));
  process.stdout.write(`\nFUZZ_SETUP_FAILED ${JSON.stringify(String((e && e.stack) || e))}\n`, () => process.exit(3));
});
