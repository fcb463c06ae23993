"use strict";
/**
 * `dynamo-bao-native/testing`: a fresh tenant per test, and that tenant's
 * items deleted after it (those written through a `documentClient` too),
 * for Jest (or any runner with `beforeEach` / `afterEach` hooks).
 *
 *   const { useTestTenant } = require("dynamo-bao-native/testing");
 *   const t = useTestTenant({ models: [User] });
 *   test("…", async () => { await User.create({ name: "x" }); … t.tenantId … });
 *
 * How the test's tenant is made current: `TenantContext.setCurrentTenant`
 * (the process-wide fallback), not AsyncLocalStorage. Jest runs `beforeEach`
 * and the test from its own promise chain, so a store entered with
 * `AsyncLocalStorage.enterWith` in a hook is not the test's: with Jest 29 the
 * first test of a file saw it, every later test saw the first test's store,
 * that is, a stale tenant. The fallback is safe under `--maxWorkers` > 1: it
 * lives in the loaded copy of the library, Jest loads the library afresh for
 * every test file (its own module registry) and runs a file's tests one
 * after another, and every worker is a separate process.
 *
 * Limits: `tenancy.strict` ignores the fallback (wrap the test body in
 * `t.run(fn)`), and Jest 29 runs no `beforeEach`/`afterEach` for
 * `test.concurrent`, whose tests therefore have no tenant and fail closed with
 * `TENANT_REQUIRED` (use `runWithTenant(generateTestTenant(), fn)` there).
 */
const { TenantContext } = require("./tenant-context.js");
const { ModelManager } = require("./model-manager.js");
const { initModels } = require("./init-models.js");
const { BaoModel } = require("./model.js");
const { pluginManager } = require("./plugin-manager.js");
const { ulid } = require("./ulid.js");

/** The tenant of the running test, across every `useTestTenant` of this copy of the library. */
let active = null; // { tenantId, tracked: Map<Function, Set<string>>, rawWrites: Array }

/** Whether this copy of the library reports raw writes to `active` yet. */
let watchingRawWrites = false;

/**
 * Keeps the items the running test writes through a `documentClient` (as
 * its own tenant), which no model iteration or tracked save can find, for
 * its `afterEach` to delete.
 */
function watchRawWrites() {
  if (watchingRawWrites) return;
  watchingRawWrites = true;
  require("./dynamodb-client.js")._onWrite((write) => {
    if (!active) return;
    let tenant = null;
    try {
      tenant = TenantContext.getCurrentTenant();
    } catch {
      return; // a bad fallback or resolver value: the write itself failed on it
    }
    if (tenant === active.tenantId) active.rawWrites.push(write);
  });
}

/** Deletes, as `tenantId`, the items the test wrote through a `documentClient`. */
async function deleteRawWrites(tenantId, writes) {
  const { _send, DeleteCommand } = require("./dynamodb-client.js");
  const seen = new Set();
  await TenantContext.runWithTenant(tenantId, () =>
    Promise.all(
      writes.flatMap(({ db, wire, items }) =>
        items
          .filter((item) => {
            const id = JSON.stringify([item.TableName, item.Key, wire]);
            return !seen.has(id) && seen.add(id);
          })
          // DeleteItem of a missing item succeeds: one the test deleted itself is fine.
          .map((item) => _send(db, new DeleteCommand(item), wire)),
      ),
    ),
  );
}

/** Model names whose saves are tracked (a plugin is registered once per name). */
const trackedNames = new Set();

/**
 * A new test tenant id, `test-<ULID>` (a valid tenant id: letters, digits and `-`).
 * @param {string} [prefix] default `"test-"`
 * @returns {string}
 */
function generateTestTenant(prefix = "test-") {
  if (typeof prefix !== "string") throw new TypeError("generateTestTenant: prefix must be a string");
  return `${prefix}${ulid()}`;
}

/**
 * The guide's test set-up: makes `tenantId` the current tenant (the
 * process-wide fallback) and initialises the models with tenancy enabled.
 * `tenancy.strict` is turned off, since strict mode ignores that fallback.
 * Inside `useTestTenant`, the models' saves are tracked so that its
 * `afterEach` deletes items of non-iterable models too.
 * @param {object} config an `initModels` config (with `models`, or paths to them)
 * @param {string} tenantId
 * @returns {import("./model-manager.js").ModelManager}
 */
