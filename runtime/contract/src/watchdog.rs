//! The missed-run watchdog contract: the configuration a stack gives its
//! watchdog function, and the finding the watchdog publishes to the ops topic.
//!
//! | variable | holds |
//! |---|---|
//! | `CLOUDCRON_WATCHDOG` ([`WATCHDOG_CONFIG_ENV`]) | a [`WatchdogConfig`] as JSON: the watchdog's own schedule, the look-back window, and the watched jobs |
//! | the variable named by [`WatchdogConfig::ops_topic_env`] (e.g. `SNS_TOPIC_ARN_OPS`) | the ARN of the topic findings go to |
//!
//! The watchdog runs on its own schedule (e.g. `rate(15 minutes)`). Each run,
//! identified by its scheduled time `now`, judges the expected fire times `t`
//! of every watched job with `previous - settle - grace < t <= now - settle - grace`,
//! where `previous` is the scheduled time of the watchdog's previous run,
//! derived from its schedule (not from stored state). These windows tile the
//! time line, so every expected run is judged exactly once, by the first
//! watchdog run after its grace period ended; each finding also carries a
//! stable [`WatchdogFinding::id`] ([`finding_id`]) for consumers that see a
//! retry.
//!
//! ```
//! use cloud_cron_contract::watchdog::{WatchdogConfig, FindingKind};
//! let json = r#"{
//!   "version": 1,
//!   "opsTopicEnv": "SNS_TOPIC_ARN_OPS",
//!   "schedule": { "expression": "rate(15 minutes)" },
//!   "lookbackSeconds": 7200,
//!   "jobs": [{
//!     "path": "Jobs/NightlySync",
//!     "functionName": "app-NightlySync-1A2B3C",
//!     "expression": "cron(0 9 ? * MON-FRI *)",
//!     "timeZone": "Europe/London",
//!     "graceSeconds": 900
//!   }]
//! }"#;
//! let config: WatchdogConfig = serde_json::from_str(json).unwrap();
//! assert_eq!(config.settle_seconds, 180);
//! assert_eq!(config.jobs[0].late_after_seconds, None);
//! assert_eq!(FindingKind::Missed.as_str(), "missed");
//! ```

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// The variable holding the watchdog's [`WatchdogConfig`] as JSON.
pub const WATCHDOG_CONFIG_ENV: &str = "CLOUDCRON_WATCHDOG";

/// The version of the configuration shape.
pub const WATCHDOG_CONFIG_VERSION: u32 = 1;

/// The version of the [`WatchdogFinding`] shape.
pub const WATCHDOG_FINDING_VERSION: u32 = 1;

/// The default of [`WatchdogConfig::settle_seconds`]: Lambda's metrics reach
/// CloudWatch a minute or two after the invocation.
pub const DEFAULT_SETTLE_SECONDS: u32 = 180;

/// The default of [`WatchedJob::late_after_seconds`].
pub const DEFAULT_LATE_AFTER_SECONDS: u32 = 300;

fn default_settle_seconds() -> u32 {
    DEFAULT_SETTLE_SECONDS
}

/// What the watchdog watches and where it reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WatchdogConfig {
    /// The shape's version, [`WATCHDOG_CONFIG_VERSION`].
    pub version: u32,
    /// The name of the environment variable that holds the ops topic's ARN.
    pub ops_topic_env: String,
    /// The watchdog's own schedule: each run derives the previous run's
    /// scheduled time from it. `rate(..)` or `cron(..)`, without a flexible
    /// window.
    pub schedule: WatchdogSchedule,
    /// How far back metrics are read, in seconds. Must cover one watchdog
    /// interval plus the longest grace plus [`settle_seconds`](Self::settle_seconds),
    /// or some expected runs would never be judged (the watchdog fails loudly then).
    pub lookback_seconds: u32,
    /// How long after an instant its metrics are trusted to be complete, in
    /// seconds (default [`DEFAULT_SETTLE_SECONDS`]).
    #[serde(default = "default_settle_seconds")]
    pub settle_seconds: u32,
    /// The jobs to check.
    pub jobs: Vec<WatchedJob>,
}

