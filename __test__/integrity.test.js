'use strict';
/**
 * Data integrity under concurrency (spec §3.7, §5.7, §5.9, §5.10, §6), inside tenants.
 *
 * Proves:
 * - unique constraints: 20 simultaneous creates with one email in one tenant give exactly one
 *   success and 19 ConditionalErrors, one constraint item and one user row; the same email in
 *   two tenants succeeds in both, with one constraint item under each tenant's prefix;
 *   changing the email releases the old value (its item is gone, another user can take it)
 *   and claims the new one; deleting the owner removes its constraint item;
 *   findByUniqueConstraint finds the owner, is exact (case-sensitive) and tenant-scoped;
 *   an update that would steal another user's value is refused and writes nothing; 10 users
 *   racing to update to one email: one wins;
 * - optimistic locking: 20 simultaneous `save({condition: {version}})` of one loaded item give
 *   exactly one success and 19 ConditionalErrors ("Condition check failed"), the stored row
 *   holds the winner's change and a new version; three rounds, reloading between them;
 *   a conditional update with a stale version is refused;
 * - CounterField: 100 concurrent `update(id, {views: '+1'})` end at exactly +100; '-n' works;
 *   a counter update of a missing id is ItemNotFoundError and creates no phantom row;
 * - conditional delete: a false condition is refused ("Delete condition not met") and the row
 *   (and, for a model with a unique constraint, its constraint item) stays; a true one deletes;
 * - related objects: getOrLoadRelatedField loads once and caches (same object on the second
 *   call), getRelated / clearRelatedCache / loadRelatedData, a dangling reference gives
 *   ObjectNotFound, queryByIndex `loadRelated` and `relatedOnly`; in a batch context two items
 *   pointing at the same user share one user object;
 * - the raw document client (`Model.documentClient`) runs as the current tenant: a Get/Query of
 *   the tenant's own keys works; Get/Update/Delete/Query on another tenant's keys (including a
 *   tenant whose id extends this one's) are refused with "outside the current tenant" and
 *   write nothing (checked with an independent raw client); BatchGet/TransactWrite on another
 *   tenant's keys are refused too; without a tenant every data command rejects with
 *   TENANT_REQUIRED while DescribeTable works; an own-tenant Query whose key condition writes
 *   AND in lower case or after a line break is sent (DynamoDB keywords are case-insensitive);
 *   an UpdateItem / TransactWrite Put on an own key cannot write another tenant's `_gsiN_pk`
 *   (which would plant the item in that tenant's index query results).
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const {
  initModels,
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  TenantContext,
  fields,
  exceptions,
  constants,
  runWithBatchContext,
} = require('..');
const {
  GetCommand,
  QueryCommand,
  UpdateCommand,
  DeleteCommand,
  BatchGetCommand,
  TransactWriteCommand,
  DescribeTableCommand,
} = require('../lib/dynamodb-client.js');
const { config } = require('./helpers/models');
const { rawScanItems, rawGet, rawPut, mentioning, unmarshall } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');
const { expectReject, isTenantRequired } = require('./helpers/expect');

const { UlidField, StringField, IntegerField, VersionField, CounterField, RelatedField, CreateDateField } = fields;

class IgUser extends BaoModel {
  static modelPrefix = 'igu';
  static fields = {
    userId: UlidField({ autoAssign: true }),
    name: StringField({ required: true }),
    email: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('userId');
  static uniqueConstraints = {
    uniqueEmail: UniqueConstraintConfig('email', constants.UNIQUE_CONSTRAINT_ID1),
  };
}

class IgDoc extends BaoModel {
  static modelPrefix = 'igd';
  static fields = {
    docId: UlidField({ autoAssign: true }),
    title: StringField(),
    status: StringField({ defaultValue: 'open' }),
    ownerId: RelatedField('IgUser'),
    version: VersionField(),
    views: CounterField(),
    createdAt: CreateDateField(),
  };
  static primaryKey = PrimaryKeyConfig('docId');
  static indexes = { byOwner: IndexConfig('ownerId', 'createdAt', 'gsi1') };
}

/** A unique number, which may be 0. */
class IgSeat extends BaoModel {
  static modelPrefix = 'igs';
  static fields = { seatId: UlidField({ autoAssign: true }), seat: IntegerField() };
  static primaryKey = PrimaryKeyConfig('seatId');
  static uniqueConstraints = { uniqueSeat: UniqueConstraintConfig('seat', constants.UNIQUE_CONSTRAINT_ID1) };
}

before(() => {
  TenantContext.reset();
  TenantContext.setCurrentTenant('ig-boot');
  try {
    initModels(config({ IgUser, IgDoc, IgSeat }));
  } finally {
    TenantContext.clearTenant();
  }
});

const inT = (tenant, fn) => TenantContext.runWithTenant(tenant, fn);
const ucKey = (tenant, email) => `[${tenant}]#_raft_uc#_uc1#igu#email:${email}`;
const userKey = (tenant, id) => ({ _pk: `[${tenant}]#igu#${id}`, _sk: 'igu' });
const docKey = (tenant, id) => ({ _pk: `[${tenant}]#igd#${id}`, _sk: 'igd' });
/** A doc with A's table key but B's byOwner partition: what a planting write carries. */
const plantedDoc = (A, B, id, title, ownerId) => ({
  ...docKey(A, id),
  docId: id,
  title,
  ownerId,
  _gsi1_pk: `[${B}]#igd#gsi1#${ownerId}`,
  _gsi1_sk: '00000000000000000001',
});

