"use strict";
/** Related objects (spec §5.10): RelatedField loaders on instances and N:M mapping queries. */
const { RelatedFieldClass } = require("./fields.js");
const { ConfigurationError } = require("./exceptions.js");
const { metaOf } = require("./model-registry.js");
const { assertInstanceTenant } = require("./native-ops.js");

const RELATED = "load its related objects";

const statics = {
  /** The model class a RelatedField points to, from the manager that registered this class. */
  _relatedModel(modelName) {
    return (this._manager || this.manager).getModel(modelName);
  },

  /**
   * Target items of an N:M mapping model: queries the mapping index and
   * returns the related objects of `targetField` (spec §5.8).
   */
  async getRelatedObjectsViaMap(indexName, pkValue, targetField, mapSkCondition = null, limit = null, direction = "ASC", startKey = null) {
    return this.queryByIndex(indexName, pkValue, mapSkCondition, {
      loadRelated: true,
      relatedOnly: true,
      relatedFields: [targetField],
      limit,
      direction,
      startKey,
    });
  },
};

const methods = {
  /**
   * The object a RelatedField refers to, loaded once and cached on this instance.
   * @param {string} fieldName
   */
  async getOrLoadRelatedField(fieldName) {
    if (this._relatedObjects[fieldName]) return this._relatedObjects[fieldName];
    const field = Object.hasOwn(this.constructor.fields || {}, fieldName) ? this.constructor.fields[fieldName] : null;
    if (!field?.modelName) throw new ConfigurationError(`Field ${fieldName} is not a valid relation field`);
    const id = this._dyData[fieldName];
    if (!id) return null;
    assertInstanceTenant(this, RELATED);
    const Target = this.constructor._relatedModel(field.modelName);
    this._relatedObjects[fieldName] = await Target.find(id);
    return this._relatedObjects[fieldName];
  },

  /**
   * Loads the objects of every RelatedField with a value (or only `fieldNames`), in parallel.
   * @param {string[]|null} [fieldNames]
   */
  async loadRelatedData(fieldNames = null) {
    if (fieldNames != null && !Array.isArray(fieldNames)) throw new ConfigurationError("loadRelatedData takes an array of field names");
    assertInstanceTenant(this, RELATED);
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
  },

  /** A related object loaded earlier (undefined if never loaded). */
  getRelated(fieldName) {
    const field = this.constructor.fields?.[fieldName];
    if (!(field instanceof RelatedFieldClass)) throw new ConfigurationError(`Field ${fieldName} is not a RelatedField`);
    return this._relatedObjects[fieldName];
  },

  clearRelatedCache(fieldName) {
    delete this._relatedObjects[fieldName];
  },
};

module.exports = { statics, methods };
