"use strict";
/**
 * BaoModel: the class users extend (spec §5). Instances hold dy values and
 * track changes; every read and write goes to the native core with the
 * tenant of the current async context, which resolves and validates it.
 */
const assert = require("node:assert");
const { NativeModel, assertFilterFitsIndex } = require("./native.js");
const { TenantContext } = require("./tenant-context.js");
const { ObjectNotFound } = require("./object-not-found.js");
const { pluginManager } = require("./plugin-manager.js");
const batch = require("./batch-context.js");
const { fieldKind } = require("./field-kinds.js");
const { RelatedFieldClass, TtlFieldClass, StringFieldClass, BinaryFieldClass } = require("./fields.js");
const { toDyFilter } = require("./filter-expression.js");
const { enqueue } = require("./batcher.js");
const { assertSearchable, searchPaged } = require("./search.js");
const searchText = require("./utils/search-text.js");
const { SYSTEM_FIELDS } = require("./constants.js");
const { BATCH_CONTEXT_REQUIRED_MESSAGE } = require("./messages.js");
const configs = require("./model-config.js");
const { ConfigurationError, ValidationError, QueryError } = require("./exceptions.js");
const { decode, native } = require("./native-errors.js");
const { defaultLogger: logger } = require("./utils/logger.js");

/** Constructor argument that builds an instance from a stored item. */
const HYDRATE = Symbol("hydrate");
const SYSTEM = new Set(SYSTEM_FIELDS);
const isNullish = (v) => v === null || v === undefined;

/**
 * Per-class facts derived from the statics, built once per registration.
 * @type {WeakMap<Function, {fields: Array<[string, object]>, byName: Map<string, object>, native: NativeModel}>}
 */
const classMeta = new WeakMap();

function schemaOf(M) {
  const fields = Object.entries(M.fields || {});
  const pk = M.primaryKey;
  return {
    name: M.name,
    prefix: M.modelPrefix || null,
    fields: fields.map(([name, f]) => ({ name, kind: fieldKind(f) })),
    primaryKey: pk ? { pk: pk.pk, sk: pk.sk } : null,
    indexes: Object.entries(M.indexes || {}).map(([name, ix]) =>
      ix instanceof configs.PrimaryKeyConfig || ix === pk
        ? { name, primaryKey: true }
        : { name, pk: ix.pk, sk: ix.sk, indexId: ix.indexId ?? null },
    ),
    uniqueConstraints: Object.entries(M.uniqueConstraints || {}).map(([name, uc]) => ({
      name,
      field: uc.field,
      constraintId: uc.constraintId,
    })),
    iterable: M.iterable === true,
    iterationBuckets: M.iterationBuckets ?? 100,
    searchConfig: M.searchable && M.searchConfig ? M.searchConfig : undefined,
  };
}

function installAccessors(M, fields) {
  for (const [name, field] of fields) {
    const related = field instanceof RelatedFieldClass;
    Object.defineProperty(M.prototype, name, {
      configurable: true,
      get() {
        return field.fromDy(this._dyData[name], this, name);
      },
      set(value) {
        const dy = field.toDy(value);
        if (dy !== this._dyData[name]) {
          this._dyData[name] = dy;
          this._changes.add(name);
          if (related) delete this._relatedObjects[name];
        }
      },
    });
  }
}

/** The class's meta, built on first use. */
function metaOf(M) {
  let m = classMeta.get(M);
  if (!m) {
    const fields = Object.entries(M.fields || {});
    installAccessors(M, fields);
    const binary = fields.filter(([, f]) => f instanceof BinaryFieldClass).map(([name]) => name);
    m = { fields, byName: new Map(fields), binary, native: null };
    classMeta.set(M, m);
  }
  return m;
}

/**
 * The class's schema as registered with the native core. Built lazily, so an
 * invalid class can still be constructed; its first key operation throws.
 */
function nativeOf(M) {
  const m = metaOf(M);
  if (!m.native) {
    m.native = native(() => new NativeModel(JSON.stringify(schemaOf(M))), { modelName: M.name });
  }
  return m.native;
}

/** The native table handle of an initialised class. */
function dbOf(M) {
  if (!M._db) {
    throw new ConfigurationError(`Model ${M.name} is not initialised: call initModels() first`, M.name);
  }
  return M._db;
}

