'use strict';
/**
 * Code generation (spec §8.4–§8.8, §4.16): models.yaml → model files, their .d.ts, and the
 * manifest. The blog fixtures (__test__/fixtures/codegen) are generated into throw-away
 * projects whose node_modules/dynamo-bao is this package, so the generated
 * `require('dynamo-bao/src/model.js')` resolves through our exports map exactly as in a
 * user's project. The generated classes are then used against DynamoDB Local (CommonJS and
 * ESM), type-checked with tsc, and the definition validator is checked case by case.
 */
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');

const FieldResolver = require('../lib/field-resolver.js');
const builtInFields = require('../lib/fields.js');
const { applyModelDefaults, validateModels } = require('../bin/lib/process-models.js');
const { generateModelFiles } = require('../bin/generators/model.js');
const { generateManifest } = require('../bin/generators/manifest.js');
const { loadModelDefinitions } = require('../bin/lib/load-definitions.js');
const { uid } = require('./helpers/ids');

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'codegen');
const BLOG_DIR = path.join(FIXTURES, 'blog');
const ORG_FILE = path.join(FIXTURES, 'org.yaml');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
const NO_DB = process.env.TABLE_NAME ? false : 'needs DynamoDB Local (run through npm test)';

// ---- helpers ----------------------------------------------------------------------------

