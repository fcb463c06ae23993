#!/usr/bin/env node
"use strict";
/**
 * `bao-audit-keys [--table NAME]`: scans the table and reports every item
 * whose `_pk`, `_gsiN_pk` or `_iter_pk` is not inside a valid tenant prefix,
 * grouped by model prefix. Exit code 1 when any is found — such items are
 * invisible to IAM `dynamodb:LeadingKeys` isolation.
 */
const { auditKeys } = require("../lib/admin.js");
const { loadConfig, tableOptions, run } = require("./lib/cli.js");

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

run(async () => {
  const cfg = await loadConfig();
  const tableName = option("--table") || cfg.db?.tableName;
  if (!tableName) {
    console.error("Usage: bao-audit-keys [--table NAME] (or db.tableName in the config)");
    return 1;
  }
  const tty = process.stderr.isTTY;
  const { scanned, findings } = await auditKeys(tableOptions(cfg, tableName), (p) => {
    const line = `scanned ${p.scanned} item(s), ${p.findings} key(s) outside a tenant prefix`;
    if (tty) process.stderr.write(`\r${line}`);
    else process.stderr.write(`${line}\n`);
  });
  if (tty) process.stderr.write("\n");
  if (findings.length === 0) {
    console.log(`${tableName}: ${scanned} item(s) scanned, every partition key is inside a tenant prefix.`);
    return 0;
  }
  const byPrefix = new Map();
  for (const f of findings) {
    if (!byPrefix.has(f.modelPrefix)) byPrefix.set(f.modelPrefix, []);
    byPrefix.get(f.modelPrefix).push(f);
  }
  console.log(`${tableName}: ${findings.length} key(s) outside a tenant prefix in ${scanned} item(s) scanned:`);
  for (const [prefix, list] of [...byPrefix].sort()) {
    console.log(`  model prefix "${prefix}": ${list.length}`);
    for (const f of list.slice(0, 20)) console.log(`    ${f.attribute} = ${JSON.stringify(f.value)} (item _pk ${JSON.stringify(f._pk)}, _sk ${JSON.stringify(f._sk)})`);
    if (list.length > 20) console.log(`    … and ${list.length - 20} more`);
  }
  return 1;
});
