//! The alarms the constructs emit and where they go: an alarm notifies its
//! construct's own `.alarm_to(..)` topic, else the stack's
//! [`Stack::alarms_to`](crate::Stack::alarms_to) destination, both when it
//! fires and when it clears. Lambda `Errors`, `Throttles` and `Duration`
//! (approaching the timeout) alarms for the functions of scheduled tasks and
//! channels live here too.

use crate::construct::{AlarmDestination, AlarmTarget, Node};
use crate::constructs::Topic;
use crate::resources::cloudwatch;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// The default of the `Duration` alarm: a run longer than 80% of the
/// function's timeout.
pub(crate) const DEFAULT_DURATION_PERCENT: u32 = 80;

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

/// Set the actions of a metric-math alarm from its route.
pub(crate) fn route_math(alarm: &mut cloudwatch::MathAlarm, target: Option<&AlarmTarget>) {
    let (on_alarm, on_ok) = actions(target);
    alarm.alarm_actions = on_alarm;
    alarm.ok_actions = on_ok;
}

/// Set the actions of an alarm from its route.
pub(crate) fn route(alarm: &mut cloudwatch::Alarm, target: Option<&AlarmTarget>) {
    let (on_alarm, on_ok) = actions(target);
    alarm.alarm_actions = on_alarm;
    alarm.ok_actions = on_ok;
}

/// What a function does, for the alarm descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FunctionRole {
    /// The function of a scheduled task.
    Task,
    /// The notifier function of a channel.
    Channel,
    /// The worker of a sync pipeline.
    SyncWorker,
    /// The status endpoint of a sync pipeline.
    SyncStatus,
    /// The handler of an HTTP API.
    Api,
    /// The consumer function of a work queue.
    Worker,
}

/// The function an alarm watches and how close to its timeout a run may
/// get (`None`: no `Duration` alarm).
pub(crate) struct WatchedFunction<'a> {
    /// The `AWS::Serverless::Function`'s logical ID (its `Ref` is its name).
    pub id: &'a str,
    /// The function's timeout.
    pub timeout: std::time::Duration,
    /// The `Duration` alarm's threshold, in percent of the timeout.
    pub duration_percent: Option<u32>,
}

/// Check a `Duration` alarm threshold set with `.duration_alarm(..)`.
pub(crate) fn check_duration_percent(node: &Node, percent: Option<u32>, report: &mut Report) {
    if let Some(p) = percent {
        if !(1..=99).contains(&p) {
            report.error(
                &node.path(),
                format!("the Duration alarm threshold is {p}% of the timeout; it must be 1 to 99% (at 100% Lambda has already stopped the run, which the Errors alarm reports)"),
                format!(".duration_alarm(Some({DEFAULT_DURATION_PERCENT})), or .duration_alarm(None) to switch it off"),
            );
        }
    }
}

/// Emit the `Errors`, `Throttles` and `Duration` alarms of `function`,
/// owned by the construct at `node`.
pub(crate) fn emit_function_alarms(
    node: &Node,
    function: &WatchedFunction<'_>,
    role: FunctionRole,
    target: Option<&AlarmTarget>,
    template: &mut Template,
) {
    emit_prefixed_function_alarms(node, "", function, role, target, template);
}

