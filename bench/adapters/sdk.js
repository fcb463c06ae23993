"use strict";
/**
 * The workload as hand-written `@aws-sdk/lib-dynamodb` code sending the
 * requests this package sends: the same items, keys, expressions, pre-read on
 * update, BatchGetItem chunks and iteration queries (DynamoBao's, spec §3.11,
 * except that a create is a PutItem of the whole item rather than an
 * UpdateItem), with none of a modeling library's work (no field descriptors,
 * no instances).
 */
const crypto = require("node:crypto");
const { READ_PREFIX, WRITE_PREFIX, ITERATION_BUCKETS, groupOf } = require("../models.js");

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function ulid(now = Date.now()) {
  let t = now;
  let time = "";
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.randomBytes(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i] & 31];
  return time + rand;
}

/** DynamoBao's bucket hash: Java's String.hashCode, absolute value. */
function bucketOf(id) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return Math.abs(h) % ITERATION_BUCKETS;
}

const pad3 = (n) => String(n).padStart(3, "0");
const pad20 = (n) => String(n).padStart(20, "0");

/**
 * @param {{client: object, lib: object}} sdk the two packages
 * @param {{endpoint: string, tableName: string, region: string, tenant: string}} options
 */
function sdkAdapter(sdk, { endpoint, tableName, region, tenant }) {
  const { DynamoDBClient } = sdk.client;
  const { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, QueryCommand, BatchGetCommand } = sdk.lib;
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint }));
  const T = `[${tenant}]#`;
  const keyOf = (prefix, id) => ({ _pk: `${T}${prefix}#${id}`, _sk: prefix });
  const iterPk = (prefix, bucket) => `${T}${prefix}#iter#${pad3(bucket)}`;

  /** UpdateItem's SET clause with `#name = :name` placeholders, as DynamoBao writes it. */
  function setClause(values) {
    const names = {};
    const attrValues = {};
    const parts = [];
    for (const [k, v] of Object.entries(values)) {
      names[`#${k}`] = k;
      attrValues[`:${k}`] = v;
      parts.push(`#${k} = :${k}`);
    }
    return { expression: `SET ${parts.join(", ")}`, names, values: attrValues };
  }

  /** The same request this package makes for a create: PutItem of the whole item, if its key is absent. */
  async function createIn(prefix, i) {
    const itemId = ulid();
    const now = Date.now();
    const group = groupOf(i);
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keyOf(prefix, itemId),
          itemId,
          group,
          name: `item-${i}`,
          count: i,
          active: i % 2 === 0,
          createdAt: now,
          modifiedAt: now,
          _gsi1_pk: `${T}${prefix}#gsi1#${group}`,
          _gsi1_sk: pad20(now),
          _iter_pk: iterPk(prefix, bucketOf(itemId)),
          _iter_sk: itemId,
        },
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "_pk" },
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    return itemId;
  }

  async function getItem(id) {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: keyOf(READ_PREFIX, id), ReturnConsumedCapacity: "TOTAL" }),
    );
    return out.Item;
  }

  /** BatchGetItem in chunks of 100, retrying unprocessed keys. */
  async function batchGet(ids) {
    const found = [];
    for (let at = 0; at < ids.length; at += 100) {
      let request = { [tableName]: { Keys: ids.slice(at, at + 100).map((id) => keyOf(READ_PREFIX, id)) } };
      for (let attempt = 0; request && attempt < 4; attempt++) {
        const out = await doc.send(new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: "TOTAL" }));
        found.push(...(out.Responses?.[tableName] || []));
        const left = out.UnprocessedKeys?.[tableName];
        request = left && left.Keys?.length ? { [tableName]: left } : null;
      }
    }
    return found;
  }

  return {
    seed: (i) => createIn(READ_PREFIX, i),

    create: async (i) => ((await createIn(WRITE_PREFIX, i)) ? 1 : 0),

    find: async (id) => ((await getItem(id)) ? 1 : 0),

    findBatched: async (ids) => (await batchGet(ids)).length,

    /** DynamoBao reads the item before updating it; so does this. */
    update: async (id, i) => {
      if (!(await getItem(id))) return 0;
      const set = setClause({
        name: `upd-${i}`,
        count: i,
        modifiedAt: Date.now(),
        _iter_pk: iterPk(READ_PREFIX, bucketOf(id)),
        _iter_sk: id,
      });
      const out = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(READ_PREFIX, id),
          UpdateExpression: set.expression,
          ReturnValues: "ALL_NEW",
          ExpressionAttributeNames: set.names,
          ExpressionAttributeValues: set.values,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      return out.Attributes.count === i ? 1 : 0;
    },

    query: async (group) => {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi1",
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": "_gsi1_pk" },
          ExpressionAttributeValues: { ":pk": `${T}${READ_PREFIX}#gsi1#${group}` },
          ScanIndexForward: true,
          Limit: 20,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      return out.Items.length;
    },

    batchFind: async (ids) => (await batchGet(ids)).length,

    /** Each bucket's iteration partition, page by page, each page's ids through BatchGetItem. */
    iterateAll: async () => {
      let n = 0;
      for (let bucket = 0; bucket < ITERATION_BUCKETS; bucket++) {
        let startKey;
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: "iter_index",
              KeyConditionExpression: "#pk = :pk",
              ExpressionAttributeNames: { "#pk": "_iter_pk" },
              ExpressionAttributeValues: { ":pk": iterPk(READ_PREFIX, bucket) },
              Limit: 100,
              ReturnConsumedCapacity: "TOTAL",
              ExclusiveStartKey: startKey,
            }),
          );
          const ids = page.Items.map((item) => item._iter_sk);
          if (ids.length) n += (await batchGet(ids)).length;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }
      return n;
    },
  };
}

module.exports = { sdkAdapter };
