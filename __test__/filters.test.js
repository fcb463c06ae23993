'use strict';
/**
 * Filter expressions (spec §5.8 "Filter expressions", §4.15 set filters, §5.11 count/projection).
 *
 * Proves, against real rows through queryByIndex, that every filter operator selects exactly
 * the expected rows: $eq (and the bare-value shorthand), $ne, $gt, $gte, $lt, $lte (integers,
 * floats, numeric strings converted by the field), $in, $contains (substring on strings,
 * membership on string sets), $beginsWith, $exists true/false, `field: null`, $size (number and
 * comparison object, on sets and strings), booleans, Date / ISO / epoch-ms operands, several
 * operators on one field, implicit AND of top-level keys, $and, $or, $not (with the original's
 * precedence for a multi-key $not, §9 item 26), nesting, and a filter combined with a sort-key
 * condition. FilterExpressionBuilder.build produces the spec's exact expressions, names and
 * values. Malformed filters are refused with the spec's classes and messages (QueryError for
 * unknown fields, invalid operators, empty conditions and non-array $and/$or; ValidationError
 * for $in, $exists and $size misuse). count() counts the tenant's rows and refuses a filter on
 * an attribute the iteration index does not project.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { BaoModel, PrimaryKeyConfig, IndexConfig, TenantContext, fields, exceptions } = require('..');
const { FilterExpressionBuilder } = require('../lib/filter-expression.js');
const { initTenantModels } = require('./helpers/models');
const { uid } = require('./helpers/ids');
const { expectReject } = require('./helpers/expect');

const { UlidField, StringField, IntegerField, FloatField, BooleanField, DateTimeField, StringSetField } = fields;

const BASE = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const HOUR = 3600 * 1000;
const at = (n) => new Date(BASE + n * HOUR);

class FtItem extends BaoModel {
  static modelPrefix = 'ft';
  static iterable = true;
  static iterationBuckets = 2;
  static fields = {
    id: UlidField({ autoAssign: true }),
    grp: StringField({ required: true }),
    seq: IntegerField({ required: true }),
    name: StringField(),
    score: IntegerField(),
    price: FloatField(),
    active: BooleanField(),
    tags: StringSetField(),
    at: DateTimeField(),
    note: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
  static indexes = { byGrp: IndexConfig('grp', 'seq', 'gsi1') };
}

/** Not registered: FilterExpressionBuilder only needs `fields` (and `searchConfig`). */
class FtShape extends BaoModel {
  static modelPrefix = 'fs';
  static fields = {
    s: StringField(),
    s2: StringField(),
    b: BooleanField(),
    c: IntegerField(),
    n: IntegerField(),
    dt: DateTimeField(),
    tags: StringSetField(),
  };
  static primaryKey = PrimaryKeyConfig('s');
  static searchConfig = { fields: ['s', 's2'] };
}

const T = uid('ft-');
const inT = (fn) => TenantContext.runWithTenant(T, fn);
const GRP = 'g1';

// seq -> attributes. Absent: row 2/4/6 note, row 3/6 tags (empty set), row 6 score/price/active.
const ROWS = [
  { seq: 1, name: 'alpha', score: 10, price: 1.5, active: true, tags: ['red', 'blue'], at: at(1), note: 'n1' },
  { seq: 2, name: 'beta', score: 20, price: 2.25, active: false, tags: ['red'], at: at(2) },
  { seq: 3, name: 'gamma', score: 30, price: 3, active: true, tags: [], at: at(3), note: 'n3' },
  { seq: 4, name: 'delta', score: 40, price: 0.5, active: false, tags: ['green', 'blue', 'red'], at: at(4) },
  { seq: 5, name: 'alphabet', score: 50, price: 10, active: true, tags: ['blue'], at: at(5), note: 'special' },
  { seq: 6, name: 'epsilon', tags: [], at: at(6) },
];

before(async () => {
  TenantContext.reset();
  initTenantModels({ FtItem });
  await inT(async () => {
    for (const row of ROWS) await FtItem.create({ grp: GRP, ...row });
    await FtItem.create({ grp: 'g2', seq: 1, name: 'alpha', score: 10, active: true, tags: ['red'] });
  });
});

