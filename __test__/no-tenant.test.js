'use strict';
/**
 * Tenancy enabled, no tenant in scope.
 *
 * Proves the deliberate difference from the original: with `tenancy.enabled`, every data
 * operation (create, find, update, delete, save, queryByIndex, count, instance save/delete)
 * issued with no tenant in scope (no runWithTenant, no setCurrentTenant fallback, no resolver
 * answering) rejects with code TENANT_REQUIRED and a "Tenant context is required" message,
 * and nothing is written or changed (raw scan for a unique marker). Also checks
 * validateTenantRequired's exact original message.
 */
const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext } = require('..');
const { makeModels, initTenantModels } = require('./helpers/models');
const { mentioning, rawGet } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');
const { expectReject, isTenantRequired } = require('./helpers/expect');

const models = makeModels();
const { User, PkPrefix, Comp } = models;

beforeEach(() => {
  TenantContext.reset();
  initTenantModels(models);
});
afterEach(() => TenantContext.reset());

/** Creates a user under a real tenant, so find/update/delete have a real target. */
async function seed(marker) {
  const owner = uid('owner-');
  const user = await TenantContext.runWithTenant(owner, () => User.create({ name: `${marker}-orig` }));
  return { owner, user, id: user.getPrimaryId() };
}

/** The seeded row is still there, unchanged, and nothing else mentions the marker. */
async function assertUntouched(marker, { owner, id }) {
  const rows = await mentioning(marker);
  assert.deepEqual(rows.map((r) => r.name), [`${marker}-orig`], 'only the seeded row mentions the marker');
  assert.equal(rows[0]._pk, `[${owner}]#u#${id}`);
}

const OPERATIONS = [
  ['create', (m) => User.create({ name: m })],
  ['create (modelPrefix partition key)', (m) => PkPrefix.create({ k: m, v: m })],
  ['create (composite key)', (m) => Comp.create({ a: m, n: 1 })],
  ['find', (m, s) => User.find(s.id)],
  ['find (missing id)', () => User.find(ulid())],
  ['update', (m, s) => User.update(s.id, { name: `${m}-changed` })],
  ['delete', (m, s) => User.delete(s.id)],
  ['queryByIndex', () => User.queryByIndex('byStatus', 'active')],
  ['queryByIndex countOnly', () => User.queryByIndex('byStatus', 'active', null, { countOnly: true })],
  ['count', () => User.count()],
  ['save of a new instance', (m) => new User({ name: m }).save()],
  [
    'save of a loaded instance',
    (m, s) => {
      s.user.name = `${m}-changed`;
      return s.user.save();
    },
  ],
  ['instance delete()', (m, s) => s.user.delete()],
];

for (const [label, op] of OPERATIONS) {
  test(`${label} without a tenant rejects with TENANT_REQUIRED and writes nothing`, async () => {
    const marker = uid('nt');
    const seeded = await seed(marker);
    assert.equal(TenantContext.getCurrentTenant(), null);
    await expectReject(() => op(marker, seeded), isTenantRequired);
    await assertUntouched(marker, seeded);
  });
}

test('no tenant after clearTenant, after a context ends, or when resolvers answer nothing', async () => {
  const marker = uid('nt');
  const seeded = await seed(marker);

  TenantContext.setCurrentTenant(seeded.owner);
  assert.equal((await User.find(seeded.id)).exists(), true, 'works while the fallback is set');
  TenantContext.clearTenant();
  await expectReject(() => User.find(seeded.id), isTenantRequired);

  await TenantContext.runWithTenant(seeded.owner, async () => {
    TenantContext.clearTenant(); // inside a context: clears that context's tenant too
    await expectReject(() => User.create({ name: marker }), isTenantRequired);
  });
  await expectReject(() => User.create({ name: marker }), isTenantRequired);

  TenantContext.addResolver(() => null);
  TenantContext.addResolver(() => undefined);
  TenantContext.addResolver(() => '');
  await expectReject(() => User.create({ name: marker }), isTenantRequired);
  await TenantContext.runWithTenant(null, () => expectReject(() => User.create({ name: marker }), isTenantRequired));

  await assertUntouched(marker, seeded);
  const raw = await rawGet(`[${seeded.owner}]#u#${seeded.id}`, 'u');
  assert.equal(raw.name.S, `${marker}-orig`);
});

test('validateTenantRequired throws the original message', () => {
  assert.throws(() => TenantContext.validateTenantRequired({ tenancy: { enabled: true } }), {
    message:
      'Tenant context is required when tenancy is enabled. Use TenantContext.runWithTenant(tenantId, callback) or add tenant resolvers.',
  });
  TenantContext.runWithTenant(uid('v-'), () => TenantContext.validateTenantRequired({ tenancy: { enabled: true } }));
});
