#!/usr/bin/env node
"use strict";
/** `bao-create-table <table-name>`: the DynamoBao table, with the search index and TTL. */
const { createTable } = require("../lib/admin.js");
const { run } = require("./lib/cli.js");

run(async () => {
  const tableName = process.argv[2];
  if (!tableName) {
    console.error("Usage: bao-create-table <table-name>");
    return 1;
  }
  try {
    const r = await createTable({ tableName, region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION });
    console.log(r.created ? `Table ${tableName} created (gsi1-5, iter_index, iter_search_index, TTL on "ttl").` : `Table ${tableName} already exists.`);
    return 0;
  } catch (err) {
    console.error("Error creating table:", err.message);
    return 1;
  }
});
