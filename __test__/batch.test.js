'use strict';
/**
 * find batching and the loader cache of `runWithBatchContext` (spec §5.6, §5.13), per tenant.
 *
 * The requests are counted by wrapping the static `IbItem.batchFind` (the batch window calls
 * `Model.batchFind(ids)` once per window; the `ConsumedCapacity` array it returns has one
 * entry per BatchGetItem request).
 *
 * Proves: 100 finds issued in one tick are answered by ONE batchFind with the 100 ids and ONE
 * BatchGetItem; 150 finds by one batchFind and TWO BatchGetItems; duplicate ids in a window
 * share one entry and resolve to the same object; a later find of a found id returns the same
 * object without I/O; missing ids give ObjectNotFound (not cached); batchFind answers cached
 * ids with a new instance and no request, and caches what it fetched; two tenants finding the same primary id
 * in one context (concurrently and one after the other) get different objects holding their
 * own tenant's data, and each tenant's second find returns its own cached object; two models
 * sharing a primary id each get their own instance from find in one context; nested
 * contexts have separate caches and the outer one resumes; getBatchContextCapacity() counts
 * reads (and writes) per context and is zero outside one; `batchDelay: 0` reads directly
 * (no batchFind) and caches the result, ObjectNotFound included; `bypassCache` reads fresh
 * data and leaves the cached object in place; outside a context every find is a fresh read;
 * find reports bad input by rejecting (never by throwing), and a bad id in a batch window fails
 * only its own find.
 */
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const {
  initModels,
  BaoModel,
  PrimaryKeyConfig,
  TenantContext,
  fields,
  runWithBatchContext,
  getBatchContextCapacity,
} = require('..');
const { config } = require('./helpers/models');
const { uid, ulid } = require('./helpers/ids');

const { UlidField, StringField } = fields;

class IbItem extends BaoModel {
  static modelPrefix = 'ib';
  static fields = {
    id: UlidField({ autoAssign: true }),
    name: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
}

/** A second model whose items can share primary ids with IbItem (e.g. a 1:1 "profile" model). */
class IbTwin extends BaoModel {
  static modelPrefix = 'ibt';
  static fields = {
    id: UlidField({ autoAssign: true }),
    label: StringField(),
  };
  static primaryKey = PrimaryKeyConfig('id');
}

const T = uid('ib-');
const ids = []; // 150 ids created in T, name = `n-<index>`
const nameOf = new Map();

before(async () => {
  TenantContext.reset();
  TenantContext.setCurrentTenant('ib-boot');
  try {
    initModels(config({ IbItem, IbTwin }));
  } finally {
    TenantContext.clearTenant();
  }
  await TenantContext.runWithTenant(T, async () => {
    for (let chunk = 0; chunk < 6; chunk++) {
      const made = await Promise.all(
        Array.from({ length: 25 }, (_, i) => IbItem.create({ name: `n-${chunk * 25 + i}` })),
      );
      for (const m of made) {
        ids.push(m.getPrimaryId());
        nameOf.set(m.getPrimaryId(), m.name);
      }
    }
  });
  assert.equal(ids.length, 150);
});

/**
 * Runs fn(calls) with IbItem.batchFind wrapped; every call records the ids it was given
 * and how many BatchGetItem requests it made (ConsumedCapacity.length).
 */
async function spyBatchFind(fn) {
  const hadOwn = Object.prototype.hasOwnProperty.call(IbItem, 'batchFind');
  const orig = IbItem.batchFind;
  const calls = [];
  IbItem.batchFind = async function (primaryIds) {
    const result = await orig.call(this, primaryIds);
    calls.push({ ids: [...primaryIds], requests: result.ConsumedCapacity.length, tenant: TenantContext.getCurrentTenant() });
    return result;
  };
  try {
    return await fn(calls);
  } finally {
    if (hadOwn) IbItem.batchFind = orig;
    else delete IbItem.batchFind;
  }
}

const inT = (fn) => TenantContext.runWithTenant(T, fn);

function checkFound(item, id) {
  assert.ok(item instanceof IbItem, `expected an IbItem for ${id}, got ${item}`);
  assert.equal(item.exists(), true);
  assert.equal(item.getPrimaryId(), id);
  assert.equal(item.name, nameOf.get(id));
}

test('100 finds in one tick: one batchFind with 100 ids, one BatchGetItem', async () => {
  const want = ids.slice(0, 100);
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const found = await Promise.all(want.map((id) => IbItem.find(id)));
        found.forEach((item, i) => checkFound(item, want[i]));
        assert.equal(calls.length, 1, 'one batchFind call for the window');
        assert.equal(calls[0].ids.length, 100);
        assert.deepEqual([...calls[0].ids].sort(), [...want].sort());
        assert.equal(calls[0].requests, 1, 'one BatchGetItem for 100 keys');
      }),
    ),
  );
});

