'use strict';
/**
 * The IAM story: `bao-audit-keys` finds every partition key outside a valid tenant
 * prefix (grouped by model prefix, exit code 1) and reports a clean table as clean;
 * `bao-iam-policy` prints a LeadingKeys policy whose pattern only the tenant's own keys
 * match.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { promisify } = require('node:util');
const { DynamoDBClient, PutItemCommand, DeleteItemCommand } = require('@aws-sdk/client-dynamodb');
const { initModels, TenantContext } = require('..');
const { createTable } = require('../lib/admin.js');
const { makeModels, config } = require('./helpers/models');
const { uid } = require('./helpers/ids');

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', 'bin');
const client = new DynamoDBClient({ region: process.env.AWS_REGION || 'us-west-2', endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });

async function audit(table) {
  try {
    const { stdout } = await run(process.execPath, [path.join(BIN, 'bao-audit-keys.js'), '--table', table]);
    return { code: 0, stdout };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('bao-audit-keys finds keys outside a tenant prefix, grouped by model prefix', async () => {
  const table = `audit-${uid()}`;
  await createTable({ tableName: table, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  const models = makeModels();
  TenantContext.setCurrentTenant('boot');
  initModels({ ...config(models), db: { tableName: table } });
  TenantContext.clearTenant();
  const { User, AllTypes, PkPrefix } = models;
  for (const t of [`a-${uid()}`, `b-${uid()}`]) {
    await TenantContext.runWithTenant(t, async () => {
      await User.create({ name: 'n', email: `${t}@x`, status: 'active' });
      await AllTypes.create({ s: 'x', s2: `unique ${t}`, i: 1, f: 1.5, b: true, dt: new Date() });
      await PkPrefix.create({ k: 'kk' });
    });
  }
  const clean = await audit(table);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /every partition key is inside a tenant prefix/);

  // Rows another tool wrote: no tenant at all, a tenant that could break out of the
  // prefix, and a tenant row whose GSI key points outside any tenant.
  const bad = [
    { _pk: { S: 'u#legacy' }, _sk: { S: 'u' } },
    { _pk: { S: '[a#b]#u#x' }, _sk: { S: 'u' } },
    { _pk: { S: '[ok]#at#1' }, _sk: { S: 'at' }, _gsi1_pk: { S: 'at#gsi1#x' }, _gsi1_sk: { S: '0' } },
  ];
  for (const Item of bad) await client.send(new PutItemCommand({ TableName: table, Item }));
  const dirty = await audit(table);
  assert.equal(dirty.code, 1);
  assert.match(dirty.stdout, /3 key\(s\) outside a tenant prefix/);
  assert.match(dirty.stdout, /model prefix "u": 2/);
  assert.match(dirty.stdout, /model prefix "at": 1/);
  assert.match(dirty.stdout, /_gsi1_pk = "at#gsi1#x"/);
  assert.match(dirty.stderr, /scanned \d+ item\(s\)/, 'a progress line');

  for (const { _pk, _sk } of bad) await client.send(new DeleteItemCommand({ TableName: table, Key: { _pk, _sk } }));
  assert.equal((await audit(table)).code, 0);
});

test('bao-iam-policy prints a LeadingKeys policy on the table and its indexes', async () => {
  const { stdout } = await run(process.execPath, [
    path.join(BIN, 'bao-iam-policy.js'), '--table', 'app-table', '--tenant-tag', 'TenantId', '--region', 'eu-west-1', '--account', '123456789012',
  ]);
  const policy = JSON.parse(stdout);
  const [allow, deny] = policy.Statement;
  assert.equal(allow.Effect, 'Allow');
  assert.deepEqual(allow.Resource, [
    'arn:aws:dynamodb:eu-west-1:123456789012:table/app-table',
    'arn:aws:dynamodb:eu-west-1:123456789012:table/app-table/index/*',
  ]);
  for (const a of ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem']) {
    assert.ok(allow.Action.includes(`dynamodb:${a}`), a);
  }
  assert.ok(!allow.Action.includes('dynamodb:Scan'));
  const [pattern] = allow.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'];
  assert.equal(pattern, '[${aws:PrincipalTag/TenantId}]#*');
  assert.equal(deny.Effect, 'Deny');
  assert.ok(deny.Action.includes('dynamodb:Scan') && deny.Action.includes('dynamodb:PartiQLSelect'));

  // The pattern, as IAM's StringLike applies it (only * and ? are wildcards), matches
  // the tenant's own keys and no other tenant's, even one whose id extends it.
  const like = (p, s) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(s);
  const mine = pattern.replace('${aws:PrincipalTag/TenantId}', 'acme');
  assert.ok(like(mine, '[acme]#u#01'));
  assert.ok(like(mine, '[acme]#_raft_uc#_uc1#u#email:x'));
  assert.ok(!like(mine, '[acme2]#u#01'));
  assert.ok(!like(mine, '[ac]#u#01'));
  assert.ok(!like(mine, 'u#01'));
});

test('bao-iam-policy without its arguments prints usage and fails', async () => {
  await assert.rejects(run(process.execPath, [path.join(BIN, 'bao-iam-policy.js'), '--table', 'x']), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /Usage: bao-iam-policy/);
    return true;
  });
});
