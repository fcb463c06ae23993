"use strict";
/**
 * The one place that turns the native core's errors into exception classes:
 * async operations resolve to JSON (a result or `{error}`), sync calls throw
 * errors whose `code` is the core's stable error code.
 */
const {
  ConfigurationError,
  ValidationError,
  QueryError,
  ItemNotFoundError,
  ConditionalError,
  TenantRequiredError,
} = require("./exceptions.js");

/**
 * A native error description (`{code, message, fieldName?, operation?, awsName?}`)
 * as the matching exception.
 * @param {{code: string, message: string, fieldName?: string, operation?: string, awsName?: string}} e
 * @param {{primaryId?: any}} [context]
 * @returns {Error}
 */
function fromNative(e, context = {}) {
  let err;
  switch (e.code) {
    case "VALIDATION":
      err = new ValidationError(e.message, e.fieldName ?? null);
      break;
    case "INVALID_TENANT_ID":
    case "TENANT_MISMATCH":
      err = new ValidationError(e.message);
      err.code = e.code;
      break;
    case "TENANT_REQUIRED":
      err = new TenantRequiredError(e.message);
      break;
    case "CONFIGURATION":
      err = new ConfigurationError(e.message, context.modelName ?? null);
      break;
    case "QUERY":
      err = new QueryError(e.message, context.indexName ?? null, e.fieldName ?? null);
      break;
    case "ITEM_NOT_FOUND":
      err = new ItemNotFoundError(e.message, context.primaryId ?? null);
      break;
    case "CONDITIONAL":
      err = new ConditionalError(e.message, e.operation ?? null, context.condition ?? e.fieldName ?? null);
      break;
    case "DYNAMODB":
      // Untranslated service errors keep the AWS error name, as in the original.
      err = new Error(e.message);
      err.name = e.awsName || "DynamoDBError";
      err.code = e.awsName || "DYNAMODB";
      break;
    default:
      err = new Error(e.message);
      err.code = e.code || "INTERNAL";
  }
  // Network failures, timeouts, throttling and 5xx after the SDK's retries.
  if (e.retryable) err.retryable = true;
  return err;
}

/**
 * Decodes what an async native operation resolved to.
 * @param {string} json
 * @param {object} [context] details the native side does not know (the id asked for)
 * @param {(key: string, value: any) => any} [reviver] for `JSON.parse`
 */
function decode(json, context, reviver) {
  const r = JSON.parse(json, reviver);
  if (r.error) throw fromNative(r.error, context);
  return r;
}

/**
 * Runs a synchronous native call, turning its error into the matching class.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function native(fn, context) {
  try {
    return fn();
  } catch (e) {
    if (e && typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) {
      throw fromNative({ code: e.code, message: e.message }, context);
    }
    throw e;
  }
}

module.exports = { fromNative, decode, native };
