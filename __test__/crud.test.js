'use strict';
/**
 * The model CRUD surface (spec §5.3-5.7), inside a tenant.
 *
 * Proves that create returns a live instance (field accessors, exists(), getPrimaryId());
 * find returns the same values with JS types (Date for date fields, integers, floats,
 * booleans, related ids as strings); static update returns the updated instance; instance
 * save() persists changes and resets hasChanges(), a save with nothing changed returns the
 * same instance without writing (the stored modified date does not move); a new instance can
 * be saved; static delete(id) and instance delete() remove the row; ModifiedDateField moves on
 * every write while CreateDateField does not; RelatedField stores the id string whether given
 * an instance or an id; composite and modelPrefix-keyed models round-trip; count() counts the
 * tenant's rows.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext } = require('..');
const { makeModels, initTenantModels } = require('./helpers/models');
const { rawGet } = require('./helpers/raw');
const { uid, sleep } = require('./helpers/ids');

const models = makeModels();
const { User, AllTypes, Comp, PkPrefix } = models;
const DT = new Date('2024-01-02T03:04:05.678Z');

before(() => {
  TenantContext.reset();
  initTenantModels(models);
});

/** Each test gets its own tenant; fn receives it. */
const inTenant = (fn) => {
  const tenant = uid('crud-');
  return TenantContext.runWithTenant(tenant, () => fn(tenant));
};

test('create returns an instance with accessors, exists() and getPrimaryId()', async () => {
  await inTenant(async () => {
    const user = await User.create({ name: 'Ada', email: 'ada@x.test' });
    assert.ok(user instanceof User);
    assert.equal(user.exists(), true);
    assert.equal(user.name, 'Ada');
    assert.equal(user.email, 'ada@x.test');
    assert.equal(user.status, 'active', 'defaultValue applied');
    assert.match(user.userId, /^[0-9A-HJKMNP-TV-Z]{26}$/, 'autoAssign ULID');
    assert.equal(user.getPrimaryId(), user.userId);
    assert.ok(user.createdAt instanceof Date);
    assert.ok(user.modifiedAt instanceof Date);
    assert.equal(user.hasChanges(), false);
  });
});

test('find returns equal values with JS types', async () => {
  await inTenant(async () => {
    const target = await User.create({ name: 'Target' });
    const created = await AllTypes.create({
      s: 'str',
      i: 42,
      f: 3.14,
      b: true,
      dt: DT,
      rel: target.getPrimaryId(),
    });
    const found = await AllTypes.find(created.getPrimaryId());
    assert.equal(found.exists(), true);
    assert.ok(found instanceof AllTypes);
    assert.equal(found.getPrimaryId(), created.getPrimaryId());
    assert.equal(found.id, created.id);
    assert.equal(found.s, 'str');
    assert.equal(found.i, 42);
    assert.ok(Number.isInteger(found.i));
    assert.equal(found.f, 3.14);
    assert.equal(found.b, true);
    assert.ok(found.dt instanceof Date);
    assert.equal(found.dt.getTime(), DT.getTime());
    assert.ok(found.cd instanceof Date);
    assert.equal(found.cd.getTime(), created.cd.getTime());
    assert.ok(found.md instanceof Date);
    assert.equal(found.rel, target.getPrimaryId());
    assert.equal(found.s2 ?? null, null, 'an omitted field reads back empty');

    // DateTime accepts a timestamp number and an ISO string as well.
    const fromNumber = await AllTypes.create({ s: 'n', i: 1, f: 0.25, b: false, dt: DT.getTime() });
    const fromIso = await AllTypes.create({ s: 'iso', i: 2, f: 0.75, b: false, dt: DT.toISOString() });
    for (const x of [fromNumber, fromIso]) {
      const again = await AllTypes.find(x.getPrimaryId());
      assert.ok(again.dt instanceof Date);
      assert.equal(again.dt.getTime(), DT.getTime());
      assert.equal(again.b, false);
    }
  });
});

test('static update returns the updated instance and keeps other fields', async () => {
  await inTenant(async () => {
    const user = await User.create({ name: 'Before', email: 'keep@x.test' });
    const updated = await User.update(user.getPrimaryId(), { name: 'After' });
    assert.equal(updated.name, 'After');
    assert.equal(updated.email, 'keep@x.test');
    assert.equal(updated.getPrimaryId(), user.getPrimaryId());
    assert.equal((await User.find(user.getPrimaryId())).name, 'After');
  });
});

test('instance save persists changes; hasChanges() resets', async () => {
  await inTenant(async (tenant) => {
    const user = await User.create({ name: 'Old' });
    const found = await User.find(user.getPrimaryId());
    // `_changes` is DynamoBao's Set of changed field names (its tests read it), made on first use.
    assert.ok(found._changes instanceof Set);
    assert.equal(found._changes.size, 0);
    found.name = 'x';
    assert.equal(found.hasChanges(), true);
    assert.deepEqual([...found._changes], ['name']);
    const saved = await found.save();
    assert.equal(saved, found, 'save returns the instance itself');
    assert.equal(found.hasChanges(), false);
    assert.equal(found._changes.size, 0);
    assert.equal(found.name, 'x');
    assert.equal((await User.find(user.getPrimaryId())).name, 'x');
    const raw = await rawGet(`[${tenant}]#u#${user.getPrimaryId()}`, 'u');
    assert.equal(raw.name.S, 'x');
  });
});

