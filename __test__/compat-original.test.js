'use strict';
/**
 * Two-way data compatibility with the original DynamoBao, on the test DynamoDB Local.
 *
 * The original is `dynamo-bao-original` (npm's newest, 0.4.2), or the source tree that
 * DYNAMO_BAO_ORIGINAL points at (e.g. a 0.6.0 checkout with `npm install` done). Both
 * packages are loaded in this one process: they are separate module graphs (their own
 * TenantContext, AsyncLocalStorage, ModelManager registry and model classes), so each
 * side's operations run inside its own `runWithTenant`, on model classes extending its own
 * BaoModel. The original ignores `aws.endpoint`; after its `initModels` we point its
 * client's `endpoint` property at DynamoDB Local.
 *
 * One corpus (every field type, composite and modelPrefix keys, all five GSIs, two unique
 * constraints, iterable models with 1 and 10 buckets, string sets, TTL, counters, versions;
 * with 0.6.0 also a searchable model) is written by a sequence of creates, updates and a
 * save, under a tenant (tenancy enabled) and without one (tenancy disabled):
 *
 *   A. the original writes; this package reads every item back (find, queryByIndex,
 *      iterateAll, findByUniqueConstraint) and must see what the original itself sees;
 *      the raw items are kept, then deleted;
 *   B. this package writes the same inputs (same ids, same tenant); the original reads
 *      everything back the same way;
 *   C. the raw items of A and B are byte-identical, ignoring creation/modification dates
 *      and version ULIDs. The one permitted difference is README "Differences" 1: under a
 *      tenant, a `modelPrefix` partition key is `[T]#<prefix>` here and `<prefix>` there,
 *      so neither package finds the other's rows of that model under a tenant.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { DynamoDBClient, BatchWriteItemCommand } = require('@aws-sdk/client-dynamodb');
const ours = require('..');
const { rawScan, TABLE_NAME } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');

const ORIGINAL_DIR = process.env.DYNAMO_BAO_ORIGINAL;
const original = ORIGINAL_DIR ? require(path.resolve(ORIGINAL_DIR, 'src', 'index.js')) : require('dynamo-bao-original');
const ORIGINAL_VERSION = ORIGINAL_DIR
  ? require(path.resolve(ORIGINAL_DIR, 'package.json')).version
  : require('dynamo-bao-original/package.json').version;
// 0.6.0 has search (and a configurable iteration index); 0.4.2 has neither.
const HAS_SEARCH = typeof original.BaoModel.searchAll === 'function';
const ITERATION_INDEX = HAS_SEARCH ? 'iter_search_index' : 'iter_index';

const ENDPOINT = process.env.AWS_ENDPOINT_URL_DYNAMODB;
const REGION = process.env.AWS_REGION || 'us-west-2';
const TENANT = uid('cmp');

const P = { owner: 'x7o', kitchen: 'x7k', comp: 'x7c', pfxPk: 'x7p', pfxSk: 'x7s', search: 'x7t' };
const PREFIXES = Object.values(P);
/** Written by the create/update clock or a fresh ULID on every save: equal only in type. */
const VOLATILE = new Set(['cd', 'md', 'ver']);

// ---- the models, declared once per package ------------------------------------------