class BaoModel {
  static modelPrefix = null;
  static fields = {};
  static primaryKey = null;
  static indexes = {};
  static uniqueConstraints = {};
  static iterable = false;
  static iterationBuckets = 100;
  static searchable = false;
  static searchConfig = null;
  static defaultQueryLimit = 100;
  static table = null;
  static documentClient = null;
  static _tenantId = null;
  static _testId = null;
  static _config = null;
  static _db = null;

  /**
   * A new, unsaved instance. Missing fields get their initial values.
   * @param {object} [jsData]
   */
  constructor(jsData = {}) {
    const M = this.constructor;
    const meta = metaOf(M);
    this._dyData = {};
    this._loadedDyData = {};
    this._changes = new Set();
    this._relatedObjects = {};
    this._consumedCapacity = [];
    if (jsData === HYDRATE) return;
    for (const key of Object.keys(jsData)) if (SYSTEM.has(key)) this._dyData[key] = jsData[key];
    for (const [name, field] of meta.fields) {
      const v = jsData[name] === undefined ? field.getInitialValue() : jsData[name];
      this._dyData[name] = field.toDy(v);
    }
  }

  // ---- keys -------------------------------------------------------------

  /** The id `find` takes: `pk`, `sk`, or `pk##__SK__##sk` (built by the native key codec). */
  static getPrimaryId(data) {
    if (!data) throw new ValidationError("Data object is required for _getPrimaryKeyValues call");
    const nm = nativeOf(this);
    const { pk, sk } = this.primaryKey || {};
    const keyData = {};
    if (pk in data) keyData[pk] = data[pk];
    if (sk in data) keyData[sk] = data[sk];
    return native(() => nm.primaryId(JSON.stringify(keyData)), { modelName: this.name });
  }

  /**
   * Joins already-converted key parts into a primary id.
   * @param {string} pk
   * @param {string} sk
   */
  static makePrimaryId(pk, sk) {
    return nativeOf(this).makePrimaryId(String(pk), String(sk));
  }

  /**
   * `{_iter_pk, _iter_sk}` of an item of this model for the current tenant
   * (empty for a model that is not iterable).
   * @param {string} primaryId
   */
  static _getIterationKeys(primaryId) {
    if (!this.iterable) return {};
    const tenant = TenantContext.getCurrentTenant() || this._tenantId || null;
    const [pk, sk] = native(() => nativeOf(this).iterationKeys(String(primaryId), tenant));
    return { _iter_pk: pk, _iter_sk: sk };
  }

  /**
   * Throws when a filter on an iteration index names attributes the index
   * does not project (DynamoDB would silently match nothing).
   * @param {string} indexName
   * @param {Record<string, string>} expressionAttributeNames
   */
  static _assertFilterFitsIterIndex(indexName, expressionAttributeNames) {
    native(() => assertFilterFitsIndex(indexName, Object.values(expressionAttributeNames || {})));
  }

  static _getPkValue(data) {
    if (!data) throw new ValidationError("Data object is required for static _getPkValue call");
    return this.primaryKey.pk === "modelPrefix" ? this.modelPrefix : data[this.primaryKey.pk];
  }

  static _getSkValue(data) {
    if (!data) throw new ValidationError("Data object is required for static _getSkValue call");
    return this.primaryKey.sk === "modelPrefix" ? this.modelPrefix : data[this.primaryKey.sk];
  }

  /** A field by name; system fields and "modelPrefix" read as plain strings. */
  static _getField(name) {
    if (name === "modelPrefix" || SYSTEM.has(name)) return new StringFieldClass();
    const field = this.fields?.[name];
    if (!field) throw new ConfigurationError(`Field ${name} not found in ${this.name} fields`, this.name);
    return field;
  }

  static getIterationBuckets() {
    return this.iterable ? this.iterationBuckets : 1;
  }

  static isInsideBatchContext() {
    return batch.isInsideBatchContext();
  }

  /** The manager of the current tenant (or of the class's init tenant). */
  static get manager() {
    const { ModelManager } = require("./model-manager.js");
    return ModelManager.getInstance(TenantContext.getCurrentTenant() || this._tenantId);
  }

  // ---- configuration ----------------------------------------------------

