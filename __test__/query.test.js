'use strict';
/**
 * Queries (spec §5.5, §5.8, §5.11) against real data.
 *
 * Proves: every sort-key operator ($gt, $gte, $lt, $lte, $beginsWith, $between and plain
 * equality) on an IntegerField sort key and on a DateTimeField sort key (Date, ISO-string and
 * epoch-ms operands all convert through the field, §3.5); DESC order; `limit` and the model's
 * `defaultQueryLimit`; pagination over several pages with a filter that drops items (pages
 * stop at `limit` *evaluated* items, so a page can be short while `lastEvaluatedKey`
 * continues), ascending and descending; a cursor of another partition or tenant is refused;
 * `countOnly` (shape, with filter, with a sort-key condition, capped by `limit`);
 * `returnWrapped: false` (raw stored items); queryByPrimaryKey and a primary-key alias index
 * on a composite-key model; iterateAll / iterateBucket / batchFind; and that bad input
 * (unknown index, sort-key condition on the wrong field, `$eq` and unknown sort-key operators,
 * malformed `$between`, undefined operands, unknown filter fields, invalid filter operators,
 * `$in` without an array) rejects with the spec's class and message before any request: the
 * same calls on a model wired to a table that does not exist still give those errors, while a
 * valid query on it fails with ResourceNotFoundException.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const {
  initModels,
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  TenantContext,
  fields,
  exceptions,
} = require('..');
const { initTenantModels, config } = require('./helpers/models');
const { uid, ulid } = require('./helpers/ids');
const { expectReject } = require('./helpers/expect');

const { UlidField, StringField, IntegerField, DateTimeField, FloatField } = fields;

const BASE = Date.UTC(2024, 0, 2, 3, 4, 5, 678); // 2024-01-02T03:04:05.678Z
const HOUR = 3600 * 1000;
const at = (n) => new Date(BASE + n * HOUR);

function eventFields() {
  return {
    id: UlidField({ autoAssign: true }),
    grp: StringField({ required: true }),
    n: IntegerField({ required: true }),
    at: DateTimeField({ required: true }),
    kind: StringField(),
  };
}

class QyEvent extends BaoModel {
  static modelPrefix = 'qy';
  static iterable = true;
  static iterationBuckets = 3;
  static defaultQueryLimit = 10;
  static fields = eventFields();
  static primaryKey = PrimaryKeyConfig('id');
  static indexes = {
    byN: IndexConfig('grp', 'n', 'gsi1'),
    byAt: IndexConfig('grp', 'at', 'gsi2'),
  };
}

class QyReading extends BaoModel {
  static modelPrefix = 'qc';
  static fields = {
    sensor: StringField({ required: true }),
    seq: IntegerField({ required: true }),
    value: FloatField(),
  };
  static primaryKey = PrimaryKeyConfig('sensor', 'seq');
  static indexes = { bySensor: this.primaryKey };
}

/** Same schema as QyEvent, wired to a table that does not exist. */
class QyBogus extends BaoModel {
  static modelPrefix = 'qz';
  static fields = eventFields();
  static primaryKey = PrimaryKeyConfig('id');
  static indexes = {
    byN: IndexConfig('grp', 'n', 'gsi1'),
    byAt: IndexConfig('grp', 'at', 'gsi2'),
  };
}

const T = uid('qy-');
const inT = (fn) => TenantContext.runWithTenant(T, fn);
const MAIN = 'g-main';
const OTHER = 'g-other';
const NS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const kindOf = (n) => (n % 3 === 0 ? 'drop' : 'keep');
const KEPT = NS.filter((n) => kindOf(n) === 'keep'); // 1 2 4 5 7 8 10 11
const created = new Map(); // n -> primaryId (MAIN)
const otherIds = [];

before(async () => {
  TenantContext.reset();
  initTenantModels({ QyEvent, QyReading });
  TenantContext.setCurrentTenant('qy-bogus-boot');
  try {
    initModels({ ...config({ QyBogus }), db: { tableName: uid('no-such-table-') } });
  } finally {
    TenantContext.clearTenant();
  }
  await inT(async () => {
    // Created out of order: the results' order comes from the sort key, not insertion.
    for (const n of [7, 3, 12, 1, 9, 5, 11, 2, 8, 4, 10, 6]) {
      const e = await QyEvent.create({ grp: MAIN, n, at: at(n), kind: kindOf(n) });
      created.set(n, e.getPrimaryId());
    }
    for (const n of [1, 2]) {
      otherIds.push((await QyEvent.create({ grp: OTHER, n, at: at(n), kind: 'keep' })).getPrimaryId());
    }
    for (const seq of [4, 1, 6, 3, 5, 2]) await QyReading.create({ sensor: 'S1', seq, value: seq / 2 });
    for (const seq of [1, 2]) await QyReading.create({ sensor: 'S2', seq, value: 9 });
  });
});