function isConditional(err, message) {
  assert.ok(err instanceof exceptions.ConditionalError, `expected a ConditionalError, got ${err && err.name}: ${err && err.message}`);
  assert.equal(err.name, 'ConditionalError');
  if (message instanceof RegExp) assert.match(err.message, message);
  else if (message) assert.equal(err.message, message);
}

const UNIQUE_CLASH = /^(email must be unique|Transaction cancelled due to condition check failure)$/;

function split(settled) {
  const ok = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = settled.filter((s) => s.status === 'rejected').map((s) => s.reason);
  return { ok, failed };
}

/** Plain items of the whole table whose _pk is the given constraint key. */
async function constraintItems(filter) {
  return rawScanItems((item) => item._sk === '_raft_uc' && filter(item));
}

// ---- unique constraints ---------------------------------------------------

test('20 simultaneous creates with one email: one wins, 19 ConditionalErrors, one constraint item', async () => {
  const T = uid('igrace-');
  const email = `${uid('race')}@x.test`;
  const settled = await inT(T, () =>
    Promise.allSettled(Array.from({ length: 20 }, (_, i) => IgUser.create({ name: `racer-${i}`, email }))),
  );
  const { ok, failed } = split(settled);
  assert.equal(ok.length, 1, `exactly one create succeeds (got ${ok.length})`);
  assert.equal(failed.length, 19);
  for (const err of failed) isConditional(err, UNIQUE_CLASH);
  const winner = ok[0];
  assert.equal(winner.email, email);

  const items = await constraintItems((item) => item._pk.endsWith(`email:${email}`));
  assert.equal(items.length, 1, 'one constraint item for the value');
  const [uc] = items;
  assert.equal(uc._pk, ucKey(T, email));
  assert.equal(uc.uniqueValue, uc._pk);
  assert.equal(uc.relatedId, winner.getPrimaryId());
  assert.equal(uc.relatedModel, 'IgUser');
  assert.equal(uc._gsi_test_id, T);

  const rows = await rawScanItems((item) => item._pk.startsWith(`[${T}]#igu#`));
  assert.equal(rows.length, 1, 'the losers wrote no user row');
  assert.equal(rows[0].userId, winner.getPrimaryId());
  assert.equal(rows[0].email, email);
});

test('the same email in two tenants succeeds in both, one constraint item under each prefix', async () => {
  const A = uid('iguA-');
  const B = uid('iguB-');
  const email = `${uid('shared')}@x.test`;
  const [ua, ub] = await Promise.all([
    inT(A, () => IgUser.create({ name: 'in A', email })),
    inT(B, () => IgUser.create({ name: 'in B', email })),
  ]);
  const items = await constraintItems((item) => item._pk.endsWith(`email:${email}`));
  assert.equal(items.length, 2);
  const byPk = new Map(items.map((i) => [i._pk, i]));
  assert.ok(byPk.has(ucKey(A, email)), 'constraint item under A');
  assert.ok(byPk.has(ucKey(B, email)), 'constraint item under B');
  assert.equal(byPk.get(ucKey(A, email)).relatedId, ua.getPrimaryId());
  assert.equal(byPk.get(ucKey(A, email))._gsi_test_id, A);
  assert.equal(byPk.get(ucKey(B, email)).relatedId, ub.getPrimaryId());
  assert.equal(byPk.get(ucKey(B, email))._gsi_test_id, B);

  // Each tenant still enforces the constraint on its own.
  await inT(A, () => expectReject(() => IgUser.create({ name: 'dup A', email }), (e) => isConditional(e, UNIQUE_CLASH)));
});