function defineModels(pkg) {
  const { BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig, fields: F } = pkg;

  class Owner extends BaoModel {
    static modelPrefix = P.owner;
    static fields = { id: F.UlidField({ autoAssign: true }), name: F.StringField({ required: true }) };
    static primaryKey = PrimaryKeyConfig('id');
  }

  /** Every field type; all five GSIs; two unique constraints; 10 iteration buckets. */
  class Kitchen extends BaoModel {
    static modelPrefix = P.kitchen;
    static iterable = true;
    static iterationBuckets = 10;
    static fields = {
      id: F.UlidField({ autoAssign: true }),
      s: F.StringField(),
      email: F.StringField(),
      code: F.StringField(),
      i: F.IntegerField(),
      f: F.FloatField(),
      b: F.BooleanField(),
      dt: F.DateTimeField(),
      cd: F.CreateDateField(),
      md: F.ModifiedDateField(),
      owner: F.RelatedField('Owner'),
      cnt: F.CounterField(),
      bin: F.BinaryField(),
      ver: F.VersionField(),
      ttl: F.TtlField(),
      tags: F.StringSetField(),
      status: F.StringField({ defaultValue: 'new' }),
    };
    static primaryKey = PrimaryKeyConfig('id');
    static indexes = {
      byS: IndexConfig('s', 'dt', 'gsi1'),
      byI: IndexConfig('i', 'f', 'gsi2'),
      // Its sort key is no other index's key: the original backfills a modelPrefix index's
      // sort key on every update, and would then refuse an update that lacks dt (byS).
      byPrefix: IndexConfig('modelPrefix', 'status', 'gsi3'),
      byB: IndexConfig('b', 'i', 'gsi4'),
      byOwner: IndexConfig('owner', 'dt', 'gsi5'),
    };
    static uniqueConstraints = {
      uEmail: UniqueConstraintConfig('email', '_uc1'),
      uCode: UniqueConstraintConfig('code', '_uc2'),
    };
  }

  /** Composite key with an integer sort key; one iteration bucket. */
  class Comp extends BaoModel {
    static modelPrefix = P.comp;
    static iterable = true;
    static iterationBuckets = 1;
    static fields = {
      a: F.StringField({ required: true }),
      n: F.IntegerField({ required: true }),
      label: F.StringField(),
    };
    static primaryKey = PrimaryKeyConfig('a', 'n');
    static indexes = { byLabel: IndexConfig('label', 'n', 'gsi1') };
  }

  /** Partition key = modelPrefix (the documented tenant-scoping difference). */
  class PfxPk extends BaoModel {
    static modelPrefix = P.pfxPk;
    static fields = { k: F.StringField({ required: true }), v: F.StringField() };
    static primaryKey = PrimaryKeyConfig('modelPrefix', 'k');
  }

  /** Sort key = modelPrefix. */
  class PfxSk extends BaoModel {
    static modelPrefix = P.pfxSk;
    static fields = { id: F.StringField({ required: true }), v: F.IntegerField() };
    static primaryKey = PrimaryKeyConfig('id', 'modelPrefix');
  }

  const models = { Owner, Kitchen, Comp, PfxPk, PfxSk };
  if (HAS_SEARCH) {
    class Doc extends BaoModel {
      static modelPrefix = P.search;
      static iterable = true;
      static iterationBuckets = 1;
      static searchable = true;
      static searchConfig = { fields: ['title', 'body'] };
      static fields = { id: F.UlidField({ autoAssign: true }), title: F.StringField(), body: F.StringField() };
      static primaryKey = PrimaryKeyConfig('id');
    }
    models.Doc = Doc;
  }
  return models;
}

// ---- the two packages, each with a tenant scope and a no-tenant scope -----------------

function makeSide(pkg, label, isOriginal) {
  const TC = pkg.TenantContext;
  const init = (tenancy) => {
    const models = defineModels(pkg);
    const cfg = {
      aws: { region: REGION, endpoint: ENDPOINT },
      db: { tableName: TABLE_NAME, iterationIndexName: ITERATION_INDEX },
      logging: { level: 'ERROR' },
      tenancy: { enabled: tenancy },
      models,
    };
    // initModels needs a tenant in scope when tenancy is enabled (both packages).
    if (tenancy) TC.setCurrentTenant(TENANT);
    try {
      pkg.initModels(cfg);
    } finally {
      if (tenancy) TC.clearTenant();
    }
    if (isOriginal) {
      // The original builds its client from the region only; redirect it to DynamoDB Local.
      for (const M of Object.values(models)) {
        assert.ok(M.documentClient && M.documentClient.client, `${label}: no documentClient.client after initModels`);
        M.documentClient.client.endpoint = ENDPOINT;
      }
    }
    return models;
  };
  const tenantModels = init(true);
  const plainModels = init(false);
  return {
    label,
    scopes: {
      tenant: { models: tenantModels, run: (fn) => TC.runWithTenant(TENANT, fn) },
      plain: { models: plainModels, run: (fn) => fn() },
    },
  };
}

// ---- the corpus: inputs and the write sequence -----------------------------------------

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
/** Ids shared by both writers and both scopes (scopes never share a key: see PfxPk). */
const IDS = {
  owners: [ulid(), ulid()],
  kitchen: Array.from({ length: 12 }, () => ulid()),
  docs: [ulid(), ulid(), ulid()],
};