const ns = (res) => res.items.map((e) => e.n);

function isQueryError(message) {
  return (err) => {
    assert.ok(err instanceof exceptions.QueryError, `expected QueryError, got ${err && err.name}: ${err && err.message}`);
    assert.equal(err.name, 'QueryError');
    assert.equal(err.message, message);
  };
}

function isValidationError(message) {
  return (err) => {
    assert.ok(
      err instanceof exceptions.ValidationError,
      `expected ValidationError, got ${err && err.name}: ${err && err.message}`,
    );
    if (message instanceof RegExp) assert.match(err.message, message);
    else if (message !== undefined) assert.equal(err.message, message);
  };
}

// ---- sort-key operators ----------------------------------------------------------------

test('IntegerField sort key: equality, $gt, $gte, $lt, $lte, $between, $beginsWith', async () => {
  await inT(async () => {
    const q = async (cond) => ns(await QyEvent.queryByIndex('byN', MAIN, cond, { limit: 50 }));
    assert.deepEqual(await q(null), NS, 'no condition: the whole partition in sort-key order');
    assert.deepEqual(await q({ n: 5 }), [5]);
    assert.deepEqual(await q({ n: { $gt: 9 } }), [10, 11, 12]);
    assert.deepEqual(await q({ n: { $gte: 10 } }), [10, 11, 12]);
    assert.deepEqual(await q({ n: { $lt: 3 } }), [1, 2]);
    assert.deepEqual(await q({ n: { $lte: 3 } }), [1, 2, 3]);
    assert.deepEqual(await q({ n: { $between: [4, 7] } }), [4, 5, 6, 7]);
    // The operand is padded like the stored key, so "begins with 1" is not "10", "11", "12".
    assert.deepEqual(await q({ n: { $beginsWith: 1 } }), [1]);
    assert.deepEqual(await q({ n: 13 }), []);
    // The partition bounds the result: g-other has n = 1, 2 too.
    assert.deepEqual(ns(await QyEvent.queryByIndex('byN', OTHER, { n: { $lte: 12 } })), [1, 2]);
  });
});

test('a sort-key condition with two operators or two fields is a QueryError, not a query that drops one', async () => {
  await inT(async () => {
    await expectReject(
      () => QyEvent.queryByIndex('byN', MAIN, { n: { $gt: 2, $lt: 5 } }),
      isQueryError('A sort key condition takes one operator, found 2 (use $between for a range)'),
    );
    await expectReject(
      () => QyEvent.queryByIndex('byN', MAIN, { n: 5, kind: 'keep' }),
      isQueryError('A sort key condition names one field, found 2'),
    );
    assert.deepEqual(ns(await QyEvent.queryByIndex('byN', MAIN, { n: { $between: [3, 4] } })), [3, 4], 'the range it meant');
  });
});

test('limit: 0 and none give the default page; a negative, fractional or string limit is a QueryError', async () => {
  await inT(async () => {
    assert.equal((await QyEvent.queryByIndex('byN', MAIN, null, { limit: 0 })).count, 10, 'defaultQueryLimit = 10');
    for (const [limit, shown] of [[-1, '-1'], [2.5, '2.5'], ['5', '"5"']]) {
      await expectReject(
        () => QyEvent.queryByIndex('byN', MAIN, null, { limit }),
        isQueryError(`limit must be a positive integer, got ${shown}`),
      );
    }
  });
});

