//! [`Receiver`]: one API Gateway HTTP API (payload 2.0) request in, one
//! response out. It decodes the body, verifies the sender, finds the event
//! id, hands the body to the work queue and answers 202 — or answers why
//! not, with a status the provider understands: 4xx for a request that will
//! never be accepted, 503 (retry later) when the queue or the secrets are
//! unavailable, so a failing downstream never loses an event.
//!
//! Log lines name the path, the request id, the event id and the reason;
//! never a secret, a signature or the body.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};
use base64::Engine;
use chrono::SecondsFormat;
use cloud_cron_contract::webhook::{
    attributes, InvalidSettings, ReceiverSettings, ValueSource, SQS_MAX_MESSAGE_BYTES,
};
use tracing::Instrument;

use crate::event_id::{extract, sha256_hex, sqs_token, ExtractError};
use crate::queue::{Queue, QueueError, QueueMessage};
use crate::secrets::{SecretCache, SecretError, SecretSource};
use crate::verify::{Verifier, VerifyError};
use cloud_cron_clock::{Clock, SystemClock};

/// Why a request was not queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// API Gateway said the body is base64, and it is not.
    #[error("the body is marked base64 but does not decode")]
    BodyNotBase64,
    /// The sender is not verified, or the body is too large.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The configured event id is not in the request.
    #[error("event id: {0}")]
    EventId(ExtractError),
    /// The configured FIFO message group is not in the request.
    #[error("message group: {0}")]
    MessageGroup(ExtractError),
    /// Body and attributes together exceed what one SQS message holds.
    #[error("the queue message would be {size} bytes, more than SQS's {limit}")]
    MessageTooLarge {
        /// The message's size.
        size: usize,
        /// SQS's limit.
        limit: usize,
    },
    /// No secrets could be read, so nothing can be verified.
    #[error("the signing secrets are unavailable: {0}")]
    Secrets(#[from] SecretError),
    /// The queue refused or failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl Rejection {
    /// The HTTP status the provider is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::Verify(e) => e.status(),
            Rejection::BodyNotBase64 | Rejection::EventId(_) | Rejection::MessageGroup(_) => 400,
            Rejection::MessageTooLarge { .. } => 413,
            Rejection::Secrets(_) | Rejection::Queue(_) => 503,
        }
    }

    /// A short machine-readable name: the `error` of the response body.
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::BodyNotBase64 => "malformed_body",
            Rejection::Verify(e) => e.kind(),
            Rejection::EventId(_) => "event_id_missing",
            Rejection::MessageGroup(_) => "message_group_missing",
            Rejection::MessageTooLarge { .. } => "body_too_large",
            Rejection::Secrets(_) => "secrets_unavailable",
            Rejection::Queue(_) => "queue_unavailable",
        }
    }
}

/// What was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The event id the message carries.
    pub event_id: String,
    /// The queue's message id.
    pub message_id: String,
}

/// Receives webhooks: verifies them and queues them on `Q`, with secrets
/// from `S`.
///
/// ```
/// use cloud_cron_contract::webhook::{HmacSettings, ReceiverSettings, Verification};
/// use cloud_cron_webhook::{FixedClock, Queue, QueueError, QueueMessage, Receiver, SecretSet, StaticSecrets};
/// use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
///
/// struct Discard;
/// impl Queue for Discard {
///     fn is_fifo(&self) -> bool { false }
///     async fn send(&self, _: QueueMessage) -> Result<String, QueueError> { Ok("m-1".into()) }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let settings = ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped("Stripe-Signature")));
/// let secrets = StaticSecrets(SecretSet::from_lines("whsec_test").unwrap());
/// let receiver = Receiver::new(settings, Discard, secrets)?.with_clock(FixedClock::at_unix(1_700_000_000));
///
/// let body = r#"{"id":"evt_1"}"#;
/// let mut request = ApiGatewayV2httpRequest::default();
/// request.raw_path = Some("/hooks/stripe".into());
/// request.body = Some(body.into());
/// request.headers.insert("stripe-signature",
///     cloud_cron_webhook::sign_timestamped("whsec_test", 1_700_000_000, body.as_bytes()).parse()?);
/// assert_eq!(receiver.handle(&request).await.status_code, 202);
///
/// request.body = Some(r#"{"id":"evt_2"}"#.into()); // not what was signed
/// assert_eq!(receiver.handle(&request).await.status_code, 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct Receiver<Q, S> {
    settings: ReceiverSettings,
    verifier: Verifier,
    queue: Q,
    secrets: SecretCache<S>,
    clock: Arc<dyn Clock>,
}

