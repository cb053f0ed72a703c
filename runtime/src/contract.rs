//! The contract between the templates `cfn-gen` writes and the code that runs in them.
//!
//! One definition, compiled into both sides: the names of the environment
//! variables that carry topic ARNs, and the JSON the EventBridge Scheduler
//! passes to a scheduled function. It depends on serde only, so `cfn-gen`
//! can use it without pulling in an async runtime or the AWS SDK.

use serde::{Deserialize, Serialize};

/// Prefix of the variables that carry topic ARNs: `SNS_TOPIC_ARN_<KEY>`.
pub const TOPIC_ARN_ENV_PREFIX: &str = "SNS_TOPIC_ARN_";

/// The `source` field of every scheduler input cloud-cron writes.
pub const SCHEDULER_INPUT_SOURCE: &str = "cloud-cron.scheduler";

/// The version of the scheduler input shape.
pub const SCHEDULER_INPUT_VERSION: u32 = 1;

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
/// use cloud_cron_runtime::contract::topic_env_var;
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
/// The template carries [`SchedulerInput::template`], whose fields hold the
/// Scheduler's context attributes; the Scheduler substitutes them on every
/// invocation. `schedule_arn` + `scheduled_time` identify one scheduled run
/// across retries, which is what idempotency keys derive from;
/// `execution_id` changes on every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchedulerInput {
    /// Always [`SCHEDULER_INPUT_SOURCE`].
    pub source: String,
    /// The shape's version, [`SCHEDULER_INPUT_VERSION`].
    pub version: u32,
    /// The schedule's ARN.
    pub schedule_arn: String,
    /// The scheduled time, RFC 3339 in UTC (e.g. `2026-11-28T09:00:00Z`).
    pub scheduled_time: String,
    /// The attempt's unique id.
    pub execution_id: String,
    /// The attempt number as text (`"1"` on the first attempt).
    pub attempt_number: String,
}

impl SchedulerInput {
    /// The input written into templates, with context attribute placeholders.
    pub fn template() -> SchedulerInput {
        SchedulerInput {
            source: SCHEDULER_INPUT_SOURCE.to_owned(),
            version: SCHEDULER_INPUT_VERSION,
            schedule_arn: context::SCHEDULE_ARN.to_owned(),
            scheduled_time: context::SCHEDULED_TIME.to_owned(),
            execution_id: context::EXECUTION_ID.to_owned(),
            attempt_number: context::ATTEMPT_NUMBER.to_owned(),
        }
    }

    /// The template input as the JSON text the schedule's `Input` holds.
    ///
    /// ```
    /// use cloud_cron_runtime::contract::SchedulerInput;
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
