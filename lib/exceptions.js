"use strict";
/**
 * DynamoBao's exception classes (spec §7.1). Every error the library throws
 * carries a stable `code` string; `name` is a literal so minifiers cannot
 * change it. `native-errors.js` maps the core's errors onto these.
 */

/** Base class of every dynamo-bao error. */
class BaoError extends Error {
  /**
   * @param {string} message
   * @param {string|null} [code] stable machine-readable code
   */
  constructor(message, code = null) {
    super(message);
    this.name = "BaoError";
    this.code = code;
  }
}

/** A model or config that cannot work. */
class ConfigurationError extends BaoError {
  constructor(message, modelName = null) {
    super(message, "CONFIGURATION");
    this.name = "ConfigurationError";
    this.modelName = modelName;
  }
}

/** Bad input: field values, ids, tenant ids, cursors. */
class ValidationError extends BaoError {
  constructor(message, fieldName = null, value = null) {
    super(message, "VALIDATION");
    this.name = "ValidationError";
    this.fieldName = fieldName;
    this.value = value;
  }
}

/** A query that cannot be built. */
class QueryError extends BaoError {
  constructor(message, indexName = null, fieldName = null) {
    super(message, "QUERY");
    this.name = "QueryError";
    this.indexName = indexName;
    this.fieldName = fieldName;
  }
}

/** The item an update or delete targets does not exist. */
class ItemNotFoundError extends BaoError {
  constructor(message = "Item not found", primaryId = null) {
    super(message, "ITEM_NOT_FOUND");
    this.name = "ItemNotFoundError";
    this.primaryId = primaryId;
  }
}

/** A DynamoDB condition failed (duplicate create, unique value taken, `condition` option). */
class ConditionalError extends BaoError {
  constructor(message, operation = null, condition = null) {
    super(message, "CONDITIONAL");
    this.name = "ConditionalError";
    this.operation = operation;
    this.condition = condition;
  }
}

/** Kept for compatibility; the library does not throw it. */
class DataFormatError extends BaoError {
  constructor(message, data = null, expectedFormat = null) {
    super(message, "DATA_FORMAT");
    this.name = "DataFormatError";
    this.data = data;
    this.expectedFormat = expectedFormat;
  }
}

/**
 * Tenancy is enabled and no tenant is in scope. The message is DynamoBao's;
 * the original throws it only at `initModels`, this package on every operation.
 */
class TenantRequiredError extends BaoError {
  constructor(message) {
    super(message, "TENANT_REQUIRED");
    this.name = "TenantRequiredError";
  }
}

module.exports = {
  BaoError,
  ConfigurationError,
  ValidationError,
  QueryError,
  ItemNotFoundError,
  ConditionalError,
  DataFormatError,
  TenantRequiredError,
};
