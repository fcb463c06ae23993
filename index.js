"use strict";
/**
 * dynamo-bao-native: DynamoBao's API (`require("dynamo-bao")`) on a Rust core.
 * The export object has exactly the original's keys.
 */
const { initModels } = require("./lib/init-models.js");
const { BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig } = require("./lib/model.js");
const { ModelManager } = require("./lib/model-manager.js");
const { TenantContext } = require("./lib/tenant-context.js");
const { runWithBatchContext, getBatchContextCapacity } = require("./lib/batch-context.js");
const fields = require("./lib/fields.js");
const constants = require("./lib/constants.js");
const exceptions = require("./lib/exceptions.js");

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
};
