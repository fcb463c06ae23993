'use strict';
/**
 * Field types (spec §3.9, §3.10, §4) end to end.
 *
 * Proves, for every built-in field type, create → the raw stored attribute (type and value,
 * read with an independent client: S / N / BOOL / B / SS, dates in epoch ms, TTL in epoch
 * seconds, a ULID version) → find → the same JS value (Date, Buffer, Set, numbers); that
 * omitted optional fields are not stored and read back empty; defaults (including 0, false
 * and a function) and `required`; UlidField autoAssign / explicit / invalid; FloatField
 * precision rounding; TtlField treats numbers as milliseconds and null removes it;
 * CounterField `'+n'` / `'-n'` updates are atomic (concurrent increments add up); VersionField
 * changes on every save; StringSetField add/delete on the instance is saved as an ADD / DELETE
 * diff (a concurrent writer's members survive), an empty set removes the attribute and reads
 * back as an empty Set; BinaryField takes Buffer and Uint8Array (views too) and reads back a
 * Buffer; index keys are the spec's golden strings (Integer 42 → 00000000000000000042, Float
 * 3.14 → 3.14000000000000012434e+0, Boolean "1"/"0", DateTime → 20-digit ms, TTL → 20-digit
 * seconds) and queries find them; `field.toGsi` gives the same strings, and Binary / StringSet
 * toGsi throw ValidationError; and every bad value is a ValidationError that writes nothing.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { BaoModel, PrimaryKeyConfig, IndexConfig, TenantContext, fields, exceptions } = require('..');
const { initTenantModels } = require('./helpers/models');
const { rawGet, mentioning } = require('./helpers/raw');
const { uid, ulid, sleep } = require('./helpers/ids');
const { expectReject } = require('./helpers/expect');

const {
  StringField,
  UlidField,
  RelatedField,
  IntegerField,
  FloatField,
  CounterField,
  BooleanField,
  DateTimeField,
  CreateDateField,
  ModifiedDateField,
  TtlField,
  VersionField,
  BinaryField,
  StringSetField,
} = fields;

const DT = new Date('2024-01-02T03:04:05.678Z'); // 1704164645678 ms
const TTL_DATE = new Date('2030-01-01T00:00:00.000Z'); // 1893456000 s
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let fnDefaultCalls = 0;

class FxAll extends BaoModel {
  static modelPrefix = 'fx';
  static fields = {
    id: UlidField({ autoAssign: true }),
    s: StringField(),
    rel: RelatedField('FxAll'),
    i: IntegerField(),
    f: FloatField(),
    fp: FloatField({ precision: 2 }),
    c: CounterField(),
    b: BooleanField(),
    dt: DateTimeField(),
    cd: CreateDateField(),
    md: ModifiedDateField(),
    ttl: TtlField(),
    v: VersionField(),
    bin: BinaryField(),
    tags: StringSetField(),
    lim: StringSetField({ maxMemberCount: 2, maxStringLength: 3 }),
    iDef: IntegerField({ defaultValue: 0 }),
    fDef: FloatField({ defaultValue: 1.5 }),
    bDef: BooleanField({ defaultValue: false }),
    sDef: StringField({ defaultValue: 'dflt' }),
    sFn: StringField({ defaultValue: () => `fn-${++fnDefaultCalls}` }),
    cDef: CounterField({ defaultValue: 5 }),
    req: StringField({ required: true }),
  };
  static primaryKey = PrimaryKeyConfig('id');
}

/** Typed values in index keys. */
class FxIdx extends BaoModel {
  static modelPrefix = 'fi';
  static fields = {
    id: UlidField({ autoAssign: true }),
    s: StringField(),
    i: IntegerField(),
    f: FloatField(),
    b: BooleanField(),
    dt: DateTimeField(),
    ttl: TtlField(),
    bin: BinaryField(),
    tags: StringSetField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
  static indexes = {
    byI: IndexConfig('i', 'f', 'gsi1'),
    byB: IndexConfig('modelPrefix', 'b', 'gsi2'),
    byS: IndexConfig('s', 'dt', 'gsi3'),
    byTtl: IndexConfig('s', 'ttl', 'gsi4'),
  };
}

/** A ULID key without autoAssign. */
class FxManual extends BaoModel {
  static modelPrefix = 'fm';
  static fields = { id: UlidField(), s: StringField() };
  static primaryKey = PrimaryKeyConfig('id');
}

before(() => {
  TenantContext.reset();
  initTenantModels({ FxAll, FxIdx, FxManual });
});

/** Each test gets its own tenant; fn receives it. */
const inTenant = (fn) => {
  const tenant = uid('fx-');
  return TenantContext.runWithTenant(tenant, () => fn(tenant));
};
const rawFx = (tenant, id) => rawGet(`[${tenant}]#fx#${id}`, 'fx');
const rawFi = (tenant, id) => rawGet(`[${tenant}]#fi#${id}`, 'fi');
const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });
const ssOf = (attr) => [...attr.SS].sort();

