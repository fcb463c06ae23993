"use strict";
/**
 * Checking a tenant id before any data operation, for code that admits a
 * tenant from outside (the Express middleware, the Lambda wrapper): a hostile
 * id gets a 400 instead of reaching the handler. The rules live in the one
 * Rust validation function; this only calls it.
 */
const { validateTenantId } = require("./native.js");
const { native } = require("./native-errors.js");

/**
 * Throws a `ValidationError` with code `INVALID_TENANT_ID` (the library's
 * message, which never repeats the id) unless `tenantId` is a valid tenant id.
 * @param {unknown} tenantId
 * @returns {string} the id, unchanged
 */
function assertValidTenantId(tenantId) {
  return native(() => validateTenantId(tenantId));
}

module.exports = { assertValidTenantId };
