'use strict';
/**
 * Iteration, search and `_searchText` (spec §3.6, §3.8, §5.11, §5.12, §6.4), inside tenants.
 *
 * Proves: iterateAll over 10 buckets returns every item of the tenant exactly once (60 items,
 * spread over several buckets, none of another tenant's), in batches no larger than
 * batchSize, and the union of iterateBucket(0..9) is the same set; searchAll matches terms
 * with $and and $or, case-insensitively and with the same punctuation folding as the stored
 * text, only within the tenant; paging with limit + cursor (parallel and sequential) returns
 * every match exactly once; a cursor of tenant A is refused under tenant B, a cursor whose
 * tenantId was rewritten to B is refused too (its start keys are A's), and a cursor for other
 * terms is refused; `_searchText` for ~45 strings mixing scripts, combining marks,
 * emoji, numeric symbols, odd whitespace and punctuation equals what JavaScript itself computes
 * with the spec's recipe (§3.8) — both from `buildSearchText` and in the stored item (read with
 * an independent raw client; an empty result means the attribute is absent) — and an update
 * recomputes (or removes) it.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, BaoModel, PrimaryKeyConfig, TenantContext, fields } = require('..');
const { buildSearchText, encodeCursor, decodeCursor } = require('../lib/utils/search-text.js');
const { config } = require('./helpers/models');
const { rawGet, rawScanItems } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');
const { expectReject } = require('./helpers/expect');

const { UlidField, StringField } = fields;

class IsDoc extends BaoModel {
  static modelPrefix = 'is';
  static searchable = true;
  static searchConfig = { fields: ['title', 'body'] };
  static iterable = true;
  static iterationBuckets = 5;
  static fields = {
    id: UlidField({ autoAssign: true }),
    title: StringField(),
    body: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
}

class IsItem extends BaoModel {
  static modelPrefix = 'isi';
  static iterable = true;
  static iterationBuckets = 10;
  static fields = {
    id: UlidField({ autoAssign: true }),
    n: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
}

before(() => {
  TenantContext.reset();
  TenantContext.setCurrentTenant('is-boot');
  try {
    const base = config({ IsDoc, IsItem });
    initModels({ ...base, db: { ...base.db, iterationIndexName: 'iter_search_index' } });
  } finally {
    TenantContext.clearTenant();
  }
});

const inT = (tenant, fn) => TenantContext.runWithTenant(tenant, fn);

/** The spec's recipe (§3.8), computed by JavaScript itself. */
function expectedSearchText(...values) {
  return values
    .filter((v) => v !== null && v !== undefined)
    .join(' ')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

async function createMany(M, list, width = 20) {
  const out = [];
  for (let i = 0; i < list.length; i += width) {
    out.push(...(await Promise.all(list.slice(i, i + width).map((data) => M.create(data)))));
  }
  return out;
}

// ---- iteration ---------------------------------------------------------------

test('iterateAll over 10 buckets returns every item of the tenant exactly once', async () => {
  const T = uid('isit-');
  const U = uid('isitU-');
  const mine = await inT(T, () => createMany(IsItem, Array.from({ length: 60 }, (_, i) => ({ n: `item-${i}` }))));
  const theirs = await inT(U, () => createMany(IsItem, Array.from({ length: 5 }, (_, i) => ({ n: `other-${i}` }))));
  const want = mine.map((m) => m.getPrimaryId()).sort();

  const rows = await rawScanItems((item) => item._pk.startsWith(`[${T}]#isi#`));
  assert.equal(rows.length, 60);
  const buckets = new Set(rows.map((r) => r._iter_pk));
  for (const b of buckets) assert.match(b, new RegExp(`^\\[${T}\\]#isi#iter#00\\d$`));
  assert.ok(buckets.size >= 5, `items spread over several buckets (got ${buckets.size})`);

  await inT(T, async () => {
    const seen = [];
    let batches = 0;
    for await (const batch of IsItem.iterateAll({ batchSize: 7 })) {
      assert.ok(Array.isArray(batch));
      assert.ok(batch.length > 0 && batch.length <= 7, `batch size ${batch.length} within 1..7`);
      for (const item of batch) {
        assert.ok(item instanceof IsItem);
        assert.match(item.n, /^item-\d+$/, "only the tenant's own items");
        seen.push(item.getPrimaryId());
      }
      batches++;
    }
    assert.equal(seen.length, 60, 'no duplicates, nothing missing');
    assert.equal(new Set(seen).size, 60);
    assert.deepEqual([...seen].sort(), want);
    assert.ok(batches >= Math.ceil(60 / 7), `at least ceil(60/7) pages (got ${batches})`);

    const union = [];
    for (let b = 0; b < 10; b++) {
      for await (const batch of IsItem.iterateBucket(b, { batchSize: 100 })) union.push(...batch.map((i) => i.getPrimaryId()));
    }
    assert.equal(union.length, 60);
    assert.deepEqual([...union].sort(), want);
  });

  await inT(U, async () => {
    const seen = [];
    for await (const batch of IsItem.iterateAll()) seen.push(...batch.map((i) => i.getPrimaryId()));
    assert.deepEqual(seen.sort(), theirs.map((m) => m.getPrimaryId()).sort());
  });
});

// ---- searchAll ------------------------------------------------------------------

test('searchAll: $and / $or, case and punctuation folding, tenant scope', async () => {
  const T = uid('iss-');
  const U = uid('issU-');
  const docs = [];
  for (let i = 0; i < 12; i++) docs.push({ title: `Alice's plan #${i}`, body: 'quarterly review', tag: 'alice' });
  for (let i = 0; i < 8; i++) docs.push({ title: `Bob notes ${i}`, body: 'Weekly SYNC', tag: 'bob' });
  for (let i = 0; i < 5; i++) docs.push({ title: 'Alice & Bob', body: `joint-${i}`, tag: 'both' });
  for (let i = 0; i < 5; i++) docs.push({ title: 'Carol', body: `solo ${i}`, tag: 'carol' });
  const made = await inT(T, () => createMany(IsDoc, docs.map(({ title, body }) => ({ title, body }))));
  const idsBy = (pred) =>
    made
      .filter((_, i) => pred(docs[i].tag))
      .map((m) => m.getPrimaryId())
      .sort();
  const aliceIds = idsBy((t) => t === 'alice' || t === 'both');
  const bobIds = idsBy((t) => t === 'bob' || t === 'both');
  const bothIds = idsBy((t) => t === 'both');
  const eitherIds = idsBy((t) => t !== 'carol');
  // Another tenant with matching text must never show up.
  await inT(U, () => createMany(IsDoc, [{ title: 'Alice elsewhere' }, { title: 'Bob elsewhere' }]));

  const ids = (res) => res.items.map((i) => i.getPrimaryId()).sort();
  await inT(T, async () => {
    const alice = await IsDoc.searchAll(['alice']);
    assert.equal(alice.cursor, null, 'everything fits in one call');
    assert.deepEqual(ids(alice), aliceIds);
    for (const item of alice.items) assert.ok(item instanceof IsDoc);

    assert.deepEqual(ids(await IsDoc.searchAll(['ALICE'])), aliceIds, 'case-insensitive');
    assert.deepEqual(ids(await IsDoc.searchAll(['alice', 'bob'])), bothIds, '$and is the default');
    assert.deepEqual(ids(await IsDoc.searchAll(['alice', 'bob'], { operator: '$and' })), bothIds);
    assert.deepEqual(ids(await IsDoc.searchAll(['alice', 'bob'], { operator: '$or' })), eitherIds);
    assert.deepEqual(ids(await IsDoc.searchAll(['bob'])), bobIds);
    assert.deepEqual(ids(await IsDoc.searchAll(['weekly sync'])), idsBy((t) => t === 'bob'), 'a phrase term');
    assert.deepEqual(
      ids(await IsDoc.searchAll(["Alice's"])),
      idsBy((t) => t === 'alice'),
      "a term is folded like the stored text (\"Alice's\" -> \"alice s\")",
    );
    assert.deepEqual(ids(await IsDoc.searchAll(['joint-3'])), [made[docs.findIndex((d) => d.body === 'joint-3')].getPrimaryId()]);
    assert.deepEqual(ids(await IsDoc.searchAll(['nobody'])), []);
    await expectReject(() => IsDoc.searchAll(['!!!']), (e) => assert.match(e.message, /at least one non-empty term/));
  });
  await inT(U, async () => {
    const res = await IsDoc.searchAll(['alice']);
    assert.equal(res.items.length, 1);
    assert.equal(res.items[0].title, 'Alice elsewhere');
  });
});

test('searchAll paging with limit + cursor returns every match exactly once; cursors are tenant-scoped', async () => {
  const T = uid('isp-');
  const U = uid('ispU-');
  const made = await inT(T, () =>
    createMany(
      IsDoc,
      Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? { title: `other ${i}` } : { title: `Paged match ${i}`, body: 'x' })),
    ),
  );
  const want = made
    .filter((m) => m.title.startsWith('Paged'))
    .map((m) => m.getPrimaryId())
    .sort();
  assert.equal(want.length, 30);

  for (const [limit, opts] of [
    [4, {}],
    [7, { parallel: false }],
    [1, { batchSize: 3 }],
    [30, {}],
  ]) {
    const pages = await inT(T, async () => {
      const out = [];
      let cursor = null;
      let calls = 0;
      do {
        const res = await IsDoc.searchAll(['paged', 'match'], { ...opts, limit, cursor });
        assert.ok(res.items.length <= limit, `page of ${res.items.length} within limit ${limit}`);
        out.push(res.items.map((i) => i.getPrimaryId()));
        cursor = res.cursor;
        assert.ok(++calls <= 100, 'paging terminates');
      } while (cursor);
      return out;
    });
    const all = pages.flat();
    assert.equal(new Set(all).size, all.length, `limit ${limit}: no item twice`);
    assert.deepEqual([...all].sort(), want, `limit ${limit}: every match once`);
    if (limit < 30) assert.ok(pages.length > 1, `limit ${limit}: more than one page`);
  }

  // batchSize 2 leaves every bucket with a LastEvaluatedKey in the cursor.
  const first = await inT(T, () => IsDoc.searchAll(['paged'], { limit: 3, batchSize: 2 }));
  assert.equal(first.items.length, 3);
  assert.equal(typeof first.cursor, 'string');
  await inT(U, () =>
    expectReject(
      () => IsDoc.searchAll(['paged'], { limit: 3, batchSize: 2, cursor: first.cursor }),
      (e) => assert.match(e.message, /Cursor was generated under tenant/),
    ),
  );
  await inT(T, () =>
    expectReject(
      () => IsDoc.searchAll(['match'], { limit: 3, batchSize: 2, cursor: first.cursor }),
      (e) => assert.match(e.message, /Cursor was generated for a different query/),
    ),
  );
  // A cursor whose tenantId is rewritten still carries A's start keys: B must not get A's rows.
  const forged = decodeCursor(first.cursor);
  assert.ok(Object.keys(forged.bucketCursors).length > 0, 'the cursor carries start keys');
  assert.equal(forged.tenantId, T);
  forged.tenantId = U;
  await inT(U, async () => {
    await IsDoc.create({ title: 'paged in U' });
    const leaked = await IsDoc.searchAll(['paged'], { limit: 50, batchSize: 2, cursor: encodeCursor(forged) }).then(
      (res) => res.items.map((i) => i.title),
      () => [],
    );
    assert.deepEqual(leaked.filter((t) => !t.includes('in U')), [], "a forged cursor returns none of A's rows");
    await expectReject(() => IsDoc.searchAll(['paged'], { limit: 50, batchSize: 2, cursor: encodeCursor({ ...forged, pendingItemKeys: [] }) }));
  });
  // A cursor may not widen its scope or carry an unbounded list of ids to read.
  const own = decodeCursor(first.cursor);
  const outside = { ...own, bucketCursors: { ...own.bucketCursors, [Math.max(...own.scope) + 1]: {} } };
  await inT(T, () =>
    expectReject(
      () => IsDoc.searchAll(['paged'], { limit: 3, batchSize: 2, cursor: encodeCursor(outside) }),
      (e) => assert.match(e.message, /Invalid cursor: bucketCursors names a bucket outside scope/),
    ),
  );
  const huge = { ...own, pendingItemKeys: Array.from({ length: 20000 }, () => ulid()) };
  assert.throws(() => decodeCursor(encodeCursor(huge)), /Invalid cursor: longer than 262144 characters/);
  const next = await inT(T, () => IsDoc.searchAll(['paged'], { limit: 3, batchSize: 2, cursor: first.cursor }));
  assert.equal(next.items.length, 3, 'the cursor still works for its own tenant');
  const firstIds = new Set(first.items.map((i) => i.getPrimaryId()));
  for (const item of next.items) assert.ok(!firstIds.has(item.getPrimaryId()), 'the next page does not repeat');
});