function isValidation(message) {
  return (err) => {
    assert.ok(
      err instanceof exceptions.ValidationError,
      `expected ValidationError, got ${err && err.name}: ${err && err.message}`,
    );
    assert.equal(err.name, 'ValidationError');
    if (message instanceof RegExp) assert.match(err.message, message);
    else if (message !== undefined) assert.equal(err.message, message);
  };
}

// ---- storage round trip ----------------------------------------------------------------

test('every field type: create -> raw stored form -> find -> equal JS value', async () => {
  await inTenant(async (tenant) => {
    const target = await FxAll.create({ req: 'target' });
    const t0 = Date.now();
    const x = await FxAll.create({
      s: 'hello',
      rel: target,
      i: 42,
      f: 3.14,
      fp: 1.23456,
      b: true,
      dt: DT,
      ttl: TTL_DATE,
      bin: Buffer.from([1, 2, 3]),
      tags: ['b', 'a', 'a'],
      req: 'r',
    });
    const t1 = Date.now();
    const id = x.getPrimaryId();
    assert.match(id, ULID_RE);

    const raw = await rawFx(tenant, id);
    assert.ok(raw, 'stored under [T]#fx#<id> / fx');
    assert.deepEqual(
      Object.keys(raw).sort(),
      ['_pk', '_sk', 'b', 'bDef', 'bin', 'c', 'cDef', 'cd', 'dt', 'f', 'fDef', 'fp', 'i', 'iDef', 'id', 'md', 'rel',
        'req', 's', 'sDef', 'sFn', 'tags', 'ttl', 'v'],
      'the unset StringSetField (lim) is not stored',
    );
    assert.deepEqual(raw.id, S(id));
    assert.deepEqual(raw.s, S('hello'));
    assert.deepEqual(raw.rel, S(target.getPrimaryId()), 'a RelatedField stores the target\'s id');
    assert.deepEqual(raw.i, N(42));
    assert.deepEqual(raw.f, N(3.14));
    assert.deepEqual(raw.fp, N(1.23), 'rounded to the precision');
    assert.deepEqual(raw.c, N(0), 'CounterField defaults to 0');
    assert.deepEqual(raw.b, { BOOL: true });
    assert.deepEqual(raw.dt, N(1704164645678), 'DateTimeField: epoch milliseconds');
    assert.deepEqual(raw.ttl, N(1893456000), 'TtlField: epoch seconds');
    for (const attr of ['cd', 'md']) {
      assert.ok(raw[attr].N, `${attr} is N`);
      const ms = Number(raw[attr].N);
      assert.ok(ms >= t0 - 1000 && ms <= t1 + 1000, `${attr} = ${ms} is the create time in ms`);
    }
    assert.ok(raw.v.S && ULID_RE.test(raw.v.S), 'VersionField: a ULID string');
    assert.equal(raw.v.S, x.v);
    assert.ok(raw.bin.B, 'BinaryField: B');
    assert.deepEqual([...raw.bin.B], [1, 2, 3]);
    assert.deepEqual(ssOf(raw.tags), ['a', 'b'], 'StringSetField: SS, de-duplicated');
    assert.deepEqual(raw.iDef, N(0));
    assert.deepEqual(raw.fDef, N(1.5));
    assert.deepEqual(raw.bDef, { BOOL: false });
    assert.deepEqual(raw.sDef, S('dflt'));
    assert.match(raw.sFn.S, /^fn-\d+$/);
    assert.deepEqual(raw.cDef, N(5));
    assert.deepEqual(raw.req, S('r'));

    const found = await FxAll.find(id);
    assert.equal(found.exists(), true);
    assert.equal(found.id, id);
    assert.equal(found.s, 'hello');
    assert.equal(found.rel, target.getPrimaryId());
    assert.equal(found.i, 42);
    assert.equal(found.f, 3.14);
    assert.equal(found.fp, 1.23);
    assert.equal(found.c, 0);
    assert.equal(found.b, true);
    assert.ok(found.dt instanceof Date);
    assert.equal(found.dt.getTime(), DT.getTime());
    assert.ok(found.ttl instanceof Date);
    assert.equal(found.ttl.getTime(), TTL_DATE.getTime());
    assert.ok(found.cd instanceof Date);
    assert.equal(found.cd.getTime(), Number(raw.cd.N));
    assert.ok(found.md instanceof Date);
    assert.equal(found.md.getTime(), Number(raw.md.N));
    assert.equal(found.v, raw.v.S);
    assert.ok(Buffer.isBuffer(found.bin), 'binary reads back as a Buffer');
    assert.deepEqual([...found.bin], [1, 2, 3]);
    assert.ok(found.tags instanceof Set);
    assert.deepEqual([...found.tags].sort(), ['a', 'b']);
    assert.equal(found.tags.has('a'), true);
    assert.equal(found.tags.size, 2);
    assert.equal(found.iDef, 0);
    assert.equal(found.fDef, 1.5);
    assert.equal(found.bDef, false);
    assert.equal(found.sDef, 'dflt');
    assert.equal(found.sFn, raw.sFn.S);
    assert.equal(found.cDef, 5);
    assert.equal(found.req, 'r');
    assert.ok(found.lim instanceof Set);
    assert.equal(found.lim.size, 0);

    // The instance create returned holds the same values.
    assert.equal(x.i, 42);
    assert.equal(x.fp, 1.23);
    assert.equal(x.ttl.getTime(), TTL_DATE.getTime());
    assert.deepEqual([...x.bin], [1, 2, 3]);
  });
});