test('changing the email releases the old value; deleting the owner removes its constraint item', async () => {
  const T = uid('igchg-');
  const e1 = `${uid('old')}@x.test`;
  const e2 = `${uid('new')}@x.test`;
  await inT(T, async () => {
    const user = await IgUser.create({ name: 'mover', email: e1 });
    assert.ok(await rawGet(ucKey(T, e1), '_raft_uc'), 'old value claimed');

    const loaded = await IgUser.find(user.getPrimaryId());
    loaded.email = e2;
    await loaded.save();
    assert.equal(await rawGet(ucKey(T, e1), '_raft_uc'), null, 'old constraint item gone');
    const uc2 = await rawGet(ucKey(T, e2), '_raft_uc');
    assert.ok(uc2, 'new constraint item present');
    assert.equal(uc2.relatedId.S, user.getPrimaryId());
    assert.equal(unmarshall(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu')).email, e2);

    // The released value can be taken by someone else; the new one cannot.
    const other = await IgUser.create({ name: 'taker', email: e1 });
    assert.equal((await rawGet(ucKey(T, e1), '_raft_uc')).relatedId.S, other.getPrimaryId());
    await expectReject(() => IgUser.create({ name: 'late', email: e2 }), (e) => isConditional(e, UNIQUE_CLASH));

    // Static update to a value another user owns is refused and changes nothing.
    await expectReject(
      () => IgUser.update(user.getPrimaryId(), { email: e1 }),
      (e) => isConditional(e, UNIQUE_CLASH),
    );
    assert.equal(unmarshall(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu')).email, e2);
    assert.equal((await rawGet(ucKey(T, e1), '_raft_uc')).relatedId.S, other.getPrimaryId());
    assert.equal((await rawGet(ucKey(T, e2), '_raft_uc')).relatedId.S, user.getPrimaryId());

    // Setting the field to null releases the value.
    await IgUser.update(other.getPrimaryId(), { email: null });
    assert.equal(await rawGet(ucKey(T, e1), '_raft_uc'), null, 'null releases the value');

    // Delete removes the row and its constraint item.
    await IgUser.delete(user.getPrimaryId());
    assert.equal(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu'), null, 'row deleted');
    assert.equal(await rawGet(ucKey(T, e2), '_raft_uc'), null, 'constraint item deleted with the row');
    const again = await IgUser.create({ name: 'reuse', email: e2 });
    assert.equal((await rawGet(ucKey(T, e2), '_raft_uc')).relatedId.S, again.getPrimaryId());
  });
  const leftovers = await constraintItems((item) => item._pk.startsWith(`[${T}]#`));
  assert.deepEqual(leftovers.map((i) => i._pk).sort(), [ucKey(T, e2)], 'no stale constraint items in the tenant');
});

test('10 users racing to update to one email: one wins, one constraint item', async () => {
  const T = uid('igupd-');
  const email = `${uid('upd')}@x.test`;
  await inT(T, async () => {
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => IgUser.create({ name: `u${i}` })));
    const settled = await Promise.allSettled(users.map((u) => IgUser.update(u.getPrimaryId(), { email })));
    const { ok, failed } = split(settled);
    assert.equal(ok.length, 1, `exactly one update succeeds (got ${ok.length})`);
    for (const err of failed) isConditional(err, UNIQUE_CLASH);
    const items = await constraintItems((item) => item._pk === ucKey(T, email));
    assert.equal(items.length, 1);
    assert.equal(items[0].relatedId, ok[0].getPrimaryId());
    const rows = await rawScanItems((item) => item._pk.startsWith(`[${T}]#igu#`) && item.email === email);
    assert.deepEqual(rows.map((r) => r.userId), [ok[0].getPrimaryId()], "only the winner's row has the email");
  });
});

test('a unique value of 0 is released when it changes and when its owner is deleted', async () => {
  const T = uid('igz-');
  const seatItems = () => rawScanItems((i) => i._pk.startsWith(`[${T}]#_raft_uc#_uc1#igs#seat:`)).then((r) => r.map((i) => i._pk).sort());
  await inT(T, async () => {
    const a = await IgSeat.create({ seat: 0 });
    await IgSeat.update(a.getPrimaryId(), { seat: 1 });
    assert.deepEqual(await seatItems(), [`[${T}]#_raft_uc#_uc1#igs#seat:1`], '0 was released');
    const b = await IgSeat.create({ seat: 0 });
    await b.delete();
    assert.deepEqual(await seatItems(), [`[${T}]#_raft_uc#_uc1#igs#seat:1`], '0 was released again');
    assert.equal((await IgSeat.create({ seat: 0 })).seat, 0);
    await expectReject(() => IgSeat.create({ seat: 0 }), (e) => assert.ok(e instanceof exceptions.ConditionalError, `${e.name}: ${e.message}`));
  });
});

test('findByUniqueConstraint finds the owner, is exact and tenant-scoped', async () => {
  const A = uid('igfA-');
  const B = uid('igfB-');
  const email = `${uid('Find')}@x.test`;
  const owner = await inT(A, () => IgUser.create({ name: 'owner A', email }));
  await inT(A, async () => {
    const found = await IgUser.findByUniqueConstraint('uniqueEmail', email);
    assert.equal(found.exists(), true);
    assert.ok(found instanceof IgUser);
    assert.equal(found.getPrimaryId(), owner.getPrimaryId());
    assert.equal(found.name, 'owner A');
    const upper = await IgUser.findByUniqueConstraint('uniqueEmail', email.toUpperCase());
    assert.equal(upper.exists(), false, 'lookup is case-sensitive');
    await expectReject(
      () => IgUser.findByUniqueConstraint('noSuchConstraint', email),
      (e) => assert.ok(e instanceof exceptions.ConfigurationError),
    );
  });
  await inT(B, async () => {
    const miss = await IgUser.findByUniqueConstraint('uniqueEmail', email);
    assert.equal(miss.exists(), false, "B does not see A's value");
    const mine = await IgUser.create({ name: 'owner B', email });
    const found = await IgUser.findByUniqueConstraint('uniqueEmail', email);
    assert.equal(found.getPrimaryId(), mine.getPrimaryId());
    assert.equal(found.name, 'owner B');
  });
  const again = await inT(A, () => IgUser.findByUniqueConstraint('uniqueEmail', email));
  assert.equal(again.getPrimaryId(), owner.getPrimaryId());
  assert.equal(again.name, 'owner A');
});

// ---- optimistic locking ---------------------------------------------------

test('20 simultaneous versioned saves of one loaded item: exactly one wins, 3 rounds', async () => {
  const T = uid('igver-');
  await inT(T, async () => {
    const doc = await IgDoc.create({ title: 'v0' });
    const id = doc.getPrimaryId();
    for (let round = 1; round <= 3; round++) {
      const inst = await IgDoc.find(id);
      const before = inst.version;
      assert.match(before, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      const saves = [];
      for (let i = 0; i < 20; i++) {
        inst.title = `r${round}-${i}`;
        saves.push(inst.save({ condition: { version: before } }));
      }
      const { ok, failed } = split(await Promise.allSettled(saves));
      assert.equal(ok.length, 1, `round ${round}: exactly one save succeeds (got ${ok.length})`);
      assert.equal(failed.length, 19);
      for (const err of failed) isConditional(err, 'Condition check failed');

      const raw = unmarshall(await rawGet(docKey(T, id)._pk, 'igd'));
      assert.match(raw.title, new RegExp(`^r${round}-\\d+$`), 'the stored title is one of this round');
      assert.notEqual(raw.version, before, 'the winning save wrote a new version');
      const reloaded = await IgDoc.find(id);
      assert.equal(reloaded.version, raw.version);
      assert.equal(reloaded.title, raw.title);
    }
  });
});

test('conditional update with a stale version is refused and writes nothing', async () => {
  const T = uid('igstale-');
  await inT(T, async () => {
    const doc = await IgDoc.create({ title: 'first' });
    const id = doc.getPrimaryId();
    const stale = doc.version;
    const fresh = await IgDoc.update(id, { title: 'second' }, { condition: { version: stale } });
    assert.equal(fresh.title, 'second');
    assert.notEqual(fresh.version, stale);
    await expectReject(
      () => IgDoc.update(id, { title: 'third' }, { condition: { version: stale } }),
      (e) => isConditional(e, 'Condition check failed'),
    );
    const raw = unmarshall(await rawGet(docKey(T, id)._pk, 'igd'));
    assert.equal(raw.title, 'second');
    assert.equal(raw.version, fresh.version);
  });
});

test('100 concurrent counter increments end at exactly +100', async () => {
  const T = uid('igcnt-');
  await inT(T, async () => {
    const doc = await IgDoc.create({ title: 'counted', views: 7 });
    const id = doc.getPrimaryId();
    const results = await Promise.all(Array.from({ length: 100 }, () => IgDoc.update(id, { views: '+1' })));
    const seen = results.map((r) => r.views).sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => 8 + i), 'each ADD returns a distinct post-update value');
    assert.equal((await IgDoc.find(id)).views, 107);
    assert.equal(unmarshall(await rawGet(docKey(T, id)._pk, 'igd')).views, 107);
    const down = await IgDoc.update(id, { views: '-5' });
    assert.equal(down.views, 102);
    assert.equal(unmarshall(await rawGet(docKey(T, id)._pk, 'igd')).views, 102);
  });
});

test('a counter update of a missing id is ItemNotFoundError and creates nothing', async () => {
  const T = uid('igmiss-');
  const id = ulid();
  await inT(T, () =>
    expectReject(() => IgDoc.update(id, { views: '+1' }), (e) => assert.ok(e instanceof exceptions.ItemNotFoundError, `${e.name}: ${e.message}`)),
  );
  assert.equal(await rawGet(docKey(T, id)._pk, 'igd'), null, 'no phantom row');
});

// ---- conditional delete -----------------------------------------------------

test('conditional delete: a false condition is refused and keeps the row, a true one deletes', async () => {
  const T = uid('igdel-');
  await inT(T, async () => {
    const doc = await IgDoc.create({ title: 'keep me' });
    const id = doc.getPrimaryId();
    await expectReject(
      () => IgDoc.delete(id, { condition: { status: 'closed' } }),
      (e) => isConditional(e, 'Delete condition not met'),
    );
    assert.ok(await rawGet(docKey(T, id)._pk, 'igd'), 'row still there');
    await expectReject(
      () => IgDoc.delete(id, { condition: { version: ulid() } }),
      (e) => isConditional(e, 'Delete condition not met'),
    );
    assert.ok(await rawGet(docKey(T, id)._pk, 'igd'), 'row still there');
    const deleted = await IgDoc.delete(id, { condition: { status: 'open', version: doc.version } });
    assert.equal(deleted.getPrimaryId(), id);
    assert.equal(await rawGet(docKey(T, id)._pk, 'igd'), null, 'row deleted');
    await expectReject(() => IgDoc.delete(id), (e) => assert.ok(e instanceof exceptions.ItemNotFoundError));

    // With a unique constraint the delete is a transaction; a false condition keeps both items.
    const email = `${uid('del')}@x.test`;
    const user = await IgUser.create({ name: 'guarded', email });
    await expectReject(
      () => IgUser.delete(user.getPrimaryId(), { condition: { name: 'someone else' } }),
      (e) => isConditional(e, 'Delete condition not met'),
    );
    assert.ok(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu'), 'user row kept');
    assert.ok(await rawGet(ucKey(T, email), '_raft_uc'), 'constraint item kept');
    await IgUser.delete(user.getPrimaryId(), { condition: { name: 'guarded' } });
    assert.equal(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu'), null);
    assert.equal(await rawGet(ucKey(T, email), '_raft_uc'), null);
  });
});

// ---- related objects ----------------------------------------------------------

test('getOrLoadRelatedField loads once and caches; getRelated, clearRelatedCache, loadRelatedData', async () => {
  const T = uid('igrel-');
  await inT(T, async () => {
    const user = await IgUser.create({ name: 'Author' });
    const doc = await IgDoc.create({ title: 'p1', ownerId: user.getPrimaryId() });
    const found = await IgDoc.find(doc.getPrimaryId());
    assert.equal(found.ownerId, user.getPrimaryId(), 'the field reads as the id string');
    assert.equal(found.getRelated('ownerId'), undefined, 'nothing loaded yet');

    const r1 = await found.getOrLoadRelatedField('ownerId');
    assert.ok(r1 instanceof IgUser);
    assert.equal(r1.name, 'Author');
    assert.equal(r1.getPrimaryId(), user.getPrimaryId());
    const r2 = await found.getOrLoadRelatedField('ownerId');
    assert.equal(r2, r1, 'second call returns the cached object');
    assert.equal(found.getRelated('ownerId'), r1);

    found.clearRelatedCache('ownerId');
    assert.equal(found.getRelated('ownerId'), undefined);
    const r3 = await found.getOrLoadRelatedField('ownerId');
    assert.notEqual(r3, r1, 'reloaded after clearRelatedCache');
    assert.equal(r3.name, 'Author');

    const other = await IgDoc.find(doc.getPrimaryId());
    assert.equal(await other.loadRelatedData(), other, 'loadRelatedData returns the instance');
    assert.equal(other.getRelated('ownerId').name, 'Author');
    assert.throws(() => other.getRelated('title'), exceptions.ConfigurationError);
    await expectReject(() => other.getOrLoadRelatedField('title'), (e) => assert.ok(e instanceof exceptions.ConfigurationError));

    const orphan = await IgDoc.create({ title: 'orphan', ownerId: ulid() });
    const missing = await orphan.getOrLoadRelatedField('ownerId');
    assert.equal(missing.exists(), false, 'dangling reference gives ObjectNotFound');
    const none = await IgDoc.create({ title: 'no owner' });
    assert.equal(await none.getOrLoadRelatedField('ownerId'), null);
  });
});

/** Tenants A and B with an author of one id each ("A author", "B author"), and A's doc by it. */
async function oneAuthorIdInTwoTenants(prefix) {
  const A = uid(`${prefix}A-`);
  const B = uid(`${prefix}B-`);
  const author = await inT(A, () => IgUser.create({ name: 'A author' }));
  const userId = author.getPrimaryId();
  await inT(B, () => IgUser.create({ userId, name: 'B author' }));
  const doc = await inT(A, () => IgDoc.create({ title: 'A doc', ownerId: userId }));
  return { A, B, userId, doc };
}

test("an instance's related objects load only in the tenant it was read in", async () => {
  const { A, B, doc } = await oneAuthorIdInTwoTenants('igrt');
  const mismatch = (e) => {
    assert.ok(e instanceof exceptions.ValidationError, `${e.name}: ${e.message}`);
    assert.equal(e.code, 'TENANT_MISMATCH');
    assert.ok(e.message.includes(`read in tenant "${A}" and cannot`), e.message);
    return true;
  };
  await inT(B, async () => {
    await assert.rejects(doc.getOrLoadRelatedField('ownerId'), mismatch);
    await assert.rejects(doc.loadRelatedData(), mismatch);
    assert.throws(() => doc._getPkValue(), mismatch, 'generated related queries start here');
  });
  assert.equal(doc.getRelated('ownerId'), undefined, 'nothing was cached');
  const owner = await inT(A, () => doc.getOrLoadRelatedField('ownerId'));
  assert.equal(owner.name, 'A author');
});

test('queryByIndex with loadRelated loads the related objects as the tenant the query ran as', async () => {
  const { A, B, userId } = await oneAuthorIdInTwoTenants('iglr');
  let page;
  try {
    TenantContext.setCurrentTenant(A);
    page = IgDoc.queryByIndex('byOwner', userId, null, { loadRelated: true });
    TenantContext.setCurrentTenant(B); // before the page arrives
    page = await page;
  } finally {
    TenantContext.clearTenant();
  }
  assert.deepEqual(page.items.map((d) => [d.title, d.getRelated('ownerId').name]), [['A doc', 'A author']]);
});

test('queryByIndex loadRelated / relatedOnly; a batch context shares one related object', async () => {
  const T = uid('igrq-');
  await inT(T, async () => {
    const user = await IgUser.create({ name: 'Poster' });
    const other = await IgUser.create({ name: 'Someone else' });
    for (const title of ['a', 'b', 'c']) await IgDoc.create({ title, ownerId: user.getPrimaryId() });
    await IgDoc.create({ title: 'x', ownerId: other.getPrimaryId() });

    const plain = await IgDoc.queryByIndex('byOwner', user.getPrimaryId());
    assert.equal(plain.items.length, 3);
    for (const item of plain.items) assert.equal(item.getRelated('ownerId'), undefined, 'not loaded without loadRelated');

    const withRel = await IgDoc.queryByIndex('byOwner', user.getPrimaryId(), null, {
      loadRelated: true,
      relatedFields: ['ownerId'],
    });
    assert.deepEqual(withRel.items.map((i) => i.title).sort(), ['a', 'b', 'c']);
    for (const item of withRel.items) {
      const rel = item.getRelated('ownerId');
      assert.ok(rel instanceof IgUser);
      assert.equal(rel.getPrimaryId(), user.getPrimaryId());
      assert.equal(rel.name, 'Poster');
    }

    const only = await IgDoc.queryByIndex('byOwner', user.getPrimaryId(), null, {
      loadRelated: true,
      relatedOnly: true,
      relatedFields: ['ownerId'],
    });
    assert.equal(only.items.length, 3);
    for (const item of only.items) {
      assert.ok(item instanceof IgUser, 'relatedOnly returns the related objects');
      assert.equal(item.name, 'Poster');
    }

    await expectReject(
      () => IgDoc.queryByIndex('byOwner', user.getPrimaryId(), null, { relatedOnly: true, relatedFields: ['ownerId'] }),
      (e) => assert.match(e.message, /relatedOnly requires loadRelated to be true/),
    );

    await runWithBatchContext(async () => {
      const res = await IgDoc.queryByIndex('byOwner', user.getPrimaryId(), null, {
        loadRelated: true,
        relatedFields: ['ownerId'],
      });
      const rels = res.items.map((i) => i.getRelated('ownerId'));
      assert.equal(rels.length, 3);
      assert.ok(rels.every((r) => r === rels[0]), 'in a batch context the same user object is shared');
      assert.equal(rels[0].name, 'Poster');
    });
  });
});

// ---- the raw document client ----------------------------------------------------

const OUTSIDE = /outside the current tenant/;
function isOutside(err) {
  assert.ok(err instanceof Error, `expected an Error, got ${err}`);
  assert.match(err.message, OUTSIDE);
  assert.equal(err.name, 'ValidationError', `expected a ValidationError, got ${err.name}: ${err.message}`);
}

test("raw documentClient: own keys work, another tenant's keys are refused and nothing is written", async () => {
  const A = uid('igrawA-');
  const B = uid('igrawB-');
  const AX = `${A}x`; // a tenant whose id extends A's
  const email = `${uid('raw')}@x.test`;
  const ua = await inT(A, () => IgUser.create({ name: 'A user', email }));
  const ub = await inT(B, () => IgUser.create({ name: 'B user' }));
  const uax = await inT(AX, () => IgUser.create({ name: 'AX user' }));
  const dc = IgUser.documentClient;
  const TableName = IgUser.table;
  assert.ok(dc && typeof dc.send === 'function', 'Model.documentClient is set');
  assert.ok(TableName, 'Model.table is set');

  await inT(A, async () => {
    const own = await dc.send(new GetCommand({ TableName, Key: userKey(A, ua.getPrimaryId()) }));
    assert.equal(own.Item.name, 'A user', 'plain (document) form');
    assert.equal(own.Item.userId, ua.getPrimaryId());
    assert.equal(own.Item._pk, userKey(A, ua.getPrimaryId())._pk);

    const q = await dc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': '_pk' },
        ExpressionAttributeValues: { ':pk': userKey(A, ua.getPrimaryId())._pk },
      }),
    );
    assert.equal(q.Items.length, 1);
    assert.equal(q.Items[0].name, 'A user');

    const uc = await dc.send(new GetCommand({ TableName, Key: { _pk: ucKey(A, email), _sk: '_raft_uc' } }));
    assert.equal(uc.Item.relatedId, ua.getPrimaryId(), "the tenant's own constraint item is readable");

    for (const [victim, user] of [
      [B, ub],
      [AX, uax],
    ]) {
      const key = userKey(victim, user.getPrimaryId());
      await expectReject(() => dc.send(new GetCommand({ TableName, Key: key })), isOutside);
      await expectReject(
        () =>
          dc.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': '_pk' },
              ExpressionAttributeValues: { ':pk': key._pk },
            }),
          ),
        isOutside,
      );
      await expectReject(
        () =>
          dc.send(
            new UpdateCommand({
              TableName,
              Key: key,
              UpdateExpression: 'SET #n = :n',
              ExpressionAttributeNames: { '#n': 'name' },
              ExpressionAttributeValues: { ':n': 'pwned' },
            }),
          ),
        isOutside,
      );
      await expectReject(() => dc.send(new DeleteCommand({ TableName, Key: key })), isOutside);
      const raw = unmarshall(await rawGet(key._pk, 'igu'));
      assert.equal(raw.name, user.name, "the victim's row is unchanged");
    }

    // An Update on a fresh key in B's space must not create anything.
    const marker = uid('rawmark');
    await expectReject(
      () =>
        dc.send(
          new UpdateCommand({
            TableName,
            Key: { _pk: `[${B}]#igu#${ulid()}`, _sk: 'igu' },
            UpdateExpression: 'SET #n = :n',
            ExpressionAttributeNames: { '#n': 'name' },
            ExpressionAttributeValues: { ':n': marker },
          }),
        ),
      isOutside,
    );
    // A key without any tenant prefix is outside too.
    await expectReject(
      () =>
        dc.send(
          new UpdateCommand({
            TableName,
            Key: { _pk: `igu#${ulid()}`, _sk: 'igu' },
            UpdateExpression: 'SET #n = :n',
            ExpressionAttributeNames: { '#n': 'name' },
            ExpressionAttributeValues: { ':n': marker },
          }),
        ),
      isOutside,
    );
    assert.deepEqual(await mentioning(marker), [], 'nothing was written');
  });
});