// ---- _searchText ------------------------------------------------------------------

const CORPUS = [
  'Hello, World!',
  'Crème brûlée à la carte',
  'ÉCOLE Française — Œuvre',
  'Straße GROẞ',
  'ΟΔΟΣ',
  'ΟΔΟΣ.ΟΔΟΣ',
  "ΟΔΟΣ'Α ΑΣ Σ",
  'Привет, МИР! Ёлка',
  '東京タワー（とうきょう）',
  'مرحبا بالعالم؟',
  'مَرْحَبًا',
  'नमस्ते दुनिया',
  'स्वागत है।',
  'שָׁלוֹם',
  'สวัสดี ครับ',
  '한국어 텍스트',
  '😀 smile 👍🏽 ok',
  '👩‍💻 dev',
  '1️⃣ 2️⃣',
  'x² + y² = z²',
  '½ cup, ¾ tsp',
  'Chapter Ⅻ and ⅷ',
  '٣٤٥ and １２３ ＡＢＣ',
  '1,000.50 $100 €50',
  'no\u00A0break\u2003em\u3000ideographic\uFEFFbom\u0085nel',
  'tabs\tand\nnewlines\r\nhere\u2028ls\u2029ps',
  '\u3000\u00A0 padded \u2003text\uFEFF\u0085',
  'C++ & C# / .NET 8.0',
  'e-mail: USER@Example.COM',
  'snake_case_word',
  'a\u200Db\u200Cc',
  'co\u00ADoperate',
  'Cafe\u0301 e\u0301cole',
  'İstanbul ı I',
  'ǅungla',
  'K Å',
  'ﬁ ligature',
  'ᵃᵇ ª º',
  'Tokyo東京Москва123',
  "L'été «chaud» „quoted“ ‹x›",
  'a '.repeat(40),
  'MiXeD   CaSe\t\tWORDS',
  '!!! --- ...',
  '👍🏽',
];

