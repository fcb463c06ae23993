#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the multi-tenancy guide (shared/reference/seed-multi-tenancy.md) as one
 * story, run for real on a throw-away DynamoDB Local with two tenants, acme and globex:
 *
 *   1. an Express app on 127.0.0.1 behind `tenantMiddleware` (the tenant from the
 *      `x-tenant-id` header, authorized against the caller's token, as the guide's "never
 *      trust client-provided tenant ids" asks); both tenants' users are created by
 *      concurrent HTTP requests, then listed concurrently;
 *   2. what the middleware refuses over HTTP (another tenant's id: 403; no tenant or a
 *      hostile id: 400) and a cross-tenant read by id (not found);
 *   3. an admin comparison across tenants with `TenantContext.withTenant` (Promise.all);
 *   4. a background job with `setCurrentTenant` / `clearTenant`, metered per tenant;
 *   5. resolvers, and the library's own fail-closed refusals without the middleware;
 *   6. each tenant's final view and the capacity each tenant consumed.
 *
 * Needs `npm install` (express is a devDependency, installed with the checkout's
 * dependencies) and Java 17+ for DynamoDB Local. Exits non-zero if anything goes differently.
 * `BAO_DEMO_ENDPOINT=http://127.0.0.1:PORT` runs it on an already running DynamoDB Local
 * (the test suite does), in a table of its own that it deletes at the end.
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

function loadExpress() {
  try {
    return require('express');
  } catch {
    throw new Error('the demo needs express, a devDependency of this package: run `npm install` in the checkout');
  }
}

function defineModels(bao) {
  const { BaoModel, PrimaryKeyConfig, IndexConfig, fields, constants } = bao;
  const { StringField, UlidField, CreateDateField, RelatedField } = fields;

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
    static indexes = { byStatus: IndexConfig('status', 'createdAt', constants.GSI_INDEX_ID1) };
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
    static indexes = { byStatus: IndexConfig('status', 'createdAt', constants.GSI_INDEX_ID2) };
    static iterable = true;
    static iterationBuckets = 4;
  }

  return { User, Subscription };
}

/** Capacity units per tenant, summed from what each request or job consumed. */
class Meter {
  constructor() {
    this.byTenant = new Map();
  }

  add(tenantId, kind, { read, write }) {
    let row = this.byTenant.get(tenantId);
    if (!row) this.byTenant.set(tenantId, (row = {}));
    row[kind] ||= { count: 0, read: 0, write: 0 };
    row[kind].count++;
    row[kind].read += read;
    row[kind].write += write;
  }

  get(tenantId, kind) {
    return this.byTenant.get(tenantId)?.[kind] || { count: 0, read: 0, write: 0 };
  }
}

/**
 * The app: the guide's Express routes behind tenantMiddleware, and an admin route that
 * compares tenants with withTenant.
 */
