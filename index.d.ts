// Type declarations for dynamo-bao-native: DynamoBao's public API.

/** A field descriptor: validates a JS value and converts it to and from its stored form. */
export interface BaoField<T = unknown> {
  options: Record<string, unknown>;
  required: boolean;
  defaultValue: unknown;
  getInitialValue(): T | undefined | null;
  validate(value: unknown): boolean | void;
  toDy(value: unknown): unknown;
  fromDy(value: unknown): T;
  /** The value's form in an index key (always the built-in field's conversion). */
  toGsi(value: unknown): string;
  updateBeforeSave(value: unknown): unknown;
}

export interface FieldOptions {
  required?: boolean;
  defaultValue?: unknown;
  [option: string]: unknown;
}

declare class BaoBaseField<T = unknown> implements BaoField<T> {
  constructor(options?: FieldOptions);
  options: Record<string, unknown>;
  required: boolean;
  defaultValue: unknown;
  getInitialValue(): T | undefined | null;
  validate(value: unknown): boolean | void;
  toDy(value: unknown): unknown;
  fromDy(value: unknown): T;
  fromGsi(value: unknown): T;
  toGsi(value: unknown): string;
  updateBeforeSave(value: unknown): unknown;
}

export declare namespace fields {
  class StringFieldClass extends BaoBaseField<string> {}
  class UlidFieldClass extends BaoBaseField<string> {
    autoAssign: boolean;
  }
  class RelatedFieldClass extends BaoBaseField<string> {
    constructor(modelName: string, options?: FieldOptions);
    modelName: string;
  }
  class IntegerFieldClass extends BaoBaseField<number | null> {}
  class FloatFieldClass extends BaoBaseField<number | null> {}
  class CounterFieldClass extends BaoBaseField<number> {}
  class BooleanFieldClass extends BaoBaseField<boolean | null> {}
  class DateTimeFieldClass extends BaoBaseField<Date | null> {}
  class CreateDateFieldClass extends DateTimeFieldClass {}
  class ModifiedDateFieldClass extends DateTimeFieldClass {}
  class TtlFieldClass extends DateTimeFieldClass {}
  class VersionFieldClass extends BaoBaseField<string> {}
  class BinaryFieldClass extends BaoBaseField<Buffer | null> {}
  class StringSetFieldClass extends BaoBaseField<Set<string>> {}

  function StringField(options?: FieldOptions): StringFieldClass;
  function UlidField(options?: FieldOptions & { autoAssign?: boolean }): UlidFieldClass;
  function RelatedField(modelName: string, options?: FieldOptions): RelatedFieldClass;
  function IntegerField(options?: FieldOptions): IntegerFieldClass;
  function FloatField(options?: FieldOptions & { precision?: number }): FloatFieldClass;
  function CounterField(options?: FieldOptions): CounterFieldClass;
  function BooleanField(options?: FieldOptions): BooleanFieldClass;
  function DateTimeField(options?: FieldOptions): DateTimeFieldClass;
  function CreateDateField(options?: FieldOptions): CreateDateFieldClass;
  function ModifiedDateField(options?: FieldOptions): ModifiedDateFieldClass;
  function TtlField(options?: FieldOptions): TtlFieldClass;
  function VersionField(options?: FieldOptions): VersionFieldClass;
  function BinaryField(options?: FieldOptions): BinaryFieldClass;
  function StringSetField(options?: FieldOptions & { maxStringLength?: number; maxMemberCount?: number }): StringSetFieldClass;
}

export declare class PrimaryKeyConfigClass {
  constructor(pk: string, sk?: string);
  pk: string;
  sk: string;
  getPkFieldName(): "_pk";
  getSkFieldName(): "_sk";
}
export declare class IndexConfigClass {
  constructor(pk: string, sk: string, indexId: string);
  pk: string;
  sk: string;
  indexId: string;
  getIndexName(): string;
  getPkFieldName(): string;
  getSkFieldName(): string;
}
export declare class UniqueConstraintConfigClass {
  constructor(field: string, constraintId: string);
  field: string;
  constraintId: string;
}

export declare function PrimaryKeyConfig(pk: string, sk?: string): PrimaryKeyConfigClass;
export declare function IndexConfig(pk: string, sk: string, indexId: string): IndexConfigClass;
export declare function UniqueConstraintConfig(field: string, constraintId: string): UniqueConstraintConfigClass;