/// The watchdog's own schedule expression (UTC when no zone is given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WatchdogSchedule {
    /// `rate(15 minutes)` or a `cron(..)` expression.
    pub expression: String,
    /// The IANA zone of a cron expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// One scheduled function whose runs the watchdog checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WatchedJob {
    /// The construct path of the job, e.g. `Jobs/NightlySync`.
    pub path: String,
    /// The Lambda function's name (the `FunctionName` metric dimension).
    pub function_name: String,
    /// The job's name, for a `.job(name, ..)` schedule of a function that
    /// runs several: its runs are then counted from the run metrics the
    /// runtime emits per job ([`crate::run_metrics`]: `CloudCron`
    /// `RunSucceeded`/`RunFailed`, dimensions `FunctionName` and `Job`)
    /// instead of the function's own `AWS/Lambda` metrics, which cannot tell
    /// jobs apart. `expectedDurationSeconds` is not checked for a job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The schedule expression: `rate(..)`, `cron(..)` or `at(..)`.
    pub expression: String,
    /// The schedule's IANA zone (UTC when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The schedule's start date, RFC 3339. Required for `rate(..)`: a rate's
    /// fire times count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// The schedule's end date, RFC 3339: no run is expected at or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// How long after its fire time a run may first show up in the metrics,
    /// in seconds (at least 60: metrics have one-minute resolution). Covers the
    /// flexible window, Scheduler retries and Lambda's retries of a failed run.
    pub grace_seconds: u32,
    /// A run whose first invocation starts more than this many seconds after
    /// its fire time (but within the grace) is reported `late` (default
    /// [`DEFAULT_LATE_AFTER_SECONDS`]; the construct sets it to the flexible
    /// window plus that default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_after_seconds: Option<u32>,
    /// A run whose longest invocation (`Duration` maximum) exceeds this many
    /// seconds is reported `overran`; no check when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_duration_seconds: Option<u32>,
}

impl WatchedJob {
    /// The lateness threshold in seconds, default applied.
    pub fn late_after(&self) -> u32 {
        self.late_after_seconds
            .unwrap_or(DEFAULT_LATE_AFTER_SECONDS)
    }
}

/// What the watchdog found wrong with one expected run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    /// No invocation within the grace period.
    Missed,
    /// Invoked, but it ended in errors with no success after the last one
    /// before the grace period ended.
    Failed,
    /// First invoked after the lateness threshold, within the grace period.
    Late,
    /// Its longest invocation ran longer than the expected duration.
    Overran,
}

impl FindingKind {
    /// The kind as it appears in JSON: `missed`, `failed`, `late`, `overran`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Missed => "missed",
            FindingKind::Failed => "failed",
            FindingKind::Late => "late",
            FindingKind::Overran => "overran",
        }
    }
}

/// The message the watchdog publishes for each problem, as the SNS message
/// body (the subject says the same in one line, e.g.
/// `Missed run: Jobs/NightlySync at 2027-03-29 09:00 BST`). Its JSON Schema is
/// committed as `runtime/contract/schema/watchdog-finding.v1.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    schemars(title = "cloud-cron watchdog finding, version 1")
)]
pub struct WatchdogFinding {
    /// The shape's version: 1.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1)))]
    pub version: u32,
    /// Stable id of this finding: lower-case hex SHA-256 of job path, function,
    /// expected time (UTC) and kind, joined by newlines ([`finding_id`]).
    /// Every watchdog retry derives the same id.
    pub id: String,
    /// What happened.
    pub kind: FindingKind,
    /// The job's construct path.
    pub job: String,
    /// The Lambda function's name.
    pub function: String,
    /// The job's schedule expression.
    pub expression: String,
    /// The schedule's zone (`UTC` when it has none).
    pub time_zone: String,
    /// The expected fire time, RFC 3339 UTC (`2027-03-29T08:00:00Z`).
    pub expected_utc: String,
    /// The expected fire time in the schedule's zone (`2027-03-29T09:00:00+01:00`).
    pub expected_local: String,
    /// The start of the minute of the first invocation attributed to the run,
    /// RFC 3339 UTC; absent for `missed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_utc: Option<String>,
    /// The same in the schedule's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_local: Option<String>,
    /// A sentence on what was seen and what to check.
    pub detail: String,
    /// The function's monitoring page in the AWS console.
    pub console_url: String,
    /// The scheduled time of the watchdog run that reported it, RFC 3339 UTC.
    pub checked_at: String,
}

