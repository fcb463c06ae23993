"use strict";
/**
 * Model instantiation, measured as DynamoBao's test/performance.test.js does:
 * `new Model(data)` for 1,000 then 10,000 instances of SimpleModel (2 fields)
 * and ComplexModel (56 fields), building each data object inside the timed
 * loop, and 10,000 sparse ComplexModels (5 fields set); thresholds 5 µs
 * (simple) and 50 µs (complex, sparse) per instance. Added: hydration from a
 * stored item (`Model._createFromDyItem`, what every read does per item),
 * with the items built before the timed loop.
 */
const { defineModels, complexData } = require("./models.js");

const THRESHOLDS_US = { simple: 5, complex: 50, sparse: 50 };

function timed(count, makeOne) {
  const instances = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) instances.push(makeOne(i));
  const end = process.hrtime.bigint();
  if (instances.length !== count) throw new Error("instance count mismatch");
  return Number(end - start) / 1000 / count; // µs per instance
}

/** The stored (dy) form of an item: field values plus the keys a read returns. */
function storedItem(tenant, prefix, data) {
  return {
    ...data,
    _pk: `[${tenant}]#${prefix}#${data.id}`,
    _sk: prefix,
    _iter_pk: `[${tenant}]#${prefix}#iter`,
    _iter_sk: data.id,
  };
}

/**
 * @param {object} lib a DynamoBao-compatible library
 * @param {{endpoint: string, tableName: string, region: string, tenant: string}} options
 * @returns {Record<string, number>} µs per instance by measurement
 */
function measureInstantiation(lib, { endpoint, tableName, region, tenant }) {
  const { SimpleModel, ComplexModel } = defineModels(lib);
  lib.TenantContext.runWithTenant(tenant, () =>
    lib.initModels({
      aws: { region, endpoint },
      db: { tableName },
      tenancy: { enabled: true },
      models: { SimpleModel, ComplexModel },
    }),
  );
  const simpleData = (i) => ({ id: `test-${i}`, name: `Test ${i}` });
  const sparseData = (i) => ({ id: `test-${i}`, name: `Test ${i}`, email: `test${i}@example.com`, isActive: true, score: 100 });
  const out = {};
  // The order of performance.test.js: 1k simple, 1k complex, 10k simple, 10k complex, 10k sparse.
  out.simple1k = timed(1000, (i) => new SimpleModel(simpleData(i)));
  out.complex1k = timed(1000, (i) => new ComplexModel(complexData(i)));
  out.simple10k = timed(10000, (i) => new SimpleModel(simpleData(i)));
  out.complex10k = timed(10000, (i) => new ComplexModel(complexData(i)));
  out.sparse10k = timed(10000, (i) => new ComplexModel(sparseData(i)));
  const simpleItems = Array.from({ length: 10000 }, (_, i) => storedItem(tenant, "sm", simpleData(i)));
  const complexItems = Array.from({ length: 10000 }, (_, i) => storedItem(tenant, "cm", complexData(i)));
  out.simpleFromItem10k = timed(10000, (i) => SimpleModel._createFromDyItem(simpleItems[i]));
  out.complexFromItem10k = timed(10000, (i) => ComplexModel._createFromDyItem(complexItems[i]));
  return out;
}

module.exports = { measureInstantiation, THRESHOLDS_US };