test('150 finds in one tick: one batchFind, two BatchGetItems', async () => {
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const found = await Promise.all(ids.map((id) => IbItem.find(id)));
        found.forEach((item, i) => checkFound(item, ids[i]));
        assert.equal(calls.length, 1);
        assert.equal(calls[0].ids.length, 150);
        assert.equal(new Set(calls[0].ids).size, 150);
        assert.equal(calls[0].requests, 2, 'two BatchGetItems (100 + 50 keys)');
      }),
    ),
  );
});

test('duplicate ids share one entry and one object; later finds hit the cache', async () => {
  const [a, b, c] = ids.slice(10, 13);
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const res = await Promise.all([IbItem.find(a), IbItem.find(b), IbItem.find(a), IbItem.find(a), IbItem.find(b)]);
        assert.equal(calls.length, 1);
        assert.deepEqual([...calls[0].ids].sort(), [a, b].sort(), 'each id once');
        checkFound(res[0], a);
        checkFound(res[1], b);
        assert.equal(res[2], res[0], 'duplicate resolves to the same object');
        assert.equal(res[3], res[0]);
        assert.equal(res[4], res[1]);

        const later = await IbItem.find(a);
        assert.equal(later, res[0], 'a later find returns the cached object');
        assert.equal(calls.length, 1, 'no new batchFind for a cached id');
        const laterB = await IbItem.find(b, { batchDelay: 0 });
        assert.equal(laterB, res[1], 'cache applies whatever the batchDelay');

        // A mixed window: only the uncached id is fetched.
        const [again, fresh] = await Promise.all([IbItem.find(a), IbItem.find(c)]);
        assert.equal(again, res[0]);
        checkFound(fresh, c);
        assert.equal(calls.length, 2);
        assert.deepEqual(calls[1].ids, [c]);
        assert.equal(await IbItem.find(c), fresh);
      }),
    ),
  );
});

test('missing ids in a batch resolve to ObjectNotFound', async () => {
  const ghost = ulid();
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const [hit, miss, miss2] = await Promise.all([IbItem.find(ids[20]), IbItem.find(ghost), IbItem.find(ghost)]);
        checkFound(hit, ids[20]);
        assert.equal(miss.exists(), false);
        assert.equal(miss2.exists(), false);
        assert.equal(calls.length, 1);
        assert.deepEqual([...calls[0].ids].sort(), [ids[20], ghost].sort());
        // ObjectNotFound results of a batch are not cached (spec §5.6): a later find reads again.
        const missAgain = await IbItem.find(ghost);
        assert.equal(missAgain.exists(), false);
        assert.equal(calls.length, 2);
        assert.deepEqual(calls[1].ids, [ghost]);
      }),
    ),
  );
});

test('batchFind answers cached ids with a new instance of the cached data, without a request', async () => {
  const [a, b] = ids.slice(90, 92);
  await inT(() =>
    runWithBatchContext(async () => {
      const cached = await IbItem.find(a);
      const res = await IbItem.batchFind([a]);
      assert.deepEqual(res.ConsumedCapacity, [], 'no BatchGetItem for a cached id');
      checkFound(res.items[a], a);
      assert.notEqual(res.items[a], cached, 'a new instance');
      const mixed = await IbItem.batchFind([a, b, b]);
      assert.equal(mixed.ConsumedCapacity.length, 1, 'one BatchGetItem for the uncached id');
      assert.deepEqual(Object.keys(mixed.items).sort(), [a, b].sort());
      checkFound(mixed.items[b], b);
      assert.equal(await IbItem.find(b), mixed.items[b], 'batchFind results enter the loader cache');
    }),
  );
});

/** Tenants A and B, each with an IbItem of one id, named "name in A" and "name in B". */
async function oneIdInTwoTenants(prefix) {
  const A = uid(`${prefix}A-`);
  const B = uid(`${prefix}B-`);
  const id = ulid();
  await TenantContext.runWithTenant(A, () => IbItem.create({ id, name: 'name in A' }));
  await TenantContext.runWithTenant(B, () => IbItem.create({ id, name: 'name in B' }));
  return { A, B, id };
}

