"use strict";
/**
 * Shared plumbing of the bao-* commands: the config they run with, the table
 * handle it names, and one way to fail.
 */
const config = require("../../lib/config.js");

/** The project's config (config file, else environment). */
async function loadConfig() {
  return config.initConfig();
}

/** What lib/admin.js needs to reach the table a config names. */
function tableOptions(cfg, tableName = cfg.db?.tableName) {
  return {
    tableName,
    region: cfg.aws?.region,
    endpoint: cfg.aws?.endpoint,
    credentials: cfg.aws?.credentials,
  };
}

/** Prints the error and exits 1. */
function fail(message) {
  console.error(message);
  process.exit(1);
}

/** Runs an async main, turning a thrown error into exit code 1. */
function run(main) {
  main().then(
    (code) => process.exit(code || 0),
    (err) => fail(err?.message || String(err)),
  );
}

module.exports = { loadConfig, tableOptions, fail, run };