function buildApp(bao, { User, Subscription }, meter) {
  const express = loadExpress();
  const { TenantContext, tenantMiddleware } = bao;

  // Stands in for the app's user store: which tenants each caller may act for.
  const callers = {
    'alice-token': { user: 'alice', tenants: ['acme'] },
    'dave-token': { user: 'dave', tenants: ['globex'] },
    'admin-token': { user: 'root', admin: true, tenants: [] },
  };
  const callerOf = (req) => callers[(req.headers.authorization || '').replace(/^Bearer /, '')];
  async function getUserTenants(req) {
    return callerOf(req)?.tenants || [];
  }

  const adminService = {
    async getTenantStats(tenantId) {
      return TenantContext.withTenant(tenantId, async () => {
        const userCount = await User.count();
        const activeSubscriptions = await Subscription.queryByIndex('byStatus', 'active', null, { countOnly: true });
        return { tenantId, userCount: userCount.count, activeSubscriptions: activeSubscriptions.count };
      });
    },
    async compareTenants(tenant1Id, tenant2Id) {
      const [tenant1Stats, tenant2Stats] = await Promise.all(
        [tenant1Id, tenant2Id].map((tenantId) =>
          TenantContext.withTenant(tenantId, async () => {
            const users = await User.queryByIndex('byStatus', 'active');
            return { tenantId, userCount: users.items.length };
          }),
        ),
      );
      return { tenant1Stats, tenant2Stats };
    },
    async getAllTenantsStats() {
      return Promise.all(TENANTS.map((tenantId) => this.getTenantStats(tenantId)));
    },
  };

  const app = express();
  app.use(express.json());
  const route = (fn) => (req, res, next) => Promise.resolve(fn(req, res)).catch(next);

  // Admin routes authenticate the operator themselves and pick tenants explicitly.
  const admin = express.Router();
  admin.use((req, res, next) => (callerOf(req)?.admin ? next() : res.status(403).json({ error: 'Admins only' })));
  admin.get(
    '/tenant-comparison',
    route(async (req, res) => {
      const { tenant1, tenant2 } = req.query;
      res.json(await adminService.compareTenants(tenant1, tenant2));
    }),
  );
  admin.get('/stats', route(async (req, res) => res.json(await adminService.getAllTenantsStats())));
  app.use('/admin', admin);

  // Every other route runs as the request's tenant.
  app.use(
    tenantMiddleware({
      resolve: { header: 'x-tenant-id' },
      authorize: async (req, tenantId) => (await getUserTenants(req)).includes(tenantId),
      onFinish: (req, { tenantId, capacity }) => meter.add(tenantId, 'http', capacity),
    }),
  );
  app.post(
    '/users',
    route(async (req, res) => {
      const { name, status, plan, subscriptionStatus } = req.body;
      const user = await User.create({ name, email: `${name.toLowerCase()}@${req.bao.tenantId}.example`, status });
      const sub = await Subscription.create({ userId: user.getPrimaryId(), plan, status: subscriptionStatus });
      res.status(201).json({
        tenant: TenantContext.getCurrentTenant(),
        user: { id: user.getPrimaryId(), name: user.name, status: user.status },
        subscription: { plan: sub.plan, status: sub.status },
        capacity: req.bao.capacity(),
      });
    }),
  );
  app.get(
    '/users',
    route(async (req, res) => {
      const result = await User.queryByIndex('byStatus', req.query.status || 'active');
      res.json({ tenant: TenantContext.getCurrentTenant(), users: names(result.items), capacity: req.bao.capacity() });
    }),
  );
  app.get(
    '/users/:id',
    route(async (req, res) => {
      const user = await User.find(req.params.id);
      if (!user.exists()) return res.status(404).json({ error: 'Not found' });
      res.json({ tenant: TenantContext.getCurrentTenant(), name: user.name });
    }),
  );
  app.use((err, req, res, _next) => {
    const status = err.code === 'INVALID_TENANT_ID' || err.code === 'TENANT_REQUIRED' ? 400 : 500;
    res.status(status).json({ error: err.message, code: err.code || null });
  });
  return app;
}