function initTestModelsWithTenant(config, tenantId) {
  if (config == null || typeof config !== "object") {
    throw new TypeError("initTestModelsWithTenant: config must be an initModels config object");
  }
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new TypeError("initTestModelsWithTenant: tenantId must be a non-empty string");
  }
  TenantContext.setCurrentTenant(tenantId);
  const manager = initModels({ ...config, tenancy: { ...config.tenancy, enabled: true, strict: false } });
  // Under useTestTenant, saves of these models are tracked for its afterEach.
  trackSaves(manager.getModels());
  return manager;
}

const isModelClass = (v) => typeof v === "function" && v.prototype instanceof BaoModel;

/**
 * Model classes from what `options.models` may hold: an array of classes, an
 * object of classes (`config.models`), a ModelManager, or a function
 * returning one of these (for classes assigned in a `beforeAll`).
 */
function modelList(spec) {
  let v = typeof spec === "function" && !isModelClass(spec) ? spec() : spec;
  if (v instanceof ModelManager) v = v.getModels();
  else if (isModelClass(v)) v = [v];
  else if (v && typeof v === "object" && !Array.isArray(v)) v = Object.values(v);
  if (!Array.isArray(v)) {
    throw new TypeError("useTestTenant: models must be an array or object of model classes, a ModelManager, or a function returning one");
  }
  for (const M of v) {
    if (!isModelClass(M)) throw new TypeError(`useTestTenant: ${String(M?.name || M)} is not a model class (it must extend BaoModel)`);
  }
  return [...new Set(v)];
}

/** Records every save made under the running test's tenant, so non-iterable models are cleaned too. */
function trackSaves(models) {
  for (const M of models) {
    if (trackedNames.has(M.name)) continue;
    trackedNames.add(M.name);
    pluginManager.registerPlugin(M.name, {
      afterSave(instance) {
        if (!active || !instance || typeof instance.getPrimaryId !== "function") return;
        let tenant = null;
        try {
          tenant = TenantContext.getCurrentTenant();
        } catch {
          return; // a bad fallback or resolver value fails the operation itself, not this hook
        }
        if (tenant !== active.tenantId) return;
        const Model = instance.constructor;
        if (!active.tracked.has(Model)) active.tracked.set(Model, new Set());
        active.tracked.get(Model).add(instance.getPrimaryId());
      },
    });
  }
}

async function deleteQuietly(M, primaryId) {
  try {
    await M.delete(primaryId);
    return 1;
  } catch (err) {
    if (err?.code === "ITEM_NOT_FOUND") return 0; // the test deleted it already
    throw err;
  }
}

/**
 * Deletes a tenant's items of the given models through the model API: every
 * item of an iterable model (by iteration), plus the ids in `tracked` of
 * those models. Models never initialised are skipped (nothing can have been
 * written through them).
 * @param {string} tenantId
 * @param {Array<Function>} models
 * @param {Map<Function, Set<string>>} [tracked]
 * @returns {Promise<number>} how many items were deleted
 */
async function cleanupTestTenant(tenantId, models, tracked = new Map()) {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new TypeError("cleanupTestTenant: tenantId must be a non-empty string");
  }
  const list = modelList(models);
  return TenantContext.runWithTenant(tenantId, async () => {
    let deleted = 0;
    for (const M of list) {
      if (!M._db || !M.iterable) continue;
      for await (const batch of M.iterateAll({ batchSize: 100 })) {
        const n = await Promise.all(batch.map((item) => deleteQuietly(M, item.getPrimaryId())));
        deleted += n.reduce((a, b) => a + b, 0);
      }
    }
    for (const [M, ids] of tracked) {
      if (!M._db || !list.includes(M)) continue;
      const n = await Promise.all([...ids].map((id) => deleteQuietly(M, id)));
      deleted += n.reduce((a, b) => a + b, 0);
    }
    return deleted;
  });
}

function hooksFrom(options) {
  const before = options.beforeEach ?? globalThis.beforeEach;
  const after = options.afterEach ?? globalThis.afterEach;
  if (typeof before !== "function" || typeof after !== "function") {
    throw new Error(
      "useTestTenant needs the test runner's beforeEach/afterEach: call it in a Jest test file " +
        "(at the top, or inside a describe block), or pass { beforeEach, afterEach } from your runner " +
        "(e.g. require('node:test'))",
    );
  }
  return { before, after };
}