// find (GetItem), batchFind (BatchGetItem) and queries (Query) each read the response body
// themselves (src/wire.rs); every field type must come back the same from all three.
test('every field type reads back identically through find, batchFind and queryByPrimaryKey', async () => {
  await inTenant(async () => {
    const target = await FxAll.create({ req: 'target' });
    const x = await FxAll.create({
      s: 'quote " backslash \\ tab \t newline \n é 😀 \u0001 </script>',
      rel: target,
      i: -9007199254740991,
      f: 1.5e-7,
      fp: 1.23456,
      b: false,
      dt: DT,
      ttl: TTL_DATE,
      bin: Buffer.from([0, 1, 254, 255]),
      tags: ['zeta', 'alpha', 'é'],
      req: 'r',
    });
    const id = x.getPrimaryId();
    const viaFind = await FxAll.find(id);
    const viaBatch = (await FxAll.batchFind([id])).items[id];
    const viaQuery = (await FxAll.queryByPrimaryKey(id)).items[0];
    assert.ok(viaFind.exists() && viaBatch && viaQuery, 'all three reads found the item');
    for (const [name, other] of [['batchFind', viaBatch], ['queryByPrimaryKey', viaQuery]]) {
      assert.deepEqual(other._dyData, viaFind._dyData, `${name} stores the same dy data as find`);
    }
    // The stored forms, before any field converts them: numbers are numbers, binary a Buffer.
    for (const [name, r] of [['find', viaFind], ['batchFind', viaBatch], ['queryByPrimaryKey', viaQuery]]) {
      assert.strictEqual(r._dyData.i, -9007199254740991, `${name}: an N attribute is a number`);
      assert.strictEqual(r._dyData.f, 1.5e-7, `${name}: a fractional N attribute`);
      assert.strictEqual(r._dyData.b, false, `${name}: BOOL`);
      assert.ok(Buffer.isBuffer(r._dyData.bin), `${name}: B is a Buffer`);
    }
    assert.equal(viaQuery.s, 'quote " backslash \\ tab \t newline \n é 😀 \u0001 </script>');
    assert.equal(viaBatch.i, -9007199254740991);
    assert.equal(viaBatch.f, 1.5e-7);
    assert.equal(viaQuery.fp, 1.23);
    assert.equal(viaBatch.b, false);
    assert.deepEqual([...viaQuery.bin], [0, 1, 254, 255]);
    assert.deepEqual([...viaBatch.tags].sort(), ['alpha', 'zeta', 'é']);
    assert.equal(viaQuery.dt.getTime(), DT.getTime());
    assert.equal(viaBatch.ttl.getTime(), TTL_DATE.getTime());
    assert.equal(viaQuery.rel, target.getPrimaryId());
  });
});

test('omitted optional fields are not stored and read back empty', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'only' });
    const raw = await rawFx(tenant, x.getPrimaryId());
    assert.deepEqual(
      Object.keys(raw).sort(),
      ['_pk', '_sk', 'bDef', 'c', 'cDef', 'cd', 'fDef', 'iDef', 'id', 'md', 'req', 'sDef', 'sFn', 'v'],
    );
    const found = await FxAll.find(x.getPrimaryId());
    assert.equal(found.s, undefined);
    assert.equal(found.rel ?? null, null);
    assert.equal(found.i, null);
    assert.equal(found.f, null);
    assert.equal(found.fp, null);
    assert.equal(found.b, null);
    assert.equal(found.dt, null);
    assert.equal(found.ttl, null);
    assert.equal(found.bin, null);
    assert.ok(found.tags instanceof Set);
    assert.equal(found.tags.size, 0);
    assert.equal(found.c, 0);
  });
});

