"use strict";
/**
 * `runWithBatchContext` (spec §5.6, §5.13): an AsyncLocalStorage scope, kept
 * apart from the tenant scope, that accumulates the consumed capacity of the
 * operations run inside it. Find batching and the per-context cache arrive
 * with the batch issue; until then finds inside a context read directly.
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
  getBatchContextCapacity,
  _accumulateCapacityToContext,
  isInsideBatchContext,
  DEFAULT_BATCH_DELAY_MS,
  BATCH_REQUEST_TIMEOUT,
};
