"use strict";
/**
 * One native data operation of a model: the core resolves the tenant from
 * the arguments (the AsyncLocalStorage value, the fallback, the resolvers),
 * and per-tenant credentials are loaded when the core asks for them.
 */
const { TenantContext } = require("./tenant-context.js");
const { nativeOf, dbOf } = require("./model-registry.js");
const { withTenantCredentials } = require("./tenant-credentials.js");
const { fromNative } = require("./native-errors.js");

/**
 * @param {Function} M the model class
 * @param {"find"|"save"|"delete"|"query"|"count"|"findByUnique"|"batchFind"} method
 * @param {string} payload the operation's JSON request
 * @returns {Promise<string>} the core's JSON envelope
 */
function callDb(M, method, payload) {
  const db = dbOf(M);
  const model = nativeOf(M);
  return withTenantCredentials(db, (tenant) => {
    const [scope, als] = TenantContext._nativeArgs();
    return db[method](scope, tenant ?? als, model, payload);
  });
}

/**
 * The tenant a data operation of `M` runs as if it starts now: resolved and
 * validated by the core as the operation itself would (`tenancy.strict`
 * included). `null` when it runs without one, or would fail for want of a
 * valid one. Work that spans timers or awaits (a find batch, an iteration
 * page and its hydration) pins this tenant, so that a later change of the
 * fallback or of the scope's store cannot move it to another tenant.
 * @param {Function} M the model class
 * @returns {string|null}
 */
function operationTenant(M) {
  return TenantContext._operationTenant(dbOf(M));
}

/**
 * Runs `fn` as `tenant` (see {@link operationTenant}), or as it is when there is none.
 * @template T
 * @param {string|null} tenant
 * @param {() => T} fn
 * @returns {T}
 */
function asTenant(tenant, fn) {
  return tenant === null ? fn() : TenantContext.runWithTenant(tenant, fn);
}

/**
 * Throws `TENANT_MISMATCH` when `inst` was read in a tenant other than the
 * one its model's operations run as now: the ids it holds (related objects,
 * its own key for related queries) would name another tenant's items.
 * An instance that was never read passes.
 * @param {object} inst a model instance
 * @param {string} what the read, for the message ("load its related objects")
 */
function assertInstanceTenant(inst, what) {
  const pk = inst._loadedDyData._pk;
  if (typeof pk !== "string") return;
  const M = inst.constructor;
  const [scope, als] = TenantContext._nativeArgs();
  const message = dbOf(M).instanceTenantMismatch(scope, als, nativeOf(M), pk, what);
  if (message) throw fromNative({ code: "TENANT_MISMATCH", message });
}

module.exports = { callDb, operationTenant, asTenant, assertInstanceTenant };
