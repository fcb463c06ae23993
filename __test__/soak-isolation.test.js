'use strict';
/**
 * Randomized tenant-isolation soak test.
 *
 * Many tenants run a random stream of mixed operations at the same time in one process:
 * creates (unique email, searchable title, borrowed ids that already exist in another
 * tenant), updates, deletes (static and instance), finds (plain and inside
 * runWithBatchContext, where several tenants find the same primary ids in one context),
 * batchFind, queryByIndex (sort-key conditions, small pages with startKey, countOnly),
 * iterateAll, count, findByUniqueConstraint (email values shared by every tenant), searchAll
 * (with cursor paging), writes aimed at other tenants' ids, and visits:
 * TenantContext.withTenant / runWithTenant of another tenant nested inside a tenant's flow
 * (sometimes nested back again, sometimes concurrently with the tenant's own next operation),
 * all interleaved with random awaits (microtasks, setImmediate, nextTick, timers).
 *
 * Every result is checked against a per-tenant in-memory model of what was written:
 * finds return exactly the expected item or not-found (another tenant's id is not found unless
 * this tenant owns the same id), queries / iteration / search / count return exactly the
 * tenant's matching set, unique lookups resolve to the tenant's own owner or not-found, the
 * current tenant is the expected one after every await and is restored after every nested
 * scope, and another tenant's query startKey / search cursor is refused. Any item returned
 * under tenant T whose `ten` field (the tenant that wrote it) is not T is a cross-tenant
 * result.
 *
 * Afterwards: a final iteration per tenant, a raw scan of every item this test wrote
 * (independent AWS SDK client) comparing the table with the model (data rows, field values and
 * unique-constraint items), and counting every `_pk`, `_gsiN_pk`, `_iter_pk` that does not
 * start with `[<its tenant>]#` (must be 0). Prints the seed first and one summary line last.
 *
 *   short mode (npm test):  20 tenants x 1,000 operations in total
 *   SOAK=1:                 100 tenants x 10,000 operations in total
 *   SOAK_SEED=<n>           replay a seed (each tenant's PRNG stream is derived from it; the
 *                           interleaving of concurrent tenants still depends on timing)
 *   SOAK_TENANTS / SOAK_OPS override the sizes.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  initModels,
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  TenantContext,
  fields,
  runWithBatchContext,
} = require('..');
const { config } = require('./helpers/models');
const { rawScanItems } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');

const { UlidField, StringField, IntegerField } = fields;

// ---- sizes and seed ----------------------------------------------------------------

const SOAK = process.env.SOAK === '1';
const posInt = (v) => (/^\d+$/.test(String(v || '')) && Number(v) > 0 ? Number(v) : null);
const TENANTS = Math.max(2, posInt(process.env.SOAK_TENANTS) || (SOAK ? 100 : 20)); // visits need another tenant
const OPS = posInt(process.env.SOAK_OPS) || (SOAK ? 10000 : 1000);
const SEED = process.env.SOAK_SEED != null && process.env.SOAK_SEED !== '' ? Number(process.env.SOAK_SEED) >>> 0 : crypto.randomInt(2 ** 31);
const MARK = uid('sk'); // unique per run: every tenant id (and pool email) of this run contains it
const EMAILS = 12; // e<k>@<MARK>.pool, the same values used by every tenant
const STATUSES = ['active', 'idle', 'banned'];
const STATES = ['draft', 'live'];
const WORDS = ['alpha', 'Bravo', 'CHARLIE', 'delta', 'echo', 'fox-trot', 'golf', 'hotel', 'India', 'juliet'];

// ---- models ------------------------------------------------------------------------

class SkUser extends BaoModel {
  static modelPrefix = 'sku';
  static iterable = true;
  static iterationBuckets = 2;
  static fields = {
    userId: UlidField({ autoAssign: true }),
    ten: StringField({ required: true }), // the tenant that wrote the row
    name: StringField(),
    email: StringField(),
    status: StringField({ required: true }),
    rank: IntegerField({ required: true }),
  };
  static primaryKey = PrimaryKeyConfig('userId');
  static indexes = { byStatus: IndexConfig('status', 'rank', 'gsi1') };
  static uniqueConstraints = { uniqueEmail: UniqueConstraintConfig('email', '_uc1') };
}

class SkDoc extends BaoModel {
  static modelPrefix = 'sk';
  static iterable = true;
  static iterationBuckets = 3;
  static searchable = true;
  static searchConfig = { fields: ['title'] };
  static fields = {
    docId: UlidField({ autoAssign: true }),
    ten: StringField({ required: true }),
    title: StringField(),
    state: StringField({ required: true }),
  };
  static primaryKey = PrimaryKeyConfig('docId');
  static indexes = { byState: IndexConfig('state', 'docId', 'gsi2') };
}

const KINDS = {
  users: { M: SkUser, prefix: 'sku', fields: ['ten', 'name', 'email', 'status', 'rank'] },
  docs: { M: SkDoc, prefix: 'sk', fields: ['ten', 'title', 'state'] },
};

before(() => {
  TenantContext.reset();
  TenantContext.setCurrentTenant('sk-boot');
  try {
    const base = config({ SkUser, SkDoc });
    initModels({ ...base, db: { ...base.db, iterationIndexName: 'iter_search_index' } });
  } finally {
    TenantContext.clearTenant();
  }
});

// ---- PRNG, awaits, locks --------------------------------------------------------------

function mulberry32(a) {
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (rng, n) => Math.floor(rng() * n);
const pick = (rng, arr) => arr[int(rng, arr.length)];
function weighted(rng, table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [k, w] of table) {
    if ((r -= w) < 0) return k;
  }
  return table[table.length - 1][0];
}

/** A random small await: a microtask, nextTick, setImmediate or a 0-3 ms timer. */
function jitter(rng) {
  const r = rng();
  if (r < 0.25) return Promise.resolve();
  if (r < 0.4) return new Promise((res) => process.nextTick(res));
  if (r < 0.65) return new Promise((res) => setImmediate(res));
  return new Promise((res) => setTimeout(res, int(rng, 4)));
}