impl<Q: Queue, S: SecretSource> Receiver<Q, S> {
    /// A receiver with these settings, queue and secrets, on the system clock.
    ///
    /// # Errors
    ///
    /// [`InvalidSettings`] when the settings do not validate.
    pub fn new(
        settings: ReceiverSettings,
        queue: Q,
        secrets: S,
    ) -> Result<Receiver<Q, S>, InvalidSettings> {
        settings.validate()?;
        Ok(Receiver {
            verifier: Verifier::new(&settings),
            secrets: SecretCache::new(secrets, Duration::from_secs(settings.secret_ttl_seconds)),
            settings,
            queue,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same receiver reading the time from `clock`.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Receiver<Q, S> {
        self.clock = Arc::new(clock);
        self
    }

    /// Reads the secrets now (at cold start), so a missing secret fails the
    /// function's start rather than its first request.
    ///
    /// # Errors
    ///
    /// The [`SecretError`] of the store.
    pub async fn warm_up(&self) -> Result<(), SecretError> {
        self.secrets.get().await.map(drop)
    }

    /// Answers one request.
    pub async fn handle(&self, request: &ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        let path = request
            .raw_path
            .as_deref()
            .or(request.request_context.http.path.as_deref())
            .unwrap_or("/");
        let request_id = request.request_context.request_id.as_deref().unwrap_or("");
        let span = tracing::info_span!("webhook", path, request_id);
        async {
            match self.accept(request, path).await {
                Ok(accepted) => {
                    tracing::info!(
                        event_id = %accepted.event_id,
                        message_id = %accepted.message_id,
                        "webhook queued"
                    );
                    respond(
                        202,
                        serde_json::json!({"status": "accepted", "eventId": accepted.event_id}),
                    )
                }
                Err(rejection) => {
                    let status = rejection.status();
                    if status >= 500 {
                        tracing::error!(status, reason = rejection.kind(), error = %rejection, "webhook not queued; the provider will retry");
                    } else {
                        tracing::warn!(status, reason = rejection.kind(), error = %rejection, "webhook rejected");
                    }
                    respond(status, serde_json::json!({"error": rejection.kind()}))
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn accept(
        &self,
        request: &ApiGatewayV2httpRequest,
        path: &str,
    ) -> Result<Accepted, Rejection> {
        let body = decode_body(request, self.verifier.max_body_bytes())?;
        let secrets = self.secrets.get().await?;
        let received_at = self.clock.now();
        self.verifier
            .verify(&request.headers, &body, &secrets, received_at.timestamp())?;

        let mut json = None;
        let event_id = match &self.settings.event_id {
            Some(source) => extract(source, &request.headers, &body, &mut json, path)
                .map_err(Rejection::EventId)?,
            None => sha256_hex(&body),
        };
        let (group_id, dedup_id) = if self.queue.is_fifo() {
            let source = self
                .settings
                .message_group
                .as_ref()
                .unwrap_or(&ValueSource::Path);
            let group = extract(source, &request.headers, &body, &mut json, path)
                .map_err(Rejection::MessageGroup)?;
            (Some(sqs_token(&group)), Some(sqs_token(&event_id)))
        } else {
            (None, None)
        };

        let mut attrs = BTreeMap::new();
        attrs.insert(attributes::PATH.to_owned(), path.to_owned());
        attrs.insert(attributes::EVENT_ID.to_owned(), event_id.clone());
        attrs.insert(
            attributes::RECEIVED_AT.to_owned(),
            received_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        );
        let body = match String::from_utf8(body) {
            Ok(text) if text.chars().all(sqs_allows) => text,
            Ok(text) => base64_body(text.as_bytes(), &mut attrs),
            Err(e) => base64_body(e.as_bytes(), &mut attrs),
        };
        let size = body.len()
            + attrs
                .iter()
                .map(|(k, v)| k.len() + v.len() + "String".len())
                .sum::<usize>();
        if size > SQS_MAX_MESSAGE_BYTES {
            return Err(Rejection::MessageTooLarge {
                size,
                limit: SQS_MAX_MESSAGE_BYTES,
            });
        }
        let message_id = self
            .queue
            .send(QueueMessage {
                body,
                attributes: attrs,
                group_id,
                dedup_id,
            })
            .await?;
        Ok(Accepted {
            event_id,
            message_id,
        })
    }
}

/// Whether SQS accepts `c` in a message body (XML 1.0 characters: tab, line
/// feed, carriage return, and from U+0020 up, without U+FFFE and U+FFFF).
fn sqs_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `bytes` as base64, marked so in `attrs`: for bodies SQS cannot carry as text.
fn base64_body(bytes: &[u8], attrs: &mut BTreeMap<String, String>) -> String {
    attrs.insert(attributes::BODY_ENCODING.to_owned(), "base64".to_owned());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The raw body: base64-decoded when API Gateway encoded it. A body whose
/// encoded form already exceeds the limit is refused before decoding.
fn decode_body(request: &ApiGatewayV2httpRequest, limit: usize) -> Result<Vec<u8>, Rejection> {
    let text = request.body.as_deref().unwrap_or("");
    if !request.is_base64_encoded {
        return Ok(text.as_bytes().to_vec());
    }
    if text.len() / 4 * 3 > limit.saturating_add(3) {
        return Err(VerifyError::BodyTooLarge {
            size: text.len() / 4 * 3,
            limit,
        }
        .into());
    }
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| Rejection::BodyNotBase64)
}

fn respond(status: u16, body: serde_json::Value) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if status == 503 {
        headers.insert("retry-after", HeaderValue::from_static("30"));
    }
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = i64::from(status);
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}