async function runDemo(bao) {
  const { initModels, TenantContext, runWithBatchContext, getBatchContextCapacity } = bao;
  const models = defineModels(bao);
  const { User, Subscription } = models;
  const meter = new Meter();

  // With tenancy enabled, initModels itself requires a tenant in scope (as in DynamoBao).
  heading('setup: initModels inside runWithTenant("acme", ...)');
  TenantContext.runWithTenant('acme', () =>
    initModels({ aws: { region: REGION }, db: { tableName: TABLE_NAME }, tenancy: { enabled: true }, models }),
  );
  say('  models registered: User (u), Subscription (sub); tenancy enabled');

  const app = buildApp(bao, models, meter);
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  say(`  Express app with tenantMiddleware at ${base}`);
  const tokenFor = { acme: 'alice-token', globex: 'dave-token' };
  async function call(method, path, { tenant, token, body } = {}) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (tenant !== undefined) headers['x-tenant-id'] = tenant;
    const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  try {
    // ---- 1. HTTP: two tenants, concurrent requests ------------------------------------
    heading('1. HTTP: both tenants create users concurrently, then list them concurrently');
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
    const creates = await Promise.all(
      TENANTS.flatMap((tenant) =>
        seed[tenant].map(([name, status, plan, subscriptionStatus]) =>
          call('POST', '/users', { tenant, token: tokenFor[tenant], body: { name, status, plan, subscriptionStatus } }).then(
            (r) => ({ tenant, r }),
          ),
        ),
      ),
    );
    const firstUserId = {};
    for (const { tenant, r } of creates) {
      check(r.status === 201 && r.body.tenant === tenant, `POST /users as ${tenant} -> ${r.status} ${JSON.stringify(r.body)}`);
      firstUserId[tenant] ||= r.body.user.id;
      say(`  POST /users (x-tenant-id: ${tenant}) -> ${r.status}: ${r.body.user.name} (${r.body.user.status}), ` +
        `plan ${r.body.subscription.plan} (${r.body.subscription.status}); capacity ${JSON.stringify(r.body.capacity)}`);
    }
    const lists = await Promise.all(
      [...TENANTS, ...TENANTS, ...TENANTS].map((tenant) =>
        call('GET', '/users?status=active', { tenant, token: tokenFor[tenant] }).then((r) => ({ tenant, r })),
      ),
    );
    for (const { tenant, r } of lists) {
      const expected = tenant === 'acme' ? ['Alice', 'Bob'] : ['Dave'];
      check(JSON.stringify(r.body.users) === JSON.stringify(expected), `${tenant} should see ${expected}, saw ${r.body.users}`);
    }
    for (const tenant of TENANTS) {
      const seen = lists.find((x) => x.tenant === tenant).r.body.users;
      say(`  GET /users?status=active (x-tenant-id: ${tenant}) x3, concurrently -> ${JSON.stringify(seen)} each time`);
    }

    // ---- 2. HTTP refusals -------------------------------------------------------------
    heading('2. HTTP: what the middleware refuses');
    const refusals = [
      ["Alice's token asking for globex", { tenant: 'globex', token: 'alice-token' }, 403, 'TENANT_FORBIDDEN'],
      ['no x-tenant-id header', { token: 'alice-token' }, 400, 'TENANT_REQUIRED'],
      ["x-tenant-id: 'evil]#acme'", { tenant: 'evil]#acme', token: 'alice-token' }, 400, 'INVALID_TENANT_ID'],
    ];
    for (const [label, opts, status, code] of refusals) {
      const r = await call('GET', '/users', opts);
      say(`  ${label} -> ${r.status} ${JSON.stringify(r.body)}`);
      check(r.status === status && r.body.code === code, `${label}: expected ${status} ${code}`);
    }
    const cross = await call('GET', `/users/${firstUserId.acme}`, { tenant: 'globex', token: 'dave-token' });
    say(`  globex asks for acme's user ${firstUserId.acme} by id -> ${cross.status} ${JSON.stringify(cross.body)}`);
    check(cross.status === 404, 'globex can read an acme user by id');

    // ---- 3. admin comparison ----------------------------------------------------------
    heading('3. admin: compareTenants and getTenantStats with withTenant (Promise.all)');
    const cmp = await call('GET', '/admin/tenant-comparison?tenant1=acme&tenant2=globex', { token: 'admin-token' });
    say(`  GET /admin/tenant-comparison?tenant1=acme&tenant2=globex -> ${JSON.stringify(cmp.body)}`);
    check(cmp.body.tenant1Stats?.userCount === 2 && cmp.body.tenant2Stats?.userCount === 1, 'active user counts should be acme 2, globex 1');
    const stats = await call('GET', '/admin/stats', { token: 'admin-token' });
    for (const s of stats.body) say(`  getTenantStats('${s.tenantId}') -> ${JSON.stringify(s)}`);
    check(stats.body[0].userCount === 3 && stats.body[1].userCount === 2, 'User.count() should be acme 3, globex 2');
    check(stats.body[0].activeSubscriptions === 1 && stats.body[1].activeSubscriptions === 1, 'one active subscription each');
    const notAdmin = await call('GET', '/admin/stats', { token: 'alice-token' });
    check(notAdmin.status === 403, 'admin routes refuse non-admins');

    // ---- 4. background job ------------------------------------------------------------
    heading('4. background job: setCurrentTenant / clearTenant, delete expired subscriptions');
    async function processTenantData(tenantId) {
      try {
        TenantContext.setCurrentTenant(tenantId);
        const expired = await Subscription.queryByIndex('byStatus', 'expired');
        for (const sub of expired.items) await sub.delete();
        return expired.items.length;
      } finally {
        TenantContext.clearTenant();
      }
    }
    const deleted = [];
    for (const tenantId of TENANTS) {
      // A batch context per tenant run, only to meter what the job consumed.
      const [n, capacity] = await runWithBatchContext(async () => [await processTenantData(tenantId), getBatchContextCapacity()]);
      meter.add(tenantId, 'job', capacity);
      deleted.push(n);
      say(`  [${tenantId}] deleted ${n} expired subscription(s); capacity ${JSON.stringify(capacity)}`);
    }
    check(deleted[0] === 2 && deleted[1] === 1, 'expected to delete acme 2, globex 1');
    say(`  after clearTenant(): getCurrentTenant() = ${JSON.stringify(TenantContext.getCurrentTenant())}`);

    // ---- 5. resolvers and fail-closed ---------------------------------------------------
    heading('5. resolvers, and the fail-closed rules without any middleware');
    let currentRequest = null; // stands in for per-request state an app would keep
    TenantContext.addResolver(() => currentRequest?.headers['x-tenant-id']);
    for (const tenant of ['globex', 'acme']) {
      currentRequest = { headers: { 'x-tenant-id': tenant } };
      await TenantContext.runWithTenant(null, async () => {
        const resolved = TenantContext.getCurrentTenant();
        const active = await User.queryByIndex('byStatus', 'active');
        say(`  resolver, x-tenant-id: ${tenant} -> tenant ${JSON.stringify(resolved)}, active users ${JSON.stringify(names(active.items))}`);
        check(resolved === tenant, `resolver should give ${tenant}`);
      });
    }
    currentRequest = null;
    TenantContext.clearResolvers();

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
    await expectRefusal(`runWithTenant('evil]#acme') User.create(...)`, 'INVALID_TENANT_ID', () =>
      TenantContext.runWithTenant('evil]#acme', () => User.create({ name: 'Mallory', status: 'active' })),
    );

    // ---- 6. final view and capacity -------------------------------------------------------
    heading('6. final view: what each tenant sees, and what each consumed');
    const views = {};
    for (const tenant of TENANTS) {
      views[tenant] = await TenantContext.runWithTenant(tenant, async () => {
        const users = [];
        for (const status of ['active', 'inactive']) users.push(...(await User.queryByIndex('byStatus', status)).items);
        const subs = [];
        for (const status of ['active', 'expired']) subs.push(...(await Subscription.queryByIndex('byStatus', status)).items);
        return { users: names(users), subscriptions: subs.map((s) => `${s.plan}:${s.status}`).sort() };
      });
      say(`  [${tenant}] users ${JSON.stringify(views[tenant].users)}; subscriptions ${JSON.stringify(views[tenant].subscriptions)}`);
    }
    check(JSON.stringify(views.acme.users) === JSON.stringify(['Alice', 'Bob', 'Carol']), 'acme should see exactly Alice, Bob, Carol');
    check(JSON.stringify(views.globex.users) === JSON.stringify(['Dave', 'Erin']), 'globex should see exactly Dave, Erin');
    check(JSON.stringify(views.acme.subscriptions) === JSON.stringify(['pro:active']), 'acme keeps only its active subscription');
    check(JSON.stringify(views.globex.subscriptions) === JSON.stringify(['enterprise:active']), 'globex keeps only its active subscription');

    await new Promise((r) => setTimeout(r, 20)); // the last responses' onFinish
    say('\n  capacity units per tenant (from tenantMiddleware onFinish and the metered job):');
    // Admitted: the creates, three lists each, and globex's cross-tenant read by id.
    const admittedRequests = { acme: 3 + 3, globex: 2 + 3 + 1 };
    say('  tenant   HTTP requests   HTTP read   HTTP write   job read   job write');
    for (const tenant of TENANTS) {
      const h = meter.get(tenant, 'http');
      const j = meter.get(tenant, 'job');
      const cell = (v, w) => String(Number(v.toFixed(2))).padStart(w);
      say(`  ${tenant.padEnd(8)} ${cell(h.count, 13)} ${cell(h.read, 11)} ${cell(h.write, 12)} ${cell(j.read, 10)} ${cell(j.write, 11)}`);
      check(h.count === admittedRequests[tenant] && h.read > 0 && h.write > 0, `${tenant}: its admitted HTTP requests were metered`);
    }
    check(!meter.byTenant.has('evil]#acme'), 'refused requests are not metered');
  } finally {
    server.close();
    server.closeAllConnections?.();
  }
}

