'use strict';
/**
 * `dynamo-bao-native/express` over real HTTP: an Express app on 127.0.0.1 (ephemeral port)
 * backed by DynamoDB Local.
 *
 * The main test sends one burst of 200 admitted requests from 20 tenants (each creates a user
 * and lists the tenant's users, with awaits in between), mixed with 20 requests naming another
 * tenant than the caller's (authorize refuses: 403), 5 without a tenant (400) and 6 with
 * hostile ids (400). Every 200 response must hold only its own tenant's data; afterwards each
 * tenant holds exactly its 10 users. The other tests cover each tenant source (header,
 * verified claim, unverified JWT claim, subdomain, function), the order present → valid →
 * authorized, errors reaching Express's error handler, the per-request capacity (`req.bao`,
 * `res.locals.bao`, `onFinish`), a bare `http` server, and option checks.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const { TenantContext, tenantMiddleware: fromMain } = require('..');
const { tenantMiddleware } = require('dynamo-bao-native/express');
const { isInsideBatchContext } = require('../lib/batch-context.js');
const { makeModels, initTenantModels } = require('./helpers/models');
const { uid, sleep } = require('./helpers/ids');

const models = makeModels();
const { User } = models;

const TENANTS = Array.from({ length: 20 }, (_, i) => uid(`ex${i}-`));
const PER_TENANT = 10;
const HOSTILE = ['a]#b', '[x]', '#', 'x'.repeat(129), 'a\tb', `${TENANTS[0]}]#u`];

/** token -> the tenants its user may act for (what `getUserTenants` answers in the guide). */
const sessions = new Map(TENANTS.map((t) => [`tok-${t}`, { userId: `user-of-${t}`, tenants: [t] }]));
const authorizeCalls = [];
const finished = [];

function bearer(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
  return m ? m[1] : null;
}

/** The guide's "verify the tenant id against the authenticated user's permissions", async. */
async function authorize(req, tenantId) {
  authorizeCalls.push(tenantId);
  await new Promise((r) => setImmediate(r));
  const session = sessions.get(bearer(req));
  return Boolean(session && session.tenants.includes(tenantId));
}

let server;
let agent;
let base;

function tenantRoutes() {
  const r = express.Router();
  r.post('/users', async (req, res, next) => {
    try {
      const user = await User.create({ name: req.body.name, email: `${req.body.name}@x.test` });
      await sleep(Math.floor(Math.random() * 8)); // interleave with the other requests
      await new Promise((resolve) => setImmediate(resolve));
      const listed = await User.queryByIndex('byStatus', 'active');
      res.json({
        tenant: TenantContext.getCurrentTenant(),
        baoTenant: req.bao.tenantId,
        localsTenant: res.locals.bao.tenantId,
        created: { id: user.getPrimaryId(), name: user.name },
        names: listed.items.map((u) => u.name),
        capacity: req.bao.capacity(),
      });
    } catch (err) {
      next(err);
    }
  });
  r.get('/users', async (req, res, next) => {
    try {
      const listed = await User.queryByIndex('byStatus', 'active');
      res.json({ tenant: TenantContext.getCurrentTenant(), names: listed.items.map((u) => u.name).sort() });
    } catch (err) {
      next(err);
    }
  });
  r.get('/users/:id', async (req, res, next) => {
    try {
      // Two finds of one id in one request: batched and cached in the request's batch context.
      const [a, b] = await Promise.all([User.find(req.params.id), User.find(req.params.id)]);
      res.json({ tenant: TenantContext.getCurrentTenant(), exists: a.exists() && b.exists(), capacity: req.bao.capacity() });
    } catch (err) {
      next(err);
    }
  });
  r.get('/whoami', (req, res) => {
    res.json({ tenant: TenantContext.getCurrentTenant(), bao: req.bao.tenantId, batch: isInsideBatchContext() });
  });
  return r;
}

