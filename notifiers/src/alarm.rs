//! Alarm messages: a CloudWatch alarm notification or a missed-run watchdog
//! finding arriving through the ops topic, parsed into the alarm template
//! context ([`AlarmView`], `finding`) and a stand-in [`Envelope`] the
//! channels and the dedup use (id, task).
//!
//! CloudWatch publishes its own JSON to SNS (`AlarmName`, `AlarmDescription`,
//! `AWSAccountId`, `NewStateValue`, `NewStateReason`, `StateChangeTime`,
//! `Region`, `AlarmArn`, `OldStateValue`, `Trigger`). It is read with our own
//! serde types rather than `aws_lambda_events::sns::CloudWatchAlarmPayload`:
//! that type requires every field, `AlarmDescription` as a string (CloudWatch
//! sends `null` for an alarm without one) and every `Trigger` field
//! (composite alarms have no metric), so real notifications would be
//! dead-lettered; and its `sns` feature would add `serde_with` for one type.
//! Here only `AlarmName` and `NewStateValue` are required; the rest is read
//! leniently.
//!
//! What `alarm.task` is: the construct path cloud-cron writes at the start of
//! every alarm description (`Reports/Daily: scheduled task's function
//! reported an error ...`), else the alarm's `FunctionName`, `QueueName` or
//! `ScheduleGroup` dimension, else empty.

use std::collections::BTreeMap;

use cloud_cron_contract::watchdog::{WatchdogFinding, WATCHDOG_FINDING_VERSION};
use cloud_cron_contract::{Envelope, ENVELOPE_VERSION};
use cloud_cron_templates::{AlarmSource, AlarmView};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The characters JavaScript's `encodeURIComponent` leaves alone, which the
/// console expects in an alarm name.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The dimensions that name what an alarm is about, in the order tried.
const TASK_DIMENSIONS: [&str; 3] = ["FunctionName", "QueueName", "ScheduleGroup"];

