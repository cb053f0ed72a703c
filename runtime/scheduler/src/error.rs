//! Owns [`SchedulerError`]: everything a one-off schedule operation can fail
//! with, split into what the caller got wrong (validation), what the service
//! refused for good, and what may pass on a later attempt
//! ([`SchedulerError::is_transient`]).

use chrono::{DateTime, NaiveDateTime, Utc};

/// Why a one-off schedule operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// A required environment variable is not set (or empty).
    #[error("environment variable {name} is not set: it must hold {what}")]
    MissingVariable {
        /// The variable's name.
        name: &'static str,
        /// What it must hold.
        what: &'static str,
    },
    /// An environment variable holds something unusable.
    #[error("environment variable {name} is `{value}`: {problem}")]
    InvalidVariable {
        /// The variable's name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it and what it must be.
        problem: String,
    },
    /// The time zone is not an IANA zone name.
    #[error("unknown time zone `{time_zone}`: use an IANA name such as `Europe/London` or `UTC` (names are case-sensitive)")]
    UnknownTimeZone {
        /// The name as given.
        time_zone: String,
    },
    /// The local time falls into a daylight-saving gap and never happens.
    #[error("{at} does not exist in {time_zone} (the clocks skip it for daylight saving): pick a time outside the gap, e.g. an hour later")]
    NonexistentLocalTime {
        /// The local time asked for.
        at: NaiveDateTime,
        /// The zone.
        time_zone: String,
    },
    /// The time is not in the future.
    #[error("{at} in {time_zone} ({instant}) is not in the future (now: {now}): a one-off schedule must fire after it is created")]
    InThePast {
        /// The local time asked for.
        at: NaiveDateTime,
        /// The zone.
        time_zone: String,
        /// The instant it maps to.
        instant: DateTime<Utc>,
        /// The clock's time.
        now: DateTime<Utc>,
    },
    /// The payload could not be serialized to JSON.
    #[error("the payload for key `{key}` cannot be serialized to JSON: {source}")]
    Payload {
        /// The caller's key.
        key: String,
        /// serde_json's error.
        source: serde_json::Error,
    },
    /// The schedule's input (payload in its envelope) is over the size limit.
    #[error("the input for key `{key}` is {actual} bytes, over the maximum of {max} bytes: store the data elsewhere (S3, DynamoDB) and schedule a reference to it")]
    InputTooLarge {
        /// The caller's key.
        key: String,
        /// The input's size in bytes (UTF-8).
        actual: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The key is already scheduled with a different payload or time.
    #[error("key `{key}` is already scheduled (schedule `{name}`) with a different payload or time: use reschedule to change it, or cancel it first")]
    AlreadyScheduled {
        /// The caller's key.
        key: String,
        /// The schedule's name.
        name: String,
    },
    /// There is no schedule for the key.
    #[error("key `{key}` has no schedule (schedule `{name}` does not exist, or has already fired and been deleted)")]
    NotScheduled {
        /// The caller's key.
        key: String,
        /// The schedule name it maps to.
        name: String,
    },
    /// The service kept throttling the request through every attempt.
    #[error("{operation} was throttled {attempts} times in a row ({message}): slow down, or ask for a higher request-rate quota")]
    Throttled {
        /// The API operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The last error's text.
        message: String,
    },
    /// A service quota (e.g. the number of schedules) is exhausted; retrying
    /// does not help.
    #[error("{operation} exceeded a service quota ({message}): delete schedules or request a quota increase")]
    QuotaExceeded {
        /// The API operation.
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// The service failed or could not be reached through every attempt.
    #[error("{operation} failed {attempts} times ({message}): the service or the network is having trouble; a later attempt may succeed")]
    Unavailable {
        /// The API operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The last error's text.
        message: String,
    },
    /// The service rejected the request (validation, access, missing group...).
    #[error("{operation} was rejected: {code}: {message}")]
    Rejected {
        /// The API operation.
        operation: &'static str,
        /// The service's error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// A schedule exists under the key's name but is not one of ours.
    #[error("schedule `{name}` cannot be read as a one-off schedule: {problem}")]
    Foreign {
        /// The schedule's name.
        name: String,
        /// What did not fit.
        problem: String,
    },
}

impl SchedulerError {
    /// Whether the same call may succeed later unchanged: throttling and
    /// service or network trouble. Validation errors, conflicts, rejections and
    /// exhausted quotas are permanent.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SchedulerError::Throttled { .. } | SchedulerError::Unavailable { .. }
        )
    }
}

/// This crate's results.
pub type Result<T, E = SchedulerError> = std::result::Result<T, E>;
