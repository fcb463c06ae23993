#!/usr/bin/env node
"use strict";
/**
 * `bao-codegen [definitionsPath] [outputDir]`: models.yaml → model files (and
 * their .d.ts), plus the `.bao/models.js` manifest. Invalid definitions stop
 * it before any file is written.
 */
const path = require("node:path");
const { loadConfig, fail } = require("./lib/cli.js");

/**
 * Runs code generation with a loaded config; resolves to the written model names.
 * @param {object} cfg
 * @param {{definitionsPath?: string, outputDir?: string}} [args]
 */
async function codegen(cfg, args = {}) {
  const { loadModelDefinitions } = require("./lib/load-definitions.js");
  const { applyModelDefaults, validateModels } = require("./lib/process-models.js");
  const { generateModelFiles } = require("./generators/model.js");
  const { generateManifest } = require("./generators/manifest.js");
  const FieldResolver = require("../lib/field-resolver.js");
  const builtInFields = require("../lib/fields.js");

  const cwd = process.cwd();
  const definitionsPath = args.definitionsPath
    ? path.resolve(cwd, args.definitionsPath)
    : cfg.paths?.modelsDefinitionPath || path.resolve(cwd, "models.yaml");
  const outputDir = args.outputDir ? path.resolve(cwd, args.outputDir) : cfg.paths?.modelsDir || path.resolve(cwd, "models");
  const fieldResolver = new FieldResolver(builtInFields, cfg.paths?.fieldsDir || null);

  const { models } = loadModelDefinitions(definitionsPath);
  applyModelDefaults(models);
  validateModels(models, { file: path.relative(cwd, definitionsPath) || definitionsPath, fieldResolver });
  generateModelFiles(models, outputDir, fieldResolver, cfg.codegen?.moduleSystem || "commonjs");
  if (outputDir && cfg.paths?.generatedModelsManifest) generateManifest(outputDir, cfg.paths.generatedModelsManifest);
  else console.warn("outputDir or generatedModelsManifest path not configured. Skipping manifest generation.");
  return Object.keys(models);
}

if (require.main === module) {
  loadConfig()
    .then((cfg) => codegen(cfg, { definitionsPath: process.argv[2], outputDir: process.argv[3] }))
    .then((names) => console.log(`Generated ${names.length} model(s): ${names.join(", ")}`))
    .catch((err) => fail(`Error generating models: ${err.message}`));
}

module.exports = { codegen };
