//! The CloudFormation custom-resource protocol, and the handler that always answers.
//!
//! CloudFormation invokes the function with a request (`Create`, `Update` or `Delete`)
//! carrying a presigned `ResponseURL`, and then waits, up to an hour by default, until
//! something PUTs a JSON response there. A Lambda that dies without answering leaves the
//! stack hanging, so [`handle`] answers **exactly once** whatever happens:
//!
//! - the copy runs in its own tokio task: a panic in it becomes a `FAILED` answer;
//! - the copy gets the time left before the Lambda deadline minus
//!   [`HandlerConfig::answer_margin`]; when that runs out the task is aborted and the
//!   answer is `FAILED` ("did not finish within ...");
//! - a request that does not parse still gets a `FAILED` answer if it has a
//!   `ResponseURL`; invalid properties are a `FAILED` answer naming the property;
//! - the PUT is retried on transport errors and 5xx (never after a 2xx or a 4xx).
//!
//! # Resource properties ([`ImageCopyProperties`])
//!
//! | property | type | required | meaning |
//! |---|---|---|---|
//! | `SourceImage` | string | yes | the image to copy: `registry/repo:tag`, `registry/repo@sha256:<hex>` or `registry/repo:tag@sha256:<hex>` (the digest wins). A tag is resolved to a digest at each Create/Update. |
//! | `TargetRepositoryUri` | string | yes | the stack's ECR repository URI, `<account>.dkr.ecr.<region>.amazonaws.com/<name>` (`Fn::GetAtt Repo.RepositoryUri`), without tag or digest. |
//! | `Architecture` | string | no | `amd64`/`x86_64` or `arm64`/`aarch64`: copy only that `linux/<arch>` image out of an index (and check a single image is that architecture). Absent or empty: copy an index whole, with the same digest. |
//! | `TargetTag` | string | no | tag for the copy in the target; `{digest}` in it becomes the copied digest as a tag (`sha256-<hex>`), one tag per digest for repositories with immutable tags. Default: the source's tag; none for a digest-only source. |
//! | `RefreshToken` | string | no | not read; changing it makes CloudFormation send an Update, which re-resolves a moving tag (`latest`) and copies what it points at now. |
//! | `ServiceToken` | string | yes (CloudFormation's) | the function ARN; ignored. |
//! | `ServiceTimeout` | number | no (CloudFormation's) | how long CloudFormation waits for the answer (1-3600 s, default 3600); ignored here. Set it a little above the function's timeout. |
//!
//! Any other property is an error (a misspelt `Architecure` must not silently copy the
//! whole index). Empty strings count as absent.
//!
//! # Answers
//!
//! | request | outcome | `Status` | `PhysicalResourceId` | `Data` |
//! |---|---|---|---|---|
//! | Create / Update | copied | `SUCCESS` | `<TargetRepositoryUri>@sha256:<digest>` | `ImageUri`, `Digest` ([`ImageData`]) |
//! | Create | failed | `FAILED` | `<LogicalResourceId>-create-failed-<RequestId>` | none |
//! | Update | failed | `FAILED` | the request's `PhysicalResourceId` (unchanged) | none |
//! | Delete | always | `SUCCESS` | the request's `PhysicalResourceId` | none |
//!
//! The physical id is the pinned image URI, so `!Ref` gives it directly, an Update that
//! resolves to the same digest keeps the id (no replacement), and one that resolves to a
//! new digest (or a new repository) changes it: CloudFormation treats that as a
//! replacement, updates everything that refers to the image, and then sends a Delete for
//! the old id. Delete never touches the repository: the copied images stay until the
//! repository's own lifecycle or deletion policy removes them, so an old digest that a
//! function version (or a rollback) still uses keeps working. Delete does not even parse
//! the properties, so a resource whose Create failed on bad properties can still be
//! deleted.

use std::any::Any;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceRequest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::RegistryAuthenticator;
use crate::copy::{copy_image, CopyError, CopyOutcome, CopyRequest};
use crate::registry::{error_chain, RegistryOptions};

/// CloudFormation's limit on the whole response body.
pub const RESPONSE_BODY_LIMIT: usize = 4096;