test("raw documentClient: BatchGet and TransactWrite on another tenant's keys are refused", async () => {
  const A = uid('igbgA-');
  const B = uid('igbgB-');
  const ua = await inT(A, () => IgUser.create({ name: 'A batch user' }));
  const ub = await inT(B, () => IgUser.create({ name: 'B batch user' }));
  const dc = IgUser.documentClient;
  const TableName = IgUser.table;
  const marker = uid('txmark');
  await inT(A, async () => {
    const own = await dc.send(
      new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [userKey(A, ua.getPrimaryId())] } } }),
    );
    assert.equal(own.Responses[TableName].length, 1);
    assert.equal(own.Responses[TableName][0].name, 'A batch user');

    let leaked = null;
    await expectReject(async () => {
      const res = await dc.send(
        new BatchGetCommand({
          RequestItems: { [TableName]: { Keys: [userKey(A, ua.getPrimaryId()), userKey(B, ub.getPrimaryId())] } },
        }),
      );
      leaked = res;
      return res;
    }, isOutside);
    assert.equal(leaked, null, "B's item was not returned");

    await expectReject(
      () =>
        dc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName,
                  Key: userKey(B, ub.getPrimaryId()),
                  UpdateExpression: 'SET #n = :n',
                  ExpressionAttributeNames: { '#n': 'name' },
                  ExpressionAttributeValues: { ':n': marker },
                },
              },
            ],
          }),
        ),
      isOutside,
    );
  });
  assert.deepEqual(await mentioning(marker), [], 'nothing was written');
  assert.equal(unmarshall(await rawGet(userKey(B, ub.getPrimaryId())._pk, 'igu')).name, 'B batch user');
});