/** Fresh input objects each call (a package may keep or wrap what it is given). */
function corpus(scope) {
  const [O0, O1] = IDS.owners;
  const K = IDS.kitchen;
  const tag = scope === 'tenant' ? 't' : 'p';
  const kitchen = [
    {
      id: K[0], s: 'alpha', email: `a0.${tag}@x.io`, code: `C-0-${tag}`, i: 42, f: 3.14, b: true,
      dt: new Date(BASE), owner: O0, cnt: 5, bin: Buffer.from([0, 1, 2, 255]),
      // TTLs in the future: DynamoDB Local deletes expired items in the background.
      ttl: new Date(Date.UTC(2030, 0, 1)), tags: new Set(['red', 'blue']), status: 'open',
    },
    { id: K[1], s: 'alpha', email: `b1.${tag}@x.io`, i: -7, f: -0.5, b: false, dt: new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), owner: O0, tags: new Set(['solo']) },
    { id: K[2], s: 'beta', email: `c2.${tag}@x.io`, code: `C-2-${tag}`, i: 0, f: 0, b: true, dt: new Date(0), owner: O1 },
    { id: K[3], s: 'beta', i: 123456789, f: 1e21, b: false, dt: new Date(BASE + DAY), owner: O1, tags: new Set(['x', 'y', 'z']) },
    {
      id: K[4], s: 'gamma #1 ünïcode 😀 [x]', i: 2 ** 31, f: 0.1 + 0.2, b: true, dt: new Date(BASE + 2 * DAY), owner: O0,
      bin: Buffer.from('hello bao'), ttl: new Date(Date.UTC(2031, 5, 15, 12, 30, 45, 999)), tags: new Set(['ü', 'a#b', 'c d']),
    },
    // Only what the original accepts: it cannot create a row whose indexed Integer, Float
    // or Boolean field is missing (its GSI key would be an empty string; so can't we).
    { id: K[5], i: 5, f: 5.5, b: true },
    ...K.slice(6).map((id, j) => ({
      id, s: 'delta', i: j, f: j * 1.5, b: j % 2 === 0, dt: new Date(BASE + j * DAY), owner: IDS.owners[j % 2],
      ...(j % 3 === 0 ? { email: `e${j}.${tag}@x.io` } : {}),
    })),
  ];
  const comp = [
    { a: 'alpha', n: 7, label: 'seven' },
    { a: 'alpha', n: 0, label: 'zero' },
    { a: 'beta', n: 42, label: 'seven' },
    { a: 'beta', n: 123456, label: 'big' },
  ];
  return {
    owners: [
      { id: O0, name: 'Owner Zero' },
      { id: O1, name: 'Owner One' },
    ],
    kitchen,
    comp,
    pfxPk: ['k1', 'k2', 'k#3'].map((k, j) => ({ k: `${tag}-${k}`, v: `v${j}` })),
    pfxSk: ['s1', 's2'].map((id, j) => ({ id: `${tag}-${id}`, v: j * 10 })),
    docs: IDS.docs.map((id, j) => ({ id, title: `Doc ${j} Title!`, body: j === 2 ? null : `Body text, number ${j}.` })),
  };
}