before(async () => {
  TenantContext.reset();
  initTenantModels(models);

  const app = express();
  app.use(express.json());
  const routes = tenantRoutes();
  const onFinish = (req, info) => {
    finished.push({ path: req.originalUrl, inScope: TenantContext.getCurrentTenant(), ...info });
  };

  app.use('/api', tenantMiddleware({ resolve: { header: 'x-tenant-id' }, authorize, onFinish }), routes);

  // A verified claim: an earlier "auth middleware" attaches the session's claims as req.auth.
  app.use('/claim', (req, res, next) => {
    const session = sessions.get(bearer(req));
    if (session) req.auth = { sub: session.userId, tenantId: session.tenants[0] };
    next();
  });
  app.use('/claim', fromMain({ resolve: { claim: 'tenantId' } }), routes);

  const knownTenants = new Set(TENANTS);
  app.use('/jwt', tenantMiddleware({ resolve: { jwtClaim: 'tenant_id' }, authorize: (req, t) => knownTenants.has(t) }), routes);
  app.use('/sub', tenantMiddleware({ resolve: { subdomain: 'app.test' }, authorize }), routes);
  app.use('/anysub', tenantMiddleware({ resolve: { subdomain: true }, authorize: () => true }), routes);
  app.use(
    '/fn',
    tenantMiddleware({
      resolve: async (req) => {
        await sleep(1);
        if (req.query.boom) throw new Error('resolver exploded');
        return req.query.n ? Number(req.query.n) : req.query.tenant;
      },
      authorize: (req, t) => {
        if (req.query.authboom) throw new Error('authorize exploded');
        if (req.query.truthy) return 'yes'; // truthy but not true: refused
        return sessions.get(bearer(req))?.tenants.includes(t) === true;
      },
    }),
    routes,
  );
  // A route under no middleware has no tenant: the library fails closed.
  app.get('/open/users', async (req, res, next) => {
    try {
      await User.queryByIndex('byStatus', 'active');
      res.json({ ok: true });
    } catch (err) {
      next(err);
    }
  });
  app.use((err, req, res, _next) => {
    res.status(500).json({ error: err.message, code: err.code || null });
  });

  server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = { host: '127.0.0.1', port: server.address().port };
  agent = new http.Agent({ keepAlive: true });
});

after(async () => {
  agent?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  TenantContext.reset();
});

/** One HTTP request to the test server; resolves to {status, headers, body (parsed JSON or text)}. */
function request(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        ...base,
        agent,
        method,
        path,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if (/json/.test(res.headers['content-type'] || '')) parsed = JSON.parse(text);
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const as = (tenant, extra = {}) => ({ authorization: `Bearer tok-${tenant}`, ...extra });

function assertRefusal(res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.body.code, code);
  assert.equal(typeof res.body.error, 'string');
}

