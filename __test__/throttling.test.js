'use strict';
/**
 * Throttling and 5xx answers, injected by a proxy in front of DynamoDB Local: the SDK's
 * standard retry (backoff with jitter) absorbs them, the client's request stats count
 * them, and when attempts run out the error says `retryable` with the AWS error name.
 * An answer cut off midway is read again by the core and counted the same way.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, TenantContext } = require('..');
const { makeModels, config } = require('./helpers/models');
const { startProxy } = require('./helpers/recording-proxy');
const { uid } = require('./helpers/ids');

let proxy;
let User;
let manager;
const tenant = uid('thr');

before(async () => {
  proxy = await startProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB);
  ({ User } = makeModels());
  const cfg = config({ User });
  // Short backoff so the test is quick; the SDK still applies jitter.
  cfg.aws = { ...cfg.aws, endpoint: proxy.endpoint, maxAttempts: 4, retryInitialBackoffMs: 20 };
  manager = TenantContext.runWithTenant('boot', () => initModels(cfg));
});

after(() => proxy.close());

const inTenant = (fn) => TenantContext.runWithTenant(tenant, fn);
const delta = (before, after) => Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));

test('throttled requests are retried until they succeed, and counted', async () => {
  const s0 = manager.requestStats();
  proxy.throttleNext(3);
  const user = await inTenant(() => User.create({ name: 'patient' }));
  assert.equal(user.name, 'patient');
  const d = delta(s0, manager.requestStats());
  assert.equal(d.throttled, 3);
  assert.equal(d.retries, 3);
  assert.equal(d.requests, 1);
  assert.equal(d.attempts, 4);
  assert.equal(proxy.requests.filter((r) => r.answered === 'throttled').length, 3);
});

test('5xx answers are retried too', async () => {
  const s0 = manager.requestStats();
  proxy.failNext(2);
  const page = await inTenant(() => User.queryByIndex('byStatus', 'active'));
  assert.ok(page.items.length >= 1);
  const d = delta(s0, manager.requestStats());
  assert.equal(d.serverErrors, 2);
  assert.equal(d.retries, 2);
});

test('an answer cut off midway is read again, and counted as one request retried', async () => {
  const user = await inTenant(() => User.create({ name: 'cut short' }));
  const s0 = manager.requestStats();
  proxy.cutNext(1);
  const found = await inTenant(() => User.find(user.getPrimaryId()));
  assert.equal(found.name, 'cut short');
  const d = delta(s0, manager.requestStats());
  assert.deepEqual(d, { requests: 1, attempts: 2, retries: 1, throttled: 0, serverErrors: 0, transportErrors: 1 });
  assert.equal(proxy.requests.filter((r) => r.answered === 'cut').length, 1);
});

test('when attempts run out the error is retryable and names the AWS error', async () => {
  const s0 = manager.requestStats();
  proxy.throttleNext(4);
  await assert.rejects(
    inTenant(() => User.create({ name: 'unlucky' })),
    (e) => e.retryable === true && e.name === 'ProvisionedThroughputExceededException',
  );
  const d = delta(s0, manager.requestStats());
  assert.equal(d.attempts, 4);
  assert.equal(d.throttled, 4);
  assert.equal(proxy.pendingFaults(), 0);
});

test('a burst of throttling under concurrency: every operation completes', async () => {
  const s0 = manager.requestStats();
  // Each request is throttled at most once: with plain next-N throttling, a slow machine
  // could send one request's four attempts among the 30 and exhaust its attempts.
  proxy.throttleNext(30, { oncePerRequest: true });
  const users = await inTenant(() =>
    Promise.all(Array.from({ length: 40 }, (_, i) => User.create({ name: `burst-${i}` }))),
  );
  assert.equal(users.length, 40);
  const d = delta(s0, manager.requestStats());
  assert.equal(d.throttled, 30);
  assert.equal(d.requests, 40);
  assert.equal(d.attempts, 70);
  const names = new Set(
    (await inTenant(() => User.queryByIndex('byStatus', 'active', null, { limit: 100 }))).items.map((u) => u.name),
  );
  for (let i = 0; i < 40; i++) assert.ok(names.has(`burst-${i}`));
});
