#!/usr/bin/env node
'use strict';
/**
 * Creates the DynamoBao table layout (_pk/_sk, gsi1..gsi5, iter_index, iter_search_index,
 * TTL on "ttl") through the library's own native table creation, so the test runner and
 * the demo exercise the same code users get, instead of a second hand-written definition.
 *
 *   const { createTable } = require('./create-table');
 *   await createTable({ endpoint, tableName, region });   // -> { created, tableName }
 *
 * CLI: node scripts/create-table.js [--endpoint URL] [--table NAME] [--region REGION]
 *   defaults: AWS_ENDPOINT_URL_DYNAMODB (else http://127.0.0.1:8000), TABLE_NAME (else
 *   bao-native-test), AWS_REGION (else us-west-2).
 */

async function createTable({ endpoint, tableName, region } = {}) {
  if (!tableName) throw new Error('createTable: tableName is required');
  // Required lazily so this module loads (and reports clearly) before the addon is built.
  const admin = require('../lib/admin.js');
  return admin.createTable({ tableName, endpoint, region });
}

module.exports = { createTable };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const endpoint = arg('--endpoint') || process.env.AWS_ENDPOINT_URL_DYNAMODB || 'http://127.0.0.1:8000';
  const tableName = arg('--table') || process.env.TABLE_NAME || 'bao-native-test';
  const region = arg('--region') || process.env.AWS_REGION || 'us-west-2';

  // DynamoDB Local accepts any credentials; make sure some exist without touching real ones
  // meant for other endpoints.
  const host = new URL(endpoint).hostname;
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]') {
    process.env.AWS_ACCESS_KEY_ID ||= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ||= 'local';
    process.env.AWS_EC2_METADATA_DISABLED ||= 'true';
  }

  createTable({ endpoint, tableName, region }).then(
    (res) => {
      const created = res && res.created;
      console.log(`${created ? 'created' : 'already existed'}: table ${tableName} at ${endpoint}`);
    },
    (err) => {
      console.error(`create-table failed: ${(err && err.stack) || err}`);
      process.exit(1);
    },
  );
}
