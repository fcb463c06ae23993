'use strict';
/**
 * The multi-tenancy guide (shared/reference/seed-multi-tenancy.md), example by example.
 *
 * Proves that each pattern the guide documents works as written against a real table:
 * runWithTenant, withTenant admin stats, setCurrentTenant, resolvers (order, first truthy
 * wins, used by runWithTenant(null, ...)), the precedence explicit > fallback > resolvers,
 * Express/Lambda wrappers, the background-job loop with sub.delete(), compareTenants and
 * getTenantStats (User.count(), countOnly queries), the initModels testing pattern,
 * validateTenantRequired, and that every tenant sees only its own data (checked through the
 * library and with raw reads of the stored keys).
 */
const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, TenantContext, exceptions } = require('..');
const { makeModels, config, initTenantModels } = require('./helpers/models');
const { rawGet, rawScanItems } = require('./helpers/raw');
const { uid, ulid, sleep } = require('./helpers/ids');
const { expectReject, isTenantRequired } = require('./helpers/expect');

const models = makeModels();
const { User, Subscription } = models;

const REQUIRED_MSG =
  'Tenant context is required when tenancy is enabled. Use TenantContext.runWithTenant(tenantId, callback) or add tenant resolvers.';

beforeEach(() => {
  TenantContext.reset();
  initTenantModels(models);
});
afterEach(() => TenantContext.reset());

const ids = (result) => result.items.map((x) => x.getPrimaryId()).sort();

/** Seeds users (by status) in a tenant and returns their ids. */
async function seedUsers(tenantId, statuses) {
  return TenantContext.runWithTenant(tenantId, async () => {
    const out = [];
    for (const [i, status] of statuses.entries()) {
      const u = await User.create({ name: `${tenantId}-user-${i}`, email: `u${i}@x.test`, status });
      out.push(u.getPrimaryId());
    }
    return out;
  });
}

async function seedSubscriptions(tenantId, statuses) {
  return TenantContext.runWithTenant(tenantId, async () => {
    const out = [];
    for (const status of statuses) {
      const s = await Subscription.create({ plan: 'pro', status });
      out.push(s.getPrimaryId());
    }
    return out;
  });
}

test('1. runWithTenant: create then queryByIndex inside the tenant', async () => {
  const tenant = uid('tenant-123-');
  let userId;
  await TenantContext.runWithTenant(tenant, async () => {
    const empty = await User.queryByIndex('byStatus', 'active');
    assert.equal(empty.items.length, 0, 'a new tenant starts empty');
    const user = await User.create({ name: 'John Doe', email: 'john@tenant123.com' });
    assert.equal(user.exists(), true);
    assert.equal(user.status, 'active');
    userId = user.getPrimaryId();
    const users = await User.queryByIndex('byStatus', 'active');
    assert.deepEqual(ids(users), [userId]);
    assert.equal(users.items[0].name, 'John Doe');
    assert.equal(TenantContext.getCurrentTenant(), tenant);
  });
  assert.equal(TenantContext.getCurrentTenant(), null, 'the context ends with the callback');

  const raw = await rawGet(`[${tenant}]#u#${userId}`, 'u');
  assert.ok(raw, 'stored under [tenant]#u#<id>');
  assert.equal(raw._gsi1_pk.S, `[${tenant}]#u#gsi1#active`);

  await TenantContext.runWithTenant(uid('other-'), async () => {
    assert.equal((await User.find(userId)).exists(), false);
    assert.equal((await User.queryByIndex('byStatus', 'active')).items.length, 0);
  });
});

test('2. withTenant: admin getTenantStats, without disturbing the caller context', async () => {
  const tA = uid('ta-');
  const tEmpty = uid('te-');
  const requestTenant = uid('req-');
  await seedUsers(tA, ['active', 'active', 'inactive']);

  const adminService = {
    async getTenantStats(tenantId) {
      return await TenantContext.withTenant(tenantId, async () => {
        const activeUsers = await User.queryByIndex('byStatus', 'active');
        return { tenantId, userCount: activeUsers.items.length };
      });
    },
  };

  await TenantContext.runWithTenant(requestTenant, async () => {
    assert.deepEqual(await adminService.getTenantStats(tA), { tenantId: tA, userCount: 2 });
    assert.deepEqual(await adminService.getTenantStats(tEmpty), { tenantId: tEmpty, userCount: 0 });
    assert.equal(TenantContext.getCurrentTenant(), requestTenant);
    assert.equal((await User.queryByIndex('byStatus', 'active')).items.length, 0);
  });
});

