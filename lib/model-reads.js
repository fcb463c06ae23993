"use strict";
/**
 * Reads (spec §5.6, §5.8, §5.9): find with batch-context batching and
 * caching, batchFind, queries, counts and unique lookups.
 */
const { ObjectNotFound } = require("./object-not-found.js");
const batch = require("./batch-context.js");
const { BATCH_CONTEXT_REQUIRED_MESSAGE } = require("./messages.js");
const { ConfigurationError, ValidationError, QueryError } = require("./exceptions.js");
const { decode } = require("./native-errors.js");
const { callDb, operationTenant, asTenant } = require("./native-ops.js");
const { checkId, reviveBinary, warnUnprocessed, dyFilter } = require("./model-registry.js");

// batcher.js loads with the first batched find: many processes make none, and
// require() time is every Lambda's cold start.
let batcherModule = null;
const batcher = () => (batcherModule ??= require("./batcher.js"));

const statics = {
  /**
   * One item by primary id; `ObjectNotFound` (with `exists() === false`) when
   * missing. Inside `runWithBatchContext` finds are cached per context and
   * tenant, and finds within `batchDelay` ms share one BatchGetItem.
   * @param {string|object} primaryId
   * @param {{batchDelay?: number, bypassCache?: boolean}} [options]
   * @returns {Promise<BaoModel|ObjectNotFound>} rejects (never throws) on bad input
   */
  find(primaryId, options) {
    // Not `async`: in a wave of batched finds the wrapper's extra promise (and
    // its AsyncLocalStorage hooks) was a measurable share of each find.
    try {
      return findFrom(this, primaryId, options ?? {});
    } catch (error) {
      return Promise.reject(error);
    }
  },

  /** One GetItem, no batching or caching. */
  async _executeFindDirect(primaryId) {
    checkId(primaryId);
    const r = decode(await callDb(this, "find", JSON.stringify(primaryId)), { primaryId });
    if (!r.item) {
      batch._accumulateCapacityToContext(r.consumedCapacity, "read");
      return new ObjectNotFound(r.consumedCapacity);
    }
    const inst = this._createFromDyItem(r.item);
    inst._addConsumedCapacity(r.consumedCapacity, "read");
    return inst;
  },

  /**
   * The current context's pending find batches for the current tenant
   * (`null` outside a context; throws when a context is required).
   */
  _getBatchRequests() {
    return contextState(this)?.batchRequests ?? null;
  },

  /**
   * Items of one partition of an index (or of the primary key alias).
   * @param {string} indexName
   * @param {any} pkValue
   * @param {object|null} [skCondition] `{field: value}` or `{field: {$gt|$gte|$lt|$lte|$between|$beginsWith: value}}`
   * @param {{limit?: number, direction?: "ASC"|"DESC", startKey?: object, cursor?: string, countOnly?: boolean, returnWrapped?: boolean}} [options]
   *   `cursor`: the previous page's `cursor` — opaque, signed, and valid only
   *   for the same tenant, index and partition; `startKey` (the raw
   *   `lastEvaluatedKey`) still works and is checked to be in this partition.
   * @returns {Promise<{items: BaoModel[], count: number, lastEvaluatedKey?: object, cursor?: string, consumedCapacity: object}>}
   */
  async queryByIndex(indexName, pkValue, skCondition = null, options) {
    options = options ?? {};
    const ix = this.indexes?.[indexName];
    if (!ix) throw new QueryError(`Index "${indexName}" not found in ${this.name} model`, indexName);
    return runQuery(this, indexName, ix, pkValue, skCondition, options);
  },

  /** Items of one table partition (`queryByIndex` on the primary key). */
  async queryByPrimaryKey(pkValue, skCondition = null, options) {
    options = options ?? {};
    return runQuery(this, null, this.primaryKey, pkValue, skCondition, options);
  },

  /**
   * How many items the current tenant has (the guide's `User.count()`); needs
   * an iterable model, whose iteration partitions are counted. A filter may
   * only name what the iteration index projects (`_searchText` on
   * `iter_search_index`); use `queryByIndex(..., {countOnly: true, filter})`
   * to count by other fields.
   * @returns {Promise<{count: number, consumedCapacity: object}>}
   */
  async count(filter = null) {
    const payload = JSON.stringify(dyFilter(filter, this) ?? null);
    const r = decode(await callDb(this, "count", payload), { modelName: this.name });
    batch._accumulateCapacityToContext(r.consumedCapacity, "read");
    return r;
  },

  /**
   * Items by primary id, in chunks of 100; missing ids are simply absent.
   * @param {Array<string|object>} primaryIds
   * @returns {Promise<{items: Record<string, BaoModel>, ConsumedCapacity: object[]}>}
   */
  async batchFind(primaryIds) {
    if (!primaryIds || primaryIds.length === 0) return { items: {}, ConsumedCapacity: [] };
    if (!Array.isArray(primaryIds)) throw new ValidationError("batchFind takes an array of primary ids");
    const state = contextState(this);
    const items = idKeyedObject();
    const missing = new Set();
    for (const id of primaryIds) {
      const cached = state?.loaderContext.get(id);
      // A cached hit is answered with a fresh instance of the cached data.
      if (cached && cached.exists()) setOwn(items, id, this._createFromDyItem({ ...cached._dyData }));
      else missing.add(id);
    }
    if (missing.size === 0) return { items, ConsumedCapacity: [] };
    const r = decode(await callDb(this, "batchFind", JSON.stringify([...missing])));
    warnUnprocessed(r.unprocessed);
    batch._accumulateCapacityToContext(r.consumedCapacity, "read");
    for (const [id, dy] of r.items) {
      const inst = this._createFromDyItem(dy);
      setOwn(items, id, inst);
      state?.loaderContext.set(id, inst);
    }
    return { items, ConsumedCapacity: r.consumedCapacity };
  },

  /**
   * The item that owns a unique value (`ObjectNotFound` if none).
   * @param {string} constraintName a key of `static uniqueConstraints`
   * @param {any} value
   */
  async findByUniqueConstraint(constraintName, value) {
    const constraint = this.uniqueConstraints?.[constraintName];
    if (!constraint) {
      throw new ConfigurationError(`Unknown unique constraint '${constraintName}' in ${this.name}`, this.name);
    }
    if (!value) throw new ValidationError(`${constraint.field} value is required`, constraint.field);
    const payload = JSON.stringify({ name: constraintName, value });
    const r = decode(await callDb(this, "findByUnique", payload));
    const [lookup, read] = r.consumedCapacity;
    if (!r.item) {
      batch._accumulateCapacityToContext([lookup, read], "read");
      return new ObjectNotFound(read || lookup);
    }
    const inst = this._createFromDyItem(r.item);
    inst._addConsumedCapacity(read, "read");
    inst._addConsumedCapacity(lookup, "read");
    return inst;
  },
};