test('200 concurrent requests from 20 tenants: every response holds only its tenant\'s data', async () => {
  const admitted = [];
  for (let i = 0; i < PER_TENANT; i++) {
    for (const t of TENANTS) {
      admitted.push({ tenant: t, name: `${t}:user-${i}` });
    }
  }
  assert.equal(admitted.length, 200);
  const callsBefore = authorizeCalls.length;
  const finishedBefore = finished.length;

  const burst = [
    ...admitted.map(({ tenant, name }) =>
      request('POST', '/api/users', { headers: as(tenant, { 'x-tenant-id': tenant }), body: { name } }).then((res) => ({
        kind: 'admitted', tenant, name, res,
      })),
    ),
    // The caller of tenant i names tenant i+1: authorize refuses.
    ...TENANTS.map((t, i) => {
      const victim = TENANTS[(i + 1) % TENANTS.length];
      return request('POST', '/api/users', { headers: as(t, { 'x-tenant-id': victim }), body: { name: 'intruder' } }).then(
        (res) => ({ kind: 'forbidden', res }),
      );
    }),
    ...TENANTS.slice(0, 5).map((t) =>
      request('POST', '/api/users', { headers: as(t), body: { name: 'no-tenant' } }).then((res) => ({ kind: 'missing', res })),
    ),
    ...HOSTILE.map((id) =>
      request('POST', '/api/users', { headers: as(TENANTS[0], { 'x-tenant-id': id }), body: { name: 'hostile' } }).then(
        (res) => ({ kind: 'hostile', res }),
      ),
    ),
  ];
  // Shuffle so admitted and refused requests interleave on the wire.
  for (let i = burst.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [burst[i], burst[j]] = [burst[j], burst[i]];
  }
  const results = await Promise.all(burst);
  assert.equal(results.length, 231);

  const createdIds = new Map(TENANTS.map((t) => [t, []]));
  for (const r of results.filter((x) => x.kind === 'admitted')) {
    const { res, tenant, name } = r;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tenant, tenant, 'the route ran as the request\'s tenant');
    assert.equal(res.body.baoTenant, tenant);
    assert.equal(res.body.localsTenant, tenant);
    assert.equal(res.body.created.name, name);
    assert.ok(res.body.names.includes(name), 'the list holds what this request created');
    for (const n of res.body.names) assert.ok(n.startsWith(`${tenant}:`), `${tenant} saw ${n}`);
    assert.ok(res.body.names.length <= PER_TENANT);
    assert.ok(res.body.capacity.write > 0, 'the create was metered');
    assert.ok(res.body.capacity.read > 0, 'the query was metered');
    createdIds.get(tenant).push(res.body.created.id);
  }
  for (const r of results.filter((x) => x.kind === 'forbidden')) {
    assertRefusal(r.res, 403, 'TENANT_FORBIDDEN');
    assert.equal(r.res.body.error, 'Access denied');
  }
  for (const r of results.filter((x) => x.kind === 'missing')) {
    assertRefusal(r.res, 400, 'TENANT_REQUIRED');
    assert.equal(r.res.body.error, 'Tenant context required');
  }
  for (const r of results.filter((x) => x.kind === 'hostile')) assertRefusal(r.res, 400, 'INVALID_TENANT_ID');

  // authorize ran for the 200 admitted and the 20 forbidden requests, never for a hostile id.
  const calls = authorizeCalls.slice(callsBefore);
  assert.equal(calls.length, 220);
  for (const id of HOSTILE) assert.ok(!calls.includes(id), 'authorize never sees an invalid id');

  // onFinish: once per admitted request, in its tenant's scope, with its capacity.
  await sleep(20);
  const metered = finished.slice(finishedBefore).filter((f) => f.path === '/api/users');
  assert.equal(metered.length, 200);
  const perTenant = new Map();
  for (const f of metered) {
    assert.equal(f.statusCode, 200);
    assert.equal(f.aborted, false);
    assert.equal(f.inScope, f.tenantId, 'onFinish runs in the request\'s tenant scope');
    assert.ok(f.capacity.read > 0 && f.capacity.write > 0);
    perTenant.set(f.tenantId, (perTenant.get(f.tenantId) || 0) + 1);
  }
  assert.deepEqual([...perTenant.keys()].sort(), [...TENANTS].sort());
  for (const n of perTenant.values()) assert.equal(n, PER_TENANT);

  // Afterwards each tenant holds exactly its 10 users, over HTTP and through the library.
  const lists = await Promise.all(
    TENANTS.map((t) => request('GET', '/api/users', { headers: as(t, { 'x-tenant-id': t }) })),
  );
  for (const [i, t] of TENANTS.entries()) {
    const expected = Array.from({ length: PER_TENANT }, (_, k) => `${t}:user-${k}`).sort();
    assert.equal(lists[i].status, 200);
    assert.equal(lists[i].body.tenant, t);
    assert.deepEqual(lists[i].body.names, expected);
    const direct = await TenantContext.runWithTenant(t, () => User.queryByIndex('byStatus', 'active'));
    assert.deepEqual(direct.items.map((u) => u.name).sort(), expected, 'no intruder or hostile write landed');
  }

  // Another tenant's user id, asked for under the caller's own tenant, is not found.
  const [t0, t1] = TENANTS;
  const foreignId = createdIds.get(t1)[0];
  const ownId = createdIds.get(t0)[0];
  const [foreign, own] = await Promise.all([
    request('GET', `/api/users/${foreignId}`, { headers: as(t0, { 'x-tenant-id': t0 }) }),
    request('GET', `/api/users/${ownId}`, { headers: as(t0, { 'x-tenant-id': t0 }) }),
  ]);
  assert.equal(foreign.status, 200);
  assert.equal(foreign.body.exists, false, 'tenant 0 cannot read tenant 1\'s user by id');
  assert.equal(own.body.exists, true);
  assert.ok(own.body.capacity.read > 0);
  // Asking for it as tenant 1 with tenant 0's token is refused before any read.
  assertRefusal(await request('GET', `/api/users/${foreignId}`, { headers: as(t0, { 'x-tenant-id': t1 }) }), 403, 'TENANT_FORBIDDEN');
});

test('missing tenant: no header or an empty one answers 400 TENANT_REQUIRED', async () => {
  const t = TENANTS[2];
  assertRefusal(await request('GET', '/api/users', { headers: as(t) }), 400, 'TENANT_REQUIRED');
  assertRefusal(await request('GET', '/api/users', { headers: as(t, { 'x-tenant-id': '' }) }), 400, 'TENANT_REQUIRED');
  // Without the middleware the library itself refuses.
  const open = await request('GET', '/open/users');
  assert.equal(open.status, 500);
  assert.equal(open.body.code, 'TENANT_REQUIRED');
});