test('3. setCurrentTenant: direct setting scopes later operations until clearTenant', async () => {
  const tenant = uid('tenant-123-');
  TenantContext.setCurrentTenant(tenant);
  assert.equal(TenantContext.getCurrentTenant(), tenant);
  const created = await User.create({ name: 'Direct' });
  const users = await User.queryByIndex('byStatus', 'active');
  assert.deepEqual(ids(users), [created.getPrimaryId()]);
  assert.ok(await rawGet(`[${tenant}]#u#${created.getPrimaryId()}`, 'u'));

  TenantContext.clearTenant();
  assert.equal(TenantContext.getCurrentTenant(), null);
  await expectReject(() => User.queryByIndex('byStatus', 'active'), isTenantRequired);

  // Inside runWithTenant, setCurrentTenant changes only that context.
  const inner = uid('inner-');
  await TenantContext.runWithTenant(uid('outer-'), async () => {
    TenantContext.setCurrentTenant(inner);
    assert.equal(TenantContext.getCurrentTenant(), inner);
    await User.create({ name: 'Inner' });
  });
  assert.equal(TenantContext.getCurrentTenant(), null, 'the fallback was not touched');
  const innerRows = await rawScanItems((it) => it._pk.startsWith(`[${inner}]#u#`));
  assert.equal(innerRows.length, 1);
});

test('4. resolvers: tried in order, first truthy wins, used by runWithTenant(null, ...)', async () => {
  assert.throws(() => TenantContext.addResolver('nope'), { message: 'Resolver must be a function' });

  let currentRequest = null;
  let currentUser = null;
  TenantContext.addResolver(() => currentRequest?.headers['x-tenant-id']);
  TenantContext.addResolver(() => currentUser?.tenantId);

  const tHeader = uid('hdr-');
  const tUser = uid('usr-');
  currentRequest = { headers: { 'x-tenant-id': tHeader } };
  currentUser = { tenantId: tUser };
  assert.equal(TenantContext.getCurrentTenant(), tHeader, 'first resolver wins');
  currentRequest = { headers: {} };
  assert.equal(TenantContext.getCurrentTenant(), tUser, 'falsy result is skipped');
  currentUser = null;
  assert.equal(TenantContext.getCurrentTenant(), null, 'no resolver answers');

  currentRequest = { headers: { 'x-tenant-id': tHeader } };
  let userId;
  await TenantContext.runWithTenant(null, async () => {
    assert.equal((await User.queryByIndex('byStatus', 'active')).items.length, 0);
    userId = (await User.create({ name: 'Resolved' })).getPrimaryId();
    assert.deepEqual(ids(await User.queryByIndex('byStatus', 'active')), [userId]);
  });
  assert.ok(await rawGet(`[${tHeader}]#u#${userId}`, 'u'), 'written under the resolved tenant');

  // Resolvers are consulted per operation: another "request" resolves another tenant.
  currentRequest = { headers: {} };
  currentUser = { tenantId: tUser };
  await TenantContext.runWithTenant(null, async () => {
    assert.equal((await User.find(userId)).exists(), false);
    await User.create({ name: 'Second' });
  });
  const userRows = await rawScanItems((it) => it._pk.startsWith(`[${tUser}]#u#`));
  assert.deepEqual(userRows.map((r) => r.name), ['Second']);
});

