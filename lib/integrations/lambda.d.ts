// Types of `dynamo-bao-native/lambda` (lib/integrations/lambda.js).
import type { RequestCapacity, BaoRequestInfo, TenantRefusalBody } from "./express";

export type { RequestCapacity, BaoRequestInfo, TenantRefusalBody };

/** Where the wrapper reads an event's tenant id. */
export type LambdaTenantSource<E = any, C = any> =
  /** A value an API Gateway authorizer vouched for (JWT / Lambda / Cognito authorizers, v1 and v2). */
  | { authorizerClaim: string }
  /** A request header, any case (client-provided: `authorize` required). */
  | { header: string }
  | ((event: E, context: C) => unknown);

export interface WithTenantHandlerOptions<E = any, C = any> {
  resolve: LambdaTenantSource<E, C>;
  /** Must return or resolve to `true` to admit; required unless `resolve` is `{ authorizerClaim }`. */
  authorize?: (event: E, tenantId: string, context: C) => boolean | Promise<boolean>;
  /** Awaited after the handler, in its tenant scope; errors are logged. */
  onFinish?: (
    event: E,
    info: { tenantId: string; capacity: RequestCapacity; statusCode?: number; error?: unknown },
  ) => unknown;
}

/** The API Gateway response of a refusal (400 or 403, JSON {@link TenantRefusalBody}). */
export interface TenantRefusalResponse {
  statusCode: 400 | 403;
  headers: { "content-type": "application/json" };
  body: string;
}

/**
 * Wraps an API Gateway handler so it runs as the event's tenant, inside
 * `TenantContext.runWithTenant` and `runWithBatchContext`; `context.bao` gives
 * the tenant and the consumed capacity while it runs.
 */
export declare function withTenantHandler<E = any, C = any, R = unknown>(
  handler: (event: E, context: C & { bao: BaoRequestInfo }) => R | Promise<R>,
  options: WithTenantHandlerOptions<E, C>,
): (event: E, context: WithoutBao<C>) => Promise<Awaited<R> | TenantRefusalResponse>;

/** The runtime's context, before the wrapper adds `bao`. */
export type WithoutBao<C> = C extends { bao: unknown } ? Omit<C, "bao"> : C;