test('two tenants in one context: same primary id, separate objects and caches', async () => {
  const { A, B, id } = await oneIdInTwoTenants('ib');

  await spyBatchFind((calls) =>
    runWithBatchContext(async () => {
      const [ra, rb] = await Promise.all([
        TenantContext.runWithTenant(A, () => IbItem.find(id)),
        TenantContext.runWithTenant(B, () => IbItem.find(id)),
      ]);
      assert.notEqual(ra, rb, 'different objects');
      assert.equal(ra.name, 'name in A');
      assert.equal(rb.name, 'name in B');
      assert.equal(calls.length, 2, 'one batch per tenant');
      assert.deepEqual(calls.map((c) => c.tenant).sort(), [A, B].sort());

      const [ra2, rb2] = await Promise.all([
        TenantContext.runWithTenant(A, () => IbItem.find(id)),
        TenantContext.runWithTenant(B, () => IbItem.find(id)),
      ]);
      assert.equal(ra2, ra, "A's second find returns A's cached object");
      assert.equal(rb2, rb, "B's second find returns B's cached object");
      assert.equal(ra2.name, 'name in A');
      assert.equal(rb2.name, 'name in B');
      assert.equal(calls.length, 2, 'no new batchFind');
    }),
  );

  // One after the other: B's find must not be answered from A's cache.
  await runWithBatchContext(async () => {
    const ra = await TenantContext.runWithTenant(A, () => IbItem.find(id));
    const rb = await TenantContext.runWithTenant(B, () => IbItem.find(id));
    assert.equal(ra.name, 'name in A');
    assert.equal(rb.name, 'name in B');
    assert.notEqual(ra, rb);
    const rbDirect = await TenantContext.runWithTenant(B, () => IbItem.find(id, { batchDelay: 0 }));
    assert.equal(rbDirect, rb, "B's cache, not A's");
    // A tenant that has no such row sees ObjectNotFound, not a cached object of another tenant.
    const rc = await TenantContext.runWithTenant(uid('ibC-'), () => IbItem.find(id));
    assert.equal(rc.exists(), false);
  });
});

test('two models with the same primary id in one context: each find returns its own model', async () => {
  // The loader cache must not answer IbTwin.find(id) with the IbItem cached under the same id.
  await inT(async () => {
    const id = ulid();
    await IbItem.create({ id, name: 'the item' });
    await IbTwin.create({ id, label: 'the twin' });
    for (const batchDelay of [5, 0]) {
      await runWithBatchContext(async () => {
        const item = await IbItem.find(id, { batchDelay });
        const twin = await IbTwin.find(id, { batchDelay });
        assert.ok(item instanceof IbItem);
        assert.equal(item.name, 'the item');
        assert.ok(twin instanceof IbTwin, `batchDelay ${batchDelay}: IbTwin.find returned a ${twin.constructor.name}`);
        assert.equal(twin.label, 'the twin');
        assert.equal(await IbTwin.find(id), twin, 'and caches its own object');
        assert.equal(await IbItem.find(id), item);
      });
    }
  });
});

test('nested contexts have separate caches; the outer one resumes afterwards', async () => {
  const id = ids[30];
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const outer = await IbItem.find(id);
        checkFound(outer, id);
        assert.equal(calls.length, 1);
        const inner = await runWithBatchContext(async () => {
          assert.deepEqual(getBatchContextCapacity(), { read: 0, write: 0 }, 'fresh accumulator');
          const x = await IbItem.find(id);
          assert.equal(await IbItem.find(id), x, 'the inner context caches too');
          return x;
        });
        checkFound(inner, id);
        assert.notEqual(inner, outer, 'the inner context did not see the outer cache');
        assert.equal(calls.length, 2, 'the inner find was a read');
        assert.equal(await IbItem.find(id), outer, 'outer cache intact after the nested context');
        assert.equal(calls.length, 2);
      }),
    ),
  );
});

test('getBatchContextCapacity accumulates read (and write) capacity per context', async () => {
  assert.deepEqual(getBatchContextCapacity(), { read: 0, write: 0 }, 'zero outside a context');
  await inT(() =>
    runWithBatchContext(async () => {
      assert.deepEqual(getBatchContextCapacity(), { read: 0, write: 0 });
      await Promise.all(ids.slice(40, 60).map((id) => IbItem.find(id)));
      const afterBatch = getBatchContextCapacity();
      assert.ok(afterBatch.read > 0, `read capacity recorded (got ${afterBatch.read})`);
      assert.equal(afterBatch.write, 0);

      await IbItem.find(ids[40]); // cached: no capacity
      assert.equal(getBatchContextCapacity().read, afterBatch.read, 'a cached find adds nothing');

      await IbItem.find(ids[61], { batchDelay: 0 });
      const afterDirect = getBatchContextCapacity();
      assert.ok(afterDirect.read > afterBatch.read, 'a direct GetItem adds read capacity');

      await IbItem.find(ulid(), { batchDelay: 0 });
      assert.ok(getBatchContextCapacity().read > afterDirect.read, 'a miss is counted too');

      await IbItem.create({ name: 'capacity writer' });
      assert.ok(getBatchContextCapacity().write > 0, 'writes are accumulated as write');

      const snapshot = getBatchContextCapacity();
      snapshot.read = -1;
      assert.ok(getBatchContextCapacity().read > 0, 'the result is a copy');
    }),
  );
  assert.deepEqual(getBatchContextCapacity(), { read: 0, write: 0 }, 'zero again outside');
});