/** The seqs of GRP's rows matching the filter (sort-key order). */
async function matching(filter, skCondition = null) {
  const res = await inT(() => FtItem.queryByIndex('byGrp', GRP, skCondition, { filter }));
  assert.ok(res.items.every((x) => x instanceof FtItem && x.grp === GRP));
  return res.items.map((x) => x.seq);
}

test('the rows are stored as expected (absent attributes really are absent)', async () => {
  const res = await inT(() => FtItem.queryByIndex('byGrp', GRP, null, { returnWrapped: false }));
  assert.deepEqual(res.items.map((r) => r.seq), [1, 2, 3, 4, 5, 6]);
  const bySeq = Object.fromEntries(res.items.map((r) => [r.seq, r]));
  assert.ok(!('note' in bySeq[2]));
  assert.ok(!('tags' in bySeq[3]), 'an empty set is not stored');
  for (const attr of ['score', 'price', 'active', 'tags', 'note']) assert.ok(!(attr in bySeq[6]), attr);
});

test('comparison operators: $eq, shorthand, $ne, $gt, $gte, $lt, $lte', async () => {
  assert.deepEqual(await matching({ name: 'alpha' }), [1]);
  assert.deepEqual(await matching({ name: { $eq: 'alpha' } }), [1]);
  assert.deepEqual(await matching({ name: { $ne: 'alpha' } }), [2, 3, 4, 5, 6]);
  assert.deepEqual(await matching({ score: 30 }), [3]);
  assert.deepEqual(await matching({ score: { $gt: 30 } }), [4, 5]);
  assert.deepEqual(await matching({ score: { $gte: 30 } }), [3, 4, 5]);
  assert.deepEqual(await matching({ score: { $lt: 30 } }), [1, 2]);
  assert.deepEqual(await matching({ score: { $lte: 30 } }), [1, 2, 3]);
  assert.deepEqual(await matching({ score: { $gt: 10, $lt: 50 } }), [2, 3, 4], 'several operators on one field AND');
  assert.deepEqual(await matching({ score: { $gt: '30' } }), [4, 5], 'a numeric string is converted by the IntegerField');
  assert.deepEqual(await matching({ price: { $lt: 2 } }), [1, 4]);
  assert.deepEqual(await matching({ price: { $gte: 2.25 } }), [2, 3, 5]);
  assert.deepEqual(await matching({ price: 3 }), [3]);
  assert.deepEqual(await matching({ name: { $gt: 'delta' } }), [3, 6], 'strings compare lexicographically');
});

test('booleans and field: null', async () => {
  assert.deepEqual(await matching({ active: true }), [1, 3, 5]);
  assert.deepEqual(await matching({ active: false }), [2, 4]);
  assert.deepEqual(await matching({ active: null }), [6], 'null means attribute_not_exists');
  assert.deepEqual(await matching({ note: null }), [2, 4, 6]);
});

test('$in on strings and numbers', async () => {
  assert.deepEqual(await matching({ name: { $in: ['alpha', 'gamma', 'zeta'] } }), [1, 3]);
  assert.deepEqual(await matching({ score: { $in: [20, 40, 99] } }), [2, 4]);
  assert.deepEqual(await matching({ name: { $in: ['zeta'] } }), []);
});

test('$contains: substring on strings, membership on string sets; $beginsWith', async () => {
  assert.deepEqual(await matching({ name: { $contains: 'ph' } }), [1, 5]);
  assert.deepEqual(await matching({ name: { $contains: 'a' } }), [1, 2, 3, 4, 5]);
  assert.deepEqual(await matching({ tags: { $contains: 'red' } }), [1, 2, 4]);
  assert.deepEqual(await matching({ tags: { $contains: 'blue' } }), [1, 4, 5]);
  assert.deepEqual(await matching({ tags: { $contains: 're' } }), [], 'a set contains members, not substrings');
  assert.deepEqual(await matching({ name: { $beginsWith: 'al' } }), [1, 5]);
  assert.deepEqual(await matching({ name: { $beginsWith: 'alphab' } }), [5]);
  assert.deepEqual(await matching({ note: { $beginsWith: 'n' } }), [1, 3]);
});

