'use strict';
/**
 * Logging: DynamoBao's DYNAMO_BAO_LOG_LEVEL levels, and the debug request log, which
 * names the operation, tenant, table, index and consumed capacity of every call to
 * DynamoDB and never an item value or a key value.
 */
// The level is read when the library loads (as in DynamoBao).
process.env.DYNAMO_BAO_LOG_LEVEL = 'debug';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { TenantContext } = require('..');
const { Logger } = require('../lib/utils/logger.js');
const { GetCommand } = require('../lib/dynamodb-client.js');
const { makeModels, initTenantModels } = require('./helpers/models');
const { uid } = require('./helpers/ids');

const models = makeModels();
const { User, AllTypes } = models;
const TABLE = process.env.TABLE_NAME;

/** Runs `fn`, returning what it printed with console.log. */
async function capture(fn) {
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.map(String).join(' '));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines;
}

/** The request-log entries among printed lines. */
function requests(lines) {
  const prefix = '[DEBUG] DynamoDB: ';
  return lines.filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)));
}

before(() => {
  TenantContext.reset();
  initTenantModels(models);
});
after(() => TenantContext.reset());

test('DEBUG prints one line per operation with op, tenant, table, index and capacity, and no values', async () => {
  const tenant = uid('log-');
  const secret = { name: uid('SECRET-NAME-'), email: `${uid('secret-mail-')}@x.test`, status: uid('secret-status-') };
  const secretS2 = uid('SECRET-UNIQUE-');
  const rawKey = uid('SECRET-KEY-');
  const ids = [];
  const lines = await capture(() =>
    TenantContext.runWithTenant(tenant, async () => {
      const user = await User.create(secret);
      ids.push(user.getPrimaryId());
      const other = await AllTypes.create({ s: uid('SECRET-S-'), s2: secretS2, i: 424242, f: 1.5, b: true, dt: new Date() });
      ids.push(other.getPrimaryId());
      await User.find(user.getPrimaryId());
      await User.update(user.getPrimaryId(), { name: secret.name });
      await User.queryByIndex('byStatus', secret.status);
      await User.queryByPrimaryKey(user.getPrimaryId());
      await User.count();
      await User.batchFind([user.getPrimaryId()]);
      await AllTypes.findByUniqueConstraint('uniqueS2', secretS2);
      for await (const batch of User.iterateAll({ batchSize: 10 })) assert.ok(batch.length >= 1);
      await User.documentClient.send(new GetCommand({ TableName: TABLE, Key: { _pk: `[${tenant}]#u#${rawKey}`, _sk: 'u' } }));
      await user.delete();
      await other.delete();
    }),
  );
  const entries = requests(lines);
  const byOp = (op) => entries.filter((e) => e.op === op);

  for (const e of entries) {
    assert.equal(e.tenant, tenant, JSON.stringify(e));
    assert.equal(typeof e.ms, 'number');
    assert.equal(e.error, undefined, JSON.stringify(e));
  }
  const [save] = byOp('save');
  assert.deepEqual([save.model, save.table, save.index], ['User', TABLE, null]);
  assert.ok(save.capacity.write > 0, JSON.stringify(save));
  assert.deepEqual(
    byOp('find').map((e) => [e.model, e.operation, e.index]),
    [['User', 'GetItem', null]],
  );
  assert.ok(byOp('find')[0].capacity.read > 0);
  const queries = byOp('query');
  assert.deepEqual(queries.map((e) => [e.operation, e.index]), [['Query', 'gsi1'], ['Query', null]]);
  assert.deepEqual(byOp('count').map((e) => [e.model, e.operation, e.index]), [['User', 'Query', 'iter_index']]);
  assert.deepEqual(byOp('batchFind').map((e) => e.operation), ['BatchGetItem', 'BatchGetItem']); // one from iterateAll
  assert.deepEqual(byOp('findByUnique').map((e) => [e.model, e.operation]), [['AllTypes', 'GetItem']]);
  const sends = byOp('send');
  // iterateAll: one page per iteration bucket, through the documentClient seam; then the raw GetItem.
  assert.deepEqual(sends.map((e) => [e.operation, e.table, e.index]), [
    ...Array.from({ length: User.iterationBuckets }, () => ['Query', TABLE, 'iter_index']),
    ['GetItem', TABLE, null],
  ]);
  assert.equal(typeof sends[0].capacity.read, 'number');
  assert.deepEqual(byOp('delete').map((e) => e.model), ['User', 'AllTypes']);
  assert.ok(byOp('delete').every((e) => e.capacity.write > 0));
  // save and delete name the requests they made: AllTypes has a unique constraint, User none.
  assert.deepEqual(byOp('save').map((e) => [e.model, e.operation, e.operations]), [
    ['User', undefined, ['PutItem']], // a create without unique constraints writes the whole item
    ['AllTypes', undefined, ['TransactWriteItems', 'GetItem']],
    ['User', undefined, ['GetItem', 'UpdateItem']], // a static update reads what it needs first
  ]);
  assert.deepEqual(byOp('delete').map((e) => [e.model, e.operations]), [
    ['User', ['DeleteItem']],
    ['AllTypes', ['GetItem', 'TransactWriteItems']],
  ]);

  // No item value and no key value anywhere in the output.
  const text = lines.join('\n');
  for (const value of [...Object.values(secret), secretS2, '424242', ...ids, rawKey]) {
    assert.ok(!text.includes(value), `the log shows ${value}:\n${text}`);
  }
});

