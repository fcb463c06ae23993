#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the multi-tenancy guide (shared/reference/seed-multi-tenancy.md) run for
 * real against a throw-away DynamoDB Local, with two tenants, acme and globex, printing what
 * each tenant sees. It shows the guide's patterns (runWithTenant, withTenant, the
 * setCurrentTenant background job, resolvers) and this package's fail-closed rules (no
 * tenant in scope -> TENANT_REQUIRED; a tenant id that could break out of the key prefix ->
 * INVALID_TENANT_ID). Exits non-zero if anything goes differently.
 */
const ddbLocal = require('./ddb-local');
const { createTable } = require('./create-table');

const TABLE_NAME = 'bao-native-demo';
const REGION = 'us-west-2';
const TENANTS = ['acme', 'globex'];

const say = (...a) => console.log(...a);
const heading = (t) => say(`\n=== ${t} ===`);
const names = (items) => items.map((x) => x.name).sort();
let problems = 0;
function check(ok, what) {
  if (!ok) {
    problems++;
    say(`  !! UNEXPECTED: ${what}`);
  }
}

async function runDemo(bao) {
  const { initModels, BaoModel, PrimaryKeyConfig, IndexConfig, TenantContext, fields, constants } = bao;
  const { StringField, UlidField, CreateDateField, RelatedField } = fields;
  const GSI1 = (constants && constants.GSI_INDEX_ID1) || 'gsi1';
  const GSI2 = (constants && constants.GSI_INDEX_ID2) || 'gsi2';

  class User extends BaoModel {
    static modelPrefix = 'u';
    static fields = {
      userId: UlidField({ autoAssign: true }),
      name: StringField({ required: true }),
      email: StringField(),
      status: StringField(),
      createdAt: CreateDateField(),
    };
    static primaryKey = PrimaryKeyConfig('userId');
    static indexes = { byStatus: IndexConfig('status', 'createdAt', GSI1) };
    static iterable = true;
    static iterationBuckets = 4;
  }

  class Subscription extends BaoModel {
    static modelPrefix = 'sub';
    static fields = {
      subscriptionId: UlidField({ autoAssign: true }),
      userId: RelatedField('User'),
      plan: StringField(),
      status: StringField(),
      createdAt: CreateDateField(),
    };
    static primaryKey = PrimaryKeyConfig('subscriptionId');
    static indexes = { byStatus: IndexConfig('status', 'createdAt', GSI2) };
    static iterable = true;
    static iterationBuckets = 4;
  }

  // With tenancy enabled, initModels itself requires a tenant in scope (as in DynamoBao).
  heading('setup: initModels inside runWithTenant("acme", ...)');
  await TenantContext.runWithTenant('acme', async () =>
    initModels({
      aws: { region: REGION },
      db: { tableName: TABLE_NAME },
      tenancy: { enabled: true },
      models: { User, Subscription },
    }),
  );
  say('  models registered: User (u), Subscription (sub); tenancy enabled');

  // ---- 1. runWithTenant ------------------------------------------------------------------
  heading('1. runWithTenant: each tenant creates its own users and subscriptions');
  const seed = {
    acme: [
      ['Alice', 'active', 'pro', 'active'],
      ['Bob', 'active', 'basic', 'expired'],
      ['Carol', 'inactive', 'pro', 'expired'],
    ],
    globex: [
      ['Dave', 'active', 'enterprise', 'active'],
      ['Erin', 'inactive', 'basic', 'expired'],
    ],
  };
  const firstUserId = {};
  for (const tenant of TENANTS) {
    await TenantContext.runWithTenant(tenant, async () => {
      for (const [name, status, plan, subStatus] of seed[tenant]) {
        const user = await User.create({ name, email: `${name.toLowerCase()}@${tenant}.example`, status });
        await Subscription.create({ userId: user.getPrimaryId(), plan, status: subStatus });
        firstUserId[tenant] ||= user.getPrimaryId();
        say(`  [${tenant}] created user ${name} (${status}, ${user.getPrimaryId()}) with subscription plan=${plan} (${subStatus})`);
      }
      const active = await User.queryByIndex('byStatus', 'active');
      say(`  [${tenant}] User.queryByIndex('byStatus', 'active') -> ${JSON.stringify(names(active.items))}`);
    });
  }
  // A tenant cannot read another tenant's row even with its exact id.
  await TenantContext.runWithTenant('globex', async () => {
    const u = await User.find(firstUserId.acme);
    say(`  [globex] User.find(<Alice's id from acme>) -> exists() = ${u.exists()}`);
    check(!u.exists(), 'globex can read an acme user by id');
  });

  // ---- 2. cross-tenant admin operations ----------------------------------------------------
  heading('2. withTenant: compareTenants (Promise.all) and getTenantStats');
  const [s1, s2] = await Promise.all(
    TENANTS.map((tenantId) =>
      TenantContext.withTenant(tenantId, async () => {
        const users = await User.queryByIndex('byStatus', 'active');
        return { tenantId, userCount: users.items.length };
      }),
    ),
  );
  say(`  compareTenants -> ${JSON.stringify({ tenant1Stats: s1, tenant2Stats: s2 })}`);
  check(s1.userCount === 2 && s2.userCount === 1, 'active user counts should be acme 2, globex 1');
  async function getTenantStats(tenantId) {
    return TenantContext.withTenant(tenantId, async () => {
      const userCount = await User.count();
      const activeSubscriptions = await Subscription.queryByIndex('byStatus', 'active', null, { countOnly: true });
      return { tenantId, userCount: userCount.count, activeSubscriptions: activeSubscriptions.count };
    });
  }
  const stats = await Promise.all(TENANTS.map(getTenantStats));
  for (const s of stats) say(`  getTenantStats('${s.tenantId}') -> ${JSON.stringify(s)}`);
  check(stats[0].userCount === 3 && stats[1].userCount === 2, 'User.count() should be acme 3, globex 2');
  check(stats[0].activeSubscriptions === 1 && stats[1].activeSubscriptions === 1, 'one active subscription each');

  // ---- 3. background job ----------------------------------------------------------------
  heading('3. background job: setCurrentTenant / clearTenant, delete expired subscriptions');
  async function processTenantData(tenantId) {
    try {
      TenantContext.setCurrentTenant(tenantId);
      const expired = await Subscription.queryByIndex('byStatus', 'expired');
      for (const sub of expired.items) await sub.delete();
      say(`  [${tenantId}] deleted ${expired.items.length} expired subscription(s)`);
      return expired.items.length;
    } finally {
      TenantContext.clearTenant();
    }
  }
  const deleted = [];
  for (const tenantId of TENANTS) deleted.push(await processTenantData(tenantId));
  check(deleted[0] === 2 && deleted[1] === 1, 'expected to delete acme 2, globex 1');
  say(`  after clearTenant(): getCurrentTenant() = ${JSON.stringify(TenantContext.getCurrentTenant())}`);

  // ---- 4. resolvers ---------------------------------------------------------------------
  heading('4. resolvers: tenant taken from the current request header');
  let currentRequest = null; // stands in for per-request state an app would keep
  TenantContext.addResolver(() => currentRequest?.headers['x-tenant-id']);
  for (const tenant of ['globex', 'acme']) {
    currentRequest = { headers: { 'x-tenant-id': tenant } };
    await TenantContext.runWithTenant(null, async () => {
      const resolved = TenantContext.getCurrentTenant();
      const active = await User.queryByIndex('byStatus', 'active');
      say(`  request with x-tenant-id: ${tenant} -> resolved tenant ${JSON.stringify(resolved)}, active users ${JSON.stringify(names(active.items))}`);
      check(resolved === tenant, `resolver should give ${tenant}`);
    });
  }
  currentRequest = null;
  TenantContext.clearResolvers();

  // ---- 5. fail-closed -------------------------------------------------------------------
  heading('5. fail-closed: no tenant, or a hostile tenant id, is refused');
  async function expectRefusal(label, expectedCode, fn) {
    try {
      await fn();
      say(`  ${label} -> succeeded`);
      check(false, `${label} should have been refused with ${expectedCode}`);
    } catch (err) {
      say(`  ${label} -> refused: code=${err.code} ${err.name}: ${err.message}`);
      check(err.code === expectedCode, `expected code ${expectedCode}, got ${err.code}`);
    }
  }
  say(`  (no tenant in scope: getCurrentTenant() = ${JSON.stringify(TenantContext.getCurrentTenant())};` +
    ' DynamoBao 0.6.0 would silently use the tenant of the last initModels, here acme)');
  await expectRefusal("User.create({ name: 'Mallory' }) with no tenant", 'TENANT_REQUIRED', () => User.create({ name: 'Mallory' }));
  await expectRefusal("User.queryByIndex('byStatus', 'active') with no tenant", 'TENANT_REQUIRED', () =>
    User.queryByIndex('byStatus', 'active'),
  );
  await expectRefusal(`runWithTenant('evil]#acme') User.queryByIndex(...)`, 'INVALID_TENANT_ID', () =>
    TenantContext.runWithTenant('evil]#acme', () => User.queryByIndex('byStatus', 'active')),
  );
  await expectRefusal(`runWithTenant('evil]#acme') User.create(...)`, 'INVALID_TENANT_ID', () =>
    TenantContext.runWithTenant('evil]#acme', () => User.create({ name: 'Mallory', status: 'active' })),
  );

  // ---- final view -----------------------------------------------------------------------
  heading("final view: what each tenant sees");
  const views = {};
  for (const tenant of TENANTS) {
    views[tenant] = await TenantContext.runWithTenant(tenant, async () => {
      const users = [];
      for (const status of ['active', 'inactive']) users.push(...(await User.queryByIndex('byStatus', status)).items);
      const subs = [];
      for (const status of ['active', 'expired']) subs.push(...(await Subscription.queryByIndex('byStatus', status)).items);
      return {
        users: names(users),
        subscriptions: subs.map((s) => `${s.plan}:${s.status}`).sort(),
        userCount: (await User.count()).count,
      };
    });
    say(`  [${tenant}] users ${JSON.stringify(views[tenant].users)} (User.count() = ${views[tenant].userCount}); ` +
      `subscriptions ${JSON.stringify(views[tenant].subscriptions)}`);
  }
  check(JSON.stringify(views.acme.users) === JSON.stringify(['Alice', 'Bob', 'Carol']), 'acme should see exactly Alice, Bob, Carol');
  check(JSON.stringify(views.globex.users) === JSON.stringify(['Dave', 'Erin']), 'globex should see exactly Dave, Erin');
  check(JSON.stringify(views.acme.subscriptions) === JSON.stringify(['pro:active']), 'acme keeps only its active subscription');
  check(JSON.stringify(views.globex.subscriptions) === JSON.stringify(['enterprise:active']), 'globex keeps only its active subscription');
  check(!views.acme.users.includes('Mallory') && !views.globex.users.includes('Mallory'), 'refused writes left nothing');
}

async function main() {
  const t0 = Date.now();
  const ddb = await ddbLocal.start();
  say(`DynamoDB Local at ${ddb.endpoint}`);
  try {
    // Set before the library is loaded so its client picks them up.
    ddbLocal.useLocalEnv(ddb.endpoint, { tableName: TABLE_NAME, region: REGION });
    await createTable({ endpoint: ddb.endpoint, tableName: TABLE_NAME, region: REGION });
    say(`table ${TABLE_NAME} created`);
    await runDemo(require('..'));
  } finally {
    await ddb.stop();
  }
  say(`\n${problems ? `${problems} unexpected result(s)` : 'all scenarios behaved as expected'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return problems ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo failed: ${(err && err.stack) || err}`);
    process.exit(1);
  },
);
