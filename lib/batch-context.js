"use strict";
/**
 * `runWithBatchContext` (spec §5.6, §5.13): an AsyncLocalStorage scope, kept
 * apart from the tenant scope, holding the find batches and the loader cache
 * of one unit of work (a request, a job) and the capacity it consumed.
 *
 * Batches and cache entries are kept per tenant: two tenants' finds in one
 * context never share a batch or a cached object (DynamoBao's cache is
 * tenant-blind and model-blind).
 */
const { AsyncLocalStorage } = require("node:async_hooks");
// node:crypto is loaded on first use: requiring it up front cost ~3 ms of
// every require() of the package.
let randomUUID = null;

const DEFAULT_BATCH_DELAY_MS = 5;
const BATCH_REQUEST_TIMEOUT = 10000;

const storage = new AsyncLocalStorage();

/**
 * Runs `fn` in a fresh batch context; nested calls get their own.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function runWithBatchContext(fn) {
  return storage.run(
    {
      requestId: (randomUUID ??= require("node:crypto").randomUUID)(),
      batchRequests: new Map(),
      loaderContext: new Map(),
      timers: new Set(),
      startTime: Date.now(),
      capacityAccumulator: { read: 0, write: 0 },
    },
    fn,
  );
}

/**
 * The batches and loader cache of one tenant and model in the current
 * context, or `null` outside a context. Loader caches are per model too, so
 * two models sharing an id (User and Profile) never answer for each other.
 * @param {string} tenantKey the tenant, or `""` for none
 * @param {string} modelName
 * @returns {{batchRequests: Map, loaderContext: Map, tenant: string|null}|null}
 */
function tenantState(tenantKey, modelName) {
  const store = storage.getStore();
  if (!store?.batchRequests) return null;
  store.tenants ||= new Map();
  let tenant = store.tenants.get(tenantKey);
  if (!tenant) {
    // The default tenant keeps the original's store fields as its batch map.
    tenant = { batchRequests: tenantKey ? new Map() : store.batchRequests, loaders: new Map() };
    store.tenants.set(tenantKey, tenant);
  }
  let loaderContext = tenant.loaders.get(modelName);
  if (!loaderContext) {
    loaderContext = new Map();
    tenant.loaders.set(modelName, loaderContext);
  }
  return { batchRequests: tenant.batchRequests, loaderContext, tenant: tenantKey || null };
}

/** The capacity consumed so far in the current context (`{read: 0, write: 0}` outside one). */
function getBatchContextCapacity() {
  const acc = storage.getStore()?.capacityAccumulator;
  return acc ? { read: acc.read, write: acc.write } : { read: 0, write: 0 };
}

/**
 * Adds consumed capacity to the current context, if any.
 * @param {{CapacityUnits?: number}|Array|null} capacity
 * @param {"read"|"write"} type
 */
function _accumulateCapacityToContext(capacity, type) {
  const acc = storage.getStore()?.capacityAccumulator;
  if (!acc || !capacity) return;
  for (const c of Array.isArray(capacity) ? capacity : [capacity]) {
    if (c && typeof c.CapacityUnits === "number") acc[type] += c.CapacityUnits;
  }
}

function isInsideBatchContext() {
  return Boolean(storage.getStore()?.batchRequests);
}

module.exports = {
  runWithBatchContext,
  tenantState,
  getBatchContextCapacity,
  _accumulateCapacityToContext,
  isInsideBatchContext,
  DEFAULT_BATCH_DELAY_MS,
  BATCH_REQUEST_TIMEOUT,
};