  /**
   * Checks the class's statics (spec §5.1) and registers its schema with the
   * native core; throws ConfigurationError with DynamoBao's messages.
   */
  static _validateConfiguration() {
    const name = this.name;
    if (!this.modelPrefix) throw new ConfigurationError(`${name} must define a modelPrefix`, name);
    if (!this.primaryKey) throw new ConfigurationError(`${name} must define a primaryKey`, name);
    for (const [fname, field] of Object.entries(this.fields || {})) {
      if (field instanceof TtlFieldClass && fname !== "ttl") {
        throw new ConfigurationError(`TtlField must be named 'ttl', found '${fname}' in ${name}`, name);
      }
    }
    for (const [iname, ix] of Object.entries(this.indexes || {})) {
      if (iname.startsWith("_")) {
        throw new ConfigurationError(`Index name '${iname}' in ${name} cannot start with underscore`, name);
      }
      for (const f of [ix.pk, ix.sk]) {
        if (typeof f === "string" && f !== "modelPrefix" && f.startsWith("_")) {
          throw new ConfigurationError(`Index '${iname}' references invalid field '${f}' (cannot start with underscore)`, name);
        }
      }
    }
    if (Object.prototype.hasOwnProperty.call(this, "iterable")) {
      if (typeof this.iterable !== "boolean") throw new ConfigurationError(`iterable must be a boolean in ${name}`, name);
    } else {
      this.iterable = false;
    }
    if (this.iterable) {
      if (!Object.prototype.hasOwnProperty.call(this, "iterationBuckets")) {
        this.iterationBuckets = 100;
      } else if (!Number.isInteger(this.iterationBuckets) || this.iterationBuckets < 1 || this.iterationBuckets > 1000) {
        throw new ConfigurationError(`iterationBuckets must be an integer between 1 and 1000 in ${name}`, name);
      }
    }
    if (this.searchable === true) {
      if (!this.searchConfig || typeof this.searchConfig !== "object") {
        throw new ConfigurationError(
          `${name} has \`searchable: true\` but no \`searchConfig\`. ` +
            "Re-run codegen, or set `static searchConfig = { fields: [...] }` on the class.",
          name,
        );
      }
      if (!Array.isArray(this.searchConfig.fields) || this.searchConfig.fields.length === 0) {
        throw new ConfigurationError(`${name} \`searchConfig.fields\` must be a non-empty array.`, name);
      }
    }
    // Key fields must be present on every item.
    const { pk, sk } = this.primaryKey;
    for (const [f, role] of [[pk, "Primary key"], [sk, "Sort key"]]) {
      const field = f !== "modelPrefix" ? this.fields?.[f] : null;
      if (field && !field.required) {
        logger.warn(`Warning: ${role} field '${f}' in ${name} was not explicitly marked as required. Marking as required automatically.`);
        field.required = true;
      }
    }
    classMeta.delete(this);
    nativeOf(this);
    return true;
  }

  // ---- instances --------------------------------------------------------

  /** A model instance from a stored item (dy values, including key attributes). */
  static _createFromDyItem(item) {
    const inst = new this(HYDRATE);
    inst._dyData = reviveBinary(this, item);
    inst._loadedDyData = { ...item };
    return inst;
  }

  getPrimaryId() {
    return this.constructor.getPrimaryId(this._dyData);
  }

  _getPkValue() {
    return this.constructor._getPkValue(this._dyData);
  }

  _getSkValue() {
    return this.constructor._getSkValue(this._dyData);
  }

  hasChanges() {
    return this._changes.size > 0;
  }

  isLoaded() {
    return Object.keys(this._loadedDyData).length > 0;
  }

  exists() {
    return true;
  }

  _getAllData() {
    const out = {};
    for (const [name, field] of metaOf(this.constructor).fields) out[name] = field.fromDy(this._dyData[name]);
    return out;
  }

  _getChanges() {
    const meta = metaOf(this.constructor);
    const out = {};
    for (const name of this._changes) {
      const field = meta.byName.get(name);
      if (field) out[name] = field.fromDy(this._dyData[name]);
    }
    return out;
  }

  _resetChangeTracking() {
    this._loadedDyData = { ...this._dyData };
    this._changes.clear();
  }

  /**
   * Writes this instance: all fields when new (or `forceReindex`), else only
   * the changed ones through `Model.update`. A loaded instance without
   * changes is returned as is, without a request.
   * @param {{forceReindex?: boolean, [k: string]: any}} [options]
   */
  async save(options = {}) {
    const { forceReindex = false, ...rest } = options;
    if (!forceReindex && !this.hasChanges() && this.isLoaded()) return this;
    const isNew = !this.isLoaded();
    const changes = isNew || forceReindex ? this._getAllData() : this._getChanges();
    const opts = { ...rest, instanceObj: this, forceReindex };
    if (isNew) opts.isNew = true;
    const updated = await this.constructor.update(this.getPrimaryId(), changes, opts);
    this._dyData = updated._dyData;
    this._resetChangeTracking();
    return this;
  }