/** `find`'s work; throws where `find` rejects. */
function findFrom(M, primaryId, options) {
  if (options.batchDelay !== undefined && !(Number.isFinite(options.batchDelay) && options.batchDelay >= 0)) {
    throw new ValidationError("batchDelay must be a non-negative number of milliseconds");
  }
  const batchDelay = options.batchDelay ?? batch.DEFAULT_BATCH_DELAY_MS;
  const bypassCache = options.bypassCache ?? false;
  const state = contextState(M);
  if (!state) return M._executeFindDirect(primaryId);
  if (!bypassCache && state.loaderContext.has(primaryId)) return Promise.resolve(state.loaderContext.get(primaryId));
  if (batchDelay === 0) return findDirectCached(M, state, primaryId, bypassCache);
  // Checked before joining a batch: a bad id would otherwise fail every find in it.
  checkId(primaryId);
  return batcher().enqueue(M, state, primaryId, batchDelay);
}

async function findDirectCached(M, state, primaryId, bypassCache) {
  const result = await M._executeFindDirect(primaryId);
  if (!bypassCache) state.loaderContext.set(primaryId, result);
  return result;
}

/**
 * The current batch context's state for the tenant this model's operations
 * run as (`{batchRequests, loaderContext, tenant}`); `null` outside a context
 * and when the operation has no valid tenant though tenancy is on (it then
 * fails on the direct path, at once), or an error when the model's config
 * requires a context. The tenant is the core's own resolution, so the
 * batches and cache it keys are the ones the operation reads, strict mode
 * included.
 */
function contextState(M) {
  // Outside a context there is nothing to key by tenant: skip resolving it
  // (resolvers would otherwise run twice per find).
  if (!batch.isInsideBatchContext()) {
    if (M._config?.batchContext?.requireBatchContext) throw new Error(BATCH_CONTEXT_REQUIRED_MESSAGE);
    return null;
  }
  const tenant = operationTenant(M);
  if (tenant === null && M._config?.tenancy?.enabled) return null;
  return batch.tenantState(tenant ?? "", M.name);
}