test('DateTimeField sort key: every operator with Date operands; ISO strings and ms convert the same', async () => {
  await inT(async () => {
    const q = async (cond) => ns(await QyEvent.queryByIndex('byAt', MAIN, cond, { limit: 50 }));
    assert.deepEqual(await q(null), NS);
    assert.deepEqual(await q({ at: at(5) }), [5]);
    assert.deepEqual(await q({ at: { $gt: at(9) } }), [10, 11, 12]);
    assert.deepEqual(await q({ at: { $gte: at(10) } }), [10, 11, 12]);
    assert.deepEqual(await q({ at: { $lt: at(3) } }), [1, 2]);
    assert.deepEqual(await q({ at: { $lte: at(3) } }), [1, 2, 3]);
    assert.deepEqual(await q({ at: { $between: [at(4), at(7)] } }), [4, 5, 6, 7]);
    assert.deepEqual(await q({ at: { $beginsWith: at(8) } }), [8]);
    // Between bounds that fall between stored instants.
    assert.deepEqual(
      await q({ at: { $between: [new Date(at(4).getTime() + 1), new Date(at(7).getTime() - 1)] } }),
      [5, 6],
    );
    assert.deepEqual(await q({ at: at(5).toISOString() }), [5], 'an ISO string operand');
    assert.deepEqual(await q({ at: { $gt: at(9).getTime() } }), [10, 11, 12], 'an epoch-ms operand');
    assert.deepEqual(await q({ at: { $lt: at(3).toISOString() } }), [1, 2]);
  });
});

test('direction DESC reverses the order, with and without a condition', async () => {
  await inT(async () => {
    const desc = await QyEvent.queryByIndex('byN', MAIN, null, { direction: 'DESC', limit: 50 });
    assert.deepEqual(ns(desc), [...NS].reverse());
    const descAt = await QyEvent.queryByIndex('byAt', MAIN, { at: { $lt: at(5) } }, { direction: 'DESC' });
    assert.deepEqual(ns(descAt), [4, 3, 2, 1]);
    const asc = await QyEvent.queryByIndex('byN', MAIN, { n: { $between: [3, 5] } }, { direction: 'ASC' });
    assert.deepEqual(ns(asc), [3, 4, 5]);
  });
});

test('limit caps a page; defaultQueryLimit applies without one; the result has the QueryResult shape', async () => {
  await inT(async () => {
    const page = await QyEvent.queryByIndex('byN', MAIN, null, { limit: 5 });
    // `cursor` (the signed form of lastEvaluatedKey) is there only while there is more to read.
    assert.deepEqual(Object.keys(page).sort(), ['consumedCapacity', 'count', 'cursor', 'items', 'lastEvaluatedKey']);
    assert.deepEqual(ns(page), [1, 2, 3, 4, 5]);
    assert.equal(page.count, 5);
    assert.ok(page.lastEvaluatedKey && typeof page.lastEvaluatedKey === 'object', 'more to read');
    assert.ok(page.items.every((e) => e instanceof QyEvent));
    assert.equal(typeof page.consumedCapacity.CapacityUnits, 'number');
    assert.ok(page.consumedCapacity.CapacityUnits > 0);
    assert.deepEqual(page.items.map((e) => e.getPrimaryId()), [1, 2, 3, 4, 5].map((n) => created.get(n)));

    const next = await QyEvent.queryByIndex('byN', MAIN, null, { limit: 5, startKey: page.lastEvaluatedKey });
    assert.deepEqual(ns(next), [6, 7, 8, 9, 10]);

    const all = await QyEvent.queryByIndex('byN', MAIN, null, { limit: 100 });
    assert.deepEqual(ns(all), NS);
    assert.equal(all.count, 12);
    assert.equal(all.lastEvaluatedKey, undefined, 'the last page has no lastEvaluatedKey');
    assert.ok(!('cursor' in all), 'nor a cursor');

    // QyEvent.defaultQueryLimit = 10.
    const dflt = await QyEvent.queryByIndex('byN', MAIN);
    assert.deepEqual(ns(dflt), NS.slice(0, 10));
    assert.ok(dflt.lastEvaluatedKey, 'the default limit ended the page');
  });
});

/** Every page of a query until lastEvaluatedKey runs out. */
async function allPages(index, pk, cond, options) {
  const pages = [];
  let startKey;
  do {
    const page = await QyEvent.queryByIndex(index, pk, cond, { ...options, startKey });
    pages.push(page);
    startKey = page.lastEvaluatedKey;
    assert.ok(pages.length < 20, 'pagination terminates');
  } while (startKey);
  return pages;
}