  /** Deletes this item (the guide's `sub.delete()`); resolves to the deleted instance. */
  async delete(options = {}) {
    return this.constructor.delete(this.getPrimaryId(), options);
  }

  // ---- related objects (spec §5.10) --------------------------------------

  /** The model class a RelatedField points to, from the manager that registered this class. */
  static _relatedModel(modelName) {
    return (this._manager || this.manager).getModel(modelName);
  }

  /**
   * The object a RelatedField refers to, loaded once and cached on this instance.
   * @param {string} fieldName
   */
  async getOrLoadRelatedField(fieldName) {
    if (this._relatedObjects[fieldName]) return this._relatedObjects[fieldName];
    const field = this.constructor.fields?.[fieldName];
    if (!field?.modelName) throw new ConfigurationError(`Field ${fieldName} is not a valid relation field`);
    const id = this._dyData[fieldName];
    if (!id) return null;
    const Target = this.constructor._relatedModel(field.modelName);
    this._relatedObjects[fieldName] = await Target.find(id);
    return this._relatedObjects[fieldName];
  }

  /**
   * Loads the objects of every RelatedField with a value (or only `fieldNames`), in parallel.
   * @param {string[]|null} [fieldNames]
   */
  async loadRelatedData(fieldNames = null) {
    const loads = [];
    for (const [name, field] of metaOf(this.constructor).fields) {
      if (!(field instanceof RelatedFieldClass) || (fieldNames && !fieldNames.includes(name))) continue;
      const id = this._dyData[name];
      if (!id) continue;
      const Target = this.constructor._relatedModel(field.modelName);
      loads.push(Target.find(id).then((obj) => (this._relatedObjects[name] = obj)));
    }
    await Promise.all(loads);
    return this;
  }

  /** A related object loaded earlier (undefined if never loaded). */
  getRelated(fieldName) {
    const field = this.constructor.fields?.[fieldName];
    if (!(field instanceof RelatedFieldClass)) throw new ConfigurationError(`Field ${fieldName} is not a RelatedField`);
    return this._relatedObjects[fieldName];
  }

  clearRelatedCache(fieldName) {
    delete this._relatedObjects[fieldName];
  }

  // ---- consumed capacity (spec §5.13) ----------------------------------

  _addConsumedCapacity(capacity, type, isRelated = false, skipContextAccumulation = false) {
    if (type !== "read" && type !== "write") throw new ValidationError(`Invalid consumed capacity type: ${type}`);
    if (!capacity) return;
    if (Array.isArray(capacity)) {
      for (const c of capacity) this._addConsumedCapacity(c, type, isRelated, skipContextAccumulation);
      return;
    }
    const raw = capacity.consumedCapacity ?? capacity;
    this._consumedCapacity.push({ consumedCapacity: raw, fromContext: isRelated, type });
    if (!isRelated && !skipContextAccumulation) batch._accumulateCapacityToContext(raw, type);
  }

  _setConsumedCapacity(capacity, type, isRelated = false) {
    this.clearConsumedCapacity();
    this._addConsumedCapacity(capacity, type, isRelated);
  }

  getConsumedCapacity() {
    return this._consumedCapacity;
  }

  clearConsumedCapacity() {
    this._consumedCapacity = [];
  }

  /**
   * @param {"read"|"write"|"total"} type
   * @param {boolean} [includeRelated]
   */
  getNumericConsumedCapacity(type, includeRelated = false) {
    if (!["read", "write", "total"].includes(type)) {
      throw new ValidationError(`Invalid consumed capacity type: ${type}`);
    }
    let sum = 0;
    for (const c of this._consumedCapacity) {
      if (c.fromContext) continue;
      if (type === "total" || c.type === type) sum += c.consumedCapacity?.CapacityUnits || 0;
    }
    if (includeRelated) {
      for (const rel of Object.values(this._relatedObjects)) {
        if (rel) sum += rel.getNumericConsumedCapacity(type, true);
      }
    }
    return sum;
  }

  // ---- reads ------------------------------------------------------------

