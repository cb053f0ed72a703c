//! The template context of alarm messages: a CloudWatch alarm notification
//! or a missed-run watchdog finding, as the notifier parsed it. Templates for
//! alarms see `alarm` (every alarm), `finding` (watchdog findings only) and
//! `source` (`cloudwatch` or `watchdog`); [`ALARM_CONTEXT_VARIABLES`] lists them.

use std::collections::BTreeMap;

use cloud_cron_contract::watchdog::WatchdogFinding;
use minijinja::Value;
use serde_derive::Serialize;

/// The variables of an alarm template's context, in the order the docs list them.
pub const ALARM_CONTEXT_VARIABLES: [&str; 3] = ["alarm", "finding", "source"];

/// The fields of `alarm` and what each holds, in the order the docs list them.
pub const ALARM_FIELDS: [(&str, &str); 14] = [
    ("title", "one line saying what happened to what (`ALARM: Reports/Daily (Errors)`, `Missed run: Jobs/Sync at 2027-03-29T09:00:00+01:00`)"),
    ("name", "the CloudWatch alarm's name (a watchdog finding: `Missed run: Jobs/Sync`)"),
    ("state", "the new state: `ALARM`, `OK` or `INSUFFICIENT_DATA` (a finding: `ALARM`)"),
    ("previous_state", "the state before (empty for a finding)"),
    ("reason", "why the state changed, CloudWatch's `NewStateReason` (a finding: its detail)"),
    ("description", "the alarm's description: what happened and what to do (empty when it has none)"),
    ("task", "the construct path of the task or channel the alarm is about (`Reports/Daily`), from the description cloud-cron writes, else a `FunctionName`, `QueueName` or `ScheduleGroup` dimension; empty when unknown"),
    ("region", "the region code (`eu-west-1`)"),
    ("account", "the AWS account id (empty for a finding)"),
    ("time", "when it happened: CloudWatch's `StateChangeTime`; for a finding, the expected run time in the schedule's zone"),
    ("console_url", "the alarm's page in the CloudWatch console (a finding: the function's monitoring page)"),
    ("metric", "`Namespace MetricName` of a single-metric alarm (`AWS/Lambda Errors`), else empty"),
    ("dimensions", "the metric's dimensions, name to value (`alarm.dimensions.FunctionName`)"),
    ("is_ok", "true when the alarm cleared (state `OK`)"),
];

/// The fields of `finding` (watchdog findings only): the finding's own
/// fields in snake_case; `observed_utc` and `observed_local` are empty for a
/// missed run.
pub const FINDING_FIELDS: [&str; 13] = [
    "id",
    "kind",
    "job",
    "function",
    "expression",
    "time_zone",
    "expected_utc",
    "expected_local",
    "observed_utc",
    "observed_local",
    "detail",
    "console_url",
    "checked_at",
];

/// An alarm as templates see it under `alarm` (see [`ALARM_FIELDS`]). Every
/// field is text (empty when unknown), so templates test with `{% if alarm.task %}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlarmView {
    /// One line saying what happened to what.
    pub title: String,
    /// The alarm's name.
    pub name: String,
    /// The new state.
    pub state: String,
    /// The previous state.
    pub previous_state: String,
    /// Why the state changed.
    pub reason: String,
    /// The alarm's description.
    pub description: String,
    /// The construct path of the task or channel it is about.
    pub task: String,
    /// The region code.
    pub region: String,
    /// The account id.
    pub account: String,
    /// When it happened.
    pub time: String,
    /// The console page.
    pub console_url: String,
    /// `Namespace MetricName`.
    pub metric: String,
    /// The metric's dimensions.
    pub dimensions: BTreeMap<String, String>,
}

impl AlarmView {
    /// Whether the alarm cleared.
    pub fn is_ok(&self) -> bool {
        self.state == "OK"
    }
}

/// Where an alarm message came from: the `source` variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmSource {
    /// A CloudWatch alarm notification.
    CloudWatch,
    /// A missed-run watchdog finding.
    Watchdog,
}

impl AlarmSource {
    /// `cloudwatch` or `watchdog`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmSource::CloudWatch => "cloudwatch",
            AlarmSource::Watchdog => "watchdog",
        }
    }
}

