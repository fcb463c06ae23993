"use strict";
/**
 * `dynamo-bao-native/lambda`: wraps an API Gateway Lambda handler (REST API
 * payload 1.0 and HTTP API payload 2.0) so it runs as the event's tenant.
 */
const { admit, runInTenantScope, finishHook, ownValue, assertOptionalFunction } = require("./request-tenant.js");

const RESOLVE_HELP =
  "resolve must be one of { authorizerClaim: 'tenantId' }, { header: 'x-tenant-id' } " +
  "or a function (event, context) => tenantId";

/**
 * The first of the places API Gateway puts what an authorizer vouched for:
 * HTTP API JWT authorizer (`authorizer.jwt.claims`), HTTP API Lambda
 * authorizer (`authorizer.lambda`), REST API Cognito authorizer
 * (`authorizer.claims`), REST API Lambda authorizer (the context keys sit on
 * `authorizer` itself).
 */
function authorizerValue(event, name) {
  const authorizer = event?.requestContext?.authorizer;
  for (const holder of [authorizer?.jwt?.claims, authorizer?.lambda, authorizer?.claims, authorizer]) {
    const value = ownValue(holder, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * A header, whatever its case: REST API events keep the client's spelling
 * (`headers`, and `multiValueHeaders`), HTTP API events lower-case names.
 */
function headerValue(event, lowerName) {
  for (const holder of [event?.headers, event?.multiValueHeaders]) {
    if (holder === null || typeof holder !== "object") continue;
    for (const key of Object.keys(holder)) {
      if (key.toLowerCase() !== lowerName) continue;
      const value = holder[key];
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

function eventSource(resolve) {
  if (typeof resolve === "function") return { read: resolve, verified: false };
  if (resolve === null || typeof resolve !== "object") throw new TypeError(`withTenantHandler: ${RESOLVE_HELP}`);
  const kinds = ["authorizerClaim", "header"].filter((k) => resolve[k] !== undefined);
  if (kinds.length !== 1) throw new TypeError(`withTenantHandler: ${RESOLVE_HELP}`);
  const [kind] = kinds;
  const name = resolve[kind];
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`withTenantHandler: ${kind} must be a non-empty string`);
  }
  if (kind === "header") {
    const lower = name.toLowerCase();
    return { read: (event) => headerValue(event, lower), verified: false };
  }
  return { read: (event) => authorizerValue(event, name), verified: true };
}

function jsonResponse({ status, body }) {
  return { statusCode: status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/**
 * Wraps an API Gateway handler `async (event, context) => response` so that it
 * runs inside `runWithBatchContext` and `TenantContext.runWithTenant(tenantId)`.
 *
 * Refusals are API Gateway responses with a JSON body, as the middleware's:
 * **400** `TENANT_REQUIRED` (no tenant), **400** `INVALID_TENANT_ID` (refused
 * by the library's tenant-id rules, before `authorize` sees it), **403**
 * `TENANT_FORBIDDEN` (`authorize(event, tenantId, context)` did not return or
 * resolve to `true`). An error thrown by `resolve`, `authorize` or the
 * handler is thrown to the Lambda runtime.
 *
 * Tenant sources:
 * - `{authorizerClaim: "tenantId"}`: a value an API Gateway authorizer vouched
 *   for: `requestContext.authorizer.jwt.claims` (HTTP API JWT authorizer),
 *   `.lambda` (HTTP API Lambda authorizer), `.claims` (REST API Cognito
 *   authorizer), or `authorizer` itself (REST API Lambda authorizer context),
 *   the first that has it. Trusted without `authorize`.
 * - `{header: "x-tenant-id"}`: a request header, any case (client-provided).
 * - a function `(event, context) => tenantId` (may be async).
 *
 * While the handler runs, `context.bao = {tenantId, capacity()}` (when the
 * Lambda context is an object) gives the invocation's consumed `{read, write}`
 * capacity; `onFinish(event, {tenantId, capacity, statusCode, error})` is
 * awaited after the handler (before the runtime may freeze the process), and
 * its errors are logged, never thrown.
 *
 * @template E, C, R
 * @param {(event: E, context: C) => R | Promise<R>} handler
 * @param {{
 *   resolve: {authorizerClaim: string} | {header: string} | ((event: E, context: C) => unknown),
 *   authorize?: (event: E, tenantId: string, context: C) => boolean | Promise<boolean>,
 *   onFinish?: (event: E, info: {tenantId: string, capacity: {read: number, write: number}, statusCode?: number, error?: unknown}) => unknown,
 * }} options `authorize` is required unless the source is `{authorizerClaim}`.
 * @returns {(event: E, context: C) => Promise<R | {statusCode: number, headers: object, body: string}>}
 */
function withTenantHandler(handler, options) {
  if (typeof handler !== "function") throw new TypeError("withTenantHandler: handler must be a function");
  if (options === null || typeof options !== "object") {
    throw new TypeError("withTenantHandler: expected options { resolve, authorize }");
  }
  const { resolve, authorize, onFinish } = options;
  const source = eventSource(resolve);
  assertOptionalFunction(authorize, "withTenantHandler: authorize");
  assertOptionalFunction(onFinish, "withTenantHandler: onFinish");
  if (!authorize && !source.verified) {
    throw new TypeError(
      "withTenantHandler: authorize(event, tenantId, context) is required when the tenant id comes from a " +
        "header or a function: never trust a client-provided tenant id. " +
        "Use { authorizerClaim } for a value an API Gateway authorizer verified.",
    );
  }

  return async function baoTenantHandler(event, context) {
    const candidate = await source.read(event, context);
    const verdict = await admit(candidate, authorize && ((tenantId) => authorize(event, tenantId, context)));
    if (verdict.refusal) return jsonResponse(verdict.refusal);
    return runInTenantScope(verdict.tenantId, async (bao) => {
      if (context !== null && typeof context === "object" && Object.isExtensible(context)) {
        context.bao = Object.freeze({ tenantId: bao.tenantId, capacity: bao.capacity });
      }
      let result;
      let error;
      try {
        result = await handler(event, context);
        return result;
      } catch (err) {
        error = err;
        throw err;
      } finally {
        if (onFinish) {
          const statusCode = typeof result?.statusCode === "number" ? result.statusCode : undefined;
          await finishHook(onFinish, bao, event, error === undefined ? { statusCode } : { statusCode, error });
        }
      }
    });
  };
}

module.exports = { withTenantHandler };
