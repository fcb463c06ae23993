'use strict';
/**
 * What `require('dynamo-bao-native')` loads: the modules of features an app
 * may never use (the debug request log, filters, the raw documentClient seam,
 * the Express and Lambda integrations, batched finds, ULIDs) load on first use, since require()
 * time is every Lambda's cold start. Each case runs in a fresh process.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DEFERRED = [
  'request-log.js',
  'filter-expression.js',
  'dynamodb-client.js',
  'model-iteration.js',
  'model-related.js',
  'integrations/express.js',
  'integrations/lambda.js',
  'batcher.js',
  'ulid.js',
];

/** Runs `body` after requiring the package; resolves to the lib/ files it loaded. */
function loadedAfter(body, env = {}) {
  const script = `
    const bao = require(${JSON.stringify(ROOT)});
    (async () => {
      ${body}
      const lib = ${JSON.stringify(path.join(ROOT, 'lib') + path.sep)};
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.startsWith(lib)).map((k) => k.slice(lib.length))));
      process.exit(0);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, DYNAMO_BAO_LOG_LEVEL: 'ERROR', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const INIT = `
  const { StringField } = bao.fields;
  class Note extends bao.BaoModel {
    static modelPrefix = 'n';
    static fields = { id: StringField({ required: true }), body: StringField() };
    static primaryKey = bao.PrimaryKeyConfig('id');
  }
  const manager = bao.initModels({ aws: { region: 'us-west-2', endpoint: 'http://127.0.0.1:9' }, db: { tableName: 't' }, models: { Note } });
`;

test('require() and initModels() leave the optional modules unloaded', () => {
  const loaded = loadedAfter(INIT);
  assert.ok(loaded.includes('model.js') && loaded.includes('native.js'), loaded.join(', '));
  for (const file of DEFERRED) assert.ok(!loaded.includes(file), `${file} was loaded: ${loaded.join(', ')}`);
});

test('each optional module loads when its feature is used', () => {
  assert.ok(loadedAfter(`${INIT} manager.getModel('Note').documentClient;`).includes('dynamodb-client.js'));
  // The filter is converted before the request is sent (which fails here: nothing listens on port 9).
  assert.ok(loadedAfter(`${INIT} manager.getModel('Note').queryByPrimaryKey('a', null, { filter: { body: 'x' } }).catch(() => {});`).includes('filter-expression.js'));
  assert.ok(loadedAfter('bao.tenantMiddleware;').includes('integrations/express.js'));
  assert.ok(loadedAfter('bao.withTenantHandler;').includes('integrations/lambda.js'));
  assert.ok(loadedAfter('', { DYNAMO_BAO_LOG_LEVEL: 'DEBUG' }).includes('request-log.js'));
  // The batch is queued synchronously; its BatchGetItem (which would fail) is never awaited.
  assert.ok(loadedAfter(`${INIT} bao.runWithBatchContext(() => manager.getModel('Note').find('a')).catch(() => {});`).includes('batcher.js'));
  const made = `if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(bao.fields.UlidField({ autoAssign: true }).getInitialValue())) throw new Error('no ULID');`;
  assert.ok(loadedAfter(made).includes('ulid.js'));
  const checked = `if (bao.fields.UlidField().validate('01ARZ3NDEKTSV4RRFFQ69G5FAV') !== true) throw new Error('valid ULID refused');`;
  assert.ok(loadedAfter(checked).includes('ulid.js'));
});

test('documentClient is made on first use, is the same object after, and can be replaced', () => {
  const out = loadedAfter(`${INIT}
    const M = manager.getModel('Note');
    const a = M.documentClient;
    if (!a || typeof a.send !== 'function' || a !== M.documentClient || a !== manager.documentClient) throw new Error('not one client');
    const mine = { send: async () => ({}) };
    M.documentClient = mine;
    if (M.documentClient !== mine) throw new Error('assignment ignored');`);
  assert.ok(out.includes('dynamodb-client.js'));
});

test('the stubs of the modules loaded on first use name exactly their functions', () => {
  const { _ON_FIRST_USE: lists, BaoModel } = require('../lib/model.js');
  for (const [file, parts] of Object.entries(lists)) {
    const mod = require(path.join(ROOT, 'lib', file));
    assert.deepEqual(Object.keys(parts).sort(), Object.keys(mod).sort(), file);
    for (const [part, names] of Object.entries(parts)) {
      assert.deepEqual([...names].sort(), Object.keys(mod[part]).sort(), `${file} ${part}`);
      const target = part === 'statics' ? BaoModel : BaoModel.prototype;
      for (const name of names) assert.equal(typeof target[name], 'function', name);
    }
  }
});

test('iteration and related objects work through the stubs', () => {
  const out = loadedAfter(`${INIT}
    const M = manager.getModel('Note');
    if (M.tokenizeSearchQuery('Hello  World').join() !== 'Hello,World') throw new Error('tokenize: ' + M.tokenizeSearchQuery('Hello  World'));
    const n = new M({ id: 'a' });
    let refused = null;
    try { n.getRelated('body'); } catch (e) { refused = e; }
    if (refused?.name !== 'ConfigurationError' || !/not a RelatedField/.test(refused.message)) throw new Error('getRelated: ' + refused);`);
  assert.ok(out.includes('model-iteration.js') && out.includes('model-related.js'), out.join(', '));
});