/// The id of a finding: the lower-case hex SHA-256 of job path, function
/// name, expected time (RFC 3339 UTC, `Z`) and kind, joined by newlines.
///
/// ```
/// use cloud_cron_contract::watchdog::{finding_id, FindingKind};
/// let a = finding_id("Jobs/Sync", "fn", "2027-03-29T08:00:00Z", FindingKind::Missed);
/// assert_eq!(a.len(), 64);
/// assert_ne!(a, finding_id("Jobs/Sync", "fn", "2027-03-29T08:00:00Z", FindingKind::Late));
/// ```
pub fn finding_id(job: &str, function: &str, expected_utc: &str, kind: FindingKind) -> String {
    crate::sha256_hex(&format!(
        "{job}\n{function}\n{expected_utc}\n{}",
        kind.as_str()
    ))
}

/// The JSON Schema of [`WatchdogFinding`], as committed in
/// `runtime/contract/schema/watchdog-finding.v1.schema.json` (feature `schema`).
#[cfg(feature = "schema")]
pub fn finding_schema_json() -> String {
    let schema = schemars::schema_for!(WatchdogFinding);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "schema")]
    #[test]
    fn the_committed_finding_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/watchdog-finding.v1.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if std::env::var_os("CLOUDCRON_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, finding_schema_json()).expect("write schema");
            return;
        }
        assert_eq!(
            committed,
            finding_schema_json(),
            "runtime/contract/schema/watchdog-finding.v1.schema.json is stale: rerun with CLOUDCRON_UPDATE_SCHEMA=1 and review the diff"
        );
    }

    #[test]
    fn config_round_trips_and_rejects_unknown_fields() {
        let config = WatchdogConfig {
            version: WATCHDOG_CONFIG_VERSION,
            ops_topic_env: "SNS_TOPIC_ARN_OPS".into(),
            schedule: WatchdogSchedule {
                expression: "rate(15 minutes)".into(),
                time_zone: None,
            },
            lookback_seconds: 7200,
            settle_seconds: 60,
            jobs: vec![WatchedJob {
                path: "Jobs/Report".into(),
                function_name: "report".into(),
                job: None,
                expression: "rate(1 hour)".into(),
                time_zone: None,
                start_date: Some("2027-01-01T00:00:00Z".into()),
                end_date: None,
                grace_seconds: 600,
                late_after_seconds: Some(120),
                expected_duration_seconds: Some(30),
            }],
        };
        let json = serde_json::to_string(&config).expect("serializes");
        assert!(json.contains(r#""functionName":"report""#), "{json}");
        assert!(
            !json.contains("timeZone"),
            "absent zones are left out: {json}"
        );
        let back: WatchdogConfig = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, config);
        let typo = json.replace("graceSeconds", "graceSecs");
        assert!(serde_json::from_str::<WatchdogConfig>(&typo).is_err());
    }

    #[test]
    fn finding_ids_follow_the_documented_rule() {
        // sha256("J\nf\n2027-03-29T08:00:00Z\nmissed"), computed with Python's hashlib
        assert_eq!(
            finding_id("J", "f", "2027-03-29T08:00:00Z", FindingKind::Missed),
            "cf49a4c852371926a365c1522829168c8280edc720fe18198f9bb449f96bc3b5"
        );
    }

    #[test]
    fn kinds_serialize_as_documented() {
        for kind in [
            FindingKind::Missed,
            FindingKind::Failed,
            FindingKind::Late,
            FindingKind::Overran,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).expect("serializes"),
                format!("\"{}\"", kind.as_str())
            );
        }
    }
}
