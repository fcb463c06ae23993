'use strict';
/**
 * Per-tenant credentials (`tenancy.credentials(tenantId)`): every request is signed with
 * the credentials of the tenant whose keys it names, as seen by a recording proxy in
 * front of DynamoDB Local. Credentials are fetched once per tenant however many
 * operations wait for them, replaced before they expire, and a tenant without usable
 * credentials gets an error with nothing sent.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, TenantContext } = require('..');
const { makeModels, config } = require('./helpers/models');
const { startProxy } = require('./helpers/recording-proxy');
const { uid } = require('./helpers/ids');

const MARGIN_MS = 1000;
let proxy;
let User;
let manager;
const calls = []; // tenant ids the provider was asked for, in order
let generation = 1;
let lifetimeMs = 60 * 60 * 1000;

const keyIdOf = (tenant, gen) => `AKIA${tenant.toUpperCase()}G${gen}`;

async function provider(tenantId) {
  calls.push(tenantId);
  await new Promise((r) => setTimeout(r, 5)); // an STS call takes a while
  if (tenantId.startsWith('nocreds')) throw new Error(`no role for ${tenantId}`);
  if (tenantId.startsWith('broken')) return { accessKeyId: '', secretAccessKey: 'x' };
  // STS AssumeRole's own shape, as apps would pass it through.
  return {
    AccessKeyId: keyIdOf(tenantId, generation),
    SecretAccessKey: 'secret',
    SessionToken: `token-${tenantId}`,
    Expiration: new Date(Date.now() + lifetimeMs),
  };
}

before(async () => {
  proxy = await startProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB);
  ({ User } = makeModels());
  const cfg = config({ User });
  cfg.aws = { ...cfg.aws, endpoint: proxy.endpoint };
  cfg.tenancy = { enabled: true, credentials: provider, credentialsRefreshMarginMs: MARGIN_MS };
  manager = TenantContext.runWithTenant('boot', () => initModels(cfg));
});

after(() => proxy.close());

/** Every forwarded request names exactly one tenant and is signed with that tenant's key. */
function assertSignedPerTenant(requests, gen) {
  assert.ok(requests.length > 0);
  for (const r of requests) {
    assert.equal(r.tenants.length, 1, `${r.operation} names tenants ${JSON.stringify(r.tenants)}`);
    assert.equal(r.keyId, keyIdOf(r.tenants[0], gen), `${r.operation} for ${r.tenants[0]}`);
  }
}

test('each tenant is signed with its own credentials, fetched once per tenant', async () => {
  const tenants = Array.from({ length: 5 }, () => uid('cred'));
  const start = proxy.requests.length;
  await Promise.all(
    tenants.map((t) =>
      TenantContext.runWithTenant(t, async () => {
        const users = await Promise.all(Array.from({ length: 10 }, (_, i) => User.create({ name: `${t}-${i}` })));
        const found = await User.find(users[3].userId);
        assert.equal(found.name, `${t}-3`);
        const page = await User.queryByIndex('byStatus', 'active');
        assert.equal(page.items.length, 10);
        assert.ok(page.items.every((u) => u.name.startsWith(`${t}-`)));
        await users[0].delete();
        // count() queries every iteration bucket: each is signed for the tenant too.
        assert.equal((await User.count()).count, 9);
      }),
    ),
  );
  for (const t of tenants) assert.equal(calls.filter((c) => c === t).length, 1, `provider calls for ${t}`);
  const seen = proxy.requests.slice(start);
  assertSignedPerTenant(seen, 1);
  assert.deepEqual(new Set(seen.map((r) => r.tenants[0])), new Set(tenants));
  const stats = manager.requestStats();
  assert.ok(stats.requests >= seen.length, JSON.stringify(stats));
});

test('credentials are replaced before they expire', async () => {
  const t = uid('exp');
  lifetimeMs = MARGIN_MS + 800; // usable for 0.8 s, then inside the refresh margin
  try {
    await TenantContext.runWithTenant(t, () => User.create({ name: 'first' }));
    assert.equal(calls.filter((c) => c === t).length, 1);
    // Still valid: no new call.
    await TenantContext.runWithTenant(t, () => User.queryByIndex('byStatus', 'active'));
    assert.equal(calls.filter((c) => c === t).length, 1);
    await new Promise((r) => setTimeout(r, 900));
    generation = 2;
    const start = proxy.requests.length;
    const page = await TenantContext.runWithTenant(t, () => User.queryByIndex('byStatus', 'active'));
    assert.equal(page.items.length, 1);
    assert.equal(calls.filter((c) => c === t).length, 2, 'fetched again before expiry');
    assertSignedPerTenant(proxy.requests.slice(start), 2);
  } finally {
    lifetimeMs = 60 * 60 * 1000;
    generation = 1;
  }
});

test('a tenant whose provider fails gets that error, and nothing is sent', async () => {
  const t = uid('nocreds');
  const start = proxy.requests.length;
  await assert.rejects(
    TenantContext.runWithTenant(t, () => User.create({ name: 'x' })),
    (e) => e.message === `no role for ${t}`,
  );
  const broken = uid('broken');
  await assert.rejects(
    TenantContext.runWithTenant(broken, () => User.find('01ARZ3NDEKTSV4RRFFQ69G5FAV')),
    (e) => e.name === 'ValidationError' && /empty accessKeyId/.test(e.message),
  );
  // Iteration sends its queries through documentClient: the same rule applies.
  await assert.rejects(
    TenantContext.runWithTenant(t, async () => {
      for await (const batch of User.iterateAll()) assert.fail(`got ${batch.length} items`);
    }),
    /no role/,
  );
  assert.equal(proxy.requests.length, start, 'no request without the tenant credentials');
});

test("an operation that waited for its tenant's credentials runs as that tenant", async () => {
  const X = uid('pinx');
  const Y = uid('piny');
  await TenantContext.runWithTenant(Y, () => User.queryByIndex('byStatus', 'active')); // Y's are loaded
  const start = proxy.requests.length;
  try {
    TenantContext.setCurrentTenant(X);
    const page = User.queryByIndex('byStatus', 'active');
    TenantContext.setCurrentTenant(Y); // while X's credentials are fetched
    assert.equal((await page).items.length, 0);
  } finally {
    TenantContext.clearTenant();
  }
  const seen = proxy.requests.slice(start);
  assertSignedPerTenant(seen, 1);
  assert.deepEqual(seen.map((r) => r.tenants[0]), [X]);
});

test('without a tenant nothing is signed with the process credentials', async () => {
  const start = proxy.requests.length;
  await assert.rejects(User.create({ name: 'x' }), (e) => e.code === 'TENANT_REQUIRED');
  assert.equal(proxy.requests.length, start);
});

test('tenancy.credentials must be a function and needs tenancy', () => {
  const { User: U } = makeModels();
  const cfg = config({ User: U });
  assert.throws(
    () => TenantContext.runWithTenant('boot', () => initModels({ ...cfg, tenancy: { enabled: true, credentials: 'AKIA' } })),
    (e) => e.name === 'ConfigurationError',
  );
  assert.throws(
    () => initModels({ ...cfg, tenancy: { enabled: false, credentials: provider } }),
    (e) => e.name === 'ConfigurationError' && /tenancy.enabled/.test(e.message),
  );
});
