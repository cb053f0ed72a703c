//! The contract between the templates `cfn-gen` writes and the code that runs in them.
//!
//! One definition, compiled into both sides: the names of the environment
//! variables that carry topic ARNs, the JSON the EventBridge Scheduler passes
//! to a scheduled function, the message envelope tasks publish, and how
//! deduplication ids are derived, private ECR image URIs ([`ecr`]) and the
//! `Custom::ImageRepublish` resource's properties ([`image_republish`]). It depends on serde and a dependency-free SHA-256
//! (hmac-sha256) only (schemars with the `schema` feature), so `cfn-gen` can use it without an async runtime or the AWS SDK.

pub mod ecr;
pub mod image_republish;
pub mod notifier;
pub mod one_off;
pub mod run_metrics;
pub mod schedules_api;
pub mod sync;
pub mod task_secret;
pub mod watchdog;
pub mod webhook;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// Prefix of the variables that carry topic ARNs: `SNS_TOPIC_ARN_<KEY>`.
pub const TOPIC_ARN_ENV_PREFIX: &str = "SNS_TOPIC_ARN_";

/// The `source` field of every scheduler input cloud-cron writes.
pub const SCHEDULER_INPUT_SOURCE: &str = "cloud-cron.scheduler";

/// The version of the scheduler input shape: 2 adds a job's name and input
/// (`job`, `input`). A schedule without a job still writes version 1, which
/// reads the same; runtimes accept both.
pub const SCHEDULER_INPUT_VERSION: u32 = 2;

/// The scheduler input version written by schedules that run no job.
pub const SCHEDULER_INPUT_VERSION_NO_JOB: u32 = 1;

/// The longest job name: EventBridge Scheduler's limit on a schedule name.
pub const JOB_NAME_MAX_LEN: usize = 64;

/// What is wrong with a job name, if anything: 1 to [`JOB_NAME_MAX_LEN`]
/// ASCII letters, digits, `-`, `_` and `.` (the characters a schedule name
/// takes), so a job name can be used in a schedule name, a log line and a
/// deduplication id as it is.
///
/// ```
/// use cloud_cron_contract::job_name_problem;
/// assert_eq!(job_name_problem("invoice-reminders"), None);
/// assert!(job_name_problem("month end").is_some());
/// ```
pub fn job_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if name.len() > JOB_NAME_MAX_LEN {
        return Some(format!(
            "it is {} characters long, over the {JOB_NAME_MAX_LEN} a schedule name takes",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!(
            "it contains {bad:?}; only ASCII letters, digits, `-`, `_` and `.` are allowed"
        ));
    }
    None
}

/// EventBridge Scheduler context attributes, substituted into the input on
/// every invocation.
pub mod context {
    /// The schedule's ARN.
    pub const SCHEDULE_ARN: &str = "<aws.scheduler.schedule-arn>";
    /// The time the invocation was scheduled for (not when it ran).
    pub const SCHEDULED_TIME: &str = "<aws.scheduler.scheduled-time>";
    /// Unique per attempt: changes on every retry.
    pub const EXECUTION_ID: &str = "<aws.scheduler.execution-id>";
    /// 1 on the first attempt, counting up on retries.
    pub const ATTEMPT_NUMBER: &str = "<aws.scheduler.attempt-number>";

    /// Whether `value` is (or holds) a context attribute the Scheduler did
    /// not substitute: `<aws.scheduler.` followed by anything.
    pub fn is_placeholder(value: &str) -> bool {
        value.contains("<aws.scheduler.")
    }

