"use strict";
/**
 * Iteration and search (spec §5.11, §5.12): pages of the tenant's iteration
 * partitions, built by the core and sent through the model's documentClient.
 */
const { TenantContext } = require("./tenant-context.js");
const { assertFilterFitsIndex } = require("./native.js");
const { decode, native, fromNative } = require("./native-errors.js");
const { nativeOf, dbOf, dyFilter } = require("./model-registry.js");
const { operationTenant, asTenant } = require("./native-ops.js");
const { TENANT_REQUIRED_MESSAGE } = require("./messages.js");

// Search modules load on first use: most models never search, and each module
// loaded up front adds to every require() of the package.
const search = () => require("./search.js");
const searchText = () => require("./utils/search-text.js");

const statics = {
  /**
   * `{_iter_pk, _iter_sk}` of an item of this model for the tenant its
   * operations run as (empty for a model that is not iterable). With tenancy
   * on and no valid tenant it throws, as an operation would: the tenant that
   * was current at `initModels` is never a fallback.
   * @param {string} primaryId
   */
  _getIterationKeys(primaryId) {
    if (!this.iterable) return {};
    const tenant = operationTenant(this);
    if (tenant === null && this._config?.tenancy?.enabled) {
      throw fromNative({ code: "TENANT_REQUIRED", message: TENANT_REQUIRED_MESSAGE });
    }
    const [pk, sk] = native(() => nativeOf(this).iterationKeys(String(primaryId), tenant));
    return { _iter_pk: pk, _iter_sk: sk };
  },

  /**
   * Throws when a filter on an iteration index names attributes the index
   * does not project (DynamoDB would silently match nothing).
   * @param {string} indexName
   * @param {Record<string, string>} expressionAttributeNames
   */
  _assertFilterFitsIterIndex(indexName, expressionAttributeNames) {
    native(() => assertFilterFitsIndex(indexName, Object.values(expressionAttributeNames || {})));
  },

  /**
   * Every item of the current tenant, bucket by bucket, in batches.
   * @param {{batchSize?: number, filter?: object}} [options]
   * @returns {AsyncGenerator<BaoModel[]>}
   */
  async *iterateAll(options) {
    options = options ?? {};
    if (!this.iterable) throw new Error(`Model ${this.name} is not configured as iterable`);
    for (let bucket = 0; bucket < this.getIterationBuckets(); bucket++) {
      yield* this._iterateSingleBucket(bucket, options);
    }
  },

  /**
   * The items of one iteration bucket (for parallel scans across workers).
   * @param {number} bucketNum 0 … iterationBuckets - 1
   * @param {{batchSize?: number, filter?: object}} [options]
   */
  async *iterateBucket(bucketNum, options = {}) {
    if (!this.iterable) throw new Error(`Model ${this.name} is not configured as iterable`);
    if (bucketNum < 0 || bucketNum >= this.iterationBuckets) {
      throw new Error(`Invalid bucket number ${bucketNum}. Must be 0-${this.iterationBuckets - 1}`);
    }
    yield* this._iterateSingleBucket(bucketNum, options);
  },

  async *_iterateSingleBucket(bucket, { batchSize = 100, filter = null } = {}) {
    let startKey;
    do {
      const page = await this._iterationPage(bucket, { batchSize, filter, startKey });
      if (page.items.length) yield page.items;
      startKey = page.lek || undefined;
    } while (startKey);
  },

  /**
   * One page of an iteration partition: the core builds the Query, which goes
   * through `documentClient` (the seam users intercept), then `batchFind`
   * hydrates the keys in index order.
   * @returns {Promise<{items: BaoModel[], lek: object|null}>}
   */
  async _iterationPage(bucket, { batchSize, filter = null, search, startKey } = {}) {
    const [scope, als] = TenantContext._nativeArgs();
    const plan = JSON.stringify({
      bucket: bucket ?? 0,
      batchSize,
      filter: filter ? dyFilter(filter, this) : undefined,
      search,
      startKey,
    });
    // The page's Query and its hydration run as the tenant the Query was
    // built for: the ids it returns are that tenant's.
    const tenant = operationTenant(this);
    const params = decode(dbOf(this).iterationQuery(scope, tenant ?? als, nativeOf(this), plan));
    const response = await asTenant(tenant, () => this._runIterationQuery(params, params.IndexName));
    const ids = (response.Items || []).map((item) => item._iter_sk);
    let items = [];
    if (ids.length) {
      const { items: found } = await asTenant(tenant, () => this.batchFind(ids));
      items = ids.map((id) => (Object.hasOwn(found, id) ? found[id] : undefined)).filter(Boolean);
    }
    return { items, lek: response.LastEvaluatedKey || null };
  },

  /** Sends an iteration Query, pointing a missing index at `bao-update-table`. */
  async _runIterationQuery(params, indexName) {
    const { QueryCommand } = require("./dynamodb-client.js");
    try {
      return await this.documentClient.send(new QueryCommand(params));
    } catch (error) {
      const message = error?.message || "";
      const missingIndex =
        /does not have the specified index/i.test(message) ||
        message.includes(`specified index: ${indexName}`) ||
        (error?.name === "ResourceNotFoundException" && message.toLowerCase().includes("index"));
      if (missingIndex) {
        throw new Error(`Index '${indexName}' is missing on table '${this.table}'. Run 'bao-update-table' to add it.`);
      }
      throw error;
    }
  },

  /**
   * Items of the current tenant whose `_searchText` contains the terms.
   * @param {string[]} terms
   * @param {{operator?: "$and"|"$or", limit?: number, cursor?: string|null, batchSize?: number, filter?: object, parallel?: boolean, maxQueriesPerBucket?: number}} [options]
   * @returns {Promise<{items: BaoModel[], cursor: string|null}>}
   */
  async searchAll(terms, options = {}) {
    search().assertSearchable(this);
    return search().searchPaged(this, terms, options, Array.from({ length: this.iterationBuckets }, (_, b) => b));
  },

  /** `searchAll` limited to one bucket (for fan-out across workers). */
  async searchBucket(bucketNum, terms, options = {}) {
    search().assertSearchable(this);
    if (!Number.isInteger(bucketNum) || bucketNum < 0 || bucketNum >= this.iterationBuckets) {
      throw new Error(`Invalid bucket number ${bucketNum}. Must be 0-${this.iterationBuckets - 1}`);
    }
    return search().searchPaged(this, terms, options, [bucketNum]);
  },

  _assertSearchable() {
    search().assertSearchable(this);
  },

  tokenizeSearchQuery(query) {
    return searchText().tokenizeSearchQuery(query);
  },

  normalizeSearchTerm(term) {
    return searchText().normalizeSearchTerm(term, this.searchConfig || {});
  },
};

module.exports = { statics };
