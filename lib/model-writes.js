"use strict";
/** Writes (spec §5.7): create, update, delete and the save pipeline. */
const { pluginManager } = require("./plugin-manager.js");
const { ConfigurationError, ValidationError } = require("./exceptions.js");
const { decode } = require("./native-errors.js");
const { SYSTEM, isNullish, metaOf, checkId, dyFilter } = require("./model-registry.js");
const { callDb, operationTenant, asTenant } = require("./native-ops.js");

/**
 * A field's stored value, refused when JSON cannot carry it: a symbol or a
 * function would vanish (getting past `required`), and NaN, ±Infinity or an
 * invalid Date would become null, which erases the stored attribute.
 */
function storable(name, dy) {
  const type = typeof dy;
  let lost = null;
  if (type === "symbol" || type === "function" || type === "bigint") lost = `a ${type}`;
  else if (type === "number" && !Number.isFinite(dy)) lost = String(dy);
  else if (dy instanceof Date && Number.isNaN(dy.getTime())) lost = "an invalid Date";
  if (lost) throw new ValidationError(`Field ${name} cannot store ${lost}`, name, dy);
  return dy;
}

/**
 * Runs a write and its plugin hooks. Hooks are awaited before the write, so
 * with hooks the write runs as the tenant current at the call, not at the
 * end of the hooks; without hooks nothing is awaited before it.
 */
function withHooks(M, fn) {
  return pluginManager.hasPlugins(M.name) ? asTenant(operationTenant(M), fn) : fn();
}

const statics = {
  /**
   * Creates an item; fails with ConditionalError if its key already exists.
   * @param {object} jsData
   */
  async create(jsData) {
    if (!jsData || typeof jsData !== "object" || Array.isArray(jsData)) {
      throw new ValidationError("create takes an object of field values");
    }
    // Defaults are written into the caller's object, as in DynamoBao, unless it is frozen.
    if (!Object.isExtensible(jsData)) jsData = { ...jsData };
    return withHooks(this, async () => {
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "beforeSave", jsData, { isNew: true });
      const result = await this._saveItem(null, jsData, { isNew: true });
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "afterSave", result, { isNew: true });
      return result;
    });
  },

  /**
   * Updates the given fields of an existing item; ItemNotFoundError if it does not exist.
   * @param {string|object} primaryId
   * @param {object} jsUpdates
   * @param {{forceReindex?: boolean}} [options]
   */
  async update(primaryId, jsUpdates, options) {
    options = options ?? {};
    if (!jsUpdates || typeof jsUpdates !== "object" || Array.isArray(jsUpdates)) {
      throw new ValidationError("update takes an object of field values");
    }
    if (!Object.isExtensible(jsUpdates)) jsUpdates = { ...jsUpdates };
    const updateOptions = { isNew: false, ...options };
    return withHooks(this, async () => {
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "beforeSave", jsUpdates, updateOptions);
      const result = await this._saveItem(primaryId, jsUpdates, updateOptions);
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "afterSave", result, updateOptions);
      return result;
    });
  },

  /**
   * Deletes an item; resolves to the deleted instance, ItemNotFoundError if missing.
   * @param {string|object} primaryId
   * @param {{condition?: object}} [options]
   * @param {{_pk: string, _sk?: string}} [loaded] the stored key of the instance deleting itself
   */
  async delete(primaryId, options, loaded) {
    options = options ?? {};
    return withHooks(this, async () => {
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "beforeDelete", primaryId, options);
      checkId(primaryId);
      const payload = { primaryId, condition: options.condition ? dyFilter(options.condition, this) : undefined, loaded };
      const r = decode(await callDb(this, "delete", JSON.stringify(payload)), {
        primaryId,
        condition: options.condition,
      });
      const result = this._createFromDyItem(r.item);
      for (const c of r.capacity) result._addConsumedCapacity(c.consumedCapacity, c.type);
      if (pluginManager.hasPlugins(this.name)) await pluginManager.executeHooks(this.name, "afterDelete", primaryId, options);
      return result;
    });
  },

  /** Field descriptors run here; keys, expressions and the request in the core. */
  async _saveItem(primaryId, jsUpdates, options = {}) {
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
        dy[name] = storable(name, field.toDy(value));
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
    const payload = { isNew, dy, forceReindex, condition: condition ? dyFilter(condition, this) : undefined };
    if (!isNew) {
      checkId(primaryId);
      payload.primaryId = primaryId;
      if (instanceObj?.isLoaded()) payload.current = instanceObj._loadedDyData;
    }
    const r = decode(await callDb(this, "save", JSON.stringify(payload)), {
      primaryId,
      condition,
    });
    const result = this._createFromDyItem(r.item);
    for (const c of r.capacity) result._addConsumedCapacity(c.consumedCapacity, c.type);
    return result;
  },
};

module.exports = { statics };
