'use strict';
/**
 * Validation and error surface of writes and reads.
 *
 * Proves that bad field values (a string for an IntegerField, a non-boolean for a
 * BooleanField, a bad ULID, a bad DateTime / Related value), unknown field names and missing
 * required fields are rejected with the spec's error classes and messages (§4, §5.7, §7)
 * and write nothing (raw scan for a unique marker; updated rows stay unchanged); that
 * update/delete of a missing id give ItemNotFoundError without creating a row, a duplicate
 * create gives ConditionalError "Condition check failed" and leaves the original intact, and
 * find of a missing id resolves to an object whose exists() is false.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext, exceptions } = require('..');
const { makeModels, initTenantModels, config } = require('./helpers/models');
const { mentioning, rawGet } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');
const { expectReject } = require('./helpers/expect');

const models = makeModels();
const { User, AllTypes, Comp, PkPrefix } = models;
const DT = new Date('2024-01-02T03:04:05.678Z');

before(() => {
  TenantContext.reset();
  initTenantModels(models);
});

/** Runs fn inside a fresh tenant; returns [tenant, result]. */
async function inFreshTenant(fn) {
  const tenant = uid('val-');
  return [tenant, await TenantContext.runWithTenant(tenant, () => fn(tenant))];
}

function isA(Class, message) {
  return (err) => {
    assert.ok(err instanceof Class, `expected ${Class.name}, got ${err && err.name}: ${err && err.message}`);
    assert.equal(err.name, Class.name);
    if (message !== undefined) assert.equal(err.message, message);
  };
}

test('a string for an IntegerField is a ValidationError (create and update) and writes nothing', async () => {
  const marker = uid('v');
  const [tenant, id] = await inFreshTenant(async () => {
    await expectReject(
      () => AllTypes.create({ s: marker, i: 'abc', f: 1.5, b: true, dt: DT }),
      isA(exceptions.ValidationError),
    );
    const ok = await AllTypes.create({ s: `${marker}-ok`, i: 5, f: 1.5, b: true, dt: DT });
    await expectReject(() => AllTypes.update(ok.getPrimaryId(), { i: 'abc' }), isA(exceptions.ValidationError));
    return ok.getPrimaryId();
  });
  const rows = await mentioning(marker);
  assert.deepEqual(rows.map((r) => r.s), [`${marker}-ok`], 'only the valid row exists');
  const row = await rawGet(`[${tenant}]#at#${id}`, 'at');
  assert.deepEqual(row.i, { N: '5' }, 'the failed update changed nothing');
});

test('a model constructed from null is a ValidationError, not a TypeError from inside the constructor', () => {
  assert.throws(() => new User(null), (err) => {
    isA(exceptions.ValidationError, 'User takes an object of field values, not null')(err);
    return true;
  });
  // undefined is the default: an empty instance.
  assert.equal(new User(undefined).hasChanges(), false);
});

test('an unknown field name is refused on create and update, naming the field', async () => {
  const marker = uid('v');
  const check = (err) => {
    assert.ok(
      err instanceof exceptions.ConfigurationError || err instanceof exceptions.ValidationError,
      `expected ConfigurationError or ValidationError, got ${err.name}: ${err.message}`,
    );
    assert.match(err.message, /nickname/);
  };
  const [tenant, id] = await inFreshTenant(async () => {
    await expectReject(() => User.create({ name: marker, nickname: 'x' }), check);
    const ok = await User.create({ name: `${marker}-ok` });
    await expectReject(() => User.update(ok.getPrimaryId(), { name: `${marker}-changed`, nickname: 'x' }), check);
    return ok.getPrimaryId();
  });
  const rows = await mentioning(marker);
  assert.deepEqual(rows.map((r) => r.name), [`${marker}-ok`]);
  assert.equal(rows[0]._pk, `[${tenant}]#u#${id}`);
  assert.equal(rows[0].nickname, undefined);
});

test('a missing required field: ValidationError "Field is required: name"', async () => {
  const marker = uid('v');
  await inFreshTenant(() =>
    expectReject(
      () => User.create({ email: `${marker}@x.test` }),
      (err) => {
        isA(exceptions.ValidationError, 'Field is required: name')(err);
        assert.equal(err.fieldName, 'name');
      },
    ),
  );
  assert.deepEqual(await mentioning(marker), []);
});

