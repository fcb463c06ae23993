'use strict';
/**
 * Edge cases of tenant resolution that the guide leaves open, decided here:
 * a resolver that throws fails the operation with that very error and writes nothing;
 * a resolver or fallback value that is not a string is reported as INVALID_TENANT_ID by
 * getCurrentTenant; an explicit runWithTenant("") is refused instead of falling through
 * to the process-wide fallback tenant; a query cursor from another tenant is refused.
 */
const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext } = require('..');
const { makeModels, initTenantModels } = require('./helpers/models');
const { mentioning } = require('./helpers/raw');
const { uid } = require('./helpers/ids');
const { expectReject, isInvalidTenant } = require('./helpers/expect');

const models = makeModels();
const { User } = models;

beforeEach(() => {
  TenantContext.reset();
  initTenantModels(models);
});
afterEach(() => TenantContext.reset());

test('a resolver that throws fails the operation with its own error and writes nothing', async () => {
  const boom = new TypeError(`resolver failed ${uid()}`);
  TenantContext.addResolver(() => {
    throw boom;
  });
  const marker = uid();
  const err = await expectReject(() => User.create({ name: marker }));
  assert.equal(err, boom, 'the very error the resolver threw');
  assert.throws(() => TenantContext.getCurrentTenant(), (e) => e === boom);
  assert.equal((await mentioning(marker)).length, 0);
});

