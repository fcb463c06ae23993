"use strict";
/**
 * What the model classes share: per-class facts derived from the statics,
 * the accessors installed on each class, the schema registered with the
 * native core, and small checks every operation makes.
 */
const { NativeModel } = require("./native.js");
const { RelatedFieldClass, BinaryFieldClass } = require("./fields.js");
const { ConfigurationError, ValidationError } = require("./exceptions.js");
const { native } = require("./native-errors.js");
const { fieldKind } = require("./field-kinds.js");
const { SYSTEM_FIELDS } = require("./constants.js");
const configs = require("./model-config.js");

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
    const template = Object.fromEntries(fields.map(([name]) => [name, undefined]));
    // `names` and `list` are `fields` split in two, for the constructor's indexed loop.
    const names = fields.map(([name]) => name);
    const list = fields.map(([, field]) => field);
    m = { fields, names, list, byName: new Map(fields), binary, template, native: null };
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

function checkId(primaryId) {
  if (primaryId === undefined || typeof primaryId === "function" || typeof primaryId === "symbol") {
    throw new ValidationError(`primaryId must be a string or an object. Got ${typeof primaryId}`);
  }
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

/**
 * A filter or condition with its operands in stored form. The filter module
 * is loaded with the first filter: most operations have none, and require()
 * time is a Lambda's cold start.
 * @param {any} filter
 * @param {Function} M the model class whose fields the filter names
 */
let filterModule = null;
function dyFilter(filter, M) {
  if (filter == null) return filter;
  // A string or number would be falsy-skipped or ignored: a condition that
  // silently vanished would turn a conditional write into a plain one.
  if (typeof filter !== "object" || Array.isArray(filter)) {
    throw new ValidationError("A filter or condition must be an object in DynamoBao's filter syntax, e.g. { status: 'active' }");
  }
  return (filterModule ??= require("./filter-expression.js")).toDyFilter(filter, M);
}

/** Forgets a class's facts so the next use re-reads its statics (after validation adjusted them). */
function resetMeta(M) {
  classMeta.delete(M);
}

module.exports = { resetMeta, HYDRATE, SYSTEM, isNullish, schemaOf, metaOf, nativeOf, dbOf, checkId, reviveBinary, warnUnprocessed, dyFilter };
