"use strict";
/** Error texts shared with DynamoBao (its suite matches them verbatim). */
module.exports = {
  TENANT_REQUIRED_MESSAGE:
    "Tenant context is required when tenancy is enabled. " +
    "Use TenantContext.runWithTenant(tenantId, callback) or add tenant resolvers.",
  BATCH_CONTEXT_REQUIRED_MESSAGE:
    "Batch operations must be executed within runWithBatchContext(). " +
    "Wrap your database operations in runWithBatchContext() to enable batching and caching.",
};
