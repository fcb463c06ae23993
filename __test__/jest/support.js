'use strict';
/**
 * Models, config and the run journal shared by the Jest project's test files. The models
 * come from the package by name, as in an application.
 *
 * The journal (one JSON line per test, in `$BAO_JEST_JOURNAL/<pid>.jsonl`) lets
 * scripts/jest-project.js check afterwards that the tests really ran in several worker
 * processes at the same time, each in its own tenant, and that each tenant was emptied.
 */
const fs = require('node:fs');
const path = require('node:path');
const { BaoModel, PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig, fields } = require('dynamo-bao-native');

const { UlidField, StringField, IntegerField, CreateDateField } = fields;

if (!process.env.TABLE_NAME || !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
  throw new Error('The Jest project runs through `npm test` (it needs the DynamoDB Local that npm test starts)');
}

/** Every test writes notes under the same topics, so all tenants share index values. */
class Note extends BaoModel {
  static modelPrefix = 'jn';
  static iterable = true;
  static iterationBuckets = 4;
  static fields = {
    noteId: UlidField({ autoAssign: true }),
    owner: StringField({ required: true }),
    topic: StringField({ required: true }),
    n: IntegerField(),
    createdAt: CreateDateField(),
  };
  static primaryKey = PrimaryKeyConfig('noteId');
  static indexes = { byTopic: IndexConfig('topic', 'createdAt', 'gsi1') };
}

/** Not iterable: cleaned up through the saves useTestTenant tracks. Every test uses one email. */
class Account extends BaoModel {
  static modelPrefix = 'ja';
  static fields = {
    accountId: UlidField({ autoAssign: true }),
    owner: StringField({ required: true }),
    email: StringField({ required: true }),
  };
  static primaryKey = PrimaryKeyConfig('accountId');
  static uniqueConstraints = { uniqueEmail: UniqueConstraintConfig('email', '_uc1') };
}

const config = {
  aws: { region: process.env.AWS_REGION || 'us-west-2' },
  db: { tableName: process.env.TABLE_NAME },
  tenancy: { enabled: true },
  models: { Note, Account },
};

const SHARED_EMAIL = 'same-for-every-tenant@example.com';
const TOPICS = ['alpha', 'beta'];

/** Appends one record to this worker's journal (no-op outside npm test). */
function journal(record) {
  const dir = process.env.BAO_JEST_JOURNAL;
  if (!dir) return;
  const line = JSON.stringify({ pid: process.pid, worker: process.env.JEST_WORKER_ID, ...record });
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${line}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { Note, Account, config, SHARED_EMAIL, TOPICS, journal, sleep };