  /**
   * One item by primary id; `ObjectNotFound` (with `exists() === false`) when
   * missing. Inside `runWithBatchContext` finds are cached per context and
   * tenant, and finds within `batchDelay` ms share one BatchGetItem.
   * @param {string|object} primaryId
   * @param {{batchDelay?: number, bypassCache?: boolean}} [options]
   */
  static async find(primaryId, options = {}) {
    const batchDelay = options.batchDelay ?? batch.DEFAULT_BATCH_DELAY_MS;
    const bypassCache = options.bypassCache ?? false;
    const state = contextState(this);
    if (!state) return this._executeFindDirect(primaryId);
    if (!bypassCache && state.loaderContext.has(primaryId)) return state.loaderContext.get(primaryId);
    if (batchDelay === 0) {
      const result = await this._executeFindDirect(primaryId);
      if (!bypassCache) state.loaderContext.set(primaryId, result);
      return result;
    }
    return enqueue(this, state.batchRequests, primaryId, batchDelay);
  }

  /** One GetItem, no batching or caching. */
  static async _executeFindDirect(primaryId) {
    checkId(primaryId);
    const [scope, als] = TenantContext._nativeArgs();
    const r = decode(await dbOf(this).find(scope, als, nativeOf(this), JSON.stringify(primaryId)), { primaryId });
    if (!r.item) {
      batch._accumulateCapacityToContext(r.consumedCapacity, "read");
      return new ObjectNotFound(r.consumedCapacity);
    }
    const inst = this._createFromDyItem(r.item);
    inst._addConsumedCapacity(r.consumedCapacity, "read");
    return inst;
  }

  /**
   * The current context's pending find batches for the current tenant
   * (`null` outside a context; throws when a context is required).
   */
  static _getBatchRequests() {
    return contextState(this)?.batchRequests ?? null;
  }

  /**
   * Items of one partition of an index (or of the primary key alias).
   * @param {string} indexName
   * @param {any} pkValue
   * @param {object|null} [skCondition] `{field: value}` or `{field: {$gt|$gte|$lt|$lte|$between|$beginsWith: value}}`
   * @param {{limit?: number, direction?: "ASC"|"DESC", startKey?: object, countOnly?: boolean, returnWrapped?: boolean}} [options]
   */
  static async queryByIndex(indexName, pkValue, skCondition = null, options = {}) {
    const ix = this.indexes?.[indexName];
    if (!ix) throw new QueryError(`Index "${indexName}" not found in ${this.name} model`, indexName);
    return runQuery(this, indexName, ix, pkValue, skCondition, options);
  }

  /** Items of one table partition (`queryByIndex` on the primary key). */
  static async queryByPrimaryKey(pkValue, skCondition = null, options = {}) {
    return runQuery(this, null, this.primaryKey, pkValue, skCondition, options);
  }

  /**
   * How many items the current tenant has (the guide's `User.count()`); needs
   * an iterable model, whose iteration partitions are counted. A filter may
   * only name what the iteration index projects (`_searchText` on
   * `iter_search_index`); use `queryByIndex(..., {countOnly: true, filter})`
   * to count by other fields.
   * @returns {Promise<{count: number, consumedCapacity: object}>}
   */
  static async count(filter = null) {
    const [scope, als] = TenantContext._nativeArgs();
    const payload = JSON.stringify(toDyFilter(filter, this) ?? null);
    const r = decode(await dbOf(this).count(scope, als, nativeOf(this), payload), { modelName: this.name });
    batch._accumulateCapacityToContext(r.consumedCapacity, "read");
    return r;
  }

  /**
   * Items by primary id, in chunks of 100; missing ids are simply absent.
   * @param {Array<string|object>} primaryIds
   * @returns {Promise<{items: Record<string, BaoModel>, ConsumedCapacity: object[]}>}
   */
  static async batchFind(primaryIds) {
    if (!primaryIds || primaryIds.length === 0) return { items: {}, ConsumedCapacity: [] };
    const state = contextState(this);
    const items = {};
    const missing = [];
    for (const id of primaryIds) {
      const cached = state?.loaderContext.get(id);
      // A cached hit is answered with a fresh instance of the cached data.
      if (cached && cached.exists()) items[id] = this._createFromDyItem({ ...cached._dyData });
      else if (!missing.includes(id)) missing.push(id);
    }
    if (missing.length === 0) return { items, ConsumedCapacity: [] };
    const [scope, als] = TenantContext._nativeArgs();
    const r = decode(await dbOf(this).batchFind(scope, als, nativeOf(this), JSON.stringify(missing)));
    warnUnprocessed(r.unprocessed);
    batch._accumulateCapacityToContext(r.consumedCapacity, "read");
    for (const [id, dy] of r.items) {
      items[id] = this._createFromDyItem(dy);
      state?.loaderContext.set(id, items[id]);
    }
    return { items, ConsumedCapacity: r.consumedCapacity };
  }

