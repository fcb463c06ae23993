'use strict';
/**
 * The table commands: `bao-create-table` creates exactly the table of spec §3.1 plus
 * the search index and TTL; `bao-update-table` completes a table that lacks indexes
 * (one UpdateTable per index) and enables TTL, and a second run changes nothing;
 * `bao-delete` deletes nothing. Checked with an independent AWS SDK client.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  waitUntilTableExists,
} = require('@aws-sdk/client-dynamodb');
const { uid } = require('./helpers/ids');

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', 'bin');
const client = new DynamoDBClient({
  region: process.env.AWS_REGION || 'us-west-2',
  endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
});

async function describe(table) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  return { Table, ttl: ttl.TimeToLiveDescription };
}

function shape(Table) {
  const keys = (ks) => ks.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  return {
    key: keys(Table.KeySchema),
    billing: Table.BillingModeSummary?.BillingMode,
    attributes: Table.AttributeDefinitions.map((a) => `${a.AttributeName}:${a.AttributeType}`).sort(),
    indexes: (Table.GlobalSecondaryIndexes || [])
      .map((g) => `${g.IndexName}|${keys(g.KeySchema)}|${g.Projection.ProjectionType}|${(g.Projection.NonKeyAttributes || []).join(',')}`)
      .sort(),
  };
}

const EXPECTED = {
  key: '_pk:HASH,_sk:RANGE',
  billing: 'PAY_PER_REQUEST',
  attributes: [
    '_gsi1_pk:S', '_gsi1_sk:S', '_gsi2_pk:S', '_gsi2_sk:S', '_gsi3_pk:S', '_gsi3_sk:S',
    '_gsi4_pk:S', '_gsi4_sk:S', '_gsi5_pk:S', '_gsi5_sk:S', '_iter_pk:S', '_iter_sk:S', '_pk:S', '_sk:S',
  ],
  indexes: [
    'gsi1|_gsi1_pk:HASH,_gsi1_sk:RANGE|ALL|',
    'gsi2|_gsi2_pk:HASH,_gsi2_sk:RANGE|ALL|',
    'gsi3|_gsi3_pk:HASH,_gsi3_sk:RANGE|ALL|',
    'gsi4|_gsi4_pk:HASH,_gsi4_sk:RANGE|ALL|',
    'gsi5|_gsi5_pk:HASH,_gsi5_sk:RANGE|ALL|',
    'iter_index|_iter_pk:HASH,_iter_sk:RANGE|KEYS_ONLY|',
    'iter_search_index|_iter_pk:HASH,_iter_sk:RANGE|INCLUDE|_searchText',
  ],
};

/** A project folder whose config names `table`, for the config-reading commands. */
function project(table) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-cli-'));
  fs.writeFileSync(
    path.join(dir, 'dynamo-bao.config.js'),
    `module.exports = { aws: { region: ${JSON.stringify(process.env.AWS_REGION || 'us-west-2')} }, db: { tableName: ${JSON.stringify(table)} } };\n`,
  );
  return dir;
}

test('bao-create-table creates the table of spec §3.1 plus the search index and TTL', async () => {
  const table = `cli-${uid()}`;
  const { stdout } = await run(process.execPath, [path.join(BIN, 'bao-create-table.js'), table]);
  assert.match(stdout, /created/);
  const { Table, ttl } = await describe(table);
  assert.deepEqual(shape(Table), EXPECTED);
  assert.equal(ttl.AttributeName, 'ttl');
  assert.equal(ttl.TimeToLiveStatus, 'ENABLED');
  const again = await run(process.execPath, [path.join(BIN, 'bao-create-table.js'), table]);
  assert.match(again.stdout, /already exists/);
});

test('bao-create-table without a name prints its usage and fails', async () => {
  await assert.rejects(run(process.execPath, [path.join(BIN, 'bao-create-table.js')]), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /Usage: bao-create-table <table-name>/);
    return true;
  });
});

