'use strict';
/**
 * Every example in README.md runs, against the suite's DynamoDB Local:
 *
 *   ```js   each block runs in its own Node process, in a scratch folder whose node_modules
 *           links `dynamo-bao` and `dynamo-bao-native` to this package (an install by
 *           either name) and finds the devDependencies (express) through NODE_PATH. Top-level
 *           `await` is allowed. A block that uses `User` without defining it gets the
 *           prelude below: the Quick example's User, initialised with tenancy on the
 *           example table. When a block defines `app` (Express) or `handler` (Lambda), the
 *           app is served on 127.0.0.1 and the handler invoked, and their answers checked.
 *   ```js preceded by `<!-- readme-test: jest -->`: run by Jest, as a test file.
 *   ```js preceded by `<!-- readme-test: skip: <reason> -->`: not run (the reason is required).
 *   ```ts   compiled with tsc --noEmit --strict against the package's declarations.
 *   ```text beginning with `[DEBUG] DynamoDB:`: a real debug line must have the same fields.
 *
 * The tables the examples name (`tableName: "…"`) are created first.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createTable } = require('../lib/admin.js');

const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const DIRECTIVE = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/** The fenced blocks of a Markdown text, with the heading above each and its directive. */
function fencedBlocks(markdown) {
  const lines = markdown.split('\n');
  const out = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1];
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const d = k >= 0 ? DIRECTIVE.exec(lines[k].trim()) : null;
    out.push({ lang: open[1], line: i + 1, heading, directive: d ? d[1] : null, code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return out;
}

const blocks = fencedBlocks(fs.readFileSync(README, 'utf8'));
const jsBlocks = blocks.filter((b) => b.lang === 'js' || b.lang === 'javascript');
const label = (b) => `README "${b.heading}" (line ${b.line})`;

/** What a block that uses `User` without defining it runs first: the Quick example's model. */
const PRELUDE = `
const __bao = require("dynamo-bao-native");
class User extends __bao.BaoModel {
  static modelPrefix = "u";
  static fields = {
    userId: __bao.fields.UlidField({ autoAssign: true }),
    name: __bao.fields.StringField({ required: true }),
    status: __bao.fields.StringField(),
    createdAt: __bao.fields.CreateDateField(),
  };
  static primaryKey = __bao.PrimaryKeyConfig("userId");
  static indexes = { byStatus: __bao.IndexConfig("status", "createdAt", "gsi1") };
  static iterable = true;
}
__bao.TenantContext.runWithTenant("readme-prelude", () =>
  __bao.initModels({ db: { tableName: "my-app-table" }, tenancy: { enabled: true }, models: { User } }),
);
`;

/** Checks run on what a block defined (see the header). */
const CHECKS = `
async function __checkApp(app) {
  const { TenantContext } = require("dynamo-bao-native");
  const tenant = "readme-app-" + Date.now().toString(36);
  const other = tenant + "-other";
  await TenantContext.runWithTenant(tenant, () => User.create({ name: "Ada", status: "active" }));
  await TenantContext.runWithTenant(other, () => User.create({ name: "Eve", status: "active" }));
  // The example's authorize reads req.user, which an auth middleware would set.
  Object.defineProperty(app.request, "user", { value: { tenants: [tenant] } });
  const server = await new Promise((resolve) => { const s = app.listen(0, "127.0.0.1", () => resolve(s)); });
  const base = "http://127.0.0.1:" + server.address().port;
  try {
    const none = await fetch(base + "/users");
    if (none.status !== 400 || (await none.json()).code !== "TENANT_REQUIRED") throw new Error("no tenant: not a 400 TENANT_REQUIRED");
    const foreign = await fetch(base + "/users", { headers: { "x-tenant-id": other } });
    if (foreign.status !== 403) throw new Error("a tenant the user lacks: " + foreign.status);
    const ok = await fetch(base + "/users", { headers: { "x-tenant-id": tenant } });
    const body = await ok.json();
    if (ok.status !== 200 || JSON.stringify(body.names) !== '["Ada"]') throw new Error("own tenant: " + ok.status + " " + JSON.stringify(body));
  } finally {
    server.close();
  }
}
async function __checkHandler(handler) {
  const { TenantContext } = require("dynamo-bao-native");
  const tenant = "readme-lambda-" + Date.now().toString(36);
  await TenantContext.runWithTenant(tenant, () => User.create({ name: "Ada", status: "active" }));
  const event = { version: "2.0", headers: {}, requestContext: { authorizer: { jwt: { claims: { tenantId: tenant } } } } };
  const res = await handler(event, {});
  if (res.statusCode !== 200 || JSON.parse(res.body).count !== 1) throw new Error("handler answered " + JSON.stringify(res));
  const refused = await handler({ version: "2.0", headers: {}, requestContext: {} }, {});
  if (refused.statusCode !== 400) throw new Error("no tenant: " + refused.statusCode);
}
`;

let work;
let env;

function run(args, options = {}) {
  const r = spawnSync(process.execPath, args, { cwd: work, env, encoding: 'utf8', timeout: 120000, ...options });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? r.error.message : ''}` };
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bao-readme-'));
  fs.mkdirSync(path.join(work, 'node_modules'));
  for (const name of ['dynamo-bao', 'dynamo-bao-native']) fs.symlinkSync(ROOT, path.join(work, 'node_modules', name), 'dir');
  env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
  delete env.DYNAMO_BAO_LOG_LEVEL;
  const tables = new Set();
  for (const b of blocks) for (const m of b.code.matchAll(/tableName:\s*["']([^"']+)["']/g)) tables.add(m[1]);
  for (const tableName of tables) {
    await createTable({ tableName, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: process.env.AWS_REGION });
  }
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the README has examples, and every skipped one says why', () => {
  assert.ok(jsBlocks.length >= 4, `only ${jsBlocks.length} js blocks`);
  for (const b of jsBlocks) {
    if (b.directive === null || b.directive === 'jest') continue;
    assert.match(b.directive, /^skip:\s*\S.{9,}/, `${label(b)}: unknown directive or no reason: ${b.directive}`);
  }
});

for (const b of jsBlocks) {
  if (b.directive && b.directive.startsWith('skip:')) continue;

  if (b.directive === 'jest') {
    test(`${label(b)} passes under Jest`, () => {
      const dir = fs.mkdtempSync(path.join(work, 'jest-'));
      fs.writeFileSync(path.join(dir, `readme-${b.line}.test.js`), b.code);
      const config = { rootDir: dir, testEnvironment: 'node', transform: {}, testMatch: ['**/readme-*.test.js'] };
      fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
      const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
      const r = run([jest, '--config', path.join(dir, 'jest.config.json'), '--ci', '--runInBand', `--cacheDirectory=${path.join(dir, '.cache')}`]);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /Tests:\s+(\d+) passed, \1 total/, r.output);
    });
    continue;
  }

  test(`${label(b)} runs`, () => {
    const usesUser = /\bUser\b/.test(b.code) && !/class User\b/.test(b.code);
    const source = [
      "'use strict';",
      usesUser ? PRELUDE : '',
      CHECKS,
      '(async () => {',
      b.code,
      ';return { app: typeof app === "undefined" ? undefined : app, handler: typeof handler === "undefined" ? undefined : handler };',
      '})()',
      '  .then(async ({ app, handler }) => {',
      '    if (app) await __checkApp(app);',
      '    if (handler) await __checkHandler(handler);',
      '    console.log("README-EXAMPLE-OK", JSON.stringify({ app: Boolean(app), handler: Boolean(handler) }));',
      '  })',
      '  .catch((err) => { console.error(err); process.exitCode = 1; });',
    ].join('\n');
    const file = path.join(work, `block-${b.line}.js`);
    fs.writeFileSync(file, source);
    const r = run([file]);
    assert.equal(r.status, 0, r.output);
    const done = /README-EXAMPLE-OK (\{.*\})/.exec(r.output);
    assert.ok(done, r.output);
    const defined = JSON.parse(done[1]);
    if (/require\(["']express["']\)/.test(b.code)) assert.ok(defined.app, `${label(b)} defines no app to check`);
    if (/withTenantHandler\(/.test(b.code)) assert.ok(defined.handler, `${label(b)} defines no handler to check`);
  });
}

const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
if (tsBlocks.length) {
  test(`README TypeScript examples compile (${tsBlocks.map((b) => `line ${b.line}`).join(', ')})`, () => {
    const dir = fs.mkdtempSync(path.join(work, 'ts-'));
    for (const b of tsBlocks) fs.writeFileSync(path.join(dir, `readme-${b.line}.ts`), b.code);
    fs.writeFileSync(path.join(dir, 'node-shim.d.ts'), 'interface Buffer extends Uint8Array {}\n');
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: [] },
      include: ['*.ts'],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = run([path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
    assert.equal(r.status, 0, r.output);
  });
}

const logBlocks = blocks.filter((b) => b.lang === 'text' && b.code.startsWith('[DEBUG] DynamoDB: '));
for (const b of logBlocks) {
  test(`${label(b)}: the debug line shown has a real line's fields`, () => {
    const shown = JSON.parse(b.code.split('\n')[0].slice('[DEBUG] DynamoDB: '.length));
    const file = path.join(work, `log-${b.line}.js`);
    fs.writeFileSync(
      file,
      `${PRELUDE}\n__bao.TenantContext.runWithTenant(${JSON.stringify(shown.tenant)}, () => User.queryByIndex("byStatus", "active"));\n`,
    );
    const r = run([file], { env: { ...env, DYNAMO_BAO_LOG_LEVEL: 'DEBUG' } });
    assert.equal(r.status, 0, r.output);
    const line = r.output.split('\n').find((l) => l.startsWith('[DEBUG] DynamoDB: {"op":"query"'));
    assert.ok(line, r.output);
    const real = JSON.parse(line.slice('[DEBUG] DynamoDB: '.length));
    assert.deepEqual(Object.keys(real), Object.keys(shown));
    for (const key of ['op', 'model', 'operation', 'tenant', 'table', 'index']) assert.equal(real[key], shown[key], key);
    assert.deepEqual(Object.keys(real.capacity), Object.keys(shown.capacity));
  });
}
