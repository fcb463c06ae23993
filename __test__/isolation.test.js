'use strict';
/**
 * Tenant isolation under concurrency.
 *
 * Proves that 50 tenants running 20 operations each (create / find / update / queryByIndex /
 * cross-tenant probes), all at once in one process and interleaved with random short awaits,
 * never see each other's rows: every read returns exactly the tenant's own bookkeeping, finds
 * of other tenants' ids miss, the modelPrefix-keyed row "shared" exists once per tenant. A raw
 * scan afterwards shows every `_pk`, `_gsiN_pk` and `_iter_pk` of the rows written starting
 * with `[<its tenant>]#`, and no row carrying a tenant's data under another key.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { TenantContext } = require('..');
const { makeModels, initTenantModels } = require('./helpers/models');
const { rawScanItems } = require('./helpers/raw');
const { uid, sleep } = require('./helpers/ids');

const TENANTS = 50;
const OPS = 20;
const USERS = 4;

const models = makeModels();
const { User, AllTypes, PkPrefix } = models;

before(() => {
  TenantContext.reset();
  initTenantModels(models);
});

const jitter = () => sleep(Math.floor(Math.random() * 6));
const pick = (arr) => arr[Math.floor(Math.random() * arr.length)];
const STATUSES = ['active', 'idle'];

test(`${TENANTS} tenants x ${OPS} concurrent operations stay isolated`, async () => {
  const tenants = Array.from({ length: TENANTS }, (_, i) => uid(`iso${i}-`));
  const registry = []; // { tenant, id } of every user created so far, all tenants
  const opCounts = new Map();

  async function worker(tenant) {
    return TenantContext.runWithTenant(tenant, async () => {
      const mine = new Map(); // id -> { name, status }
      let ops = 0;
      const here = () => assert.equal(TenantContext.getCurrentTenant(), tenant, 'tenant kept across awaits');

      await jitter();
      await PkPrefix.create({ k: 'shared', v: tenant });
      ops++;
      await jitter();
      await AllTypes.create({ s: tenant, i: ops, f: 0.5, b: true, dt: new Date() });
      ops++;
      for (let i = 0; i < USERS; i++) {
        await jitter();
        const u = await User.create({ name: `${tenant}:${i}`, email: `${i}@${tenant}.test`, status: STATUSES[i % 2] });
        assert.equal(u.name, `${tenant}:${i}`);
        mine.set(u.getPrimaryId(), { name: u.name, status: u.status });
        registry.push({ tenant, id: u.getPrimaryId() });
        ops++;
        here();
      }

      while (ops < OPS) {
        await jitter();
        const r = Math.random();
        if (r < 0.25) {
          const id = pick([...mine.keys()]);
          const found = await User.find(id);
          assert.equal(found.exists(), true);
          assert.equal(found.name, mine.get(id).name);
          assert.equal(found.status, mine.get(id).status);
        } else if (r < 0.45) {
          const id = pick([...mine.keys()]);
          const status = pick(STATUSES);
          const name = `${tenant}:${id}:${ops}`;
          const updated = await User.update(id, { name, status });
          assert.equal(updated.name, name);
          assert.equal(updated.status, status);
          mine.set(id, { name, status });
        } else if (r < 0.7) {
          const status = pick(STATUSES);
          const res = await User.queryByIndex('byStatus', status);
          const expected = [...mine].filter(([, v]) => v.status === status).map(([id]) => id).sort();
          assert.deepEqual(res.items.map((x) => x.getPrimaryId()).sort(), expected);
          for (const item of res.items) assert.ok(item.name.startsWith(`${tenant}:`), item.name);
        } else if (r < 0.85) {
          const foreign = registry.filter((e) => e.tenant !== tenant);
          if (foreign.length) {
            const found = await User.find(pick(foreign).id);
            assert.equal(found.exists(), false, 'another tenant\'s id is invisible');
          } else {
            assert.equal((await User.find(pick([...mine.keys()]))).exists(), true);
          }
        } else {
          const shared = await PkPrefix.find('shared');
          assert.equal(shared.exists(), true);
          assert.equal(shared.v, tenant, 'the modelPrefix-keyed row is per tenant');
        }
        ops++;
        here();
      }

      const byStatus = await Promise.all(STATUSES.map((s) => User.queryByIndex('byStatus', s)));
      const seen = byStatus.flatMap((res) => res.items.map((x) => x.getPrimaryId())).sort();
      assert.deepEqual(seen, [...mine.keys()].sort());
      assert.equal((await User.count()).count, USERS);
      opCounts.set(tenant, ops);
      return mine;
    });
  }

  const results = await Promise.all(tenants.map((t) => worker(t)));
  assert.equal(results.length, TENANTS);
  for (const t of tenants) assert.equal(opCounts.get(t), OPS);

  // Raw verification of everything this test wrote.
  const prefixOf = (pk) => {
    const m = /^\[([^\]]*)\]#/.exec(pk);
    return m ? m[1] : null;
  };
  const ours = new Set(tenants);
  const rows = await rawScanItems((it) => ours.has(prefixOf(it._pk)));
  const perTenant = new Map(tenants.map((t) => [t, []]));
  for (const row of rows) perTenant.get(prefixOf(row._pk)).push(row);

  for (const [tenant, tenantRows] of perTenant) {
    const p = `[${tenant}]#`;
    assert.equal(tenantRows.length, USERS + 2, `${tenant}: ${USERS} users + 1 AllTypes + 1 PkPrefix`);
    for (const row of tenantRows) {
      for (const [attr, value] of Object.entries(row)) {
        if (/^_gsi\d_pk$/.test(attr) || attr === '_iter_pk') {
          assert.ok(value.startsWith(p), `${attr}=${value} starts with ${p}`);
        }
      }
    }
    const users = tenantRows.filter((r) => r._pk.startsWith(`${p}u#`));
    assert.equal(users.length, USERS);
    for (const u of users) {
      assert.ok(u.name.startsWith(`${tenant}:`));
      assert.ok(u._gsi1_pk.startsWith(`${p}u#gsi1#`));
      assert.ok(u._iter_pk.startsWith(`${p}u#iter#`));
    }
    const shared = tenantRows.filter((r) => r._pk === `${p}pp`);
    assert.equal(shared.length, 1);
    assert.equal(shared[0]._sk, 'shared');
    assert.equal(shared[0].v, tenant);
    const at = tenantRows.filter((r) => r._pk.startsWith(`${p}at#`));
    assert.equal(at.length, 1);
    assert.equal(at[0].s, tenant);
    for (const attr of ['_gsi1_pk', '_gsi2_pk', '_gsi3_pk', '_iter_pk']) assert.ok(at[0][attr].startsWith(p), attr);
  }

  // No row anywhere carries one tenant's data under a different (or no) tenant prefix.
  const ids = [...ours];
  const strays = await rawScanItems((it) => {
    const text = JSON.stringify(it);
    return ids.some((t) => text.includes(t) && !it._pk.startsWith(`[${t}]#`));
  });
  assert.deepEqual(strays, []);
});
