// The model API as a TypeScript application uses it. Every `@ts-expect-error` line must
// stay an error: if the declarations grew too loose (or resolved to `any`), tsc fails.
import {
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  TenantContext,
  initModels,
  runWithBatchContext,
  getBatchContextCapacity,
  fields,
  exceptions,
  constants,
  ObjectNotFound,
} from "dynamo-bao-native";
import type {
  BaoConfig,
  QueryResult,
  QueryOptions,
  CountResult,
  SearchResult,
  BaoErrorCode,
  LogLevel,
  ModelManager,
} from "dynamo-bao-native";

const { UlidField, StringField, IntegerField, CreateDateField, RelatedField } = fields;

class User extends BaoModel {
  static modelPrefix = "u";
  static fields = {
    userId: UlidField({ autoAssign: true }),
    name: StringField({ required: true }),
    status: StringField(),
    logins: IntegerField({ defaultValue: 0 }),
    createdAt: CreateDateField(),
  };
  static primaryKey = PrimaryKeyConfig("userId");
  static indexes = { byStatus: IndexConfig("status", "createdAt", "gsi1") };
  static uniqueConstraints = { uniqueName: UniqueConstraintConfig("name", "_uc1") };
  static iterable = true;

  declare userId: string;
  declare name: string;
  declare status: string | null;
}

class Post extends BaoModel {
  static modelPrefix = "p";
  static fields = { postId: UlidField({ autoAssign: true }), userId: RelatedField("User") };
  static primaryKey = PrimaryKeyConfig("postId");
}

const config: BaoConfig = {
  aws: { region: "us-east-1", endpoint: "http://127.0.0.1:8000", maxAttempts: 5, requestTimeoutMs: 2000 },
  db: { tableName: "app" },
  tenancy: {
    enabled: true,
    strict: true,
    cursorSecret: "shared-secret",
    credentials: async (tenantId: string) => ({ accessKeyId: tenantId, secretAccessKey: "s", expiration: new Date() }),
  },
  models: { User, Post },
};
const manager: ModelManager = TenantContext.runWithTenant("acme", () => initModels(config));
const Again: typeof BaoModel = manager.getModel("User");
void Again;

async function crud(): Promise<void> {
  const user: User = await User.create({ name: "Ada", status: "active" });
  const id: string = user.getPrimaryId();
  const found = await User.find(id);
  if (found.exists()) {
    const u: User = found;
    const n: string = u.name;
    void n;
  } else {
    const missing: ObjectNotFound = found;
    void missing;
  }
  const updated: User = await User.update(id, { status: "away" }, { condition: { status: "active" } });
  await updated.save();
  const deleted: User = await updated.delete();
  void deleted;

  const page: QueryResult<User> = await User.queryByIndex("byStatus", "active", { createdAt: { $gt: new Date(0) } }, {
    limit: 10,
    direction: "DESC",
    filter: { name: { $beginsWith: "A" } },
  });
  const names: string[] = page.items.map((u) => u.name);
  const next = await User.queryByIndex("byStatus", "active", null, { cursor: page.cursor });
  const stats: number = manager.requestStats().retries;
  void stats;
  // @ts-expect-error a cursor is the string a previous page returned
  await User.queryByIndex("byStatus", "active", null, { cursor: page.lastEvaluatedKey });
  void names, next;
  const counted: CountResult = await User.count();
  const total: number = counted.count;
  void total;

  for await (const batch of User.iterateAll({ batchSize: 50 })) {
    const first: User | undefined = batch[0];
    void first;
  }
  const { items } = await User.batchFind([id]);
  const one: User | undefined = items[id];
  void one;
  const byName = await User.findByUniqueConstraint("uniqueName", "Ada");
  void byName;
  const found2: SearchResult<User> = await User.searchAll(["ada"], { limit: 5, cursor: null });
  void found2;

  const options: QueryOptions = { countOnly: true };
  void options;

  // @ts-expect-error direction is "ASC" or "DESC"
  await User.queryByIndex("byStatus", "active", null, { direction: "UP" });
  // @ts-expect-error create takes an object of field values
  await User.create("Ada");
  // @ts-expect-error an instance of User is not an ObjectNotFound without narrowing
  const wrong: ObjectNotFound = user;
  void wrong;
}

function tenants(): void {
  const current: string | null = TenantContext.getCurrentTenant();
  void current;
  const result: Promise<number> = TenantContext.withTenant("globex", async () => 1);
  void result;
  TenantContext.addResolver(() => "acme");
  TenantContext.addResolver(() => undefined);
  // @ts-expect-error a resolver returns a tenant id, not a number
  TenantContext.addResolver(() => 7);
  // @ts-expect-error tenant ids are strings (or null)
  TenantContext.runWithTenant(42, () => 0);
  TenantContext.clearTenant();
}

async function batches(): Promise<void> {
  const n: number = await runWithBatchContext(async () => {
    await User.find("x", { batchDelay: 5 });
    return getBatchContextCapacity().read;
  });
  void n;
}

function errors(err: unknown): string | undefined {
  if (err instanceof exceptions.TenantRequiredError) {
    const code: "TENANT_REQUIRED" = err.code;
    // @ts-expect-error the code of this class is a literal
    const other: "VALIDATION" = err.code;
    void other;
    return code;
  }
  if (err instanceof exceptions.ValidationError) {
    const code: "VALIDATION" | "INVALID_TENANT_ID" | "TENANT_MISMATCH" = err.code;
    return code;
  }
  if (err instanceof exceptions.ConditionalError) return err.operation ?? undefined;
  if (err instanceof exceptions.BaoError && err.retryable) return "retry";
  return undefined;
}

const codes: BaoErrorCode[] = ["TENANT_REQUIRED", "INVALID_TENANT_ID", "TENANT_MISMATCH", "CONDITIONAL", "ITEM_NOT_FOUND"];
// @ts-expect-error not a code of this library
const badCode: BaoErrorCode = "NOPE";
const level: LogLevel = "DEBUG";
// @ts-expect-error not a DYNAMO_BAO_LOG_LEVEL name
const badLevel: LogLevel = "TRACE";
const gsi: "gsi1" = constants.GSI_INDEX_ID1;
// @ts-expect-error index configs take field names
IndexConfig(1, "createdAt", "gsi1");

void crud, tenants, batches, errors, codes, badCode, level, badLevel, gsi;
