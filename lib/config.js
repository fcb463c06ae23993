"use strict";
/**
 * The module-level config (spec §2.1a): environment defaults that
 * `initModels` merges the user's config onto. Like DynamoBao it reads `./.env`
 * from the working directory first (without overriding set variables).
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

const config = {
  aws: { region: env.AWS_REGION || "us-west-2" },
  db: { tableName: env.TABLE_NAME || "dynamo-bao-dev" },
  codegen: { moduleSystem: "commonjs" },
  logging: { level: env.DYNAMO_BAO_LOG_LEVEL || "ERROR" },
  paths: { modelsDir: env.MODELS_DIR ? path.resolve(process.cwd(), env.MODELS_DIR) : null },
  tenancy: { enabled: env.DYNAMO_BAO_TENANCY_ENABLED === "true" },
  batchContext: { requireBatchContext: env.DYNAMO_BAO_REQUIRE_BATCH_CONTEXT === "true" },
};

module.exports = config;
