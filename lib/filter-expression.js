"use strict";
/**
 * DynamoBao's filter syntax (spec §5.8). The fields' `toDy` runs here, on the
 * operands; the expression itself — names `#n1…`, values `:v1…`, operators,
 * validation — is built by the native core, which also applies filters to
 * queries, counts and iteration.
 */

const LOGICAL = new Set(["$and", "$or"]);

/** A declared field of the model (never an inherited Object.prototype member). */
const ownField = (Model, name) => (Model?.fields && Object.hasOwn(Model.fields, name) ? Model.fields[name] : undefined);
const UNCONVERTED = new Set(["$exists", "$size"]);

/** A condition's operands in their stored form; unknown fields are left to the core to report. */
function conditionToDy(field, condition) {
  if (!field || condition === null || condition === undefined) return condition;
  if (typeof condition !== "object" || condition instanceof Date) return field.toDy(condition);
  if (Array.isArray(condition)) return condition;
  const out = {};
  for (const [op, value] of Object.entries(condition)) {
    if (UNCONVERTED.has(op)) out[op] = value;
    else if (op === "$in" && Array.isArray(value)) out[op] = value.map((v) => field.toDy(v));
    else out[op] = field.toDy(value);
  }
  return out;
}

/**
 * A filter with every operand converted by its field's `toDy`.
 * @param {object} filter
 * @param {Function} Model
 * @returns {object}
 */
function toDyFilter(filter, Model) {
  if (!filter || typeof filter !== "object" || Array.isArray(filter)) return filter;
  const out = {};
  for (const [key, value] of Object.entries(filter)) {
    if (LOGICAL.has(key)) out[key] = Array.isArray(value) ? value.map((f) => toDyFilter(f, Model)) : value;
    else if (key === "$not") out[key] = toDyFilter(value, Model);
    else out[key] = conditionToDy(ownField(Model, key), value);
  }
  return out;
}

/** Builds DynamoDB filter expressions from DynamoBao filters. */
class FilterExpressionBuilder {
  constructor() {
    this.names = {};
    this.values = {};
    this.nameCount = 0;
    this.valueCount = 0;
  }

  /**
   * @param {object} filter e.g. `{ status: "active", age: { $gt: 21 }, $or: [...] }`
   * @param {Function} model the model class whose fields the filter names
   * @returns {{FilterExpression: string, ExpressionAttributeNames: object, ExpressionAttributeValues: object}|null}
   */
  build(filter, model) {
    const { buildFilter } = require("./native.js");
    const { native } = require("./native-errors.js");
    const shape = JSON.stringify({ fields: Object.keys(model?.fields || {}), searchConfig: model?.searchConfig || null });
    const dyFilter = JSON.stringify(toDyFilter(filter ?? null, model) ?? null);
    const built = JSON.parse(native(() => buildFilter(shape, dyFilter)));
    if (!built) return null;
    this.names = built.ExpressionAttributeNames;
    this.values = built.ExpressionAttributeValues;
    this.nameCount = Object.keys(this.names).length;
    this.valueCount = Object.keys(this.values).length;
    return built;
  }
}

module.exports = { FilterExpressionBuilder, toDyFilter };
