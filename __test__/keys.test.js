'use strict';
/**
 * Key golden tests: what the package writes to DynamoDB, byte for byte.
 *
 * Proves, by reading the items back with an independent client, that the stored key strings
 * are exactly those of the spec (§3.3-3.7, §3.9, Appendix B): `[T]#<prefix>#<id>` / `<prefix>`
 * primary keys, `[T]#<prefix>#gsiN#<toGsi(pk)>` + `toGsi(sk)` GSI keys (padded integers,
 * toExponential(20) floats, "1"/"0" booleans, 20-digit epoch-ms dates), `[T]#<prefix>#iter#NNN`
 * iteration keys with the Java-style hash bucket (checked against an independent oracle),
 * composite ids joined by `##__SK__##`, unique-constraint items, attribute types (N / BOOL / S),
 * null fields removed, and the deliberate fix: a modelPrefix partition key is tenant-prefixed
 * (`[T]#pp`). The last test repeats the goldens without tenancy (unprefixed keys).
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { initModels, TenantContext } = require('..');
const { makeModels, config, initTenantModels } = require('./helpers/models');
const { rawGet, rawScan } = require('./helpers/raw');
const { uid, ulid } = require('./helpers/ids');

// ---- independent oracle for the iteration bucket (§3.6) -----------------------------------
/** Java String.hashCode over UTF-16 code units, then |h| as a JS number (INT_MIN -> 2^31). */
function javaHash(str) {
  let h = 0;
  for (let i = 0; i < str.length; i++) h = (Math.imul(h, 31) + str.charCodeAt(i)) | 0;
  return Math.abs(h);
}
function bucketOf(primaryId, buckets) {
  return String(javaHash(primaryId) % buckets).padStart(3, '0');
}

const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });

const T1 = uid('T1');
const models = makeModels();
const { User, AllTypes, Comp, PkPrefix } = models;
const inT1 = (fn) => TenantContext.runWithTenant(T1, fn);

const APPENDIX_ID = '01M8AY2P3GC72ZHYKWVJ75N8PA';
const DT = new Date('2024-01-02T03:04:05.678Z'); // 1704164645678 ms

before(() => {
  TenantContext.reset();
  // Initialise inside the tenant the rows are written for (the original's documented pattern).
  initTenantModels(models, T1);
});

test('hash oracle reproduces the spec test vectors (§3.6)', () => {
  const vectors = [
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 1771234269, 9, 69, 4],
    ['01M8AY2ADKJKZH6PCRPCTFS89A', 14296988, 8, 88, 3],
    ['alpha##__SK__##00000000000000000007', 828024899, 9, 99, 4],
    ['a', 97, 7, 97, 2],
    ['Ab', 2113, 3, 13, 3],
    ['polygenelubricants', 2147483648, 8, 48, 3],
    ['\u{1F600}x', 54959989, 9, 89, 4],
  ];
  for (const [id, hash, m10, m100, m5] of vectors) {
    assert.equal(javaHash(id), hash, id);
    assert.deepEqual([hash % 10, hash % 100, hash % 5], [m10, m100, m5], id);
  }
  assert.equal(bucketOf(APPENDIX_ID, 10), '008');
});

