// dynamo-bao-native/testing in a TypeScript test file (Jest's globals declared minimally here).
import { useTestTenant, initTestModelsWithTenant, generateTestTenant, cleanupTestTenant } from "dynamo-bao-native/testing";
import type { TestTenant, UseTestTenantOptions } from "dynamo-bao-native";
import { BaoModel, PrimaryKeyConfig, fields, type ModelManager } from "dynamo-bao-native";

declare function beforeEach(fn: () => unknown): void;
declare function afterEach(fn: () => unknown): void;

class Note extends BaoModel {
  static modelPrefix = "n";
  static fields = { noteId: fields.UlidField({ autoAssign: true }) };
  static primaryKey = PrimaryKeyConfig("noteId");
  static iterable = true;
}

const config = { db: { tableName: "t" }, models: { Note } };

const t: TestTenant = useTestTenant({ config });
const t2 = useTestTenant({ models: [Note], prefix: "it-", beforeEach, afterEach });
const t3 = useTestTenant({ models: () => ({ Note }) });
const id: string = t.tenantId;
const manager: ModelManager | null = t.manager;
const n: Promise<number> = t2.run(async () => 1);
const m: ModelManager = initTestModelsWithTenant(config, generateTestTenant());
const deleted: Promise<number> = cleanupTestTenant(id, [Note]);
const options: UseTestTenantOptions = { models: [] };

// @ts-expect-error the handle's tenant is read-only
t.tenantId = "other";
// @ts-expect-error prefix is a string
useTestTenant({ prefix: 1 });
// @ts-expect-error models are model classes
useTestTenant({ models: ["Note"] });
// @ts-expect-error a tenant id is required
initTestModelsWithTenant(config);

void t3, manager, n, m, deleted, options;
