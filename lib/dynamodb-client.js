"use strict";
/**
 * `dynamo-bao/src/dynamodb-client.js`: DynamoBao's raw access seam. Commands
 * are plain `{input}` holders; `send` hands them to the native client, which
 * marshals, signs and sends them. `DynamoDBDocumentClient` takes and returns
 * document-form values; `DynamoDBClient` DynamoDB JSON. A model's
 * `documentClient` runs data commands as the current tenant and, with tenancy
 * enabled, only on that tenant's keys.
 */
const { NativeDb, marshallJson, unmarshallJson } = require("./native.js");
const { withTenantCredentials } = require("./tenant-credentials.js");
const { TenantContext } = require("./tenant-context.js");
const { decode, native } = require("./native-errors.js");

/** Command class name → DynamoDB operation (the original's fixed map). */
const OPERATIONS = {
  GetCommand: "GetItem",
  QueryCommand: "Query",
  UpdateCommand: "UpdateItem",
  DeleteCommand: "DeleteItem",
  BatchGetCommand: "BatchGetItem",
  TransactWriteCommand: "TransactWriteItems",
  CreateTableCommand: "CreateTable",
  ListTablesCommand: "ListTables",
  DescribeTableCommand: "DescribeTable",
  UpdateTimeToLiveCommand: "UpdateTimeToLive",
  DescribeTimeToLiveCommand: "DescribeTimeToLive",
  UpdateTableCommand: "UpdateTable",
};

function operationOf(command) {
  const name = command?.constructor?.name || "";
  return OPERATIONS[name] || name.replace(/Command$/, "");
}

/**
 * Buffers cross from the core as Buffer JSON, `{"type":"Buffer","data":[…]}`.
 * Only an answer that holds one needs the reviving parse, which calls back
 * for every value. The mark cannot occur inside a JSON string, whose quotes
 * would be escaped.
 */
const BUFFER_MARK = '"type":"Buffer"';
const revive = (key, v) => (v && v.type === "Buffer" && Array.isArray(v.data) ? Buffer.from(v.data) : v);

/** Told of every write the seam made (`testing.js` deletes a test's raw writes afterwards). */
const writeListeners = new Set();

/**
 * The items a write command put or updated, as `{TableName, Key}` in the
 * command's own form (its `_pk`/`_sk` as the caller gave them). Deletes are
 * left out: they leave nothing behind.
 */
function writtenItems(operation, input) {
  const keyOf = (item) => ({ _pk: item?._pk, _sk: item?._sk });
  if (operation === "UpdateItem") return [{ TableName: input?.TableName, Key: input?.Key }];
  if (operation !== "TransactWriteItems") return [];
  return (input?.TransactItems || []).flatMap((t) => {
    if (t?.Put) return [{ TableName: t.Put.TableName, Key: keyOf(t.Put.Item) }];
    if (t?.Update) return [{ TableName: t.Update.TableName, Key: t.Update.Key }];
    return [];
  });
}

async function send(db, command, wire) {
  const operation = operationOf(command);
  const input = JSON.stringify(command?.input ?? {});
  const json = await withTenantCredentials(db, (tenant) => {
    const [scope, als] = TenantContext._nativeArgs();
    return db.send(scope, tenant ?? als, operation, wire, input);
  });
  const result = decode(json, undefined, !wire && json.includes(BUFFER_MARK) ? revive : undefined);
  for (const k of Object.keys(result)) if (result[k] === null) delete result[k];
  if (writeListeners.size) {
    const items = writtenItems(operation, command?.input);
    if (items.length) for (const listener of writeListeners) listener({ db, wire, items });
  }
  return result;
}

/**
 * Calls `listener({db, wire, items})` after each successful write through
 * the seam (for test clean-up).
 * @param {(write: {db: object, wire: boolean, items: {TableName: string, Key: object}[]}) => void} listener
 * @private
 */
function _onWrite(listener) {
  writeListeners.add(listener);
}

/** The low-level client: DynamoDB JSON in and out. */
class DynamoDBClient {
  /**
   * @param {{region?: string, endpoint?: string, credentials?: {accessKeyId: string, secretAccessKey: string, sessionToken?: string}}} [config]
   */
  constructor(config) {
    config = config ?? {};
    const env = process.env;
    this.config = { ...config, region: config.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1" };
    this._db = native(
      () => new NativeDb(JSON.stringify({ tableName: "", region: this.config.region, endpoint: config.endpoint, credentials: config.credentials })),
    );
  }

  /** @param {{input: object}} command */
  send(command) {
    return send(this._db, command, true);
  }
}

/** The document client: plain values in and out. */
class DynamoDBDocumentClient {
  /** @param {DynamoDBClient|object} client a DynamoDBClient, or a native table handle */
  constructor(client, options = {}) {
    this._db = client?._db || client;
    this.options = options;
  }

  static from(client, options = {}) {
    return new DynamoDBDocumentClient(client, options);
  }

  /** @param {{input: object}} command */
  send(command) {
    return send(this._db, command, false);
  }
}

class Command {
  /** @param {object} input the request, as the DynamoDB API names it */
  constructor(input = {}) {
    this.input = input;
  }
}
class GetCommand extends Command {}
class QueryCommand extends Command {}
class UpdateCommand extends Command {}
class DeleteCommand extends Command {}
class BatchGetCommand extends Command {}
class TransactWriteCommand extends Command {}
class CreateTableCommand extends Command {}
class ListTablesCommand extends Command {}
class DescribeTableCommand extends Command {}
class UpdateTimeToLiveCommand extends Command {}
class DescribeTimeToLiveCommand extends Command {}
class UpdateTableCommand extends Command {}

/** A plain object as a DynamoDB JSON item. */
function marshall(obj) {
  return JSON.parse(native(() => marshallJson(JSON.stringify(obj))));
}

/** A DynamoDB JSON item as a plain object. */
function unmarshall(item) {
  return JSON.parse(native(() => unmarshallJson(JSON.stringify(item))), revive);
}

module.exports = {
  DynamoDBClient,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  DeleteCommand,
  BatchGetCommand,
  TransactWriteCommand,
  CreateTableCommand,
  ListTablesCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
  marshall,
  unmarshall,
  _onWrite,
  _send: send,
};
