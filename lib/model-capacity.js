"use strict";
/** Consumed capacity recorded on instances (spec §5.13). */
const batch = require("./batch-context.js");
const { ValidationError } = require("./exceptions.js");

const methods = {
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
  },

  _setConsumedCapacity(capacity, type, isRelated = false) {
    this.clearConsumedCapacity();
    this._addConsumedCapacity(capacity, type, isRelated);
  },

  getConsumedCapacity() {
    return this._consumedCapacity;
  },

  clearConsumedCapacity() {
    this._consumedCapacity = [];
  },

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
  },
};

module.exports = { methods };