test('precedence: explicit runWithTenant beats the fallback, which beats resolvers', async () => {
  const tE = uid('exp-');
  const tF = uid('fbk-');
  const tR = uid('res-');
  const mark = uid('m');
  TenantContext.addResolver(() => tR);
  assert.equal(TenantContext.getCurrentTenant(), tR);
  TenantContext.setCurrentTenant(tF); // outside any runWithTenant: the fallback
  assert.equal(TenantContext.getCurrentTenant(), tF);

  await TenantContext.runWithTenant(tE, async () => {
    assert.equal(TenantContext.getCurrentTenant(), tE);
    await User.create({ name: `${mark}-E` });
  });
  await TenantContext.runWithTenant(null, async () => {
    assert.equal(TenantContext.getCurrentTenant(), tF);
    await User.create({ name: `${mark}-F` });
  });
  assert.equal(TenantContext.getCurrentTenant(), tF, 'fallback visible again outside');
  TenantContext.clearTenant();
  assert.equal(TenantContext.getCurrentTenant(), tR);
  await User.create({ name: `${mark}-R` });

  const rows = await rawScanItems((it) => typeof it.name === 'string' && it.name.startsWith(mark));
  const where = Object.fromEntries(rows.map((r) => [r.name, r._pk.split('#')[0]]));
  assert.deepEqual(where, {
    [`${mark}-E`]: `[${tE}]`,
    [`${mark}-F`]: `[${tF}]`,
    [`${mark}-R`]: `[${tR}]`,
  });
});

test('Express-style middleware: concurrent requests each see their own tenant', async () => {
  const tenants = [uid('ex1-'), uid('ex2-'), uid('ex3-')];
  const seeded = {};
  for (const [n, t] of tenants.entries()) seeded[t] = await seedUsers(t, Array(n + 1).fill('active'));

  let currentRequest = null;
  TenantContext.addResolver(() => currentRequest?.headers['x-tenant-id']);

  const middleware = (req, res, next) => {
    currentRequest = req; // a global, overwritten by the next request: runWithTenant must win
    const tenantId = req.headers['x-tenant-id'];
    if (!tenantId) return res.status(400).json({ error: 'Tenant context required' });
    return TenantContext.runWithTenant(tenantId, () => next());
  };
  const route = async (req, res) => {
    await sleep(Math.floor(Math.random() * 15));
    const users = await User.queryByIndex('byStatus', 'active');
    res.json(users.items.map((u) => u.getPrimaryId()));
  };
  const call = (headers) => {
    const res = {
      code: 200,
      status(c) { this.code = c; return this; },
      json(body) { this.body = body; return this; },
    };
    const req = { headers };
    return Promise.resolve(middleware(req, res, () => route(req, res))).then(() => res);
  };

  const results = await Promise.all([
    ...tenants.map((t) => call({ 'x-tenant-id': t })),
    call({}),
  ]);
  for (const [n, t] of tenants.entries()) {
    assert.equal(results[n].code, 200);
    assert.deepEqual([...results[n].body].sort(), [...seeded[t]].sort(), `tenant ${t} sees its own users`);
  }
  assert.equal(results[3].code, 400);
  assert.deepEqual(results[3].body, { error: 'Tenant context required' });
});

test('AWS Lambda handler: tenant from the authorizer, 400 without one', async () => {
  const tenant = uid('lambda-');
  await seedUsers(tenant, ['active', 'active']);
  const handler = async (event) => {
    const tenantId = event.requestContext.authorizer?.tenantId || event.headers['x-tenant-id'];
    if (!tenantId) {
      return { statusCode: 400, body: JSON.stringify({ error: 'Tenant context required' }) };
    }
    return TenantContext.runWithTenant(tenantId, async () => {
      try {
        const users = await User.queryByIndex('byStatus', 'active');
        return { statusCode: 200, body: JSON.stringify(users.items) };
      } catch (error) {
        return { statusCode: 500, body: JSON.stringify({ error: error.message }) };
      }
    });
  };
  const ok = await handler({ requestContext: { authorizer: { tenantId: tenant } }, headers: {} });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(JSON.parse(ok.body).length, 2);
  const viaHeader = await handler({ requestContext: {}, headers: { 'x-tenant-id': tenant } });
  assert.equal(JSON.parse(viaHeader.body).length, 2);
  const bad = await handler({ requestContext: {}, headers: {} });
  assert.equal(bad.statusCode, 400);
});

