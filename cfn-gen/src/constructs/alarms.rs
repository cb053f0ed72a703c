//! The alarms the constructs emit and where they go: an alarm notifies its
//! construct's own `.alarm_to(..)` topic, else the stack's
//! [`Stack::alarms_to`](crate::Stack::alarms_to) destination, both when it
//! fires and when it clears. Lambda `Errors` and `Throttles` alarms for the
//! functions of scheduled tasks and channels live here too.

use crate::construct::{AlarmDestination, AlarmTarget, Node};
use crate::constructs::Topic;
use crate::resources::cloudwatch;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// The target of a construct's alarms: its own topic, else the stack's.
pub(crate) fn resolve(node: &Node, explicit: Option<&Topic>) -> Option<AlarmTarget> {
    explicit
        .map(AlarmDestination::alarm_target)
        .or_else(|| node.stack_alarm_target())
}

/// Check a construct's own `.alarm_to(..)` topic (the stack's default is
/// checked once, by the stack).
pub(crate) fn check_explicit(node: &Node, explicit: Option<&Topic>, report: &mut Report) {
    if let Some(topic) = explicit {
        topic.alarm_target().check(node, &node.path(), report);
    }
}

/// `AlarmActions` and `OKActions` for `target`.
fn actions(target: Option<&AlarmTarget>) -> (Vec<Value>, Vec<Value>) {
    let arns: Vec<Value> = target.iter().map(|t| t.arn.clone()).collect();
    (arns.clone(), arns)
}

/// Set the actions of an alarm from its route.
pub(crate) fn route(alarm: &mut cloudwatch::Alarm, target: Option<&AlarmTarget>) {
    let (on_alarm, on_ok) = actions(target);
    alarm.alarm_actions = on_alarm;
    alarm.ok_actions = on_ok;
}

/// What a function does, for the alarm descriptions.
pub(crate) enum FunctionRole {
    /// The function of a scheduled task.
    Task,
    /// The notifier function of a channel.
    Channel,
    /// The handler of an HTTP API.
    Api,
}

/// Emit the `Errors` and `Throttles` alarms of the function `function_id`
/// (a `AWS::Serverless::Function`, whose `Ref` is its name) owned by the
/// construct at `node`.
pub(crate) fn emit_function_alarms(
    node: &Node,
    function_id: &str,
    role: FunctionRole,
    target: Option<&AlarmTarget>,
    template: &mut Template,
) {
    let path = node.path();
    let (errors, throttles) = match role {
        FunctionRole::Task => (
            format!("{path}: scheduled task's function reported an error (Lambda Errors >= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task's dead-letter queue. Read the function's CloudWatch Logs, fix the cause, and redrive the dead-letter queue."),
            format!("{path}: scheduled task's function was throttled (Lambda Throttles >= 1 in 5 minutes): a run was delayed for lack of concurrency. Raise the function's reserved concurrency or the account's concurrency limit, or spread the schedules."),
        ),
        FunctionRole::Channel => (
            format!("{path}: notification channel's function reported an error (Lambda Errors >= 1 in 5 minutes): notifications were not delivered. SQS retries them, then moves them to the channel's dead-letter queue. Read the function's CloudWatch Logs (provider errors, secrets, templates) and redrive the dead-letter queue."),
            format!("{path}: notification channel's function was throttled (Lambda Throttles >= 1 in 5 minutes): notifications are delayed. Raise the function's reserved concurrency or the account's concurrency limit."),
        ),
        FunctionRole::Api => (
            format!("{path}: HTTP API handler reported an error (Lambda Errors >= 1 in 5 minutes): callers got a 5xx answer. Read the handler's CloudWatch Logs (by request id) and the API's access logs."),
            format!("{path}: HTTP API handler was throttled (Lambda Throttles >= 1 in 5 minutes): callers got errors for lack of concurrency. Raise the handler's reserved concurrency or the account's concurrency limit, or lower the API's throttling."),
        ),
    };
    for (child, metric, description) in [
        ("ErrorsAlarm", "Errors", errors),
        ("ThrottlesAlarm", "Throttles", throttles),
    ] {
        let mut alarm = cloudwatch::Alarm {
            alarm_description: Some(description),
            namespace: "AWS/Lambda".into(),
            metric_name: metric.into(),
            dimensions: vec![cloudwatch::Dimension {
                name: "FunctionName".into(),
                value: Value::reference(function_id),
            }],
            statistic: "Sum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: "GreaterThanOrEqualToThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        route(&mut alarm, target);
        template.add_resource(node.child_logical_id(child), Resource::new(alarm));
    }
}
