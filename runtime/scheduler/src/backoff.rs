//! Owns the client's retry loop: bounded exponential backoff with full jitter
//! for throttling (`ThrottlingException`, HTTP 429) and transient failures
//! (5xx, timeouts, connection errors). `ServiceQuotaExceededException` is
//! permanent and never retried. The SDK's own retries are turned off for this
//! client so that this is the one place that decides.
//!
//! Hand-written rather than the `backoff`/`backon` crates: the loop is a dozen
//! lines and needs to tell three outcomes apart per attempt.

use std::future::Future;
use std::time::Duration;

use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};

use crate::error::SchedulerError;

/// How many times, and how patiently, a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The delay cap of the first retry; it doubles per retry.
    pub base_delay: Duration,
    /// The longest delay between two attempts.
    pub max_delay: Duration,
}

impl Default for Backoff {
    /// 8 attempts, 50 ms doubling to at most 5 s (about 10 s in the worst case).
    fn default() -> Self {
        Backoff {
            max_attempts: 8,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The delay before retry number `retry` (from 0): uniformly random
    /// between zero and `min(max_delay, base_delay * 2^retry)` ("full jitter").
    pub fn delay(&self, retry: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// One attempt's failure, classified.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Throttled: retry after a pause.
    Throttled(String),
    /// Failed on the way or in the service: retry after a pause.
    Transient(String),
    /// Retrying will not help.
    Permanent(SchedulerError),
}

/// Runs `call` until it succeeds, fails permanently, or `backoff.max_attempts`
/// attempts were made.
pub(crate) async fn retrying<T, F, Fut>(
    backoff: &Backoff,
    operation: &'static str,
    mut call: F,
) -> Result<T, SchedulerError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let attempts = backoff.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        let failure = match call().await {
            Ok(value) => return Ok(value),
            Err(Failure::Permanent(error)) => return Err(error),
            Err(failure) => failure,
        };
        if attempt >= attempts {
            return Err(match failure {
                Failure::Throttled(message) => SchedulerError::Throttled {
                    operation,
                    attempts,
                    message,
                },
                Failure::Transient(message) => SchedulerError::Unavailable {
                    operation,
                    attempts,
                    message,
                },
                Failure::Permanent(error) => error,
            });
        }
        let delay = backoff.delay(attempt - 1);
        tracing::debug!(operation, attempt, ?delay, ?failure, "retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// The service's error code, if the request got an error response.
pub(crate) fn error_code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Option<&str> {
    match error {
        SdkError::ServiceError(context) => context.err().code(),
        _ => None,
    }
}

/// Classifies a failed request to `operation`.
pub(crate) fn classify<E>(
    operation: &'static str,
    error: SdkError<E, aws_sdk_scheduler::config::http::HttpResponse>,
) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let text = error_chain(&error);
    match &error {
        SdkError::ServiceError(context) => classify_response(
            operation,
            context.err().code(),
            context.raw().status().as_u16(),
            context.err().message().unwrap_or_default(),
            text,
        ),
        SdkError::ConstructionFailure(_) => Failure::Permanent(SchedulerError::Rejected {
            operation,
            code: "RequestNotBuilt".to_owned(),
            message: text,
        }),
        SdkError::DispatchFailure(dispatch) if dispatch.is_user() => {
            Failure::Permanent(SchedulerError::Rejected {
                operation,
                code: "ConfigurationError".to_owned(),
                message: format!(
                    "{text}: check the AWS configuration (region, credentials, endpoint URL)"
                ),
            })
        }
        _ => Failure::Transient(text),
    }
}

/// Classifies an error response by its code and HTTP status.
fn classify_response(
    operation: &'static str,
    code: Option<&str>,
    status: u16,
    message: &str,
    text: String,
) -> Failure {
    match code {
        Some("ThrottlingException") => Failure::Throttled(text),
        _ if status == 429 => Failure::Throttled(text),
        Some("ServiceQuotaExceededException") => {
            Failure::Permanent(SchedulerError::QuotaExceeded {
                operation,
                message: message.to_owned(),
            })
        }
        Some("InternalServerException") => Failure::Transient(text),
        _ if status >= 500 => Failure::Transient(text),
        _ => Failure::Permanent(SchedulerError::Rejected {
            operation,
            code: code.unwrap_or("UnknownError").to_owned(),
            message: message.to_owned(),
        }),
    }
}

/// An error and its causes, `: `-separated, each once.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick(max_attempts: u32) -> Backoff {
        Backoff {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        }
    }

    #[test]
    fn delays_grow_exponentially_and_stay_bounded() {
        let backoff = Backoff::default();
        for retry in 0..40 {
            let cap = Duration::from_millis(50 * 2u64.saturating_pow(retry)).min(backoff.max_delay);
            for _ in 0..50 {
                assert!(backoff.delay(retry) <= cap);
            }
        }
        // Jitter: delays of one retry differ.
        let delays: std::collections::HashSet<Duration> =
            (0..50).map(|_| backoff.delay(6)).collect();
        assert!(delays.len() > 5);
    }

    #[test]
    fn responses_are_classified_by_code_and_status() {
        let classify = |code: Option<&str>, status| {
            classify_response("CreateSchedule", code, status, "m", "t".to_owned())
        };
        assert!(matches!(
            classify(Some("ThrottlingException"), 400),
            Failure::Throttled(_)
        ));
        assert!(matches!(classify(None, 429), Failure::Throttled(_)));
        assert!(matches!(
            classify(Some("ServiceQuotaExceededException"), 402),
            Failure::Permanent(SchedulerError::QuotaExceeded { .. })
        ));
        assert!(matches!(
            classify(Some("InternalServerException"), 500),
            Failure::Transient(_)
        ));
        assert!(matches!(classify(None, 503), Failure::Transient(_)));
        assert!(matches!(
            classify(Some("ValidationException"), 400),
            Failure::Permanent(SchedulerError::Rejected { ref code, .. }) if code == "ValidationException"
        ));
        assert!(matches!(
            classify(Some("AccessDeniedException"), 403),
            Failure::Permanent(SchedulerError::Rejected { .. })
        ));
    }

    #[tokio::test]
    async fn throttling_is_retried_until_it_passes() {
        let calls = AtomicU32::new(0);
        let value = retrying(&quick(5), "CreateSchedule", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                Err(Failure::Throttled("ThrottlingException".to_owned()))
            } else {
                Ok(7)
            }
        })
        .await
        .expect("passes on the fourth attempt");
        assert_eq!(value, 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn throttling_gives_up_after_the_bound_as_a_transient_error() {
        let calls = AtomicU32::new(0);
        let err = retrying(&quick(3), "CreateSchedule", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Failure::Throttled("rate exceeded".to_owned()))
        })
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(err.is_transient());
        assert!(err.to_string().contains("throttled 3 times"), "{err}");
    }

    #[tokio::test]
    async fn quota_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let err = retrying(&quick(5), "CreateSchedule", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Failure::Permanent(SchedulerError::QuotaExceeded {
                operation: "CreateSchedule",
                message: "schedules per account".to_owned(),
            }))
        })
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(!err.is_transient());
    }
}
