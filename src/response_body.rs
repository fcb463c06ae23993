//! A successful response's body, taken before the SDK parses it, for the
//! reads whose items `wire` parses itself (see there for why). Only 2xx
//! bodies are taken: an error response still goes through the SDK, which
//! names it and decides whether to retry. The SDK then parses an empty body,
//! which it reads as `{}`.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use bytes::Bytes;

use crate::client::DEFAULT_MAX_ATTEMPTS;
use crate::error::{Error, ErrorCode, Result};
use crate::request_stats::RequestStats;

/// How a taken body is read: a read whose body is cut off is sent again up
/// to `attempts` times in all, as the SDK's retry strategy would have had it
/// read the body itself; `timeout` bounds each reading, which the SDK's
/// attempt timeout no longer covers. A body cut off is counted in `stats`
/// as a transport error, and its resend as a retry of the same request.
#[derive(Debug, Clone)]
pub struct BodyRead {
    pub attempts: u32,
    pub timeout: Option<Duration>,
    pub stats: Option<Arc<RequestStats>>,
}

impl Default for BodyRead {
    fn default() -> Self {
        BodyRead {
            attempts: DEFAULT_MAX_ATTEMPTS,
            timeout: None,
            stats: None,
        }
    }
}

/// An operation interceptor (`.customize().interceptor(tap.clone())`) that
/// keeps the body of a successful response.
#[derive(Debug, Clone, Default)]
pub struct BodyTap(Arc<Mutex<Option<SdkBody>>>);

impl Intercept for BodyTap {
    fn name(&self) -> &'static str {
        "BodyTap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        if context.response().status().is_success() {
            let body = std::mem::replace(context.response_mut().body_mut(), SdkBody::empty());
            *self.0.lock().map_err(|_| "response body slot poisoned")? = Some(body);
        }
        Ok(())
    }
}

impl BodyTap {
    async fn read(&self, timeout: Option<Duration>) -> Result<Bytes> {
        let body = self
            .0
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or_else(|| Error::internal("the response body was not taken"))?;
        let collect = ByteStream::new(body).collect();
        let collected = match timeout {
            Some(t) => tokio::time::timeout(t, collect)
                .await
                .map_err(|_| cut_off("timed out"))?,
            None => collect.await,
        };
        let collected = collected.map_err(|e| cut_off(&DisplayErrorContext(&e).to_string()))?;
        Ok(collected.into_bytes())
    }
}

fn cut_off(why: &str) -> Error {
    let mut err = Error::new(
        ErrorCode::Network,
        format!("DynamoDB request failed: reading the response body: {why}"),
    );
    err.retryable = true;
    err
}

/// The body of a read that `send` makes with the tap it is given, sent
/// again when the body is cut off (reads are safe to repeat).
pub async fn read_body<F, Fut>(how: BodyRead, mut send: F) -> Result<Bytes>
where
    F: FnMut(BodyTap) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut attempt = 1;
    loop {
        let tap = BodyTap::default();
        send(tap.clone()).await?;
        let read = tap.read(how.timeout).await;
        let resend = read.is_err() && attempt < how.attempts;
        if let (Err(_), Some(stats)) = (&read, &how.stats) {
            stats.record_body_cut_off(resend);
        }
        match read {
            Ok(bytes) => return Ok(bytes),
            Err(e) if !resend => return Err(e),
            Err(_) => attempt += 1,
        }
    }
}

