"use strict";
/**
 * `initModels(config)` (spec §2.4): merge the config onto the environment
 * defaults, find the model classes (given directly, from the generated
 * manifest, or by scanning `paths.modelsDir`) and wire them to the table.
 */
const fs = require("node:fs");
const path = require("node:path");
const moduleConfig = require("./config.js");
const { BaoModel } = require("./model.js");
const { ModelManager } = require("./model-manager.js");
const { TenantContext } = require("./tenant-context.js");
const { ConfigurationError } = require("./exceptions.js");
const { defaultLogger: logger } = require("./utils/logger.js");

const MERGED = ["aws", "db", "logging", "paths", "tenancy", "batchContext"];

function mergeConfig(user) {
  const out = { ...moduleConfig, ...user };
  for (const key of MERGED) out[key] = { ...moduleConfig[key], ...user[key] };
  out.models = user.models || moduleConfig.models || null;
  return out;
}

const isModelClass = (v) => typeof v === "function" && v.prototype instanceof BaoModel;

function registerGiven(manager, models) {
  if (typeof models !== "object" || Array.isArray(models)) {
    throw new ConfigurationError("models must be an object containing model classes");
  }
  for (const [name, Model] of Object.entries(models)) {
    if (typeof Model !== "function") throw new ConfigurationError(`Invalid model "${name}": must be a constructor function`);
    if (!(Model.prototype instanceof BaoModel)) throw new ConfigurationError(`Model "${name}" must extend BaoModel`);
    manager.registerModel(Model);
  }
  return { ...models };
}

function registerManifest(manager, manifestPath) {
  let mod;
  try {
    mod = require(manifestPath);
  } catch (e) {
    if (e.code === "MODULE_NOT_FOUND" && String(e.message).includes(manifestPath)) {
      logger.warn(`Model manifest not found at '${manifestPath}'. Falling back to directory scan. Please run codegen.`);
      return null;
    }
    throw e;
  }
  for (const Model of Object.values(mod.default || mod)) if (isModelClass(Model)) manager.registerModel(Model);
  return Object.fromEntries(manager.getModels().map((M) => [M.name, M]));
}

function registerDirectory(manager, dir) {
  if (!dir) {
    throw new ConfigurationError(
      "modelsDir is required when no direct models are provided. Either specify a modelsDir or provide models directly in the config.",
    );
  }
  if (!fs.existsSync(dir)) throw new ConfigurationError(`modelsDir does not exist: ${dir}`);
  const models = {};
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".js")) {
        for (const [name, v] of Object.entries(require(p))) {
          if (isModelClass(v)) models[name] = manager.registerModel(v);
        }
      }
    }
  };
  walk(dir);
  return models;
}

/**
 * Tenancy options of the wrong type are refused rather than merged: a
 * `tenancy: true` spread into the defaults would read as tenancy disabled.
 * @param {unknown} tenancy
 */
function checkTenancyOptions(tenancy) {
  if (tenancy == null) return;
  if (typeof tenancy !== "object" || Array.isArray(tenancy)) {
    throw new ConfigurationError("tenancy must be an object, e.g. { enabled: true }");
  }
  for (const flag of ["enabled", "strict"]) {
    if (tenancy[flag] !== undefined && typeof tenancy[flag] !== "boolean") {
      throw new ConfigurationError(`tenancy.${flag} must be true or false`);
    }
  }
}

/**
 * Registers and initialises the models for the current tenant.
 * @param {object} [userConfig]
 * @returns {ModelManager}
 */
function initModels(userConfig = {}) {
  if (userConfig == null || typeof userConfig !== "object") {
    throw new ConfigurationError("initModels takes a config object");
  }
  checkTenancyOptions(userConfig.tenancy);
  const config = mergeConfig(userConfig);
  if (config.tenancy.enabled) TenantContext.validateTenantRequired(config);
  const tenantId = TenantContext.getCurrentTenant() || config.testId || null;
  const manager = ModelManager.getInstance(tenantId);
  // A refused config must not leave its models behind: the tenant's next
  // initModels would meet an invalid one again and fail the same way.
  const registered = new Map(manager._models);
  try {
    let models = null;
    if (config.models) models = registerGiven(manager, config.models);
    else if (config.paths.generatedModelsManifest) models = registerManifest(manager, config.paths.generatedModelsManifest);
    if (!models) models = registerDirectory(manager, config.paths.modelsDir);
    manager.init(config);
    manager.models = models;
  } catch (e) {
    manager._models = registered;
    throw e;
  }
  return manager;
}

module.exports = { initModels, mergeConfig };