test('pagination with a filter that drops items: short pages, lastEvaluatedKey continues, nothing lost', async () => {
  await inT(async () => {
    const limit = 4;
    const pages = await allPages('byN', MAIN, null, { limit, filter: { kind: 'keep' } });
    assert.ok(pages.length >= 3, `at least three pages (got ${pages.length})`);
    const got = pages.flatMap(ns);
    assert.deepEqual(got, KEPT, 'every kept item exactly once, in order');
    for (const p of pages) {
      assert.ok(p.count <= limit);
      assert.equal(p.count, p.items.length);
      assert.ok(p.items.every((e) => e.kind === 'keep'));
    }
    assert.ok(
      pages.some((p) => p.count < limit && p.lastEvaluatedKey),
      'a page shorter than the limit still has a lastEvaluatedKey (limit counts evaluated items)',
    );
    // The first page evaluated n = 1..4 and kept 1, 2, 4.
    assert.deepEqual(ns(pages[0]), [1, 2, 4]);
    assert.equal(pages.at(-1).lastEvaluatedKey, undefined);

    // Descending, with a sort-key condition as well.
    const desc = await allPages('byAt', MAIN, { at: { $gte: at(2) } }, {
      limit: 3,
      direction: 'DESC',
      filter: { kind: 'keep' },
    });
    assert.ok(desc.length >= 3);
    assert.deepEqual(desc.flatMap(ns), KEPT.filter((n) => n >= 2).reverse());
    assert.ok(desc.some((p) => p.count < 3 && p.lastEvaluatedKey));
  });
});

test('a cursor from another partition or another tenant is refused', async () => {
  const page = await inT(() => QyEvent.queryByIndex('byN', MAIN, null, { limit: 2 }));
  assert.ok(page.lastEvaluatedKey);
  await inT(() =>
    expectReject(
      () => QyEvent.queryByIndex('byN', OTHER, null, { limit: 2, startKey: page.lastEvaluatedKey }),
      isValidationError(/startKey/),
    ),
  );
  await TenantContext.runWithTenant(uid('qy-x-'), () =>
    expectReject(
      () => QyEvent.queryByIndex('byN', MAIN, null, { limit: 2, startKey: page.lastEvaluatedKey }),
      isValidationError(/startKey/),
    ),
  );
});

test('countOnly returns {count, consumedCapacity}; honours filter and sort key; is capped by limit', async () => {
  await inT(async () => {
    const all = await QyEvent.queryByIndex('byN', MAIN, null, { countOnly: true, limit: 100 });
    assert.deepEqual(Object.keys(all).sort(), ['consumedCapacity', 'count']);
    assert.equal(all.count, 12);
    assert.equal(typeof all.consumedCapacity.CapacityUnits, 'number');

    const kept = await QyEvent.queryByIndex('byN', MAIN, null, { countOnly: true, limit: 100, filter: { kind: 'keep' } });
    assert.equal(kept.count, KEPT.length);
    const dropped = await QyEvent.queryByIndex('byN', MAIN, null, { countOnly: true, limit: 100, filter: { kind: 'drop' } });
    assert.equal(dropped.count, 4);

    const cond = await QyEvent.queryByIndex('byN', MAIN, { n: { $gt: 6 } }, { countOnly: true });
    assert.equal(cond.count, 6);

    // One Query, not a total: capped by limit (and by defaultQueryLimit = 10 without one).
    assert.equal((await QyEvent.queryByIndex('byN', MAIN, null, { countOnly: true, limit: 5 })).count, 5);
    assert.equal((await QyEvent.queryByIndex('byN', MAIN, null, { countOnly: true })).count, 10);
    const cappedFiltered = await QyEvent.queryByIndex('byN', MAIN, null, {
      countOnly: true,
      limit: 5,
      filter: { kind: 'keep' },
    });
    assert.equal(cappedFiltered.count, 4, 'n = 1..5 were evaluated, 1, 2, 4, 5 kept');
  });
});