/// The body of a successful `call` (a fluent request builder, cloned for
/// each attempt), read by [`read_body`] as `how` says.
macro_rules! body_of {
    ($how:expr, $call:expr) => {
        async {
            let call = $call;
            $crate::response_body::read_body($how, |tap| {
                let call = call.clone();
                async move {
                    call.customize()
                        .interceptor(tap)
                        .send()
                        .await
                        .map(drop)
                        .map_err($crate::db::sdk_error)
                }
            })
            .await
        }
    };
}
pub(crate) use body_of;

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll};

    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_dynamodb::types::AttributeValue;
    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::http::{Response, StatusCode};

    use super::*;
    use crate::request_stats::Counting;

    /// Answers each request with the next canned `(status, body)`.
    #[derive(Debug, Clone, Default)]
    struct Canned {
        answers: Arc<Mutex<Vec<(u16, SdkBody)>>>,
        sent: Arc<AtomicUsize>,
    }

    impl HttpConnector for Canned {
        fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
            self.sent.fetch_add(1, Ordering::SeqCst);
            let (status, body) = self.answers.lock().unwrap().remove(0);
            let status = StatusCode::try_from(status).unwrap();
            HttpConnectorFuture::ready(Ok(Response::new(status, body)))
        }
    }

    impl HttpClient for Canned {
        fn http_connector(
            &self,
            _: &HttpConnectorSettings,
            _: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(self.clone())
        }
    }

    /// A body that never arrives: its connection drops before the first
    /// byte (`CutOff`), or its server never sends it (`Stalled`).
    enum Broken {
        CutOff,
        Stalled,
    }

    impl http_body::Body for Broken {
        type Data = Bytes;
        type Error = BoxError;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, BoxError>>> {
            match *self {
                Broken::CutOff => Poll::Ready(Some(Err("connection reset by peer".into()))),
                Broken::Stalled => Poll::Pending,
            }
        }
    }

    const ITEM: &str = r#"{"Item":{"a":{"S":"x"}}}"#;

    /// Sends one GetItem through a client that counts into `how.stats`
    /// (when given), as the core's clients do.
    async fn get(how: BodyRead, answers: Vec<(u16, SdkBody)>) -> (Result<Bytes>, usize) {
        let canned = Canned::default();
        *canned.answers.lock().unwrap() = answers;
        let stats = how.stats.clone().unwrap_or_default();
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-west-2"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(canned.clone())
            .interceptor(Counting(stats))
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        let call = client
            .get_item()
            .table_name("t")
            .key("_pk", AttributeValue::S("k".into()));
        let body = body_of!(how, call).await;
        (body, canned.sent.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_successful_body_is_read_by_the_caller() {
        let (body, sent) = get(BodyRead::default(), vec![(200, SdkBody::from(ITEM))]).await;
        assert_eq!(body.unwrap(), Bytes::from(ITEM));
        assert_eq!(sent, 1);
    }

    #[tokio::test]
    async fn an_error_response_is_still_named_by_the_sdk() {
        let error = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table t"}"#;
        let (body, sent) = get(BodyRead::default(), vec![(400, SdkBody::from(error))]).await;
        let err = body.unwrap_err();
        assert_eq!(err.code, ErrorCode::DynamoDb);
        assert_eq!(err.aws_name.as_deref(), Some("ResourceNotFoundException"));
        assert_eq!(err.message, "no table t");
        assert_eq!(sent, 1);
    }

    #[tokio::test]
    async fn a_body_cut_off_is_sent_again() {
        let (body, sent) = get(
            BodyRead::default(),
            vec![
                (200, SdkBody::from_body_1_x(Broken::CutOff)),
                (200, SdkBody::from(ITEM)),
            ],
        )
        .await;
        assert_eq!(body.unwrap(), Bytes::from(ITEM));
        assert_eq!(sent, 2);
    }

    /// The default reading, counting into stats the test can inspect.
    fn counted_read() -> (BodyRead, Arc<RequestStats>) {
        let stats = Arc::new(RequestStats::default());
        let how = BodyRead {
            stats: Some(stats.clone()),
            ..BodyRead::default()
        };
        (how, stats)
    }

    #[tokio::test]
    async fn a_resend_is_counted_as_a_retry_of_one_request() {
        let (how, stats) = counted_read();
        let cut = (200, SdkBody::from_body_1_x(Broken::CutOff));
        let (body, _) = get(how, vec![cut, (200, SdkBody::from(ITEM))]).await;
        assert!(body.is_ok());
        let counted = stats.to_json();
        assert_eq!(counted["requests"], 1, "{counted}");
        assert_eq!(counted["attempts"], 2, "{counted}");
        assert_eq!(counted["retries"], 1, "{counted}");
        assert_eq!(counted["transportErrors"], 1, "{counted}");
    }

    #[tokio::test]
    async fn a_body_cut_off_every_time_is_a_retryable_network_error() {
        let (how, stats) = counted_read();
        let cut = || (200, SdkBody::from_body_1_x(Broken::CutOff));
        let (body, sent) = get(how, vec![cut(), cut(), cut()]).await;
        let err = body.unwrap_err();
        assert_eq!(err.code, ErrorCode::Network);
        assert!(err.retryable);
        assert!(
            err.message.contains("connection reset by peer"),
            "{}",
            err.message
        );
        assert_eq!(sent, 3);
        let counted = stats.to_json();
        assert_eq!(counted["requests"], 1, "{counted}");
        assert_eq!(counted["retries"], 2, "{counted}");
        assert_eq!(counted["transportErrors"], 3, "{counted}");
    }

    #[tokio::test]
    async fn a_client_without_retries_reads_a_body_once() {
        let once = BodyRead {
            attempts: 1,
            ..BodyRead::default()
        };
        let (body, sent) = get(once, vec![(200, SdkBody::from_body_1_x(Broken::CutOff))]).await;
        assert_eq!(body.unwrap_err().code, ErrorCode::Network);
        assert_eq!(sent, 1);
    }

    #[tokio::test]
    async fn the_request_timeout_bounds_each_reading() {
        let how = BodyRead {
            attempts: 2,
            timeout: Some(Duration::from_millis(20)),
            ..BodyRead::default()
        };
        let stalled = || (200, SdkBody::from_body_1_x(Broken::Stalled));
        let (body, sent) = get(how, vec![stalled(), stalled()]).await;
        let err = body.unwrap_err();
        assert_eq!(err.code, ErrorCode::Network);
        assert!(err.message.ends_with("timed out"), "{}", err.message);
        assert_eq!(sent, 2);
    }
}
