'use strict';
/**
 * Faults: DynamoDB Local is killed while 1,000 operations are in flight, then
 * restarted. The process survives; every operation either succeeds or fails with an
 * Error marked `retryable`; later operations succeed; and no unique constraint is left
 * half-written (every constraint item has its owner and every owner its constraint
 * item), because constraint changes are transactions.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { unmarshall } = require('@aws-sdk/util-dynamodb');
const ddbLocal = require('../scripts/ddb-local');
const { initModels, BaoModel, PrimaryKeyConfig, UniqueConstraintConfig, TenantContext, fields, constants } = require('..');
const { createTable } = require('../lib/admin.js');
const { uid } = require('./helpers/ids');

class Account extends BaoModel {
  static modelPrefix = 'fa';
  static fields = {
    accountId: fields.UlidField({ autoAssign: true }),
    email: fields.StringField(),
    visits: fields.CounterField(),
  };
  static primaryKey = PrimaryKeyConfig('accountId');
  static uniqueConstraints = { uniqueEmail: UniqueConstraintConfig('email', constants.UNIQUE_CONSTRAINT_ID1) };
}

async function scanAll(client, TableName) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...page.Items.map((i) => unmarshall(i)));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

test('DynamoDB Local killed mid-flight and restarted: retryable errors, no half-written constraints', { timeout: 180000 }, async () => {
  const dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-faults-'));
  let server = await ddbLocal.start({ dbPath });
  const { port, endpoint } = server;
  const table = `faults-${uid()}`;
  const tenant = `ft-${uid()}`;
  try {
    await createTable({ tableName: table, endpoint });
    TenantContext.runWithTenant(tenant, () =>
      initModels({
        aws: { region: process.env.AWS_REGION || 'us-west-2', endpoint, requestTimeoutMs: 3000, maxAttempts: 2 },
        db: { tableName: table },
        tenancy: { enabled: true },
        models: { Account },
      }),
    );
    const seeded = await TenantContext.runWithTenant(tenant, () =>
      Promise.all(Array.from({ length: 20 }, (_, i) => Account.create({ email: `seed${i}@x` }))),
    );

    // 1,000 mixed operations; the server dies while they run.
    const outcomes = { ok: 0, retryable: 0, other: [] };
    const ops = Array.from({ length: 1000 }, (_, i) =>
      TenantContext.runWithTenant(tenant, async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 1500));
        const pick = i % 4;
        if (pick === 0) return Account.create({ email: `user${i}@x` });
        if (pick === 1) return Account.find(seeded[i % 20].getPrimaryId());
        if (pick === 2) return Account.update(seeded[i % 20].getPrimaryId(), { visits: '+1' });
        return Account.update(seeded[i % 20].getPrimaryId(), { email: `moved${i}@x` });
      }).then(
        () => outcomes.ok++,
        (err) => {
          if (err instanceof Error && err.retryable === true) outcomes.retryable++;
          else outcomes.other.push(err);
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 700));
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    await Promise.all(ops);

    // Conditional failures (two moves racing to one email) are allowed; anything else
    // must be a retryable error.
    const unexpected = outcomes.other.filter((e) => !(e && e.name === 'ConditionalError'));
    console.log(
      `faults: ${outcomes.ok} succeeded, ${outcomes.retryable} retryable errors, ` +
        `${outcomes.other.length - unexpected.length} conditional, ${unexpected.length} other`,
    );
    assert.ok(outcomes.retryable > 0, 'the kill interrupted some operations');
    assert.deepEqual(
      unexpected.map((e) => `${e && e.name}: ${e && e.message}`),
      [],
      'every failure is retryable (or a condition)',
    );

    // Same port, same data folder: the service comes back and later operations work.
    server = await ddbLocal.start({ port, dbPath });
    const after = await TenantContext.runWithTenant(tenant, () => Account.create({ email: `after-${uid()}@x` }));
    const found = await TenantContext.runWithTenant(tenant, () => Account.find(after.getPrimaryId()));
    assert.equal(found.email, after.email);

    // No unique constraint is half-written.
    const client = new DynamoDBClient({ region: process.env.AWS_REGION || 'us-west-2', endpoint });
    const items = await scanAll(client, table);
    const owners = new Map(items.filter((i) => i._sk === 'fa').map((i) => [i.accountId, i]));
    const constraints = items.filter((i) => i._sk === '_raft_uc');
    for (const c of constraints) {
      const owner = owners.get(c.relatedId);
      assert.ok(owner, `constraint ${c._pk} has its owner`);
      assert.equal(c._pk, `[${tenant}]#_raft_uc#_uc1#fa#email:${owner.email}`, 'and it is the owner\'s current email');
    }
    for (const owner of owners.values()) {
      if (!owner.email) continue;
      const key = `[${tenant}]#_raft_uc#_uc1#fa#email:${owner.email}`;
      assert.ok(constraints.some((c) => c._pk === key), `owner ${owner.accountId} has its constraint item`);
    }
    console.log(`faults: ${owners.size} owners and ${constraints.length} constraint items consistent after the restart`);
  } finally {
    await server.stop();
    fs.rmSync(dbPath, { recursive: true, force: true });
  }
});
