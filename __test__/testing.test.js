'use strict';
/**
 * dynamo-bao-native/testing outside Jest: the clear error without hook globals, the hooks
 * of node:test passed in, option checks, and cleanupTestTenant on its own. (The Jest
 * project in __test__/jest/ runs it under parallel Jest workers.)
 */
const { describe, test, beforeEach, afterEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext } = require('..');
const { useTestTenant, initTestModelsWithTenant, generateTestTenant, cleanupTestTenant } = require('dynamo-bao-native/testing');
const { makeModels, config, initTenantModels } = require('./helpers/models');
const { expectReject, isTenantRequired } = require('./helpers/expect');
const { rawGet } = require('./helpers/raw');
const { UpdateCommand, TransactWriteCommand, DynamoDBClient } = require('dynamo-bao-native/src/dynamodb-client.js');

const models = makeModels();
const { User, PkPrefix } = models;
const TENANT = /^test-[0-9A-HJKMNP-TV-Z]{26}$/;

test('without beforeEach/afterEach globals, useTestTenant says what it needs', () => {
  assert.equal(typeof globalThis.beforeEach, 'undefined');
  assert.throws(() => useTestTenant({ models: [User] }), /needs the test runner's beforeEach\/afterEach.*pass \{ beforeEach, afterEach \}/);
});

test('bad options are refused when useTestTenant is called', () => {
  const hooks = { beforeEach() {}, afterEach() {} };
  assert.throws(() => useTestTenant({ ...hooks, models: [User, {}] }), /is not a model class/);
  assert.throws(() => useTestTenant({ ...hooks, models: 'User' }), /models must be/);
  assert.throws(() => useTestTenant({ ...hooks, prefix: 7 }), /prefix must be a string/);
  assert.throws(() => useTestTenant({ ...hooks, config: 'x' }), /config must be/);
  assert.throws(() => useTestTenant(null), /options must be an object/);
});

describe('with the node:test hooks', () => {
  const t = useTestTenant({ beforeEach, afterEach, config: config(models) });
  const seen = [];
  const rawKeys = [];
  after(() => TenantContext.reset());

  test('each test runs in its own current test-<ULID> tenant', async () => {
    assert.match(t.tenantId, TENANT);
    assert.equal(TenantContext.getCurrentTenant(), t.tenantId);
    assert.equal(t.manager.getModel('User'), User);
    seen.push(t.tenantId);
    // An iterable model (found by iteration) and a non-iterable one (tracked saves).
    await User.create({ name: 'a' });
    await User.create({ name: 'b' });
    await PkPrefix.create({ k: 'one', v: 'x' });
    assert.equal((await User.count()).count, 2);
    // Raw writes: an UpdateItem and a transaction's Put (document form), an UpdateItem (wire form).
    const key = (n) => ({ _pk: `[${t.tenantId}]#raw#${n}`, _sk: 'raw' });
    const set = { UpdateExpression: 'SET #v = :v', ExpressionAttributeNames: { '#v': 'v' } };
    await User.documentClient.send(new UpdateCommand({ TableName: User.table, Key: key(1), ...set, ExpressionAttributeValues: { ':v': 1 } }));
    await User.documentClient.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: User.table, Item: { ...key(2), v: 2 } } }] }));
    const wire = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
    const wireKey = { _pk: { S: key(3)._pk }, _sk: { S: 'raw' } };
    await wire.send(new UpdateCommand({ TableName: User.table, Key: wireKey, ...set, ExpressionAttributeValues: { ':v': { N: '3' } } }));
    rawKeys.push(...[1, 2, 3].map((n) => key(n)._pk));
    for (const pk of rawKeys) assert.notEqual(await rawGet(pk, 'raw'), null, `${pk} was written`);
  });

  test('the previous tenant was emptied and cleared', async () => {
    assert.equal(seen.length, 1);
    for (const pk of rawKeys) assert.equal(await rawGet(pk, 'raw'), null, `${pk} was deleted`);
    assert.notEqual(t.tenantId, seen[0]);
    await TenantContext.withTenant(seen[0], async () => {
      assert.equal((await User.count()).count, 0);
      assert.equal((await PkPrefix.find(PkPrefix.getPrimaryId({ k: 'one' }))).exists(), false);
    });
  });
});

describe('after the hooks ran', () => {
  test('no tenant is left behind', async () => {
    assert.equal(TenantContext.getCurrentTenant(), null);
    initTenantModels(models);
    await expectReject(() => User.count(), isTenantRequired);
  });
});

test('cleanupTestTenant deletes a tenant of iterable models and says how many', async () => {
  initTenantModels(models);
  const tenant = generateTestTenant('clean-');
  assert.match(tenant, /^clean-[0-9A-HJKMNP-TV-Z]{26}$/);
  await TenantContext.withTenant(tenant, async () => {
    for (let i = 0; i < 5; i++) await User.create({ name: `u${i}` });
  });
  assert.equal(await cleanupTestTenant(tenant, { User }), 5);
  assert.equal(await TenantContext.withTenant(tenant, async () => (await User.count()).count), 0);
  assert.equal(await cleanupTestTenant(tenant, [User]), 0);
  await assert.rejects(() => cleanupTestTenant('', [User]), /tenantId must be a non-empty string/);
});

test('initTestModelsWithTenant makes the tenant current and enables tenancy', async () => {
  const tenant = generateTestTenant();
  try {
    const manager = initTestModelsWithTenant({ ...config(models), tenancy: { enabled: false, strict: true } }, tenant);
    assert.equal(manager.isTenancyEnabled(), true);
    assert.equal(TenantContext.getCurrentTenant(), tenant);
    const u = await User.create({ name: 'x' });
    assert.equal(await TenantContext.withTenant(generateTestTenant(), async () => (await User.find(u.getPrimaryId())).exists()), false);
    assert.equal(await cleanupTestTenant(tenant, [User]), 1);
  } finally {
    TenantContext.reset();
  }
  assert.throws(() => initTestModelsWithTenant(config(models), ''), /non-empty string/);
});