/// The resource properties the `ImageRepublish` construct passes (see the module docs):
/// the contract's definition, shared with the construct.
pub use cloud_cron_contract::image_republish::ImageRepublishProperties as ImageCopyProperties;

/// Parses `ResourceProperties` (unknown properties are an error).
///
/// # Errors
///
/// [`CopyError::InvalidInput`] naming what does not parse.
pub fn parse_properties(properties: Value) -> Result<ImageCopyProperties, CopyError> {
    serde_json::from_value(properties).map_err(|e| CopyError::InvalidInput {
        property: "ResourceProperties",
        reason: e.to_string(),
    })
}

/// `SUCCESS` or `FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResponseStatus {
    /// The resource was created, updated or deleted.
    Success,
    /// It was not; `Reason` says why.
    Failed,
}

/// The attributes of a successful copy (`Fn::GetAtt Resource.ImageUri` / `.Digest`):
/// the contract's definition.
pub use cloud_cron_contract::image_republish::ImageRepublishData as ImageData;

/// The JSON body PUT to the `ResponseURL`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomResourceResponse {
    /// The outcome.
    pub status: ResponseStatus,
    /// Why, for `FAILED` (shown in the stack events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The resource's physical id.
    pub physical_resource_id: String,
    /// Copied from the request.
    pub stack_id: String,
    /// Copied from the request.
    pub request_id: String,
    /// Copied from the request.
    pub logical_resource_id: String,
    /// Attributes, on a successful Create/Update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ImageData>,
}

impl CustomResourceResponse {
    /// The JSON body, at most [`RESPONSE_BODY_LIMIT`] bytes: an over-long `Reason` is cut
    /// (on a character boundary, ending in `...`).
    pub fn to_body(&self) -> Vec<u8> {
        let body = serde_json::to_vec(self).unwrap_or_default();
        let Some(reason) = self.reason.as_deref() else {
            return body;
        };
        if body.len() <= RESPONSE_BODY_LIMIT {
            return body;
        }
        // The longest prefix of the reason (in characters) that fits once escaped.
        let boundaries: Vec<usize> = reason.char_indices().map(|(i, _)| i).collect();
        let with_prefix = |chars: usize| {
            let mut cut = self.clone();
            let end = boundaries.get(chars).copied().unwrap_or(reason.len());
            cut.reason = Some(format!("{}...", &reason[..end]));
            serde_json::to_vec(&cut).unwrap_or_default()
        };
        let (mut fits, mut too_long) = (0, boundaries.len());
        while too_long - fits > 1 {
            let mid = fits + (too_long - fits) / 2;
            if with_prefix(mid).len() <= RESPONSE_BODY_LIMIT {
                fits = mid;
            } else {
                too_long = mid;
            }
        }
        with_prefix(fits)
    }
}

/// The fields of a request needed to answer it, read leniently from the raw event, so
/// even a request that does not parse can be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEnvelope {
    /// `Create`, `Update`, `Delete`, or whatever was sent.
    pub request_type: Option<String>,
    /// Where to PUT the answer.
    pub response_url: String,
    /// `StackId`.
    pub stack_id: String,
    /// `RequestId`.
    pub request_id: String,
    /// `LogicalResourceId`.
    pub logical_resource_id: String,
    /// `PhysicalResourceId` (Update and Delete).
    pub physical_resource_id: Option<String>,
}

impl RequestEnvelope {
    /// Reads the envelope; `None` without a string `ResponseURL`.
    pub fn from_event(event: &Value) -> Option<Self> {
        let text = |key: &str| event.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Self {
            request_type: text("RequestType"),
            response_url: text("ResponseURL")?,
            stack_id: text("StackId").unwrap_or_default(),
            request_id: text("RequestId").unwrap_or_default(),
            logical_resource_id: text("LogicalResourceId").unwrap_or_default(),
            physical_resource_id: text("PhysicalResourceId").filter(|s| !s.is_empty()),
        })
    }

    /// The physical id to answer a failed request with: the existing one, or for a
    /// failed Create a recognisable placeholder (CloudFormation sends a Delete for it).
    pub fn failure_physical_id(&self) -> String {
        self.physical_resource_id.clone().unwrap_or_else(|| {
            format!(
                "{}-create-failed-{}",
                if self.logical_resource_id.is_empty() {
                    "ImageCopy"
                } else {
                    &self.logical_resource_id
                },
                self.request_id
            )
        })
    }

    fn response(
        &self,
        status: ResponseStatus,
        reason: Option<String>,
        physical_resource_id: String,
        data: Option<ImageData>,
    ) -> CustomResourceResponse {
        CustomResourceResponse {
            status,
            reason,
            physical_resource_id,
            stack_id: self.stack_id.clone(),
            request_id: self.request_id.clone(),
            logical_resource_id: self.logical_resource_id.clone(),
            data,
        }
    }
}