  /**
   * Every item of the current tenant, bucket by bucket, in batches.
   * @param {{batchSize?: number, filter?: object}} [options]
   * @returns {AsyncGenerator<BaoModel[]>}
   */
  static async *iterateAll(options = {}) {
    if (!this.iterable) throw new Error(`Model ${this.name} is not configured as iterable`);
    for (let bucket = 0; bucket < this.getIterationBuckets(); bucket++) {
      yield* this._iterateSingleBucket(bucket, options);
    }
  }

  /**
   * The items of one iteration bucket (for parallel scans across workers).
   * @param {number} bucketNum 0 … iterationBuckets - 1
   * @param {{batchSize?: number, filter?: object}} [options]
   */
  static async *iterateBucket(bucketNum, options = {}) {
    if (!this.iterable) throw new Error(`Model ${this.name} is not configured as iterable`);
    if (bucketNum < 0 || bucketNum >= this.iterationBuckets) {
      throw new Error(`Invalid bucket number ${bucketNum}. Must be 0-${this.iterationBuckets - 1}`);
    }
    yield* this._iterateSingleBucket(bucketNum, options);
  }

  static async *_iterateSingleBucket(bucket, { batchSize = 100, filter = null } = {}) {
    let startKey;
    do {
      const page = await this._iterationPage(bucket, { batchSize, filter, startKey });
      if (page.items.length) yield page.items;
      startKey = page.lek || undefined;
    } while (startKey);
  }

  /**
   * One page of an iteration partition: the core builds the Query, which goes
   * through `documentClient` (the seam users intercept), then `batchFind`
   * hydrates the keys in index order.
   * @returns {Promise<{items: BaoModel[], lek: object|null}>}
   */
  static async _iterationPage(bucket, { batchSize, filter = null, search, startKey } = {}) {
    const [scope, als] = TenantContext._nativeArgs();
    const plan = JSON.stringify({
      bucket: bucket ?? 0,
      batchSize,
      filter: filter ? toDyFilter(filter, this) : undefined,
      search,
      startKey,
    });
    const params = decode(dbOf(this).iterationQuery(scope, als, nativeOf(this), plan));
    const response = await this._runIterationQuery(params, params.IndexName);
    const ids = (response.Items || []).map((item) => item._iter_sk);
    let items = [];
    if (ids.length) {
      const { items: found } = await this.batchFind(ids);
      items = ids.map((id) => found[id]).filter(Boolean);
    }
    return { items, lek: response.LastEvaluatedKey || null };
  }

  /** Sends an iteration Query, pointing a missing index at `bao-update-table`. */
  static async _runIterationQuery(params, indexName) {
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
  }

  // ---- search (spec §5.12) ------------------------------------------------

  /**
   * Items of the current tenant whose `_searchText` contains the terms.
   * @param {string[]} terms
   * @param {{operator?: "$and"|"$or", limit?: number, cursor?: string|null, batchSize?: number, filter?: object, parallel?: boolean, maxQueriesPerBucket?: number}} [options]
   * @returns {Promise<{items: BaoModel[], cursor: string|null}>}
   */
  static async searchAll(terms, options = {}) {
    assertSearchable(this);
    return searchPaged(this, terms, options, Array.from({ length: this.iterationBuckets }, (_, b) => b));
  }

  /** `searchAll` limited to one bucket (for fan-out across workers). */
  static async searchBucket(bucketNum, terms, options = {}) {
    assertSearchable(this);
    if (!Number.isInteger(bucketNum) || bucketNum < 0 || bucketNum >= this.iterationBuckets) {
      throw new Error(`Invalid bucket number ${bucketNum}. Must be 0-${this.iterationBuckets - 1}`);
    }
    return searchPaged(this, terms, options, [bucketNum]);
  }

  static _assertSearchable() {
    assertSearchable(this);
  }

  static tokenizeSearchQuery(query) {
    return searchText.tokenizeSearchQuery(query);
  }

  static normalizeSearchTerm(term) {
    return searchText.normalizeSearchTerm(term, this.searchConfig || {});
  }

  // ---- writes -----------------------------------------------------------