/// A CloudWatch alarm notification as CloudWatch publishes it to SNS.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudWatchAlarm {
    /// The alarm's name.
    pub alarm_name: String,
    /// Its description (`null` when it has none).
    #[serde(default)]
    pub alarm_description: Option<String>,
    /// The account.
    #[serde(rename = "AWSAccountId", default)]
    pub aws_account_id: Option<String>,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`.
    pub new_state_value: String,
    /// Why.
    #[serde(default)]
    pub new_state_reason: Option<String>,
    /// When (`2026-12-03T09:41:27.123+0000`).
    #[serde(default)]
    pub state_change_time: Option<String>,
    /// The region's display name (`EU (Ireland)`).
    #[serde(default)]
    pub region: Option<String>,
    /// The alarm's ARN (`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:NAME`).
    #[serde(default)]
    pub alarm_arn: Option<String>,
    /// The state before.
    #[serde(default)]
    pub old_state_value: Option<String>,
    /// The metric of a metric alarm (absent for a composite alarm).
    #[serde(default)]
    pub trigger: Option<Trigger>,
}

/// The metric part of a CloudWatch alarm notification.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trigger {
    /// The metric (absent for metric-math alarms).
    #[serde(default)]
    pub metric_name: Option<String>,
    /// Its namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Its dimensions (CloudWatch writes them `{"value": .., "name": ..}`).
    #[serde(default)]
    pub dimensions: Option<Vec<Dimension>>,
}

/// One metric dimension.
#[derive(Debug, Clone, Deserialize)]
pub struct Dimension {
    /// The dimension's name.
    #[serde(alias = "Name")]
    pub name: String,
    /// Its value.
    #[serde(alias = "Value")]
    pub value: String,
}

/// An alarm message, ready to render and deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmMessage {
    /// What the templates see as `alarm`.
    pub alarm: AlarmView,
    /// The finding, for a watchdog message (`finding` in templates).
    pub finding: Option<WatchdogFinding>,
    /// A stand-in envelope for the channels and the dedup: `id` a stable id
    /// of this notification (the same for every copy SNS or SQS delivers),
    /// `task` [`AlarmView::task`] (else the alarm's name), `topic` the source
    /// (`cloudwatch` or `watchdog`), `scheduleArn` the alarm's ARN (or the
    /// function's console link), `scheduledTime` the time of the change,
    /// `payload` the message as received.
    pub envelope: Envelope<Value>,
}

impl AlarmMessage {
    /// Where it came from.
    pub fn source(&self) -> AlarmSource {
        if self.finding.is_some() {
            AlarmSource::Watchdog
        } else {
            AlarmSource::CloudWatch
        }
    }
}

/// Whether `object` looks like a CloudWatch alarm notification.
pub(crate) fn is_cloudwatch_alarm(object: &serde_json::Map<String, Value>) -> bool {
    object.contains_key("AlarmName") && object.contains_key("NewStateValue")
}

/// Whether `object` looks like a watchdog finding.
pub(crate) fn is_watchdog_finding(object: &serde_json::Map<String, Value>) -> bool {
    ["version", "kind", "job", "expectedUtc"]
        .iter()
        .all(|k| object.contains_key(*k))
}

/// Reads a CloudWatch alarm notification (`value`, the parsed body).
///
/// # Errors
///
/// serde's description of the first field that does not fit (names only:
/// serde's messages on a typed struct quote no string content).
pub(crate) fn cloudwatch_alarm(value: Value) -> Result<AlarmMessage, String> {
    let alarm: CloudWatchAlarm =
        serde_json::from_value(value.clone()).map_err(|e| without_values(&e))?;
    let view = alarm_view(&alarm);
    let id = hex_sha256(&format!(
        "cloudwatch\n{}\n{}\n{}",
        alarm.alarm_arn.as_deref().unwrap_or(&alarm.alarm_name),
        alarm.state_change_time.as_deref().unwrap_or_default(),
        alarm.new_state_value
    ));
    let envelope = Envelope {
        cloud_cron: ENVELOPE_VERSION,
        id,
        task: non_empty(&view.task).unwrap_or(&view.name).to_owned(),
        topic: AlarmSource::CloudWatch.as_str().to_owned(),
        schedule_arn: alarm
            .alarm_arn
            .clone()
            .unwrap_or_else(|| view.console_url.clone()),
        scheduled_time: view.time.clone(),
        ordinal: 0,
        payload: value,
    };
    Ok(AlarmMessage {
        alarm: view,
        finding: None,
        envelope,
    })
}

/// Reads a watchdog finding (`value`, the parsed body).
///
/// # Errors
///
/// What does not fit: another version, a missing or mistyped field.
pub(crate) fn watchdog_finding(value: Value) -> Result<AlarmMessage, String> {
    let version = value.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(WATCHDOG_FINDING_VERSION)) {
        return Err(format!(
            "watchdog finding version {} is not supported (this notifier reads version {WATCHDOG_FINDING_VERSION})",
            version.map_or_else(|| "(not a number)".to_owned(), |v| v.to_string())
        ));
    }
    let finding: WatchdogFinding =
        serde_json::from_value(value.clone()).map_err(|e| without_values(&e))?;
    let view = finding_view(&finding);
    let envelope = Envelope {
        cloud_cron: ENVELOPE_VERSION,
        id: finding.id.clone(),
        task: finding.job.clone(),
        topic: AlarmSource::Watchdog.as_str().to_owned(),
        schedule_arn: finding.console_url.clone(),
        scheduled_time: finding.expected_utc.clone(),
        ordinal: 0,
        payload: value,
    };
    Ok(AlarmMessage {
        alarm: view,
        finding: Some(finding),
        envelope,
    })
}

/// The template view of a CloudWatch alarm.
pub fn alarm_view(alarm: &CloudWatchAlarm) -> AlarmView {
    let trigger = alarm.trigger.clone().unwrap_or_default();
    let dimensions: BTreeMap<String, String> = trigger
        .dimensions
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.name, d.value))
        .collect();
    let description = alarm.alarm_description.clone().unwrap_or_default();
    let task = path_in_description(&description)
        .map(str::to_owned)
        .or_else(|| {
            TASK_DIMENSIONS
                .iter()
                .find_map(|name| dimensions.get(*name).cloned())
        })
        .unwrap_or_default();
    let region = alarm
        .alarm_arn
        .as_deref()
        .and_then(|arn| arn.split(':').nth(3))
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| alarm.region.clone().unwrap_or_default());
    let metric = match (&trigger.namespace, &trigger.metric_name) {
        (Some(namespace), Some(name)) => format!("{namespace} {name}"),
        _ => String::new(),
    };
    let state = alarm.new_state_value.clone();
    let subject = non_empty(&task).unwrap_or(&alarm.alarm_name);
    let title = match &trigger.metric_name {
        Some(metric) if !task.is_empty() => format!("{state}: {subject} ({metric})"),
        _ => format!("{state}: {subject}"),
    };
    AlarmView {
        title,
        name: alarm.alarm_name.clone(),
        state,
        previous_state: alarm.old_state_value.clone().unwrap_or_default(),
        reason: alarm.new_state_reason.clone().unwrap_or_default(),
        description,
        task,
        console_url: alarm_console_url(&region, &alarm.alarm_name),
        region,
        account: alarm.aws_account_id.clone().unwrap_or_default(),
        time: alarm.state_change_time.clone().unwrap_or_default(),
        metric,
        dimensions,
    }
}

/// The template view of a watchdog finding.
pub fn finding_view(finding: &WatchdogFinding) -> AlarmView {
    let what = match finding.kind.as_str() {
        "missed" => "Missed run",
        "failed" => "Failed run",
        "late" => "Late run",
        _ => "Overran run",
    };
    let region = finding
        .console_url
        .split_once("region=")
        .map(|(_, rest)| rest.split(['&', '#']).next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    AlarmView {
        title: format!(
            "{what}: {} at {} ({})",
            finding.job, finding.expected_local, finding.time_zone
        ),
        name: format!("{what}: {}", finding.job),
        state: "ALARM".into(),
        previous_state: String::new(),
        reason: finding.detail.clone(),
        description: String::new(),
        task: finding.job.clone(),
        region,
        account: String::new(),
        time: finding.expected_local.clone(),
        console_url: finding.console_url.clone(),
        metric: String::new(),
        dimensions: BTreeMap::from([("FunctionName".to_owned(), finding.function.clone())]),
    }
}

/// The CloudWatch console page of alarm `name` in `region`.
///
/// ```
/// use cloud_cron_notifiers::alarm::alarm_console_url;
/// assert_eq!(
///     alarm_console_url("eu-west-1", "Ops Errors/1"),
///     "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Ops%20Errors%2F1"
/// );
/// ```
pub fn alarm_console_url(region: &str, name: &str) -> String {
    let name = utf8_percent_encode(name, URI_COMPONENT);
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return format!("https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/{name}");
    }
    format!("https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{name}")
}

