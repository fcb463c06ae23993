//! A configured table: the client, the table name and the tenancy policy that
//! one `initModels` call sets up.

use std::sync::Arc;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::ConsumedCapacity;
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::{build_client, slot_for, ClientConfig, ClientSlot};
use crate::credentials::{CredentialCache, DEFAULT_REFRESH_MARGIN};
use crate::cursor::CursorKey;
use crate::error::{Error, ErrorCode, Result};
use crate::response_body::BodyRead;
use crate::tenant::{validate_tenant_id, Candidate, TenancyPolicy, TenantId};

/// The iteration index DynamoBao reads by default (`db.iterationIndexName`).
pub const DEFAULT_ITERATION_INDEX: &str = "iter_index";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawDbConfig {
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<RawCredentials>,
    /// `aws.requestTimeoutMs`: the limit for one attempt of a request.
    request_timeout_ms: Option<u64>,
    /// `aws.maxAttempts`: attempts per request (SDK standard retry; default 3).
    max_attempts: Option<u32>,
    /// `aws.retryInitialBackoffMs`: the first retry's backoff ceiling.
    retry_initial_backoff_ms: Option<u64>,
    table_name: String,
    #[serde(default)]
    tenancy_enabled: bool,
    #[serde(default)]
    tenancy_strict: bool,
    default_tenant: Option<String>,
    iteration_index_name: Option<String>,
    /// `tenancy.credentials` is set: every tenant's requests use its own credentials.
    #[serde(default)]
    tenant_credentials: bool,
    credentials_refresh_margin_ms: Option<u64>,
    /// `tenancy.cursorSecret`: shared by every instance that must accept the others' cursors.
    cursor_secret: Option<String>,
}

pub struct Db {
    client_config: ClientConfig,
    slot: Arc<ClientSlot>,
    /// Per-tenant credentials, when `tenancy.credentials` is configured.
    pub credentials: Option<CredentialCache>,
    pub cursor_key: CursorKey,
    pub table: String,
    pub tenancy: TenancyPolicy,
    pub iteration_index: String,
}

impl Db {
    /// Builds a table handle from the JS layer's merged config (JSON).
    pub fn from_json(json: &str) -> Result<Db> {
        // An empty table name is allowed: the low-level client has none.
        let raw: RawDbConfig = serde_json::from_str(json)?;
        let endpoint = raw.endpoint.filter(|e| !e.is_empty()).or_else(|| {
            std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
                .ok()
                .filter(|e| !e.is_empty())
        });
        let client_config = ClientConfig {
            region: raw.region.filter(|r| !r.is_empty()),
            endpoint,
            credentials: raw
                .credentials
                .map(|c| (c.access_key_id, c.secret_access_key, c.session_token)),
            request_timeout_ms: raw.request_timeout_ms.filter(|t| *t > 0),
            max_attempts: raw.max_attempts.filter(|a| *a > 0),
            retry_initial_backoff_ms: raw.retry_initial_backoff_ms,
        };
        if raw.tenant_credentials && !raw.tenancy_enabled {
            return Err(Error::configuration(
                "tenancy.credentials needs tenancy.enabled: true",
            ));
        }
        let credentials = raw.tenant_credentials.then(|| {
            CredentialCache::new(
                raw.credentials_refresh_margin_ms
                    .map(std::time::Duration::from_millis)
                    .unwrap_or(DEFAULT_REFRESH_MARGIN),
            )
        });
        let cursor_key = match raw.cursor_secret.as_deref() {
            Some(secret) => CursorKey::from_secret(secret)?,
            None => CursorKey::process()?,
        };
        let default_tenant = match raw.default_tenant {
            Some(t) => Some(validate_tenant_id(&Candidate::Text(t))?),
            None => None,
        };
        Ok(Db {
            slot: slot_for(&client_config),
            client_config,
            credentials,
            cursor_key,
            table: raw.table_name,
            tenancy: TenancyPolicy {
                enabled: raw.tenancy_enabled,
                strict: raw.tenancy_strict,
                default_tenant,
            },
            iteration_index: raw
                .iteration_index_name
                .unwrap_or_else(|| DEFAULT_ITERATION_INDEX.to_string()),
        })
    }