/** `{TableName, CapacityUnits}` as DynamoDB reports it. */
export interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
}

/** What `find` returns for a missing item. */
export declare class ObjectNotFound {
  constructor(consumedCapacity?: ConsumedCapacity | null);
  consumedCapacity: ConsumedCapacity | null;
  /**
   * Always false. Declared as a type guard so that `if (found.exists())` narrows the
   * `Model | ObjectNotFound` that `find` returns.
   */
  exists(): this is BaoModel;
  getNumericConsumedCapacity(type: "read" | "write" | "total"): number;
}

/** A sort-key condition: a value (equality) or one operator. */
export type SortKeyCondition = Record<
  string,
  | unknown
  | { $gt: unknown }
  | { $gte: unknown }
  | { $lt: unknown }
  | { $lte: unknown }
  | { $beginsWith: unknown }
  | { $between: [unknown, unknown] }
>;

/** DynamoBao's filter syntax: `{field: value}`, `{field: {$gt: v, ...}}`, `$and`/`$or`/`$not`. */
export type Filter = Record<string, unknown>;

export interface QueryOptions {
  limit?: number;
  direction?: "ASC" | "DESC";
  /** A `lastEvaluatedKey` from a previous page of the same query and tenant. */
  startKey?: Record<string, unknown>;
  /** The previous page's signed `cursor` (valid only for the same tenant, index and partition). */
  cursor?: string | null;
  countOnly?: boolean;
  filter?: Filter;
  returnWrapped?: boolean;
  loadRelated?: boolean;
  relatedFields?: string[] | null;
  relatedOnly?: boolean;
}

export interface SearchOptions {
  operator?: "$and" | "$or";
  /** Items per call (default 100); a positive integer or Infinity. */
  limit?: number;
  cursor?: string | null;
  batchSize?: number;
  filter?: Filter;
  parallel?: boolean;
  maxQueriesPerBucket?: number;
}

export interface SearchResult<M> {
  items: M[];
  /** Resume with the same call under the same tenant; `null` when done. */
  cursor: string | null;
}

export interface QueryResult<M> {
  items: M[];
  count: number;
  lastEvaluatedKey?: Record<string, unknown>;
  /** Opaque, signed and tenant-bound; pass it as `options.cursor` for the next page. */
  cursor?: string;
  consumedCapacity?: ConsumedCapacity;
}

export interface CountResult {
  count: number;
  consumedCapacity?: ConsumedCapacity;
}

export interface SaveOptions {
  forceReindex?: boolean;
  /** Filter syntax; the write fails with ConditionalError when it does not hold. */
  condition?: Filter;
  [option: string]: unknown;
}

/** The class models extend. */
export declare class BaoModel {
  static modelPrefix: string | null;
  static fields: Record<string, BaoField>;
  static primaryKey: PrimaryKeyConfigClass | null;
  static indexes: Record<string, IndexConfigClass | PrimaryKeyConfigClass>;
  static uniqueConstraints: Record<string, UniqueConstraintConfigClass>;
  static iterable: boolean;
  static iterationBuckets: number;
  static searchable: boolean;
  static searchConfig: { fields: string[]; caseSensitive?: boolean; minTermLength?: number; dedupe?: boolean } | null;
  static defaultQueryLimit: number;
  static table: string | null;
  /** The raw seam: DynamoDB commands run as the current tenant, confined to its keys. */
  static documentClient: DocumentClient | null;
  static readonly manager: ModelManager;

  constructor(data?: Record<string, unknown>);
  [field: string]: any;