test('$exists true / false (an empty set is absent)', async () => {
  assert.deepEqual(await matching({ note: { $exists: true } }), [1, 3, 5]);
  assert.deepEqual(await matching({ note: { $exists: false } }), [2, 4, 6]);
  assert.deepEqual(await matching({ tags: { $exists: false } }), [3, 6]);
  assert.deepEqual(await matching({ tags: { $exists: true } }), [1, 2, 4, 5]);
  assert.deepEqual(await matching({ score: { $exists: false } }), [6]);
});

test('$size with a number and with a comparison object, on sets and strings', async () => {
  assert.deepEqual(await matching({ tags: { $size: 1 } }), [2, 5]);
  assert.deepEqual(await matching({ tags: { $size: 3 } }), [4]);
  assert.deepEqual(await matching({ tags: { $size: { $gt: 1 } } }), [1, 4]);
  assert.deepEqual(await matching({ tags: { $size: { $gte: 2 } } }), [1, 4]);
  assert.deepEqual(await matching({ tags: { $size: { $lt: 2 } } }), [2, 5], 'absent sets have no size');
  assert.deepEqual(await matching({ tags: { $size: { $lte: 1 } } }), [2, 5]);
  assert.deepEqual(await matching({ tags: { $size: { $eq: 2 } } }), [1]);
  // (`<>` is true for a missing attribute in DynamoDB, so pair it with $exists.)
  assert.deepEqual(await matching({ tags: { $exists: true, $size: { $ne: 1 } } }), [1, 4]);
  assert.deepEqual(await matching({ name: { $size: 5 } }), [1, 3, 4], 'string length');
});

test('Date operands: equality, comparisons, ranges (Date, ISO string and epoch ms)', async () => {
  assert.deepEqual(await matching({ at: at(3) }), [3]);
  assert.deepEqual(await matching({ at: { $eq: at(3) } }), [3]);
  assert.deepEqual(await matching({ at: { $gt: at(4) } }), [5, 6]);
  assert.deepEqual(await matching({ at: { $lte: at(2) } }), [1, 2]);
  assert.deepEqual(await matching({ at: { $gte: at(2), $lt: at(4) } }), [2, 3]);
  assert.deepEqual(await matching({ at: { $ne: at(1) } }), [2, 3, 4, 5, 6]);
  assert.deepEqual(await matching({ at: { $in: [at(1), at(6)] } }), [1, 6]);
  assert.deepEqual(await matching({ at: at(3).toISOString() }), [3]);
  assert.deepEqual(await matching({ at: { $lt: at(3).getTime() } }), [1, 2]);
  assert.deepEqual(await matching({ at: { $gt: new Date(at(4).getTime() + 1) } }), [5, 6]);
});

test('logical operators: implicit AND, $and, $or, $not, nesting', async () => {
  assert.deepEqual(await matching({ active: true, score: { $gte: 30 } }), [3, 5]);
  assert.deepEqual(await matching({ $and: [{ active: true }, { tags: { $contains: 'blue' } }] }), [1, 5]);
  assert.deepEqual(await matching({ $or: [{ name: 'beta' }, { score: { $gte: 50 } }] }), [2, 5]);
  assert.deepEqual(await matching({ $or: [{ name: 'nobody' }] }), []);
  assert.deepEqual(await matching({ $not: { name: { $beginsWith: 'al' } } }), [2, 3, 4, 6]);
  assert.deepEqual(await matching({ $not: { tags: { $exists: true } } }), [3, 6]);
  // A multi-key $not negates only its first term: "NOT #a = :v AND #b > :w" (spec §9 item 26).
  assert.deepEqual(await matching({ $not: { active: true, score: { $gt: 20 } } }), [4]);
  assert.deepEqual(
    await matching({
      $or: [
        { $and: [{ active: true }, { score: { $lt: 30 } }] },
        { $not: { tags: { $exists: true } } },
        { name: { $in: ['delta'] } },
      ],
    }),
    [1, 3, 4, 6],
  );
  assert.deepEqual(
    await matching({
      $and: [{ $or: [{ name: 'alpha' }, { name: 'delta' }, { name: 'beta' }] }, { $not: { active: true } }],
    }),
    [2, 4],
  );
  assert.deepEqual(
    await matching({ name: { $contains: 'a' }, $or: [{ active: false }, { price: { $gt: 5 } }] }),
    [2, 4, 5],
  );
});