/**
 * Gives every test of the file (or describe block) its own tenant,
 * `test-<ULID>`: made current in `beforeEach` (see the module comment for
 * why the fallback), its items deleted and the tenant cleared in `afterEach`.
 *
 * @param {object} [options]
 * @param {Array<Function>|Record<string, Function>|object|Function} [options.models]
 *   the models to clean up (classes, a ModelManager, or a function returning
 *   them); default: the models of `options.config`, else those registered
 *   for the test's tenant (`initTestModelsWithTenant(config, t.tenantId)`).
 *   `[]` skips clean-up.
 * @param {object} [options.config] when given, `initTestModelsWithTenant(config, tenantId)` runs in `beforeEach`
 * @param {string} [options.prefix] tenant id prefix, default `"test-"`
 * @param {Function} [options.beforeEach] the runner's hook (default: the global)
 * @param {Function} [options.afterEach] the runner's hook (default: the global)
 * @returns {{readonly tenantId: string, readonly manager: object|null, run: <T>(fn: () => T) => T}}
 */
function useTestTenant(options = {}) {
  if (options == null || typeof options !== "object") throw new TypeError("useTestTenant: options must be an object");
  const { prefix = "test-", config } = options;
  if (typeof prefix !== "string") throw new TypeError("useTestTenant: prefix must be a string");
  if (config !== undefined && (config === null || typeof config !== "object")) {
    throw new TypeError("useTestTenant: config must be an initModels config object");
  }
  // Classes given directly are checked now; a function is called when the hooks run.
  if (options.models != null && (typeof options.models !== "function" || isModelClass(options.models))) modelList(options.models);
  const { before, after } = hooksFrom(options);
  const state = { tenantId: null, manager: null, tracked: new Map(), rawWrites: [] };

  const models = () => {
    if (options.models != null) return modelList(options.models);
    if (state.manager) return state.manager.getModels();
    const manager = ModelManager._instances.get(state.tenantId);
    if (manager && manager.getModels().length) return manager.getModels();
    throw new Error(
      "useTestTenant: no models to clean up: pass { models: [User, …] } or { config }, or call " +
        "initTestModelsWithTenant(config, t.tenantId) in beforeEach ({ models: [] } skips clean-up)",
    );
  };

  before(async () => {
    if (active) {
      throw new Error(
        `useTestTenant: tenant ${active.tenantId} is still active; call useTestTenant once per test ` +
          "(not in both a describe block and its parent)",
      );
    }
    const tenantId = generateTestTenant(prefix);
    state.tenantId = tenantId;
    state.tracked = new Map();
    state.rawWrites = [];
    active = { tenantId, tracked: state.tracked, rawWrites: state.rawWrites };
    watchRawWrites();
    TenantContext.setCurrentTenant(tenantId);
    if (config) state.manager = initTestModelsWithTenant(config, tenantId);
    if (options.models != null || config) trackSaves(models());
  });

  after(async () => {
    const tenantId = state.tenantId;
    if (!tenantId) return;
    try {
      const list = models();
      await cleanupTestTenant(tenantId, list, state.tracked);
      // `models: []` opts out of clean-up, raw writes included.
      if (list.length) await deleteRawWrites(tenantId, state.rawWrites);
    } finally {
      if (active?.tenantId === tenantId) active = null;
      state.tenantId = null;
      state.manager = null;
      state.tracked = new Map();
      state.rawWrites = [];
      TenantContext.clearTenant();
      // setCurrentTenant and initModels keep a manager per tenant: drop this test's.
      ModelManager._instances.delete(tenantId);
      TenantContext._instances.delete(tenantId);
    }
  });

  const handle = {
    /** The running test's tenant id; throws outside a test. */
    get tenantId() {
      if (!state.tenantId) {
        throw new Error("useTestTenant: no test is running (the tenant is created in beforeEach and cleared in afterEach)");
      }
      return state.tenantId;
    },
    /** The manager `options.config` initialised for this test, else null. */
    get manager() {
      return state.manager;
    },
    /** Runs `fn` inside `runWithTenant(tenantId)` (for `tenancy.strict`, where the fallback does not count). */
    run(fn) {
      return TenantContext.runWithTenant(handle.tenantId, fn);
    },
  };
  return handle;
}

module.exports = { useTestTenant, initTestModelsWithTenant, generateTestTenant, cleanupTestTenant };
