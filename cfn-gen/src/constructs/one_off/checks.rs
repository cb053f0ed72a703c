//! Synth-time checks of one-off schedules, one concern each: the group's
//! name, the delivery retry policy, the target (same stack, not FIFO), and
//! whether any function may create schedules at all.

use super::{Inner, OneOffTarget};
use crate::validate::{names, Report};

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        self.dead_letter.validate(report);
        check_group_name(path, self.props.borrow().group_name.as_deref(), report);
        check_retries(path, self, report);
        check_target(self, report);
        if self.managers.borrow().is_empty() {
            report.warning(
                path,
                "no function may create schedules in this group, so nothing will ever be delivered",
                "let the function that schedules work create them: `schedules.grant_manage(&function)` (for a ScheduledLambda: `schedules.grant_manage(task.function())`)",
            );
        }
    }
}

fn check_group_name(path: &str, name: Option<&str>, report: &mut Report) {
    if let Some(name) = name {
        if let Err(message) = names::SCHEDULE_GROUP.check(name) {
            report.error(
                path,
                message,
                "fix the name given to .group_name(), or leave it out and let CloudFormation generate one",
            );
        }
        if name == "default" {
            report.error(
                path,
                "`default` is the account's default schedule group, which CloudFormation cannot create",
                "give .group_name() another name, e.g. the construct's id in lower case",
            );
        }
    }
}

/// The Scheduler's retry bounds.
fn check_retries(path: &str, inner: &Inner, report: &mut Report) {
    let p = inner.props.borrow();
    if p.retry_attempts > 185 {
        report.error(
            path,
            format!(
                "{} delivery retry attempts is over the Scheduler's 185",
                p.retry_attempts
            ),
            "pass 0 to 185 to .delivery_retries()",
        );
    }
    let age = p.max_event_age.as_secs();
    if !(60..=86_400).contains(&age) {
        report.error(
            path,
            format!("delivery retry age of {age} s is outside 60 to 86,400 s"),
            "pass 60 s to 24 h to .delivery_retries()",
        );
    }
}

/// A target the Scheduler can reach from this stack, and one the client's
/// requests fit (it sends no FIFO message group id).
fn check_target(inner: &Inner, report: &mut Report) {
    let path = inner.node.path();
    let target_node = match &inner.target {
        OneOffTarget::Function(f) => Some(f.node()),
        OneOffTarget::Topic(t) => Some(t.node()),
        OneOffTarget::Queue(_) => None,
    };
    if let Some(node) = target_node {
        if !node.same_stack(&inner.node) {
            report.error(
                &path,
                format!(
                    "the target, {}, is in stack {}, not in this stack ({})",
                    inner.target.describe(),
                    node.stack_name(),
                    inner.node.stack_name()
                ),
                "create the OneOffSchedules in the target's stack, or import the target here by ARN (Topic::from_arn, QueueRef::from_arn)",
            );
        }
    }
    let fifo = match &inner.target {
        OneOffTarget::Topic(t) => t.is_fifo(),
        OneOffTarget::Queue(q) => q.arn().as_literal().is_some_and(|a| a.ends_with(".fifo")),
        OneOffTarget::Function(_) => false,
    };
    if fifo {
        report.error(
            &path,
            format!(
                "the target, {}, is FIFO, and one-off schedules carry no message group id, so the Scheduler cannot deliver to it",
                inner.target.describe()
            ),
            "target a standard topic or queue (Topic::standard); deliveries are deduplicated by the receiver on the input's scheduleArn and scheduledTime",
        );
    }
}
