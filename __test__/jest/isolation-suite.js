'use strict';
/**
 * The isolation check each `isolation-*.jest.js` file runs with its own set-up style.
 * Every test writes notes under the shared topics and an account with the shared email,
 * waits so tests in other workers write into the same index partitions, then reads back
 * through every access path and expects exactly its own items. It also checks that the
 * previous test's tenant was emptied by useTestTenant's afterEach.
 */
const { TenantContext } = require('dynamo-bao-native');
const { Note, Account, SHARED_EMAIL, TOPICS, journal, sleep } = require('./support');

const ULID_TENANT = /^test-[0-9A-HJKMNP-TV-Z]{26}$/;
const sortedIds = (items) => items.map((x) => x.getPrimaryId()).sort();

/**
 * @param {string} file the test file's name (for the journal)
 * @param {{tenantId: string}} t the useTestTenant handle
 * @param {number} tests how many tests to define
 */
function isolationTests(file, t, tests = 4) {
  let previous = null; // { tenantId, noteIds, accountId } of the file's previous test

  afterEach(() => {
    // Declared after useTestTenant's afterEach, so it runs once the tenant was emptied.
    journal({ file, event: 'cleaned', at: Date.now(), tenantId: previous && previous.tenantId });
  });

  for (let i = 0; i < tests; i++) {
    test(`${file} #${i}: sees exactly its own items`, async () => {
      const start = Date.now();
      const tenantId = t.tenantId;
      expect(tenantId).toMatch(ULID_TENANT);
      expect(TenantContext.getCurrentTenant()).toBe(tenantId);

      const n = 3 + ((i * 5 + file.length) % 7); // differs between tests, so counts mean something
      const notes = await Promise.all(
        Array.from({ length: n }, (_, k) => Note.create({ owner: tenantId, topic: TOPICS[k % 2], n: k })),
      );
      const account = await Account.create({ owner: tenantId, email: SHARED_EMAIL });
      const writtenAt = Date.now();
      await sleep(300); // tests in other workers write into the same partitions meanwhile
      const queriedAt = Date.now();

      const own = sortedIds(notes);
      expect((await Note.count()).count).toBe(n);
      const seen = [];
      for (const topic of TOPICS) {
        const page = await Note.queryByIndex('byTopic', topic);
        const mine = notes.filter((x) => x.topic === topic);
        expect(sortedIds(page.items)).toEqual(sortedIds(mine));
        expect((await Note.queryByIndex('byTopic', topic, null, { countOnly: true })).count).toBe(mine.length);
        seen.push(...page.items);
      }
      expect(new Set(seen.map((x) => x.owner))).toEqual(new Set([tenantId]));
      const iterated = [];
      for await (const batch of Note.iterateAll({ batchSize: 3 })) iterated.push(...batch);
      expect(sortedIds(iterated)).toEqual(own);
      const { items } = await Note.batchFind(own);
      expect(Object.keys(items).sort()).toEqual(own);
      const byEmail = await Account.findByUniqueConstraint('uniqueEmail', SHARED_EMAIL);
      expect(byEmail.exists()).toBe(true);
      expect(byEmail.getPrimaryId()).toBe(account.getPrimaryId());
      expect(byEmail.owner).toBe(tenantId);

      if (previous) {
        // A new tenant per test, and the last one's items are gone.
        expect(previous.tenantId).not.toBe(tenantId);
        expect((await Note.find(previous.noteIds[0])).exists()).toBe(false);
        await TenantContext.withTenant(previous.tenantId, async () => {
          expect((await Note.count()).count).toBe(0);
          expect((await Account.find(previous.accountId)).exists()).toBe(false);
          expect((await Account.findByUniqueConstraint('uniqueEmail', SHARED_EMAIL)).exists()).toBe(false);
        });
      }
      previous = { tenantId, noteIds: own, accountId: account.getPrimaryId() };
      journal({ file, event: 'test', test: i, tenantId, notes: n, start, writtenAt, queriedAt, end: Date.now() });
    });
  }
}

module.exports = { isolationTests };
