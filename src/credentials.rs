//! Per-tenant AWS credentials (`tenancy.credentials(tenantId)`).
//!
//! With them, each tenant's requests are signed by that tenant's own
//! credentials (typically an STS session tagged with the tenant id), so IAM's
//! `dynamodb:LeadingKeys` condition stops a bug or a compromised process from
//! touching another tenant's keys. The cache holds one client per tenant
//! credential set and asks for new credentials before the old ones expire; it
//! never falls back to the process's own credentials for a tenant's data.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::error::{Error, ErrorCode, Result};
use crate::tenant::TenantId;

/// How long before expiry credentials are replaced, unless configured.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// What `tenancy.credentials(tenantId)` returned, normalised by the JS layer.
#[derive(Deserialize, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Milliseconds since the epoch; none: the credentials do not expire.
    pub expires_at_ms: Option<u64>,
}

impl TenantCredentials {
    pub fn from_json(json: &str) -> Result<TenantCredentials> {
        let c: TenantCredentials = serde_json::from_str(json).map_err(|e| {
            Error::validation(format!(
                "tenancy.credentials must return {{accessKeyId, secretAccessKey, sessionToken?, expiration?}}: {e}"
            ))
        })?;
        if c.access_key_id.is_empty() || c.secret_access_key.is_empty() {
            return Err(Error::validation(
                "tenancy.credentials returned an empty accessKeyId or secretAccessKey",
            ));
        }
        Ok(c)
    }

    fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at_ms
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
    }
}

struct Entry {
    creds: TenantCredentials,
    client: OnceCell<Client>,
}

/// One table configuration's per-tenant credentials and clients.
pub struct CredentialCache {
    refresh_margin: Duration,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

/// The signal the JS layer answers by calling `tenancy.credentials(tenantId)`
/// and handing the result to `setTenantCredentials`.
pub fn credentials_required(tenant: &TenantId, why: &str) -> Error {
    let mut e = Error::new(
        ErrorCode::CredentialsRequired,
        format!("Credentials for tenant \"{}\" are {why}", tenant.as_str()),
    );
    e.tenant = Some(tenant.as_str().to_string());
    e
}

impl CredentialCache {
    pub fn new(refresh_margin: Duration) -> CredentialCache {
        CredentialCache {
            refresh_margin,
            entries: Mutex::default(),
        }
    }

    fn entry(&self, tenant: &TenantId) -> Option<Arc<Entry>> {
        // A poisoned lock only means another thread panicked while inserting.
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(tenant.as_str()).cloned()
    }

    /// `Ok` when `tenant` has credentials that stay valid past the refresh
    /// margin; otherwise the `CREDENTIALS_REQUIRED` signal.
    pub fn check(&self, tenant: &TenantId) -> Result<()> {
        self.usable(tenant, self.refresh_margin).map(|_| ())
    }

    fn usable(&self, tenant: &TenantId, margin: Duration) -> Result<Arc<Entry>> {
        let entry = self
            .entry(tenant)
            .ok_or_else(|| credentials_required(tenant, "not loaded yet"))?;
        if let Some(at) = entry.creds.expires_at() {
            if SystemTime::now() + margin >= at {
                return Err(credentials_required(tenant, "about to expire"));
            }
        }
        Ok(entry)
    }

    /// Stores new credentials for `tenant`; its client is built on first use.
    pub fn set(&self, tenant: &TenantId, creds: TenantCredentials) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(tenant.as_str()).is_some_and(|e| e.creds == creds) {
            return; // keep the client (and its connections) for the same set
        }
        map.insert(
            tenant.as_str().to_string(),
            Arc::new(Entry {
                creds,
                client: OnceCell::new(),
            }),
        );
    }

    /// The client signing with `tenant`'s credentials, derived from `base`
    /// (same endpoint, region, retry and timeout settings, same HTTP pool).
    pub async fn client(&self, tenant: &TenantId, base: &Client) -> Result<Client> {
        // Past the check, only hard expiry stops a request already under way.
        let entry = self.usable(tenant, Duration::ZERO)?;
        let client = entry
            .client
            .get_or_init(|| async {
                let c = &entry.creds;
                let provider = Credentials::new(
                    c.access_key_id.clone(),
                    c.secret_access_key.clone(),
                    c.session_token.clone(),
                    c.expires_at(),
                    "dynamo-bao-tenant",
                );
                Client::from_conf(
                    base.config()
                        .to_builder()
                        .credentials_provider(provider)
                        .build(),
                )
            })
            .await;
        Ok(client.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{validate_tenant_id, Candidate};

    fn tenant(s: &str) -> TenantId {
        validate_tenant_id(&Candidate::Text(s.into())).unwrap()
    }

    fn creds(id: &str, expires_in: Option<Duration>) -> TenantCredentials {
        TenantCredentials {
            access_key_id: id.into(),
            secret_access_key: "secret".into(),
            session_token: None,
            expires_at_ms: expires_in.map(|d| {
                (SystemTime::now() + d)
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as u64
            }),
        }
    }

    #[test]
    fn missing_and_expiring_credentials_ask_for_new_ones() {
        let cache = CredentialCache::new(Duration::from_secs(60));
        let acme = tenant("acme");
        let e = cache.check(&acme).unwrap_err();
        assert_eq!(e.code, ErrorCode::CredentialsRequired);
        assert_eq!(e.tenant.as_deref(), Some("acme"));
        cache.set(&acme, creds("AKIA1", Some(Duration::from_secs(30))));
        assert!(cache.check(&acme).is_err(), "inside the refresh margin");
        cache.set(&acme, creds("AKIA2", Some(Duration::from_secs(3600))));
        assert!(cache.check(&acme).is_ok());
        cache.set(&tenant("globex"), creds("AKIA3", None));
        assert!(cache.check(&tenant("globex")).is_ok());
        assert!(cache.check(&tenant("initech")).is_err());
    }

    #[test]
    fn credentials_json_is_checked() {
        assert!(
            TenantCredentials::from_json(r#"{"accessKeyId":"a","secretAccessKey":"b"}"#).is_ok()
        );
        for bad in [
            "{}",
            r#"{"accessKeyId":"","secretAccessKey":"b"}"#,
            r#"{"accessKeyId":"a","secretAccessKey":"b","extra":1}"#,
            r#"{"accessKeyId":1,"secretAccessKey":"b"}"#,
            "null",
        ] {
            let Err(e) = TenantCredentials::from_json(bad) else {
                panic!("accepted {bad}")
            };
            assert_eq!(e.code, ErrorCode::Validation, "{bad}");
        }
    }
}
