"use strict";
/**
 * dynamo-bao-native: DynamoBao's API (`require("dynamo-bao")`) on a Rust core.
 * The export object has the original's keys, plus the integrations
 * `tenantMiddleware` (also `dynamo-bao-native/express`) and `withTenantHandler`
 * (also `dynamo-bao-native/lambda`).
 */
const { initModels } = require("./lib/init-models.js");
const { BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig } = require("./lib/model.js");
const { ModelManager } = require("./lib/model-manager.js");
const { TenantContext } = require("./lib/tenant-context.js");
const { runWithBatchContext, getBatchContextCapacity } = require("./lib/batch-context.js");
const fields = require("./lib/fields.js");
const constants = require("./lib/constants.js");
const exceptions = require("./lib/exceptions.js");

// Named here so Node's ESM loader sees them; replaced below by getters that
// load the integration on first use (require() time is every Lambda's cold start).
const tenantMiddleware = undefined;
const withTenantHandler = undefined;

/** Filled only when `MODELS_DIR` is set (DynamoBao's load-time side effect; not done here). */
const models = {};

// Listed by name so Node finds the named exports for ESM imports.
module.exports = {
  initModels,
  BaoModel,
  ModelManager,
  fields,
  TenantContext,
  runWithBatchContext,
  getBatchContextCapacity,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  constants,
  exceptions,
  models,
  tenantMiddleware,
  withTenantHandler,
};

for (const [name, file] of [
  ["tenantMiddleware", "./lib/integrations/express.js"],
  ["withTenantHandler", "./lib/integrations/lambda.js"],
]) {
  Object.defineProperty(module.exports, name, { enumerable: true, get: () => require(file)[name] });
}
