"use strict";
/**
 * Per-tenant credentials (`tenancy.credentials(tenantId)`). The native core
 * keeps the credentials, one client per tenant credential set, and decides
 * when they must be replaced; when it needs them it answers an operation with
 * `CREDENTIALS_REQUIRED` before sending anything. This module answers that
 * signal: it calls the app's provider (once per tenant at a time, however many
 * operations are waiting), hands the result to the core and runs the operation
 * again.
 */
const { ValidationError } = require("./exceptions.js");

/** How a `CREDENTIALS_REQUIRED` envelope begins (the core writes `code` first). */
const SIGNAL = '{"error":{"code":"CREDENTIALS_REQUIRED"';

/** @type {WeakMap<object, {provider: Function, inflight: Map<string, Promise<void>>}>} */
const providers = new WeakMap();

/**
 * Connects `provider` to a native table handle.
 * @param {object} db the native table handle
 * @param {(tenantId: string) => TenantCredentials | Promise<TenantCredentials>} provider
 */
function register(db, provider) {
  providers.set(db, { provider, inflight: new Map() });
}

/**
 * @typedef {object} TenantCredentials
 * @property {string} accessKeyId
 * @property {string} secretAccessKey
 * @property {string} [sessionToken]
 * @property {Date|string|number} [expiration] when they stop working; STS's
 *   `Credentials` object (`AccessKeyId`, `SecretAccessKey`, `SessionToken`,
 *   `Expiration`) is accepted as it is.
 */

/** The provider's answer in the form the core reads. */
function normalise(c, tenantId) {
  if (!c || typeof c !== "object") {
    throw new ValidationError(`tenancy.credentials("${tenantId}") must return an object with accessKeyId and secretAccessKey`);
  }
  const pick = (camel, pascal) => (c[camel] !== undefined ? c[camel] : c[pascal]);
  const expiration = pick("expiration", "Expiration");
  let expiresAtMs;
  if (expiration !== undefined && expiration !== null) {
    expiresAtMs = expiration instanceof Date ? expiration.getTime() : new Date(expiration).getTime();
    if (!Number.isFinite(expiresAtMs) || expiresAtMs < 0) {
      throw new ValidationError(`tenancy.credentials("${tenantId}") returned an invalid expiration`);
    }
  }
  return {
    accessKeyId: pick("accessKeyId", "AccessKeyId"),
    secretAccessKey: pick("secretAccessKey", "SecretAccessKey"),
    sessionToken: pick("sessionToken", "SessionToken") ?? undefined,
    expiresAtMs,
  };
}

async function load(entry, db, tenantId) {
  const creds = normalise(await entry.provider(tenantId), tenantId);
  // The core validates the tenant id and every field again.
  try {
    db.setTenantCredentials(tenantId, JSON.stringify(creds));
  } catch (e) {
    const err = new ValidationError(e.message);
    if (e.code) err.code = e.code;
    throw err;
  }
}

function refresh(db, tenantId) {
  const entry = providers.get(db);
  if (!entry) throw new Error("CREDENTIALS_REQUIRED without tenancy.credentials: please report this bug");
  let pending = entry.inflight.get(tenantId);
  if (!pending) {
    pending = load(entry, db, tenantId).finally(() => entry.inflight.delete(tenantId));
    entry.inflight.set(tenantId, pending);
  }
  return pending;
}

/**
 * Runs one native operation (`invoke` resolves to its JSON envelope), loading
 * the tenant's credentials first when the core asks for them. The second run
 * is handed the tenant the credentials were loaded for, as its explicit
 * tenant: resolving it again after the wait could name another one.
 * @param {object} db the native table handle
 * @param {(tenant?: string) => Promise<string>} invoke
 * @returns {Promise<string>}
 */
function withTenantCredentials(db, invoke) {
  // Without a provider the core never asks: no extra promise on the hot path.
  if (!providers.has(db)) return invoke();
  return invoke().then((json) => {
    if (!json.startsWith(SIGNAL)) return json;
    const { tenantId } = JSON.parse(json).error;
    return refresh(db, tenantId).then(() => invoke(tenantId));
  });
}

module.exports = { register, withTenantCredentials };