test('defaults: 0, false, strings, functions (called per create); explicit values win; updates keep them', async () => {
  await inTenant(async (tenant) => {
    const a = await FxAll.create({ req: 'a' });
    const b = await FxAll.create({ req: 'b' });
    assert.notEqual(a.sFn, b.sFn, 'a function default is called for each create');
    assert.match(a.sFn, /^fn-\d+$/);
    const c = await FxAll.create({ req: 'c', iDef: 7, fDef: 2.5, bDef: true, sDef: 'mine', sFn: 'given', cDef: 1 });
    const raw = await rawFx(tenant, c.getPrimaryId());
    assert.deepEqual(raw.iDef, N(7));
    assert.deepEqual(raw.fDef, N(2.5));
    assert.deepEqual(raw.bDef, { BOOL: true });
    assert.deepEqual(raw.sDef, S('mine'));
    assert.deepEqual(raw.sFn, S('given'));
    assert.deepEqual(raw.cDef, N(1));
    const updated = await FxAll.update(c.getPrimaryId(), { s: 'changed' });
    assert.equal(updated.sDef, 'mine', 'an update does not re-apply defaults');
    assert.equal(updated.iDef, 7);
    assert.equal(updated.bDef, true);
    assert.deepEqual((await rawFx(tenant, c.getPrimaryId())).sDef, S('mine'));
  });
});

test('required: a missing or empty required field is a ValidationError and nothing is written', async () => {
  const marker = uid('req');
  await inTenant(async (tenant) => {
    await expectReject(() => FxAll.create({ s: marker }), (err) => {
      isValidation('Field is required: req')(err);
      assert.equal(err.fieldName, 'req');
    });
    await expectReject(() => FxAll.create({ s: marker, req: '' }), isValidation(/Field is required/));
    await expectReject(() => FxAll.create({ s: marker, req: null }), isValidation(/Field is required/));
    const ok = await FxAll.create({ s: `${marker}-ok`, req: 'yes' });
    await expectReject(() => FxAll.update(ok.getPrimaryId(), { req: null }), isValidation(/Field is required/));
    assert.deepEqual((await rawFx(tenant, ok.getPrimaryId())).req, S('yes'));
  });
  assert.deepEqual((await mentioning(marker)).map((r) => r.s), [`${marker}-ok`]);
});

test('UlidField: autoAssign, explicit id, invalid formats; without autoAssign the id is required', async () => {
  await inTenant(async (tenant) => {
    const a = await FxAll.create({ req: 'a' });
    const b = await FxAll.create({ req: 'b' });
    assert.match(a.id, ULID_RE);
    assert.notEqual(a.id, b.id);
    assert.ok(await rawFx(tenant, a.id), 'the assigned ULID is the key');

    const explicit = ulid();
    const e = await FxAll.create({ id: explicit, req: 'e' });
    assert.equal(e.id, explicit);
    assert.deepEqual((await rawFx(tenant, explicit)).id, S(explicit));

    await expectReject(() => FxAll.create({ id: 'abc', req: 'x' }), isValidation('Invalid ULID format'));
    await expectReject(() => FxAll.create({ id: explicit.toLowerCase(), req: 'x' }), isValidation('Invalid ULID format'));

    await expectReject(() => FxManual.create({ s: 'no id' }), isValidation());
    const manualId = ulid();
    const m = await FxManual.create({ id: manualId, s: 'with id' });
    assert.equal(m.getPrimaryId(), manualId);
    assert.equal((await FxManual.find(manualId)).s, 'with id');
  });
});

test('FloatField precision rounds on create and update; unrounded floats round-trip', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'p', fp: 9.999, f: 0.1 + 0.2 });
    let raw = await rawFx(tenant, x.getPrimaryId());
    assert.deepEqual(raw.fp, N(10));
    assert.deepEqual(raw.f, N(0.30000000000000004), 'no precision: stored as given');
    assert.equal(x.fp, 10);
    const u = await FxAll.update(x.getPrimaryId(), { fp: 0.126 });
    assert.equal(u.fp, 0.13);
    raw = await rawFx(tenant, x.getPrimaryId());
    assert.deepEqual(raw.fp, N(0.13));
    assert.equal((await FxAll.find(x.getPrimaryId())).fp, 0.13);
    await FxAll.update(x.getPrimaryId(), { fp: -2.5 });
    assert.equal((await FxAll.find(x.getPrimaryId())).fp, -2.5);
  });
});

test('IntegerField: the safe-integer bounds round-trip; null removes the attribute', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'i', i: Number.MAX_SAFE_INTEGER });
    assert.deepEqual((await rawFx(tenant, x.getPrimaryId())).i, N('9007199254740991'));
    assert.equal((await FxAll.find(x.getPrimaryId())).i, Number.MAX_SAFE_INTEGER);
    await FxAll.update(x.getPrimaryId(), { i: -Number.MAX_SAFE_INTEGER });
    assert.equal((await FxAll.find(x.getPrimaryId())).i, -Number.MAX_SAFE_INTEGER);
    await FxAll.update(x.getPrimaryId(), { i: null });
    assert.equal((await rawFx(tenant, x.getPrimaryId())).i, undefined);
    assert.equal((await FxAll.find(x.getPrimaryId())).i, null);
  });
});