test('a filter combines with a sort-key condition and stays in the partition', async () => {
  assert.deepEqual(await matching({ active: true }, { seq: { $gte: 3 } }), [3, 5]);
  assert.deepEqual(await matching({ tags: { $contains: 'red' } }, { seq: { $between: [2, 6] } }), [2, 4]);
  const other = await inT(() => FtItem.queryByIndex('byGrp', 'g2', null, { filter: { name: 'alpha' } }));
  assert.deepEqual(other.items.map((x) => x.grp), ['g2']);
});

// ---- FilterExpressionBuilder ----------------------------------------------------------

test('FilterExpressionBuilder.build: the spec\'s observed expressions exactly', () => {
  const b = new FilterExpressionBuilder();
  const built = b.build({ s2: { $contains: 'Uniq' }, $or: [{ b: true }, { c: { $gt: 1 } }] }, FtShape);
  assert.deepEqual(built, {
    FilterExpression: 'contains(#n1, :v1) AND (#n2 = :v2 OR #n3 > :v3)',
    ExpressionAttributeNames: { '#n1': 's2', '#n2': 'b', '#n3': 'c' },
    ExpressionAttributeValues: { ':v1': 'Uniq', ':v2': true, ':v3': 1 },
  });

  assert.deepEqual(new FilterExpressionBuilder().build({ $not: { s: 'a', n: 1 } }, FtShape), {
    FilterExpression: 'NOT #n1 = :v1 AND #n2 = :v2',
    ExpressionAttributeNames: { '#n1': 's', '#n2': 'n' },
    ExpressionAttributeValues: { ':v1': 'a', ':v2': 1 },
  });
});

test('FilterExpressionBuilder.build: operators, conversions and empty filters', () => {
  const build = (f) => new FilterExpressionBuilder().build(f, FtShape);
  assert.deepEqual(build({ dt: { $gt: new Date('2024-01-02T03:04:05.678Z') } }), {
    FilterExpression: '#n1 > :v1',
    ExpressionAttributeNames: { '#n1': 'dt' },
    ExpressionAttributeValues: { ':v1': 1704164645678 },
  });
  assert.deepEqual(build({ s: { $in: ['a', 'b'] }, c: null }), {
    FilterExpression: '#n1 IN (:v1, :v2) AND attribute_not_exists(#n2)',
    ExpressionAttributeNames: { '#n1': 's', '#n2': 'c' },
    ExpressionAttributeValues: { ':v1': 'a', ':v2': 'b' },
  });
  const sized = build({ tags: { $size: { $gte: 2 } }, s2: { $exists: true }, s: { $beginsWith: 'x', $ne: 'xy' } });
  assert.equal(
    sized.FilterExpression,
    'size(#n1) >= :v1 AND attribute_exists(#n2) AND begins_with(#n3, :v2) AND #n4 <> :v3',
  );
  assert.deepEqual(sized.ExpressionAttributeNames, { '#n1': 'tags', '#n2': 's2', '#n3': 's', '#n4': 's' });
  assert.deepEqual(sized.ExpressionAttributeValues, { ':v1': 2, ':v2': 'x', ':v3': 'xy' });
  assert.equal(build({ $and: [{ s: 'x' }, { n: { $lte: 2 } }] }).FilterExpression, '(#n1 = :v1 AND #n2 <= :v2)');
  assert.deepEqual(build({ _searchText: { $contains: 'Héllo, World' } }).ExpressionAttributeValues, {
    ':v1': 'héllo world',
  });
  assert.equal(build({}), null);
  assert.equal(build(null), null);

  const b = new FilterExpressionBuilder();
  b.build({ s: 'x', c: { $gt: 2 } }, FtShape);
  assert.deepEqual(b.names, { '#n1': 's', '#n2': 'c' });
  assert.deepEqual(b.values, { ':v1': 'x', ':v2': 2 });
});

// ---- validation --------------------------------------------------------------------------

