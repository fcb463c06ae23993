"use strict";
/**
 * `runWithBatchContext` (spec §5.6, §5.13): an AsyncLocalStorage scope, kept
 * apart from the tenant scope, holding the find batches and the loader cache
 * of one unit of work (a request, a job) and the capacity it consumed.
 *
 * Batches and cache entries are kept per tenant: two tenants' finds in one
 * context never share a batch or a cached object (DynamoBao's cache is
 * tenant-blind).
 */
const { AsyncLocalStorage } = require("node:async_hooks");
const crypto = require("node:crypto");

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
      requestId: crypto.randomUUID(),
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
 * The batches and loader cache of one tenant in the current context, or
 * `null` outside a context.
 * @param {string} tenantKey
 * @returns {{batchRequests: Map, loaderContext: Map}|null}
 */
function tenantState(tenantKey) {
  const store = storage.getStore();
  if (!store?.batchRequests) return null;
  if (!tenantKey) return store;
  store.tenants ||= new Map();
  let state = store.tenants.get(tenantKey);
  if (!state) {
    state = { batchRequests: new Map(), loaderContext: new Map() };
    store.tenants.set(tenantKey, state);
  }
  return state;
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
