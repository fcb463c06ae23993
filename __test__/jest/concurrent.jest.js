'use strict';
/**
 * `test.concurrent` runs no beforeEach/afterEach (Jest 29), so useTestTenant does not apply:
 * each test takes its own tenant with runWithTenant and cleans it up itself. Also shows that
 * a test file starts with no tenant at all, whatever ran before it in the same worker.
 */
const { TenantContext, initModels } = require('dynamo-bao-native');
const { generateTestTenant, cleanupTestTenant } = require('dynamo-bao-native/testing');
const { config, Note, Account, SHARED_EMAIL, journal, sleep } = require('./support');

beforeAll(() => {
  expect(TenantContext.getCurrentTenant()).toBeNull();
  TenantContext.runWithTenant('jest-setup', () => initModels(config));
});

test('without a tenant every operation is refused', async () => {
  expect(TenantContext.getCurrentTenant()).toBeNull();
  await expect(Note.count()).rejects.toMatchObject({ code: 'TENANT_REQUIRED' });
  await expect(Note.create({ owner: 'x', topic: 'alpha' })).rejects.toMatchObject({ code: 'TENANT_REQUIRED' });
});

for (let i = 0; i < 4; i++) {
  test.concurrent(`concurrent #${i}: runWithTenant per test`, async () => {
    const tenantId = generateTestTenant();
    const start = Date.now();
    await TenantContext.runWithTenant(tenantId, async () => {
      try {
        const notes = [];
        for (let k = 0; k <= i; k++) notes.push(await Note.create({ owner: tenantId, topic: 'alpha', n: k }));
        await Account.create({ owner: tenantId, email: SHARED_EMAIL });
        await sleep(100); // the other concurrent tests write meanwhile
        const page = await Note.queryByIndex('byTopic', 'alpha');
        expect(page.items.map((x) => x.owner)).toEqual(notes.map(() => tenantId));
        expect((await Note.count()).count).toBe(i + 1);
        expect((await Account.findByUniqueConstraint('uniqueEmail', SHARED_EMAIL)).owner).toBe(tenantId);
      } finally {
        // Account is not iterable: it is found through its unique email and deleted directly.
        const account = await Account.findByUniqueConstraint('uniqueEmail', SHARED_EMAIL);
        if (account.exists()) await Account.delete(account.getPrimaryId());
        await cleanupTestTenant(tenantId, [Note]);
      }
      expect((await Note.count()).count).toBe(0);
    });
    journal({ file: 'concurrent', event: 'concurrent', test: i, tenantId, start, end: Date.now() });
  });
}