test('background job: setCurrentTenant / expired subscriptions / sub.delete() / clearTenant', async () => {
  const tenants = [uid('tenant-1-'), uid('tenant-2-'), uid('tenant-3-')];
  const bystander = uid('bystander-');
  const active = {};
  for (const t of tenants) {
    await seedSubscriptions(t, ['expired', 'expired']);
    active[t] = await seedSubscriptions(t, ['active']);
  }
  const bystanderExpired = await seedSubscriptions(bystander, ['expired']);

  async function processTenantData(tenantId) {
    try {
      TenantContext.setCurrentTenant(tenantId);
      const expiredSubscriptions = await Subscription.queryByIndex('byStatus', 'expired');
      assert.equal(expiredSubscriptions.items.length, 2);
      for (const sub of expiredSubscriptions.items) {
        await sub.delete();
      }
    } finally {
      TenantContext.clearTenant();
    }
  }
  async function processAllTenants() {
    for (const tenantId of tenants) {
      await processTenantData(tenantId);
    }
  }

  await processAllTenants();
  assert.equal(TenantContext.getCurrentTenant(), null);

  for (const t of tenants) {
    await TenantContext.runWithTenant(t, async () => {
      assert.equal((await Subscription.queryByIndex('byStatus', 'expired')).items.length, 0);
      assert.deepEqual(ids(await Subscription.queryByIndex('byStatus', 'active')), active[t]);
    });
    const rows = await rawScanItems((it) => it._pk.startsWith(`[${t}]#sub#`));
    assert.deepEqual(rows.map((r) => r.status), ['active'], `only the active row is left for ${t}`);
  }
  await TenantContext.runWithTenant(bystander, async () => {
    assert.deepEqual(ids(await Subscription.queryByIndex('byStatus', 'expired')), bystanderExpired);
  });
});

test('compareTenants: two withTenant calls in parallel', async () => {
  const t1 = uid('cmp1-');
  const t2 = uid('cmp2-');
  const requestTenant = uid('req-');
  await Promise.all([seedUsers(t1, ['active', 'active', 'active']), seedUsers(t2, ['active', 'gone'])]);

  async function compareTenants(tenant1Id, tenant2Id) {
    const [tenant1Stats, tenant2Stats] = await Promise.all([
      TenantContext.withTenant(tenant1Id, async () => {
        const users = await User.queryByIndex('byStatus', 'active');
        return { tenantId: tenant1Id, userCount: users.items.length };
      }),
      TenantContext.withTenant(tenant2Id, async () => {
        const users = await User.queryByIndex('byStatus', 'active');
        return { tenantId: tenant2Id, userCount: users.items.length };
      }),
    ]);
    return { tenant1Stats, tenant2Stats };
  }

  await TenantContext.runWithTenant(requestTenant, async () => {
    const comparison = await compareTenants(t1, t2);
    assert.deepEqual(comparison, {
      tenant1Stats: { tenantId: t1, userCount: 3 },
      tenant2Stats: { tenantId: t2, userCount: 1 },
    });
    assert.equal(TenantContext.getCurrentTenant(), requestTenant, "the request's context is intact");
  });
});

test('getTenantStats: User.count() and a countOnly query; getAllTenantsStats in parallel', async () => {
  const tA = uid('sa-');
  const tB = uid('sb-');
  const tEmpty = uid('se-');
  await seedUsers(tA, ['active', 'active', 'inactive']);
  await seedSubscriptions(tA, ['active', 'active', 'expired']);
  await seedUsers(tB, ['active']);
  await seedSubscriptions(tB, ['expired']);

  const adminService = {
    async getTenantStats(tenantId) {
      return await TenantContext.withTenant(tenantId, async () => {
        const userCount = await User.count();
        const activeSubscriptions = await Subscription.queryByIndex('byStatus', 'active', null, {
          countOnly: true,
        });
        return {
          tenantId,
          userCount: userCount.count,
          activeSubscriptions: activeSubscriptions.count,
        };
      });
    },
    async getAllTenantIds() {
      return [tA, tB, tEmpty];
    },
    async getAllTenantsStats() {
      const tenants = await this.getAllTenantIds();
      return Promise.all(tenants.map((tenantId) => this.getTenantStats(tenantId)));
    },
  };

  assert.deepEqual(await adminService.getTenantStats(tA), { tenantId: tA, userCount: 3, activeSubscriptions: 2 });
  assert.deepEqual(await adminService.getAllTenantsStats(), [
    { tenantId: tA, userCount: 3, activeSubscriptions: 2 },
    { tenantId: tB, userCount: 1, activeSubscriptions: 0 },
    { tenantId: tEmpty, userCount: 0, activeSubscriptions: 0 },
  ]);
});