test('a non-boolean for a BooleanField: "BooleanField value must be a boolean"', async () => {
  const marker = uid('v');
  await inFreshTenant(() =>
    expectReject(
      () => AllTypes.create({ s: marker, i: 1, f: 1.5, b: 'yes', dt: DT }),
      isA(exceptions.ValidationError, 'BooleanField value must be a boolean'),
    ),
  );
  assert.deepEqual(await mentioning(marker), []);
});

test('an invalid ULID: "Invalid ULID format"', async () => {
  const marker = uid('v');
  await inFreshTenant(async () => {
    for (const bad of ['not-a-ulid', ulid().toLowerCase(), `${ulid()}X`]) {
      await expectReject(
        () => AllTypes.create({ id: bad, s: marker, i: 1, f: 1.5, b: true, dt: DT }),
        isA(exceptions.ValidationError, 'Invalid ULID format'),
      );
      await expectReject(
        () => User.create({ userId: bad, name: marker }),
        isA(exceptions.ValidationError, 'Invalid ULID format'),
      );
    }
  });
  assert.deepEqual(await mentioning(marker), []);
});

test('bad DateTime and Related values are ValidationErrors with the original messages', async () => {
  const marker = uid('v');
  await inFreshTenant(async () => {
    await expectReject(
      () => AllTypes.create({ s: marker, i: 1, f: 1.5, b: true, dt: { when: 'now' } }),
      isA(exceptions.ValidationError, 'DateTimeField value must be a Date object, timestamp number, or ISO string'),
    );
    await expectReject(
      () => AllTypes.create({ s: marker, i: 1, f: 1.5, b: true, dt: DT, rel: 42 }),
      isA(exceptions.ValidationError, 'Related field value must be a string ID or model instance'),
    );
  });
  assert.deepEqual(await mentioning(marker), []);
});

test('update / delete of a missing id: ItemNotFoundError, and no row is created', async () => {
  const missing = ulid();
  const [tenant] = await inFreshTenant(async () => {
    await expectReject(() => User.update(missing, { name: 'ghost' }), (err) => {
      isA(exceptions.ItemNotFoundError, 'Item not found')(err);
      assert.equal(err.primaryId, missing);
    });
    await expectReject(() => User.delete(missing), isA(exceptions.ItemNotFoundError, 'Item not found'));
  });
  assert.equal(await rawGet(`[${tenant}]#u#${missing}`, 'u'), null, 'update did not upsert');
});

test('an id string spelled differently from its key (extra ##__SK__## parts) is refused by update and delete', async () => {
  const marker = uid('canon');
  await inFreshTenant(async () => {
    const user = await User.create({ name: marker });
    const id = user.getPrimaryId();
    const junk = `${id}##__SK__##junk`;
    const refused = (err) => {
      isA(exceptions.ValidationError)(err);
      assert.equal(err.message, `primaryId "${junk}" is not a User id: its key's id is "${id}"`);
    };
    await expectReject(() => User.update(junk, { name: `${marker} changed` }), refused);
    await expectReject(() => User.delete(junk), refused);
    assert.equal((await User.find(id)).name, marker, 'the item is unchanged');
  });
  const rows = await mentioning(marker);
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows[0]).includes('junk'), 'nothing was written with the junk id');
});

test('create of a duplicate id: ConditionalError "Condition check failed", original intact', async () => {
  const userId = ulid();
  const marker = uid('v');
  const [tenant] = await inFreshTenant(async () => {
    await User.create({ userId, name: `${marker}-first` });
    await expectReject(
      () => User.create({ userId, name: `${marker}-second` }),
      isA(exceptions.ConditionalError, 'Condition check failed'),
    );
    const id = ulid();
    await AllTypes.create({ id, s: `${marker}-at`, i: 1, f: 1.5, b: true, dt: DT });
    await expectReject(
      () => AllTypes.create({ id, s: `${marker}-at2`, i: 2, f: 2.5, b: false, dt: DT }),
      isA(exceptions.ConditionalError, 'Condition check failed'),
    );
  });
  const row = await rawGet(`[${tenant}]#u#${userId}`, 'u');
  assert.equal(row.name.S, `${marker}-first`);
  const rows = await mentioning(marker);
  assert.deepEqual(rows.map((r) => r.name || r.s).sort(), [`${marker}-at`, `${marker}-first`]);
});

test('find of a missing id resolves to a not-found object (exists() === false)', async () => {
  await inFreshTenant(async () => {
    const missing = await User.find(ulid());
    assert.equal(missing.exists(), false);
    const missingAt = await AllTypes.find(ulid());
    assert.equal(missingAt.exists(), false);
  });
});