  static create<T extends typeof BaoModel>(this: T, data: Record<string, unknown>): Promise<InstanceType<T>>;
  static find<T extends typeof BaoModel>(
    this: T,
    primaryId: string | Record<string, unknown>,
    options?: { batchDelay?: number; bypassCache?: boolean },
  ): Promise<InstanceType<T> | ObjectNotFound>;
  static update<T extends typeof BaoModel>(
    this: T,
    primaryId: string | Record<string, unknown>,
    changes: Record<string, unknown>,
    options?: SaveOptions,
  ): Promise<InstanceType<T>>;
  static delete<T extends typeof BaoModel>(
    this: T,
    primaryId: string | Record<string, unknown>,
    options?: { condition?: Filter },
  ): Promise<InstanceType<T>>;
  static batchFind<T extends typeof BaoModel>(
    this: T,
    primaryIds: Array<string | Record<string, unknown>>,
  ): Promise<{ items: Record<string, InstanceType<T>>; ConsumedCapacity: ConsumedCapacity[] }>;
  static findByUniqueConstraint<T extends typeof BaoModel>(
    this: T,
    constraintName: string,
    value: unknown,
  ): Promise<InstanceType<T> | ObjectNotFound>;
  static getRelatedObjectsViaMap(
    indexName: string,
    pkValue: unknown,
    targetField: string,
    mapSkCondition?: SortKeyCondition | null,
    limit?: number | null,
    direction?: "ASC" | "DESC",
    startKey?: Record<string, unknown> | null,
  ): Promise<QueryResult<BaoModel | ObjectNotFound>>;
  /** Every item of the current tenant, in batches (iterable models). */
  static iterateAll<T extends typeof BaoModel>(
    this: T,
    options?: { batchSize?: number; filter?: Filter },
  ): AsyncGenerator<InstanceType<T>[]>;
  static iterateBucket<T extends typeof BaoModel>(
    this: T,
    bucket: number,
    options?: { batchSize?: number; filter?: Filter },
  ): AsyncGenerator<InstanceType<T>[]>;
  static searchAll<T extends typeof BaoModel>(this: T, terms: string[], options?: SearchOptions): Promise<SearchResult<InstanceType<T>>>;
  static searchBucket<T extends typeof BaoModel>(
    this: T,
    bucket: number,
    terms: string[],
    options?: SearchOptions,
  ): Promise<SearchResult<InstanceType<T>>>;
  static tokenizeSearchQuery(query: string): string[];
  static normalizeSearchTerm(term: string): string;
  static queryByIndex<T extends typeof BaoModel>(
    this: T,
    indexName: string,
    pkValue: unknown,
    skCondition?: SortKeyCondition | null,
    options?: QueryOptions,
  ): Promise<QueryResult<InstanceType<T>>>;
  static queryByPrimaryKey<T extends typeof BaoModel>(
    this: T,
    pkValue: unknown,
    skCondition?: SortKeyCondition | null,
    options?: QueryOptions,
  ): Promise<QueryResult<InstanceType<T>>>;
  /** The current tenant's item count (iterable models). */
  static count(filter?: Filter): Promise<CountResult>;
  static getPrimaryId(data: Record<string, unknown>): string;
  static makePrimaryId(pk: string, sk: string): string;
  static getIterationBuckets(): number;
  static isInsideBatchContext(): boolean;
  static registerPlugin?(plugin: Plugin): void;

  getPrimaryId(): string;
  /** Always true for an instance (see {@link ObjectNotFound.exists}). */
  exists(): this is BaoModel;
  hasChanges(): boolean;
  isLoaded(): boolean;
  save(options?: SaveOptions): Promise<this>;
  /** Deletes this item; resolves to the deleted instance. */
  delete(options?: { condition?: Filter }): Promise<this>;
  getOrLoadRelatedField(fieldName: string): Promise<BaoModel | ObjectNotFound | null>;
  loadRelatedData(fieldNames?: string[] | null): Promise<this>;
  getRelated(fieldName: string): BaoModel | ObjectNotFound | undefined;
  clearRelatedCache(fieldName: string): void;
  getConsumedCapacity(): Array<{ consumedCapacity: ConsumedCapacity; fromContext: boolean; type: "read" | "write" }>;
  getNumericConsumedCapacity(type: "read" | "write" | "total", includeRelated?: boolean): number;
  clearConsumedCapacity(): void;
}

export interface Plugin {
  methods?: Record<string, (...args: any[]) => any>;
  beforeSave?(data: Record<string, unknown>, options: Record<string, unknown>): unknown;
  afterSave?(instance: BaoModel, options: Record<string, unknown>): unknown;
  beforeDelete?(primaryId: unknown, options: Record<string, unknown>): unknown;
  afterDelete?(primaryId: unknown, options: Record<string, unknown>): unknown;
}