test('TtlField: a number is milliseconds, stored as seconds; strings and null', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 't', ttl: 1700000000123 });
    const id = x.getPrimaryId();
    assert.deepEqual((await rawFx(tenant, id)).ttl, N(1700000000));
    assert.equal((await FxAll.find(id)).ttl.getTime(), 1700000000000);

    await FxAll.update(id, { ttl: '2031-05-06T07:08:09.999Z' });
    assert.deepEqual((await rawFx(tenant, id)).ttl, N(Math.floor(Date.parse('2031-05-06T07:08:09.999Z') / 1000)));

    await FxAll.update(id, { ttl: null });
    assert.equal((await rawFx(tenant, id)).ttl, undefined, 'null removes the TTL');
    assert.equal((await FxAll.find(id)).ttl, null);
  });
});

test('CounterField: "+n" / "-n" are atomic; concurrent increments add up; a number sets', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'c' });
    const id = x.getPrimaryId();
    assert.equal(x.c, 0);

    const up = await FxAll.update(id, { c: '+3' });
    assert.equal(up.c, 3, 'the returned instance holds the new value');
    assert.deepEqual((await rawFx(tenant, id)).c, N(3));
    assert.equal((await FxAll.update(id, { c: '-1' })).c, 2);

    await Promise.all(Array.from({ length: 10 }, () => FxAll.update(id, { c: '+1' })));
    assert.deepEqual((await rawFx(tenant, id)).c, N(12), 'no increment lost');
    assert.equal((await FxAll.find(id)).c, 12);

    await Promise.all([FxAll.update(id, { c: '+5', cDef: '+2' }), FxAll.update(id, { c: '-2', cDef: '+2' })]);
    const raw = await rawFx(tenant, id);
    assert.deepEqual(raw.c, N(15));
    assert.deepEqual(raw.cDef, N(9), 'counting from the default 5');

    assert.equal((await FxAll.update(id, { c: 100 })).c, 100);
    assert.deepEqual((await rawFx(tenant, id)).c, N(100));

    await expectReject(() => FxAll.update(id, { c: 1.5 }), isValidation('CounterField value must be an integer'));
    await expectReject(() => FxAll.update(id, { c: '+x' }), isValidation('CounterField value must be an integer'));
    for (const c of ['+9007199254740992', '-9007199254740992', '+99999999999999999999']) {
      await expectReject(() => FxAll.update(id, { c }), isValidation(/CounterField value (is outside the safe integer range|must be an integer)/));
    }
    assert.equal((await FxAll.update(id, { c: '-9007199254740991' })).c, 100 - 9007199254740991);
    assert.equal((await FxAll.update(id, { c: '+9007199254740991' })).c, 100);
    assert.deepEqual((await rawFx(tenant, id)).c, N(100));
  });
});

test('VersionField: a new ULID on every save (create, update, instance save)', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'v' });
    const id = x.getPrimaryId();
    const v0 = x.v;
    assert.match(v0, ULID_RE);
    assert.equal((await rawFx(tenant, id)).v.S, v0);

    const u1 = await FxAll.update(id, { s: 'one' });
    assert.match(u1.v, ULID_RE);
    assert.notEqual(u1.v, v0);
    assert.equal((await rawFx(tenant, id)).v.S, u1.v);

    const loaded = await FxAll.find(id);
    assert.equal(loaded.v, u1.v);
    loaded.s = 'two';
    await loaded.save();
    assert.notEqual(loaded.v, u1.v);
    assert.equal((await rawFx(tenant, id)).v.S, loaded.v);

    const u3 = await FxAll.update(id, { c: '+1' });
    assert.notEqual(u3.v, loaded.v, 'even a counter-only update');
    const versions = new Set([v0, u1.v, loaded.v, u3.v]);
    assert.equal(versions.size, 4);

    const mine = ulid();
    await FxAll.update(id, { v: mine });
    assert.equal((await rawFx(tenant, id)).v.S, mine, 'an explicit version is written as given');
  });
});

test('StringSetField: instance add() / delete() are saved as ADD / DELETE diffs', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'ss', tags: new Set(['a', 'b']) });
    const id = x.getPrimaryId();

    // add only -> ADD: a member another writer added meanwhile survives.
    const A = await FxAll.find(id);
    assert.equal(A.hasChanges(), false);
    await FxAll.update(id, { tags: ['a', 'b', 'z'] });
    A.tags.add('c');
    assert.equal(A.hasChanges(), true, 'add() marks the field changed');
    assert.deepEqual([...A.tags].sort(), ['a', 'b', 'c']);
    await A.save();
    assert.deepEqual(ssOf((await rawFx(tenant, id)).tags), ['a', 'b', 'c', 'z']);
    assert.deepEqual([...A.tags].sort(), ['a', 'b', 'c', 'z'], 'the saved instance holds the stored set');
    assert.equal(A.hasChanges(), false);

    // delete only -> DELETE.
    const B = await FxAll.find(id);
    await FxAll.update(id, { tags: ['a', 'b', 'c', 'z', 'y'] });
    B.tags.delete('a');
    assert.equal(B.hasChanges(), true);
    await B.save();
    assert.deepEqual(ssOf((await rawFx(tenant, id)).tags), ['b', 'c', 'y', 'z']);

    // add and delete -> the whole new set is SET (spec §4.15).
    const C = await FxAll.find(id);
    C.tags.add('n');
    C.tags.delete('b');
    await C.save();
    assert.deepEqual(ssOf((await rawFx(tenant, id)).tags), ['c', 'n', 'y', 'z']);

    // A static update with a set diffs against the stored set.
    await FxAll.update(id, { tags: new Set(['c', 'n']) });
    assert.deepEqual(ssOf((await rawFx(tenant, id)).tags), ['c', 'n']);
    const found = await FxAll.find(id);
    assert.ok(found.tags instanceof Set);
    assert.deepEqual([...found.tags].sort(), ['c', 'n']);
  });
});

