'use strict';
/**
 * `dynamo-bao-native/lambda` with API Gateway's event shapes (fixtures/api-gateway/: full
 * sample events of a REST API (payload 1.0) with a Cognito authorizer and with a Lambda
 * authorizer, and of an HTTP API (payload 2.0) with a JWT authorizer and with a Lambda
 * authorizer), against DynamoDB Local. `__TENANT__` and `__NAME__` in a fixture are replaced
 * per invocation.
 *
 * Covers: the tenant taken from each authorizer variant and from a header of any case (REST
 * keeps the client's spelling, HTTP API lower-cases), 80 concurrent invocations over 10 tenants
 * each seeing only their own data, 400/403 JSON responses, `context.bao` and `onFinish` with
 * the invocation's capacity, handler errors reaching the runtime, and option checks.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { TenantContext, withTenantHandler: fromMain } = require('..');
const { withTenantHandler } = require('dynamo-bao-native/lambda');
const { isInsideBatchContext } = require('../lib/batch-context.js');
const { makeModels, initTenantModels } = require('./helpers/models');
const { uid, sleep } = require('./helpers/ids');

const models = makeModels();
const { User } = models;

const FIXTURES = path.join(__dirname, 'fixtures', 'api-gateway');
const TENANTS = Array.from({ length: 10 }, (_, i) => uid(`lam${i}-`));

/** A fixture with its placeholders filled in (JSON-escaped, so any string is safe). */
function eventFrom(file, { tenant = '', name = '' } = {}) {
  const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const esc = (s) => JSON.stringify(s).slice(1, -1);
  const inBody = (s) => esc(esc(s)); // the body is itself a JSON string inside the event
  return JSON.parse(
    text
      .replace(/"body": "(.*)"/, (m) => m.replace(/__NAME__/g, inBody(name)))
      .replace(/__TENANT__/g, esc(tenant))
      .replace(/__NAME__/g, esc(name)),
  );
}

/** The Lambda runtime's context object (Node.js runtime), one per invocation. */
function lambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'users-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:users-api',
    memoryLimitInMB: '512',
    awsRequestId: `req-${uid()}`,
    logGroupName: '/aws/lambda/users-api',
    logStreamName: '2024/03/12/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** The app's handler: POST creates a user from the body, every call lists the tenant's users. */
async function usersHandler(event, context) {
  const method = event.httpMethod || event.requestContext?.http?.method;
  let created = null;
  if (method === 'POST') {
    const { name } = JSON.parse(event.body);
    created = (await User.create({ name })).name;
    await sleep(Math.floor(Math.random() * 5));
  }
  const listed = await User.queryByIndex('byStatus', 'active');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant: TenantContext.getCurrentTenant(),
      bao: context?.bao?.tenantId ?? null,
      batch: isInsideBatchContext(),
      created,
      names: listed.items.map((u) => u.name).sort(),
      capacity: context?.bao ? context.bao.capacity() : null,
    }),
  };
}

const CLAIM_SOURCES = [
  ['rest-v1-cognito.json', 'custom:tenant_id', 'POST'],
  ['rest-v1-lambda-authorizer.json', 'tenantId', 'GET'],
  ['http-v2-jwt.json', 'https://example.com/tenant', 'POST'],
  ['http-v2-lambda-authorizer.json', 'tenantId', 'GET'],
];

before(() => {
  TenantContext.reset();
  initTenantModels(models);
});
after(() => TenantContext.reset());

function parsed(response) {
  assert.equal(typeof response.body, 'string');
  return JSON.parse(response.body);
}

function assertRefusal(response, status, code) {
  assert.equal(response.statusCode, status, response.body);
  assert.deepEqual(response.headers, { 'content-type': 'application/json' });
  const body = parsed(response);
  assert.equal(body.code, code);
  assert.equal(typeof body.error, 'string');
  return body;
}