test('raw documentClient without a tenant: data commands need one, DescribeTable does not', async () => {
  const T = uid('ignt-');
  const user = await inT(T, () => IgUser.create({ name: 'no-tenant target' }));
  const dc = IgUser.documentClient;
  const TableName = IgUser.table;
  assert.equal(TenantContext.getCurrentTenant(), null, 'no tenant in scope');
  await expectReject(() => dc.send(new GetCommand({ TableName, Key: userKey(T, user.getPrimaryId()) })), isTenantRequired);
  await expectReject(
    () =>
      dc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': '_pk' },
          ExpressionAttributeValues: { ':pk': userKey(T, user.getPrimaryId())._pk },
        }),
      ),
    isTenantRequired,
  );
  const marker = uid('ntmark');
  await expectReject(
    () =>
      dc.send(
        new UpdateCommand({
          TableName,
          Key: userKey(T, user.getPrimaryId()),
          UpdateExpression: 'SET #n = :n',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':n': marker },
        }),
      ),
    isTenantRequired,
  );
  await expectReject(() => dc.send(new DeleteCommand({ TableName, Key: userKey(T, user.getPrimaryId()) })), isTenantRequired);
  assert.deepEqual(await mentioning(marker), []);
  assert.ok(await rawGet(userKey(T, user.getPrimaryId())._pk, 'igu'), 'row not deleted');

  const desc = await dc.send(new DescribeTableCommand({ TableName }));
  assert.equal(desc.Table.TableName, TableName);
});