test('returnWrapped: false returns the raw stored items', async () => {
  await inT(async () => {
    const res = await QyEvent.queryByIndex('byN', MAIN, { n: { $lte: 2 } }, { returnWrapped: false });
    assert.equal(res.count, 2);
    assert.equal(res.items.length, 2);
    const [first, second] = res.items;
    assert.ok(!(first instanceof QyEvent), 'a plain object, not an instance');
    assert.equal(typeof first.getPrimaryId, 'undefined');
    assert.equal(first.id, created.get(1));
    assert.equal(second.id, created.get(2));
    assert.equal(first._pk, `[${T}]#qy#${created.get(1)}`);
    assert.equal(first._sk, 'qy');
    assert.equal(first._gsi1_pk, `[${T}]#qy#gsi1#${MAIN}`);
    assert.equal(first._gsi1_sk, '00000000000000000001');
    assert.equal(first._gsi2_pk, `[${T}]#qy#gsi2#${MAIN}`);
    assert.equal(first._gsi2_sk, String(at(1).getTime()).padStart(20, '0'));
    assert.equal(first.n, 1, 'numbers stay numbers');
    assert.equal(first.at, at(1).getTime(), 'dates are epoch ms, not Date objects');
    assert.equal(first.kind, 'keep');
    assert.equal(first.grp, MAIN);
    assert.ok(first._iter_pk.startsWith(`[${T}]#qy#iter#`));
    assert.equal(first._iter_sk, created.get(1));
  });
});

test('queryByPrimaryKey and a primary-key alias index on a composite key', async () => {
  await inT(async () => {
    const seqs = (res) => res.items.map((r) => r.seq);
    const all = await QyReading.queryByPrimaryKey('S1');
    assert.deepEqual(seqs(all), [1, 2, 3, 4, 5, 6]);
    assert.ok(all.items.every((r) => r instanceof QyReading && r.sensor === 'S1'));
    assert.equal(all.items[2].getPrimaryId(), 'S1##__SK__##00000000000000000003');
    assert.equal(all.items[2].value, 1.5);
    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S2')), [1, 2]);
    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S3')), []);

    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S1', null, { direction: 'DESC' })), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S1', { seq: { $between: [2, 4] } })), [2, 3, 4]);
    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S1', { seq: 3 })), [3]);
    assert.deepEqual(seqs(await QyReading.queryByPrimaryKey('S1', { seq: { $gt: 4 } })), [5, 6]);

    const p1 = await QyReading.queryByPrimaryKey('S1', null, { limit: 4 });
    assert.deepEqual(seqs(p1), [1, 2, 3, 4]);
    assert.ok(p1.lastEvaluatedKey);
    const p2 = await QyReading.queryByPrimaryKey('S1', null, { limit: 4, startKey: p1.lastEvaluatedKey });
    assert.deepEqual(seqs(p2), [5, 6]);

    const counted = await QyReading.queryByPrimaryKey('S1', { seq: { $lte: 2 } }, { countOnly: true });
    assert.equal(counted.count, 2);

    const alias = await QyReading.queryByIndex('bySensor', 'S1', { seq: { $gte: 5 } });
    assert.deepEqual(seqs(alias), [5, 6]);
    const filtered = await QyReading.queryByIndex('bySensor', 'S1', null, { filter: { value: { $gt: 1 } } });
    assert.deepEqual(seqs(filtered), [3, 4, 5, 6]);

    await expectReject(
      () => QyReading.queryByIndex('bySensor', 'S1', { value: 1 }),
      isQueryError('Field "value" is not the sort key for index "bySensor"'),
    );
  });
});

test('a query only sees the current tenant', async () => {
  await TenantContext.runWithTenant(uid('qy-empty-'), async () => {
    const res = await QyEvent.queryByIndex('byN', MAIN);
    assert.deepEqual(res.items, []);
    assert.equal(res.count, 0);
    assert.equal((await QyReading.queryByPrimaryKey('S1')).count, 0);
  });
});

// ---- iteration (§5.11) -----------------------------------------------------------------