/** The same creates, updates and save, in the same order, through either package. */
async function writeCorpus(side, scopeName) {
  const { models: M, run } = side.scopes[scopeName];
  const c = corpus(scopeName);
  const K = IDS.kitchen;
  // Each step names itself in an error, so a failure points at the input that caused it.
  const step = async (what, fn) => {
    try {
      return await fn();
    } catch (err) {
      err.message = `${side.label} [${scopeName}] ${what}: ${err.message}`;
      throw err;
    }
  };
  await run(async () => {
    for (const o of c.owners) await step(`Owner.create ${o.id}`, () => M.Owner.create(o));
    for (const [j, k] of c.kitchen.entries()) await step(`Kitchen.create #${j}`, () => M.Kitchen.create(k));
    for (const x of c.comp) await step(`Comp.create ${x.a}/${x.n}`, () => M.Comp.create(x));
    for (const x of c.pfxPk) await step(`PfxPk.create ${x.k}`, () => M.PfxPk.create(x));
    for (const x of c.pfxSk) await step(`PfxSk.create ${x.id}`, () => M.PfxSk.create(x));
    if (M.Doc) for (const d of c.docs) await step(`Doc.create ${d.id}`, () => M.Doc.create(d));

    await step('counter +5', () => M.Kitchen.update(K[0], { cnt: '+5' }));
    await step('counter -2', () => M.Kitchen.update(K[1], { cnt: '-2' }));
    await step('unique value moves', () => M.Kitchen.update(K[2], { email: `c2-new.${scopeName}@x.io` }));
    await step('string and set change', () => M.Kitchen.update(K[3], { s: 'epsilon', tags: new Set(['x']) }));
    await step('GSI keys move', () => M.Kitchen.update(K[4], { i: 99, f: 2.5, code: `C-4-${scopeName}` }));
    await step('fields added later', () => M.Kitchen.update(K[5], { s: 'beta', b: false, i: 5, f: 6.5, dt: new Date(BASE + 5 * DAY), owner: IDS.owners[1] }));
    await step('find and save', async () => {
      const k6 = await M.Kitchen.find(K[6]);
      k6.s = 'epsilon';
      k6.status = 'saved';
      await k6.save();
    });
    await step('composite update', () => M.Comp.update(M.Comp.getPrimaryId({ a: 'alpha', n: 7 }), { label: 'seven!' }));
    if (M.Doc) await step('search text update', () => M.Doc.update(IDS.docs[0], { body: 'Rewritten body' }));
  });
}

// ---- reading back: everything a reader sees, as plain comparable values ----------------

function plainValue(v) {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return { date: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() };
  if (v instanceof Set) return { set: [...v].sort() };
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('base64') };
  if (typeof v === 'object' && typeof v.getPrimaryId === 'function') return { related: v.getPrimaryId() };
  return v;
}

function plainObject(M, obj) {
  const out = {};
  // Both readers read the same stored item, so even dates and versions must agree.
  for (const name of Object.keys(M.fields)) out[name] = plainValue(obj[name]);
  return out;
}

const ids = (items) => items.map((o) => o.getPrimaryId()).sort();

/**
 * Reads the whole corpus of one scope through one package. The result is a flat map
 * `"<operation> <what>" -> value` so two readers can be compared entry by entry.
 */
async function readCorpus(side, scopeName, { skip = [] } = {}) {
  const { models: M, run } = side.scopes[scopeName];
  const c = corpus(scopeName);
  const seen = {};
  await run(async () => {
    const find = async (name, Model, primaryId) => {
      const obj = await Model.find(primaryId);
      seen[`find ${name} ${primaryId}`] = obj.exists() ? plainObject(Model, obj) : 'not found';
    };
    for (const o of c.owners) await find('Owner', M.Owner, o.id);
    for (const k of c.kitchen) await find('Kitchen', M.Kitchen, k.id);
    for (const x of c.comp) await find('Comp', M.Comp, M.Comp.getPrimaryId(x));
    if (!skip.includes('PfxPk')) for (const x of c.pfxPk) await find('PfxPk', M.PfxPk, M.PfxPk.getPrimaryId(x));
    for (const x of c.pfxSk) await find('PfxSk', M.PfxSk, M.PfxSk.getPrimaryId(x));
    if (M.Doc) for (const d of c.docs) await find('Doc', M.Doc, d.id);

    const query = async (Model, index, value, skCondition = null) => {
      const res = await Model.queryByIndex(index, value, skCondition);
      seen[`queryByIndex ${Model.name}.${index} ${JSON.stringify(plainValue(value))}${skCondition ? ' ' + JSON.stringify(skCondition) : ''}`] = {
        ids: res.items.map((o) => o.getPrimaryId()), // in the index's sort order
        count: res.count,
      };
    };
    for (const s of ['alpha', 'beta', 'delta', 'epsilon', 'gamma #1 ünïcode 😀 [x]']) await query(M.Kitchen, 'byS', s);
    await query(M.Kitchen, 'byS', 'delta', { dt: { $gte: new Date(BASE + 2 * DAY) } });
    for (const i of [-7, 0, 1, 2, 99, 123456789]) await query(M.Kitchen, 'byI', i);
    await query(M.Kitchen, 'byPrefix', P.kitchen);
    await query(M.Kitchen, 'byPrefix', P.kitchen, { status: { $beginsWith: 'sa' } });
    for (const b of [true, false]) await query(M.Kitchen, 'byB', b);
    await query(M.Kitchen, 'byB', true, { i: { $between: [0, 50] } });
    for (const o of IDS.owners) await query(M.Kitchen, 'byOwner', o);
    for (const label of ['seven', 'seven!', 'zero', 'big']) await query(M.Comp, 'byLabel', label);

    const uniques = [
      ...c.kitchen.filter((k) => k.email).map((k) => ['uEmail', k.email]),
      ['uEmail', `c2-new.${scopeName}@x.io`],
      ...c.kitchen.filter((k) => k.code).map((k) => ['uCode', k.code]),
      ['uCode', `C-4-${scopeName}`],
    ];
    for (const [constraint, value] of uniques) {
      const obj = await M.Kitchen.findByUniqueConstraint(constraint, value);
      seen[`findByUniqueConstraint ${constraint} ${value}`] = obj.exists() ? obj.getPrimaryId() : 'not found';
    }

    if (M.Doc) {
      for (const terms of [['body'], ['rewritten'], ['doc', 'title']]) {
        const res = await M.Doc.searchAll(terms, { limit: 100 });
        seen[`searchAll Doc ${JSON.stringify(terms)}`] = ids(res.items.filter((o) => IDS.docs.includes(o.getPrimaryId())));
      }
    }

    const ours = new Set([...c.kitchen.map((k) => k.id), ...c.comp.map((x) => M.Comp.getPrimaryId(x)), ...IDS.docs]);
    for (const Model of [M.Kitchen, M.Comp, ...(M.Doc ? [M.Doc] : [])]) {
      const got = [];
      for await (const batch of Model.iterateAll({ batchSize: 5 })) {
        for (const o of batch) if (ours.has(o.getPrimaryId())) got.push(o.getPrimaryId());
      }
      seen[`iterateAll ${Model.name}`] = got.sort();
    }
  });
  return seen;
}