export declare class ModelManager {
  static getInstance(tenantId?: string | null): ModelManager;
  models: Record<string, typeof BaoModel>;
  init(config: BaoConfig): this;
  getModel<T extends typeof BaoModel = typeof BaoModel>(name: string): T;
  registerModel<T extends typeof BaoModel>(model: T): T;
  getModels(): Array<typeof BaoModel>;
  listModels(): string[];
  getTenantId(): string | null;
  getTestId(): string | null;
  isTenancyEnabled(): boolean;
  getIterationIndexName(): string;
  readonly tableName: string | null;
  readonly documentClient: DocumentClient | null;
  requestStats(): RequestStats;
}

/** A command of `dynamo-bao/src/dynamodb-client.js`: the request as the DynamoDB API names it. */
export interface DynamoDBCommand {
  input: Record<string, unknown>;
}

/** `Model.documentClient`: sends commands with plain (document) values. */
export interface DocumentClient {
  send(command: DynamoDBCommand): Promise<Record<string, any>>;
}

export interface BaoConfig {
  aws?: {
    region?: string;
    /** e.g. a DynamoDB Local URL; default: `AWS_ENDPOINT_URL_DYNAMODB` */
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    /** Attempts per request, retries included (default 3). */
    maxAttempts?: number;
    /** Time limit of each attempt, in milliseconds. */
    requestTimeoutMs?: number;
    /** First retry delay of the SDK's backoff, in milliseconds. */
    retryInitialBackoffMs?: number;
  };
  db?: { tableName?: string; iterationIndexName?: string };
  tenancy?: {
    enabled?: boolean;
    /** Only runWithTenant/withTenant and resolvers supply a tenant; the setCurrentTenant fallback does not. */
    strict?: boolean;
    /** Credentials each tenant's requests are signed with (e.g. STS credentials with a tenant session tag). */
    credentials?: (tenantId: string) => TenantCredentials | Promise<TenantCredentials>;
    /** How long before `expiration` the credentials are asked for again, in milliseconds. */
    credentialsRefreshMarginMs?: number;
    /** The key query cursors are signed with, shared by every instance that reads them. */
    cursorSecret?: string;
  };
  batchContext?: { requireBatchContext?: boolean };
  /** Kept for DynamoBao configs; the level comes from `DYNAMO_BAO_LOG_LEVEL`, as in DynamoBao. */
  logging?: { level?: LogLevel | Lowercase<LogLevel> | string };
  paths?: { modelsDir?: string | null; generatedModelsManifest?: string | null; [key: string]: unknown };
  models?: Record<string, typeof BaoModel> | null;
  testId?: string;
  tenantId?: string;
  [key: string]: unknown;
}

/** What `tenancy.credentials` returns; STS's `Credentials` shape (`AccessKeyId`, …, `Expiration`) works too. */
export type TenantCredentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date | string | number }
  | { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string; Expiration?: Date | string | number };

/** `manager.requestStats()`: what the configuration's DynamoDB client has done so far. */
export interface RequestStats {
  requests: number;
  attempts: number;
  retries: number;
  throttled: number;
  serverErrors: number;
  transportErrors: number;
}

export declare function initModels(config?: BaoConfig): ModelManager;

export type TenantResolver = () => string | null | undefined;

/** Tenant scope: AsyncLocalStorage for requests, a fallback for scripts, resolvers. */
export declare class TenantContext {
  static getCurrentTenant(): string | null;
  static setCurrentTenant(tenantId: string | null): ModelManager;
  static addResolver(resolver: TenantResolver): void;
  static clearResolvers(): void;
  static runWithTenant<T>(tenantId: string | null, callback: () => T): T;
  static withTenant<T>(tenantId: string | null, operation: () => T): T;
  static getInstance(tenantId?: string | null): ModelManager;
  static clearTenant(): void;
  static validateTenantRequired(config: BaoConfig): void;
  static reset(): void;
}

export declare function runWithBatchContext<T>(fn: () => T): T;
export declare function getBatchContextCapacity(): { read: number; write: number };

/** The stable `code` of every error class of `exceptions`. */
export type BaoErrorCode =
  | "CONFIGURATION"
  | "VALIDATION"
  | "INVALID_TENANT_ID"
  | "QUERY"
  | "ITEM_NOT_FOUND"
  | "CONDITIONAL"
  | "DATA_FORMAT"
  | "TENANT_REQUIRED"
  | "TENANT_MISMATCH";

