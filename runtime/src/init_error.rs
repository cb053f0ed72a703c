//! Reporting a failed cold start to Lambda's Runtime API.
//!
//! When a function cannot start (a topic variable is missing, a notifier's
//! channel configuration is bad), Lambda should learn *why*: the runtime
//! posts the error to `POST /2018-06-01/runtime/init/error` before the process
//! exits, and Lambda shows it as the invocation's `errorType` and
//! `errorMessage` instead of a bare `Runtime.ExitError`.
//!
//! `lambda_runtime` 1.x reports init errors only for its own SnapStart hooks
//! (the request type is private), so this module sends the request itself
//! with `lambda_runtime_api_client`, the HTTP client `lambda_runtime` is built
//! on. The request:
//!
//! ```text
//! POST /2018-06-01/runtime/init/error
//! Lambda-Runtime-Function-Error-Type: cloud_cron::TaskConfig
//! Content-Type: application/json
//!
//! {"errorType":"cloud_cron::TaskConfig","errorMessage":"the task declares topic `alerts` but ..."}
//! ```
//!
//! The message is the error's `Display`: cloud-cron's configuration errors
//! name variables and references, never secret values.

use lambda_runtime::Diagnostic;
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::PooledClient;

/// The variable Lambda sets to the Runtime API's `host:port`.
pub const RUNTIME_API_ENV: &str = "AWS_LAMBDA_RUNTIME_API";

/// The Runtime API path of the init error endpoint.
pub const INIT_ERROR_PATH: &str = "/2018-06-01/runtime/init/error";

/// The header that carries the error type.
pub const ERROR_TYPE_HEADER: &str = "Lambda-Runtime-Function-Error-Type";

/// Why an init error could not be reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitErrorReportError {
    /// `AWS_LAMBDA_RUNTIME_API` is not set (not running in Lambda).
    #[error("{RUNTIME_API_ENV} is not set: not running in Lambda, nothing to report to")]
    NoRuntimeApi,
    /// The address or the error type cannot go into a request.
    #[error("cannot build the init error request: {0}")]
    Request(String),
    /// The Runtime API could not be reached.
    #[error("the Runtime API at {api} could not be reached: {reason}")]
    Unreachable {
        /// The API address.
        api: String,
        /// What failed.
        reason: String,
    },
    /// The Runtime API refused the report.
    #[error("the Runtime API at {api} answered {status} to the init error report")]
    Refused {
        /// The API address.
        api: String,
        /// The HTTP status.
        status: u16,
    },
}

/// Reports `diagnostic` to the Runtime API named by `AWS_LAMBDA_RUNTIME_API`.
///
/// # Errors
///
/// [`InitErrorReportError::NoRuntimeApi`] outside Lambda, otherwise as
/// [`report_init_error_to`].
pub async fn report_init_error(diagnostic: &Diagnostic) -> Result<(), InitErrorReportError> {
    let api = std::env::var(RUNTIME_API_ENV)
        .ok()
        .filter(|api| !api.trim().is_empty())
        .ok_or(InitErrorReportError::NoRuntimeApi)?;
    report_init_error_to(&api, diagnostic).await
}

/// Reports `diagnostic` to the Runtime API at `api` (`host:port`, as in
/// `AWS_LAMBDA_RUNTIME_API`).
///
/// # Errors
///
/// [`InitErrorReportError`] when the request cannot be built or sent, or the
/// API does not answer with a 2xx status (Lambda answers 202).
pub async fn report_init_error_to(
    api: &str,
    diagnostic: &Diagnostic,
) -> Result<(), InitErrorReportError> {
    let endpoint = http::Uri::try_from(api.trim())
        .map_err(|e| InitErrorReportError::Request(format!("`{api}` is not host:port: {e}")))?;
    if endpoint.authority().is_none() {
        return Err(InitErrorReportError::Request(format!(
            "`{api}` is not host:port"
        )));
    }
    let body =
        serde_json::to_vec(diagnostic).map_err(|e| InitErrorReportError::Request(e.to_string()))?;
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(INIT_ERROR_PATH)
        .header(ERROR_TYPE_HEADER, diagnostic.error_type.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .map_err(|e| InitErrorReportError::Request(e.to_string()))?;
    let client = PooledClient::builder().with_endpoint(endpoint).build();
    let response = client
        .call(request)
        .await
        .map_err(|e| InitErrorReportError::Unreachable {
            api: api.to_owned(),
            reason: e.to_string(),
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(InitErrorReportError::Refused {
            api: api.to_owned(),
            status: status.as_u16(),
        })
    }
}

/// Reports `error` as a failed cold start of type `error_type` (one of
/// [`crate::diagnostic`]'s) to the Runtime API (when running in Lambda; a
/// report that fails is logged as a warning), and hands it back to be returned from `main`, which then exits
/// non-zero: what [`run`](crate::run) and the notifiers' `run` do with a
/// configuration error.
pub async fn fail_init<E: std::error::Error>(error: E, error_type: &str) -> E {
    let diagnostic = Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    };
    match report_init_error(&diagnostic).await {
        Ok(()) | Err(InitErrorReportError::NoRuntimeApi) => {}
        Err(report) => {
            tracing::warn!(error = %report, "could not report the init error to Lambda");
        }
    }
    error
}