/** `BAO_DEMO_ENDPOINT` (the test suite's) must be a DynamoDB Local on this machine. */
function externalEndpoint() {
  const endpoint = process.env.BAO_DEMO_ENDPOINT;
  if (!endpoint) return null;
  const host = new URL(endpoint).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`BAO_DEMO_ENDPOINT must be a local DynamoDB (127.0.0.1, localhost or [::1]), got ${endpoint}`);
  }
  return endpoint;
}

async function main() {
  const t0 = Date.now();
  loadExpress();
  // The test suite runs the demo on its own DynamoDB Local; otherwise start one.
  const external = externalEndpoint();
  const ddb = external ? null : await ddbLocal.start();
  const endpoint = external || ddb.endpoint;
  say(`DynamoDB Local at ${endpoint}`);
  const admin = require('../lib/admin.js');
  const table = { endpoint, tableName: TABLE_NAME, region: REGION };
  try {
    // Set before the library is loaded so its client picks them up.
    ddbLocal.useLocalEnv(endpoint, { tableName: TABLE_NAME, region: REGION });
    await admin.deleteTable(table); // a fresh table, so the counts below hold
    await createTable(table);
    say(`table ${TABLE_NAME} created`);
    await runDemo(require('..'));
  } finally {
    if (ddb) await ddb.stop();
    else await admin.deleteTable(table);
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
