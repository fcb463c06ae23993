"use strict";
/**
 * One native data operation of a model: the core resolves the tenant from
 * the arguments (the AsyncLocalStorage value, the fallback, the resolvers),
 * and per-tenant credentials are loaded when the core asks for them.
 */
const { TenantContext } = require("./tenant-context.js");
const { nativeOf, dbOf } = require("./model-registry.js");
const { withTenantCredentials } = require("./tenant-credentials.js");

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

module.exports = { callDb };