/** FIFO mutex. A tenant's own operations hold its lock, so a visitor sees a stable state. */
class Mutex {
  constructor() {
    this.tail = Promise.resolve();
  }
  async run(fn) {
    const prev = this.tail;
    let release;
    this.tail = new Promise((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
/** Runs fn holding the locks of the given tenants, always acquired in index order (no deadlock). */
function withLocks(states, fn) {
  const sorted = [...new Set(states)].sort((a, b) => a.index - b.index);
  return sorted.reduceRight((inner, st) => () => st.lock.run(inner), fn)();
}

// ---- bookkeeping ----------------------------------------------------------------------

const stats = {
  ops: {}, // top-level operations by kind
  visitReads: {}, // what visits did inside the other tenant
  errors: {}, // unexpected errors by kind
  expectedRejections: {}, // rejections the model predicted (duplicate email, foreign writes, foreign cursors)
  checks: 0,
  failed: 0,
  crossTenant: 0,
  itemsChecked: 0,
  parallelPairs: 0,
};
const failures = [];
const bump = (map, k, n = 1) => (map[k] = (map[k] || 0) + n);
function fail(msg) {
  stats.failed++;
  if (failures.length < 60) failures.push(msg);
}
function check(cond, msg) {
  stats.checks++;
  if (!cond) fail(typeof msg === 'function' ? msg() : msg);
  return !!cond;
}
const norm = (v) => (v === undefined ? null : v);
const sortIds = (arr) => [...arr].sort();
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const short = (list) => (list.length > 6 ? `${list.slice(0, 6).join(',')},…(${list.length})` : list.join(','));

const states = []; // per tenant: { tenant, index, rng, lock, users, docs, deleted, emails }
const registry = { users: [], docs: [] }; // every id ever created: { tenant, id }
const owners = { users: new Map(), docs: new Map() }; // id -> Set of tenants that ever created it

function checkTenant(expected, where) {
  let cur;
  try {
    cur = TenantContext.getCurrentTenant();
  } catch (err) {
    cur = `<threw ${err.message}>`;
  }
  check(cur === expected, () => `tenant context ${where}: expected ${expected}, got ${cur}`);
}

/**
 * Checks one item returned to a read running as st.tenant. Counts a cross-tenant result when
 * the row was written by another tenant; otherwise the id must be live in st with the modelled values.
 */
function checkItem(st, kind, item, label) {
  stats.itemsChecked++;
  if (!check(item && typeof item.exists === 'function' && item.exists(), () => `${label}: not an existing item: ${item}`)) return;
  const id = item.getPrimaryId();
  if (item.ten !== st.tenant) {
    stats.crossTenant++;
    fail(`CROSS-TENANT ${label}: running as ${st.tenant}, got ${kind} ${id} written by ${item.ten}`);
    return;
  }
  check(item instanceof KINDS[kind].M, () => `${label}: ${id} is a ${item.constructor && item.constructor.name}, not ${KINDS[kind].M.name}`);
  const exp = st[kind].get(id);
  if (!check(exp, () => `${label}: ${kind} ${id} returned but not live in ${st.tenant}${st.deleted[kind].has(id) ? ' (deleted)' : ''}`)) return;
  for (const f of KINDS[kind].fields) {
    check(norm(item[f]) === norm(exp[f]), () => `${label}: ${kind} ${id}.${f} = ${JSON.stringify(item[f])}, expected ${JSON.stringify(exp[f])}`);
  }
}

/** A find-like result for `id` under st.tenant: the modelled item, or not found. */
function checkFound(st, kind, id, item, label) {
  const exp = st[kind].get(id);
  if (!check(item && typeof item.exists === 'function', () => `${label}: find(${id}) returned ${item}`)) return;
  if (item.exists()) {
    checkItem(st, kind, item, label);
    check(item.getPrimaryId() === id, () => `${label}: find(${id}) returned id ${item.getPrimaryId()}`);
    if (item.ten === st.tenant) check(exp, () => `${label}: ${kind} ${id} found but should not exist in ${st.tenant}`);
  } else {
    check(!exp, () => `${label}: own live ${kind} ${id} of ${st.tenant} not found`);
  }
}

/** Checks that a list holds exactly the expected ids (no duplicates), each item checked. */
function checkSet(st, kind, items, expectedIds, label) {
  for (const item of items) checkItem(st, kind, item, label);
  const got = sortIds(items.map((i) => (i && i.exists && i.exists() ? i.getPrimaryId() : String(i))));
  const want = sortIds(expectedIds);
  check(sameList(got, want), () => `${label}: got [${short(got)}], expected [${short(want)}]`);
}

/** An id for a find: own live, own deleted, another tenant's, or never used. */
function pickId(st, kind, rng) {
  const r = rng();
  const own = [...st[kind].keys()];
  const gone = [...st.deleted[kind]];
  if (r < 0.45 && own.length) return pick(rng, own);
  if (r < 0.6 && gone.length) return pick(rng, gone);
  if (r < 0.95) {
    const foreign = registry[kind].filter((e) => e.tenant !== st.tenant);
    if (foreign.length) return pick(rng, foreign).id;
  }
  return ulid();
}

function otherTenant(st, rng) {
  let o;
  do o = pick(rng, states);
  while (o === st);
  return o;
}

/** A tenant that holds one of st's live ids too (same primary id in two tenants), if any. */
function sharingTenant(st, rng) {
  const candidates = [];
  for (const kind of ['users', 'docs']) {
    for (const id of st[kind].keys()) {
      for (const t of owners[kind].get(id) || []) {
        const o = states.find((s) => s.tenant === t);
        if (o && o !== st && o[kind].has(id)) candidates.push(o);
      }
    }
  }
  return candidates.length ? pick(rng, candidates) : null;
}

/** The spec's _searchText recipe (§3.8). */
const fold = (s) =>
  String(s)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

async function expectRejection(kind, label, promiseFn, predicate, describe) {
  let value;
  try {
    value = await promiseFn();
  } catch (err) {
    if (check(predicate(err), () => `${label}: rejected with ${err && err.name} ${err && err.code}: ${err && err.message}; expected ${describe}`)) {
      bump(stats.expectedRejections, kind);
    }
    return { rejected: true, err };
  }
  fail(`${label}: resolved, expected a rejection (${describe})`);
  return { rejected: false, value };
}
const isCode = (code, re) => (err) => !!err && err.code === code && (!re || re.test(err.message));

// ---- read operations (run as st.tenant, checked against st's model) ----------------------

const reads = {
  async find(st, rng, label) {
    const kind = rng() < 0.5 ? 'users' : 'docs';
    if (rng() < 0.07) {
      // an id of the other model of the same tenant: different key prefix, not found
      const other = kind === 'users' ? 'docs' : 'users';
      const ids = [...st[other].keys()];
      if (ids.length) {
        const id = pick(rng, ids);
        const item = await KINDS[kind].M.find(id);
        checkFound(st, kind, id, item, `${label} wrong-model`);
        return;
      }
    }
    const id = pickId(st, kind, rng);
    const item = await KINDS[kind].M.find(id);
    checkFound(st, kind, id, item, label);
  },

  /**
   * Finds in one runWithBatchContext (several windows), optionally with a visitor tenant
   * finding in the same context (same primary ids where possible); then cache hits and batchFind.
   * The caller holds the locks of st and visitor.
   */
  async batch(st, rng, label, visitor = null) {
    await runWithBatchContext(async () => {
      const jobs = [];
      const n = 3 + int(rng, 8);
      for (let i = 0; i < n; i++) {
        const kind = rng() < 0.5 ? 'users' : 'docs';
        const id = pickId(st, kind, rng);
        const delay = rng() < 0.3 ? int(rng, 4) : null;
        jobs.push({
          st,
          kind,
          id,
          p: (async () => {
            if (delay !== null) await new Promise((r) => setTimeout(r, delay));
            return KINDS[kind].M.find(id);
          })(),
        });
      }
      if (visitor) {
        const vjobs = [];
        for (let i = 0; i < 2 + int(rng, 5); i++) {
          const kind = rng() < 0.5 ? 'users' : 'docs';
          // the visitor looks up st's own ids as well as its own (same ids in one context)
          const fromSt = [...st[kind].keys()];
          const id = rng() < 0.5 && fromSt.length ? pick(rng, fromSt) : pickId(visitor, kind, rng);
          vjobs.push({ st: visitor, kind, id });
        }
        const run = rng() < 0.5 ? TenantContext.withTenant : TenantContext.runWithTenant;
        const vp = run(visitor.tenant, () => {
          checkTenant(visitor.tenant, `${label} inside nested scope in batch context`);
          return Promise.all(vjobs.map((j) => KINDS[j.kind].M.find(j.id)));
        });
        vjobs.forEach((j, i) => jobs.push({ ...j, p: vp.then((r) => r[i]) }));
      }
      const results = await Promise.all(jobs.map((j) => j.p));
      checkTenant(st.tenant, `${label} after batched finds`);
      jobs.forEach((j, i) => checkFound(j.st, j.kind, j.id, results[i], `${label}${j.st === st ? '' : ' (visitor)'}`));

      // Later finds of a found id in this context return the cached object of the same tenant.
      const hit = jobs.findIndex((j, i) => j.st === st && results[i] && results[i].exists && results[i].exists());
      if (hit >= 0) {
        const again = await KINDS[jobs[hit].kind].M.find(jobs[hit].id);
        // The same id found in two windows (the second started while the first was in flight)
        // is fetched twice and the later object is cached, as in DynamoBao: accept any of them.
        const candidates = jobs.map((j, i) => (j.st === st && j.kind === jobs[hit].kind && j.id === jobs[hit].id ? results[i] : null)).filter(Boolean);
        check(candidates.includes(again), () => `${label}: second find of ${jobs[hit].id} in the context is not a cached object of this context (${candidates.length} earlier finds)`);
        checkFound(st, jobs[hit].kind, jobs[hit].id, again, `${label} cached`);
      }
      if (visitor) {
        const vhit = jobs.findIndex((j, i) => j.st === visitor && results[i] && results[i].exists && results[i].exists());
        if (vhit >= 0) {
          const again = await TenantContext.withTenant(visitor.tenant, () => KINDS[jobs[vhit].kind].M.find(jobs[vhit].id));
          checkFound(visitor, jobs[vhit].kind, jobs[vhit].id, again, `${label} cached (visitor)`);
        }
      }
      // batchFind: exactly the ids live in st (cached ones answered from the context).
      if (rng() < 0.5) {
        const kind = rng() < 0.5 ? 'users' : 'docs';
        const ids = [...new Set(Array.from({ length: 2 + int(rng, 6) }, () => pickId(st, kind, rng)))];
        const res = await KINDS[kind].M.batchFind(ids);
        const items = Object.values(res.items || {});
        checkSet(st, kind, items, ids.filter((id) => st[kind].has(id)), `${label} batchFind`);
        for (const [key, item] of Object.entries(res.items || {})) {
          check(item.getPrimaryId() === key, () => `${label} batchFind: key ${key} holds ${item.getPrimaryId()}`);
        }
      }
    });
    checkTenant(st.tenant, `${label} after runWithBatchContext`);
  },

  async query(st, rng, label) {
    let M, indexName, pkValue, skCond = null, want, kind;
    if (rng() < 0.65) {
      kind = 'users';
      M = SkUser;
      indexName = 'byStatus';
      pkValue = pick(rng, STATUSES);
      let test = () => true;
      const r = rng();
      if (r < 0.2) {
        const x = int(rng, 21);
        skCond = { rank: { $gte: x } };
        test = (u) => u.rank >= x;
      } else if (r < 0.35) {
        const a = int(rng, 21);
        const b = a + int(rng, 8);
        skCond = { rank: { $between: [a, b] } };
        test = (u) => u.rank >= a && u.rank <= b;
      } else if (r < 0.45) {
        const x = int(rng, 21);
        skCond = { rank: x };
        test = (u) => u.rank === x;
      }
      want = [...st.users].filter(([, u]) => u.status === pkValue && test(u)).map(([id]) => id);
    } else {
      kind = 'docs';
      M = SkDoc;
      indexName = 'byState';
      pkValue = pick(rng, STATES);
      want = [...st.docs].filter(([, d]) => d.state === pkValue).map(([id]) => id);
    }
    if (rng() < 0.15) {
      const res = await M.queryByIndex(indexName, pkValue, skCond, { countOnly: true });
      check(res.count === want.length, () => `${label} countOnly ${indexName}=${pkValue}: ${res.count}, expected ${want.length}`);
      return;
    }
    const limit = rng() < 0.35 ? 1 + int(rng, 3) : undefined;
    const direction = rng() < 0.3 ? 'DESC' : 'ASC';
    const items = [];
    let startKey;
    let pages = 0;
    let probed = false;
    do {
      const res = await M.queryByIndex(indexName, pkValue, skCond, { limit, direction, startKey });
      items.push(...res.items);
      startKey = res.lastEvaluatedKey;
      if (startKey && !probed && rng() < 0.6) {
        probed = true;
        // this tenant's cursor under another tenant is refused (no lock needed: nothing may come back)
        const other = otherTenant(st, rng);
        const r = await expectRejection(
          'foreignStartKey',
          `${label} startKey of ${st.tenant} under ${other.tenant}`,
          () => TenantContext.withTenant(other.tenant, () => M.queryByIndex(indexName, pkValue, skCond, { limit, direction, startKey })),
          (err) => err instanceof Error,
          'a refusal',
        );
        if (!r.rejected) for (const item of r.value.items) if (item.ten !== other.tenant) (stats.crossTenant++, fail(`CROSS-TENANT ${label}: foreign startKey returned ${item.getPrimaryId()} of ${item.ten}`));
        checkTenant(st.tenant, `${label} after foreign startKey`);
      }
      if (rng() < 0.3) await jitter(rng);
    } while (startKey && ++pages < 200);
    checkSet(st, kind, items, want, `${label} ${indexName}=${pkValue}${skCond ? ' ' + JSON.stringify(skCond) : ''}${limit ? ` limit ${limit}` : ''}`);
  },

  async unique(st, rng, label) {
    const mine = [...st.emails.keys()];
    const email = rng() < 0.5 && mine.length ? pick(rng, mine) : `e${int(rng, EMAILS)}@${MARK}.pool`;
    const res = await SkUser.findByUniqueConstraint('uniqueEmail', email);
    const ownerId = st.emails.get(email);
    if (ownerId) {
      checkFound(st, 'users', ownerId, res, `${label} email ${email}`);
      if (res && res.exists && res.exists()) check(res.email === email, () => `${label}: lookup of ${email} returned email ${res.email}`);
    } else if (res && res.exists && res.exists()) {
      checkItem(st, 'users', res, `${label} email ${email}`); // flags cross-tenant
      fail(`${label}: ${email} has no owner in ${st.tenant} but resolved to ${res.getPrimaryId()} (${res.ten})`);
    } else {
      check(res && res.exists && !res.exists(), () => `${label}: lookup of ${email} returned ${res}`);
    }
  },

  async search(st, rng, label) {
    const terms = [];
    for (let i = 0; i < 1 + (rng() < 0.35 ? 1 : 0); i++) {
      const w = pick(rng, WORDS);
      terms.push(rng() < 0.2 ? w.slice(0, 3) : w);
    }
    const operator = rng() < 0.5 ? '$and' : '$or';
    const ft = terms.map(fold);
    const want = [...st.docs]
      .filter(([, d]) => {
        const text = fold(d.title || '');
        return operator === '$and' ? ft.every((t) => text.includes(t)) : ft.some((t) => text.includes(t));
      })
      .map(([id]) => id);
    const what = `${label} ${JSON.stringify(terms)} ${operator}`;
    if (rng() < 0.35) {
      const limit = 1 + int(rng, 3);
      const items = [];
      let cursor = null;
      let calls = 0;
      let probed = false;
      do {
        const res = await SkDoc.searchAll(terms, { operator, limit, cursor, batchSize: 1 + int(rng, 5) });
        check(res.items.length <= limit, () => `${what}: ${res.items.length} items for limit ${limit}`);
        items.push(...res.items);
        cursor = res.cursor;
        if (cursor && !probed && rng() < 0.6) {
          probed = true;
          const other = otherTenant(st, rng);
          const r = await expectRejection(
            'foreignCursor',
            `${what} cursor under ${other.tenant}`,
            () => TenantContext.withTenant(other.tenant, () => SkDoc.searchAll(terms, { operator, limit, cursor })),
            (err) => err instanceof Error && /Cursor was generated under tenant/.test(err.message),
            'Cursor was generated under tenant …',
          );
          if (!r.rejected) for (const item of r.value.items) if (item.ten !== other.tenant) (stats.crossTenant++, fail(`CROSS-TENANT ${what}: foreign cursor returned ${item.getPrimaryId()} of ${item.ten}`));
          checkTenant(st.tenant, `${what} after foreign cursor`);
        }
      } while (cursor && ++calls < 200);
      checkSet(st, 'docs', items, want, `${what} paged by ${limit}`);
      return;
    }
    const res = await SkDoc.searchAll(terms, { operator });
    if (res.cursor) {
      for (const item of res.items) checkItem(st, 'docs', item, what);
      const got = res.items.map((i) => i.getPrimaryId());
      check(got.every((id) => want.includes(id)), () => `${what}: [${short(got)}] not a subset of [${short(want)}]`);
    } else {
      checkSet(st, 'docs', res.items, want, what);
    }
  },

  async iterate(st, rng, label) {
    const kind = rng() < 0.5 ? 'users' : 'docs';
    const batchSize = rng() < 0.5 ? 1 + int(rng, 4) : 100;
    const items = [];
    for await (const batch of KINDS[kind].M.iterateAll({ batchSize })) {
      check(Array.isArray(batch) && batch.length <= batchSize, () => `${label}: batch of ${batch && batch.length} > ${batchSize}`);
      items.push(...batch);
      if (rng() < 0.3) await jitter(rng);
    }
    checkSet(st, kind, items, [...st[kind].keys()], `${label} ${kind} batchSize ${batchSize}`);
  },

  async count(st, rng, label) {
    const kind = rng() < 0.5 ? 'users' : 'docs';
    const { count } = await KINDS[kind].M.count();
    check(count === st[kind].size, () => `${label} ${kind}: count ${count}, expected ${st[kind].size}`);
  },
};

// ---- write operations (own tenant only; the caller holds st's lock) ---------------------------

function newTitle(rng) {
  const n = 1 + int(rng, 3);
  const words = Array.from({ length: n }, () => pick(rng, WORDS));
  return words.join(rng() < 0.3 ? ', ' : ' ') + (rng() < 0.3 ? ` #${int(rng, 100)}!` : '');
}

/** An id live in another tenant and not live in st (to create "the same" id here), or null. */
function borrowId(st, kind, rng) {
  const foreign = registry[kind].filter((e) => e.tenant !== st.tenant && !st[kind].has(e.id));
  return foreign.length ? pick(rng, foreign).id : null;
}

function remember(st, kind, id, data) {
  st[kind].set(id, data);
  st.deleted[kind].delete(id);
  registry[kind].push({ tenant: st.tenant, id });
  if (!owners[kind].has(id)) owners[kind].set(id, new Set());
  owners[kind].get(id).add(st.tenant);
}

const writes = {
  async createUser(st, rng, label) {
    const data = {
      ten: st.tenant,
      name: `user ${int(rng, 1000)}`,
      status: pick(rng, STATUSES),
      rank: int(rng, 21),
    };
    if (rng() < 0.8) data.email = `e${int(rng, EMAILS)}@${MARK}.pool`;
    const borrowed = rng() < 0.12 ? borrowId(st, 'users', rng) : null;
    if (borrowed) data.userId = borrowed;
    if (data.email && st.emails.has(data.email)) {
      await expectRejection(
        'duplicateEmail',
        `${label} duplicate email ${data.email}`,
        () => SkUser.create({ ...data }),
        isCode('CONDITIONAL', /email must be unique/),
        'ConditionalError "email must be unique"',
      );
      return;
    }
    const item = await SkUser.create({ ...data });
    const id = item.getPrimaryId();
    if (borrowed) check(id === borrowed, () => `${label}: created with id ${borrowed}, got ${id}`);
    const exp = { ten: st.tenant, name: data.name, email: data.email ?? null, status: data.status, rank: data.rank };
    remember(st, 'users', id, exp);
    if (data.email) st.emails.set(data.email, id);
    checkItem(st, 'users', item, `${label}${borrowed ? ' (borrowed id)' : ''}`);
  },

  async createDoc(st, rng, label) {
    const data = { ten: st.tenant, title: newTitle(rng), state: pick(rng, STATES) };
    const borrowed = rng() < 0.12 ? borrowId(st, 'docs', rng) : null;
    if (borrowed) data.docId = borrowed;
    const item = await SkDoc.create({ ...data });
    const id = item.getPrimaryId();
    if (borrowed) check(id === borrowed, () => `${label}: created with id ${borrowed}, got ${id}`);
    remember(st, 'docs', id, { ten: st.tenant, title: data.title, state: data.state });
    checkItem(st, 'docs', item, `${label}${borrowed ? ' (borrowed id)' : ''}`);
  },

  async updateUser(st, rng, label) {
    const ids = [...st.users.keys()];
    if (!ids.length) return writes.createUser(st, rng, label);
    const id = pick(rng, ids);
    const cur = st.users.get(id);
    const upd = {};
    if (rng() < 0.5) upd.name = `renamed ${int(rng, 1000)}`;
    if (rng() < 0.5) upd.status = pick(rng, STATUSES);
    if (rng() < 0.4) upd.rank = int(rng, 21);
    if (rng() < 0.35) upd.email = rng() < 0.25 ? null : `e${int(rng, EMAILS)}@${MARK}.pool`;
    if (!Object.keys(upd).length) upd.name = `renamed ${int(rng, 1000)}`;
    const holder = upd.email ? st.emails.get(upd.email) : undefined;
    if (holder && holder !== id) {
      await expectRejection(
        'duplicateEmail',
        `${label} email ${upd.email} held by ${holder}`,
        () => SkUser.update(id, upd),
        isCode('CONDITIONAL', /email must be unique/),
        'ConditionalError "email must be unique"',
      );
      return;
    }
    const item = await SkUser.update(id, upd);
    const next = { ...cur, ...upd };
    if ('email' in upd) {
      if (cur.email && st.emails.get(cur.email) === id) st.emails.delete(cur.email);
      if (upd.email) st.emails.set(upd.email, id);
    }
    st.users.set(id, next);
    checkFound(st, 'users', id, item, `${label} ${JSON.stringify(upd)}`);
  },

  async updateDoc(st, rng, label) {
    const ids = [...st.docs.keys()];
    if (!ids.length) return writes.createDoc(st, rng, label);
    const id = pick(rng, ids);
    const upd = {};
    if (rng() < 0.6) upd.title = newTitle(rng);
    if (rng() < 0.5 || !upd.title) upd.state = pick(rng, STATES);
    const item = await SkDoc.update(id, upd);
    st.docs.set(id, { ...st.docs.get(id), ...upd });
    checkFound(st, 'docs', id, item, `${label} ${JSON.stringify(upd)}`);
  },

  async deleteUser(st, rng, label) {
    const ids = [...st.users.keys()];
    if (!ids.length) return;
    const id = pick(rng, ids);
    let deleted;
    if (rng() < 0.3) {
      const found = await SkUser.find(id);
      checkFound(st, 'users', id, found, `${label} find before instance delete`);
      deleted = await found.delete();
    } else {
      deleted = await SkUser.delete(id);
    }
    if (deleted && deleted.exists) checkFound(st, 'users', id, deleted, `${label} returned item`);
    const cur = st.users.get(id);
    if (cur.email && st.emails.get(cur.email) === id) st.emails.delete(cur.email);
    st.users.delete(id);
    st.deleted.users.add(id);
  },

  async deleteDoc(st, rng, label) {
    const ids = [...st.docs.keys()];
    if (!ids.length) return;
    const id = pick(rng, ids);
    const deleted = await SkDoc.delete(id);
    if (deleted && deleted.exists) checkFound(st, 'docs', id, deleted, `${label} returned item`);
    st.docs.delete(id);
    st.deleted.docs.add(id);
  },

  /** update / delete of an id that only another tenant has: ItemNotFoundError, nothing touched. */
  async foreignWrite(st, rng, label) {
    const kind = rng() < 0.5 ? 'users' : 'docs';
    const foreign = registry[kind].filter((e) => e.tenant !== st.tenant && !st[kind].has(e.id));
    if (!foreign.length) return;
    const { id, tenant } = pick(rng, foreign);
    const M = KINDS[kind].M;
    const op = rng() < 0.5 ? 'update' : 'delete';
    const r = await expectRejection(
      'foreignWrite',
      `${label} ${op} ${kind} ${id} of ${tenant}`,
      () => (op === 'update' ? M.update(id, kind === 'users' ? { name: 'hijacked' } : { title: 'hijacked' }) : M.delete(id)),
      isCode('ITEM_NOT_FOUND'),
      'ItemNotFoundError',
    );
    if (!r.rejected && r.value && r.value.ten !== st.tenant) {
      stats.crossTenant++;
      fail(`CROSS-TENANT ${label}: ${op} of ${id} under ${st.tenant} touched the row of ${r.value.ten}`);
    }
  },
};

// ---- visits ------------------------------------------------------------------------------

const VISIT_READS = [
  ['find', 4],
  ['batch', 2],
  ['query', 3],
  ['unique', 3],
  ['search', 2],
  ['count', 1],
  ['iterate', 1],
];

/**
 * Runs a read as another tenant B inside A's flow (withTenant or runWithTenant), checked
 * against B's model; probes A's ids under B; optionally nests back into A. The outer tenant
 * must be in effect again afterwards.
 */
async function visit(A, rng, label, { nestedBack }) {
  const B = otherTenant(A, rng);
  const readKind = weighted(rng, VISIT_READS);
  bump(stats.visitReads, readKind);
  await withLocks([B], async () => {
    const run = rng() < 0.5 ? TenantContext.withTenant : TenantContext.runWithTenant;
    await run(B.tenant, async () => {
      checkTenant(B.tenant, `${label} inside ${B.tenant}`);
      await jitter(rng);
      checkTenant(B.tenant, `${label} inside ${B.tenant} after an await`);
      await reads[readKind](B, rng, `${label}:${readKind} as ${B.tenant}`);
      checkTenant(B.tenant, `${label} inside ${B.tenant} after ${readKind}`);
      // A's ids are not B's (unless B created the same id)
      const kind = rng() < 0.5 ? 'users' : 'docs';
      const mine = [...A[kind].keys()];
      if (mine.length) {
        const id = pick(rng, mine);
        checkFound(B, kind, id, await KINDS[kind].M.find(id), `${label} probe of ${A.tenant}'s ${kind} as ${B.tenant}`);
      }
      if (nestedBack && rng() < 0.35 && A.users.size) {
        const id = pick(rng, [...A.users.keys()]);
        await TenantContext.runWithTenant(A.tenant, async () => {
          checkTenant(A.tenant, `${label} nested back into ${A.tenant}`);
          await jitter(rng);
          checkFound(A, 'users', id, await SkUser.find(id), `${label} nested back into ${A.tenant}`);
        });
        checkTenant(B.tenant, `${label} ${B.tenant} restored after nesting back`);
      }
    });
  });
  checkTenant(A.tenant, `${label} outer tenant restored after visiting ${B.tenant}`);
}

// ---- the per-tenant flow ------------------------------------------------------------------

const OWN_OPS = [
  ['createUser', 9],
  ['createDoc', 9],
  ['updateUser', 6],
  ['updateDoc', 5],
  ['deleteUser', 3],
  ['deleteDoc', 3],
  ['find', 11],
  ['batch', 7],
  ['query', 8],
  ['unique', 7],
  ['search', 7],
  ['iterate', 2],
  ['count', 2],
  ['foreignWrite', 3],
];
const FLOW_OPS = [...OWN_OPS, ['visit', 8], ['parallel', 4], ['batchWithVisitor', 3]];

async function ownOp(st, kind, rng, label) {
  if (writes[kind]) return withLocks([st], () => writes[kind](st, rng, label));
  return withLocks([st], () => reads[kind](st, rng, label));
}

/** Runs one operation of the flow, catching (and counting) unexpected errors. */
async function guarded(st, kind, fn) {
  bump(stats.ops, kind);
  try {
    await fn();
  } catch (err) {
    bump(stats.errors, kind);
    fail(`${kind} as ${st.tenant}: unexpected ${err && err.name} ${err && err.code}: ${err && err.message}`);
  }
}

async function flow(st, ops) {
  const rng = st.rng;
  await TenantContext.runWithTenant(st.tenant, async () => {
    let done = 0;
    while (done < ops) {
      await jitter(rng);
      checkTenant(st.tenant, `flow of ${st.tenant} after an await`);
      let kind;
      if (st.users.size === 0) kind = 'createUser';
      else if (st.docs.size === 0) kind = 'createDoc';
      else kind = weighted(st.kindRng, FLOW_OPS);
      if (kind === 'parallel' && ops - done < 2) kind = 'find';
      const label = `#${done} ${kind} as ${st.tenant}`;
      if (kind === 'visit') {
        await guarded(st, 'visit', () => visit(st, rng, label, { nestedBack: true }));
        done++;
      } else if (kind === 'batchWithVisitor') {
        const visitor = (rng() < 0.6 && sharingTenant(st, rng)) || otherTenant(st, rng);
        await guarded(st, 'batchWithVisitor', () => withLocks([st, visitor], () => reads.batch(st, rng, label, visitor)));
        done++;
      } else if (kind === 'parallel') {
        // the tenant's own next operation and a visit to another tenant, concurrently
        const own = weighted(st.kindRng, OWN_OPS);
        await Promise.all([
          guarded(st, own, () => ownOp(st, own, rng, `${label}:${own}`)),
          guarded(st, 'visit', () => visit(st, rng, `${label}:visit`, { nestedBack: false })),
        ]);
        stats.parallelPairs++; // each pair counts as its two operations
        done += 2;
      } else {
        await guarded(st, kind, () => ownOp(st, kind, rng, label));
        done++;
      }
      checkTenant(st.tenant, `flow of ${st.tenant} after ${kind}`);
    }
  });
}

// ---- the test ----------------------------------------------------------------------------

test(`soak: ${TENANTS} tenants x ${OPS} random operations stay isolated`, { timeout: SOAK ? 60 * 60e3 : 10 * 60e3 }, async () => {
  const t0 = Date.now();
  const header = `soak-isolation: mode=${SOAK ? 'full' : 'short'} seed=${SEED} (replay: SOAK_SEED=${SEED}) tenants=${TENANTS} operations=${OPS} run=${MARK}`;
  console.log(header);

  for (let i = 0; i < TENANTS; i++) {
    states.push({
      tenant: `${MARK}-${i}`, // "-1" is a string prefix of "-10": the [T]# prefix must keep them apart
      index: i,
      rng: mulberry32((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0), // details (ids, values, terms)
      kindRng: mulberry32((SEED ^ Math.imul(i + 1, 0x85ebca6b) ^ 0x5bd1e995) >>> 0), // operation kinds only
      lock: new Mutex(),
      users: new Map(),
      docs: new Map(),
      deleted: { users: new Set(), docs: new Set() },
      emails: new Map(), // email -> live userId holding it in this tenant
    });
  }
  const perTenant = states.map((_, i) => Math.floor(OPS / TENANTS) + (i < OPS % TENANTS ? 1 : 0));
  await Promise.all(states.map((st, i) => flow(st, perTenant[i])));
  const opsSeconds = (Date.now() - t0) / 1000;
  const pairs = stats.parallelPairs;
  const totalOps = Object.values(stats.ops).reduce((a, b) => a + b, 0);

  // Final state per tenant: iteration returns exactly what the model holds.
  await Promise.all(
    states.map((st) =>
      TenantContext.runWithTenant(st.tenant, async () => {
        for (const kind of ['users', 'docs']) {
          try {
            const items = [];
            for await (const batch of KINDS[kind].M.iterateAll()) items.push(...batch);
            checkSet(st, kind, items, [...st[kind].keys()], `final iterateAll ${kind} of ${st.tenant}`);
          } catch (err) {
            bump(stats.errors, 'final');
            fail(`final iterateAll ${kind} of ${st.tenant}: ${err && err.message}`);
          }
        }
      }),
    ),
  );

  // No tenant in scope: refused before any request.
  await expectRejection(
    'noTenant',
    'find outside any tenant',
    () => SkUser.find(registry.users[0].id),
    isCode('TENANT_REQUIRED'),
    'TenantRequiredError',
  );

  // ---- raw scan of everything this run wrote ----
  const knownIds = new Set([...registry.users, ...registry.docs].map((e) => e.id));
  const rows = await rawScanItems((it) => JSON.stringify(it).includes(MARK) || (it._sk === '_raft_uc' && knownIds.has(it.relatedId)));
  const byTenant = new Map(states.map((s) => [s.tenant, s]));
  const prefixOf = (pk) => {
    const m = /^\[([^\]]*)\]#/.exec(pk || '');
    return m ? m[1] : null;
  };
  let keysChecked = 0;
  let outside = 0;
  const outsideSamples = [];
  const seenData = new Set();
  const seenUc = new Set();
  const raw = { dataRows: 0, ucRows: 0, otherRows: 0 };
  for (const row of rows) {
    let its = null;
    if (row._sk === '_raft_uc') {
      raw.ucRows++;
      const m = /#_raft_uc#_uc1#sku#email:(.*)$/.exec(row._pk || '');
      const email = m ? m[1] : null;
      const claim = states.filter((s) => email && s.users.has(row.relatedId) && s.emails.get(email) === row.relatedId).map((s) => s.tenant);
      const pt = prefixOf(row._pk);
      its = claim.includes(pt) ? pt : claim[0] || row._gsi_test_id || null;
      check(claim.includes(pt), () => `raw: unique-constraint row ${row._pk} -> ${row.relatedId} is not a live email of tenant ${pt} (claimed by [${claim}])`);
      check(row.uniqueValue === row._pk, () => `raw: unique row ${row._pk} has uniqueValue ${row.uniqueValue}`);
      check(row.relatedModel === 'SkUser', () => `raw: unique row ${row._pk} relatedModel ${row.relatedModel}`);
      seenUc.add(`${pt}|${email}|${row.relatedId}`);
    } else if (row.ten !== undefined) {
      raw.dataRows++;
      its = row.ten;
      const kind = row._sk === 'sku' ? 'users' : row._sk === 'sk' ? 'docs' : null;
      const st = byTenant.get(row.ten);
      if (check(kind && st, () => `raw: unexpected row ${row._pk} / ${row._sk} (ten ${row.ten})`)) {
        const id = kind === 'users' ? row.userId : row.docId;
        check(row._pk === `[${row.ten}]#${KINDS[kind].prefix}#${id}`, () => `raw: ${kind} ${id} of ${row.ten} stored under _pk ${row._pk}`);
        const exp = st[kind].get(id);
        if (check(exp, () => `raw: ${kind} row ${id} of ${row.ten} exists but was deleted / never created there`)) {
          for (const f of KINDS[kind].fields) {
            check(norm(row[f]) === norm(exp[f]), () => `raw: ${kind} ${id} of ${row.ten}: ${f} = ${JSON.stringify(row[f])}, expected ${JSON.stringify(exp[f])}`);
          }
        }
        seenData.add(`${row.ten}|${kind}|${id}`);
      }
    } else {
      raw.otherRows++;
      fail(`raw: row of this run that is neither data nor unique constraint: ${JSON.stringify(row).slice(0, 300)}`);
    }
    for (const [attr, value] of Object.entries(row)) {
      if (attr === '_pk' || attr === '_iter_pk' || /^_gsi\d+_pk$/.test(attr)) {
        keysChecked++;
        if (!its || typeof value !== 'string' || !value.startsWith(`[${its}]#`)) {
          outside++;
          if (outsideSamples.length < 10) outsideSamples.push(`${attr}=${value} (tenant ${its})`);
        }
      }
    }
  }
  for (const st of states) {
    for (const kind of ['users', 'docs']) {
      for (const id of st[kind].keys()) check(seenData.has(`${st.tenant}|${kind}|${id}`), () => `raw: live ${kind} ${id} of ${st.tenant} missing from the table`);
    }
    for (const [email, id] of st.emails) check(seenUc.has(`${st.tenant}|${email}|${id}`), () => `raw: unique-constraint row for ${email} -> ${id} of ${st.tenant} missing`);
  }
  check(outside === 0, () => `raw: ${outside} partition keys outside their tenant's prefix: ${outsideSamples.join('; ')}`);

  const live = states.reduce((a, s) => a + s.users.size + s.docs.size, 0);
  const fmt = (o) => `{${Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`).join(',')}}`;
  const summary =
    `soak-isolation summary: mode=${SOAK ? 'full' : 'short'} seed=${SEED} tenants=${TENANTS} operations=${totalOps} ` +
    `ops=${fmt(stats.ops)} parallelPairs=${pairs} visitReads=${fmt(stats.visitReads)} ` +
    `errors=${fmt(stats.errors)} expectedRejections=${fmt(stats.expectedRejections)} ` +
    `crossTenantResults=${stats.crossTenant} itemsChecked=${stats.itemsChecked} checks=${stats.checks} failedChecks=${stats.failed} ` +
    `rawScan={rows:${rows.length},dataRows:${raw.dataRows},uniqueRows:${raw.ucRows},otherRows:${raw.otherRows},liveModelled:${live},keysChecked:${keysChecked},keysOutsidePrefix:${outside}} ` +
    `opsSeconds=${opsSeconds.toFixed(1)} totalSeconds=${((Date.now() - t0) / 1000).toFixed(1)}`;
  console.log(summary);
  if (failures.length) console.log(`soak-isolation failures (first ${failures.length} of ${stats.failed}):\n  ${failures.join('\n  ')}`);

  assert.equal(totalOps, OPS, 'every planned operation ran');
  assert.equal(stats.crossTenant, 0, 'zero cross-tenant results');
  assert.equal(outside, 0, `zero partition keys outside the tenant prefix (${outsideSamples.join('; ')})`);
  assert.ok(keysChecked > 0 && raw.dataRows > 0, 'the raw scan found the rows this test wrote');
  assert.deepEqual(failures, [], `${stats.failed} of ${stats.checks} checks failed (seed ${SEED})`);
  assert.equal(stats.failed, 0);
});