/// Something that copies an image for a request: the real [`OciImageCopier`], or a test
/// double.
pub trait ImageCopier: Send + Sync + 'static {
    /// Copies what `properties` ask for.
    fn copy(
        &self,
        properties: ImageCopyProperties,
    ) -> impl Future<Output = Result<CopyOutcome, CopyError>> + Send;
}

/// The real copier: the OCI distribution API with ECR credentials.
#[derive(Debug)]
pub struct OciImageCopier {
    authenticator: RegistryAuthenticator,
    options: RegistryOptions,
}

impl OciImageCopier {
    /// A copier using `authenticator` for credentials.
    pub fn new(authenticator: RegistryAuthenticator, options: RegistryOptions) -> Self {
        Self {
            authenticator,
            options,
        }
    }
}

impl ImageCopier for OciImageCopier {
    async fn copy(&self, properties: ImageCopyProperties) -> Result<CopyOutcome, CopyError> {
        let request = CopyRequest::from_properties(&properties)?;
        copy_image(&request, &self.options, &self.authenticator).await
    }
}

/// Timing and retry settings of [`handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerConfig {
    /// Time kept back from the Lambda deadline for answering CloudFormation.
    pub answer_margin: Duration,
    /// Attempts at the PUT to the `ResponseURL`.
    pub response_attempts: u32,
    /// Time allowed for one PUT.
    pub response_attempt_timeout: Duration,
    /// Pause before the second attempt (doubled for each further one).
    pub response_retry_pause: Duration,
}

impl Default for HandlerConfig {
    fn default() -> Self {
        Self {
            answer_margin: Duration::from_secs(20),
            response_attempts: 3,
            response_attempt_timeout: Duration::from_secs(5),
            response_retry_pause: Duration::from_millis(500),
        }
    }
}

/// What the Lambda invocation provides besides the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// When Lambda will stop the function.
    pub deadline: SystemTime,
    /// The CloudWatch log stream, named in failure reasons.
    pub log_stream: Option<String>,
}

/// The answer that was delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answered {
    /// The status sent.
    pub status: ResponseStatus,
    /// The physical id sent.
    pub physical_resource_id: String,
    /// The reason sent, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// PUT attempts it took.
    pub attempts: u32,
}

/// Why no answer was delivered.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The event has no `ResponseURL`: there is no one to answer.
    #[error(
        "the event is not a CloudFormation custom-resource request (no ResponseURL); keys: {keys}"
    )]
    NotACustomResourceRequest {
        /// The event's top-level keys.
        keys: String,
    },
    /// The PUT failed.
    #[error(transparent)]
    Response(#[from] ResponseError),
}

/// A failed PUT to the `ResponseURL`.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    /// The URL answered with a non-success status (the last one, after retries).
    #[error("the ResponseURL answered HTTP {status} after {attempts} attempt(s): {body}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Start of the body.
        body: String,
        /// Attempts made.
        attempts: u32,
    },
    /// No HTTP answer at all.
    #[error("the PUT to the ResponseURL failed after {attempts} attempt(s): {detail}")]
    Transport {
        /// The last error.
        detail: String,
        /// Attempts made.
        attempts: u32,
    },
}

/// Why a Create/Update did not succeed.
#[derive(Debug)]
enum Failure {
    Copy(CopyError),
    Panicked(String),
    TimedOut { budget: Duration, margin: Duration },
    NoTimeLeft { margin: Duration },
    Cancelled,
}