test('a refused operation is logged with its error code, before any request', async () => {
  const lines = await capture(async () => {
    await assert.rejects(() => User.find('nobody'), { code: 'TENANT_REQUIRED' });
    await assert.rejects(() => TenantContext.runWithTenant('bad]#id', () => User.count()), { code: 'INVALID_TENANT_ID' });
  });
  const entries = requests(lines);
  assert.deepEqual(entries.map((e) => [e.op, e.error]), [['find', 'TENANT_REQUIRED'], ['count', 'INVALID_TENANT_ID']]);
  assert.ok(!lines.join('\n').includes('nobody'));
});

test('Logger: the original level names, in any case; OFF and unknown names silence everything', async () => {
  const printed = await capture(() => {
    new Logger('A', 'warn').warn('w1');
    new Logger('A', 'WARN').info('i1');
    new Logger('B', 'Info').info('i2');
    new Logger('C', 'OFF').error('e1');
    new Logger('D').error('e2'); // DYNAMO_BAO_LOG_LEVEL (debug here)
    new Logger('E', 'nonsense').error('e3'); // unknown: nothing, as in DynamoBao
    new Logger('F').log('INFO', 'i3'); // log(level, …) takes the level name first
    new Logger('F').log('Models initialized:', 'x'); // …so this prints nothing
  });
  assert.deepEqual(printed, ['[WARN] A: w1', '[INFO] B: i2', '[ERROR] D: e2', '[INFO] F: i3']);
});

test('below DEBUG the request log is silent', () => {
  const script = `
    const { TenantContext } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const { makeModels, initTenantModels } = require(${JSON.stringify(path.join(__dirname, 'helpers', 'models.js'))});
    const models = makeModels();
    initTenantModels(models);
    TenantContext.runWithTenant('quiet', async () => {
      const u = await models.User.create({ name: 'quiet' });
      await models.User.find(u.getPrimaryId());
      await u.delete();
      console.log('done');
    });
  `;
  for (const level of [undefined, 'ERROR', 'INFO', 'OFF']) {
    const env = { ...process.env };
    if (level) env.DYNAMO_BAO_LOG_LEVEL = level;
    else delete env.DYNAMO_BAO_LOG_LEVEL;
    const out = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(out, 'done\n', `level ${level}`);
  }
  const loud = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, DYNAMO_BAO_LOG_LEVEL: 'DEBUG' }, encoding: 'utf8' });
  assert.equal(requests(loud.trim().split('\n')).length, 3);
});