test('each authorizer variant names the tenant: 80 concurrent invocations over 10 tenants', async () => {
  const handlers = Object.fromEntries(
    CLAIM_SOURCES.map(([file, claim]) => [file, withTenantHandler(usersHandler, { resolve: { authorizerClaim: claim } })]),
  );
  const calls = [];
  for (let round = 0; round < 2; round++) {
    for (const tenant of TENANTS) {
      for (const [file, claim, method] of CLAIM_SOURCES) {
        const name = `${tenant}:${file}:${round}`;
        calls.push({ tenant, file, claim, method, name, event: eventFrom(file, { tenant, name }) });
      }
    }
  }
  assert.equal(calls.length, 80);
  const responses = await Promise.all(calls.map((c) => handlers[c.file](c.event, lambdaContext())));

  for (const [i, c] of calls.entries()) {
    assert.equal(responses[i].statusCode, 200, responses[i].body);
    const body = parsed(responses[i]);
    assert.equal(body.tenant, c.tenant, `${c.file}: ran as the claim's tenant`);
    assert.equal(body.bao, c.tenant);
    assert.equal(body.batch, true, 'inside a batch context');
    if (c.method === 'POST') {
      assert.equal(body.created, c.name);
      assert.ok(body.names.includes(c.name));
      assert.ok(body.capacity.write > 0);
    }
    // DynamoDB Local reports 0 read units for a query that matched nothing.
    assert.ok(body.names.length === 0 ? body.capacity.read >= 0 : body.capacity.read > 0, JSON.stringify(body));
    for (const n of body.names) assert.ok(n.startsWith(`${c.tenant}:`), `${c.tenant} saw ${n}`);
  }
  // Each tenant ends with exactly its own 4 creates (2 rounds x 2 POST fixtures).
  for (const tenant of TENANTS) {
    const direct = await TenantContext.runWithTenant(tenant, () => User.queryByIndex('byStatus', 'active'));
    const expected = calls.filter((c) => c.tenant === tenant && c.method === 'POST').map((c) => c.name).sort();
    assert.equal(expected.length, 4);
    assert.deepEqual(direct.items.map((u) => u.name).sort(), expected);
  }
});

test('{header}: any case in REST events (headers or multiValueHeaders), lower case in HTTP API events; authorize decides', async () => {
  const [mine, other] = TENANTS;
  const seen = [];
  const handler = withTenantHandler(usersHandler, {
    resolve: { header: 'X-Tenant-Id' },
    // The caller's identity comes from the authorizer; the header only says which tenant it asks for.
    authorize: async (event, tenantId, context) => {
      seen.push({ tenantId, requestId: context?.awsRequestId });
      const allowed = event.requestContext?.authorizer?.lambda?.tenantId ?? event.requestContext?.authorizer?.tenantId;
      return allowed === tenantId;
    },
  });

  // HTTP API: lower-case header names.
  const v2 = eventFrom('http-v2-lambda-authorizer.json', { tenant: mine });
  const ctx = lambdaContext();
  assert.equal(parsed(await handler(v2, ctx)).tenant, mine);
  assert.equal(seen.at(-1).requestId, ctx.awsRequestId, 'authorize gets the Lambda context');

  // REST API keeps the client's spelling.
  const v1 = eventFrom('rest-v1-lambda-authorizer.json', { tenant: mine });
  v1.headers['X-TENANT-ID'] = mine;
  v1.multiValueHeaders['X-TENANT-ID'] = [mine];
  assert.equal(parsed(await handler(v1, lambdaContext())).tenant, mine);

  // Only multiValueHeaders (as some proxies and test tools send it).
  const onlyMulti = eventFrom('rest-v1-lambda-authorizer.json', { tenant: mine });
  onlyMulti.headers = null;
  onlyMulti.multiValueHeaders['x-Tenant-id'] = [mine, other];
  assert.equal(parsed(await handler(onlyMulti, lambdaContext())).tenant, mine);

  // Asking for another tenant than the authorizer vouched for: 403, and nothing ran.
  const spoof = eventFrom('http-v2-lambda-authorizer.json', { tenant: mine });
  spoof.headers['x-tenant-id'] = other;
  const body = assertRefusal(await handler(spoof, lambdaContext()), 403, 'TENANT_FORBIDDEN');
  assert.equal(body.error, 'Access denied');

  // No header at all.
  const none = eventFrom('http-v2-lambda-authorizer.json', { tenant: mine });
  delete none.headers['x-tenant-id'];
  assertRefusal(await handler(none, lambdaContext()), 400, 'TENANT_REQUIRED');
  const noHeaders = eventFrom('rest-v1-lambda-authorizer.json', { tenant: mine });
  noHeaders.headers = null;
  noHeaders.multiValueHeaders = null;
  assertRefusal(await handler(noHeaders, lambdaContext()), 400, 'TENANT_REQUIRED');

  // A hostile header never reaches authorize.
  const before = seen.length;
  const hostile = eventFrom('http-v2-lambda-authorizer.json', { tenant: mine });
  hostile.headers['x-tenant-id'] = `${mine}]#u`;
  assertRefusal(await handler(hostile, lambdaContext()), 400, 'INVALID_TENANT_ID');
  assert.equal(seen.length, before);
});

