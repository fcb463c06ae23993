"use strict";
/**
 * TenantContext (spec §6.1, and the multi-tenancy guide). The request-scoped
 * tenant lives in an AsyncLocalStorage store here; the process-wide
 * `setCurrentTenant` fallback and the resolvers live in the native core, which
 * resolves and validates the tenant of every data operation before it builds a
 * key. Each loaded copy of this module has its own native state.
 */
const { AsyncLocalStorage } = require("node:async_hooks");
const { TenantScope } = require("./native.js");
const { fromNative } = require("./native-errors.js");
const { TENANT_REQUIRED_MESSAGE } = require("./messages.js");

const storage = new AsyncLocalStorage();
const scope = new TenantScope();
/** The scope's tenant as last validated by the core (see `_operationTenant`). */
const VALIDATED = Symbol("validated tenant");

class TenantContext {
  /** @type {Map<string, import('./model-manager').ModelManager>} */
  static _instances = new Map();

  /**
   * The tenant of the current async context: the `runWithTenant` tenant, then
   * the `setCurrentTenant` fallback, then the resolvers in order; `null` if none.
   * @returns {string|null}
   */
  static getCurrentTenant() {
    const store = storage.getStore();
    if (store && store.tenantId != null && store.tenantId !== "") return store.tenantId;
    try {
      return scope.current(undefined) ?? null;
    } catch (e) {
      if (e?.code === "InvalidArg") throw fromNative({ code: "INVALID_TENANT_ID", message: e.message });
      throw e;
    }
  }

  /**
   * Sets the tenant of the current `runWithTenant` scope, or, outside any
   * scope, the process-wide fallback (simple scripts, tests, background jobs).
   * @param {string|null} tenantId
   */
  static setCurrentTenant(tenantId) {
    const store = storage.getStore();
    if (store) store.tenantId = tenantId;
    else if (tenantId == null) scope.clearFallback();
    else scope.setFallback(tenantId);
    return TenantContext.getInstance(tenantId);
  }

  /**
   * Adds a resolver, called with no arguments when no explicit tenant is set.
   * @param {() => string|null|undefined} resolver
   */
  static addResolver(resolver) {
    if (typeof resolver !== "function") throw new Error("Resolver must be a function");
    scope.addResolver(resolver);
  }

  static clearResolvers() {
    scope.clearResolvers();
  }

  /**
   * Runs `callback` with `tenantId` as the tenant of everything it awaits.
   * `null` defers to the fallback and the resolvers.
   * @template T
   * @param {string|null} tenantId
   * @param {() => T} callback
   * @returns {T}
   */
  static runWithTenant(tenantId, callback) {
    return storage.run({ tenantId }, callback);
  }

  /** Alias of {@link TenantContext.runWithTenant} for cross-tenant (admin) work. */
  static withTenant(tenantId, operation) {
    return storage.run({ tenantId }, operation);
  }

  /**
   * The ModelManager of a tenant (default: the current one).
   * @param {string|null} [tenantId]
   */
  static getInstance(tenantId = null) {
    const { ModelManager } = require("./model-manager.js");
    const effective = tenantId || TenantContext.getCurrentTenant();
    const key = effective || "default";
    let manager = TenantContext._instances.get(key);
    if (!manager) {
      manager = ModelManager.getInstance(effective || null);
      TenantContext._instances.set(key, manager);
    }
    return manager;
  }

  /** Clears the current scope's tenant and the process-wide fallback. */
  static clearTenant() {
    const store = storage.getStore();
    if (store) delete store.tenantId;
    scope.clearFallback();
  }

  /**
   * Throws when tenancy is enabled and no tenant can be resolved.
   * @param {{tenancy?: {enabled?: boolean}}} config
   */
  static validateTenantRequired(config) {
    if (config?.tenancy?.enabled && !TenantContext.getCurrentTenant()) {
      throw new Error(TENANT_REQUIRED_MESSAGE);
    }
  }

  /** Forgets managers, resolvers and the fallback tenant. */
  static reset() {
    TenantContext._instances.clear();
    scope.clearResolvers();
    TenantContext.clearTenant();
    const { ModelManager } = require("./model-manager.js");
    ModelManager._instances.clear();
  }

  /**
   * What every native data operation receives: this module's native state and
   * the AsyncLocalStorage tenant (undefined outside any scope).
   * @returns {[TenantScope, any]}
   * @private
   */
  static _nativeArgs() {
    return [scope, storage.getStore()?.tenantId];
  }

  /**
   * `db.operationTenant(...)` for the current scope: the tenant an operation
   * of `db` would run as now, or `null`. A scope's own tenant wins over the
   * fallback and the resolvers whatever the config, so once the core has
   * validated it, it is remembered on the scope's store until
   * `setCurrentTenant` replaces it (a wave of batched finds asks once per find).
   * @param {{operationTenant: Function}} db the native table handle
   * @returns {string|null}
   * @private
   */
  static _operationTenant(db) {
    const store = storage.getStore();
    const own = store?.tenantId;
    if (own != null && store[VALIDATED] === own) return own;
    const tenant = db.operationTenant(scope, own) ?? null;
    if (tenant !== null && tenant === own) store[VALIDATED] = own;
    return tenant;
  }
}

module.exports = { TenantContext };
