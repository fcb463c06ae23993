"use strict";
/**
 * `dynamo-bao-native/express`: a `(req, res, next)` middleware (Express,
 * Connect, or a bare `http` server) that admits each request's tenant and
 * runs the rest of the request inside `TenantContext.runWithTenant` and
 * `runWithBatchContext`. Express itself is not required.
 */
const net = require("node:net");
const { admit, runInTenantScope, finishHook, ownValue, assertOptionalFunction } = require("./request-tenant.js");

const RESOLVE_HELP =
  "resolve must be one of { header: 'x-tenant-id' }, { claim: 'tenantId', from?: (req) => verifiedClaims }, " +
  "{ jwtClaim: 'tenant_id' }, { subdomain: true | 'example.com' } or a function (req) => tenantId";

/**
 * How a request names its tenant.
 * @typedef {{header: string}
 *   | {claim: string, from?: (req: any) => object | null | undefined}
 *   | {jwtClaim: string}
 *   | {subdomain: true | string}
 *   | ((req: any) => unknown)} TenantSource
 */

/**
 * @param {TenantSource} resolve
 * @returns {{read: (req: any) => unknown, verified: boolean}}
 */
function requestSource(resolve) {
  if (typeof resolve === "function") return { read: resolve, verified: false };
  if (resolve === null || typeof resolve !== "object") throw new TypeError(`tenantMiddleware: ${RESOLVE_HELP}`);
  const kinds = ["header", "claim", "jwtClaim", "subdomain"].filter((k) => resolve[k] !== undefined);
  if (kinds.length !== 1) throw new TypeError(`tenantMiddleware: ${RESOLVE_HELP}`);
  const [kind] = kinds;
  const name = resolve[kind];

  if (kind === "subdomain") {
    if (name !== true && !(typeof name === "string" && name.length > 0)) {
      throw new TypeError("tenantMiddleware: subdomain must be true or a base domain such as 'example.com'");
    }
    return { read: (req) => subdomainOf(req, name === true ? null : name.toLowerCase()), verified: false };
  }
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`tenantMiddleware: ${kind} must be a non-empty string`);
  }
  if (kind === "header") {
    // Node lower-cases incoming header names.
    const header = name.toLowerCase();
    return { read: (req) => req.headers?.[header], verified: false };
  }
  if (kind === "jwtClaim") return { read: (req) => ownValue(bearerPayload(req), name), verified: false };
  const from = resolve.from ?? ((req) => req.auth);
  assertOptionalFunction(from, "tenantMiddleware: from");
  return { read: (req) => ownValue(from(req), name), verified: true };
}

/**
 * The payload of the request's `Authorization: Bearer <JWT>`, decoded but NOT
 * verified; `null` when there is none or it is not a JWT.
 */