/// The context an alarm message's templates are rendered with: `alarm`,
/// `source`, and for a watchdog finding `finding` (left undefined otherwise:
/// test it with `{% if finding is defined %}`).
pub fn alarm_context(alarm: &AlarmView, finding: Option<&WatchdogFinding>) -> Value {
    let mut alarm_map: BTreeMap<&str, Value> = BTreeMap::new();
    alarm_map.insert("title", Value::from(alarm.title.as_str()));
    alarm_map.insert("name", Value::from(alarm.name.as_str()));
    alarm_map.insert("state", Value::from(alarm.state.as_str()));
    alarm_map.insert("previous_state", Value::from(alarm.previous_state.as_str()));
    alarm_map.insert("reason", Value::from(alarm.reason.as_str()));
    alarm_map.insert("description", Value::from(alarm.description.as_str()));
    alarm_map.insert("task", Value::from(alarm.task.as_str()));
    alarm_map.insert("region", Value::from(alarm.region.as_str()));
    alarm_map.insert("account", Value::from(alarm.account.as_str()));
    alarm_map.insert("time", Value::from(alarm.time.as_str()));
    alarm_map.insert("console_url", Value::from(alarm.console_url.as_str()));
    alarm_map.insert("metric", Value::from(alarm.metric.as_str()));
    alarm_map.insert("dimensions", Value::from_serialize(&alarm.dimensions));
    alarm_map.insert("is_ok", Value::from(alarm.is_ok()));
    let mut context: BTreeMap<&str, Value> = BTreeMap::new();
    context.insert("alarm", Value::from_iter(alarm_map));
    let source = match finding {
        Some(finding) => {
            context.insert("finding", finding_value(finding));
            AlarmSource::Watchdog
        }
        None => AlarmSource::CloudWatch,
    };
    context.insert("source", Value::from(source.as_str()));
    Value::from_iter(context)
}

fn finding_value(f: &WatchdogFinding) -> Value {
    let text = |s: &str| Value::from(s.to_owned());
    let fields: [(&str, Value); 13] = [
        ("id", text(&f.id)),
        ("kind", text(f.kind.as_str())),
        ("job", text(&f.job)),
        ("function", text(&f.function)),
        ("expression", text(&f.expression)),
        ("time_zone", text(&f.time_zone)),
        ("expected_utc", text(&f.expected_utc)),
        ("expected_local", text(&f.expected_local)),
        (
            "observed_utc",
            text(f.observed_utc.as_deref().unwrap_or("")),
        ),
        (
            "observed_local",
            text(f.observed_local.as_deref().unwrap_or("")),
        ),
        ("detail", text(&f.detail)),
        ("console_url", text(&f.console_url)),
        ("checked_at", text(&f.checked_at)),
    ];
    Value::from_iter(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloud_cron_contract::watchdog::FindingKind;

    #[test]
    fn the_context_has_the_documented_fields() {
        let alarm = AlarmView {
            state: "OK".into(),
            ..AlarmView::default()
        };
        let value = alarm_context(&alarm, None);
        let mut keys: Vec<String> = value
            .get_attr("alarm")
            .and_then(|a| a.try_iter().map(|i| i.map(|k| k.to_string()).collect()))
            .expect("alarm is a map");
        keys.sort();
        let mut documented: Vec<String> =
            ALARM_FIELDS.iter().map(|(n, _)| (*n).to_owned()).collect();
        documented.sort();
        assert_eq!(keys, documented);
        assert_eq!(
            value.get_attr("source").map(|v| v.to_string()).ok(),
            Some("cloudwatch".into())
        );
        assert!(value.get_attr("finding").is_ok_and(|f| f.is_undefined()));

        let finding = WatchdogFinding {
            version: 1,
            id: "f".into(),
            kind: FindingKind::Missed,
            job: "Jobs/Sync".into(),
            function: "fn".into(),
            expression: "rate(1 hour)".into(),
            time_zone: "UTC".into(),
            expected_utc: "2027-03-29T08:00:00Z".into(),
            expected_local: "2027-03-29T08:00:00+00:00".into(),
            observed_utc: None,
            observed_local: None,
            detail: "d".into(),
            console_url: "u".into(),
            checked_at: "c".into(),
        };
        let value = alarm_context(&alarm, Some(&finding));
        let mut keys: Vec<String> = value
            .get_attr("finding")
            .and_then(|a| a.try_iter().map(|i| i.map(|k| k.to_string()).collect()))
            .expect("finding is a map");
        keys.sort();
        let mut documented: Vec<String> = FINDING_FIELDS.iter().map(|n| (*n).to_owned()).collect();
        documented.sort();
        assert_eq!(keys, documented);
        assert_eq!(
            value.get_attr("source").map(|v| v.to_string()).ok(),
            Some("watchdog".into())
        );
    }
}
