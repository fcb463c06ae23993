"use strict";
/**
 * Table administration through the native client: the table layout that
 * `bao-create-table` + `bao-update-table` produce (spec §3.1).
 */
const { NativeDb } = require("./native.js");
const { decode, native } = require("./native-errors.js");

function dbFor({ tableName, endpoint, region, credentials } = {}) {
  return native(() =>
    new NativeDb(JSON.stringify({ tableName, endpoint, region: region || process.env.AWS_REGION || "us-west-2", credentials })),
  );
}

/**
 * Creates the table if it is missing and waits until it is ACTIVE.
 * @param {{tableName: string, endpoint?: string, region?: string}} options
 * @returns {Promise<{created: boolean, tableName: string}>}
 */
async function createTable(options) {
  return decode(await dbFor(options).createTable());
}

/**
 * Adds the GSIs the table lacks (gsi1..gsi5, iter_index, iter_search_index)
 * and enables TTL on `ttl`; a second run changes nothing.
 * @param {{tableName: string, endpoint?: string, region?: string}} options
 * @returns {Promise<{tableName: string, addedIndexes: string[], ttlEnabled: boolean}>}
 */
async function updateTable(options) {
  return decode(await dbFor(options).updateTable());
}

/**
 * Scans a table for items whose partition keys (`_pk`, `_gsiN_pk`,
 * `_iter_pk`) do not start with a valid `[tenant]#` prefix, page by page.
 * @param {{tableName: string, endpoint?: string, region?: string}} options
 * @param {(progress: {scanned: number, findings: number}) => void} [onPage]
 * @returns {Promise<{scanned: number, findings: Array<{modelPrefix: string, attribute: string, value: string, _pk: string, _sk: string}>}>}
 */
async function auditKeys(options, onPage = () => {}) {
  const db = dbFor(options);
  let scanned = 0;
  const findings = [];
  let startKey;
  do {
    const page = decode(await db.auditPage(startKey ? JSON.stringify(startKey) : undefined, options.pageSize));
    scanned += page.scanned;
    findings.push(...page.findings);
    startKey = page.lastEvaluatedKey ?? undefined;
    onPage({ scanned, findings: findings.length });
  } while (startKey);
  return { scanned, findings };
}

/**
 * Deletes the table if it exists.
 * @param {{tableName: string, endpoint?: string, region?: string}} options
 * @returns {Promise<{deleted: boolean, tableName: string}>}
 */
async function deleteTable(options) {
  return decode(await dbFor(options).deleteTable());
}

module.exports = { createTable, updateTable, deleteTable, auditKeys };