// ---- bad input that used to be accepted (a dynamic audit of this session) ---------------

/** AllTypes values for every index key field (an empty GSI key part cannot be written). */
const FULL = { i: 1, f: 1.5, b: true, dt: DT };

test('a condition, filter or count filter that is not an object is refused, and nothing is written', async () => {
  const marker = uid('cond');
  const [, id] = await inFreshTenant(async () => {
    const row = await AllTypes.create({ ...FULL, s: marker });
    const rowId = row.getPrimaryId();
    const refused = isA(exceptions.ValidationError, "A filter or condition must be an object in DynamoBao's filter syntax, e.g. { status: 'active' }");
    await expectReject(() => AllTypes.delete(rowId, { condition: 'attribute_not_exists(i)' }), refused);
    await expectReject(() => AllTypes.update(rowId, { s: `${marker} changed` }, { condition: 'i = 999' }), refused);
    await expectReject(() => AllTypes.update(rowId, { s: `${marker} changed` }, { condition: ['i'] }), refused);
    await expectReject(() => AllTypes.queryByIndex('byS', marker, null, { filter: 'i = 999' }), refused);
    await expectReject(() => AllTypes.count('i = 999'), refused);
    return rowId;
  });
  const rows = await mentioning(marker);
  assert.deepEqual(rows.map((r) => [r.id, r.s]), [[id, marker]], 'the row is there, unchanged');
});

test('values JSON cannot carry (a symbol, a function, NaN, Infinity, an invalid Date) are refused', async () => {
  const marker = uid('lost');
  const [, row] = await inFreshTenant(async () => {
    await expectReject(() => User.create({ name: Symbol(marker) }), isA(exceptions.ValidationError, 'Field name cannot store a symbol'));
    await expectReject(() => User.create({ name: () => marker }), isA(exceptions.ValidationError, 'Field name cannot store a function'));
    const made = await AllTypes.create({ ...FULL, s: marker });
    const id = made.getPrimaryId();
    await expectReject(() => AllTypes.update(id, { s: Infinity }), isA(exceptions.ValidationError, 'Field s cannot store Infinity'));
    await expectReject(() => AllTypes.update(id, { f: NaN }), isA(exceptions.ValidationError));
    await expectReject(() => AllTypes.update(id, { dt: new Date('nope') }), isA(exceptions.ValidationError));
    await expectReject(() => AllTypes.update(id, { dt: Infinity }), isA(exceptions.ValidationError));
    return AllTypes.find(id);
  });
  assert.equal(row.s, marker);
  assert.equal(row.dt.getTime(), DT.getTime(), 'the date is still there');
  assert.equal((await mentioning(marker)).length, 1, 'no User was created');
});

test('key values that would collide or not round-trip are refused: objects, arrays, the id separator', async () => {
  const marker = uid('keyv');
  await inFreshTenant(async () => {
    const refused = isA(exceptions.ValidationError, 'A value used in a key must be a string, number or boolean, not an object or array');
    await expectReject(() => Comp.create({ a: { x: marker }, n: 1 }), refused);
    await expectReject(() => Comp.create({ a: [marker], n: 2 }), refused);
    await expectReject(() => AllTypes.create({ ...FULL, s: { x: marker } }), refused);
    await expectReject(
      () => PkPrefix.create({ k: `a##__SK__##${marker}` }),
      isA(exceptions.ValidationError, 'PkPrefix: a key value may not contain "##__SK__##", which separates the parts of an id'),
    );
  });
  assert.deepEqual(await mentioning(marker), [], 'nothing was written');
});

test('an optional DateTimeField left out of a new instance saves; null clears it', async () => {
  await inFreshTenant(async () => {
    const made = await new AllTypes({ s: 'no date', i: 1, f: 1.5, b: true }).save();
    assert.equal((await AllTypes.find(made.getPrimaryId())).dt, null);
    await AllTypes.update(made.getPrimaryId(), { dt: DT });
    await AllTypes.update(made.getPrimaryId(), { dt: null });
    assert.equal((await AllTypes.find(made.getPrimaryId())).dt, null);
  });
});

