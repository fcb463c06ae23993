#!/usr/bin/env node
"use strict";
/**
 * `bao-rebuild-search-text <ModelName>`: recomputes `_searchText` (and every
 * index key) of all items of a searchable, iterable model, with progress.
 * With tenancy enabled, run it once per tenant: `--tenant <id>` (or the
 * DYNAMO_BAO_TENANT environment variable).
 */
const { initModels, TenantContext, runWithBatchContext } = require("../index.js");
const { loadConfig, run } = require("./lib/cli.js");

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

run(async () => {
  const name = process.argv.slice(2).find((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--tenant");
  if (!name) {
    console.error("Usage: bao-rebuild-search-text <ModelName> [--tenant <id>]");
    return 1;
  }
  const cfg = await loadConfig();
  const tenant = option("--tenant") || process.env.DYNAMO_BAO_TENANT || null;
  return TenantContext.runWithTenant(tenant, async () => {
    const manager = initModels(cfg);
    let Model;
    try {
      Model = manager.getModel(name);
    } catch {
      console.error(`Model "${name}" not found.`);
      return 1;
    }
    if (!Model.searchable || !Model.searchConfig) {
      console.error(`Model "${name}" is not configured as searchable. Add a searchable: { fields: [...] } block in YAML.`);
      return 1;
    }
    if (!Model.iterable) {
      console.error(`Model "${name}" is not iterable. Cannot bulk-rebuild via iterateAll.`);
      return 1;
    }
    let n = 0;
    await runWithBatchContext(async () => {
      for await (const batch of Model.iterateAll({ batchSize: 50 })) {
        for (const item of batch) {
          await item.save({ forceReindex: true });
          n++;
          if (n % 100 === 0) process.stdout.write(`\rRebuilt ${n} item(s)…`);
        }
      }
    });
    if (n >= 100) process.stdout.write("\n");
    console.log(`Done. Rebuilt _searchText on ${n} ${name} item(s).`);
    return 0;
  });
});