test('bao-update-table adds what a table lacks, then changes nothing', async () => {
  const table = `cli-${uid()}`;
  // A table from an older tool: the base keys and gsi1 only, no TTL.
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['_pk', '_sk', '_gsi1_pk', '_gsi1_sk'].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: '_pk', KeyType: 'HASH' },
        { AttributeName: '_sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: '_gsi1_pk', KeyType: 'HASH' },
            { AttributeName: '_gsi1_sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table });
  const cwd = project(table);
  const first = await run(process.execPath, [path.join(BIN, 'bao-update-table.js')], { cwd });
  assert.match(first.stdout, /Added indexes to .*gsi2, gsi3, gsi4, gsi5, iter_index, iter_search_index/);
  assert.match(first.stdout, /Enabled TTL/);
  const { Table, ttl } = await describe(table);
  assert.deepEqual(shape(Table), EXPECTED);
  assert.equal(ttl.TimeToLiveStatus, 'ENABLED');

  const second = await run(process.execPath, [path.join(BIN, 'bao-update-table.js')], { cwd });
  assert.match(second.stdout, /All indexes already exist/);
  assert.match(second.stdout, /TTL already configured/);
  assert.deepEqual(shape((await describe(table)).Table), EXPECTED);
});

test('bao-update-table on a missing table says so and fails', async () => {
  const cwd = project(`missing-${uid()}`);
  await assert.rejects(run(process.execPath, [path.join(BIN, 'bao-update-table.js')], { cwd }), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /not found\. Please run bao-init to create it first\./);
    return true;
  });
});

test('bao-delete deletes nothing and points at the AWS CLI', async () => {
  await assert.rejects(run(process.execPath, [path.join(BIN, 'bao-delete.js')]), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /aws dynamodb delete-table/);
    return true;
  });
});

/** A project folder with `node_modules/dynamo-bao` pointing at this package. */
function linkedProject(config, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-cli-project-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'node_modules', 'dynamo-bao'), 'dir');
  fs.writeFileSync(path.join(dir, 'dynamo-bao.config.js'), `module.exports = ${JSON.stringify(config, null, 2)};\n`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const FIXTURES = path.join(__dirname, 'fixtures', 'codegen');

test('bao-codegen writes models, .d.ts files and the manifest from a definitions folder', async () => {
  const dir = linkedProject({
    paths: { modelsDefinitionPath: path.join(FIXTURES, 'blog'), modelsDir: './models', fieldsDir: './fields' },
  });
  // Custom field files require dynamo-bao, so they live inside the project.
  fs.cpSync(path.join(FIXTURES, 'fields'), path.join(dir, 'fields'), { recursive: true });
  const { stdout } = await run(process.execPath, [path.join(BIN, 'bao-codegen.js')], { cwd: dir });
  assert.match(stdout, /Generated \d+ model\(s\)/);
  const written = fs.readdirSync(path.join(dir, 'models'));
  assert.ok(written.includes('user.js') && written.includes('user.d.ts'), written.join(', '));
  assert.match(fs.readFileSync(path.join(dir, 'models', 'user.js'), 'utf8'), /require\('dynamo-bao\/src\/model\.js'\)/);
  assert.ok(fs.existsSync(path.join(dir, '.bao', 'models.js')), 'manifest written');
});

test('bao-codegen stops on invalid definitions and writes nothing', async () => {
  const dir = linkedProject({ paths: { modelsDefinitionPath: path.join(FIXTURES, 'invalid.yaml'), modelsDir: './models' } });
  await assert.rejects(run(process.execPath, [path.join(BIN, 'bao-codegen.js')], { cwd: dir }), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /Error generating models: .*invalid\.yaml: model "Post", key "indexes\.byUser\.indexId"/s);
    return true;
  });
  assert.ok(!fs.existsSync(path.join(dir, 'models')) || fs.readdirSync(path.join(dir, 'models')).length === 0);
  assert.ok(!fs.existsSync(path.join(dir, '.bao')));
});