/** The unique value that "unique value moves" released: its lookup must find nothing. */
const movedUnique = (scope) => `findByUniqueConstraint uEmail c2.${scope === 'tenant' ? 't' : 'p'}@x.io`;

/**
 * What the writer itself must see in its own data (so the readers' agreement is not about
 * empty results): every item found but the released unique value, every query and search
 * non-empty, and iteration yielding exactly the iterable rows.
 */
function assertComplete(seen, scope, who) {
  const missing = Object.entries(seen)
    .filter(([k, v]) => (v === 'not found' && k !== movedUnique(scope)) || (v && v.ids && v.ids.length === 0) || (Array.isArray(v) && v.length === 0))
    .map(([k]) => k);
  assert.deepEqual(missing, [], `${who} does not find its own rows (${scope})`);
  assert.equal(seen[movedUnique(scope)], 'not found', `${who}: a released unique value still resolves (${scope})`);
  assert.equal(seen['iterateAll Kitchen'].length, IDS.kitchen.length);
  assert.equal(seen['iterateAll Comp'].length, corpus(scope).comp.length);
  if (HAS_SEARCH) assert.equal(seen['iterateAll Doc'].length, IDS.docs.length);
}

/** Entries on which two readers disagree, as readable strings. */
function disagreements(a, b, labelA, labelB) {
  const out = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const va = JSON.stringify(a[key]);
    const vb = JSON.stringify(b[key]);
    if (va !== vb) out.push(`${key}\n    ${labelA}: ${va}\n    ${labelB}: ${vb}`);
  }
  return out;
}

// ---- raw items -------------------------------------------------------------------------

const ddb = new DynamoDBClient({ region: REGION, endpoint: ENDPOINT });
const ESC = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const OUR_KEY = new RegExp(`^(\\[${ESC(TENANT)}\\]#)?(_raft_uc#_uc\\d#)?(${PREFIXES.join('|')})(#|$)`);

/** Every item this file wrote (both scopes), in DynamoDB JSON. */
const corpusItems = () => rawScan((item) => OUR_KEY.test(item._pk.S));

async function deleteItems(items) {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((it) => ({ DeleteRequest: { Key: { _pk: it._pk, _sk: it._sk } } }));
    while (requests.length) {
      const res = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE_NAME]: requests } }));
      requests = (res.UnprocessedItems && res.UnprocessedItems[TABLE_NAME]) || [];
    }
  }
}

/**
 * An item as comparable text: attributes sorted, sets sorted, volatile attributes reduced to
 * their type. `pkRewrite` maps the original's shared `<prefix>` partition of a modelPrefix
 * key under a tenant onto this package's `[T]#<prefix>` (the documented difference).
 */