test('a filter nesting one condition in $or twice is accepted by DynamoDB (no redundant parentheses)', async () => {
  await inFreshTenant(async () => {
    const s = uid('nest');
    await AllTypes.create({ ...FULL, s, i: 1 });
    await AllTypes.create({ ...FULL, s, i: 2 });
    const page = await AllTypes.queryByIndex('byS', s, null, { filter: { $or: [{ $or: [{ i: 1 }] }] } });
    assert.deepEqual(page.items.map((x) => x.i), [1]);
    const both = await AllTypes.queryByIndex('byS', s, null, { filter: { $and: [{ i: { $gt: 0 } }, { $or: [{ i: 2 }] }] } });
    assert.deepEqual(both.items.map((x) => x.i), [2]);
    await expectReject(() => AllTypes.queryByIndex('byS', s, null, { filter: { $or: [] } }), isA(exceptions.QueryError, '$or requires at least one non-empty condition'));
  });
});

test('configs that cannot work are refused: tenancy of the wrong type, a field that is not a field, a prefix with #, one GSI twice', () => {
  const { initModels, BaoModel, PrimaryKeyConfig, IndexConfig, fields } = require('..');
  const fresh = () => makeModels();
  // A tenant each: every refusal below starts from a fresh manager.
  let n = 0;
  const inBoot = (fn) => TenantContext.runWithTenant(`boot-refused-${n++}`, fn);
  const refused = (message) => (err) => {
    assert.ok(err instanceof exceptions.ConfigurationError, `${err.name}: ${err.message}`);
    assert.match(err.message, message);
    return true;
  };
  assert.throws(() => inBoot(() => initModels({ ...config(fresh()), tenancy: true })), refused(/tenancy must be an object/));
  assert.throws(() => inBoot(() => initModels({ ...config(fresh()), tenancy: { enabled: 'yes' } })), refused(/tenancy.enabled must be true or false/));
  class Raw extends BaoModel {
    static modelPrefix = 'rw';
    static fields = { a: 'string' };
    static primaryKey = PrimaryKeyConfig('a');
  }
  assert.throws(() => inBoot(() => initModels(config({ Raw }))), refused(/Field a in Raw must be a field/));
  class Hash extends BaoModel {
    static modelPrefix = 'u#x';
    static fields = { a: fields.StringField() };
    static primaryKey = PrimaryKeyConfig('a');
  }
  assert.throws(() => inBoot(() => initModels(config({ Hash }))), refused(/modelPrefix "u#x" may not contain/));
  class Twice extends BaoModel {
    static modelPrefix = 'tw';
    static fields = { a: fields.StringField(), b: fields.StringField() };
    static primaryKey = PrimaryKeyConfig('a');
    static indexes = { x: IndexConfig('a', 'b', 'gsi1'), y: IndexConfig('b', 'a', 'gsi1') };
  }
  assert.throws(() => inBoot(() => initModels(config({ Twice }))), refused(/Indexes 'x' and 'y' in Twice both use index ID gsi1/));
});

test('a refused initModels or registerModel leaves the manager as it was: the next initModels works', async () => {
  const { initModels, BaoModel, PrimaryKeyConfig } = require('..');
  const { User: Good } = makeModels();
  class Bad extends BaoModel {
    static modelPrefix = 'bd';
    static fields = { a: 'string' };
    static primaryKey = PrimaryKeyConfig('a');
  }
  const tenant = uid('boot-atomic-');
  await TenantContext.runWithTenant(tenant, async () => {
    assert.throws(() => initModels(config({ Good, Bad })), /Field a in Bad must be a field/);
    const manager = initModels(config({ Good }));
    assert.deepEqual(manager.listModels(), ['User'], 'the refused class was not kept');
    assert.equal((await Good.create({ name: 'after a refused init' })).name, 'after a refused init');

    assert.throws(() => manager.registerModel(Bad), /Field a in Bad must be a field/);
    assert.deepEqual(manager.listModels(), ['User']);

    // A refused config changes nothing that the last accepted one set.
    assert.throws(() => initModels({ ...config({ Good }), db: { tableName: 'other' }, tenancy: { enabled: true, credentials: 'x' } }), /tenancy.credentials must be a function/);
    assert.equal(manager.tableName, config({}).db.tableName);
    assert.equal(Good._db, manager._db);
    assert.equal((await Good.create({ name: 'still the same table' })).name, 'still the same table');
  });
});

test('without a table name an operation fails with CONFIGURATION, not as a network error', async () => {
  const { initModels } = require('..');
  const { User: NoTable } = makeModels();
  TenantContext.runWithTenant('boot', () => initModels({ ...config({ User: NoTable }), db: { tableName: '' } }));
  await inFreshTenant(() =>
    expectReject(() => NoTable.find(ulid()), (err) => {
      assert.equal(err.code, 'CONFIGURATION');
      assert.match(err.message, /No table name is configured/);
    }),
  );
});