test('batchDelay: 0 reads directly and caches the result, ObjectNotFound included', async () => {
  const id = ids[70];
  const ghost = ulid();
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        const direct = await IbItem.find(id, { batchDelay: 0 });
        checkFound(direct, id);
        assert.equal(calls.length, 0, 'no batchFind for batchDelay 0');
        assert.equal(await IbItem.find(id), direct, 'a later batched find returns the cached object');
        assert.equal(await IbItem.find(id, { batchDelay: 0 }), direct);

        const miss = await IbItem.find(ghost, { batchDelay: 0 });
        assert.equal(miss.exists(), false);
        assert.equal(await IbItem.find(ghost, { batchDelay: 0 }), miss, 'ObjectNotFound cached for batchDelay 0');
        assert.equal(calls.length, 0);
      }),
    ),
  );
});

test('bypassCache reads fresh data and leaves the cached object in place', async () => {
  await inT(async () => {
    const target = await IbItem.create({ name: 'before' });
    const id = target.getPrimaryId();
    await runWithBatchContext(async () => {
      const cached = await IbItem.find(id);
      assert.equal(cached.name, 'before');
      await IbItem.update(id, { name: 'after' });
      const fresh = await IbItem.find(id, { bypassCache: true, batchDelay: 0 });
      assert.notEqual(fresh, cached, 'bypassCache returns a new object');
      assert.equal(fresh.name, 'after', 'read from the table');
      const batched = await IbItem.find(id, { bypassCache: true });
      assert.notEqual(batched, cached, 'batched bypassCache does not return the cached object');
      assert.equal(batched.getPrimaryId(), id);
    });
  });
});

test('outside a batch context every find is a fresh read', async () => {
  const id = ids[80];
  await spyBatchFind((calls) =>
    inT(async () => {
      const [x, y] = await Promise.all([IbItem.find(id), IbItem.find(id)]);
      checkFound(x, id);
      checkFound(y, id);
      assert.notEqual(x, y, 'no cache outside a context');
      assert.equal(calls.length, 0, 'no batching outside a context');
      assert.equal(IbItem.isInsideBatchContext(), false);
      await runWithBatchContext(async () => assert.equal(IbItem.isInsideBatchContext(), true));
    }),
  );
});

test('find rejects bad input instead of throwing, and a bad id fails only its own batched find', async () => {
  const id = ids[90];
  await spyBatchFind((calls) =>
    inT(() =>
      runWithBatchContext(async () => {
        let badDelay;
        let badId;
        let good;
        assert.doesNotThrow(() => {
          badDelay = IbItem.find(id, { batchDelay: -1 });
          badId = IbItem.find(undefined);
          good = IbItem.find(id);
        });
        await assert.rejects(badDelay, { name: 'ValidationError', message: /batchDelay must be a non-negative number/ });
        await assert.rejects(badId, { name: 'ValidationError', message: /primaryId must be a string or an object/ });
        checkFound(await good, id);
        assert.deepEqual(calls.map((c) => c.ids), [[id]], 'the bad id never joined the batch');
      }),
    ),
  );
  await inT(() => assert.rejects(IbItem.find(id, { batchDelay: 'soon' }), { name: 'ValidationError' }));
});

test('a find batch runs as the tenant its finds were made in, whatever is current when its window ends', async () => {
  const { A, B, id } = await oneIdInTwoTenants('ibp');
  try {
    // The process-wide fallback changed between two finds of one window.
    await runWithBatchContext(async () => {
      TenantContext.setCurrentTenant(A);
      const inA = IbItem.find(id);
      TenantContext.setCurrentTenant(B);
      const inB = IbItem.find(id);
      const [ra, rb] = await Promise.all([inA, inB]);
      assert.equal(ra.name, 'name in A');
      assert.equal(rb.name, 'name in B');
      TenantContext.clearTenant();
      assert.equal(await TenantContext.runWithTenant(A, () => IbItem.find(id)), ra, "A's object is in A's cache");
    });
    // The scope's own store changed (setCurrentTenant inside runWithTenant).
    await TenantContext.runWithTenant(A, () =>
      runWithBatchContext(async () => {
        const inA = IbItem.find(id);
        TenantContext.setCurrentTenant(B);
        assert.equal((await inA).name, 'name in A');
      }),
    );
  } finally {
    TenantContext.clearTenant();
  }
});
