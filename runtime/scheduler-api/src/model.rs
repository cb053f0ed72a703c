//! Owns the request and response bodies of the HTTP API and the limits their
//! fields are held to. Their JSON Schemas (schemars) are what the OpenAPI
//! document publishes; [`crate::validate`] enforces the same limits, and a
//! test keeps the two in step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 256;
/// Longest time zone name, in characters (IANA names are at most 32).
pub const MAX_TIME_ZONE_CHARS: usize = 64;
/// The shape of `at`: a local date-time without offset.
pub const AT_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$";
/// What a key may not contain: control characters.
pub const KEY_PATTERN: &str = r"^[^\u0000-\u001F\u007F]+$";
/// Schedules per page of `GET /schedules` when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 25;
/// Most schedules per page (the Scheduler's `ListSchedules` maximum).
pub const MAX_LIMIT: usize = 100;

/// `POST /schedules`: deliver `payload` once, at local time `at` in `timeZone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateScheduleRequest {
    /// Your name for the schedule, unique within your tenant (any text
    /// without control characters); `/schedules/{key}` addresses it.
    #[schemars(length(min = 1, max = MAX_KEY_CHARS), pattern(KEY_PATTERN))]
    pub key: String,
    /// The local date-time it fires, `yyyy-mm-ddThh:mm:ss`, read in `timeZone`.
    #[schemars(pattern(AT_PATTERN))]
    pub at: String,
    /// The IANA time zone `at` is read in, e.g. `Europe/London` (case-sensitive).
    #[schemars(length(min = 1, max = MAX_TIME_ZONE_CHARS))]
    pub time_zone: String,
    /// Any JSON: what the target receives as `payload`.
    pub payload: Value,
}

/// `PUT /schedules/{key}`: move an existing schedule (and replace its payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RescheduleRequest {
    /// The new local date-time, `yyyy-mm-ddThh:mm:ss`, read in `timeZone`.
    #[schemars(pattern(AT_PATTERN))]
    pub at: String,
    /// The IANA time zone `at` is read in.
    #[schemars(length(min = 1, max = MAX_TIME_ZONE_CHARS))]
    pub time_zone: String,
    /// Any JSON: the payload from now on.
    pub payload: Value,
}

/// A one-off schedule of the caller's tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// The key it was created under.
    pub key: String,
    /// The local date-time it fires, `yyyy-mm-ddThh:mm:ss`.
    pub at: String,
    /// The IANA time zone of `at`.
    pub time_zone: String,
    /// The instant it fires, RFC 3339 UTC (absent if the zone is unknown to
    /// this service's time zone database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fires_at: Option<String>,
    /// The payload the target receives.
    pub payload: Value,
}

/// A page of `GET /schedules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleList {
    /// The schedules on this page (at most `limit`; a page may hold fewer
    /// while more follow).
    pub schedules: Vec<Schedule>,
    /// Pass as `nextToken` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// What is wrong, and what to do about it.
    pub error: String,
    /// The request field at fault (`key`, `at`, `timeZone`, `payload`,
    /// `limit`, `nextToken`, `body`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