test('AllTypes row under a tenant matches Appendix B exactly', async () => {
  const t0 = Date.now();
  const { user, created } = await inT1(async () => {
    const user = await User.create({ name: 'Rel Target' });
    const created = await AllTypes.create({
      id: APPENDIX_ID,
      s: 'Hello, World!',
      s2: 'Uniq Val',
      i: 42,
      f: 3.14,
      b: true,
      dt: DT,
      rel: user,
    });
    return { user, created };
  });
  const t1 = Date.now();

  assert.equal(created.getPrimaryId(), APPENDIX_ID);
  assert.equal(AllTypes.makePrimaryId(APPENDIX_ID, 'at'), APPENDIX_ID);

  const item = await rawGet(`[${T1}]#at#${APPENDIX_ID}`, 'at');
  assert.ok(item, 'row stored under [T1]#at#<id> / at');
  assert.deepEqual(
    Object.keys(item).sort(),
    [
      '_gsi1_pk', '_gsi1_sk', '_gsi2_pk', '_gsi2_sk', '_gsi3_pk', '_gsi3_sk',
      '_iter_pk', '_iter_sk', '_pk', '_searchText', '_sk',
      'b', 'cd', 'dt', 'f', 'i', 'id', 'md', 'rel', 's', 's2',
    ],
    'exactly the field attributes plus the system keys',
  );
  assert.deepEqual(item._pk, S(`[${T1}]#at#${APPENDIX_ID}`));
  assert.deepEqual(item._sk, S('at'));
  assert.deepEqual(item._gsi1_pk, S(`[${T1}]#at#gsi1#Hello, World!`));
  assert.deepEqual(item._gsi1_sk, S('00000001704164645678'));
  assert.deepEqual(item._gsi2_pk, S(`[${T1}]#at#gsi2#00000000000000000042`));
  assert.deepEqual(item._gsi2_sk, S('3.14000000000000012434e+0'));
  assert.deepEqual(item._gsi3_pk, S(`[${T1}]#at#gsi3#at`));
  assert.deepEqual(item._gsi3_sk, S('1'));
  assert.deepEqual(item._iter_pk, S(`[${T1}]#at#iter#008`));
  assert.deepEqual(item._iter_sk, S(APPENDIX_ID));
  assert.deepEqual(item._searchText, S('hello world uniq val'));

  assert.deepEqual(item.id, S(APPENDIX_ID));
  assert.deepEqual(item.s, S('Hello, World!'));
  assert.deepEqual(item.s2, S('Uniq Val'));
  assert.deepEqual(item.i, N(42));
  assert.deepEqual(item.f, N(3.14));
  assert.deepEqual(item.b, { BOOL: true });
  assert.deepEqual(item.dt, N(1704164645678));
  assert.deepEqual(item.rel, S(user.getPrimaryId()));
  for (const dateAttr of ['cd', 'md']) {
    assert.ok(item[dateAttr].N, `${dateAttr} is stored as N (epoch ms)`);
    const ms = Number(item[dateAttr].N);
    assert.ok(ms >= t0 - 1000 && ms <= t1 + 1000, `${dateAttr}=${ms} is the create time in ms`);
  }

  // The unique-constraint item (§3.7, Appendix B).
  const ucKey = `[${T1}]#_raft_uc#_uc1#at#s2:Uniq Val`;
  const uc = await rawGet(ucKey, '_raft_uc');
  assert.ok(uc, 'constraint item exists');
  assert.deepEqual(uc, {
    _pk: S(ucKey),
    _sk: S('_raft_uc'),
    uniqueValue: S(ucKey),
    relatedId: S(APPENDIX_ID),
    relatedModel: S('AllTypes'),
    _gsi_test_id: S(T1),
  });

  // Values read back through the library keep their JS types.
  const found = await inT1(() => AllTypes.find(APPENDIX_ID));
  assert.equal(found.exists(), true);
  assert.equal(found.i, 42);
  assert.equal(found.f, 3.14);
  assert.equal(found.b, true);
  assert.ok(found.dt instanceof Date);
  assert.equal(found.dt.getTime(), DT.getTime());
  assert.equal(found.rel, user.getPrimaryId());

  // Query side formats the GSI keys the same way.
  const byI = await inT1(() => AllTypes.queryByIndex('byI', 42));
  assert.deepEqual(byI.items.map((x) => x.getPrimaryId()), [APPENDIX_ID]);
  const byS = await inT1(() => AllTypes.queryByIndex('byS', 'Hello, World!'));
  assert.deepEqual(byS.items.map((x) => x.getPrimaryId()), [APPENDIX_ID]);
});

test('setting an indexed string to null removes it and writes the literal "null" GSI key', async () => {
  const id = ulid();
  await inT1(() => AllTypes.create({ id, s: 'to-null', i: 1, f: 1.5, b: true, dt: DT }));
  const before = await rawGet(`[${T1}]#at#${id}`, 'at');
  assert.deepEqual(before._searchText, S('to null'));

  await inT1(() => AllTypes.update(id, { s: null }));
  const after = await rawGet(`[${T1}]#at#${id}`, 'at');
  assert.equal(after.s, undefined, 's is REMOVEd, not stored as NULL');
  assert.deepEqual(after._gsi1_pk, S(`[${T1}]#at#gsi1#null`));
  assert.deepEqual(after._gsi1_sk, S('00000001704164645678'), 'sk back-filled from the stored dt');
  assert.equal(after._searchText, undefined, 'empty search text is REMOVEd');
  assert.deepEqual(after._iter_pk, S(`[${T1}]#at#iter#${bucketOf(id, 10)}`));
  assert.ok(Number(after.md.N) >= Number(before.md.N), 'md rewritten on update');

  const found = await inT1(() => AllTypes.find(id));
  assert.ok(found.s == null, 'a removed string reads back as undefined/null');
});

