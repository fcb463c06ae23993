'use strict';
/** The handle useTestTenant returns, and what its hooks do around each test. */
const { TenantContext, exceptions } = require('dynamo-bao-native');
const { useTestTenant, initTestModelsWithTenant, generateTestTenant } = require('dynamo-bao-native/testing');
const { config, Note, Account } = require('./support');

const t = useTestTenant({ config });
const seen = [];

beforeAll(() => {
  // Hooks registered, but no test running yet: no tenant to hand out.
  expect(() => t.tenantId).toThrow(/no test is running/);
});

test('the tenant is test-<ULID>, current, and the manager is initialised for it', async () => {
  expect(t.tenantId).toMatch(/^test-[0-9A-HJKMNP-TV-Z]{26}$/);
  expect(TenantContext.getCurrentTenant()).toBe(t.tenantId);
  expect(t.manager.getModel('Note')).toBe(Note);
  expect(t.manager.isTenancyEnabled()).toBe(true);
  seen.push(t.tenantId);
  await Note.create({ owner: t.tenantId, topic: 'alpha' });
  expect((await Note.count()).count).toBe(1);
});

test('the next test has another tenant, with nothing in it', async () => {
  expect(seen).toHaveLength(1);
  expect(t.tenantId).not.toBe(seen[0]);
  seen.push(t.tenantId);
  expect((await Note.count()).count).toBe(0);
  await TenantContext.withTenant(seen[0], async () => {
    expect((await Note.count()).count).toBe(0); // emptied by afterEach
  });
});

test('t.run runs inside runWithTenant (what tenancy.strict needs)', async () => {
  const inside = await t.run(async () => TenantContext.getCurrentTenant());
  expect(inside).toBe(t.tenantId);
  const created = await t.run(() => Account.create({ owner: t.tenantId, email: 'run@example.com' }));
  expect(created.exists()).toBe(true);
});

test('an invalid tenant id fails the operation, not silently', async () => {
  initTestModelsWithTenant(config, 'bad]#id');
  await expect(Note.count()).rejects.toMatchObject({ code: 'INVALID_TENANT_ID' });
  expect(() => initTestModelsWithTenant(config, '')).toThrow(/non-empty string/);
  expect(() => initTestModelsWithTenant(null, 'x')).toThrow(/config/);
  // Put the test's own tenant back so afterEach can clean it.
  initTestModelsWithTenant(config, t.tenantId);
});

test('generateTestTenant gives distinct valid ids', () => {
  const ids = new Set(Array.from({ length: 50 }, () => generateTestTenant()));
  expect(ids.size).toBe(50);
  expect(generateTestTenant('ci-')).toMatch(/^ci-[0-9A-HJKMNP-TV-Z]{26}$/);
  expect(exceptions.TenantRequiredError).toBeDefined();
});

describe('nested useTestTenant', () => {
  const hooks = [];
  // A second handle on the same hooks would fight over the current tenant: refused.
  useTestTenant({ models: [], beforeEach: (fn) => hooks.push(fn), afterEach: () => {} });
  test('a second active handle is refused', async () => {
    expect(hooks).toHaveLength(1);
    await expect(hooks[0]()).rejects.toThrow(/still active/);
    expect(TenantContext.getCurrentTenant()).toBe(t.tenantId);
  });
});
