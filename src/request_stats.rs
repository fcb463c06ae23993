//! Request counters for one client configuration: how many operations were
//! sent, how many attempts they took, and why attempts failed. They make the
//! SDK's retries visible (`stats()`), e.g. to see throttling in production.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{json, Value};

/// Error types DynamoDB uses to say "slow down".
const THROTTLING_ERRORS: [&str; 3] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

#[derive(Debug, Default)]
pub struct RequestStats {
    attempts: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
    first_attempts: AtomicU64,
    /// Requests sent again by the core after their body was cut off: the
    /// SDK counts each as a new request, but it retries one.
    resent: AtomicU64,
}

impl RequestStats {
    pub fn to_json(&self) -> Value {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let attempts = get(&self.attempts);
        let requests = get(&self.first_attempts).saturating_sub(get(&self.resent));
        json!({
            "requests": requests,
            "attempts": attempts,
            "retries": attempts.saturating_sub(requests),
            "throttled": get(&self.throttled),
            "serverErrors": get(&self.server_errors),
            "transportErrors": get(&self.transport_errors),
        })
    }

    /// Classifies one finished attempt from its HTTP answer.
    fn record(&self, status: Option<u16>, body: Option<&[u8]>) {
        let bump = |c: &AtomicU64| c.fetch_add(1, Ordering::Relaxed);
        match status {
            None => {
                bump(&self.transport_errors);
            }
            Some(s) if s >= 500 => {
                bump(&self.server_errors);
            }
            Some(400) if body.is_some_and(is_throttling) => {
                bump(&self.throttled);
            }
            Some(_) => {}
        }
    }

    /// A successful answer whose body broke off while the core read it
    /// (the SDK saw a 200); `resending` when the request is sent again.
    pub fn record_body_cut_off(&self, resending: bool) {
        self.transport_errors.fetch_add(1, Ordering::Relaxed);
        if resending {
            self.resent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn is_throttling(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    THROTTLING_ERRORS.iter().any(|e| text.contains(e))
}

/// Feeds one client's attempts into its shared [`RequestStats`].
#[derive(Debug)]
pub struct Counting(pub Arc<RequestStats>);

impl Intercept for Counting {
    fn name(&self) -> &'static str {
        "RequestStats"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let stats = &self.0;
        stats.attempts.fetch_add(1, Ordering::Relaxed);
        // The request attempt counter lives in the config bag; the first
        // attempt of an operation is the one that has not been retried yet.
        let retried = cfg
            .load::<aws_smithy_runtime_api::client::retries::RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1);
        if !retried {
            stats.first_attempts.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        self.0.record(
            response.map(|r| r.status().as_u16()),
            response.and_then(|r| r.body().bytes()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_classified() {
        let s = RequestStats::default();
        s.record(None, None);
        s.record(Some(503), None);
        s.record(
            Some(400),
            Some(br#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}"#),
        );
        s.record(Some(400), Some(br#"{"__type":"x#ValidationException"}"#));
        s.record(Some(200), Some(b"{}"));
        let j = s.to_json();
        assert_eq!(j["throttled"], 1);
        assert_eq!(j["serverErrors"], 1);
        assert_eq!(j["transportErrors"], 1);
    }
}
