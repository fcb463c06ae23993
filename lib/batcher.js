"use strict";
/**
 * Find batching inside `runWithBatchContext` (spec §5.6): finds issued within
 * `batchDelay` ms join one batch per model and delay, which one native
 * `batchFind` answers (one BatchGetItem per 100 keys). The pending batches
 * are the suite-visible `_getBatchRequests()` map: entries keyed
 * `${Model.name}-${batchDelay}` with `timer`, `timeoutTimer` and
 * `items[{id, callbacks[{resolve, reject}]}]`.
 */
const { ObjectNotFound } = require("./object-not-found.js");
const { BATCH_REQUEST_TIMEOUT } = require("./batch-context.js");
const { asTenant } = require("./native-ops.js");

/**
 * Resolves to the item (or ObjectNotFound) once the batch it joined ran. The
 * batch runs as the tenant it is kept under, whatever is current when its
 * timer fires.
 * @param {Function} M the model class
 * @param {{batchRequests: Map, tenant: string|null}} state the current tenant's pending batches
 * @param {string} primaryId
 * @param {number} batchDelay
 */
function enqueue(M, { batchRequests, tenant }, primaryId, batchDelay) {
  return new Promise((resolve, reject) => {
    const batchKey = `${M.name}-${batchDelay}`;
    let batch = batchRequests.get(batchKey);
    if (!batch) {
      // `byId` indexes `items`: a wave of finds otherwise scans the list once per find.
      batch = { model: M, tenant, items: [], byId: new Map(), timer: null, timeoutTimer: null, delay: batchDelay, createdAt: Date.now() };
      // Timers first: a batch in the map must always have a way to finish.
      batch.timer = setTimeout(() => run(M, batchRequests, batchKey, batch), batchDelay);
      batch.timeoutTimer = setTimeout(() => {
        if (batchRequests.get(batchKey) !== batch) return;
        clearTimeout(batch.timer);
        batchRequests.delete(batchKey);
        settle(batch, (cb) => cb.reject(new Error("Batch request timed out")));
      }, BATCH_REQUEST_TIMEOUT);
      batchRequests.set(batchKey, batch);
    }
    const existing = batch.byId.get(primaryId);
    if (existing) {
      existing.callbacks.push({ resolve, reject });
    } else {
      const entry = { id: primaryId, callbacks: [{ resolve, reject }] };
      batch.items.push(entry);
      batch.byId.set(primaryId, entry);
    }
  });
}

function settle(batch, fn) {
  for (const item of batch.items) item.callbacks.forEach(fn);
}

async function run(M, batchRequests, batchKey, batch) {
  if (batchRequests.get(batchKey) !== batch) return;
  batchRequests.delete(batchKey);
  clearTimeout(batch.timeoutTimer);
  try {
    const ids = batch.items.map((i) => i.id);
    const { items, ConsumedCapacity } = await asTenant(batch.tenant, () => M.batchFind(ids));
    const waiters = batch.items.reduce((n, i) => n + i.callbacks.length, 0);
    // Each waiter carries its share of the batch's read capacity.
    const share = { TableName: M.table, CapacityUnits: (ConsumedCapacity[0]?.CapacityUnits || 0) / waiters };
    for (const entry of batch.items) {
      let item = Object.hasOwn(items, entry.id) ? items[entry.id] : undefined;
      if (item) item._addConsumedCapacity(share, "read", false, true);
      else item = new ObjectNotFound(share);
      entry.callbacks.forEach((cb) => cb.resolve(item));
    }
  } catch (error) {
    settle(batch, (cb) => cb.reject(error));
  }
}

module.exports = { enqueue };