  /**
   * Creates an item; fails with ConditionalError if its key already exists.
   * @param {object} jsData
   */
  static async create(jsData) {
    await pluginManager.executeHooks(this.name, "beforeSave", jsData, { isNew: true });
    const result = await this._saveItem(null, jsData, { isNew: true });
    await pluginManager.executeHooks(this.name, "afterSave", result, { isNew: true });
    return result;
  }

  /**
   * Updates the given fields of an existing item; ItemNotFoundError if it does not exist.
   * @param {string|object} primaryId
   * @param {object} jsUpdates
   * @param {{forceReindex?: boolean}} [options]
   */
  static async update(primaryId, jsUpdates, options = {}) {
    const updateOptions = { isNew: false, ...options };
    await pluginManager.executeHooks(this.name, "beforeSave", jsUpdates, updateOptions);
    const result = await this._saveItem(primaryId, jsUpdates, updateOptions);
    await pluginManager.executeHooks(this.name, "afterSave", result, updateOptions);
    return result;
  }

  /**
   * Deletes an item; resolves to the deleted instance, ItemNotFoundError if missing.
   * @param {string|object} primaryId
   */
  static async delete(primaryId, options = {}) {
    await pluginManager.executeHooks(this.name, "beforeDelete", primaryId, options);
    checkId(primaryId);
    const payload = { primaryId, condition: options.condition ? toDyFilter(options.condition, this) : undefined };
    const [scope, als] = TenantContext._nativeArgs();
    const r = decode(await dbOf(this).delete(scope, als, nativeOf(this), JSON.stringify(payload)), {
      primaryId,
      condition: options.condition,
    });
    const result = this._createFromDyItem(r.item);
    for (const c of r.capacity) result._addConsumedCapacity(c.consumedCapacity, c.type);
    await pluginManager.executeHooks(this.name, "afterDelete", primaryId, options);
    return result;
  }

  /**
   * The item that owns a unique value (`ObjectNotFound` if none).
   * @param {string} constraintName a key of `static uniqueConstraints`
   * @param {any} value
   */
  static async findByUniqueConstraint(constraintName, value) {
    const constraint = this.uniqueConstraints?.[constraintName];
    if (!constraint) {
      throw new ConfigurationError(`Unknown unique constraint '${constraintName}' in ${this.name}`, this.name);
    }
    if (!value) throw new ValidationError(`${constraint.field} value is required`, constraint.field);
    const [scope, als] = TenantContext._nativeArgs();
    const payload = JSON.stringify({ name: constraintName, value });
    const r = decode(await dbOf(this).findByUnique(scope, als, nativeOf(this), payload));
    const [lookup, read] = r.consumedCapacity;
    if (!r.item) {
      batch._accumulateCapacityToContext([lookup, read], "read");
      return new ObjectNotFound(read || lookup);
    }
    const inst = this._createFromDyItem(r.item);
    inst._addConsumedCapacity(read, "read");
    inst._addConsumedCapacity(lookup, "read");
    return inst;
  }

  /**
   * Target items of an N:M mapping model: queries the mapping index and
   * returns the related objects of `targetField` (spec §5.8).
   */
  static async getRelatedObjectsViaMap(indexName, pkValue, targetField, mapSkCondition = null, limit = null, direction = "ASC", startKey = null) {
    return this.queryByIndex(indexName, pkValue, mapSkCondition, {
      loadRelated: true,
      relatedOnly: true,
      relatedFields: [targetField],
      limit,
      direction,
      startKey,
    });
  }

  /** Field descriptors run here; keys, expressions and the request in the core. */
  static async _saveItem(primaryId, jsUpdates, options = {}) {
    const { isNew = false, instanceObj = null, forceReindex = false, condition } = options;
    const meta = metaOf(this);
    const dy = {};
    for (const [name, field] of meta.fields) {
      if (isNew && jsUpdates[name] === undefined) {
        const init = field.getInitialValue();
        if (init !== undefined) jsUpdates[name] = init;
      }
      const value = jsUpdates[name];
      if (value !== undefined) {
        field.validate(value);
        dy[name] = field.toDy(value);
      } else {
        const next = field.updateBeforeSave(undefined);
        if (next !== undefined) dy[name] = field.toDy(next);
      }
    }
    if (isNew) {
      for (const [name, field] of meta.fields) {
        if (field.required && isNullish(jsUpdates[name])) {
          throw new ValidationError(`Field is required: ${name}`, name, jsUpdates[name]);
        }
      }
    }
    for (const key of Object.keys(jsUpdates)) {
      if (!meta.byName.has(key) && !SYSTEM.has(key)) {
        throw new ConfigurationError(`Field ${key} not found in ${this.name} fields`, this.name);
      }
    }
    const payload = { isNew, dy, forceReindex, condition: condition ? toDyFilter(condition, this) : undefined };
    if (!isNew) {
      checkId(primaryId);
      payload.primaryId = primaryId;
      if (instanceObj?.isLoaded()) payload.current = instanceObj._loadedDyData;
    }
    const [scope, als] = TenantContext._nativeArgs();
    const r = decode(await dbOf(this).save(scope, als, nativeOf(this), JSON.stringify(payload)), {
      primaryId,
      condition,
    });
    const result = this._createFromDyItem(r.item);
    for (const c of r.capacity) result._addConsumedCapacity(c.consumedCapacity, c.type);
    return result;
  }
}

