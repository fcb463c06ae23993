//! One DynamoDB client per process and configuration. Clients are built
//! lazily on the runtime the first operation runs on, from the standard AWS
//! chain (aws-config) unless the config names credentials.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls;
use tokio::sync::OnceCell;

use crate::request_stats::{Counting, RequestStats};

/// What distinguishes one client from another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ClientConfig {
    pub region: Option<String>,
    /// `aws.endpoint`, else `AWS_ENDPOINT_URL_DYNAMODB` (read when the config is built).
    pub endpoint: Option<String>,
    /// `(access key id, secret, session token)` from `aws.credentials`.
    pub credentials: Option<(String, String, Option<String>)>,
    /// Per-attempt timeout in ms (none: the SDK's connect/read defaults).
    pub request_timeout_ms: Option<u64>,
    /// Attempts per request, with the SDK's standard backoff and jitter
    /// ([`DEFAULT_MAX_ATTEMPTS`] when unset).
    pub max_attempts: Option<u32>,
    /// The first retry's backoff ceiling in ms (the SDK's default is 1 s).
    pub retry_initial_backoff_ms: Option<u64>,
}

/// The SDK's standard retry strategy's attempts per request.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

impl ClientConfig {
    /// Attempts per request: `aws.maxAttempts`, or the SDK's default.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1)
    }
}

/// A configuration's client, built on first use, and its request counters.
#[derive(Default)]
pub struct ClientSlot {
    pub client: OnceCell<Client>,
    pub stats: Arc<RequestStats>,
}

type Slot = Arc<ClientSlot>;

fn pool() -> &'static Mutex<HashMap<ClientConfig, Slot>> {
    static POOL: OnceLock<Mutex<HashMap<ClientConfig, Slot>>> = OnceLock::new();
    POOL.get_or_init(Default::default)
}

/// The shared slot for a configuration; every `Db` with the same settings
/// gets the same client.
pub fn slot_for(cfg: &ClientConfig) -> Slot {
    // A poisoned lock only means another thread panicked while inserting;
    // the map itself is still usable.
    let mut map = pool().lock().unwrap_or_else(|e| e.into_inner());
    map.entry(cfg.clone()).or_default().clone()
}

pub async fn build_client(cfg: &ClientConfig, stats: Arc<RequestStats>) -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
    if let Some(r) = &cfg.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some((id, secret, token)) = &cfg.credentials {
        loader = loader.credentials_provider(Credentials::new(
            id.clone(),
            secret.clone(),
            token.clone(),
            None,
            "dynamo-bao-config",
        ));
    }
    let shared = loader.load().await;
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&shared);
    if let Some(ep) = &cfg.endpoint {
        builder = builder.endpoint_url(ep.clone());
    }
    if let Some(ms) = cfg.request_timeout_ms {
        builder = builder.timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(std::time::Duration::from_millis(ms))
                .build(),
        );
    }
    // Throttling and 5xx answers are retried with exponential backoff and jitter.
    let mut retry = aws_config::retry::RetryConfig::standard().with_max_attempts(cfg.attempts());
    if let Some(ms) = cfg.retry_initial_backoff_ms {
        retry = retry.with_initial_backoff(std::time::Duration::from_millis(ms));
    }
    // Stalled-stream protection watches streamed bodies with a timer per
    // request (about 10% of the client's CPU for a GetItem at concurrency 64).
    // DynamoDB's bodies are small JSON documents read in one piece;
    // `aws.requestTimeoutMs` bounds an attempt instead.
    builder = builder
        .stalled_stream_protection(
            aws_sdk_dynamodb::config::StalledStreamProtectionConfig::disabled(),
        )
        .retry_config(retry)
        .interceptor(Counting(stats));
    Client::from_conf(builder.build())
}