const PAIRS = [
  ['Hello', 'World'],
  ['!!!', 'x'],
  ['end-', '-start'],
  ['ΟΔΟΣ', 'ΟΔΟΣ'],
  ['', 'body only'],
];

test('buildSearchText matches the spec recipe computed by JavaScript', () => {
  const failures = [];
  for (const s of CORPUS) {
    const want = expectedSearchText(s);
    const got = buildSearchText({ title: s }, { fields: ['title'] });
    if (got !== want) failures.push({ input: s, want, got });
  }
  for (const [title, body] of PAIRS) {
    const want = expectedSearchText(title, body);
    const got = buildSearchText({ title, body }, { fields: ['title', 'body'] });
    if (got !== want) failures.push({ input: [title, body], want, got });
  }
  assert.equal(buildSearchText({ body: 'Only Body' }, { fields: ['title', 'body'] }), 'only body', 'missing fields skipped');
  assert.deepEqual(failures, []);
});

test('the stored _searchText of a saved item matches the spec recipe', async () => {
  const T = uid('ist-');
  const inputs = [...CORPUS.map((s) => ({ title: s })), ...PAIRS.map(([title, body]) => (title ? { title, body } : { body }))];
  const made = await inT(T, () => createMany(IsDoc, inputs.map((x) => ({ ...x }))));
  const failures = [];
  for (let i = 0; i < inputs.length; i++) {
    const want = expectedSearchText(inputs[i].title, inputs[i].body);
    const raw = await rawGet(`[${T}]#is#${made[i].getPrimaryId()}`, 'is');
    assert.ok(raw, `item ${i} stored`);
    assert.equal(raw.title?.S, inputs[i].title, 'the field itself is stored verbatim');
    const got = raw._searchText === undefined ? undefined : raw._searchText.S;
    if (want === '') {
      if (got !== undefined) failures.push({ input: inputs[i], want: '(absent)', got });
    } else if (got !== want) {
      failures.push({ input: inputs[i], want, got });
    }
  }
  assert.deepEqual(failures, []);

  // Updates recompute the text, and remove it when nothing searchable is left.
  await inT(T, async () => {
    const doc = await IsDoc.create({ title: 'First Title', body: 'Body' });
    const key = `[${T}]#is#${doc.getPrimaryId()}`;
    assert.equal((await rawGet(key, 'is'))._searchText.S, 'first title body');
    await IsDoc.update(doc.getPrimaryId(), { title: 'ΟΔΟΣ.Νέα' });
    assert.equal((await rawGet(key, 'is'))._searchText.S, expectedSearchText('ΟΔΟΣ.Νέα', 'Body'));
    await IsDoc.update(doc.getPrimaryId(), { title: '!!!', body: null });
    assert.equal((await rawGet(key, 'is'))._searchText, undefined, 'removed when empty');
    const found = await IsDoc.searchAll(['νέα']);
    assert.ok(!found.items.some((i) => i.getPrimaryId() === doc.getPrimaryId()), 'no longer matches');
  });
});

test('searchAll finds non-Latin text through the same folding', async () => {
  const T = uid('isnl-');
  const made = await inT(T, () =>
    createMany(IsDoc, [{ title: 'ΟΔΟΣ.ΟΔΟΣ' }, { title: 'Привет, МИР!' }, { title: 'İstanbul' }, { title: 'x² y²' }]),
  );
  await inT(T, async () => {
    const one = async (term) => (await IsDoc.searchAll([term])).items.map((i) => i.getPrimaryId());
    assert.deepEqual(await one('οδος οδος'), [made[0].getPrimaryId()]);
    assert.deepEqual(await one('ΟΔΟΣ.ΟΔΟΣ'), [made[0].getPrimaryId()]);
    assert.deepEqual(await one('мир'), [made[1].getPrimaryId()]);
    assert.deepEqual(await one('İSTANBUL'), [made[2].getPrimaryId()]);
    assert.deepEqual(await one('y²'), [made[3].getPrimaryId()]);
  });
});
