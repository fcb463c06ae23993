// Types of `dynamo-bao-native/testing` (lib/testing.js).
import type { BaoConfig, BaoModel, ModelManager } from "../index";

/** A test runner's `beforeEach` / `afterEach`. */
export type TestHook = (fn: () => unknown) => unknown;

/** Model classes, a map of them (`config.models`), a ModelManager, or a function returning one. */
export type TestModels =
  | Array<typeof BaoModel>
  | Record<string, typeof BaoModel>
  | ModelManager
  | (() => Array<typeof BaoModel> | Record<string, typeof BaoModel> | ModelManager);

export interface UseTestTenantOptions {
  /**
   * The models whose items `afterEach` deletes (iterable models by iteration, any model's
   * saves during the test by id). Default: the models of `config`, else those registered for
   * the test's tenant. `[]` skips clean-up.
   */
  models?: TestModels;
  /** When given, `initTestModelsWithTenant(config, tenantId)` runs in `beforeEach`. */
  config?: BaoConfig;
  /** Tenant id prefix; default `"test-"`. */
  prefix?: string;
  /** The runner's hooks; default: the globals (Jest, Mocha, Vitest with globals). */
  beforeEach?: TestHook;
  afterEach?: TestHook;
}

/** What `useTestTenant` returns. */
export interface TestTenant {
  /** The running test's tenant, `test-<ULID>`; throws outside a test. */
  readonly tenantId: string;
  /** The manager `options.config` initialised for this test, else `null`. */
  readonly manager: ModelManager | null;
  /** Runs `fn` inside `TenantContext.runWithTenant(tenantId)` (needed with `tenancy.strict`). */
  run<T>(fn: () => T): T;
}

/**
 * A fresh `test-<ULID>` tenant for every test: made current (`setCurrentTenant`) in
 * `beforeEach`; its items deleted and the tenant cleared in `afterEach`.
 */
export declare function useTestTenant(options?: UseTestTenantOptions): TestTenant;

/** The guide's helper: makes `tenantId` current and runs `initModels` with tenancy enabled. */
export declare function initTestModelsWithTenant(config: BaoConfig, tenantId: string): ModelManager;

/** A new tenant id, `${prefix}<ULID>` (default prefix `"test-"`). */
export declare function generateTestTenant(prefix?: string): string;

/** Deletes a tenant's items of the given models; resolves to how many were deleted. */
export declare function cleanupTestTenant(
  tenantId: string,
  models: TestModels,
  tracked?: Map<typeof BaoModel, Set<string>>,
): Promise<number>;