test('missing or invalid authorizer values answer 400 with a JSON body', async () => {
  const byClaim = withTenantHandler(usersHandler, { resolve: { authorizerClaim: 'tenantId' } });
  const cognito = withTenantHandler(usersHandler, { resolve: { authorizerClaim: 'custom:tenant_id' } });

  // No authorizer on the route.
  const open = eventFrom('rest-v1-lambda-authorizer.json', { tenant: TENANTS[0] });
  delete open.requestContext.authorizer;
  const missing = assertRefusal(await byClaim(open, lambdaContext()), 400, 'TENANT_REQUIRED');
  assert.equal(missing.error, 'Tenant context required');
  // An authorizer that does not carry the claim, or carries it empty.
  const noClaim = eventFrom('rest-v1-cognito.json', { tenant: '', name: 'x' });
  assertRefusal(await cognito(noClaim, lambdaContext()), 400, 'TENANT_REQUIRED');
  const v2 = eventFrom('http-v2-lambda-authorizer.json', { tenant: TENANTS[0] });
  delete v2.requestContext.authorizer.lambda.tenantId;
  assertRefusal(await byClaim(v2, lambdaContext()), 400, 'TENANT_REQUIRED');

  // Values the tenant-id rules refuse, including a non-string from a Lambda authorizer context.
  for (const bad of ['a]#b', '[acme]', 'x'.repeat(129), 'a\u0000b', 42, true]) {
    const ev = eventFrom('rest-v1-lambda-authorizer.json');
    ev.requestContext.authorizer.tenantId = bad;
    const body = assertRefusal(await byClaim(ev, lambdaContext()), 400, 'INVALID_TENANT_ID');
    assert.match(body.error, /^Invalid tenant id/);
  }
  // A claim named like an Object.prototype member is not found there.
  const proto = withTenantHandler(usersHandler, { resolve: { authorizerClaim: 'constructor' } });
  assertRefusal(await proto(eventFrom('http-v2-jwt.json', { tenant: TENANTS[0] }), lambdaContext()), 400, 'TENANT_REQUIRED');
  // No event at all.
  assertRefusal(await byClaim(undefined, lambdaContext()), 400, 'TENANT_REQUIRED');
});

