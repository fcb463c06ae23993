#!/usr/bin/env node
"use strict";
/**
 * `bao-update-table`: brings the configured table up to date — adds missing
 * GSIs (including the search index) and enables TTL. Safe to re-run.
 */
const { updateTable } = require("../lib/admin.js");
const { loadConfig, tableOptions, run } = require("./lib/cli.js");

run(async () => {
  const cfg = await loadConfig();
  if (!cfg.db?.tableName) {
    console.error("No table name configured (db.tableName). Run bao-init first.");
    return 1;
  }
  const r = await updateTable(tableOptions(cfg));
  if (r.addedIndexes.length) console.log(`Added indexes to ${r.tableName}: ${r.addedIndexes.join(", ")}`);
  else console.log(`All indexes already exist on ${r.tableName}.`);
  console.log(r.ttlEnabled ? 'Enabled TTL on "ttl".' : "TTL already configured.");
  if (r.addedIndexes.includes("iter_search_index")) {
    console.log(
      'Next steps for search: set db.iterationIndexName: "iter_search_index" in your config, ' +
        "then run bao-rebuild-search-text <ModelName> for models with existing data.",
    );
  }
  return 0;
});
