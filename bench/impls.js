"use strict";
/**
 * The implementations the benchmark compares, and how a child process loads
 * each one. Kept free of heavy requires: the child times `load()` as the
 * package's require() cost in a fresh process.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

function readVersion(pkgJson) {
  try {
    return JSON.parse(fs.readFileSync(pkgJson, "utf8")).version;
  } catch {
    return "?";
  }
}

/** The 0.6.0 source tree named by DYNAMO_BAO_ORIGINAL, or null. */
function originalSourceDir() {
  const dir = process.env.DYNAMO_BAO_ORIGINAL;
  if (!dir) return null;
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, "package.json"))) {
    throw new Error(`DYNAMO_BAO_ORIGINAL=${dir}: no package.json there (expected a dynamo-bao source tree)`);
  }
  return abs;
}

/**
 * @typedef {object} Impl
 * @property {string} id
 * @property {string} label
 * @property {"bao"|"sdk"} kind  DynamoBao's API, or hand-written lib-dynamodb code
 * @property {() => any} load    the require() the benchmark times
 * @property {() => string} version
 * @property {boolean} [redirectEndpoint] the client ignores aws.endpoint (DynamoBao's aws4fetch client)
 */

/** @returns {Impl[]} in the order runs are interleaved */
function implementations() {
  const list = [
    {
      id: "native",
      label: "this package",
      kind: "bao",
      // The package's own name resolves to index.js through its exports map.
      load: () => require("dynamo-bao-native"),
      version: () => readVersion(path.join(ROOT, "package.json")),
    },
    {
      id: "original",
      label: "dynamo-bao (npm)",
      kind: "bao",
      load: () => require("dynamo-bao-original"),
      version: () => readVersion(path.join(ROOT, "node_modules", "dynamo-bao-original", "package.json")),
      redirectEndpoint: true,
    },
  ];
  const src = originalSourceDir();
  if (src) {
    list.push({
      id: "original-src",
      label: "dynamo-bao (source)",
      kind: "bao",
      load: () => require(src),
      version: () => readVersion(path.join(src, "package.json")),
      redirectEndpoint: true,
    });
  }
  list.push({
    id: "sdk",
    label: "@aws-sdk/lib-dynamodb",
    kind: "sdk",
    load: () => ({ client: require("@aws-sdk/client-dynamodb"), lib: require("@aws-sdk/lib-dynamodb") }),
    version: () => readVersion(path.join(ROOT, "node_modules", "@aws-sdk", "lib-dynamodb", "package.json")),
  });
  const only = process.env.BENCH_IMPLS;
  if (only) {
    const wanted = new Set(only.split(",").map((s) => s.trim()).filter(Boolean));
    for (const w of wanted) {
      if (!list.some((i) => i.id === w)) {
        throw new Error(`BENCH_IMPLS: unknown implementation "${w}" (known: ${list.map((i) => i.id).join(", ")})`);
      }
    }
    return list.filter((i) => wanted.has(i.id));
  }
  return list;
}

function findImpl(id) {
  const impl = implementations().find((i) => i.id === id);
  if (!impl) throw new Error(`unknown implementation ${id}`);
  return impl;
}

/**
 * The workload adapter for `impl` over what its `load()` returned.
 * @param {Impl} impl
 * @param {object} lib
 * @param {{endpoint: string, tableName: string, region: string, tenant: string}} options
 */
function adapterFor(impl, lib, options) {
  const withRedirect = { ...options, redirectEndpoint: impl.redirectEndpoint };
  if (impl.kind === "sdk") return require("./adapters/sdk.js").sdkAdapter(lib, withRedirect);
  return require("./adapters/bao.js").baoAdapter(lib, withRedirect);
}

/**
 * Runs `fn` with `impl`'s adapter against a DynamoDB Local of its own (stopped
 * afterwards), `seeded` items already created through it; for scripts that
 * measure one implementation per process.
 * @template T
 * @param {Impl} impl
 * @param {{tableName: string, region: string, tenant: string, seeded: number}} options
 * @param {(ctx: {adapter: object, ids: string[], server: {pid: number, endpoint: string}}) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withFreshAdapter(impl, { tableName, region, tenant, seeded }, fn) {
  // Required here: child.js loads this module before it times an implementation's require().
  const ddbLocal = require("../scripts/ddb-local.js");
  const { createTable } = require("../scripts/create-table.js");
  const server = await ddbLocal.start();
  try {
    ddbLocal.useLocalEnv(server.endpoint, { tableName, region });
    await createTable({ endpoint: server.endpoint, tableName, region });
    const adapter = adapterFor(impl, impl.load(), { endpoint: server.endpoint, tableName, region, tenant });
    const ids = [];
    for (let i = 0; i < seeded; i++) ids.push(await adapter.seed(i));
    return await fn({ adapter, ids, server });
  } finally {
    await server.stop();
  }
}

module.exports = { implementations, findImpl, adapterFor, withFreshAdapter };
