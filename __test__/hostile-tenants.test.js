'use strict';
/**
 * Tenant id validation.
 *
 * Proves that ids which could break out of the `[T]#` key prefix or are not usable strings
 * (`a]#b`, `#`, `[x`, "", > 128 chars, control characters, a number, an object) are refused
 * with a ValidationError carrying code INVALID_TENANT_ID before any key is built — for
 * create, find and queryByIndex, whether the id comes from runWithTenant, a resolver or
 * setCurrentTenant — and that nothing is written (a raw scan for a unique marker finds no
 * item). `null`/`undefined` mean "no explicit tenant": with nothing else in scope they give
 * TENANT_REQUIRED. Ordinary ids (a ULID, `tenant-123`, `acme_co`, a UUID, exactly 128 chars)
 * work and land under `[<id>]#`.
 */
const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { TenantContext } = require('..');
const { makeModels, initTenantModels } = require('./helpers/models');
const { mentioning, rawGet } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');
const { expectReject, isInvalidTenant, isTenantRequired } = require('./helpers/expect');

const models = makeModels();
const { User, PkPrefix } = models;

beforeEach(() => {
  TenantContext.reset();
  initTenantModels(models);
});
afterEach(() => TenantContext.reset());

const HOSTILE = [
  ['"a]#b"', 'a]#b'],
  ['"#"', '#'],
  ['"[x"', '[x'],
  ['"x]"', 'x]'],
  ['an empty string', ''],
  ['300 characters', 'a'.repeat(300)],
  ['129 characters', 'a'.repeat(129)],
  ['a newline', 'a\nb'],
  ['a NUL character', 'a\u0000b'],
  ['a DEL character', 'a\u007fb'],
  ['a number', 42],
  ['an object', { id: 'x' }],
];

for (const [label, badId] of HOSTILE) {
  test(`tenant id ${label} is refused with INVALID_TENANT_ID and nothing is written`, async () => {
    const marker = uid('hostile');
    await TenantContext.runWithTenant(badId, async () => {
      const err = await expectReject(() => User.create({ name: marker, email: `${marker}@x.test` }), isInvalidTenant);
      assert.ok(err.message.length > 0, 'the error explains itself');
      await expectReject(() => PkPrefix.create({ k: marker, v: marker }), isInvalidTenant);
      await expectReject(() => User.find(ulid()), isInvalidTenant);
      await expectReject(() => User.queryByIndex('byStatus', 'active'), isInvalidTenant);
    });
    assert.deepEqual(await mentioning(marker), [], 'no item mentions the marker');
  });
}

for (const [label, noId] of [['null', null], ['undefined', undefined]]) {
  test(`runWithTenant(${label}) with nothing else in scope gives TENANT_REQUIRED`, async () => {
    const marker = uid('none');
    await TenantContext.runWithTenant(noId, async () => {
      assert.equal(TenantContext.getCurrentTenant(), null);
      await expectReject(() => User.create({ name: marker }), isTenantRequired);
      await expectReject(() => PkPrefix.create({ k: marker }), isTenantRequired);
      await expectReject(() => User.queryByIndex('byStatus', 'active'), isTenantRequired);
    });
    assert.deepEqual(await mentioning(marker), []);
  });
}

test('runWithTenant(null) falls back to setCurrentTenant and resolvers, as the guide says', async () => {
  const viaFallback = uid('fb-');
  const viaResolver = uid('rs-');
  const marker = uid('m');
  TenantContext.setCurrentTenant(viaFallback);
  const a = await TenantContext.runWithTenant(null, () => User.create({ name: `${marker}-a` }));
  TenantContext.clearTenant();
  TenantContext.addResolver(() => viaResolver);
  const b = await TenantContext.runWithTenant(null, () => User.create({ name: `${marker}-b` }));
  assert.ok(await rawGet(`[${viaFallback}]#u#${a.getPrimaryId()}`, 'u'));
  assert.ok(await rawGet(`[${viaResolver}]#u#${b.getPrimaryId()}`, 'u'));
});

test('a hostile id returned by a resolver is refused', async () => {
  const marker = uid('hostile');
  TenantContext.addResolver(() => 'a]#b');
  await expectReject(() => User.create({ name: marker }), isInvalidTenant);
  await TenantContext.runWithTenant(null, () =>
    expectReject(() => User.create({ name: marker }), isInvalidTenant),
  );
  assert.deepEqual(await mentioning(marker), []);
});

test('a hostile id given to setCurrentTenant is refused (at the call or at the operation)', async () => {
  const marker = uid('hostile');
  for (const badId of ['[x', 'a]#b', 'c'.repeat(300)]) {
    await assert.rejects(
      async () => {
        TenantContext.setCurrentTenant(badId);
        await User.create({ name: marker });
      },
      (err) => {
        isInvalidTenant(err);
        return true;
      },
    );
    TenantContext.clearTenant();
  }
  assert.deepEqual(await mentioning(marker), []);
});

const VALID = [
  ['a ULID', () => '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ['tenant-123', () => 'tenant-123'],
  ['acme_co', () => 'acme_co'],
  ['a UUID', () => crypto.randomUUID()],
  ['exactly 128 characters', () => 'b'.repeat(128)],
];

for (const [label, makeId] of VALID) {
  test(`valid tenant id (${label}) works and is the key prefix`, async () => {
    const tenantId = makeId();
    const marker = uid('ok');
    await TenantContext.runWithTenant(tenantId, async () => {
      const user = await User.create({ name: 'Valid', status: marker });
      try {
        const found = await User.find(user.getPrimaryId());
        assert.equal(found.exists(), true);
        assert.equal(found.status, marker);
        const byStatus = await User.queryByIndex('byStatus', marker);
        assert.deepEqual(byStatus.items.map((x) => x.getPrimaryId()), [user.getPrimaryId()]);
        const raw = await rawGet(`[${tenantId}]#u#${user.getPrimaryId()}`, 'u');
        assert.ok(raw, `stored under [${tenantId}]#u#<id>`);
        assert.equal(raw._gsi1_pk.S, `[${tenantId}]#u#gsi1#${marker}`);
      } finally {
        await User.delete(user.getPrimaryId());
      }
    });
    assert.deepEqual(await mentioning(marker), [], 'cleaned up');
  });
}