/// The construct path at the start of a description cloud-cron wrote
/// (`Reports/Daily: ...`): the text before the first `": "`, when it has
/// no whitespace.
fn path_in_description(description: &str) -> Option<&str> {
    let (head, _) = description.split_once(": ")?;
    (!head.is_empty() && !head.chars().any(char::is_whitespace)).then_some(head)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// serde's message without anything quoted from the input: a missing
/// field is named; a mistyped value is described by the type expected.
fn without_values(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("missing field") {
        return text;
    }
    let expected = text
        .split_once(", expected ")
        .map_or("another shape", |(_, rest)| rest);
    format!("a field has a value of the wrong type (expected {expected})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_task_comes_from_the_description_then_the_dimensions() {
        assert_eq!(
            path_in_description("Reports/Daily: a run failed: see logs"),
            Some("Reports/Daily")
        );
        assert_eq!(path_in_description("CPU too high: look"), None);
        assert_eq!(path_in_description("no colon"), None);
        let alarm: CloudWatchAlarm = serde_json::from_value(serde_json::json!({
            "AlarmName": "a", "NewStateValue": "ALARM", "AlarmDescription": null,
            "Trigger": {"MetricName": "Errors", "Namespace": "AWS/Lambda",
                        "Dimensions": [{"value": "my-fn", "name": "FunctionName"}]}
        }))
        .expect("lenient");
        let view = alarm_view(&alarm);
        assert_eq!(view.task, "my-fn");
        assert_eq!(view.title, "ALARM: my-fn (Errors)");
        assert_eq!(view.metric, "AWS/Lambda Errors");
        assert_eq!(view.description, "");
    }

    #[test]
    fn a_composite_alarm_without_trigger_or_arn_still_reads() {
        let alarm: CloudWatchAlarm = serde_json::from_value(serde_json::json!({
            "AlarmName": "composite", "NewStateValue": "OK"
        }))
        .expect("lenient");
        let view = alarm_view(&alarm);
        assert_eq!(view.title, "OK: composite");
        assert_eq!(
            view.console_url,
            "https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/composite"
        );
    }
}