test('StringSetField: an empty set removes the attribute and reads back as an empty Set', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ req: 'e', tags: ['p', 'q'] });
    const id = x.getPrimaryId();
    const loaded = await FxAll.find(id);
    loaded.tags.delete('p');
    loaded.tags.delete('q');
    await loaded.save();
    assert.equal((await rawFx(tenant, id)).tags, undefined, 'deleting every member removes the attribute');
    let found = await FxAll.find(id);
    assert.ok(found.tags instanceof Set);
    assert.equal(found.tags.size, 0);

    await FxAll.update(id, { tags: new Set(['r']) });
    assert.deepEqual((await rawFx(tenant, id)).tags, { SS: ['r'] });
    found = await FxAll.find(id);
    found.tags.clear();
    assert.equal(found.hasChanges(), true);
    await found.save();
    assert.equal((await rawFx(tenant, id)).tags, undefined, 'clear() removes the attribute');

    await FxAll.update(id, { tags: ['s'] });
    await FxAll.update(id, { tags: [] });
    assert.equal((await rawFx(tenant, id)).tags, undefined, 'update with [] removes the attribute');

    const empty = await FxAll.create({ req: 'e2', tags: [] });
    assert.equal((await rawFx(tenant, empty.getPrimaryId())).tags, undefined);
    assert.equal((await FxAll.find(empty.getPrimaryId())).tags.size, 0);
  });
});

test('BinaryField: Buffer, Uint8Array and Uint8Array views store their bytes; read back as Buffer', async () => {
  await inTenant(async (tenant) => {
    const fromU8 = await FxAll.create({ req: 'u8', bin: new Uint8Array([4, 5, 6]) });
    assert.deepEqual([...(await rawFx(tenant, fromU8.getPrimaryId())).bin.B], [4, 5, 6]);
    const found = await FxAll.find(fromU8.getPrimaryId());
    assert.ok(Buffer.isBuffer(found.bin));
    assert.deepEqual([...found.bin], [4, 5, 6]);

    const view = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4);
    const fromView = await FxAll.create({ req: 'view', bin: view });
    assert.deepEqual([...(await rawFx(tenant, fromView.getPrimaryId())).bin.B], [8, 7, 6], 'only the view\'s bytes');

    const bytes = Buffer.from(Array.from({ length: 256 }, (_, k) => k));
    await FxAll.update(fromView.getPrimaryId(), { bin: bytes });
    const again = await FxAll.find(fromView.getPrimaryId());
    assert.ok(again.bin.equals(bytes), 'all 256 byte values round-trip');

    await FxAll.update(fromView.getPrimaryId(), { bin: null });
    assert.equal((await rawFx(tenant, fromView.getPrimaryId())).bin, undefined);
    assert.equal((await FxAll.find(fromView.getPrimaryId())).bin, null);
  });
});

// ---- index keys -------------------------------------------------------------------------