/** The stored form of a key value, as the field would store it. */
function keyDy(M, fieldName, value) {
  const field = fieldName && fieldName !== "modelPrefix" ? (M.fields && Object.hasOwn(M.fields, fieldName) ? M.fields[fieldName] : null) : null;
  return field && value !== undefined ? field.toDy(value) : value;
}

function cursorOption(cursor) {
  if (cursor === undefined || cursor === null) return undefined;
  if (typeof cursor !== "string") throw new ValidationError("cursor must be the string a previous page returned");
  return cursor;
}

/**
 * A query page; with `loadRelated`, its items' related objects are loaded
 * after the page arrives, so the whole read is pinned to one tenant.
 */
async function runQuery(M, indexName, ix, pkValue, skCondition, options) {
  const page = () => queryPage(M, indexName, ix, pkValue, skCondition, options);
  return options.loadRelated ? asTenant(operationTenant(M), page) : page();
}

async function queryPage(M, indexName, ix, pkValue, skCondition, options) {
  let sk = null;
  if (skCondition) {
    if (typeof skCondition !== "object") throw new QueryError("Invalid condition format", indexName);
    sk = {};
    for (const [f, c] of Object.entries(skCondition)) {
      if (c === undefined) throw new QueryError("Sort key condition value cannot be undefined", indexName, f);
      if (c !== null && typeof c === "object" && !(c instanceof Date)) {
        sk[f] = Object.fromEntries(
          Object.entries(c).map(([op, v]) => [op, Array.isArray(v) ? v.map((x) => keyDy(M, f, x)) : keyDy(M, f, v)]),
        );
      } else {
        sk[f] = keyDy(M, f, c);
      }
    }
  }
  const request = {
    index: indexName,
    pkValue: keyDy(M, ix?.pk, pkValue) ?? null,
    skCondition: sk,
    limit: options.limit || M.defaultQueryLimit,
    direction: options.direction,
    startKey: options.startKey,
    cursor: cursorOption(options.cursor),
    countOnly: Boolean(options.countOnly),
    filter: options.filter ? dyFilter(options.filter, M) : undefined,
  };
  const r = decode(await callDb(M, "query", JSON.stringify(request)), { indexName });
  batch._accumulateCapacityToContext(r.consumedCapacity, "read");
  if (options.countOnly) return { count: r.count, consumedCapacity: r.consumedCapacity };
  let items =
    options.returnWrapped === false ? r.items.map((i) => reviveBinary(M, i)) : r.items.map((i) => M._createFromDyItem(i));
  if (options.loadRelated && options.returnWrapped !== false) {
    await Promise.all(items.map((item) => item.loadRelatedData(options.relatedFields || null)));
  }
  if (options.relatedOnly) {
    // Required here: loading node:assert up front added ~2 ms to every require() of the package.
    const assert = require("node:assert");
    assert(options.relatedFields?.length === 1, "relatedOnly requires a single entry in relatedFields");
    assert(options.loadRelated, "relatedOnly requires loadRelated to be true");
    items = items.map((item) => item.getRelated(options.relatedFields[0]));
  }
  const result = {
    items,
    count: items.length,
    lastEvaluatedKey: r.lastEvaluatedKey ?? undefined,
    consumedCapacity: r.consumedCapacity,
  };
  // Only pages with more to read carry one, so the original's result shape is kept otherwise.
  if (r.cursor) result.cursor = r.cursor;
  return result;
}

/**
 * A plain object (Object.prototype and all) for many unique keys such as
 * ids. Made in V8's dictionary mode from the start: adding unique keys to
 * `{}` makes a new hidden class per key, which cost 20–120 µs per
 * 100-item batchFind.
 */
function idKeyedObject() {
  return Object.setPrototypeOf(Object.create(null), Object.prototype);
}

/** `obj[key] = value` as an own property, even for ids such as "__proto__". */
function setOwn(obj, key, value) {
  // Only names Object.prototype has (an accessor such as __proto__ would run)
  // need defineProperty, which costs ~1 µs per item on a 100-item batch.
  if (key in Object.prototype) {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

module.exports = { statics };