/**
 * A number as DynamoDB returns it: plain digits, no exponent, no leading or
 * trailing zeros. DynamoDB Local keeps the text an UpdateItem SET sent
 * ("1e+21", the original's creates) but normalizes a PutItem's (this
 * package's creates); DynamoDB itself normalizes both, so the stored numbers
 * are the same and only their text in DynamoDB Local differs.
 */
function dynamoNumber(text) {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  assert.ok(m, `not a DynamoDB number: ${text}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  const padded = point > digits.length ? digits.padEnd(point, '0') : point < 0 ? '0'.repeat(-point) + digits : digits;
  const at = Math.max(point, 0);
  const whole = padded.slice(0, at).replace(/^0+/, '') || '0';
  const fraction = padded.slice(at).replace(/0+$/, '');
  const plain = fraction ? `${whole}.${fraction}` : whole;
  return plain === '0' ? '0' : sign + plain;
}

function canonical(item, { pkRewrite = false } = {}) {
  const out = {};
  for (const name of Object.keys(item).sort()) {
    const [type, value] = Object.entries(item[name])[0];
    if (VOLATILE.has(name)) out[name] = type;
    else if (type === 'N') out[name] = { N: dynamoNumber(value) };
    else if (type === 'NS') out[name] = { NS: value.map(dynamoNumber).sort() };
    else if (type === 'SS' || type === 'BS') out[name] = { [type]: [...value].sort() };
    else out[name] = { [type]: value };
  }
  // Tenant-scope rows of PfxPk have sort keys "t-…" (see corpus()).
  if (pkRewrite && out._pk.S === P.pfxPk && out._sk.S.startsWith('t-')) {
    out._pk = { S: `[${TENANT}]#${P.pfxPk}` };
    out.rewritten = true;
  }
  return out;
}
const keyOf = (c) => `${c._pk.S} | ${c._sk.S}`;

// ---- the test --------------------------------------------------------------------------

let orig;
let mine;
const results = {};

before(async () => {
  if (!ENDPOINT || !TABLE_NAME) throw new Error('run with `npm test` (needs AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME)');
  orig = makeSide(original, `original ${ORIGINAL_VERSION}`, true);
  mine = makeSide(ours, 'dynamo-bao-native', false);
});

after(async () => {
  await deleteItems(await corpusItems());
  ddb.destroy();
});

/**
 * Both packages read the corpus `writer` wrote, under a tenant and without; the
 * writer's own reads must be complete and the reader's must agree with them.
 * @returns {Promise<{problems: string[], compared: Record<string, number>}>} the
 *   disagreements, and how many reads of each operation were compared
 */
async function compareReads(writer, reader) {
  const problems = [];
  const compared = {};
  for (const scope of ['tenant', 'plain']) {
    // Under a tenant, the original's modelPrefix-partition rows are outside the tenant
    // (README "Differences" 1): each test checks them separately.
    const skip = scope === 'tenant' ? ['PfxPk'] : [];
    const byWriter = await readCorpus(writer.pkg, scope, { skip });
    const byReader = await readCorpus(reader.pkg, scope, { skip });
    assertComplete(byWriter, scope, writer.label);
    problems.push(...disagreements(byWriter, byReader, writer.name, reader.name).map((d) => `[${scope}] ${d}`));
    for (const k of Object.keys(byWriter)) compared[k.split(' ')[0]] = (compared[k.split(' ')[0]] || 0) + 1;
  }
  return { problems, compared };
}

test(`original ${ORIGINAL_VERSION} writes, this package reads everything back`, async () => {
  await deleteItems(await corpusItems()); // a clean slate, whatever an earlier run left
  await writeCorpus(orig, 'tenant');
  await writeCorpus(orig, 'plain');

  const { problems, compared } = await compareReads(
    { pkg: orig, name: 'original', label: 'the original' },
    { pkg: mine, name: 'ours' },
  );
  assert.deepEqual(problems, [], `this package reads the original's data differently:\n${problems.join('\n')}`);

  await mine.scopes.tenant.run(async () => {
    for (const x of corpus('tenant').pfxPk) {
      const found = await mine.scopes.tenant.models.PfxPk.find(mine.scopes.tenant.models.PfxPk.getPrimaryId(x));
      assert.equal(found.exists(), false, 'a tenant read must not see the shared modelPrefix partition');
    }
  });

  const raw = await corpusItems();
  results.A = raw.map((item) => canonical(item, { pkRewrite: true }));
  // The permitted difference applies to exactly the tenant's PfxPk rows, nothing else.
  assert.equal(results.A.filter((c) => c.rewritten).length, corpus('tenant').pfxPk.length);
  for (const c of results.A) delete c.rewritten;
  results.readsA = compared;
  assert.ok(raw.length > 50, `corpus too small: ${raw.length} items`);
  await deleteItems(raw);
  assert.equal((await corpusItems()).length, 0);
});