test('index keys are the spec\'s golden strings, and queries find them', async () => {
  await inTenant(async (tenant) => {
    const one = await FxIdx.create({ s: 'Hello, World!', i: 42, f: 3.14, b: true, dt: DT, ttl: TTL_DATE });
    const two = await FxIdx.create({ s: 'neg', i: -7, f: -0.5, b: false, dt: new Date(1000) });
    const three = await FxIdx.create({ s: 'zero', i: 0, f: 0, b: false, dt: new Date(0) });

    const r1 = await rawFi(tenant, one.getPrimaryId());
    assert.deepEqual(r1._gsi1_pk, S(`[${tenant}]#fi#gsi1#00000000000000000042`));
    assert.deepEqual(r1._gsi1_sk, S('3.14000000000000012434e+0'));
    assert.deepEqual(r1._gsi2_pk, S(`[${tenant}]#fi#gsi2#fi`));
    assert.deepEqual(r1._gsi2_sk, S('1'));
    assert.deepEqual(r1._gsi3_pk, S(`[${tenant}]#fi#gsi3#Hello, World!`));
    assert.deepEqual(r1._gsi3_sk, S('00000001704164645678'));
    assert.deepEqual(r1._gsi4_pk, S(`[${tenant}]#fi#gsi4#Hello, World!`));
    // TTL sort key: DateTimeField.toGsi re-applies TtlField.toDy to the stored seconds, reading
    // them as milliseconds (spec §3.9 "as DateTimeField applied to the seconds value", §4.8):
    // 1893456000 s -> floor(1893456000 / 1000) -> padded. The original's stored form.
    assert.deepEqual(r1._gsi4_sk, S('00000000000001893456'));
    assert.deepEqual(r1.i, N(42));
    assert.deepEqual(r1.b, { BOOL: true });

    const r2 = await rawFi(tenant, two.getPrimaryId());
    assert.deepEqual(r2._gsi1_pk, S(`[${tenant}]#fi#gsi1#000000000000000000-7`));
    assert.deepEqual(r2._gsi1_sk, S('-5.00000000000000000000e-1'));
    assert.deepEqual(r2._gsi2_sk, S('0'));
    assert.deepEqual(r2._gsi3_sk, S('00000000000000001000'));
    assert.equal(r2._gsi4_pk, undefined, 'no ttl: that index is not written');

    const r3 = await rawFi(tenant, three.getPrimaryId());
    assert.deepEqual(r3._gsi1_pk, S(`[${tenant}]#fi#gsi1#00000000000000000000`));
    assert.deepEqual(r3._gsi1_sk, S('0.00000000000000000000e+0'));

    const ids = (res) => res.items.map((x) => x.getPrimaryId()).sort();
    assert.deepEqual(ids(await FxIdx.queryByIndex('byI', 42)), [one.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byI', 42, { f: 3.14 })), [one.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byI', -7, { f: -0.5 })), [two.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byI', 0)), [three.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byB', 'fi', { b: true })), [one.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byB', 'fi', { b: false })), [two, three].map((x) => x.getPrimaryId()).sort());
    assert.deepEqual(ids(await FxIdx.queryByIndex('byS', 'Hello, World!', { dt: DT })), [one.getPrimaryId()]);
    assert.deepEqual(ids(await FxIdx.queryByIndex('byTtl', 'Hello, World!', { ttl: TTL_DATE })), [one.getPrimaryId()]);
    assert.deepEqual(
      ids(await FxIdx.queryByIndex('byTtl', 'Hello, World!', { ttl: { $gt: new Date(TTL_DATE.getTime() - 1000) } })),
      [one.getPrimaryId()],
    );
  });
});

test('field.toGsi gives the same strings; Binary and StringSet toGsi throw ValidationError', () => {
  const F = FxIdx.fields;
  assert.equal(F.i.toGsi(42), '00000000000000000042');
  assert.equal(F.i.toGsi(-7), '000000000000000000-7');
  assert.equal(F.i.toGsi(0), '00000000000000000000');
  assert.equal(F.i.toGsi(null), '');
  assert.equal(F.f.toGsi(3.14), '3.14000000000000012434e+0');
  assert.equal(F.f.toGsi(-0.5), '-5.00000000000000000000e-1');
  assert.equal(F.f.toGsi(null), '');
  assert.equal(F.b.toGsi(true), '1');
  assert.equal(F.b.toGsi(false), '0');
  assert.equal(F.b.toGsi(null), '');
  assert.equal(F.dt.toGsi(DT), '00000001704164645678');
  assert.equal(F.dt.toGsi(DT.getTime()), '00000001704164645678');
  assert.equal(F.dt.toGsi(DT.toISOString()), '00000001704164645678');
  assert.equal(F.dt.toGsi(null), '0');
  // On a Date, TtlField.toDy runs once (-> seconds): not the stored key's form (see above).
  assert.equal(F.ttl.toGsi(TTL_DATE), '00000000001893456000');
  assert.equal(F.s.toGsi('Hello, World!'), 'Hello, World!');
  assert.equal(F.s.toGsi(null), 'null');
  assert.equal(F.id.toGsi('01M8AY2P3GC72ZHYKWVJ75N8PA'), '01M8AY2P3GC72ZHYKWVJ75N8PA');
  assert.equal(F.id.toGsi(null), '');
  const A = FxAll.fields;
  assert.equal(A.c.toGsi(5), '00000000000000000005');
  assert.equal(A.rel.toGsi('01M8AY2P3GC72ZHYKWVJ75N8PA'), '01M8AY2P3GC72ZHYKWVJ75N8PA');
  assert.equal(A.rel.toGsi(null), '');
  assert.equal(A.cd.toGsi(DT), '00000001704164645678');
  assert.equal(A.v.toGsi('01M8AY2P3GC72ZHYKWVJ75N8PA'), '01M8AY2P3GC72ZHYKWVJ75N8PA');

  assert.throws(() => F.bin.toGsi(Buffer.from([1])), (err) => {
    isValidation('BinaryField does not support GSI conversion')(err);
    return true;
  });
  assert.throws(() => F.tags.toGsi(new Set(['a'])), (err) => {
    isValidation('StringSetField does not support GSI conversion (sets cannot be indexed)')(err);
    return true;
  });
});

