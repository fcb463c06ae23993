"use strict";
/**
 * The benchmark's models, defined against whichever DynamoBao-compatible
 * library is being measured, so every implementation runs the same classes.
 *
 * BenchRead holds the seeded items that finds, updates, queries and
 * iteration read; creates go to BenchWrite (same shape, other prefix), so the
 * iterated set stays at exactly SEED_COUNT items however many runs there are.
 * SimpleModel and ComplexModel are the shapes of DynamoBao's
 * test/performance.test.js.
 */

const SEED_COUNT = 2000;
const GROUPS = 20; // 100 items per group: a 20-item query page is always full
const ITERATION_BUCKETS = 10; // what bao-codegen emits for `iterable: true`

const READ_PREFIX = "br";
const WRITE_PREFIX = "bw";

/** `g0` … `g19`: the byGroup partition of the i-th item. */
const groupOf = (i) => `g${i % GROUPS}`;

/**
 * @param {{BaoModel: Function, PrimaryKeyConfig: Function, IndexConfig: Function, fields: object}} lib
 */
function defineModels(lib) {
  const { BaoModel, PrimaryKeyConfig, IndexConfig, fields } = lib;
  const { UlidField, StringField, IntegerField, BooleanField, CreateDateField, ModifiedDateField } = fields;

  const benchFields = () => ({
    itemId: UlidField({ autoAssign: true }),
    group: StringField({ required: true }),
    name: StringField(),
    count: IntegerField(),
    active: BooleanField(),
    createdAt: CreateDateField(),
    modifiedAt: ModifiedDateField(),
  });

  class BenchRead extends BaoModel {
    static modelPrefix = READ_PREFIX;
    static fields = benchFields();
    static primaryKey = PrimaryKeyConfig("itemId");
    static indexes = { byGroup: IndexConfig("group", "createdAt", "gsi1") };
    static iterable = true;
    static iterationBuckets = ITERATION_BUCKETS;
  }

  class BenchWrite extends BaoModel {
    static modelPrefix = WRITE_PREFIX;
    static fields = benchFields();
    static primaryKey = PrimaryKeyConfig("itemId");
    static indexes = { byGroup: IndexConfig("group", "createdAt", "gsi1") };
    static iterable = true;
    static iterationBuckets = ITERATION_BUCKETS;
  }

  class SimpleModel extends BaoModel {
    static modelPrefix = "sm";
    static iterable = true;
    static iterationBuckets = 1;
    static fields = { id: StringField({ required: true }), name: StringField() };
    static primaryKey = PrimaryKeyConfig("id");
  }

  const complexFields = { id: StringField({ required: true }), name: StringField() };
  for (const [name, kind] of COMPLEX_FIELDS) {
    complexFields[name] = kind === "int" ? IntegerField() : kind === "bool" ? BooleanField() : StringField();
  }
  class ComplexModel extends BaoModel {
    static modelPrefix = "cm";
    static iterable = true;
    static iterationBuckets = 1;
    static fields = complexFields;
    static primaryKey = PrimaryKeyConfig("id");
  }

  return { BenchRead, BenchWrite, SimpleModel, ComplexModel };
}

/** ComplexModel's fields after `id` and `name`, in performance.test.js order. */
const COMPLEX_FIELDS = [
  ["age", "int"], ["email", "str"], ["isActive", "bool"], ["address", "str"], ["phone", "str"],
  ["score", "int"], ["lastLogin", "str"], ["preferences", "str"], ["status", "str"], ["metadata", "str"],
  ["title", "str"], ["description", "str"], ["createdAt", "str"], ["updatedAt", "str"], ["category", "str"],
  ["tags", "str"], ["rating", "int"], ["views", "int"], ["likes", "int"], ["shares", "int"],
  ["comments", "int"], ["priority", "int"], ["isPublic", "bool"], ["isArchived", "bool"], ["isFeatured", "bool"],
  ["isSponsored", "bool"], ["isPremium", "bool"], ["region", "str"], ["country", "str"], ["city", "str"],
  ["zipCode", "str"], ["latitude", "str"], ["longitude", "str"], ["website", "str"], ["socialMedia", "str"],
  ["department", "str"], ["role", "str"], ["salary", "int"], ["experience", "int"], ["education", "str"],
  ["skills", "str"], ["languages", "str"], ["certifications", "str"], ["projects", "str"], ["supervisor", "str"],
  ["team", "str"], ["division", "str"], ["costCenter", "str"], ["budget", "int"], ["revenue", "int"],
  ["expenses", "int"], ["profit", "int"], ["quarter", "int"], ["year", "int"],
];

/** The data performance.test.js gives each ComplexModel instance. */
function complexData(i) {
  const now = new Date().toISOString();
  return {
    id: `test-${i}`, name: `Test ${i}`, age: 25, email: `test${i}@example.com`, isActive: true,
    address: "123 Test St", phone: "555-0000", score: 100, lastLogin: now, preferences: '{"theme":"dark"}',
    status: "active", metadata: '{"version":"1.0"}', title: `Title ${i}`, description: `Description for item ${i}`,
    createdAt: now, updatedAt: now, category: "Test Category", tags: '["test", "performance"]', rating: 4,
    views: 1000, likes: 50, shares: 25, comments: 10, priority: 1, isPublic: true, isArchived: false,
    isFeatured: true, isSponsored: false, isPremium: true, region: "North", country: "Test Country",
    city: "Test City", zipCode: "12345", latitude: "40.7128", longitude: "-74.0060", website: "https://example.com",
    socialMedia: '{"twitter": "@test"}', department: "Engineering", role: "Developer", salary: 100000,
    experience: 5, education: "Masters", skills: '["JavaScript", "Python"]', languages: '["English", "Spanish"]',
    certifications: '["AWS", "GCP"]', projects: '["Project A", "Project B"]', supervisor: "John Doe",
    team: "Alpha", division: "R&D", costCenter: "CC001", budget: 1000000, revenue: 2000000, expenses: 1500000,
    profit: 500000, quarter: 2, year: 2024,
  };
}

module.exports = {
  defineModels,
  complexData,
  COMPLEX_FIELDS,
  SEED_COUNT,
  GROUPS,
  ITERATION_BUCKETS,
  READ_PREFIX,
  WRITE_PREFIX,
  groupOf,
};