impl Failure {
    fn reason(&self, request_type: &str, envelope: &RequestEnvelope) -> String {
        let what = format!("{request_type} of {}", envelope.logical_resource_id);
        match self {
            Self::Copy(e) => format!("{what} failed: {}", error_chain(e)),
            Self::Panicked(message) => format!(
                "{what} failed: the image copier panicked ({message}); this is a bug in cloud-cron's image copier"
            ),
            Self::TimedOut { budget, margin } => format!(
                "{what} failed: the copy did not finish within {:.1} s (the function's remaining time less {:.1} s kept for answering); raise the function's timeout or copy less (e.g. set Architecture)",
                budget.as_secs_f64(),
                margin.as_secs_f64()
            ),
            Self::NoTimeLeft { margin } => format!(
                "{what} failed: the function's remaining time is shorter than the {:.1} s kept for answering CloudFormation; raise the function's timeout",
                margin.as_secs_f64()
            ),
            Self::Cancelled => format!("{what} failed: the copy task was cancelled"),
        }
    }
}

/// The text of a panic payload.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}

/// Runs the copy in its own task, bounded by `budget`.
async fn run_copy<C: ImageCopier>(
    copier: Arc<C>,
    properties: ImageCopyProperties,
    budget: Duration,
    margin: Duration,
) -> Result<CopyOutcome, Failure> {
    if budget < Duration::from_millis(500) {
        return Err(Failure::NoTimeLeft { margin });
    }
    let task = tokio::spawn(async move { copier.copy(properties).await });
    let abort = task.abort_handle();
    match tokio::time::timeout(budget, task).await {
        Err(_) => {
            abort.abort();
            Err(Failure::TimedOut { budget, margin })
        }
        Ok(Err(join)) if join.is_panic() => {
            Err(Failure::Panicked(panic_message(join.into_panic())))
        }
        Ok(Err(_)) => Err(Failure::Cancelled),
        Ok(Ok(Err(e))) => Err(Failure::Copy(e)),
        Ok(Ok(Ok(outcome))) => Ok(outcome),
    }
}

/// Decides the answer to a request (without sending it).
pub async fn respond_to<C: ImageCopier>(
    event: Value,
    envelope: &RequestEnvelope,
    invocation: &Invocation,
    copier: Arc<C>,
    config: &HandlerConfig,
) -> CustomResourceResponse {
    let with_log = |reason: String| match &invocation.log_stream {
        Some(stream) if !stream.is_empty() => format!("{reason} (log stream {stream})"),
        _ => reason,
    };
    let request: CloudFormationCustomResourceRequest<Value, Value> =
        match serde_json::from_value(event) {
            Ok(request) => request,
            Err(e) => {
                let reason = format!(
                    "malformed custom resource request (RequestType {}): {e}",
                    envelope.request_type.as_deref().unwrap_or("missing")
                );
                tracing::error!(%reason);
                return envelope.response(
                    ResponseStatus::Failed,
                    Some(with_log(reason)),
                    envelope.failure_physical_id(),
                    None,
                );
            }
        };
    let (request_type, properties) = match request {
        CloudFormationCustomResourceRequest::Delete(delete) => {
            tracing::info!(physical_resource_id = %delete.physical_resource_id, "delete: leaving the repository's content to its own policies");
            return envelope.response(
                ResponseStatus::Success,
                None,
                delete.physical_resource_id,
                None,
            );
        }
        CloudFormationCustomResourceRequest::Create(create) => {
            ("Create", create.resource_properties)
        }
        CloudFormationCustomResourceRequest::Update(update) => {
            ("Update", update.resource_properties)
        }
        // The enum is non-exhaustive; a future request type is answered, not ignored.
        _ => {
            let reason = format!(
                "unsupported RequestType {}",
                envelope.request_type.as_deref().unwrap_or("missing")
            );
            return envelope.response(
                ResponseStatus::Failed,
                Some(with_log(reason)),
                envelope.failure_physical_id(),
                None,
            );
        }
    };
    let result = match parse_properties(properties) {
        Err(e) => Err(Failure::Copy(e)),
        Ok(properties) => {
            let left = invocation
                .deadline
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            let budget = left.saturating_sub(config.answer_margin);
            tracing::info!(source = %properties.source_image, target = %properties.target_repository_uri, budget_secs = budget.as_secs(), "{request_type}: copying");
            run_copy(copier, properties, budget, config.answer_margin).await
        }
    };
    match result {
        Ok(outcome) => envelope.response(
            ResponseStatus::Success,
            None,
            outcome.image_uri.clone(),
            Some(ImageData {
                image_uri: outcome.image_uri,
                digest: outcome.digest,
            }),
        ),
        Err(failure) => {
            let reason = failure.reason(request_type, envelope);
            tracing::error!(%reason);
            envelope.response(
                ResponseStatus::Failed,
                Some(with_log(reason)),
                envelope.failure_physical_id(),
                None,
            )
        }
    }
}