    /// `input` with its context attributes substituted, as the Scheduler
    /// does on each delivery to a templated target (Lambda, SNS, SQS, ...):
    /// what a test or a "fire now" tool hands the target.
    ///
    /// ```
    /// use cloud_cron_contract::context;
    /// let input = r#"{"scheduleArn":"<aws.scheduler.schedule-arn>","scheduledTime":"<aws.scheduler.scheduled-time>"}"#;
    /// let delivered = context::substitute(input, "arn:aws:scheduler:us-east-1:123456789012:schedule/g/n", "2027-03-09T14:32:00Z", "e-1", 1);
    /// assert_eq!(delivered, r#"{"scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/g/n","scheduledTime":"2027-03-09T14:32:00Z"}"#);
    /// ```
    pub fn substitute(
        input: &str,
        schedule_arn: &str,
        scheduled_time: &str,
        execution_id: &str,
        attempt: u32,
    ) -> String {
        input
            .replace(SCHEDULE_ARN, schedule_arn)
            .replace(SCHEDULED_TIME, scheduled_time)
            .replace(EXECUTION_ID, execution_id)
            .replace(ATTEMPT_NUMBER, &attempt.to_string())
    }
}

/// The variable that names the idempotency table, when the guard is on.
pub const IDEMPOTENCY_TABLE_ENV: &str = "CLOUDCRON_IDEMPOTENCY_TABLE";

/// The idempotency table's partition key (a string).
pub const IDEMPOTENCY_KEY_ATTRIBUTE: &str = "id";

/// The idempotency table's TTL attribute (epoch seconds).
pub const IDEMPOTENCY_TTL_ATTRIBUTE: &str = "expiresAt";

/// The SNS message attribute that carries the deduplication id on standard
/// topics (FIFO topics use `MessageDeduplicationId` itself).
pub const DEDUP_ID_ATTRIBUTE: &str = "cloudcron.dedup-id";

/// The version of the message envelope.
pub const ENVELOPE_VERSION: u32 = 1;

/// SNS's limit on one message: body and attributes together.
pub const SNS_MAX_MESSAGE_BYTES: usize = 262_144;

/// The deduplication id of the `ordinal`-th message (from 0) a scheduled run
/// publishes to the topic under `topic_key`: the lower-case hex SHA-256 of the
/// four values joined by newlines. `scheduled_time` is RFC 3339 in UTC with
/// second precision and a `Z` (`2026-11-28T09:00:00Z`). Every retry of one
/// scheduled run derives the same ids, so SNS FIFO (and consumers of standard
/// topics) can drop the duplicates.
///
/// ```
/// use cloud_cron_contract::dedup_id;
/// let id = dedup_id("arn:aws:scheduler:us-east-1:123456789012:schedule/default/r", "2026-11-28T09:00:00Z", "alerts", 0);
/// assert_eq!(id.len(), 64);
/// assert_ne!(id, dedup_id("arn:aws:scheduler:us-east-1:123456789012:schedule/default/r", "2026-11-28T09:05:00Z", "alerts", 0));
/// ```
pub fn dedup_id(schedule_arn: &str, scheduled_time: &str, topic_key: &str, ordinal: u32) -> String {
    sha256_hex(&format!(
        "{schedule_arn}\n{scheduled_time}\n{topic_key}\n{ordinal}"
    ))
}

/// The deduplication id of a message published by a run of job `job`: like
/// [`dedup_id`] with the job name between the scheduled time and the topic
/// key (five values joined by newlines). Two jobs of one function that fire
/// at the same instant are two runs, even when invoked by hand (where the
/// schedule ARN is `manual`); a run without a job uses [`dedup_id`].
///
/// ```
/// use cloud_cron_contract::{dedup_id, job_dedup_id};
/// let arn = "manual";
/// let time = "2026-11-28T09:00:00Z";
/// assert_ne!(job_dedup_id(arn, time, "a", "results", 0), job_dedup_id(arn, time, "b", "results", 0));
/// assert_ne!(job_dedup_id(arn, time, "a", "results", 0), dedup_id(arn, time, "results", 0));
/// ```
pub fn job_dedup_id(
    schedule_arn: &str,
    scheduled_time: &str,
    job: &str,
    topic_key: &str,
    ordinal: u32,
) -> String {
    sha256_hex(&format!(
        "{schedule_arn}\n{scheduled_time}\n{job}\n{topic_key}\n{ordinal}"
    ))
}