test('hostile tenant ids answer 400 INVALID_TENANT_ID with the library\'s message, never echoing the id', async () => {
  for (const id of HOSTILE) {
    const before = authorizeCalls.length;
    const res = await request('GET', '/api/users', { headers: as(TENANTS[0], { 'x-tenant-id': id }) });
    assertRefusal(res, 400, 'INVALID_TENANT_ID');
    assert.match(res.body.error, /^Invalid tenant id/);
    if (id.length > 3) assert.ok(!res.body.error.includes(id), 'the id is not reflected');
    assert.equal(authorizeCalls.length, before, 'authorize is not called for an invalid id');
  }
  // A resolver that yields a non-string.
  const res = await request('GET', '/fn/whoami?n=42', { headers: as(TENANTS[0]) });
  assertRefusal(res, 400, 'INVALID_TENANT_ID');
  assert.match(res.body.error, /must be a string, got number/);
});

test('the request runs in a batch context and its tenant scope; res.locals.bao is set', async () => {
  const t = TENANTS[3];
  const res = await request('GET', '/api/whoami', { headers: as(t, { 'x-tenant-id': t }) });
  assert.deepEqual(res.body, { tenant: t, bao: t, batch: true });
});

test('{claim}: a claim the auth middleware verified, trusted without authorize', async () => {
  const t = TENANTS[4];
  const res = await request('GET', '/claim/users', { headers: as(t) });
  assert.equal(res.status, 200);
  assert.equal(res.body.tenant, t);
  assert.equal(res.body.names.length, PER_TENANT);
  // The client's header is ignored: the claim decides.
  const spoof = await request('GET', '/claim/whoami', { headers: as(t, { 'x-tenant-id': TENANTS[5] }) });
  assert.equal(spoof.body.tenant, t);
  // Not authenticated: no req.auth, no tenant.
  assertRefusal(await request('GET', '/claim/whoami'), 400, 'TENANT_REQUIRED');
});

function unsignedJwt(payload) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;
}