/// [`emit_function_alarms`] for a construct with several functions: the alarms'
/// logical ids are `<prefix>ErrorsAlarm`, `<prefix>ThrottlesAlarm` and
/// `<prefix>DurationAlarm` children of `node`.
pub(crate) fn emit_prefixed_function_alarms(
    node: &Node,
    prefix: &str,
    function: &WatchedFunction<'_>,
    role: FunctionRole,
    target: Option<&AlarmTarget>,
    template: &mut Template,
) {
    let function_id = function.id;
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
        FunctionRole::SyncWorker => (
            format!("{path}: sync worker reported an error (Lambda Errors >= 1 in 5 minutes): a tenant's batch could not run or be recorded (checkpoint table, queue). SQS redelivers the tenant's message, then moves it to the dead-letter queue. Read the worker's CloudWatch Logs, fix the cause, and redrive the dead-letter queue."),
            format!("{path}: sync worker was throttled (Lambda Throttles >= 1 in 5 minutes): tenants' syncs are delayed. Raise the account's concurrency limit or lower the pipeline's max_concurrency."),
        ),
        FunctionRole::SyncStatus => (
            format!("{path}: sync status endpoint reported an error (Lambda Errors >= 1 in 5 minutes): callers got HTTP 5xx. Read the status function's CloudWatch Logs (checkpoint table access, unreadable checkpoints)."),
            format!("{path}: sync status endpoint was throttled (Lambda Throttles >= 1 in 5 minutes): callers got HTTP 5xx. Raise the function's reserved concurrency or the account's concurrency limit."),
        ),
        FunctionRole::Api => (
            format!("{path}: HTTP API handler reported an error (Lambda Errors >= 1 in 5 minutes): callers got a 5xx answer. Read the handler's CloudWatch Logs (by request id) and the API's access logs."),
            format!("{path}: HTTP API handler was throttled (Lambda Throttles >= 1 in 5 minutes): callers got errors for lack of concurrency. Raise the handler's reserved concurrency or the account's concurrency limit, or lower the API's throttling."),
        ),
        FunctionRole::Worker => (
            format!("{path}: work queue's consumer function reported an error (Lambda Errors >= 1 in 5 minutes): a batch failed as a whole (an unhandled error, a time-out, a crash). SQS retries its messages, then moves them to the queue's dead-letter queue. Read the function's CloudWatch Logs, fix the cause, and redrive the dead-letter queue."),
            format!("{path}: work queue's consumer function was throttled (Lambda Throttles >= 1 in 5 minutes): messages wait in the queue. Raise the function's reserved concurrency or the account's concurrency limit, or lower the event source's maximum concurrency."),
        ),
    };
    for (child, metric, description) in [
        ("ErrorsAlarm", "Errors", errors),
        ("ThrottlesAlarm", "Throttles", throttles),
    ] {
        let child = format!("{prefix}{child}");
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
        template.add_resource(node.child_logical_id(&child), Resource::new(alarm));
    }
    if let Some(percent) = function.duration_percent {
        let timeout_ms = function.timeout.as_millis();
        let threshold_ms = timeout_ms * u128::from(percent) / 100;
        let what = match role {
            FunctionRole::Task => "scheduled task's function",
            FunctionRole::Channel => "notification channel's function",
            FunctionRole::SyncWorker => "sync worker",
            FunctionRole::SyncStatus => "sync status endpoint",
            FunctionRole::Api => "HTTP API handler",
            FunctionRole::Worker => "work queue's consumer function",
        };
        let description = format!(
            "{path}: {what} ran longer than {percent}% of its {}s timeout (Lambda Duration Maximum > {threshold_ms} ms in 5 minutes): runs are about to be cut off by the timeout. Find what got slower in the function's logs (a slow dependency, more data), then make the work smaller or raise the timeout (.timeout(..), at most 900 s).",
            function.timeout.as_secs()
        );
        let mut alarm = cloudwatch::Alarm {
            alarm_description: Some(description),
            namespace: "AWS/Lambda".into(),
            metric_name: "Duration".into(),
            dimensions: vec![cloudwatch::Dimension {
                name: "FunctionName".into(),
                value: Value::reference(function_id),
            }],
            statistic: "Maximum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: threshold_ms as f64,
            comparison_operator: "GreaterThanThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        route(&mut alarm, target);
        template.add_resource(
            node.child_logical_id(&format!("{prefix}DurationAlarm")),
            Resource::new(alarm),
        );
    }
}

/// Emit an alarm on the age of the oldest message of the queue
/// `queue_id` (an `AWS::SQS::Queue`): it fires when a message has waited
/// longer than `threshold_seconds` (the consumer is down, throttled or
/// failing over and over), as the maximum over 5 minutes.
pub(crate) fn emit_queue_age_alarm(
    node: &Node,
    queue_id: &str,
    threshold_seconds: u64,
    target: Option<&AlarmTarget>,
    template: &mut Template,
) {
    let path = node.path();
    let mut alarm = cloudwatch::Alarm {
        alarm_description: Some(format!(
            "{path}: the oldest message in the queue is more than {threshold_seconds} s old: the consumer is not keeping up, is throttled or fails the same messages again and again. Read the consumer's CloudWatch Logs and its Errors and Throttles alarms."
        )),
        namespace: "AWS/SQS".into(),
        metric_name: "ApproximateAgeOfOldestMessage".into(),
        dimensions: vec![cloudwatch::Dimension {
            name: "QueueName".into(),
            value: Value::get_att(queue_id, "QueueName"),
        }],
        statistic: "Maximum".into(),
        period: 300,
        evaluation_periods: 1,
        // Whole seconds; an f64 holds every u32 exactly.
        threshold: threshold_seconds as f64,
        comparison_operator: "GreaterThanThreshold".into(),
        treat_missing_data: Some("notBreaching".into()),
        ..Default::default()
    };
    route(&mut alarm, target);
    template.add_resource(node.child_logical_id("AgeAlarm"), Resource::new(alarm));
}