const tempDirs = [];
function tempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bao-codegen-${label}-`));
  tempDirs.push(dir);
  return dir;
}
// rmSync removes the node_modules/dynamo-bao symlinks without following them.
after(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Runs fn with console.warn captured; returns [result, warnings]. */
function withWarnings(fn) {
  const warnings = [];
  const original = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  try {
    return [fn(), warnings];
  } finally {
    console.warn = original;
  }
}

/**
 * A throw-away project: node_modules/dynamo-bao → this package, and the fixtures' custom
 * fields copied to fields/ (they require 'dynamo-bao/src/fields.js').
 */
function makeProject(label, packageJson = { name: `bao-codegen-${label}`, private: true }) {
  const dir = tempDir(label);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'dynamo-bao'), 'dir');
  fs.cpSync(path.join(FIXTURES, 'fields'), path.join(dir, 'fields'), { recursive: true });
  return dir;
}

/** blog/ (a directory of YAML files) plus org.yaml (a single file), with per-model files. */
function loadBlog() {
  const [blog] = withWarnings(() => loadModelDefinitions(BLOG_DIR));
  const org = loadModelDefinitions(ORG_FILE);
  return { models: { ...blog.models, ...org.models }, files: { ...blog.files, ...org.files } };
}

/** What bao-codegen does between reading the YAML and writing files (spec §8.4 steps 3–7). */
function codegen(models, { outputDir, fieldsDir = null, moduleSystem = 'commonjs', files, file = 'models.yaml' }) {
  const fieldResolver = new FieldResolver(builtInFields, fieldsDir);
  validateModels(models, { file, files, fieldResolver });
  withWarnings(() => applyModelDefaults(models));
  return generateModelFiles(models, outputDir, fieldResolver, moduleSystem);
}

const MODEL_NAMES = ['User', 'Post', 'Comment', 'Tag', 'TaggedPost', 'Employee'];

function dbConfig(extra) {
  return {
    aws: { region: process.env.AWS_REGION },
    db: { tableName: process.env.TABLE_NAME },
    tenancy: { enabled: true },
    ...extra,
  };
}

// One CommonJS project for the text, runtime, manifest and TypeScript tests.
let cjs; // { dir, out, req, bao }

before(() => {
  const dir = makeProject('cjs');
  const out = path.join(dir, 'models');
  const { models, files } = loadBlog();
  codegen(models, { outputDir: out, fieldsDir: path.join(dir, 'fields'), files });
  const req = createRequire(path.join(dir, 'index.js'));
  cjs = { dir, out, req, bao: req('dynamo-bao') };
});

const read = (file) => fs.readFileSync(path.join(cjs.out, file), 'utf8');

// ---- loading definitions and resolving fields -----------------------------------------

describe('loadModelDefinitions', () => {
  test('merges every *.yaml/*.yml of a directory and warns about files without models', () => {
    const [{ models, files }, warnings] = withWarnings(() => loadModelDefinitions(BLOG_DIR));
    assert.deepEqual(Object.keys(models).sort(), ['Comment', 'Post', 'Tag', 'TaggedPost', 'User']);
    assert.equal(files.Tag, path.join(BLOG_DIR, 'tags.yml'));
    assert.equal(files.Comment, path.join(BLOG_DIR, 'posts.yaml'));
    assert.deepEqual(warnings, ['Warning: No models found in notes.yaml']);
    assert.equal(models.User.fields.motto.defaultValue, 'it\'s "fine"');
  });

  test('reads a single file; a later file replaces a model of the same name', () => {
    const { models, files } = loadModelDefinitions(ORG_FILE);
    assert.deepEqual(Object.keys(models), ['Employee']);
    assert.equal(files.Employee, ORG_FILE);

    const dir = tempDir('merge');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'models:\n  A: { modelPrefix: a1 }\n  B: { modelPrefix: b }\n');
    fs.writeFileSync(path.join(dir, 'b.yml'), 'models:\n  A: { modelPrefix: a2 }\n');
    fs.writeFileSync(path.join(dir, 'ignored.txt'), 'models:\n  C: { modelPrefix: c }\n');
    const merged = loadModelDefinitions(dir);
    assert.deepEqual(merged.models, { A: { modelPrefix: 'a2' }, B: { modelPrefix: 'b' } });
    assert.deepEqual(merged.files, { A: path.join(dir, 'b.yml'), B: path.join(dir, 'a.yaml') });
  });
});

describe('FieldResolver', () => {
  test('resolves built-in factories and classes, and custom types from the fields directory', () => {
    const resolver = new FieldResolver(builtInFields, path.join(cjs.dir, 'fields'));
    assert.equal(resolver.getFieldDefinition('StringField'), builtInFields.StringField);
    assert.equal(resolver.getFieldDefinition('RelatedFieldClass'), builtInFields.RelatedFieldClass);
    assert.equal(resolver.isCustomField('StringField'), false);
    assert.equal(resolver.isCustomField('EmailField'), true);
    const EmailField = resolver.getFieldDefinition('EmailField');
    const field = EmailField({ allowedDomains: ['example.com'] });
    assert.ok(field instanceof builtInFields.StringFieldClass);
    assert.throws(() => field.validate('someone@elsewhere.net'), /Email domain must be one of: example\.com/);
  });

  test('throws for a type that is neither built in nor in the fields directory', () => {
    const resolver = new FieldResolver(builtInFields, path.join(cjs.dir, 'fields'));
    assert.throws(() => resolver.getFieldDefinition('PhoneField'), {
      message: "Field type 'PhoneField' not found in built-in or custom fields",
    });
    assert.equal(resolver.isCustomField('PhoneField'), false);
    const noDir = new FieldResolver(builtInFields, null);
    assert.equal(noDir.isCustomField('EmailField'), false);
    assert.throws(() => noDir.getFieldDefinition('EmailField'), /'EmailField' not found/);
    assert.equal(FieldResolver.customFieldFileName('ShippingAddressField'), 'shipping-address-field.js');
  });
});

describe('applyModelDefaults', () => {
  test('fills iterable, iterationBuckets and searchable, and warns for search without iteration', () => {
    const models = {
      A: { modelPrefix: 'a', fields: { t: { type: 'StringField' } } },
      B: { modelPrefix: 'b', iterable: true, fields: { t: { type: 'StringField' } }, searchable: { fields: ['t'] } },
      C: { modelPrefix: 'c', fields: { t: { type: 'StringField' } }, searchable: { fields: ['t'], dedupe: true } },
    };
    const [, warnings] = withWarnings(() => applyModelDefaults(models));
    assert.deepEqual([models.A.iterable, models.A.iterationBuckets, models.A.searchable], [false, 0, false]);
    assert.equal(models.B.iterationBuckets, 10);
    assert.deepEqual(models.B.searchable, { fields: ['t'], caseSensitive: false, minTermLength: 1, dedupe: false });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /Model "C" has `searchable` configured but `iterable` is false/);
  });

  test('rejects `searchable: true` and searchable non-StringFields (including custom string types)', () => {
    assert.throws(
      () => applyModelDefaults({ A: { modelPrefix: 'a', fields: {}, searchable: true } }),
      /Model "A": `searchable: true` is not supported\. Provide an object with `fields`/,
    );
    const models = { A: { modelPrefix: 'a', fields: { e: { type: 'EmailField' } }, searchable: { fields: ['e'] } } };
    assert.throws(() => applyModelDefaults(models), /entry "e" must be a StringField, got EmailField\./);
  });
});

// ---- generated JavaScript -----------------------------------------------------------------

describe('generated CommonJS files', () => {
  test('one file per model plus a .d.ts, named in kebab case', () => {
    const names = fs.readdirSync(cjs.out).sort();
    const expected = ['comment', 'employee', 'post', 'tag', 'tagged-post', 'user'];
    assert.deepEqual(names, expected.flatMap((n) => [`${n}.d.ts`, `${n}.js`]).sort());
  });

  test('User: imports, statics, numeric indexId, custom field import, escaped strings, findByEmail', () => {
    const code = read('user.js');
    assert.match(code, /^\/\/ DO NOT EDIT: Generated by model-codegen$/m);
    assert.match(
      code,
      /^const \{ BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig \} = require\('dynamo-bao\/src\/model\.js'\);$/m,
    );
    assert.match(code, /^const \{ GSI_INDEX_ID1, UNIQUE_CONSTRAINT_ID1 \} = require\('dynamo-bao\/src\/constants\.js'\);$/m);
    assert.match(code, /^const \{ UlidField, StringField, IntegerField, .*VersionField \} = require\('dynamo-bao\/src\/fields\.js'\);$/m);
    assert.match(code, /^const \{ EmailField \} = require\('\.\.\/fields\/email-field\.js'\);$/m);
    assert.match(code, /static iterable = true;\n {2}static iterationBuckets = 2;\n {2}static searchable = true;/);
    assert.match(code, /static searchConfig = \{"fields":\["name","bio"\],"caseSensitive":false,"minTermLength":2,"dedupe":false\};/);
    assert.match(code, /email: EmailField\(\{ required: true, allowedDomains: \['example\.com', 'example\.org'\] \}\),/);
    assert.match(code, /everyone: IndexConfig\('modelPrefix', 'name', GSI_INDEX_ID1\),/);
    assert.match(code, /uniqueEmail: UniqueConstraintConfig\('email', UNIQUE_CONSTRAINT_ID1\),/);
    assert.match(code, /static async queryEveryone\(skCondition = null, options = \{\}\)/);
    assert.match(code, /async queryPosts\(skCondition = null, options = \{\}\) \{\n\s+const \{ Post \} = require\('\.\/post\.js'\);/);
    assert.match(code, /static async findByEmail\(value\) \{\n\s+return this\.findByUniqueConstraint\('uniqueEmail', value\);/);
    assert.match(code, /^module\.exports = \{ User \};$/m);

    const { User } = cjs.req(path.join(cjs.out, 'user.js'));
    assert.equal(User.fields.motto.defaultValue, 'it\'s "fine"');
    assert.deepEqual(User.searchConfig, { fields: ['name', 'bio'], caseSensitive: false, minTermLength: 2, dedupe: false });
    assert.equal(User.indexes.everyone.indexId, 'gsi1');
    assert.equal(User.uniqueConstraints.uniqueEmail.constraintId, '_uc1');
  });

  test('Post, Comment, Tag, TaggedPost: relation, alias, mapping and findBy methods in order', () => {
    const post = read('post.js');
    const order = ['static async queryAllPosts(', 'async queryComments(', 'async queryTags(', 'async getTags(', 'static async findBySlugUnique(', 'async getUser('];
    const at = order.map((m) => post.indexOf(m));
    assert.ok(at.every((i) => i > 0), `missing method in:\n${post}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at);
    assert.match(post, /return this\.queryByIndex\('allPosts', this\.modelPrefix, skCondition, options\);/);
    assert.match(post, /return Comment\.queryByIndex\('commentsForPost', this\._getPkValue\(\), skCondition, options\);/);
    assert.match(post, /return TaggedPost\.getRelatedObjectsViaMap\(\n\s+'tagsForPost',\n\s+this\._getPkValue\(\),\n\s+'tagId',/);
    // related models are required inside the methods, so model files that refer to each other load
    assert.doesNotMatch(post, /^const \{ (Comment|TaggedPost) \}/m);

    const comment = read('comment.js');
    assert.match(comment, /commentsForPost: this\.primaryKey,/);
    assert.match(comment, /static primaryKey = PrimaryKeyConfig\('postId', 'commentId'\);/);
    assert.match(comment, /async getPost\(\)[\s\S]*async getAuthor\(\)/);
    assert.doesNotMatch(comment, /IndexConfig/); // only an alias: nothing to import

    const tag = read('tag.js');
    assert.match(tag, /byName: IndexConfig\('modelPrefix', 'name', GSI_INDEX_ID3\),/);
    assert.match(tag, /static async queryByName\(/);
    assert.match(tag, /async queryPosts\([\s\S]*TaggedPost\.queryByIndex\('postsForTag'/);
    assert.match(tag, /async getPosts\(mapSkCondition = null, limit = null, direction = 'ASC', startKey = null\)/);

    const mapping = read('tagged-post.js');
    assert.match(mapping, /tagId: RelatedField\('Tag', \{ required: true \}\),/);
    assert.match(mapping, /async getTag\(\)[\s\S]*async getPost\(\)/);
  });

  test('a self-relation neither imports its own file nor breaks the class', () => {
    const code = read('employee.js');
    assert.doesNotMatch(code, /employee\.js/);
    assert.match(code, /async queryReports\(skCondition = null, options = \{\}\) \{\n\s+return Employee\.queryByIndex\('reportsForManager'/);
    assert.match(code, /managerId: RelatedField\('Employee', \{ required: false \}\),/);
  });

  test('option values of every YAML kind come through as equal JavaScript values', () => {
    const out = path.join(cjs.dir, 'options-models');
    const options = {
      quote: "O'Brien \\ \"q\"\nline 2 \u2028",
      list: ['a', "b'c", 3],
      nested: { deep: { flag: true, none: null }, 'odd-key': 1 },
      when: new Date('2024-05-06T07:08:09.000Z'),
    };
    const models = {
      Opt: {
        modelPrefix: "o'p",
        fields: { id: { type: 'UlidField', autoAssign: true }, s: { type: 'StringField', ...options } },
        primaryKey: { partitionKey: 'id' },
      },
    };
    codegen(models, { outputDir: out });
    const { Opt } = cjs.req(path.join(out, 'opt.js'));
    assert.equal(Opt.modelPrefix, "o'p");
    assert.deepEqual(Opt.fields.s.options, options);
  });

  test('methods with the same name: the later one is kept and a warning names both', () => {
    const out = path.join(cjs.dir, 'dup-models');
    const models = {
      A: {
        modelPrefix: 'a',
        fields: { id: { type: 'UlidField' }, email: { type: 'StringField' }, mail: { type: 'StringField' } },
        primaryKey: { partitionKey: 'id' },
        uniqueConstraints: {
          uniqueEmail: { field: 'email', uniqueConstraintId: 'uc1' },
          email: { field: 'mail', uniqueConstraintId: 'uc2' },
        },
      },
    };
    const [, warnings] = withWarnings(() => codegen(models, { outputDir: out }));
    const code = fs.readFileSync(path.join(out, 'a.js'), 'utf8');
    assert.equal(code.match(/static async findByEmail\(/g).length, 1);
    assert.match(code, /findByUniqueConstraint\('email', value\)/);
    assert.ok(warnings.some((w) => /A\.findByEmail/.test(w) && /"uniqueEmail"/.test(w) && /"email"/.test(w)), warnings.join('\n'));
  });

  test('ESM output: import/export syntax with the same specifiers', () => {
    const out = path.join(cjs.dir, 'esm-text');
    const { models, files } = loadBlog();
    codegen(models, { outputDir: out, fieldsDir: path.join(cjs.dir, 'fields'), moduleSystem: 'esm', files });
    const user = fs.readFileSync(path.join(out, 'user.js'), 'utf8');
    assert.doesNotMatch(user, /require\(|module\.exports/);
    assert.match(user, /^import \{ BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig \} from 'dynamo-bao\/src\/model\.js';$/m);
    assert.match(user, /^import \{ EmailField \} from '\.\.\/fields\/email-field\.js';$/m);
    assert.match(user, /^import \{ Post \} from '\.\/post\.js';$/m);
    assert.match(user, /^export \{ User \};$/m);
    const employee = fs.readFileSync(path.join(out, 'employee.js'), 'utf8');
    assert.doesNotMatch(employee, /employee\.js/);
    assert.throws(() => generateModelFiles(models, out, null, 'amd'), /Unknown codegen\.moduleSystem "amd"/);
  });
});

// ---- against DynamoDB Local ----------------------------------------------------------------

describe('generated CommonJS models against DynamoDB Local', { skip: NO_DB }, () => {
  let M;
  let tenant;
  const inTenant = (fn) => M.TenantContext.runWithTenant(tenant, fn);

  before(() => {
    M = { TenantContext: cjs.bao.TenantContext };
    for (const [name, file] of MODEL_NAMES.map((n) => [n, n.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()])) {
      M[name] = cjs.req(path.join(cjs.out, `${file}.js`))[name];
    }
    tenant = uid('cg');
    const models = Object.fromEntries(MODEL_NAMES.map((n) => [n, M[n]]));
    inTenant(() => cjs.bao.initModels(dbConfig({ models })));
    // the generated files and this test see one copy of the library
    assert.equal(Object.getPrototypeOf(M.User), cjs.bao.BaoModel);
    assert.equal(cjs.bao, require('..'));
  });

  test('users and posts: queryAllPosts, queryPosts, getUser, findByEmail, findBySlugUnique', () =>
    inTenant(async () => {
      const { User, Post } = M;
      const ada = await User.create({ name: 'Ada', email: 'ada@example.com', age: 36, roles: new Set(['admin']) });
      const bob = await User.create({ name: 'Bob', email: 'bob@example.org' });
      assert.equal(ada.motto, 'it\'s "fine"');
      const first = await Post.create({ userId: ada.userId, title: 'First', slug: 'first' });
      await Post.create({ userId: ada.userId, title: 'Second', slug: 'second' });
      await Post.create({ userId: bob.userId, title: 'Bob writes', slug: 'bob' });

      const all = await Post.queryAllPosts();
      assert.deepEqual(all.items.map((p) => p.title).sort(), ['Bob writes', 'First', 'Second']);
      assert.ok(all.items.every((p) => p instanceof Post));

      const adas = await ada.queryPosts();
      assert.deepEqual(adas.items.map((p) => p.title), ['First', 'Second']); // createdAt order
      const latest = await ada.queryPosts(null, { direction: 'DESC', limit: 1 });
      assert.deepEqual(latest.items.map((p) => p.title), ['Second']);

      const author = await first.getUser();
      assert.ok(author instanceof User);
      assert.equal(author.userId, ada.userId);

      const found = await User.findByEmail('bob@example.org');
      assert.equal(found.userId, bob.userId);
      assert.equal((await User.findByEmail('nobody@example.com')).exists(), false);
      assert.equal((await Post.findBySlugUnique('second')).title, 'Second');

      const everyone = await User.queryEveryone();
      assert.deepEqual(everyone.items.map((u) => u.name), ['Ada', 'Bob']); // sorted by name
      await assert.rejects(User.create({ name: 'Eve', email: 'ada@example.com' })); // unique email
    }));

  test('the custom field type validates through the generated model', () =>
    inTenant(async () => {
      await assert.rejects(M.User.create({ name: 'X', email: 'not-an-address' }), /Invalid email address/);
      await assert.rejects(M.User.create({ name: 'X', email: 'x@elsewhere.net' }), /Email domain must be one of/);
    }));

  test('comments through the primary-key alias: post.queryComments, comment.getPost/getAuthor', () =>
    inTenant(async () => {
      const { User, Post, Comment } = M;
      const cy = await User.create({ name: 'Cy', email: 'cy@example.com' });
      const post = await Post.create({ userId: cy.userId, title: 'Commented', slug: 'commented' });
      const other = await Post.create({ userId: cy.userId, title: 'Quiet', slug: 'quiet' });
      await Comment.create({ postId: post.postId, authorId: cy.userId, text: 'one' });
      await Comment.create({ postId: post.postId, text: 'two' });
      const comments = await post.queryComments();
      assert.deepEqual(comments.items.map((c) => c.text), ['one', 'two']);
      assert.equal((await other.queryComments()).count, 0);
      const c = comments.items[0];
      assert.equal((await c.getPost()).title, 'Commented');
      assert.equal((await c.getAuthor()).name, 'Cy');
      assert.equal(await comments.items[1].getAuthor(), null);
    }));

  test('the mapping model: tag.getPosts, post.getTags, tag.queryPosts, Tag.queryByName', () =>
    inTenant(async () => {
      const { User, Post, Tag, TaggedPost } = M;
      const dee = await User.create({ name: 'Dee', email: 'dee@example.com' });
      const p1 = await Post.create({ userId: dee.userId, title: 'Rust', slug: 'rust' });
      const p2 = await Post.create({ userId: dee.userId, title: 'Node', slug: 'node' });
      const lang = await Tag.create({ name: 'languages' });
      const fast = await Tag.create({ name: 'fast' });
      await TaggedPost.create({ tagId: lang.tagId, postId: p1.postId });
      await TaggedPost.create({ tagId: lang.tagId, postId: p2.postId });
      await TaggedPost.create({ tagId: fast.tagId, postId: p1.postId });

      const langPosts = await lang.getPosts();
      assert.ok(langPosts.items.every((p) => p instanceof Post));
      assert.deepEqual(langPosts.items.map((p) => p.title).sort(), ['Node', 'Rust']);
      const rustTags = await p1.getTags();
      assert.ok(rustTags.items.every((t) => t instanceof Tag));
      assert.deepEqual(rustTags.items.map((t) => t.name).sort(), ['fast', 'languages']);
      assert.deepEqual((await p2.getTags()).items.map((t) => t.name), ['languages']);

      const links = await lang.queryPosts();
      assert.ok(links.items.every((l) => l instanceof TaggedPost));
      assert.equal(links.count, 2);
      assert.deepEqual((await Tag.queryByName()).items.map((t) => t.name), ['fast', 'languages']);
    }));

  test('a self-relation: employee.queryReports and getManager', () =>
    inTenant(async () => {
      const { Employee } = M;
      const boss = await Employee.create({ name: 'Boss' });
      await Employee.create({ name: 'Zed', managerId: boss.employeeId });
      const amy = await Employee.create({ name: 'Amy', managerId: boss.employeeId });
      assert.deepEqual((await boss.queryReports()).items.map((e) => e.name), ['Amy', 'Zed']);
      assert.equal((await amy.getManager()).name, 'Boss');
    }));
});

describe('generated ESM models', () => {
  test('the library modules they import expose named exports to ESM (spec §1.2)', async () => {
    // Node finds a CommonJS module's named exports with cjs-module-lexer, which only sees
    // `module.exports = { name, other: ident }` / `exports.name = ...` forms.
    const expected = {
      'model.js': ['BaoModel', 'PrimaryKeyConfig', 'IndexConfig', 'UniqueConstraintConfig'],
      'fields.js': Object.keys(builtInFields),
      'constants.js': ['GSI_INDEX_ID1', 'GSI_INDEX_ID5', 'UNIQUE_CONSTRAINT_ID1', 'UNIQUE_CONSTRAINT_ID3'],
    };
    for (const [file, names] of Object.entries(expected)) {
      const resolved = createRequire(path.join(cjs.dir, 'index.js')).resolve(`dynamo-bao/src/${file}`);
      const ns = await import(pathToFileURL(resolved).href);
      const missing = names.filter((n) => !(n in ns));
      assert.deepEqual(missing, [], `dynamo-bao/src/${file} (${resolved}) lacks ESM named exports`);
    }
  });

  test('import() the generated files from a "type": "module" project; create, find and query', { skip: NO_DB }, async () => {
    const dir = makeProject('esm', { name: 'bao-codegen-esm', private: true, type: 'module' });
    // the custom field file is CommonJS
    fs.writeFileSync(path.join(dir, 'fields', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const out = path.join(dir, 'models');
    const { models, files } = loadBlog();
    codegen(models, { outputDir: out, fieldsDir: path.join(dir, 'fields'), moduleSystem: 'esm', files });

    const userModule = await import(pathToFileURL(path.join(out, 'user.js')).href);
    const { Post } = await import(pathToFileURL(path.join(out, 'post.js')).href);
    const { User } = userModule;
    assert.deepEqual(Object.keys(userModule), ['User']);
    assert.equal(typeof User, 'function');
    assert.notEqual(User, cjs.req(path.join(cjs.out, 'user.js')).User); // a separate class...
    assert.equal(Object.getPrototypeOf(User), cjs.bao.BaoModel); // ...on the same library

    const { TenantContext, initModels } = cjs.bao;
    const tenant = uid('esm');
    await TenantContext.runWithTenant(tenant, async () => {
      initModels(dbConfig({ models: { User, Post } }));
      const eve = await User.create({ name: 'Eve', email: 'eve@example.com' });
      assert.equal((await User.find(eve.userId)).name, 'Eve');
      assert.equal((await User.findByEmail('eve@example.com')).userId, eve.userId);
      await Post.create({ userId: eve.userId, title: 'From ESM', slug: 'esm' });
      assert.deepEqual((await eve.queryPosts()).items.map((p) => p.title), ['From ESM']);
      assert.deepEqual((await Post.queryAllPosts()).items.map((p) => p.title), ['From ESM']);
    });
  });
});

// ---- manifest -------------------------------------------------------------------------------

describe('manifest', () => {
  test('imports every generated .js file (not the .d.ts) and spreads them into one default export', () => {
    const manifest = path.join(cjs.dir, '.bao', 'models.js');
    assert.equal(generateManifest(cjs.out, manifest), manifest);
    const text = fs.readFileSync(manifest, 'utf8');
    assert.match(text, /^\/\/ THIS FILE IS AUTO-GENERATED by dynamo-bao codegen\.\n\/\/ DO NOT EDIT DIRECTLY\.\n/);
    const imports = [...text.matchAll(/^import \* as (model\d+) from "([^"]+)";$/gm)];
    assert.deepEqual(
      imports.map((m) => m[2]).sort(),
      ['comment', 'employee', 'post', 'tag', 'tagged-post', 'user'].map((n) => `../models/${n}.js`),
    );
    assert.match(text, new RegExp(`export default \\{\\n${imports.map((m) => `  \\.\\.\\.${m[1]}`).join(',\\n')}\\n\\};\\n$`));
    assert.doesNotMatch(text, /\.d\.ts/);

    const [none, warnings] = withWarnings(() => generateManifest(path.join(cjs.dir, 'missing'), manifest));
    assert.equal(none, null);
    assert.match(warnings[0], /Models directory does not exist/);
  });

  test('initModels({ paths: { generatedModelsManifest } }) registers the generated classes', { skip: NO_DB }, async () => {
    const manifest = path.join(cjs.dir, '.bao', 'models.js');
    generateManifest(cjs.out, manifest);
    const { TenantContext, initModels } = cjs.bao;
    const { User } = cjs.req(path.join(cjs.out, 'user.js'));
    const tenant = uid('mf');
    await TenantContext.runWithTenant(tenant, async () => {
      const manager = initModels(dbConfig({ paths: { generatedModelsManifest: manifest } }));
      assert.deepEqual(Object.keys(manager.models).sort(), [...MODEL_NAMES].sort());
      assert.equal(manager.getModel('User'), User);
      const fay = await User.create({ name: 'Fay', email: 'fay@example.com' });
      assert.equal((await User.findByEmail('fay@example.com')).userId, fay.userId);
    });
  });
});

// ---- TypeScript declarations ------------------------------------------------------------------

describe('generated .d.ts files', () => {
  /** Type-checks `source` against the generated models; returns tsc's exit status and output. */
  function typecheck(name, source) {
    const dir = path.join(cjs.dir, `ts-${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'app.ts'), source);
    // Buffer comes from @types/node in a user's project; this repo has no @types/node.
    fs.writeFileSync(path.join(dir, 'node-shim.d.ts'), 'interface Buffer extends Uint8Array {}\n');
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'node16',
        types: [],
        paths: { 'dynamo-bao': [path.join(ROOT, 'index.d.ts')] },
      },
      files: ['app.ts', 'node-shim.d.ts'],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    try {
      return { status: 0, output: execFileSync(TSC, ['-p', dir, '--noEmit', '--strict'], { encoding: 'utf8' }) };
    } catch (err) {
      return { status: err.status, output: `${err.stdout}${err.stderr}` };
    }
  }

  test('declare typed fields, generated queries and findBy methods', () => {
    const dts = read('user.d.ts');
    assert.match(dts, /^import \{ BaoModel \} from "dynamo-bao";$/m);
    assert.match(dts, /^import type \{ Post \} from "\.\/post\.js";$/m);
    assert.match(dts, /^export declare class User extends BaoModel \{$/m);
    for (const line of [
      'name: string;', 'email: any;', 'age: number | null;', 'rating: number | null;', 'karma: number;',
      'verified: boolean | null;', 'birthday: Date | null;', 'roles: Set<string>;', 'avatar: Buffer | null;',
      'version: string;',
      'static queryEveryone(skCondition?: SortKeyCondition | null, options?: QueryOptions): Promise<QueryResult<User>>;',
      'queryPosts(skCondition?: SortKeyCondition | null, options?: QueryOptions): Promise<QueryResult<Post>>;',
      'static findByEmail(value: any): Promise<User | ObjectNotFound>;',
    ]) {
      assert.ok(dts.includes(`  ${line}\n`), `user.d.ts lacks "${line}":\n${dts}`);
    }
    assert.match(read('comment.d.ts'), /ttl: Date \| null;/);
    assert.match(read('comment.d.ts'), /getAuthor\(\): Promise<User \| ObjectNotFound \| null>;/);
    assert.match(read('post.d.ts'), /getTags\(mapSkCondition\?: SortKeyCondition \| null, limit\?: number \| null, direction\?: "ASC" \| "DESC", startKey\?: Record<string, unknown> \| null\): Promise<QueryResult<Tag>>;/);
    assert.doesNotMatch(read('employee.d.ts'), /from "\.\/employee\.js"/);
  });

  test('a TypeScript program using the generated models compiles with --strict', () => {
    const { status, output } = typecheck(
      'ok',
      `import { User } from "../models/user.js";
import { Post } from "../models/post.js";
import { Tag } from "../models/tag.js";
import { Employee } from "../models/employee.js";
import type { QueryResult } from "dynamo-bao";

export async function main(): Promise<string[]> {
  const user = await User.create({ name: "Ada", email: "ada@example.com" });
  const name: string = user.name;
  const age: number | null = user.age;
  const karma: number = user.karma;
  const verified: boolean | null = user.verified;
  const born: Date | null = user.birthday;
  const roles: Set<string> = user.roles;
  const avatar: Buffer | null = user.avatar;
  user.bio = "hello";
  user.age = null;
  const posts: QueryResult<Post> = await user.queryPosts({ createdAt: { $gt: new Date(0) } }, { limit: 10, direction: "DESC" });
  const titles: string[] = posts.items.map((p) => p.title);
  const all = await Post.queryAllPosts(null, { limit: 5 });
  const found = await User.findByEmail("ada@example.com");
  if (!(found instanceof User)) return [];
  const author = await all.items[0].getUser();
  const authorName: string = author instanceof User ? author.name : "";
  const tags = await all.items[0].getTags(null, 5, "DESC");
  const tagNames: string[] = tags.items.map((t: Tag) => t.name);
  const boss = await Employee.create({ name: "Boss" });
  const reports: Employee[] = (await boss.queryReports()).items;
  return [name, String(age), String(karma), String(verified), String(born), String(roles.size), String(avatar),
    found.email, authorName, ...titles, ...tagNames, String(reports.length)];
}
`,
    );
    assert.equal(status, 0, output);
  });

  test('type errors in the use of generated models are reported', () => {
    const { status, output } = typecheck(
      'bad',
      `import { User } from "../models/user.js";
import { Post } from "../models/post.js";

export async function bad(): Promise<void> {
  const user = await User.create({ name: "Ada" });
  user.name = 42;
  const posts = await user.queryPosts();
  const p: Post = posts.items[0];
  const n: number = p.title;
  await user.queryPosts({}, { direction: "SIDEWAYS" });
}
`,
    );
    assert.notEqual(status, 0);
    assert.match(output, /app\.ts\(6,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.match(output, /app\.ts\(9,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(output, /app\.ts\(10,\d+\): error TS2322: Type '"SIDEWAYS"' is not assignable/);
  });
});

// ---- validation ---------------------------------------------------------------------------------

describe('validateModels', () => {
  const resolver = () => new FieldResolver(builtInFields, path.join(cjs.dir, 'fields'));

  /** The blog definitions with one change; returns the message of the error validateModels throws. */
  function problemsAfter(change, options = {}) {
    const { models } = loadBlog();
    change(models);
    const out = path.join(tempDir('invalid'), 'models');
    let error = null;
    try {
      codegen(models, { outputDir: out, fieldsDir: path.join(cjs.dir, 'fields'), ...options });
    } catch (err) {
      error = err;
    }
    assert.ok(error, 'codegen accepted invalid definitions');
    assert.equal(fs.existsSync(out), false, 'files were written for invalid definitions');
    return error;
  }

  test('the blog definitions are valid', () => {
    const { models, files } = loadBlog();
    assert.equal(validateModels(models, { files, fieldResolver: resolver() }), models);
  });

  test('an unknown field type', () => {
    const err = problemsAfter((m) => (m.User.fields.bio.type = 'TextField'));
    assert.match(err.message, /models\.yaml: model "User", key "fields\.bio\.type": unknown field type "TextField" \(not built in, and there is no .*text-field\.js\)/);
  });

  test('a custom type is only known with a fieldResolver', () => {
    const { models } = loadBlog();
    assert.throws(() => validateModels(models, { file: 'models.yaml' }), /model "User", key "fields\.email\.type": unknown field type "EmailField"/);
    assert.doesNotThrow(() => validateModels(models, { file: 'models.yaml', fieldResolver: resolver() }));
  });

  test('a missing modelPrefix', () => {
    const err = problemsAfter((m) => delete m.Tag.modelPrefix);
    assert.match(err.message, /models\.yaml: model "Tag", key "modelPrefix": missing/);
  });

  test('a modelPrefix used by two models names both (and both files)', () => {
    const { files } = loadBlog();
    const err = problemsAfter((m) => (m.Tag.modelPrefix = 'p'), { files });
    assert.ok(
      err.message.includes(`${files.Tag}: model "Tag", key "modelPrefix": "p" is already used by model "Post" (${files.Post})`),
      err.message,
    );
  });

  test('an index id used twice in a model', () => {
    const err = problemsAfter((m) => {
      m.Post.indexes = {
        byTitle: { partitionKey: 'modelPrefix', sortKey: 'title', indexId: 'gsi1' },
        byUser: { partitionKey: 'userId', sortKey: 'createdAt', indexId: 1 },
      };
    });
    assert.match(err.message, /^ {2}models\.yaml: model "Post", key "indexes\.byUser\.indexId": gsi1 is already used by index "byTitle"$/m);
  });

  test('a TtlField not named ttl', () => {
    const err = problemsAfter((m) => (m.Comment.fields.expiresAt = { type: 'TtlField' }));
    assert.match(err.message, /model "Comment", key "fields\.expiresAt\.type": a TtlField must be named "ttl"/);
  });

  test('more than five GSIs', () => {
    const err = problemsAfter((m) => {
      m.Post.indexes = Object.fromEntries(
        [1, 2, 3, 4, 5, 6].map((i) => [`by${i}`, { partitionKey: 'title', sortKey: 'createdAt', indexId: `gsi${i}` }]),
      );
    });
    assert.match(err.message, /model "Post", key "indexes": 6 GSI indexes are defined; a model can have at most 5/);
    assert.match(err.message, /key "indexes\.by6\.indexId": "gsi6" is not one of gsi1\.\.gsi5/);
  });

  test('more than three unique constraints', () => {
    const err = problemsAfter((m) => {
      m.User.uniqueConstraints = Object.fromEntries(
        ['name', 'bio', 'motto', 'email'].map((f, i) => [`unique${f}`, { field: f, uniqueConstraintId: `uc${Math.min(i + 1, 3)}` }]),
      );
    });
    assert.match(err.message, /model "User", key "uniqueConstraints": 4 unique constraints are defined; a model can have at most 3/);
  });

  test('missing fields', () => {
    const err = problemsAfter((m) => delete m.Tag.fields);
    assert.match(err.message, /models\.yaml: model "Tag", key "fields": missing/);
  });

  test('one error lists every problem of a file', () => {
    const file = path.join(FIXTURES, 'invalid.yaml');
    const { models } = loadModelDefinitions(file);
    let caught;
    try {
      validateModels(models, { file: 'invalid.yaml', fieldResolver: resolver() });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught, 'validateModels accepted invalid.yaml');
    assert.deepEqual(caught.problems, [
      'invalid.yaml: model "Post", key "fields.expiresAt.type": a TtlField must be named "ttl" (DynamoDB expires items by that attribute), found "expiresAt"',
      `invalid.yaml: model "Post", key "fields.body.type": unknown field type "TextField" (not built in, and there is no ${path.join(cjs.dir, 'fields', 'text-field.js')})`,
      'invalid.yaml: model "Post", key "indexes.byUser.indexId": gsi1 is already used by index "byTitle"',
      'invalid.yaml: model "Draft", key "modelPrefix": "p" is already used by model "Post"',
      'invalid.yaml: model "Orphan", key "fields": missing (a model needs at least its key fields)',
      'invalid.yaml: model "Orphan", key "primaryKey": missing',
    ]);
    assert.equal(caught.message, `Invalid model definitions (6 problems):\n${caught.problems.map((p) => `  ${p}`).join('\n')}`);
  });

  test('generateModelFiles writes nothing when any model cannot be generated', () => {
    const { models } = loadBlog();
    withWarnings(() => applyModelDefaults(models));
    models.Employee.indexes.reportsForManager.indexId = 'primary';
    const out = path.join(tempDir('atomic'), 'models');
    assert.throws(
      () => generateModelFiles(models, out, resolver()),
      { message: 'Invalid indexId format: primary. Expected format: gsi1, gsi2, etc.' },
    );
    assert.equal(fs.existsSync(out), false);
  });
});
