//! What Lambda reports as a failed invocation's or cold start's `errorType`:
//! one stable name per kind of failure, so metrics filters, alarms and
//! Step Functions `Catch` clauses can tell a failed task from a failed
//! publish or a bad configuration.
//!
//! `lambda_runtime` takes the error type from `From<E> for Diagnostic`; without
//! it the type would be a Rust type path (`alloc::boxed::Box<dyn ...>`).
//!
//! | `errorType` | when |
//! |---|---|
//! | `cloud_cron::TaskFailed` | the task's `run` returned an error or panicked |
//! | `cloud_cron::PublishFailed` | the task's `run` returned a publish error (`?` on [`RunContext::publish`](crate::RunContext::publish) and friends) |
//! | `cloud_cron::InvalidEvent` | the invocation's event is not a scheduler input or manual invoke |
//! | `cloud_cron::IdempotencyFailed` | the idempotency table could not be read or written |
//! | `cloud_cron::RunInProgress` | another attempt of the same run holds the idempotency guard |
//! | `cloud_cron::TaskConfig` | cold start: a topic variable is missing or invalid (reported to the init error endpoint, see [`crate::init_error`]) |
//! | `cloud_cron::NotifierConfig` | cold start of a notifier: its channel, templates or secrets are unusable |
//!
//! ```
//! use cloud_cron_runtime::{diagnostic, RunError};
//! use lambda_runtime::Diagnostic;
//!
//! let failed = RunError::Task("the report service answered 503".into());
//! let diagnostic = Diagnostic::from(failed);
//! assert_eq!(diagnostic.error_type, diagnostic::TASK_FAILED);
//! assert_eq!(diagnostic.error_message, "task failed: the report service answered 503");
//! ```

use lambda_runtime::Diagnostic;

use crate::dispatch::{ConfigError, PublishError};
use crate::task::RunError;

pub use crate::error_type::*;

impl RunError {
    /// The `errorType` Lambda reports for this error (see the module docs).
    pub fn error_type(&self) -> &'static str {
        match self {
            RunError::Event(_) => INVALID_EVENT,
            RunError::Task(source) if source.downcast_ref::<PublishError>().is_some() => {
                PUBLISH_FAILED
            }
            RunError::Task(_) => TASK_FAILED,
            RunError::Idempotency(_) => IDEMPOTENCY_FAILED,
            RunError::InProgressElsewhere { .. } => RUN_IN_PROGRESS,
        }
    }
}

impl From<RunError> for Diagnostic {
    fn from(error: RunError) -> Diagnostic {
        Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error.to_string(),
        }
    }
}

impl From<ConfigError> for Diagnostic {
    fn from(error: ConfigError) -> Diagnostic {
        Diagnostic {
            error_type: TASK_CONFIG.to_owned(),
            error_message: error.to_string(),
        }
    }
}