/**
 * A DynamoDB error the library does not translate: `name` and `code` are the AWS error
 * name (e.g. "ProvisionedThroughputExceededException"); `retryable` when trying again later may work.
 */
export interface DynamoDBServiceError extends Error {
  code: string;
  retryable?: boolean;
}

export declare namespace exceptions {
  class BaoError extends Error {
    constructor(message: string, code?: string | null);
    code: BaoErrorCode | string | null;
    /** Set on errors that may succeed when tried again (network, timeouts, throttling, 5xx). */
    retryable?: boolean;
  }
  class ConfigurationError extends BaoError {
    constructor(message: string, modelName?: string | null);
    code: "CONFIGURATION";
    modelName: string | null;
  }
  class ValidationError extends BaoError {
    constructor(message: string, fieldName?: string | null, value?: unknown);
    /** "VALIDATION"; "INVALID_TENANT_ID" for a refused tenant id; "TENANT_MISMATCH" for an instance saved or deleted outside the tenant it was read in */
    code: "VALIDATION" | "INVALID_TENANT_ID" | "TENANT_MISMATCH";
    fieldName: string | null;
    value: unknown;
  }
  class QueryError extends BaoError {
    constructor(message: string, indexName?: string | null, fieldName?: string | null);
    code: "QUERY";
    indexName: string | null;
    fieldName: string | null;
  }
  class ItemNotFoundError extends BaoError {
    constructor(message?: string, primaryId?: unknown);
    code: "ITEM_NOT_FOUND";
    primaryId: unknown;
  }
  class ConditionalError extends BaoError {
    constructor(message: string, operation?: string | null, condition?: unknown);
    code: "CONDITIONAL";
    operation: string | null;
    condition: unknown;
  }
  /** Kept for compatibility; the library does not throw it. */
  class DataFormatError extends BaoError {
    constructor(message: string, data?: unknown, expectedFormat?: unknown);
    code: "DATA_FORMAT";
    data: unknown;
    expectedFormat: unknown;
  }
  /** Tenancy is enabled and no tenant is in scope. */
  class TenantRequiredError extends BaoError {
    constructor(message: string);
    code: "TENANT_REQUIRED";
  }
}

/** `DYNAMO_BAO_LOG_LEVEL` values (any case); DEBUG adds the request log. */
export type LogLevel = "OFF" | "ERROR" | "WARN" | "INFO" | "DEBUG";

export declare const constants: {
  GSI_INDEX_ID1: "gsi1";
  GSI_INDEX_ID2: "gsi2";
  GSI_INDEX_ID3: "gsi3";
  GSI_INDEX_ID4: "gsi4";
  GSI_INDEX_ID5: "gsi5";
  ITERATION_INDEX_NAME: "iter_index";
  LEGACY_ITERATION_INDEX_NAME: "iter_index";
  SEARCH_INDEX_NAME: "iter_search_index";
  ITERATION_PK_FIELD: "_iter_pk";
  ITERATION_SK_FIELD: "_iter_sk";
  SEARCH_TEXT_FIELD: "_searchText";
  UNIQUE_CONSTRAINT_ID1: "_uc1";
  UNIQUE_CONSTRAINT_ID2: "_uc2";
  UNIQUE_CONSTRAINT_ID3: "_uc3";
  UNIQUE_CONSTRAINT_KEY: "_raft_uc";
  SYSTEM_FIELDS: string[];
};

export declare const models: Record<string, typeof BaoModel>;

// ---- Integrations: Express middleware and Lambda wrapper (lib/integrations/*.d.ts) ----
export { tenantMiddleware } from "./lib/integrations/express";
export type {
  TenantMiddlewareOptions,
  TenantSource,
  BaoRequestInfo,
  RequestCapacity,
  TenantRefusalBody,
} from "./lib/integrations/express";
export { withTenantHandler } from "./lib/integrations/lambda";
export type { WithTenantHandlerOptions, LambdaTenantSource, TenantRefusalResponse } from "./lib/integrations/lambda";
// ---- end Integrations ----

// ---- Testing: dynamo-bao-native/testing (lib/testing.d.ts; not exported from the root) ----
export type { UseTestTenantOptions, TestTenant, TestModels, TestHook } from "./lib/testing";
// ---- end Testing ----
