'use strict';
/**
 * Raw access to the test table through the AWS SDK v3, independent of the library
 * under test. Used to check exactly what was (or was not) written.
 *
 *   rawScan(fn)      -> every item, in DynamoDB-JSON form ({_pk: {S: '...'}}), for which fn(item) is true
 *   rawScanItems(fn) -> the same, unmarshalled to plain JS ({_pk: '...'}); fn sees the plain item
 *   rawGet(pk, sk)   -> one item in DynamoDB-JSON form, or null
 *   mentioning(s)    -> plain items whose JSON text contains s (for "nothing was written" checks)
 *   rawPut(item)     -> writes a plain item as it is, around the library (as other code with table access could)
 */
const { DynamoDBClient, ScanCommand, GetItemCommand, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const { marshall, unmarshall } = require('@aws-sdk/util-dynamodb');

const TABLE_NAME = process.env.TABLE_NAME;
const ENDPOINT = process.env.AWS_ENDPOINT_URL_DYNAMODB;
if (!TABLE_NAME || !ENDPOINT) {
  throw new Error('integration tests need TABLE_NAME and AWS_ENDPOINT_URL_DYNAMODB (run them with `npm test`)');
}

const client = new DynamoDBClient({
  region: process.env.AWS_REGION || 'us-west-2',
  endpoint: ENDPOINT,
});

async function rawScan(filterFn = () => true) {
  const out = [];
  let ExclusiveStartKey;
  do {
    const res = await client.send(
      new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey, ConsistentRead: true }),
    );
    for (const item of res.Items || []) if (filterFn(item)) out.push(item);
    ExclusiveStartKey = res.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

async function rawScanItems(filterFn = () => true) {
  const all = await rawScan();
  return all.map(plainOrWrapped).filter(filterFn);
}

/**
 * Test files share the table and run concurrently; another file's item may hold a
 * number JS cannot represent (the compatibility corpus stores 1e21), which only that
 * item then gets as a wrapped number instead of failing every scan.
 */
function plainOrWrapped(item) {
  try {
    return unmarshall(item);
  } catch {
    return unmarshall(item, { wrapNumbers: true });
  }
}

async function rawGet(pk, sk) {
  const res = await client.send(
    new GetItemCommand({
      TableName: TABLE_NAME,
      Key: { _pk: { S: pk }, _sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return res.Item || null;
}

async function mentioning(text) {
  const all = await rawScan();
  return all.filter((item) => JSON.stringify(item).includes(text)).map((item) => unmarshall(item));
}

async function rawPut(item) {
  await client.send(new PutItemCommand({ TableName: TABLE_NAME, Item: marshall(item) }));
}

module.exports = { rawScan, rawScanItems, rawGet, rawPut, mentioning, unmarshall, TABLE_NAME };