/// PUTs `response` to `url` (no `Content-Type`, as presigned S3 URLs want), retrying
/// transport errors and 5xx/429 answers. Returns the attempts it took.
pub async fn send_response(
    http: &reqwest::Client,
    url: &str,
    response: &CustomResourceResponse,
    config: &HandlerConfig,
) -> Result<u32, ResponseError> {
    let body = response.to_body();
    let attempts = config.response_attempts.max(1);
    let mut last = None;
    for attempt in 1..=attempts {
        if attempt > 1 {
            let pause = config.response_retry_pause * 2u32.saturating_pow(attempt - 2);
            tokio::time::sleep(pause).await;
        }
        let put = http.put(url).body(body.clone()).send();
        match tokio::time::timeout(config.response_attempt_timeout, put).await {
            Ok(Ok(answer)) if answer.status().is_success() => return Ok(attempt),
            Ok(Ok(answer)) => {
                let status = answer.status();
                let text = answer.text().await.unwrap_or_default();
                let error = ResponseError::Rejected {
                    status: status.as_u16(),
                    body: text.chars().take(300).collect(),
                    attempts: attempt,
                };
                if !(status.is_server_error() || status.as_u16() == 429) {
                    return Err(error);
                }
                tracing::warn!(%error, "retrying the answer");
                last = Some(error);
            }
            Ok(Err(e)) => {
                let error = ResponseError::Transport {
                    detail: error_chain(&e),
                    attempts: attempt,
                };
                tracing::warn!(%error, "retrying the answer");
                last = Some(error);
            }
            Err(_) => {
                let error = ResponseError::Transport {
                    detail: format!(
                        "no answer within {} ms",
                        config.response_attempt_timeout.as_millis()
                    ),
                    attempts: attempt,
                };
                tracing::warn!(%error, "retrying the answer");
                last = Some(error);
            }
        }
    }
    Err(last.unwrap_or(ResponseError::Transport {
        detail: "no attempt was made".to_owned(),
        attempts,
    }))
}