test('negative numbers, false, omitted and null fields (§3.9, §3.10)', async () => {
  const id = ulid();
  const created = await inT1(() =>
    AllTypes.create({ id, s: 'neg', i: -7, f: -0.5, b: false, dt: DT.getTime(), rel: null }),
  );
  assert.equal(created.getPrimaryId(), id);

  const item = await rawGet(`[${T1}]#at#${id}`, 'at');
  assert.ok(item);
  assert.deepEqual(item._gsi2_pk, S(`[${T1}]#at#gsi2#000000000000000000-7`));
  assert.deepEqual(item._gsi2_sk, S('-5.00000000000000000000e-1'));
  assert.deepEqual(item._gsi3_pk, S(`[${T1}]#at#gsi3#at`));
  assert.deepEqual(item._gsi3_sk, S('0'));
  assert.deepEqual(item._gsi1_sk, S('00000001704164645678'), 'a number dt is epoch ms');
  assert.deepEqual(item.i, N(-7));
  assert.deepEqual(item.f, N(-0.5));
  assert.deepEqual(item.b, { BOOL: false });
  assert.deepEqual(item.dt, N(1704164645678));
  assert.deepEqual(item._iter_pk, S(`[${T1}]#at#iter#${bucketOf(id, 10)}`));
  assert.deepEqual(item._iter_sk, S(id));
  assert.equal(item.s2, undefined, 'omitted field is not written');
  assert.equal(item.rel, undefined, 'null field is not written');
  assert.ok(!Object.values(item).some((v) => v.NULL), 'no NULL attributes are stored');

  const constraints = await rawScan((it) => it.relatedId && it.relatedId.S === id);
  assert.equal(constraints.length, 0, 'no constraint item for an absent unique value');
});

test('composite key: [T]#cp#<a> / padded integer sk, 1-bucket iteration key', async () => {
  const pid = 'alpha##__SK__##00000000000000000007';
  const created = await inT1(() => Comp.create({ a: 'alpha', n: 7, label: null }));
  assert.equal(created.getPrimaryId(), pid);
  assert.equal(Comp.makePrimaryId('alpha', '00000000000000000007'), pid);
  assert.equal(Comp.getPrimaryId({ a: 'alpha', n: 7 }), pid);

  const item = await rawGet(`[${T1}]#cp#alpha`, '00000000000000000007');
  assert.ok(item, 'row stored under [T1]#cp#alpha / 00000000000000000007');
  assert.deepEqual(item, {
    _pk: S(`[${T1}]#cp#alpha`),
    _sk: S('00000000000000000007'),
    _iter_pk: S(`[${T1}]#cp#iter`),
    _iter_sk: S(pid),
    a: S('alpha'),
    n: N(7),
  });

  const byId = await inT1(() => Comp.find(pid));
  assert.equal(byId.exists(), true);
  assert.equal(byId.n, 7);
  const byObject = await inT1(() => Comp.find({ a: 'alpha', n: 7 }));
  assert.equal(byObject.exists(), true);
  assert.equal(byObject.getPrimaryId(), pid);
});

test('modelPrefix partition key is tenant-prefixed: [T]#pp / kk (deliberate fix of §9.1.1)', async () => {
  const T2 = uid('T2');
  const mark1 = uid('v');
  const mark2 = uid('v');
  const created = await inT1(() => PkPrefix.create({ k: 'kk', v: mark1 }));
  await TenantContext.runWithTenant(T2, () => PkPrefix.create({ k: 'kk', v: mark2 }));

  assert.equal(created.getPrimaryId(), 'kk');
  assert.equal(PkPrefix.makePrimaryId('pp', 'kk'), 'kk');

  const item = await rawGet(`[${T1}]#pp`, 'kk');
  assert.ok(item, 'row stored under [T1]#pp / kk');
  assert.deepEqual(item, { _pk: S(`[${T1}]#pp`), _sk: S('kk'), k: S('kk'), v: S(mark1) });
  const item2 = await rawGet(`[${T2}]#pp`, 'kk');
  assert.ok(item2, 'second tenant has its own row');
  assert.deepEqual(item2.v, S(mark2));

  const written = await rawScan((it) => it.v && (it.v.S === mark1 || it.v.S === mark2));
  assert.deepEqual(
    written.map((it) => it._pk.S).sort(),
    [`[${T1}]#pp`, `[${T2}]#pp`].sort(),
    'nothing written under the bare "pp" partition',
  );

  const f1 = await inT1(() => PkPrefix.find('kk'));
  const f2 = await TenantContext.runWithTenant(T2, () => PkPrefix.find('kk'));
  assert.equal(f1.v, mark1);
  assert.equal(f2.v, mark2);
});