test('raw query items (returnWrapped: false) carry binary values as Buffers and sets as arrays', async () => {
  await inTenant(async () => {
    const x = await FxIdx.create({ s: 'raw', i: 1, f: 1, b: true, bin: Buffer.from([7, 8]), tags: ['m', 'n'] });
    const res = await FxIdx.queryByIndex('byI', 1, null, { returnWrapped: false });
    assert.equal(res.items.length, 1);
    const item = res.items[0];
    assert.equal(item.id, x.getPrimaryId());
    assert.ok(Array.isArray(item.tags), 'a string set is an array of strings in a raw item');
    assert.deepEqual([...item.tags].sort(), ['m', 'n']);
    assert.equal(item.i, 1);
    assert.equal(item.b, true);
    // DynamoBao's client unmarshalls B to a Buffer (spec §2.6), so raw items hold Buffers.
    assert.ok(Buffer.isBuffer(item.bin), `binary is a Buffer, got ${JSON.stringify(item.bin)}`);
    assert.deepEqual([...item.bin], [7, 8]);
  });
});

// ---- bad values ---------------------------------------------------------------------------

const BAD_VALUES = [
  [{ i: 'abc' }, /IntegerField/],
  [{ i: 2 ** 60 }, /IntegerField/],
  [{ i: 1.5 }, /IntegerField/],
  [{ i: Number.MAX_SAFE_INTEGER + 1 }, /IntegerField/],
  [{ f: 'abc' }, /FloatField/],
  [{ b: 'yes' }, 'BooleanField value must be a boolean'],
  [{ b: 1 }, 'BooleanField value must be a boolean'],
  [{ bin: 'not a buffer' }, 'BinaryField value must be a Buffer or Uint8Array'],
  [{ bin: [1, 2] }, 'BinaryField value must be a Buffer or Uint8Array'],
  [{ tags: ['a', 1] }, 'StringSetField can only contain string values'],
  [{ tags: 'abc' }, 'StringSetField value must be a Set or Array'],
  [{ lim: ['a', 'b', 'c'] }, 'StringSet exceeds maximum member count of 2'],
  [{ lim: ['abcd'] }, 'String in set exceeds maximum length of 3'],
  [{ dt: 'not a date' }, 'DateTimeField value must be a Date object, timestamp number, or ISO string'],
  [{ dt: {} }, 'DateTimeField value must be a Date object, timestamp number, or ISO string'],
  [{ c: 1.5 }, 'CounterField value must be an integer'],
  [{ v: 'short' }, 'VersionField value must be a valid ULID'],
  [{ rel: 123 }, 'Related field value must be a string ID or model instance'],
  [{ ttl: 'garbage' }, undefined],
];

test('bad values are ValidationErrors on create and write nothing', async () => {
  const marker = uid('bad');
  await inTenant(async () => {
    for (const [values, message] of BAD_VALUES) {
      await expectReject(() => FxAll.create({ s: marker, req: 'r', ...values }), (err) => {
        assert.ok(err instanceof exceptions.ValidationError, `${JSON.stringify(values)}: got ${err.name}: ${err.message}`);
        if (message !== undefined) isValidation(message)(err);
      });
    }
  });
  assert.deepEqual(await mentioning(marker), [], 'no row was written');
});

test('bad values are ValidationErrors on update and leave the row unchanged', async () => {
  await inTenant(async (tenant) => {
    const x = await FxAll.create({ s: 'keep', req: 'r', i: 1, b: true, tags: ['t'], bin: Buffer.from([1]) });
    const id = x.getPrimaryId();
    const before = await rawFx(tenant, id);
    await sleep(5);
    for (const [values, message] of BAD_VALUES) {
      await expectReject(() => FxAll.update(id, { s: 'changed', ...values }), (err) => {
        assert.ok(err instanceof exceptions.ValidationError, `${JSON.stringify(values)}: got ${err.name}: ${err.message}`);
        if (message !== undefined) isValidation(message)(err);
      });
    }
    // Through an instance too.
    const loaded = await FxAll.find(id);
    loaded.i = 'abc';
    await expectReject(() => loaded.save(), isValidation(/IntegerField/));
    assert.deepEqual(await rawFx(tenant, id), before, 'nothing changed (not even md or v)');
  });
});

test('a new instance stores every field, in field order, after any system keys it was given', () => {
  const names = Object.keys(FxManual.fields);
  const plain = new FxManual({ [names[0]]: 'x' });
  assert.deepEqual(Object.keys(plain._dyData), names);
  const withSystem = new FxManual({ _iter_sk: 'i', _pk: 'p', [names[0]]: 'x' });
  assert.deepEqual(Object.keys(withSystem._dyData), ['_iter_sk', '_pk', ...names]);
  assert.equal(withSystem._dyData._pk, 'p');
  assert.equal(Object.getPrototypeOf(plain._dyData), Object.prototype);
});