test('bao-rebuild-search-text rewrites _searchText of every item of one tenant', async () => {
  const tenant = `rb-${uid()}`;
  const other = `rb-${uid()}`;
  const dir = linkedProject(
    {
      aws: { region: process.env.AWS_REGION || 'us-west-2' },
      db: { tableName: process.env.TABLE_NAME, iterationIndexName: 'iter_search_index' },
      tenancy: { enabled: true },
      paths: { modelsDir: './models' },
    },
    {
      'models/article.js': `const { BaoModel, PrimaryKeyConfig } = require('dynamo-bao/src/model.js');
const { UlidField, StringField } = require('dynamo-bao/src/fields.js');
class Article extends BaoModel {
  static modelPrefix = 'rb';
  static iterable = true;
  static iterationBuckets = 3;
  static searchable = true;
  static searchConfig = { fields: ['title'] };
  static fields = { articleId: UlidField({ autoAssign: true }), title: StringField() };
  static primaryKey = PrimaryKeyConfig('articleId');
}
module.exports = { Article };
`,
    },
  );
  // The same module instances the CLI uses (resolved through the project's node_modules).
  const bao = require(require.resolve('dynamo-bao', { paths: [dir] }));
  const { Article } = require(path.join(dir, 'models', 'article.js'));
  const config = { aws: { region: process.env.AWS_REGION || 'us-west-2' }, db: { tableName: process.env.TABLE_NAME }, tenancy: { enabled: true }, models: { Article } };
  const keys = {};
  for (const t of [tenant, other]) {
    keys[t] = await bao.TenantContext.runWithTenant(t, async () => {
      bao.initModels(config);
      const made = [];
      for (const title of ['Hello, World!', 'Ünïcode Tïtle', 'third ONE']) made.push(await Article.create({ title }));
      return made.map((a) => ({ _pk: { S: `[${t}]#rb#${a.getPrimaryId()}` }, _sk: { S: 'rb' } }));
    });
  }
  // Wipe the stored text, as for data written before the model was searchable.
  const { UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
  for (const t of [tenant, other]) {
    for (const Key of keys[t]) {
      await client.send(new UpdateItemCommand({ TableName: process.env.TABLE_NAME, Key, UpdateExpression: 'REMOVE #s', ExpressionAttributeNames: { '#s': '_searchText' } }));
    }
  }
  const { stdout } = await run(process.execPath, [path.join(BIN, 'bao-rebuild-search-text.js'), 'Article', '--tenant', tenant], { cwd: dir });
  assert.match(stdout, /Done\. Rebuilt _searchText on 3 Article item\(s\)\./);
  const { rawGet } = require('./helpers/raw');
  const texts = [];
  for (const Key of keys[tenant]) texts.push((await rawGet(Key._pk.S, 'rb'))._searchText?.S);
  assert.deepEqual(texts.sort(), ['hello world', 'third one', 'ünïcode tïtle']);
  for (const Key of keys[other]) {
    assert.equal((await rawGet(Key._pk.S, 'rb'))._searchText, undefined, "another tenant's items are untouched");
  }
});

test('bao-init creates the table and writes a starter config and models.yaml', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-init-'));
  const table = `init-${uid()}`;
  const child = execFile(process.execPath, [path.join(BIN, 'bao-init.js')], { cwd: dir });
  child.stdin.end(`${table}\n`);
  const [code, out] = await new Promise((resolve) => {
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', (c) => resolve([c, text]));
  });
  assert.equal(code, 0, out);
  assert.match(out, new RegExp(`Created table ${table}`));
  assert.deepEqual(shape((await describe(table)).Table), EXPECTED);
  const config = require(path.join(dir, 'dynamo-bao.config.js'));
  assert.equal(config.db.tableName, table);
  assert.equal(config.db.iterationIndexName, 'iter_search_index');
  assert.match(fs.readFileSync(path.join(dir, 'models.yaml'), 'utf8'), /modelPrefix: u/);
  assert.ok(fs.statSync(path.join(dir, 'models')).isDirectory());
});

test('bao-watch generates at start and again when the definitions change', async () => {
  const dir = linkedProject({ paths: { modelsDefinitionPath: './models.yaml', modelsDir: './models' } });
  const yaml = (prefix) =>
    `models:\n  Note:\n    modelPrefix: ${prefix}\n    fields:\n      noteId: { type: UlidField, autoAssign: true }\n    primaryKey:\n      partitionKey: noteId\n`;
  fs.writeFileSync(path.join(dir, 'models.yaml'), yaml('n1'));
  const child = execFile(process.execPath, [path.join(BIN, 'bao-watch.js')], { cwd: dir });
  const generated = () => {
    const file = path.join(dir, 'models', 'note.js');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };
  const until = async (check) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
    return check();
  };
  try {
    assert.ok(await until(() => /modelPrefix = 'n1'|modelPrefix = "n1"/.test(generated())), 'first run');
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(path.join(dir, 'models.yaml'), yaml('n2'));
    assert.ok(await until(() => /modelPrefix = 'n2'|modelPrefix = "n2"/.test(generated())), 'regenerated after the change');
  } finally {
    child.kill();
  }
});