function bearerPayload(req) {
  const header = req.headers?.authorization;
  if (typeof header !== "string") return null;
  const m = /^Bearer\s+[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/i.exec(header.trim());
  if (!m) return null;
  try {
    const payload = JSON.parse(Buffer.from(m[1], "base64url").toString("utf8"));
    return payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}

/**
 * The tenant label of the request's host, lower-cased: with a base domain,
 * `<tenant>.<base>` (one label); with `true`, the first label of a host of
 * three labels or more. IP addresses name no tenant.
 */
function subdomainOf(req, base) {
  // Express's req.hostname honours its "trust proxy" setting; elsewhere use Host.
  let host = typeof req.hostname === "string" ? req.hostname : req.headers?.host;
  if (typeof host !== "string" || host === "" || host.startsWith("[")) return undefined;
  host = host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
  if (net.isIP(host)) return undefined;
  if (base !== null) {
    if (!host.endsWith(`.${base}`)) return undefined;
    const label = host.slice(0, -(base.length + 1));
    return label.includes(".") ? undefined : label;
  }
  const labels = host.split(".");
  return labels.length >= 3 ? labels[0] : undefined;
}

function sendJson(res, status, body) {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/**
 * Express/Connect middleware that runs each request as its tenant.
 *
 * For each request it:
 * 1. reads the tenant id with `resolve`;
 * 2. answers **400** `{error: "Tenant context required", code: "TENANT_REQUIRED"}`
 *    when there is none, and **400** `{error, code: "INVALID_TENANT_ID"}` when
 *    the library's tenant-id rules refuse it (checked before `authorize`);
 * 3. calls `authorize(req, tenantId)`, which must return (or resolve to)
 *    `true`; anything else answers **403** `{error: "Access denied", code: "TENANT_FORBIDDEN"}`
 *    ("never trust client-provided tenant ids");
 * 4. calls `next()` inside `runWithBatchContext` and `TenantContext.runWithTenant(tenantId)`,
 *    so every later middleware and route, across awaits, runs as that tenant,
 *    with finds batched and cached per request;
 * 5. sets `req.bao = {tenantId, capacity()}` (and `res.locals.bao` when
 *    `res.locals` exists): `capacity()` is the `{read, write}` capacity the
 *    request's data operations consumed so far (not counting nested
 *    `runWithBatchContext` calls of your own), for metering;
 * 6. when the response is finished or the connection closed, calls
 *    `onFinish(req, {tenantId, capacity, statusCode, aborted})` inside the
 *    request's tenant scope; its errors are logged, never thrown.
 *
 * An error thrown by `resolve` or `authorize` goes to `next(err)`.
 *
 * Tenant sources:
 * - `{header: "x-tenant-id"}`: a request header (client-provided).
 * - `{claim: "tenantId", from: (req) => req.auth}`: a claim of an object that
 *   an earlier authentication middleware verified and attached to the request
 *   (`from` defaults to `req => req.auth`, what express-jwt sets; for
 *   express-oauth2-jwt-bearer use `req => req.auth?.payload`, for passport
 *   `req => req.user`). The only source trusted without `authorize`.
 * - `{jwtClaim: "tenant_id"}`: a claim of the `Authorization: Bearer` JWT's
 *   payload, **decoded without verifying the signature**. Use it only when
 *   something before this middleware (a gateway, a load balancer, an auth
 *   middleware) has rejected requests with an invalid token; verifying tokens
 *   is the application's job. A missing or malformed token answers 400.
 * - `{subdomain: true}`: the first label of the Host (`acme.app.example.com`
 *   → `acme`) when it has three labels or more; `{subdomain: "app.example.com"}`
 *   accepts only `<tenant>.app.example.com`. Lower-cased; IP hosts name no
 *   tenant. With Express, `req.hostname` is used, so "trust proxy" applies.
 * - a function `(req) => tenantId` (may be async).
 *
 * @param {{
 *   resolve: TenantSource,
 *   authorize?: (req: any, tenantId: string) => boolean | Promise<boolean>,
 *   onFinish?: (req: any, info: {tenantId: string, capacity: {read: number, write: number}, statusCode: number, aborted: boolean}) => unknown,
 * }} options `authorize` is required unless the source is `{claim}`.
 * @returns {(req: any, res: any, next: (err?: unknown) => void) => void}
 */
function tenantMiddleware(options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("tenantMiddleware: expected options { resolve, authorize }");
  }
  const { resolve, authorize, onFinish } = options;
  const source = requestSource(resolve);
  assertOptionalFunction(authorize, "tenantMiddleware: authorize");
  assertOptionalFunction(onFinish, "tenantMiddleware: onFinish");
  if (!authorize && !source.verified) {
    throw new TypeError(
      "tenantMiddleware: authorize(req, tenantId) is required when the tenant id comes from the client " +
        "(header, jwtClaim, subdomain) or from a function: never trust a client-provided tenant id. " +
        "Use { claim, from } for a claim your authentication middleware verified.",
    );
  }

  return function baoTenantMiddleware(req, res, next) {
    (async () => {
      const candidate = await source.read(req);
      return admit(candidate, authorize && ((tenantId) => authorize(req, tenantId)));
    })().then((verdict) => {
      if (verdict.refusal) return sendJson(res, verdict.refusal.status, verdict.refusal.body);
      runInTenantScope(verdict.tenantId, (bao) => {
        const exposed = Object.freeze({ tenantId: bao.tenantId, capacity: bao.capacity });
        req.bao = exposed;
        if (res.locals !== null && typeof res.locals === "object") res.locals.bao = exposed;
        if (onFinish) {
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            finishHook(onFinish, bao, req, { statusCode: res.statusCode, aborted: !res.writableFinished });
          };
          res.once("finish", finish);
          res.once("close", finish);
        }
        next();
      });
    }, next);
  };
}

module.exports = { tenantMiddleware };