const BAD_FILTERS = [
  [{ nope: 1 }, exceptions.QueryError, 'Unknown field in filter: nope'],
  [{ $and: [{ name: 'a' }, { nope: 1 }] }, exceptions.QueryError, 'Unknown field in filter: nope'],
  [{ $not: { nope: 1 } }, exceptions.QueryError, 'Unknown field in filter: nope'],
  [{ name: { $regex: 'x' } }, exceptions.QueryError, 'Invalid operator $regex for field name'],
  [{ name: { $eq: 'a', $like: 'b' } }, exceptions.QueryError, 'Invalid operator $like for field name'],
  [{ name: {} }, exceptions.QueryError, 'Empty condition object for field: name'],
  [{ $or: { name: 'a' } }, exceptions.QueryError, '$or requires an array of conditions'],
  [{ $and: 'x' }, exceptions.QueryError, '$and requires an array of conditions'],
  [{ name: { $in: 'alpha' } }, exceptions.ValidationError, '$in operator requires an array value'],
  [{ note: { $exists: 'yes' } }, exceptions.ValidationError, '$exists operator requires a boolean value'],
  [{ note: { $exists: 1 } }, exceptions.ValidationError, '$exists operator requires a boolean value'],
  [
    { tags: { $size: '3' } },
    exceptions.ValidationError,
    '$size operator requires a number or object with comparison operators',
  ],
  [
    { tags: { $size: { $gt: 1, $lt: 5 } } },
    exceptions.ValidationError,
    '$size operator with object value must have exactly one comparison operator',
  ],
  [{ tags: { $size: { $gt: '1' } } }, exceptions.ValidationError, '$size operator requires a numeric value'],
  [{ tags: { $size: { $in: 1 } } }, exceptions.ValidationError, 'Unsupported size comparison operator: $in'],
];

test('malformed filters are refused by queryByIndex with the spec\'s class and message', async () => {
  for (const [filter, Class, message] of BAD_FILTERS) {
    await inT(() =>
      expectReject(
        () => FtItem.queryByIndex('byGrp', GRP, null, { filter }),
        (err) => {
          assert.ok(err instanceof Class, `${JSON.stringify(filter)}: expected ${Class.name}, got ${err.name}: ${err.message}`);
          assert.equal(err.message, message, JSON.stringify(filter));
        },
      ),
    );
  }
});

test('malformed filters are refused by FilterExpressionBuilder.build', () => {
  for (const [filter, Class, message] of BAD_FILTERS) {
    const shapeFilter = JSON.parse(JSON.stringify(filter).replace(/"name"/g, '"s"').replace(/"note"/g, '"s2"'));
    assert.throws(
      () => new FilterExpressionBuilder().build(shapeFilter, FtShape),
      (err) => {
        assert.ok(err instanceof Class, `${JSON.stringify(shapeFilter)}: expected ${Class.name}, got ${err.name}`);
        assert.equal(err.message, message.replace(/field name$/, 'field s').replace(/field: name$/, 'field: s'));
        return true;
      },
    );
  }
});

// ---- count() -----------------------------------------------------------------------------

test('count() counts the tenant\'s rows; a filter on an unprojected attribute is refused', async () => {
  await inT(async () => {
    const res = await FtItem.count();
    assert.equal(res.count, ROWS.length + 1);
    assert.equal(typeof res.consumedCapacity.CapacityUnits, 'number');
    await expectReject(
      () => FtItem.count({ grp: GRP }),
      (err) => {
        assert.ok(err instanceof exceptions.ValidationError, `${err.name}: ${err.message}`);
        assert.match(err.message, /references attribute\(s\) that aren't projected.*\[grp\]/i);
      },
    );
    await expectReject(
      () => FtItem.count({ name: 'alpha', $or: [{ active: true }] }),
      (err) => {
        assert.ok(err instanceof exceptions.ValidationError);
        assert.match(err.message, /references attribute\(s\) that aren't projected: \[(name, active|active, name)\]/i);
      },
    );
    await expectReject(() => FtItem.count({ nope: 1 }), (err) => {
      assert.ok(err instanceof exceptions.QueryError);
      assert.equal(err.message, 'Unknown field in filter: nope');
    });
  });
  await TenantContext.runWithTenant(uid('ft-empty-'), async () => {
    assert.equal((await FtItem.count()).count, 0);
    await FtItem.create({ grp: GRP, seq: 1 });
    assert.equal((await FtItem.count()).count, 1);
  });
});
