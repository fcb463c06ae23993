// Types of `dynamo-bao-native/express` (lib/integrations/express.js).
/** A request's consumed capacity, in capacity units. */
export interface RequestCapacity {
  read: number;
  write: number;
}

/** What the middleware attaches as `req.bao` (and `res.locals.bao`). */
export interface BaoRequestInfo {
  readonly tenantId: string;
  /** The capacity this request's data operations consumed so far. */
  capacity(): RequestCapacity;
}

/** Where the middleware reads a request's tenant id. */
export type TenantSource<Req = any> =
  /** A request header (client-provided: `authorize` required). */
  | { header: string }
  /** A claim of an object your auth middleware verified; `from` defaults to `req => req.auth`. */
  | { claim: string; from?: (req: Req) => object | null | undefined }
  /** A claim of the Bearer JWT's payload, decoded WITHOUT signature verification. */
  | { jwtClaim: string }
  /** The first Host label (`true`), or `<tenant>.<base domain>`. */
  | { subdomain: true | string }
  | ((req: Req) => unknown);

export interface TenantMiddlewareOptions<Req = any> {
  resolve: TenantSource<Req>;
  /** Must return or resolve to `true` to admit; required unless `resolve` is `{ claim }`. */
  authorize?: (req: Req, tenantId: string) => boolean | Promise<boolean>;
  /** Called once per admitted request when the response is finished or aborted, in its tenant scope. */
  onFinish?: (
    req: Req,
    info: { tenantId: string; capacity: RequestCapacity; statusCode: number; aborted: boolean },
  ) => unknown;
}

/** The JSON body of a 400/403 refusal. */
export interface TenantRefusalBody {
  error: string;
  code: "TENANT_REQUIRED" | "INVALID_TENANT_ID" | "TENANT_FORBIDDEN";
}

/**
 * A `(req, res, next)` middleware that runs the rest of each request inside
 * `TenantContext.runWithTenant` and `runWithBatchContext`; 400/403 with a
 * {@link TenantRefusalBody} otherwise.
 */
export declare function tenantMiddleware<Req = any, Res = any>(
  options: TenantMiddlewareOptions<Req>,
): (req: Req, res: Res, next: (err?: unknown) => void) => void;

// Express's convention for request properties added by middleware.
declare global {
  namespace Express {
    interface Request {
      /** Set by `tenantMiddleware` on admitted requests. */
      bao?: BaoRequestInfo;
    }
  }
}