test('function resolver, context.bao, onFinish (awaited, with capacity), handler errors', async () => {
  const tenant = TENANTS[1];
  const finished = [];
  const handler = withTenantHandler(usersHandler, {
    resolve: async (event, context) => {
      await sleep(1);
      return event.pathParameters?.tenant ?? context.clientContext?.tenant;
    },
    authorize: (event, tenantId) => TENANTS.includes(tenantId),
    onFinish: async (event, info) => {
      await sleep(15);
      finished.push({ ...info, inScope: TenantContext.getCurrentTenant() });
    },
  });
  const ev = eventFrom('rest-v1-lambda-authorizer.json', { tenant });
  ev.pathParameters = { tenant };
  const response = await handler(ev, lambdaContext());
  assert.equal(parsed(response).tenant, tenant);
  assert.equal(finished.length, 1, 'onFinish finished before the handler returned');
  assert.equal(finished[0].tenantId, tenant);
  assert.equal(finished[0].inScope, tenant, 'onFinish runs in the invocation\'s tenant scope');
  assert.equal(finished[0].statusCode, 200);
  assert.ok(finished[0].capacity.read > 0);
  assert.equal('error' in finished[0], false);

  // From the client context instead, and a refusal from authorize.
  const viaContext = { ...lambdaContext(), clientContext: { tenant } };
  assert.equal(parsed(await handler(eventFrom('http-v2-jwt.json', { tenant, name: `${tenant}:ctx` }), viaContext)).tenant, tenant);
  const stranger = eventFrom('rest-v1-lambda-authorizer.json');
  stranger.pathParameters = { tenant: 'stranger' };
  assertRefusal(await handler(stranger, lambdaContext()), 403, 'TENANT_FORBIDDEN');
  assert.equal(finished.length, 2, 'refused invocations are not metered');

  // A handler error reaches the runtime; onFinish sees it.
  const failing = withTenantHandler(
    async () => {
      await User.queryByIndex('byStatus', 'active');
      throw new Error('handler failed');
    },
    { resolve: { authorizerClaim: 'tenantId' }, onFinish: (event, info) => finished.push(info) },
  );
  await assert.rejects(failing(eventFrom('rest-v1-lambda-authorizer.json', { tenant }), lambdaContext()), /handler failed/);
  assert.equal(finished.at(-1).error.message, 'handler failed');
  assert.ok(finished.at(-1).capacity.read > 0);

  // Errors of resolve and authorize reach the runtime too.
  const badResolve = withTenantHandler(usersHandler, { resolve: () => { throw new Error('resolve failed'); }, authorize: () => true });
  await assert.rejects(badResolve({}, lambdaContext()), /resolve failed/);
  const badAuthorize = withTenantHandler(usersHandler, { resolve: { header: 'x-tenant-id' }, authorize: async () => { throw new Error('authorize failed'); } });
  await assert.rejects(badAuthorize(eventFrom('http-v2-lambda-authorizer.json', { tenant }), lambdaContext()), /authorize failed/);
  // Only a literal true admits.
  const truthy = withTenantHandler(usersHandler, { resolve: { header: 'x-tenant-id' }, authorize: () => 1 });
  assertRefusal(await truthy(eventFrom('http-v2-lambda-authorizer.json', { tenant }), lambdaContext()), 403, 'TENANT_FORBIDDEN');

  // A failing onFinish is logged, not thrown.
  const logged = [];
  const originals = { log: console.log, warn: console.warn, error: console.error };
  for (const level of Object.keys(originals)) console[level] = (...args) => logged.push(args.join(' '));
  try {
    const noisy = withTenantHandler(usersHandler, {
      resolve: { authorizerClaim: 'tenantId' },
      onFinish: () => {
        throw new Error('meter down');
      },
    });
    const ok = await noisy(eventFrom('rest-v1-lambda-authorizer.json', { tenant }), lambdaContext());
    assert.equal(ok.statusCode, 200);
  } finally {
    Object.assign(console, originals);
  }
  assert.ok(logged.some((l) => l.includes('onFinish failed') && l.includes('meter down')), logged.join('\n'));

  // Without a context object the handler still runs as the tenant.
  const bare = withTenantHandler(usersHandler, { resolve: { authorizerClaim: 'tenantId' } });
  const noCtx = parsed(await bare(eventFrom('rest-v1-lambda-authorizer.json', { tenant })));
  assert.equal(noCtx.tenant, tenant);
  assert.equal(noCtx.bao, null);
});

test('options are checked when the wrapper is made', () => {
  assert.equal(fromMain, withTenantHandler, 'the main export is the same function');
  const bad = [
    [undefined, { resolve: { authorizerClaim: 't' } }, /handler must be a function/],
    [usersHandler, undefined, /expected options/],
    [usersHandler, {}, /resolve must be one of/],
    [usersHandler, { resolve: { authorizerClaim: 't', header: 'x' } }, /resolve must be one of/],
    [usersHandler, { resolve: { jwtClaim: 't' } }, /resolve must be one of/],
    [usersHandler, { resolve: { authorizerClaim: '' } }, /authorizerClaim must be a non-empty string/],
    [usersHandler, { resolve: { header: 'x-tenant-id' } }, /authorize\(event, tenantId, context\) is required/],
    [usersHandler, { resolve: () => 't' }, /authorize\(event, tenantId, context\) is required/],
    [usersHandler, { resolve: { authorizerClaim: 't' }, onFinish: 1 }, /onFinish must be a function/],
  ];
  for (const [handler, options, message] of bad) {
    assert.throws(() => withTenantHandler(handler, options), (err) => err instanceof TypeError && message.test(err.message));
  }
});