test('a second copy of the library (as Jest loads one per test file) logs each call once, with its model', () => {
  const root = path.join(__dirname, '..');
  const script = `
    const path = require("node:path");
    const root = ${JSON.stringify(root)};
    const load = () => {
      for (const k of Object.keys(require.cache)) if (k.startsWith(path.join(root, "lib")) || k === path.join(root, "index.js")) delete require.cache[k];
      return require(root);
    };
    load();
    const bao = load();
    class Solo extends bao.BaoModel {
      static modelPrefix = "solo";
      static fields = { id: bao.fields.StringField({ required: true }) };
      static primaryKey = bao.PrimaryKeyConfig("id");
    }
    bao.TenantContext.runWithTenant("copies", () => bao.initModels({ tenancy: { enabled: true }, models: { Solo } }));
    bao.TenantContext.runWithTenant("copies", () => Solo.find("nobody-here")).then(() => console.log("done"));
  `;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, DYNAMO_BAO_LOG_LEVEL: 'DEBUG' }, encoding: 'utf8' });
  const entries = requests(out.trim().split('\n'));
  assert.deepEqual(entries.map((e) => [e.op, e.model, e.tenant]), [['find', 'Solo', 'copies']]);
  assert.ok(!out.includes('nobody-here'));
});

test('the line names the tenant the operation ran as, and resolvers run once per call', () => {
  const root = path.join(__dirname, '..');
  const script = `
    const bao = require(${JSON.stringify(root)});
    const { GetCommand, DescribeTableCommand } = require(${JSON.stringify(path.join(root, 'lib', 'dynamodb-client.js'))});
    class Solo extends bao.BaoModel {
      static modelPrefix = "solo";
      static fields = { id: bao.fields.StringField({ required: true }) };
      static primaryKey = bao.PrimaryKeyConfig("id");
    }
    const { TenantContext } = bao;
    TenantContext.runWithTenant("setup", () => bao.initModels({ tenancy: { enabled: true, strict: true }, models: { Solo } }));
    let calls = 0;
    (async () => {
      // strict: the fallback does not count, the resolver does.
      TenantContext.setCurrentTenant("fallback-t");
      TenantContext.addResolver(() => { calls++; return "resolved-t"; });
      await Solo.find("nobody-here");
      console.log("calls " + calls);
      TenantContext.clearTenant(); // no fallback now: the log's lookup alone would ask the resolver
      await Solo.find("nobody-here");
      console.log("calls " + calls);
      await TenantContext.runWithTenant("als-t", () => Solo.documentClient.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME })));
      await TenantContext.runWithTenant("als-t", () => Solo.documentClient.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { _pk: "[als-t]#solo#x", _sk: "solo" } })));
      console.log("calls " + calls);
      // Refused before any request; the id it refused is not printed.
      await TenantContext.runWithTenant("bad]id", () => Solo.find("x")).catch(() => {});
    })().then(() => console.log("done"), (e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, DYNAMO_BAO_LOG_LEVEL: 'DEBUG' }, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  assert.deepEqual(lines.filter((l) => l.startsWith('calls ')), ['calls 1', 'calls 2', 'calls 2'], out);
  assert.deepEqual(requests(lines).map((e) => [e.op, e.operation, e.tenant]), [
    ['find', 'GetItem', 'resolved-t'],
    ['find', 'GetItem', 'resolved-t'],
    ['send', 'DescribeTable', null], // a control operation runs as no tenant
    ['send', 'GetItem', 'als-t'],
    ['find', 'GetItem', null],
  ]);
  assert.equal(requests(lines).at(-1).error, 'INVALID_TENANT_ID');
  assert.ok(!out.includes('bad]id'), out);
});
