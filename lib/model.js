"use strict";
/**
 * BaoModel: the class users extend (spec §5). Instances hold dy values and
 * track changes; every read and write goes to the native core with the
 * tenant of the current async context, which resolves and validates it.
 */
const { TenantContext } = require("./tenant-context.js");
const batch = require("./batch-context.js");
const { defaultLogger: logger } = require("./utils/logger.js");
const { TtlFieldClass, StringFieldClass } = require("./fields.js");
const { ConfigurationError, ValidationError } = require("./exceptions.js");
const { native } = require("./native-errors.js");
const { HYDRATE, SYSTEM, metaOf, nativeOf, reviveBinary, resetMeta } = require("./model-registry.js");
const configs = require("./model-config.js");
const reads = require("./model-reads.js");
const { assertInstanceTenant } = require("./native-ops.js");
const writes = require("./model-writes.js");
const capacity = require("./model-capacity.js");

/** `_loadedDyData` of an instance that was never read or saved (replaced, never written into). */
const NOT_LOADED = Object.freeze({});

/**
 * The functions of the concerns most models never use (iteration and search,
 * related objects), as stubs that load their module on first call:
 * require() time is a Lambda's cold start. __test__/load.test.js checks these
 * lists against the modules.
 */
const ON_FIRST_USE = {
  "./model-iteration.js": {
    statics: ["_getIterationKeys", "_assertFilterFitsIterIndex", "iterateAll", "iterateBucket", "_iterateSingleBucket",
      "_iterationPage", "_runIterationQuery", "searchAll", "searchBucket", "_assertSearchable", "tokenizeSearchQuery",
      "normalizeSearchTerm"],
  },
  "./model-related.js": {
    statics: ["_relatedModel", "getRelatedObjectsViaMap"],
    methods: ["getOrLoadRelatedField", "loadRelatedData", "getRelated", "clearRelatedCache"],
  },
};

function mixInOnFirstUse(Class) {
  for (const [file, parts] of Object.entries(ON_FIRST_USE)) {
    let mod = null;
    for (const [part, names] of Object.entries(parts)) {
      const target = part === "statics" ? Class : Class.prototype;
      for (const name of names) {
        target[name] = function (...args) {
          return (mod ??= require(file))[part][name].apply(this, args);
        };
      }
    }
  }
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
    const meta = metaOf(this.constructor);
    this._dyData = null;
    this._loadedDyData = NOT_LOADED;
    // The changed-field Set, the related objects and the capacity entries are
    // made on first use (see their accessors): most instances never need
    // some of them, and every allocation here is paid by every instance read.
    this._lazyChanges = null;
    this._lazyRelated = null;
    this._lazyCapacity = null;
    if (jsData === HYDRATE) return;
    if (jsData === null) throw new ValidationError(`${this.constructor.name} takes an object of field values, not null`);
    let dy = null;
    for (const key in jsData) {
      if (SYSTEM.has(key) && Object.hasOwn(jsData, key)) {
        dy ??= {};
        dy[key] = jsData[key];
      }
    }
    // Without system keys the stored object starts as a copy of the model's
    // field template, so the stores below overwrite properties instead of
    // adding one hidden-class transition per field (same keys, same order).
    dy ??= { ...meta.template };
    // Indexed loops over plain arrays: the first instances of a class run
    // in V8's interpreter, where destructuring iteration costs several times more.
    const { names, list } = meta;
    for (let i = 0; i < names.length; i++) {
      const field = list[i];
      const v = jsData[names[i]];
      dy[names[i]] = field.toDy(v === undefined ? field.getInitialValue() : v);
    }
    this._dyData = dy;
  }

  /** The names of the fields changed since the instance was read or saved (DynamoBao's `_changes`). */
  get _changes() {
    return (this._lazyChanges ??= new Set());
  }

  set _changes(set) {
    this._lazyChanges = set;
  }

  /** Related objects loaded so far, by field name. */
  get _relatedObjects() {
    return (this._lazyRelated ??= {});
  }

  set _relatedObjects(objects) {
    this._lazyRelated = objects;
  }

  /** Capacity entries of the requests that produced this instance. */
  get _consumedCapacity() {
    return (this._lazyCapacity ??= []);
  }

  set _consumedCapacity(entries) {
    this._lazyCapacity = entries;
  }

  // ---- keys -------------------------------------------------------------

  /** The id `find` takes: `pk`, `sk`, or `pk##__SK__##sk` (built by the native key codec). */
  static getPrimaryId(data) {
    if (!data || typeof data !== "object") throw new ValidationError("Data object is required for _getPrimaryKeyValues call");
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
    const field = this.fields && Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
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
      // A field is an object with the descriptor methods (a built-in field, or a custom one).
      if (field === null || typeof field !== "object" || typeof field.validate !== "function" || typeof field.toDy !== "function") {
        throw new ConfigurationError(`Field ${fname} in ${name} must be a field, such as StringField(), not ${field === null ? "null" : typeof field}`, name);
      }
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
    resetMeta(this);
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

  /**
   * This item's partition-key value. Generated related-query methods
   * (`user.queryPosts()`) query with it, so it is refused (`TENANT_MISMATCH`)
   * while a tenant other than the one this instance was read in is current.
   */
  _getPkValue() {
    assertInstanceTenant(this, "query its related items");
    return this.constructor._getPkValue(this._dyData);
  }

  _getSkValue() {
    return this.constructor._getSkValue(this._dyData);
  }

  hasChanges() {
    return this._lazyChanges !== null && this._lazyChanges.size > 0;
  }

  isLoaded() {
    return this._loadedDyData !== NOT_LOADED && Object.keys(this._loadedDyData).length > 0;
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
    for (const name of this._lazyChanges ?? []) {
      const field = meta.byName.get(name);
      if (field) out[name] = field.fromDy(this._dyData[name]);
    }
    return out;
  }

  _resetChangeTracking() {
    this._loadedDyData = { ...this._dyData };
    this._lazyChanges?.clear();
  }

  /**
   * Writes this instance: all fields when new (or `forceReindex`), else only
   * the changed ones through `Model.update`. A loaded instance without
   * changes is returned as is, without a request.
   * @param {{forceReindex?: boolean, [k: string]: any}} [options]
   */
  async save(options) {
    const { forceReindex = false, ...rest } = options ?? {};
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

  /**
   * Deletes this item (the guide's `sub.delete()`); resolves to the deleted
   * instance. An instance read in one tenant cannot delete while another is
   * current (`TENANT_MISMATCH`): it would remove that tenant's item of the
   * same id.
   * @param {{condition?: object}} [options]
   */
  async delete(options = {}) {
    const { _pk, _sk } = this._loadedDyData;
    return this.constructor.delete(this.getPrimaryId(), options, _pk === undefined ? undefined : { _pk, _sk });
  }
}

// The operations live in one module per concern and are mixed in, as in DynamoBao.
Object.assign(BaoModel, reads.statics, writes.statics);
Object.assign(BaoModel.prototype, capacity.methods);
mixInOnFirstUse(BaoModel);

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
// For __test__/load.test.js only (not a module path users import).
Object.defineProperty(module.exports, "_ON_FIRST_USE", { value: ON_FIRST_USE });