test('User keys: [T]#u#<ulid>, byStatus GSI on gsi1, 4 iteration buckets', async () => {
  const userId = ulid();
  const u = await inT1(() => User.create({ userId, name: 'Ann', status: 'active' }));
  assert.equal(u.getPrimaryId(), userId);
  const item = await rawGet(`[${T1}]#u#${userId}`, 'u');
  assert.ok(item);
  assert.deepEqual(item._gsi1_pk, S(`[${T1}]#u#gsi1#active`));
  assert.deepEqual(item._gsi1_sk, S(item.createdAt.N.padStart(20, '0')));
  assert.deepEqual(item._iter_pk, S(`[${T1}]#u#iter#${bucketOf(userId, 4)}`));
  assert.deepEqual(item._iter_sk, S(userId));
  assert.equal(item.email, undefined);
});

// Runs last: it re-initialises a second, independent set of classes with tenancy disabled.
test('without tenancy the same keys carry no [T]# prefix', async () => {
  TenantContext.reset();
  const plain = makeModels();
  initModels(config(plain, { tenancy: false }));
  assert.equal(TenantContext.getCurrentTenant(), null);

  const run = uid('r');
  const id = ulid();
  const uniq = `Uniq ${run}`;
  const at = await plain.AllTypes.create({ id, s: run, s2: uniq, i: 42, f: 3.14, b: true, dt: DT });
  const cp = await plain.Comp.create({ a: `alpha${run}`, n: 7 });
  const pp = await plain.PkPrefix.create({ k: `kk${run}` });
  try {
    const item = await rawGet(`at#${id}`, 'at');
    assert.ok(item, 'row stored under at#<id> / at');
    assert.deepEqual(item._gsi1_pk, S(`at#gsi1#${run}`));
    assert.deepEqual(item._gsi1_sk, S('00000001704164645678'));
    assert.deepEqual(item._gsi2_pk, S('at#gsi2#00000000000000000042'));
    assert.deepEqual(item._gsi2_sk, S('3.14000000000000012434e+0'));
    assert.deepEqual(item._gsi3_pk, S('at#gsi3#at'));
    assert.deepEqual(item._gsi3_sk, S('1'));
    assert.deepEqual(item._iter_pk, S(`at#iter#${bucketOf(id, 10)}`));
    assert.deepEqual(item._iter_sk, S(id));

    const ucKey = `_raft_uc#_uc1#at#s2:${uniq}`;
    const uc = await rawGet(ucKey, '_raft_uc');
    assert.deepEqual(uc, {
      _pk: S(ucKey),
      _sk: S('_raft_uc'),
      uniqueValue: S(ucKey),
      relatedId: S(id),
      relatedModel: S('AllTypes'),
    });

    const cpId = `alpha${run}##__SK__##00000000000000000007`;
    assert.equal(cp.getPrimaryId(), cpId);
    const cpItem = await rawGet(`cp#alpha${run}`, '00000000000000000007');
    assert.ok(cpItem);
    assert.deepEqual(cpItem._iter_pk, S('cp#iter'));
    assert.deepEqual(cpItem._iter_sk, S(cpId));

    assert.equal(pp.getPrimaryId(), `kk${run}`);
    const ppItem = await rawGet('pp', `kk${run}`);
    assert.ok(ppItem, 'row stored under pp / kk<run>');

    const everything = await rawScan((it) => JSON.stringify(it).includes(run));
    assert.ok(
      everything.every((it) => !it._pk.S.startsWith('[')),
      'no tenant prefix anywhere when tenancy is off',
    );
  } finally {
    await plain.AllTypes.delete(at.getPrimaryId()).catch(() => {});
    await plain.Comp.delete(cp.getPrimaryId()).catch(() => {});
    await plain.PkPrefix.delete(pp.getPrimaryId()).catch(() => {});
  }
});