test('raw documentClient: a command without a TableName is a ValidationError, not a network error', async () => {
  const T = uid('igtn-');
  const user = await inT(T, () => IgUser.create({ name: 'table-less target' }));
  const dc = IgUser.documentClient;
  for (const TableName of [undefined, '']) {
    await expectReject(
      () => inT(T, () => dc.send(new GetCommand({ TableName, Key: userKey(T, user.getPrimaryId()) }))),
      (e) => e.name === 'ValidationError' && /GetItem needs a TableName/.test(e.message) && !e.retryable,
    );
  }
  await expectReject(() => dc.send(new DescribeTableCommand({})), (e) => e.name === 'ValidationError');
});

test('raw documentClient: binary values come back as Buffers, a string that spells Buffer JSON as a string', async () => {
  const T = uid('igbin-');
  const user = await inT(T, () => IgUser.create({ name: 'binary holder' }));
  const Key = userKey(T, user.getPrimaryId());
  const dc = IgUser.documentClient;
  const TableName = IgUser.table;
  const spelled = '{"type":"Buffer","data":[1,2]}';
  await inT(T, async () => {
    const set = (values) =>
      dc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: `SET ${Object.keys(values).map((k) => `#${k} = :${k}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((k) => [`#${k}`, k])),
          ExpressionAttributeValues: Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v])),
        }),
      );
    await set({ note: spelled });
    const plain = await dc.send(new GetCommand({ TableName, Key }));
    assert.equal(plain.Item.note, spelled, 'a string is never revived');
    assert.equal(plain.Item.name, 'binary holder');

    await set({ blob: Buffer.from([0, 1, 255]) });
    const withBinary = await dc.send(new GetCommand({ TableName, Key }));
    assert.ok(Buffer.isBuffer(withBinary.Item.blob), 'a B attribute is a Buffer');
    assert.deepEqual([...withBinary.Item.blob], [0, 1, 255]);
    assert.equal(withBinary.Item.note, spelled, 'strings stay strings beside a Buffer');
  });
});