test('iterateAll / iterateBucket / batchFind see exactly the tenant\'s items', async () => {
  await inT(async () => {
    const expected = [...created.values(), ...otherIds].sort();
    const seen = [];
    for await (const batch of QyEvent.iterateAll({ batchSize: 2 })) {
      assert.ok(Array.isArray(batch));
      assert.ok(batch.length >= 1 && batch.length <= 2, `batch of ${batch.length}`);
      for (const e of batch) {
        assert.ok(e instanceof QyEvent);
        seen.push(e.getPrimaryId());
      }
    }
    assert.deepEqual(seen.sort(), expected);

    const perBucket = [];
    for (let b = 0; b < 3; b++) {
      for await (const batch of QyEvent.iterateBucket(b, { batchSize: 5 })) perBucket.push(...batch.map((e) => e.getPrimaryId()));
    }
    assert.deepEqual(perBucket.sort(), expected);

    await assert.rejects(async () => {
      for await (const _ of QyEvent.iterateBucket(3)) assert.fail('no batch for a bad bucket');
    }, /Invalid bucket number 3\. Must be 0-2/);

    await assert.rejects(
      async () => {
        for await (const _ of QyEvent.iterateAll({ filter: { kind: 'keep' } })) assert.fail('no batch');
      },
      (err) => {
        assert.match(err.message, /references attribute\(s\) that aren't projected.*\[kind\]/i);
        return true;
      },
    );

    const missing = ulid();
    const ids = [created.get(1), created.get(12), missing];
    const found = await QyEvent.batchFind(ids);
    assert.deepEqual(Object.keys(found.items).sort(), [created.get(1), created.get(12)].sort());
    assert.equal(found.items[created.get(12)].n, 12);
    assert.ok(found.items[created.get(1)] instanceof QyEvent);
    assert.ok(Array.isArray(found.ConsumedCapacity));
    assert.deepEqual(await QyEvent.batchFind([]), { items: {}, ConsumedCapacity: [] });
  });

  // Another tenant iterates nothing.
  await TenantContext.runWithTenant(uid('qy-none-'), async () => {
    for await (const batch of QyEvent.iterateAll()) assert.fail(`unexpected batch of ${batch.length}`);
  });
});

// ---- bad input: rejected before any request ------------------------------------------

test('control: a valid query on the bogus-table model does reach DynamoDB (and fails there)', async () => {
  await inT(() =>
    expectReject(
      () => QyBogus.queryByIndex('byN', MAIN, { n: 1 }),
      (err) => assert.equal(err.name, 'ResourceNotFoundException', `${err.name}: ${err.message}`),
    ),
  );
});

test('bad queries reject with the spec\'s errors before any request', async () => {
  const cases = [
    [(M) => M.queryByIndex('nope', MAIN), (M) => isQueryError(`Index "nope" not found in ${M.name} model`)],
    [(M) => M.queryByIndex('byN', MAIN, { at: at(1) }), () => isQueryError('Field "at" is not the sort key for index "byN"')],
    [(M) => M.queryByIndex('byAt', MAIN, { n: { $gt: 1 } }), () => isQueryError('Field "n" is not the sort key for index "byAt"')],
    [(M) => M.queryByIndex('byN', MAIN, { n: { $eq: 1 } }), () => isQueryError('Unsupported sort key operator: $eq')],
    [(M) => M.queryByIndex('byN', MAIN, { n: { $ne: 1 } }), () => isQueryError('Unsupported sort key operator: $ne')],
    [
      (M) => M.queryByIndex('byN', MAIN, { n: { $between: [1] } }),
      () => isQueryError('$between requires an array with exactly 2 elements'),
    ],
    [
      (M) => M.queryByIndex('byN', MAIN, { n: { $between: 3 } }),
      () => isQueryError('$between requires an array with exactly 2 elements'),
    ],
    [(M) => M.queryByIndex('byN', MAIN, { n: undefined }), () => isQueryError('Sort key condition value cannot be undefined')],
    [(M) => M.queryByIndex('byN', MAIN, null, { filter: { nope: 1 } }), () => isQueryError('Unknown field in filter: nope')],
    [
      (M) => M.queryByIndex('byN', MAIN, null, { filter: { kind: { $regex: 'x' } } }),
      () => isQueryError('Invalid operator $regex for field kind'),
    ],
    [
      (M) => M.queryByIndex('byN', MAIN, null, { filter: { kind: { $in: 'keep' } } }),
      () => isValidationError('$in operator requires an array value'),
    ],
    [
      (M) => M.queryByIndex('byN', MAIN, null, { countOnly: true, filter: { $or: [{ nope: 1 }] } }),
      () => isQueryError('Unknown field in filter: nope'),
    ],
    [(M) => M.queryByPrimaryKey('x', { kind: 'a' }), () => isQueryError('Field "kind" is not the sort key for index "primary"')],
  ];
  for (const M of [QyEvent, QyBogus]) {
    await inT(async () => {
      for (const [call, check] of cases) {
        const t0 = Date.now();
        await expectReject(() => call(M), check(M));
        assert.ok(Date.now() - t0 < 1000, 'rejected without a round trip');
      }
    });
  }
});
