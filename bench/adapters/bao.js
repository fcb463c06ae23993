"use strict";
/**
 * The workload through DynamoBao's API: this package and the original run
 * exactly this code. Every operation runs in its own `runWithTenant` scope,
 * as a request handler would, with tenancy enabled.
 */
const { defineModels, groupOf } = require("../models.js");

/**
 * @param {object} lib what `require()` of the library returned
 * @param {{endpoint: string, tableName: string, region: string, tenant: string, redirectEndpoint?: boolean}} options
 */
function baoAdapter(lib, { endpoint, tableName, region, tenant, redirectEndpoint }) {
  const { TenantContext, initModels, runWithBatchContext } = lib;
  const { BenchRead, BenchWrite } = defineModels(lib);
  const manager = TenantContext.runWithTenant(tenant, () =>
    initModels({
      aws: { region, endpoint },
      db: { tableName },
      tenancy: { enabled: true },
      models: { BenchRead, BenchWrite },
    }),
  );
  // DynamoBao's aws4fetch client ignores aws.endpoint; its manager.init() is
  // async but builds the client before its first await, so it exists here.
  if (redirectEndpoint) {
    const client = manager._docClient?.client;
    if (!client || typeof client.endpoint !== "string") {
      throw new Error("cannot redirect the original's client: manager._docClient.client.endpoint not found");
    }
    client.endpoint = endpoint;
  }

  const scoped = (fn) => TenantContext.runWithTenant(tenant, fn);
  const fields = (i) => ({ group: groupOf(i), name: `item-${i}`, count: i, active: i % 2 === 0 });

  return {
    /** Seeds one BenchRead item; resolves to its primary id. */
    seed: (i) => scoped(async () => (await BenchRead.create(fields(i))).getPrimaryId()),

    create: (i) =>
      scoped(async () => {
        const item = await BenchWrite.create(fields(i));
        return item.itemId ? 1 : 0;
      }),

    find: (id) =>
      scoped(async () => {
        const item = await BenchRead.find(id);
        return item.exists() ? 1 : 0;
      }),

    /** One batch context in which all the finds are issued together. */
    findBatched: (ids) =>
      scoped(() =>
        runWithBatchContext(async () => {
          const items = await Promise.all(ids.map((id) => BenchRead.find(id)));
          return items.filter((item) => item.exists()).length;
        }),
      ),

    update: (id, i) =>
      scoped(async () => {
        const item = await BenchRead.update(id, { name: `upd-${i}`, count: i });
        return item.count === i ? 1 : 0;
      }),

    query: (group) =>
      scoped(async () => {
        const page = await BenchRead.queryByIndex("byGroup", group, null, { limit: 20 });
        return page.items.length;
      }),

    batchFind: (ids) =>
      scoped(async () => {
        const { items } = await BenchRead.batchFind(ids);
        return Object.keys(items).length;
      }),

    iterateAll: () =>
      scoped(async () => {
        let n = 0;
        for await (const batch of BenchRead.iterateAll()) n += batch.length;
        return n;
      }),
  };
}

module.exports = { baoAdapter };