test(`this package writes, original ${ORIGINAL_VERSION} reads everything back`, async () => {
  await deleteItems(await corpusItems());
  await writeCorpus(mine, 'tenant');
  await writeCorpus(mine, 'plain');

  const { problems, compared } = await compareReads(
    { pkg: mine, name: 'ours', label: 'this package' },
    { pkg: orig, name: 'original' },
  );
  assert.deepEqual(problems, [], `the original reads this package's data differently:\n${problems.join('\n')}`);

  await orig.scopes.tenant.run(async () => {
    for (const x of corpus('tenant').pfxPk) {
      const found = await orig.scopes.tenant.models.PfxPk.find(orig.scopes.tenant.models.PfxPk.getPrimaryId(x));
      assert.equal(found.exists(), false, "the original looks in the shared partition, not in the tenant's");
    }
  });

  results.B = (await corpusItems()).map((item) => canonical(item));
  results.readsB = compared;
});

test(`raw items written by original ${ORIGINAL_VERSION} and by this package are byte-identical (numbers as DynamoDB returns them)`, () => {
  assert.ok(results.A && results.B, 'both directions must have run');
  const a = new Map(results.A.map((c) => [keyOf(c), c]));
  const b = new Map(results.B.map((c) => [keyOf(c), c]));
  const problems = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(key)) problems.push(`only this package wrote ${key}: ${JSON.stringify(b.get(key))}`);
    else if (!b.has(key)) problems.push(`only the original wrote ${key}: ${JSON.stringify(a.get(key))}`);
    else {
      const [x, y] = [a.get(key), b.get(key)];
      for (const attr of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (JSON.stringify(x[attr]) !== JSON.stringify(y[attr])) {
          problems.push(`${key} ${attr}: original ${JSON.stringify(x[attr])}, ours ${JSON.stringify(y[attr])}`);
        }
      }
    }
  }
  assert.deepEqual(problems, [], `stored items differ:\n${problems.join('\n')}`);

  // The corpus really covers what it claims.
  const items = results.B;
  const has = (pred, what) => assert.ok(items.some(pred), `no stored item with ${what}`);
  for (let n = 1; n <= 5; n++) has((c) => c[`_gsi${n}_pk`], `_gsi${n}_pk`);
  has((c) => c._sk.S === '_raft_uc', 'a unique-constraint item');
  has((c) => c._iter_pk && /#iter#\d{3}$/.test(c._iter_pk.S), 'a bucketed iteration key');
  has((c) => c._iter_pk && /#iter$/.test(c._iter_pk.S), 'a single-bucket iteration key');
  has((c) => c.tags && c.tags.SS, 'a string set');
  has((c) => c.bin && c.bin.B, 'a binary value');
  has((c) => c.ttl && c.ttl.N, 'a TTL');
  has((c) => c.ver === 'S', 'a version');
  has((c) => c._pk.S.startsWith(`[${TENANT}]#`), 'a tenant key');
  has((c) => !c._pk.S.startsWith('['), 'a key without a tenant');
  if (HAS_SEARCH) has((c) => c._searchText, '_searchText');
  const tenantItems = items.filter((c) => c._pk.S.startsWith(`[${TENANT}]#`)).length;
  const kinds = (c) => Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(
    `compat with original ${ORIGINAL_VERSION}: ${items.length} stored items byte-identical ` +
      `(${tenantItems} under a tenant, ${items.length - tenantItems} without; ${corpus('tenant').pfxPk.length} with the documented modelPrefix key difference)\n` +
      `  this package reading the original's data: ${kinds(results.readsA)}\n` +
      `  the original reading this package's data: ${kinds(results.readsB)}`,
  );
});