test('testing pattern: setCurrentTenant(ulid) then initModels with tenancy, getModel', async () => {
  const tenantId = ulid();
  TenantContext.setCurrentTenant(tenantId);
  try {
    const manager = initModels(config(models));
    const U = manager.getModel('User');
    assert.equal(U, User);
    const user = await U.create({ name: 'Test User', email: 'test@example.com' });
    assert.equal(user.exists(), true);
    assert.ok(await rawGet(`[${tenantId}]#u#${user.getPrimaryId()}`, 'u'));
  } finally {
    TenantContext.clearTenant();
  }
});

test('validateTenantRequired / initModels throw the original message without a tenant', async () => {
  assert.throws(() => TenantContext.validateTenantRequired({ tenancy: { enabled: true } }), (err) => {
    assert.equal(err.message, REQUIRED_MSG);
    return true;
  });
  assert.doesNotThrow(() => TenantContext.validateTenantRequired({ tenancy: { enabled: false } }));
  assert.doesNotThrow(() => TenantContext.validateTenantRequired({}));
  TenantContext.runWithTenant(uid('v-'), () => {
    assert.doesNotThrow(() => TenantContext.validateTenantRequired({ tenancy: { enabled: true } }));
  });

  const fresh = makeModels();
  assert.throws(() => initModels(config(fresh)), (err) => {
    assert.equal(err.message, REQUIRED_MSG);
    return true;
  });
  TenantContext.addResolver(() => 'from-resolver');
  assert.doesNotThrow(() => TenantContext.validateTenantRequired({ tenancy: { enabled: true } }));
});

test('each tenant sees only its own data (find, query, count, update, delete)', async () => {
  const tA = uid('iso-a-');
  const tB = uid('iso-b-');
  const aIds = await seedUsers(tA, ['active', 'active']);
  const bIds = await seedUsers(tB, ['active']);

  await TenantContext.runWithTenant(tA, async () => {
    assert.deepEqual(ids(await User.queryByIndex('byStatus', 'active')), [...aIds].sort());
    assert.equal((await User.count()).count, 2);
    assert.equal((await User.find(bIds[0])).exists(), false);
  });
  await TenantContext.runWithTenant(tB, async () => {
    assert.deepEqual(ids(await User.queryByIndex('byStatus', 'active')), bIds);
    assert.equal((await User.count()).count, 1);
    assert.equal((await User.find(aIds[0])).exists(), false);
    await expectReject(() => User.update(aIds[0], { name: 'hijack' }), (err) => {
      assert.ok(err instanceof exceptions.ItemNotFoundError, `${err.name}: ${err.message}`);
    });
    await expectReject(() => User.delete(aIds[0]), (err) => {
      assert.ok(err instanceof exceptions.ItemNotFoundError, `${err.name}: ${err.message}`);
    });
  });
  const aRow = await rawGet(`[${tA}]#u#${aIds[0]}`, 'u');
  assert.equal(aRow.name.S, `${tA}-user-0`, "tenant A's row is untouched");
  const stray = await rawScanItems((it) => it.name === 'hijack');
  assert.equal(stray.length, 0);
});

test('concurrency safety: interleaved runWithTenant calls keep their tenant across awaits', async () => {
  const tA = uid('cc-a-');
  const tB = uid('cc-b-');
  const [aId] = await seedUsers(tA, ['active']);
  const [bId] = await seedUsers(tB, ['active']);
  const probe = (tenant, own, other) =>
    TenantContext.runWithTenant(tenant, async () => {
      await sleep(Math.floor(Math.random() * 10));
      assert.equal(TenantContext.getCurrentTenant(), tenant);
      assert.equal((await User.find(own)).exists(), true);
      await sleep(Math.floor(Math.random() * 10));
      assert.equal((await User.find(other)).exists(), false);
      return tenant;
    });
  const out = await Promise.all([probe(tA, aId, bId), probe(tB, bId, aId), probe(tA, aId, bId), probe(tB, bId, aId)]);
  assert.deepEqual(out, [tA, tB, tA, tB]);
});