    /// The configuration's own client: table administration, and data when
    /// tenants have no credentials of their own.
    pub async fn client(&self) -> &Client {
        self.slot
            .client
            .get_or_init(|| build_client(&self.client_config, self.slot.stats.clone()))
            .await
    }

    /// How a response body the core reads itself is read: with the client's
    /// attempts per request and per-attempt timeout.
    pub fn body_read(&self) -> BodyRead {
        BodyRead {
            attempts: self.client_config.attempts(),
            timeout: self
                .client_config
                .request_timeout_ms
                .map(std::time::Duration::from_millis),
            stats: Some(self.slot.stats.clone()),
        }
    }

    /// The client a data operation for `tenant` must use: the tenant's own
    /// when `tenancy.credentials` is configured (never the process's).
    pub async fn client_for(&self, tenant: Option<&TenantId>) -> Result<Client> {
        let base = self.client().await;
        match (&self.credentials, tenant) {
            (Some(cache), Some(t)) => cache.client(t, base).await,
            (Some(_), None) => Err(Error::new(
                ErrorCode::TenantRequired,
                "tenancy.credentials is configured, so every data operation needs a tenant",
            )),
            (None, _) => Ok(base.clone()),
        }
    }

    /// Fails with `CREDENTIALS_REQUIRED` when `tenant` needs (new) credentials
    /// before a request can be signed for it.
    pub fn check_credentials(&self, tenant: Option<&TenantId>) -> Result<()> {
        match (&self.credentials, tenant) {
            (Some(cache), Some(t)) => cache.check(t),
            _ => Ok(()),
        }
    }

    /// Requests, attempts, retries and failures of this configuration's client.
    pub fn stats(&self) -> Value {
        self.slot.stats.to_json()
    }
}

/// Service errors that mean "too busy or broken right now", not "wrong request".
const RETRYABLE_SERVICE_ERRORS: [&str; 7] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
    "TransactionInProgressException",
];

/// Maps an SDK error to the core error; `name` is the AWS error type.
pub fn sdk_error<E, R>(e: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &e {
        SdkError::ServiceError(_) => {
            let name = e.code().unwrap_or("UnknownError").to_string();
            let message = e.message().unwrap_or(&name).to_string();
            let mut err = Error::new(ErrorCode::DynamoDb, message);
            err.retryable = RETRYABLE_SERVICE_ERRORS.contains(&name.as_str());
            err.aws_name = Some(name);
            err
        }
        _ => {
            let mut err = Error::new(
                ErrorCode::Network,
                format!(
                    "DynamoDB request failed: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(&e)
                ),
            );
            // No answer (or none in time): the same request may work later.
            err.retryable = true;
            err
        }
    }
}

/// `{TableName, CapacityUnits}` as DynamoBao reports it, or `null`.
pub fn capacity_json(c: Option<&ConsumedCapacity>) -> Value {
    c.map_or(Value::Null, |c| {
        capacity_value(c.table_name(), c.capacity_units())
    })
}

/// One consumed-capacity entry, whichever form the response was read in
/// (the SDK's, or `wire`'s).
pub fn capacity_value(table_name: Option<&str>, units: Option<f64>) -> Value {
    json!({ "TableName": table_name, "CapacityUnits": units.unwrap_or(0.0) })
}

/// One request of a write: `type` and `consumedCapacity` become an entry of
/// the instance's `_consumedCapacity` list; `operation` (the DynamoDB
/// operation) is for the debug request log, since a save or delete makes
/// different requests depending on the model and the outcome.
pub fn capacity_entry(kind: &str, operation: &str, consumed: Value) -> Value {
    json!({ "type": kind, "operation": operation, "consumedCapacity": consumed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_validated() {
        let db = Db::from_json(r#"{"tableName":"t","tenancyEnabled":true,"region":"us-west-2"}"#)
            .unwrap();
        assert!(db.tenancy.enabled);
        assert_eq!(db.iteration_index, DEFAULT_ITERATION_INDEX);
        let err = Db::from_json(r#"{"tableName":"t","defaultTenant":"a#b"}"#)
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::InvalidTenantId);
    }
}
