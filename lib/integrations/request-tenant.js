"use strict";
/**
 * What the Express middleware and the Lambda wrapper share: admitting a
 * request's tenant (present, valid, authorized — in that order, so
 * `authorize` never sees a hostile id) and running the rest of the request in
 * its tenant and batch scopes with a capacity meter.
 */
const { AsyncResource } = require("node:async_hooks");
const { TenantContext } = require("../tenant-context.js");
const { runWithBatchContext, getBatchContextCapacity } = require("../batch-context.js");
const { assertValidTenantId } = require("../tenant-id.js");
const { Logger } = require("../utils/logger.js");

const logger = new Logger("dynamo-bao-native/integrations");

/** The guide's answer when no tenant can be found. */
const MISSING = Object.freeze({ status: 400, body: { error: "Tenant context required", code: "TENANT_REQUIRED" } });
/** The guide's answer when the caller may not act for the tenant. */
const FORBIDDEN = Object.freeze({ status: 403, body: { error: "Access denied", code: "TENANT_FORBIDDEN" } });

/**
 * @param {unknown} candidate what the request named as its tenant
 * @param {((tenantId: string) => unknown) | undefined} authorize
 * @returns {Promise<{tenantId: string} | {refusal: {status: number, body: {error: string, code: string}}}>}
 */
async function admit(candidate, authorize) {
  // An empty header or claim says no more than a missing one.
  if (candidate === undefined || candidate === null || candidate === "") return { refusal: MISSING };
  try {
    assertValidTenantId(candidate);
  } catch (err) {
    if (err?.code !== "INVALID_TENANT_ID") throw err;
    return { refusal: { status: 400, body: { error: err.message, code: "INVALID_TENANT_ID" } } };
  }
  // Only a literal `true` admits: an authorize that forgets to return refuses.
  if (authorize && (await authorize(candidate)) !== true) return { refusal: FORBIDDEN };
  return { tenantId: candidate };
}

/**
 * Runs `fn(bao)` inside `runWithBatchContext` and `runWithTenant(tenantId)`.
 * `bao.capacity()` reads that batch context's consumed capacity from
 * anywhere, even after the request left the scope (a `finish` listener);
 * `bao.enter(f)` runs `f` back inside both scopes.
 * @template T
 * @param {string} tenantId
 * @param {(bao: {tenantId: string, capacity: () => {read: number, write: number}, enter: (f: () => any) => any}) => T} fn
 * @returns {T}
 */
function runInTenantScope(tenantId, fn) {
  return runWithBatchContext(() =>
    TenantContext.runWithTenant(tenantId, () => {
      const bao = {
        tenantId,
        capacity: AsyncResource.bind(() => getBatchContextCapacity()),
        enter: AsyncResource.bind((f) => f()),
      };
      return fn(bao);
    }),
  );
}

/**
 * Calls a user's `onFinish` hook inside the request's scopes. Metering must
 * not turn a served request into a crash, so its errors are logged.
 * @returns {Promise<void>}
 */
async function finishHook(onFinish, bao, subject, details) {
  try {
    await bao.enter(() => onFinish(subject, { tenantId: bao.tenantId, capacity: bao.capacity(), ...details }));
  } catch (err) {
    logger.error("onFinish failed:", err);
  }
}

/**
 * The own, non-inherited property `name` of `obj` (claims objects come from
 * tokens: `constructor` or `__proto__` must not reach the prototype).
 */
function ownValue(obj, name) {
  return obj !== null && typeof obj === "object" && Object.hasOwn(obj, name) ? obj[name] : undefined;
}

function assertOptionalFunction(value, where) {
  if (value !== undefined && typeof value !== "function") throw new TypeError(`${where} must be a function`);
}

module.exports = { admit, runInTenantScope, finishHook, ownValue, assertOptionalFunction, MISSING, FORBIDDEN };