test('raw documentClient: a key condition with lower-case or line-broken AND on own keys works', async () => {
  // DynamoDB keywords are case-insensitive and any whitespace separates them; the partition
  // value here is the tenant's own, so the query must be sent, not refused as "outside".
  const T = uid('igand-');
  const user = await inT(T, () => IgUser.create({ name: 'and-user' }));
  const key = userKey(T, user.getPrimaryId());
  const dc = IgUser.documentClient;
  await inT(T, async () => {
    for (const expr of ['#pk = :pk AND #sk = :sk', '#pk = :pk and #sk = :sk', '#pk = :pk And #sk = :sk', '#pk = :pk\nAND #sk = :sk']) {
      const res = await dc
        .send(
          new QueryCommand({
            TableName: IgUser.table,
            KeyConditionExpression: expr,
            ExpressionAttributeNames: { '#pk': '_pk', '#sk': '_sk' },
            ExpressionAttributeValues: { ':pk': key._pk, ':sk': key._sk },
          }),
        )
        .catch((e) => assert.fail(`own-tenant query ${JSON.stringify(expr)} was refused: ${e.name}: ${e.message}`));
      assert.equal(res.Items.length, 1, JSON.stringify(expr));
      assert.equal(res.Items[0].name, 'and-user');
    }
  });
});

