//! The stack's own EventBridge Scheduler schedule group and its delivery
//! alarms.
//!
//! AWS publishes the Scheduler's delivery metrics (`AWS/Scheduler`:
//! `TargetErrorCount`, `InvocationThrottleCount`, `InvocationDroppedCount`,
//! `InvocationsFailedToBeSentToDeadLetterCount`) per schedule group (the
//! `ScheduleGroup` dimension) and for the whole account, never per schedule.
//! So every stack that runs scheduled tasks gets one group for its
//! schedules: its alarms then speak of this stack's tasks only, not of every
//! schedule in the account's `default` group. Created by the first
//! [`ScheduledLambda`](crate::ScheduledLambda) of the stack.

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms;
use crate::resources::{cloudwatch, scheduler};
use crate::synth::SynthContext;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// The construct id of a stack's schedule group.
const ID: &str = "ScheduleGroup";

/// The default threshold of the delivery alarms: the first failed delivery.
const DEFAULT_THRESHOLD: u32 = 1;

/// The delivery metrics alarmed on, with the alarm's child id and what the
/// alarm says happened and what to do.
const METRICS: [(&str, &str, &str); 4] = [
    (
        "TargetErrorCount",
        "TargetErrorsAlarm",
        "EventBridge Scheduler could not invoke a task's function (TargetErrorCount): the function or the schedule's role is broken (deleted function, missing lambda:InvokeFunction, KMS). The Scheduler retries, then dead-letters the run. Check the schedule role and the function, then redrive the task's dead-letter queue.",
    ),
    (
        "InvocationThrottleCount",
        "ThrottledAlarm",
        "EventBridge Scheduler throttled invocations (InvocationThrottleCount): too many schedules fire at once for the account's invocation quota, so runs start late. Spread the schedules (a flexible window) or ask for a higher EventBridge Scheduler quota.",
    ),
    (
        "InvocationDroppedCount",
        "DroppedAlarm",
        "EventBridge Scheduler dropped a run after every delivery retry (InvocationDroppedCount): the run did not happen. Read the task's dead-letter queue for the error, fix it, and run the task again by hand.",
    ),
    (
        "InvocationsFailedToBeSentToDeadLetterCount",
        "DeadLetterFailedAlarm",
        "EventBridge Scheduler could not put a failed run into its dead-letter queue (InvocationsFailedToBeSentToDeadLetterCount): the run is lost without a trace. Check that the schedule role may sqs:SendMessage to the task's dead-letter queue, and run the task again by hand.",
    ),
];

struct Props {
    tasks: Vec<String>,
    threshold: Option<u32>,
}

/// A stack's schedule group (one per stack) and its delivery alarms.
pub(crate) struct StackSchedules {
    node: Node,
    props: RefCell<Props>,
}

impl StackSchedules {
    /// The schedule group of `stack`, created (and registered with the
    /// stack) on first use.
    pub(crate) fn of(stack: &Stack) -> Rc<StackSchedules> {
        stack.singleton(ID, |stack| {
            let group = Rc::new(StackSchedules {
                node: stack.claim(ID),
                props: RefCell::new(Props {
                    tasks: Vec::new(),
                    threshold: Some(DEFAULT_THRESHOLD),
                }),
            });
            stack.add(group.clone());
            group
        })
    }

    /// Record a task whose schedule is in the group (for the descriptions).
    pub(crate) fn add_task(&self, path: String) {
        self.props.borrow_mut().tasks.push(path);
    }

    /// Fire the delivery alarms at `threshold` failed deliveries in five
    /// minutes, or never (`None`).
    pub(crate) fn set_threshold(&self, threshold: Option<u32>) {
        self.props.borrow_mut().threshold = threshold;
    }

    /// The group's name (`Ref`), for a schedule's `GroupName`.
    pub(crate) fn name(&self) -> Value {
        Value::reference(self.node.logical_id())
    }
}

impl Construct for StackSchedules {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        if self.props.borrow().threshold == Some(0) {
            report.error(
                self.node.stack_name(),
                "schedule delivery alarms with threshold 0 would always be in alarm",
                "pass a threshold of at least 1, e.g. stack.schedule_delivery_alarms(Some(1)), or None to switch them off",
            );
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        if p.tasks.is_empty() {
            return;
        }
        template.add_resource(
            self.node.logical_id(),
            Resource::new(scheduler::ScheduleGroup::default()),
        );
        let Some(threshold) = p.threshold else {
            return;
        };
        let target = self.node.stack_alarm_target();
        for (metric, child, what) in METRICS {
            let mut description = format!(
                "{}: schedules of {}: {what}",
                self.node.path(),
                p.tasks.join(", ")
            );
            if description.chars().count() > 1_024 {
                // CloudWatch's limit: name the stack's tasks by count.
                description = format!(
                    "{}: schedules of {} tasks: {what}",
                    self.node.path(),
                    p.tasks.len()
                );
            }
            let mut alarm = cloudwatch::Alarm {
                alarm_description: Some(description),
                namespace: "AWS/Scheduler".into(),
                metric_name: metric.into(),
                dimensions: vec![cloudwatch::Dimension {
                    name: "ScheduleGroup".into(),
                    value: self.name(),
                }],
                statistic: "Sum".into(),
                period: 300,
                evaluation_periods: 1,
                threshold: f64::from(threshold),
                comparison_operator: "GreaterThanOrEqualToThreshold".into(),
                treat_missing_data: Some("notBreaching".into()),
                ..Default::default()
            };
            alarms::route(&mut alarm, target.as_ref());
            template.add_resource(self.node.child_logical_id(child), Resource::new(alarm));
        }
    }
}