/// SHA-256 of `text`, as lowercase hex (hmac-sha256, not sha2: the root
/// Cargo.toml says why).
fn sha256_hex(text: &str) -> String {
    hmac_sha256::Hash::hash(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a task publishes: its message (`payload`) wrapped with where it came
/// from. Notification channels, and consumers in any language, read this;
/// its JSON Schema is committed as `runtime/contract/schema/envelope.v1.schema.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    schemars(title = "cloud-cron message envelope, version 1")
)]
pub struct Envelope<T> {
    /// The envelope version: 1.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1)))]
    pub cloud_cron: u32,
    /// The deduplication id: lower-case hex SHA-256 of schedule ARN, scheduled
    /// time, topic key and ordinal, joined by newlines.
    pub id: String,
    /// The task that published it.
    pub task: String,
    /// The topic key it was published under.
    pub topic: String,
    /// The schedule that ran the task (`manual` for a manual invoke).
    pub schedule_arn: String,
    /// The scheduled time of the run, RFC 3339 UTC.
    pub scheduled_time: String,
    /// Its position among the run's messages to this topic, from 0.
    pub ordinal: u32,
    /// The task's message.
    pub payload: T,
}

/// The JSON Schema of the envelope (with any JSON payload), as committed in
/// `runtime/contract/schema/envelope.v1.schema.json` (feature `schema`).
#[cfg(feature = "schema")]
pub fn envelope_schema_json() -> String {
    let schema = schemars::schema_for!(Envelope<serde_json::Value>);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the scheduler input, as committed in
/// `runtime/contract/schema/scheduler-input.v2.schema.json` (feature `schema`).
#[cfg(feature = "schema")]
pub fn scheduler_input_schema_json() -> String {
    let schema = schemars::schema_for!(SchedulerInput);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A topic key is not usable in an environment variable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("topic key `{key}` is invalid: {reason}")]
pub struct InvalidTopicKey {
    /// The key as given.
    pub key: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The environment variable that carries the ARN of the topic published to
/// under `key`: upper case, `-` becomes `_`.
///
/// ```
/// use cloud_cron_contract::topic_env_var;
/// assert_eq!(topic_env_var("daily-report").unwrap(), "SNS_TOPIC_ARN_DAILY_REPORT");
/// assert!(topic_env_var("no spaces").is_err());
/// ```
pub fn topic_env_var(key: &str) -> Result<String, InvalidTopicKey> {
    let invalid = |reason| InvalidTopicKey {
        key: key.to_owned(),
        reason,
    };
    if key.is_empty() {
        return Err(invalid("it is empty"));
    }
    if key.len() > 64 {
        return Err(invalid("it is longer than 64 characters"));
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(invalid(
            "only ASCII letters, digits, `-` and `_` are allowed",
        ));
    }
    Ok(format!(
        "{TOPIC_ARN_ENV_PREFIX}{}",
        key.to_ascii_uppercase().replace('-', "_")
    ))
}

/// What the EventBridge Scheduler passes to a cloud-cron function.
///
/// The template carries [`SchedulerInput::template`] (or
/// [`SchedulerInput::job_template`] for a job), whose fields hold the
/// Scheduler's context attributes; the Scheduler substitutes them on every
/// invocation. `schedule_arn` + `scheduled_time` (+ `job`) identify one
/// scheduled run across retries, which is what idempotency keys derive from;
/// `execution_id` changes on every attempt. Its JSON Schema is committed as
/// `runtime/contract/schema/scheduler-input.v2.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(title = "cloud-cron scheduler input, version 2")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchedulerInput {
    /// Always `cloud-cron.scheduler`.
    pub source: String,
    /// The shape's version: 1 (no job) or 2.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 2)))]
    pub version: u32,
    /// The schedule's ARN.
    pub schedule_arn: String,
    /// The scheduled time, RFC 3339 in UTC (e.g. `2026-11-28T09:00:00Z`).
    pub scheduled_time: String,
    /// The attempt's unique id.
    pub execution_id: String,
    /// The attempt number as text (`"1"` on the first attempt).
    pub attempt_number: String,
    /// The job this schedule runs (version 2): one of the function's
    /// `.job(name, ..)` names; absent when the function runs no jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(r"^[0-9A-Za-z._-]{1,64}$")))]
    pub job: Option<String>,
    /// The job's input, any JSON (version 2), read with `ctx.input::<T>()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
}

impl SchedulerInput {
    /// The input written into templates, with context attribute placeholders.
    pub fn template() -> SchedulerInput {
        SchedulerInput {
            source: SCHEDULER_INPUT_SOURCE.to_owned(),
            version: SCHEDULER_INPUT_VERSION_NO_JOB,
            schedule_arn: context::SCHEDULE_ARN.to_owned(),
            scheduled_time: context::SCHEDULED_TIME.to_owned(),
            execution_id: context::EXECUTION_ID.to_owned(),
            attempt_number: context::ATTEMPT_NUMBER.to_owned(),
            job: None,
            input: None,
        }
    }

    /// The input written into the schedule of job `job`, carrying `input`.
    pub fn job_template(job: &str, input: serde_json::Value) -> SchedulerInput {
        SchedulerInput {
            version: SCHEDULER_INPUT_VERSION,
            job: Some(job.to_owned()),
            input: Some(input),
            ..SchedulerInput::template()
        }
    }

    /// [`SchedulerInput::job_template`] as the JSON text the schedule's
    /// `Input` holds.
    ///
    /// ```
    /// use cloud_cron_contract::SchedulerInput;
    /// let text = SchedulerInput::job_template_json("close", serde_json::json!({"month": "last"}));
    /// assert!(text.contains(r#""version":2"#) && text.contains(r#""job":"close""#));
    /// ```
    pub fn job_template_json(job: &str, input: serde_json::Value) -> String {
        // Strings, an integer and a JSON value always serialize.
        serde_json::to_string(&SchedulerInput::job_template(job, input)).unwrap_or_default()
    }

    /// The template input as the JSON text the schedule's `Input` holds.
    ///
    /// ```
    /// use cloud_cron_contract::SchedulerInput;
    /// assert!(SchedulerInput::template_json().contains("<aws.scheduler.scheduled-time>"));
    /// ```
    pub fn template_json() -> String {
        // A struct of strings and an integer always serializes.
        serde_json::to_string(&SchedulerInput::template()).unwrap_or_default()
    }

    /// The attempt number, when the Scheduler substituted a number.
    pub fn attempt(&self) -> Option<u32> {
        self.attempt_number.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_json_is_stable() {
        assert_eq!(
            SchedulerInput::template_json(),
            r#"{"source":"cloud-cron.scheduler","version":1,"scheduleArn":"<aws.scheduler.schedule-arn>","scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>","attemptNumber":"<aws.scheduler.attempt-number>"}"#
        );
    }

    #[test]
    fn substituted_input_parses() {
        let substituted = SchedulerInput::template_json()
            .replace(
                context::SCHEDULE_ARN,
                "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
            )
            .replace(context::SCHEDULED_TIME, "2026-11-28T09:00:00Z")
            .replace(
                context::EXECUTION_ID,
                "d5b1c7d2-3a5e-4b4e-9f8c-1f1e2d3c4b5a",
            )
            .replace(context::ATTEMPT_NUMBER, "2");
        let input: SchedulerInput = serde_json::from_str(&substituted).expect("parses");
        assert_eq!(input.scheduled_time, "2026-11-28T09:00:00Z");
        assert_eq!(input.attempt(), Some(2));
    }

    #[test]
    fn dedup_ids_follow_the_documented_rule() {
        // sha256("arn\n2026-11-28T09:00:00Z\nalerts\n0"), computed with Python's hashlib
        assert_eq!(
            dedup_id("arn", "2026-11-28T09:00:00Z", "alerts", 0),
            "220c28aeffd7fef89796c0ad8a97cd4eb57030e4eb81165bc265fb57979d6a7f"
        );
        let ids: std::collections::BTreeSet<String> = (0..4)
            .map(|ordinal| dedup_id("arn", "2026-11-28T09:00:00Z", "alerts", ordinal))
            .chain([dedup_id("arn", "2026-11-28T09:00:00Z", "reports", 0)])
            .collect();
        assert_eq!(ids.len(), 5, "ordinal and topic key change the id");
    }

    #[cfg(feature = "schema")]
    #[test]
    fn the_committed_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/envelope.v1.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if std::env::var_os("CLOUDCRON_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, envelope_schema_json()).expect("write schema");
            return;
        }
        assert_eq!(
            committed,
            envelope_schema_json(),
            "runtime/contract/schema/envelope.v1.schema.json is stale: rerun with CLOUDCRON_UPDATE_SCHEMA=1 and review the diff"
        );
    }

    #[test]
    fn job_template_json_is_stable() {
        assert_eq!(
            SchedulerInput::job_template_json("close", serde_json::json!({"a": [1]})),
            r#"{"source":"cloud-cron.scheduler","version":2,"scheduleArn":"<aws.scheduler.schedule-arn>","scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>","attemptNumber":"<aws.scheduler.attempt-number>","job":"close","input":{"a":[1]}}"#
        );
    }

    #[test]
    fn job_dedup_ids_follow_the_documented_rule() {
        // sha256("arn\n2026-11-28T09:00:00Z\nclose\nalerts\n0"), computed with Python's hashlib
        assert_eq!(
            job_dedup_id("arn", "2026-11-28T09:00:00Z", "close", "alerts", 0),
            "6f9a7980a30bc635ddbc6358680306aeb8dbdb8417cd07d9a9631e51a6e7e49c"
        );
    }

    #[test]
    fn job_names_follow_the_schedule_name_alphabet() {
        for ok in ["a", "month-end_close.v2", &"x".repeat(64)] {
            assert_eq!(job_name_problem(ok), None, "{ok}");
        }
        assert!(job_name_problem("").unwrap_or_default().contains("empty"));
        assert!(job_name_problem(&"x".repeat(65))
            .unwrap_or_default()
            .contains("65 characters"));
        assert!(job_name_problem("a/b").unwrap_or_default().contains("'/'"));
        assert!(job_name_problem("a\nb")
            .unwrap_or_default()
            .contains("'\\n'"));
    }

    #[cfg(feature = "schema")]
    #[test]
    fn the_committed_scheduler_input_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/scheduler-input.v2.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if std::env::var_os("CLOUDCRON_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, scheduler_input_schema_json()).expect("write schema");
            return;
        }
        assert_eq!(
            committed,
            scheduler_input_schema_json(),
            "runtime/contract/schema/scheduler-input.v2.schema.json is stale: rerun with CLOUDCRON_UPDATE_SCHEMA=1 and review the diff"
        );
    }

    #[test]
    fn topic_keys_map_to_variables() {
        assert_eq!(topic_env_var("alerts").unwrap(), "SNS_TOPIC_ARN_ALERTS");
        assert_eq!(
            topic_env_var("Daily_report-2").unwrap(),
            "SNS_TOPIC_ARN_DAILY_REPORT_2"
        );
        assert!(topic_env_var("").unwrap_err().to_string().contains("empty"));
        assert!(topic_env_var("a.b")
            .unwrap_err()
            .to_string()
            .contains("`a.b`"));
    }
}