test('a resolver that asks for the current tenant fails with a CONFIGURATION error', async () => {
  TenantContext.addResolver(() => TenantContext.getCurrentTenant());
  const err = await expectReject(() => User.find('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
  assert.equal(err.code, 'CONFIGURATION');
  assert.match(err.message, /resolvers must not depend on the tenant they resolve/);
  assert.throws(() => TenantContext.getCurrentTenant(), (e) => e.code === 'CONFIGURATION');
});

test('getCurrentTenant reports a non-string resolver or fallback value as INVALID_TENANT_ID', () => {
  TenantContext.addResolver(() => 42);
  assert.throws(() => TenantContext.getCurrentTenant(), (e) => {
    isInvalidTenant(e);
    return true;
  });
  TenantContext.clearResolvers();
  TenantContext.setCurrentTenant({ id: 'x' });
  assert.throws(() => TenantContext.getCurrentTenant(), (e) => {
    isInvalidTenant(e);
    return true;
  });
});

test('an explicit empty tenant does not fall through to the fallback tenant', async () => {
  const fallback = `fb-${uid()}`;
  TenantContext.setCurrentTenant(fallback);
  const marker = uid();
  await expectReject(() => TenantContext.runWithTenant('', () => User.create({ name: marker })), isInvalidTenant);
  assert.equal((await mentioning(marker)).length, 0);
  // null keeps the guide's meaning: use the fallback.
  const u = await TenantContext.runWithTenant(null, () => User.create({ name: marker }));
  const rows = await mentioning(marker);
  assert.equal(rows.length, 1);
  assert.ok(rows[0]._pk.startsWith(`[${fallback}]#`));
  await TenantContext.runWithTenant(fallback, () => u.delete());
});

test("a query cursor from another tenant is refused", async () => {
  const [a, b] = [`a-${uid()}`, `b-${uid()}`];
  const status = `st-${uid()}`;
  for (const t of [a, b]) {
    await TenantContext.runWithTenant(t, async () => {
      for (let i = 0; i < 3; i++) await User.create({ name: `${t}-${i}`, status });
    });
  }
  const page = await TenantContext.runWithTenant(a, () => User.queryByIndex('byStatus', status, null, { limit: 2 }));
  assert.equal(page.items.length, 2);
  assert.ok(page.lastEvaluatedKey, 'a second page exists');
  const next = await TenantContext.runWithTenant(a, () =>
    User.queryByIndex('byStatus', status, null, { limit: 2, startKey: page.lastEvaluatedKey }),
  );
  assert.equal(next.items.length, 1, 'the cursor works in its own tenant');
  const err = await expectReject(() =>
    TenantContext.runWithTenant(b, () => User.queryByIndex('byStatus', status, null, { startKey: page.lastEvaluatedKey })),
  );
  assert.equal(err.name, 'ValidationError');
  assert.match(err.message, /cursors are scoped to one tenant/);
});

test('tenancy.strict: setCurrentTenant does not supply a tenant; runWithTenant and resolvers do', async () => {
  const { initModels } = require('..');
  const { config } = require('./helpers/models');
  const strictModels = makeModels();
  TenantContext.setCurrentTenant('boot');
  const cfg = config(strictModels);
  initModels({ ...cfg, tenancy: { enabled: true, strict: true } });
  TenantContext.clearTenant();
  const { User: StrictUser } = strictModels;
  const tenant = `st-${uid()}`;
  const marker = uid();

  TenantContext.setCurrentTenant(tenant);
  const err = await expectReject(() => StrictUser.create({ name: marker }));
  assert.equal(err.code, 'TENANT_REQUIRED');
  assert.match(err.message, /tenancy\.strict/);
  assert.equal((await mentioning(marker)).length, 0, 'nothing written with only the fallback set');
  TenantContext.clearTenant();

  const made = await TenantContext.runWithTenant(tenant, () => StrictUser.create({ name: marker }));
  TenantContext.addResolver(() => tenant);
  const found = await StrictUser.find(made.getPrimaryId());
  assert.equal(found.name, marker, 'a resolver supplies the tenant in strict mode');
  await found.delete();
});

test('tenancy.strict: a leftover fallback does not key the batch or the cache of a find that runs as a resolved tenant', async () => {
  const { initModels, runWithBatchContext } = require('..');
  const { config } = require('./helpers/models');
  const strictModels = makeModels();
  TenantContext.setCurrentTenant('boot');
  initModels({ ...config(strictModels), tenancy: { enabled: true, strict: true } });
  TenantContext.clearTenant();
  const { User: StrictUser } = strictModels;
  const A = `sa-${uid()}`;
  const B = `sb-${uid()}`;
  const made = await TenantContext.runWithTenant(B, () => StrictUser.create({ name: 'in B' }));
  const userId = made.getPrimaryId();
  await TenantContext.runWithTenant(A, () => StrictUser.create({ userId, name: 'in A' }));

  TenantContext.setCurrentTenant(A); // left behind; strict mode ignores it
  TenantContext.addResolver(() => B);
  await runWithBatchContext(async () => {
    const fromB = await StrictUser.find(userId);
    assert.equal(fromB.name, 'in B', 'the find runs as the resolved tenant');
    const fromA = await TenantContext.runWithTenant(A, () => StrictUser.find(userId));
    assert.equal(fromA.name, 'in A', "A's find is not answered from the cache of B's find");
    assert.notEqual(fromA, fromB);
  });
});

test("_getIterationKeys: the operation's tenant, never the tenant current at initModels", () => {
  const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  assert.throws(() => User._getIterationKeys(id), (e) => e.code === 'TENANT_REQUIRED');
  const t = uid('ik-');
  const keys = TenantContext.runWithTenant(t, () => User._getIterationKeys(id));
  assert.ok(keys._iter_pk.startsWith(`[${t}]#`), keys._iter_pk);
  assert.equal(keys._iter_sk, id);
});

test('an iteration page is hydrated as the tenant its query was built for', async () => {
  const A = uid('itA-');
  const B = uid('itB-');
  const made = await TenantContext.runWithTenant(A, () => User.create({ name: 'in A' }));
  const userId = made.getPrimaryId();
  await TenantContext.runWithTenant(B, () => User.create({ userId, name: 'in B' }));
  const iterPk = TenantContext.runWithTenant(A, () => User._getIterationKeys(userId))._iter_pk;
  const bucket = Number(iterPk.slice(-3));
  try {
    TenantContext.setCurrentTenant(A);
    const pages = User.iterateBucket(bucket);
    const first = pages.next(); // sends A's page query now
    TenantContext.setCurrentTenant(B); // before the page's ids are read
    const { value } = await first;
    assert.deepEqual(value.map((u) => u.name), ['in A']);
    await pages.return();
  } finally {
    TenantContext.clearTenant();
  }
});

test("a scope's tenant replaced by an invalid one is refused, though the valid one was checked before", async () => {
  const { runWithBatchContext } = require('..');
  const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  await TenantContext.runWithTenant(uid('sv-'), () =>
    runWithBatchContext(async () => {
      assert.equal((await User.find(id)).exists(), false);
      TenantContext.setCurrentTenant('a]#b');
      assert.equal(User._getBatchRequests(), null, 'no batch is kept under an invalid tenant');
      const err = await expectReject(() => User.find(id));
      isInvalidTenant(err);
    }),
  );
});

test('an instance read in one tenant cannot be saved or deleted while another is current', async () => {
  const A = uid('imA-');
  const B = uid('imB-');
  const marker = uid('im');
  const inA = await TenantContext.runWithTenant(A, () => User.create({ name: `A ${marker}` }));
  const userId = inA.getPrimaryId();
  await TenantContext.runWithTenant(B, () => User.create({ userId, name: `B ${marker}` }));

  inA.name = `A changed ${marker}`;
  const mismatch = (action) => (e) => {
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.code, 'TENANT_MISMATCH');
    assert.ok(e.message.includes(`read in tenant "${A}" and cannot be ${action} in tenant "${B}"`), e.message);
    return true;
  };
  await assert.rejects(TenantContext.runWithTenant(B, () => inA.save()), mismatch('saved'));
  await assert.rejects(TenantContext.runWithTenant(B, () => inA.delete()), mismatch('deleted'));
  const rows = (await mentioning(marker)).map((r) => [r._pk.slice(1, r._pk.indexOf(']')), r.name]).sort();
  assert.deepEqual(rows, [[A, `A ${marker}`], [B, `B ${marker}`]], "neither tenant's item changed");

  // In its own tenant the instance saves and deletes as before.
  await TenantContext.runWithTenant(A, () => inA.save());
  assert.equal((await TenantContext.runWithTenant(A, () => User.find(userId))).name, `A changed ${marker}`);
  await TenantContext.runWithTenant(A, () => inA.delete());
  assert.equal((await TenantContext.runWithTenant(A, () => User.find(userId))).exists(), false);
  assert.equal((await TenantContext.runWithTenant(B, () => User.find(userId))).name, `B ${marker}`);
});

test('a write that awaits its plugin hooks runs as the tenant current at the call, though the fallback changes meanwhile', async () => {
  const { initModels, BaoModel, PrimaryKeyConfig, fields } = require('..');
  const { config } = require('./helpers/models');
  class PinNote extends BaoModel {
    static modelPrefix = 'pn';
    static fields = { noteId: fields.UlidField({ autoAssign: true }), text: fields.StringField() };
    static primaryKey = PrimaryKeyConfig('noteId');
  }
  TenantContext.setCurrentTenant('boot');
  initModels(config({ PinNote }));
  TenantContext.clearTenant();
  const A = uid('pnA-');
  const B = uid('pnB-');
  let gate = null; // while set, hooks wait for it, as a hook that does I/O would
  const hook = () => gate;
  PinNote.registerPlugin({ beforeSave: hook, beforeDelete: hook });
  const made = await TenantContext.runWithTenant(A, () => PinNote.create({ text: 'in A' }));
  const noteId = made.getPrimaryId();
  await TenantContext.runWithTenant(B, () => PinNote.create({ noteId, text: 'in B' }));

  // A background job works in A through the fallback; another job switches it to B meanwhile.
  const meanwhile = async (write) => {
    let open;
    gate = new Promise((resolve) => (open = resolve));
    TenantContext.setCurrentTenant(A);
    const done = write();
    TenantContext.setCurrentTenant(B);
    open();
    try {
      return await done;
    } finally {
      gate = null;
      TenantContext.clearTenant();
    }
  };
  await meanwhile(() => PinNote.update(noteId, { text: 'A updated' }));
  assert.equal((await meanwhile(() => PinNote.delete(noteId))).text, 'A updated');
  assert.equal((await TenantContext.runWithTenant(A, () => PinNote.find(noteId))).exists(), false, "A's item was deleted");
  assert.equal((await TenantContext.runWithTenant(B, () => PinNote.find(noteId))).text, 'in B', "B's item is untouched");
});

test('tenant ids with lone surrogates are refused (they would share a prefix once encoded)', async () => {
  const marker = uid();
  for (const id of ['sur\uD800', 'sur\uDBFF', 'sur\uFFFD']) {
    await expectReject(() => TenantContext.runWithTenant(id, () => User.create({ name: marker })), isInvalidTenant);
  }
  assert.equal((await mentioning(marker)).length, 0);
});