test('save with no changes returns the same instance and writes nothing', async () => {
  await inTenant(async (tenant) => {
    const user = await User.create({ name: 'Still' });
    const key = [`[${tenant}]#u#${user.getPrimaryId()}`, 'u'];
    const before = await rawGet(...key);
    await sleep(20);
    const found = await User.find(user.getPrimaryId());
    assert.equal(found.hasChanges(), false);
    const result = await found.save();
    assert.equal(result, found);
    const fromCreate = await user.save();
    assert.equal(fromCreate, user);
    const after = await rawGet(...key);
    assert.deepEqual(after, before, 'no write happened (modifiedAt unchanged)');
  });
});

test('a new instance can be saved', async () => {
  await inTenant(async () => {
    const user = new User({ name: 'Fresh', email: 'fresh@x.test' });
    assert.equal(user.name, 'Fresh');
    const saved = await user.save();
    assert.equal(saved, user);
    assert.equal(user.hasChanges(), false);
    const found = await User.find(user.getPrimaryId());
    assert.equal(found.exists(), true);
    assert.equal(found.name, 'Fresh');
    assert.equal(found.status, 'active');
  });
});

test('static delete(id) and instance delete() remove the row', async () => {
  await inTenant(async (tenant) => {
    const a = await User.create({ name: 'A' });
    const b = await User.create({ name: 'B' });
    const deleted = await User.delete(a.getPrimaryId());
    assert.equal(deleted.getPrimaryId(), a.getPrimaryId(), 'static delete returns the deleted item');
    assert.equal((await User.find(a.getPrimaryId())).exists(), false);
    assert.equal(await rawGet(`[${tenant}]#u#${a.getPrimaryId()}`, 'u'), null);

    const loaded = await User.find(b.getPrimaryId());
    await loaded.delete();
    assert.equal((await User.find(b.getPrimaryId())).exists(), false);
    assert.equal(await rawGet(`[${tenant}]#u#${b.getPrimaryId()}`, 'u'), null);
  });
});

test('ModifiedDateField moves on update and save; CreateDateField does not', async () => {
  await inTenant(async () => {
    const user = await User.create({ name: 'Dates' });
    const cd = user.createdAt.getTime();
    const md0 = user.modifiedAt.getTime();
    await sleep(25);
    const updated = await User.update(user.getPrimaryId(), { name: 'Dates 2' });
    assert.equal(updated.createdAt.getTime(), cd);
    assert.ok(updated.modifiedAt.getTime() > md0, 'modifiedAt advanced on update');
    const md1 = updated.modifiedAt.getTime();
    await sleep(25);
    updated.name = 'Dates 3';
    await updated.save();
    const found = await User.find(user.getPrimaryId());
    assert.equal(found.name, 'Dates 3');
    assert.equal(found.createdAt.getTime(), cd);
    assert.ok(found.modifiedAt.getTime() > md1, 'modifiedAt advanced on save');
  });
});

test('RelatedField stores the id string given an instance or an id', async () => {
  await inTenant(async (tenant) => {
    const owner = await User.create({ name: 'Owner' });
    const viaInstance = await AllTypes.create({ s: 'r1', i: 1, f: 1.5, b: true, dt: DT, rel: owner });
    const viaId = await AllTypes.create({ s: 'r2', i: 2, f: 2.5, b: true, dt: DT, rel: owner.getPrimaryId() });
    for (const x of [viaInstance, viaId]) {
      assert.equal(x.rel, owner.getPrimaryId());
      const raw = await rawGet(`[${tenant}]#at#${x.getPrimaryId()}`, 'at');
      assert.deepEqual(raw.rel, { S: owner.getPrimaryId() });
      assert.equal((await AllTypes.find(x.getPrimaryId())).rel, owner.getPrimaryId());
    }
  });
});

test('composite key model: create, find (id and object form), update, delete', async () => {
  await inTenant(async () => {
    const c = await Comp.create({ a: 'alpha', n: 7, label: 'one' });
    const pid = c.getPrimaryId();
    assert.equal(pid, 'alpha##__SK__##00000000000000000007');
    assert.equal((await Comp.find(pid)).label, 'one');
    assert.equal((await Comp.find({ a: 'alpha', n: 7 })).label, 'one');
    const updated = await Comp.update(pid, { label: 'two' });
    assert.equal(updated.label, 'two');
    assert.equal(updated.n, 7);
    await Comp.delete(pid);
    assert.equal((await Comp.find(pid)).exists(), false);
  });
});

test('modelPrefix-keyed model: create, find, update, delete', async () => {
  await inTenant(async () => {
    const p = await PkPrefix.create({ k: 'key1', v: 'one' });
    assert.equal(p.getPrimaryId(), 'key1');
    assert.equal((await PkPrefix.find('key1')).v, 'one');
    assert.equal((await PkPrefix.update('key1', { v: 'two' })).v, 'two');
    await PkPrefix.delete('key1');
    assert.equal((await PkPrefix.find('key1')).exists(), false);
  });
});

test('count() counts the tenant\'s rows; queryByIndex returns {items, count}', async () => {
  await inTenant(async () => {
    assert.equal((await User.count()).count, 0);
    const users = [];
    for (const name of ['c1', 'c2', 'c3']) users.push(await User.create({ name }));
    assert.equal((await User.count()).count, 3);
    await users[0].delete();
    assert.equal((await User.count()).count, 2);
    const res = await User.queryByIndex('byStatus', 'active');
    assert.equal(res.count, res.items.length);
    assert.deepEqual(
      res.items.map((u) => u.getPrimaryId()).sort(),
      users.slice(1).map((u) => u.getPrimaryId()).sort(),
    );
    const counted = await User.queryByIndex('byStatus', 'active', null, { countOnly: true });
    assert.equal(counted.count, 2);
  });
});
