//! Owns [`ApiError`]: every failure the API answers with, its HTTP status
//! and its JSON problem body (`{"error", "field"}`), including how scheduler
//! errors map onto statuses. Client errors explain themselves; server errors
//! say only that something failed (the details go to the log, never to the
//! caller, since they may name the account, group or role).

use cloud_cron_scheduler::SchedulerError;

use crate::model::Problem;

/// A failed request: the status and the problem body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {}", problem.error)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub problem: Problem,
    /// Seconds for a `Retry-After` header (throttling, unavailability).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// A failure with `status`, the text `error` and no field.
    pub fn new(status: u16, error: impl Into<String>) -> ApiError {
        ApiError {
            status,
            problem: Problem {
                error: error.into(),
                field: None,
            },
            retry_after: None,
        }
    }

    /// 400: `field` of the request is wrong.
    pub fn invalid(field: &str, error: impl Into<String>) -> ApiError {
        ApiError::new(400, error).with_field(field)
    }

    /// Names the request field at fault.
    pub fn with_field(mut self, field: &str) -> ApiError {
        self.problem.field = Some(field.to_owned());
        self
    }

    /// 404 for the caller's `key`.
    pub fn not_found(key: &str) -> ApiError {
        ApiError::new(
            404,
            format!("there is no schedule `{key}` (never created, cancelled, or already fired)"),
        )
        .with_field("key")
    }

    /// A 500 that tells the caller nothing internal.
    pub fn internal() -> ApiError {
        ApiError::new(
            500,
            "the schedule service failed; the error is logged with this request's id",
        )
    }

    /// Maps a scheduler error for the caller's `key` (the key without its
    /// tenant namespace, so messages never show another form of it).
    pub fn from_scheduler(key: &str, error: &SchedulerError) -> ApiError {
        match error {
            SchedulerError::UnknownTimeZone { time_zone } => ApiError::invalid(
                "timeZone",
                format!("unknown time zone `{time_zone}`: use an IANA name such as `Europe/London` or `UTC` (names are case-sensitive)"),
            ),
            SchedulerError::NonexistentLocalTime { .. } | SchedulerError::InThePast { .. } => {
                ApiError::invalid("at", error.to_string())
            }
            SchedulerError::Payload { source, .. } => {
                ApiError::invalid("payload", format!("the payload cannot be serialized: {source}"))
            }
            SchedulerError::InputTooLarge { actual, max, .. } => ApiError::new(
                413,
                format!("the payload makes a {actual}-byte schedule input, over the maximum of {max} bytes: store the data elsewhere (S3, DynamoDB) and schedule a reference to it"),
            )
            .with_field("payload"),
            SchedulerError::AlreadyScheduled { .. } => ApiError::new(
                409,
                format!("`{key}` is already scheduled with a different time or payload: PUT /schedules/{{key}} to change it, or DELETE it first"),
            )
            .with_field("key"),
            SchedulerError::NotScheduled { .. } => ApiError::not_found(key),
            SchedulerError::Throttled { .. } => ApiError {
                retry_after: Some(1),
                ..ApiError::new(429, "too many schedule requests: retry later, more slowly")
            },
            SchedulerError::Unavailable { .. } => ApiError {
                retry_after: Some(5),
                ..ApiError::new(503, "the schedule service is unavailable: retry later")
            },
            SchedulerError::QuotaExceeded { .. } => ApiError::new(
                503,
                "the schedule service has reached its quota: cancel schedules you no longer need, or ask the operator for more",
            ),
            SchedulerError::MissingVariable { .. }
            | SchedulerError::InvalidVariable { .. }
            | SchedulerError::Rejected { .. }
            | SchedulerError::Foreign { .. } => ApiError::internal(),
        }
    }
}