/**
 * The current batch context's state for this model's tenant; `null` outside a
 * context, or an error when the model's config requires a context.
 */
function contextState(M) {
  const state = batch.tenantState(TenantContext.getCurrentTenant() || "", M.name);
  if (!state && M._config?.batchContext?.requireBatchContext) throw new Error(BATCH_CONTEXT_REQUIRED_MESSAGE);
  return state;
}

/** Binary attributes cross from the core as Buffer JSON; stored items hold Buffers. */
function reviveBinary(M, item) {
  for (const name of metaOf(M).binary) {
    const v = item[name];
    if (v && v.type === "Buffer" && Array.isArray(v.data)) item[name] = Buffer.from(v.data);
  }
  return item;
}

function warnUnprocessed(n) {
  if (n) console.warn(`Failed to process ${n} items after 3 retries`);
}

function checkId(primaryId) {
  if (primaryId === undefined || typeof primaryId === "function" || typeof primaryId === "symbol") {
    throw new ValidationError(`primaryId must be a string or an object. Got ${typeof primaryId}`);
  }
}

/** The stored form of a key value, as the field would store it. */
function keyDy(M, fieldName, value) {
  const field = fieldName && fieldName !== "modelPrefix" ? M.fields?.[fieldName] : null;
  return field && value !== undefined ? field.toDy(value) : value;
}

async function runQuery(M, indexName, ix, pkValue, skCondition, options) {
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
    countOnly: Boolean(options.countOnly),
    filter: options.filter ? toDyFilter(options.filter, M) : undefined,
  };
  const [scope, als] = TenantContext._nativeArgs();
  const r = decode(await dbOf(M).query(scope, als, nativeOf(M), JSON.stringify(request)), { indexName });
  batch._accumulateCapacityToContext(r.consumedCapacity, "read");
  if (options.countOnly) return { count: r.count, consumedCapacity: r.consumedCapacity };
  let items =
    options.returnWrapped === false ? r.items.map((i) => reviveBinary(M, i)) : r.items.map((i) => M._createFromDyItem(i));
  if (options.loadRelated && options.returnWrapped !== false) {
    await Promise.all(items.map((item) => item.loadRelatedData(options.relatedFields || null)));
  }
  if (options.relatedOnly) {
    assert(options.relatedFields?.length === 1, "relatedOnly requires a single entry in relatedFields");
    assert(options.loadRelated, "relatedOnly requires loadRelated to be true");
    items = items.map((item) => item.getRelated(options.relatedFields[0]));
  }
  return {
    items,
    count: items.length,
    lastEvaluatedKey: r.lastEvaluatedKey ?? undefined,
    consumedCapacity: r.consumedCapacity,
  };
}

/** Key configuration factories (the classes live in model-config.js). */
const PrimaryKeyConfig = (pk, sk) => new configs.PrimaryKeyConfig(pk, sk);
const IndexConfig = (pk, sk, indexId) => new configs.IndexConfig(pk, sk, indexId);
const UniqueConstraintConfig = (field, constraintId) => new configs.UniqueConstraintConfig(field, constraintId);
const BATCH_REQUEST_TIMEOUT = batch.BATCH_REQUEST_TIMEOUT;
/** Always undefined, as in DynamoBao (a name its model.js re-exports without defining). */
const BATCH_REQUESTS = undefined;

// Listed by name so Node finds the named exports for ESM imports.
module.exports = {
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  BATCH_REQUEST_TIMEOUT,
  BATCH_REQUESTS,
};
