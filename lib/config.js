"use strict";
/**
 * The module-level config (spec §2.1a): environment defaults that
 * `initModels` merges the user's config onto. Like DynamoBao it reads `./.env`
 * from the working directory first (without overriding set variables).
 *
 * `initConfig()` (spec §2.1b) is the CLI's config-file discovery:
 * `DYNAMO_BAO_CONFIG`, then `dynamo-bao.config.{js,mjs,cjs}`,
 * `.dynamo-bao/config.{js,mjs}`, `config.{js,mjs,cjs}` in the working
 * directory, else the environment.
 */
const fs = require("node:fs");
const path = require("node:path");

function loadDotEnv() {
  const file = path.resolve(process.cwd(), ".env");
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || m[1] in process.env) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, "");
    process.env[m[1]] = v;
  }
}

loadDotEnv();

const env = process.env;

function envConfig() {
  return {
    aws: { region: env.AWS_REGION || "us-west-2" },
    db: { tableName: env.TABLE_NAME || "dynamo-bao-dev" },
    codegen: { moduleSystem: "commonjs" },
    logging: { level: env.DYNAMO_BAO_LOG_LEVEL || "ERROR" },
    paths: { modelsDir: env.MODELS_DIR ? path.resolve(process.cwd(), env.MODELS_DIR) : null },
    tenancy: { enabled: env.DYNAMO_BAO_TENANCY_ENABLED === "true" },
    batchContext: { requireBatchContext: env.DYNAMO_BAO_REQUIRE_BATCH_CONTEXT === "true" },
  };
}

const CONFIG_FILES = [
  "dynamo-bao.config.js",
  "dynamo-bao.config.mjs",
  "dynamo-bao.config.cjs",
  ".dynamo-bao/config.js",
  ".dynamo-bao/config.mjs",
  "config.js",
  "config.mjs",
  "config.cjs",
];

function findConfigFile() {
  const cwd = process.cwd();
  if (env.DYNAMO_BAO_CONFIG) {
    const p = path.resolve(cwd, env.DYNAMO_BAO_CONFIG);
    if (fs.existsSync(p)) return p;
  }
  return CONFIG_FILES.map((f) => path.join(cwd, f)).find((p) => fs.existsSync(p)) || null;
}

/** A loaded config file with paths resolved against its folder (spec §2.1b). */
function normalizeConfig(raw, dir) {
  const at = (p) => (p ? path.resolve(dir, p) : null);
  const paths = { ...raw.paths };
  return {
    ...raw,
    models: raw.models || null,
    codegen: { moduleSystem: "commonjs", ...raw.codegen },
    paths: {
      ...paths,
      modelsDir: at(paths.modelsDir),
      modelsDefinitionPath: at(paths.modelsDefinitionPath),
      fieldsDir: at(paths.fieldsDir),
      generatedModelsManifest: paths.generatedModelsManifest
        ? path.resolve(dir, paths.generatedModelsManifest)
        : path.resolve(process.cwd(), ".bao/models.js"),
    },
    logging: { ...raw.logging, level: env.DYNAMO_BAO_LOG_LEVEL || raw.logging?.level || "ERROR" },
    tenancy: { enabled: false, ...raw.tenancy },
    batchContext: { requireBatchContext: false, ...raw.batchContext },
  };
}

let loaded = null;

/**
 * Finds and loads the project's config file (CLI tools).
 * @returns {Promise<object>}
 */
async function initConfig() {
  const file = findConfigFile();
  if (!file) {
    loadDotEnv();
    loaded = envConfig();
    return loaded;
  }
  let mod;
  if (file.endsWith(".cjs")) mod = require(file);
  else mod = await import(require("node:url").pathToFileURL(file).href);
  loaded = normalizeConfig(mod.default || mod, path.dirname(file));
  loaded.configFile = file;
  return loaded;
}

/** The last `initConfig()` result, else the environment config. */
function getConfig() {
  return loaded || config;
}

const config = envConfig();

// Functions ride along on the config object, as in DynamoBao; non-enumerable so
// they do not spread into merged configs.
Object.defineProperty(config, "initConfig", { value: initConfig, enumerable: false });
Object.defineProperty(config, "getConfig", { value: getConfig, enumerable: false });

module.exports = config;
