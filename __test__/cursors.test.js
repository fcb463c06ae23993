'use strict';
/**
 * Opaque query cursors (`options.cursor`): signed, bound to the tenant, the index and
 * the partition they came from. They page like `startKey`, and anything else — another
 * tenant, another partition, an altered or foreign cursor — is refused before a request.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, TenantContext } = require('..');
const { makeModels, config, initTenantModels } = require('./helpers/models');
const { uid } = require('./helpers/ids');

let User;
const acme = uid('acme');
const globex = uid('globex');

before(async () => {
  ({ User } = makeModels());
  initTenantModels({ User });
  await TenantContext.runWithTenant(acme, () =>
    Promise.all(Array.from({ length: 7 }, (_, i) => User.create({ name: `a${i}` }))),
  );
  await TenantContext.runWithTenant(globex, () => User.create({ name: 'g0' }));
});

const inAcme = (fn) => TenantContext.runWithTenant(acme, fn);
const isInvalidCursor = (pattern) => (e) => e.name === 'ValidationError' && /Invalid cursor/.test(e.message) && pattern.test(e.message);

test('cursors page through a partition like startKey', async () => {
  const names = [];
  let cursor;
  let pages = 0;
  do {
    const page = await inAcme(() => User.queryByIndex('byStatus', 'active', null, { limit: 3, cursor }));
    names.push(...page.items.map((u) => u.name));
    cursor = page.cursor;
    if (cursor) assert.equal(typeof cursor, 'string');
    pages++;
  } while (cursor && pages < 10);
  assert.deepEqual(names.sort(), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  assert.ok(pages >= 3);
});

test("another tenant's cursor is refused", async () => {
  const page = await inAcme(() => User.queryByIndex('byStatus', 'active', null, { limit: 2 }));
  assert.ok(page.cursor);
  await assert.rejects(
    TenantContext.runWithTenant(globex, () => User.queryByIndex('byStatus', 'active', null, { cursor: page.cursor })),
    isInvalidCursor(/another tenant/),
  );
});

test('a cursor is bound to its index and partition', async () => {
  const page = await inAcme(() => User.queryByIndex('byStatus', 'active', null, { limit: 2 }));
  await assert.rejects(
    inAcme(() => User.queryByIndex('byStatus', 'inactive', null, { cursor: page.cursor })),
    isInvalidCursor(/another query/),
  );
});

test('altered, foreign and malformed cursors are refused', async () => {
  const { cursor } = await inAcme(() => User.queryByIndex('byStatus', 'active', null, { limit: 2 }));
  const [payload, mac] = cursor.split('.');
  const flipped = payload.slice(0, 5) + (payload[5] === 'A' ? 'B' : 'A') + payload.slice(6);
  await assert.rejects(inAcme(() => User.queryByIndex('byStatus', 'active', null, { cursor: `${flipped}.${mac}` })), isInvalidCursor(/signature/));
  for (const junk of ['', 'x', 'a.b.c', '....', '%%%.%%%']) {
    await assert.rejects(inAcme(() => User.queryByIndex('byStatus', 'active', null, { cursor: junk || 'x.' })), isInvalidCursor(/./));
  }
  await assert.rejects(inAcme(() => User.queryByIndex('byStatus', 'active', null, { cursor: 42 })), (e) => e.name === 'ValidationError');
  await assert.rejects(
    inAcme(() => User.queryByIndex('byStatus', 'active', null, { cursor, startKey: { _pk: 'x' } })),
    (e) => e.name === 'ValidationError' && /either startKey or cursor/.test(e.message),
  );
});

test('instances sharing tenancy.cursorSecret accept each other\'s cursors; others do not', async () => {
  const secret = 'a-shared-secret-of-at-least-32-characters';
  const boot = (tenancy) => {
    const { User: U } = makeModels();
    const cfg = config({ User: U });
    TenantContext.runWithTenant('boot', () => initModels({ ...cfg, tenancy: { enabled: true, ...tenancy } }));
    return U;
  };
  const one = boot({ cursorSecret: secret });
  const two = boot({ cursorSecret: secret });
  const page = await inAcme(() => one.queryByIndex('byStatus', 'active', null, { limit: 4 }));
  const next = await inAcme(() => two.queryByIndex('byStatus', 'active', null, { cursor: page.cursor }));
  assert.equal(page.items.length + next.items.length, 7);
  await assert.rejects(
    inAcme(() => User.queryByIndex('byStatus', 'active', null, { cursor: page.cursor })),
    isInvalidCursor(/signature/),
  );
  assert.throws(() => boot({ cursorSecret: 'short' }), (e) => e.name === 'ConfigurationError');
});