test("raw documentClient: an own-key write cannot plant an item in another tenant's index partitions", async () => {
  // The command's Key is A's, but the item it writes carries B's GSI and iteration partition
  // keys: B's queryByIndex would then return an item A wrote. Every partition key written
  // must start with the writer's prefix (README: "every partition key the library writes
  // starts with the tenant prefix"; the seam confines "every key the command names").
  const A = uid('igplA-');
  const B = uid('igplB-');
  const ownerB = await inT(B, () => IgUser.create({ name: 'B owner' }));
  await inT(B, () => IgDoc.create({ title: 'real B doc', ownerId: ownerB.getPrimaryId() }));
  const dc = IgDoc.documentClient;
  const marker = uid('planted');
  const id = ulid();
  const plantedValues = {
    ':g': `[${B}]#igd#gsi1#${ownerB.getPrimaryId()}`,
    ':s': '00000000000000000001',
    ':t': marker,
    ':o': ownerB.getPrimaryId(),
    ':d': id,
  };
  // DynamoDB Local accepts each spelling: a keyword or `=` glued to a placeholder included.
  const spellings = [
    'SET #g = :g, #s = :s, #t = :t, #o = :o, #d = :d',
    'SET#g=:g,#s=:s,#t=:t,#o=:o,#d=:d',
    'set #t = :t, #o = :o,#g = :g, #s = :s, #d = :d',
  ];
  const outcomes = [];
  for (const UpdateExpression of spellings) {
    let outcome = 'accepted';
    await inT(A, () =>
      dc
        .send(
          new UpdateCommand({
            TableName: IgDoc.table,
            Key: docKey(A, id),
            UpdateExpression,
            ExpressionAttributeNames: { '#g': '_gsi1_pk', '#s': '_gsi1_sk', '#t': 'title', '#o': 'ownerId', '#d': 'docId' },
            ExpressionAttributeValues: plantedValues,
          }),
        )
        .catch((e) => {
          outcome = e;
        }),
    );
    outcomes.push([UpdateExpression, outcome]);
  }
  const seenByB = await inT(B, () => IgDoc.queryByIndex('byOwner', ownerB.getPrimaryId()));
  assert.deepEqual(
    seenByB.items.map((i) => i.title),
    ['real B doc'],
    "B's index query returns only B's own items",
  );
  for (const [expression, outcome] of outcomes) {
    assert.notEqual(outcome, 'accepted', `the planting UpdateItem ${expression} is refused`);
    isOutside(outcome);
  }
  assert.deepEqual(await mentioning(marker), [], 'nothing was written');
});

test("an item written around the library into another tenant's index partition is not returned there", async () => {
  // IAM's LeadingKeys checks a write's table key only, so a principal confined to A can
  // still give an item of its own B's GSI partition key.
  const A = uid('igpwA-');
  const B = uid('igpwB-');
  const ownerB = await inT(B, () => IgUser.create({ name: 'B owner' }));
  await inT(B, () => IgDoc.create({ title: 'real B doc', ownerId: ownerB.getPrimaryId() }));
  const id = ulid();
  const marker = uid('pw');
  await rawPut(plantedDoc(A, B, id, marker, ownerB.getPrimaryId()));
  const page = await inT(B, () => IgDoc.queryByIndex('byOwner', ownerB.getPrimaryId()));
  assert.deepEqual(page.items.map((d) => d.title), ['real B doc']);
  assert.equal((await mentioning(marker)).length, 1, 'the planted item is there, in A');
});

test("raw documentClient: a TransactWrite Put of an own key cannot carry another tenant's GSI key", async () => {
  const A = uid('igtpA-');
  const B = uid('igtpB-');
  const ownerB = await inT(B, () => IgUser.create({ name: 'B owner' }));
  const marker = uid('tplant');
  const id = ulid();
  let outcome = 'accepted';
  await inT(A, () =>
    IgDoc.documentClient
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: IgDoc.table,
                Item: plantedDoc(A, B, id, marker, ownerB.getPrimaryId()),
              },
            },
          ],
        }),
      )
      .catch((e) => {
        outcome = e;
      }),
  );
  const seenByB = await inT(B, () => IgDoc.queryByIndex('byOwner', ownerB.getPrimaryId()));
  assert.deepEqual(seenByB.items.map((i) => i.title), [], "B's index partition holds nothing B did not write");
  assert.notEqual(outcome, 'accepted', 'the planting Put is refused');
  isOutside(outcome);
  assert.deepEqual(await mentioning(marker), []);
});