/// Handles one custom-resource event: decides the answer (copying on Create/Update) and
/// PUTs it to the `ResponseURL`, exactly once. Errors only when there is no `ResponseURL`
/// or the PUT failed after its retries.
pub async fn handle<C: ImageCopier>(
    event: Value,
    invocation: &Invocation,
    copier: Arc<C>,
    http: &reqwest::Client,
    config: &HandlerConfig,
) -> Result<Answered, HandleError> {
    let Some(envelope) = RequestEnvelope::from_event(&event) else {
        let keys = event
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_else(|| "not a JSON object".to_owned());
        return Err(HandleError::NotACustomResourceRequest { keys });
    };
    // Deciding runs in its own task too: even a bug outside the copy gets an answer.
    let decide = {
        let (envelope, invocation, config) = (envelope.clone(), invocation.clone(), config.clone());
        tokio::spawn(
            async move { respond_to(event, &envelope, &invocation, copier, &config).await },
        )
    };
    let response = match decide.await {
        Ok(response) => response,
        Err(join) => {
            let reason = if join.is_panic() {
                format!(
                    "the image copier's handler panicked ({}); this is a bug in cloud-cron's image copier",
                    panic_message(join.into_panic())
                )
            } else {
                "the image copier's handler was cancelled".to_owned()
            };
            tracing::error!(%reason);
            envelope.response(
                ResponseStatus::Failed,
                Some(reason),
                envelope.failure_physical_id(),
                None,
            )
        }
    };
    let attempts = send_response(http, &envelope.response_url, &response, config).await?;
    tracing::info!(status = ?response.status, physical_resource_id = %response.physical_resource_id, attempts, "answered CloudFormation");
    Ok(Answered {
        status: response.status,
        physical_resource_id: response.physical_resource_id,
        reason: response.reason,
        attempts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(reason: Option<String>) -> CustomResourceResponse {
        CustomResourceResponse {
            status: ResponseStatus::Failed,
            reason,
            physical_resource_id: "p".into(),
            stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".into(),
            request_id: "r".into(),
            logical_resource_id: "L".into(),
            data: None,
        }
    }

    #[test]
    fn long_reasons_are_cut_to_fit_the_body_limit() {
        for unit in ["x", "\"", "é", "\u{1F600}", "\n"] {
            let body = response(Some(unit.repeat(10_000))).to_body();
            assert!(body.len() <= RESPONSE_BODY_LIMIT, "{unit}: {}", body.len());
            let parsed: CustomResourceResponse = serde_json::from_slice(&body).unwrap();
            let reason = parsed.reason.unwrap();
            assert!(reason.ends_with("..."), "{unit}");
            assert!(
                body.len() > RESPONSE_BODY_LIMIT - 64,
                "{unit}: cut far too much ({})",
                body.len()
            );
        }
        let short = response(Some("short".into())).to_body();
        let parsed: CustomResourceResponse = serde_json::from_slice(&short).unwrap();
        assert_eq!(parsed.reason.as_deref(), Some("short"));
    }

    #[test]
    fn response_serializes_with_cloudformation_field_names() {
        let mut r = response(None);
        r.status = ResponseStatus::Success;
        r.data = Some(ImageData {
            image_uri: "h/r@sha256:1".into(),
            digest: "sha256:1".into(),
        });
        let v: Value = serde_json::from_slice(&r.to_body()).unwrap();
        assert_eq!(
            v,
            json!({
                "Status": "SUCCESS",
                "PhysicalResourceId": "p",
                "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
                "RequestId": "r",
                "LogicalResourceId": "L",
                "Data": {"ImageUri": "h/r@sha256:1", "Digest": "sha256:1"}
            })
        );
    }

    #[test]
    fn properties_reject_unknown_keys_and_treat_empty_as_absent() {
        let err = parse_properties(json!({
            "ServiceToken": "arn", "SourceImage": "127.0.0.1:1/a:v1",
            "TargetRepositoryUri": "127.0.0.1:2/b", "Architecure": "arm64"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("Architecure"), "{err}");

        let err = parse_properties(json!({"TargetRepositoryUri": "127.0.0.1:2/b"})).unwrap_err();
        assert!(err.to_string().contains("SourceImage"), "{err}");

        let p = parse_properties(json!({
            "ServiceToken": "arn", "SourceImage": "127.0.0.1:1/a:v1",
            "TargetRepositoryUri": "127.0.0.1:2/b", "Architecture": "", "TargetTag": " ",
            "RefreshToken": "2", "ServiceTimeout": "960"
        }))
        .unwrap();
        let request = CopyRequest::from_properties(&p).unwrap();
        assert_eq!(request.architecture, None);
        assert_eq!(request.target_tag.as_deref(), Some("v1"));
    }

    #[test]
    fn envelope_is_read_leniently_and_failure_ids_are_stable() {
        let e = RequestEnvelope::from_event(&json!({
            "RequestType": "Bogus", "ResponseURL": "http://x/", "RequestId": "rid",
            "LogicalResourceId": "Img"
        }))
        .unwrap();
        assert_eq!(e.failure_physical_id(), "Img-create-failed-rid");
        assert!(RequestEnvelope::from_event(&json!({"RequestType": "Create"})).is_none());
        let e = RequestEnvelope::from_event(&json!({
            "ResponseURL": "http://x/", "PhysicalResourceId": "old"
        }))
        .unwrap();
        assert_eq!(e.failure_physical_id(), "old");
    }
}