test('{jwtClaim}: the Bearer token payload\'s claim; bad tokens answer 400, unknown tenants 403', async () => {
  const t = TENANTS[6];
  const ok = await request('GET', '/jwt/whoami', { headers: { authorization: `Bearer ${unsignedJwt({ sub: 'u1', tenant_id: t })}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.tenant, t);
  const cases = [
    [undefined, 400, 'TENANT_REQUIRED'],
    ['Bearer not-a-jwt', 400, 'TENANT_REQUIRED'],
    [`Bearer ${Buffer.from('x').toString('base64url')}.${Buffer.from('not json').toString('base64url')}.sig`, 400, 'TENANT_REQUIRED'],
    [`Bearer ${unsignedJwt({ sub: 'u1' })}`, 400, 'TENANT_REQUIRED'],
    [`Basic ${Buffer.from('a:b').toString('base64')}`, 400, 'TENANT_REQUIRED'],
    [`Bearer ${unsignedJwt({ tenant_id: 7 })}`, 400, 'INVALID_TENANT_ID'],
    [`Bearer ${unsignedJwt({ tenant_id: 'evil]#x' })}`, 400, 'INVALID_TENANT_ID'],
    [`Bearer ${unsignedJwt({ tenant_id: 'not-a-known-tenant' })}`, 403, 'TENANT_FORBIDDEN'],
  ];
  for (const [authorization, status, code] of cases) {
    const res = await request('GET', '/jwt/whoami', { headers: authorization ? { authorization } : {} });
    assertRefusal(res, status, code);
  }
});

test('{subdomain}: <tenant>.app.test is the tenant; other hosts name none', async () => {
  const t = TENANTS[7];
  const ok = await request('GET', '/sub/users', { headers: as(t, { host: `${t}.app.test:${base.port}` }) });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.tenant, t);
  assert.equal(ok.body.names.length, PER_TENANT);
  assertRefusal(await request('GET', '/sub/whoami', { headers: as(t, { host: `${TENANTS[8]}.app.test` }) }), 403, 'TENANT_FORBIDDEN');
  for (const host of ['app.test', `x.${t}.app.test`, `${t}.other.test`, '127.0.0.1']) {
    assertRefusal(await request('GET', '/sub/whoami', { headers: as(t, { host }) }), 400, 'TENANT_REQUIRED');
  }
  const any = await request('GET', '/anysub/whoami', { headers: { host: `${t}.example.com` } });
  assert.equal(any.body.tenant, t);
  assertRefusal(await request('GET', '/anysub/whoami', { headers: { host: 'example.com' } }), 400, 'TENANT_REQUIRED');
  assertRefusal(await request('GET', '/anysub/whoami', { headers: { host: `127.0.0.1:${base.port}` } }), 400, 'TENANT_REQUIRED');
});

test('function resolver: async, its errors and authorize\'s reach the error handler; only true admits', async () => {
  const t = TENANTS[9];
  const ok = await request('GET', `/fn/whoami?tenant=${t}`, { headers: as(t) });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.tenant, t);
  assertRefusal(await request('GET', `/fn/whoami?tenant=${TENANTS[10]}`, { headers: as(t) }), 403, 'TENANT_FORBIDDEN');
  assertRefusal(await request('GET', `/fn/whoami?tenant=${t}&truthy=1`, { headers: as(t) }), 403, 'TENANT_FORBIDDEN');
  const boom = await request('GET', `/fn/whoami?tenant=${t}&boom=1`, { headers: as(t) });
  assert.equal(boom.status, 500);
  assert.equal(boom.body.error, 'resolver exploded');
  const authBoom = await request('GET', `/fn/whoami?tenant=${t}&authboom=1`, { headers: as(t) });
  assert.equal(authBoom.status, 500);
  assert.equal(authBoom.body.error, 'authorize exploded');
});

test('a bare node:http server works with the middleware', async () => {
  const mw = tenantMiddleware({ resolve: { header: 'X-Tenant-Id' }, authorize: (req, t) => TENANTS.includes(t) });
  const bare = http.createServer((req, res) => {
    mw(req, res, async (err) => {
      if (err) {
        res.statusCode = 500;
        return res.end();
      }
      const listed = await User.queryByIndex('byStatus', 'active');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tenant: TenantContext.getCurrentTenant(), n: listed.items.length, capacity: req.bao.capacity() }));
    });
  });
  await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const saved = base;
  base = { host: '127.0.0.1', port: bare.address().port };
  try {
    const t = TENANTS[11];
    const res = await request('GET', '/', { headers: { 'x-tenant-id': t } });
    assert.equal(res.status, 200);
    assert.equal(res.body.tenant, t);
    assert.equal(res.body.n, PER_TENANT);
    assert.ok(res.body.capacity.read > 0);
    assertRefusal(await request('GET', '/'), 400, 'TENANT_REQUIRED');
    assertRefusal(await request('GET', '/', { headers: { 'x-tenant-id': 'nope' } }), 403, 'TENANT_FORBIDDEN');
  } finally {
    base = saved;
    await new Promise((resolve) => bare.close(resolve));
  }
});

test('options are checked when the middleware is made', () => {
  assert.equal(fromMain, tenantMiddleware, 'the main export is the same function');
  const bad = [
    [undefined, /expected options/],
    [{}, /resolve must be one of/],
    [{ resolve: 'x-tenant-id', authorize }, /resolve must be one of/],
    [{ resolve: { header: 'a', subdomain: true }, authorize }, /resolve must be one of/],
    [{ resolve: { header: '' }, authorize }, /header must be a non-empty string/],
    [{ resolve: { subdomain: 1 }, authorize }, /subdomain must be true or a base domain/],
    [{ resolve: { claim: 'tenantId', from: 'auth' } }, /from must be a function/],
    [{ resolve: { header: 'x-tenant-id' } }, /authorize\(req, tenantId\) is required/],
    [{ resolve: { jwtClaim: 'tenant_id' } }, /authorize\(req, tenantId\) is required/],
    [{ resolve: { subdomain: true } }, /authorize\(req, tenantId\) is required/],
    [{ resolve: () => 't' }, /authorize\(req, tenantId\) is required/],
    [{ resolve: { header: 'x' }, authorize: true }, /authorize must be a function/],
    [{ resolve: { header: 'x' }, authorize, onFinish: 'log' }, /onFinish must be a function/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => tenantMiddleware(options), (err) => err instanceof TypeError && message.test(err.message));
  }
  assert.equal(typeof tenantMiddleware({ resolve: { claim: 'tenantId' } }), 'function');
});
