//! `ScheduleGroup`: an EventBridge Scheduler schedule group, which holds the
//! schedules of jobs (`ScheduledLambda::job`).
//!
//! Jobs go into the stack's own group (the one with the Scheduler's delivery
//! alarms) by default; `ScheduleGroup::new` makes others, e.g. to give a
//! group a fixed name.

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::resources::scheduler;
use crate::synth::SynthContext;
use crate::template::{Resource, Template};
use crate::validate::{names, Report};
use crate::value::Value;

struct Inner {
    node: Node,
    name: RefCell<Option<String>>,
}

/// An EventBridge Scheduler schedule group (`AWS::Scheduler::ScheduleGroup`).
///
/// ```
/// use cfn_gen::{App, Schedule, ScheduleGroup, ScheduledLambda, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Erp");
/// let group = ScheduleGroup::new(&stack, "ErpJobs").name("erp-jobs");
/// ScheduledLambda::new(&stack, "Odoo")
///     .image("123456789012.dkr.ecr.eu-west-2.amazonaws.com/odoo-job:v1")
///     .schedule_group(&group)
///     .job("nightly", Schedule::cron("30 1 * * ? *"), serde_json::json!({"method": "run"}));
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::Scheduler::ScheduleGroup") && text.contains("erp-jobs"));
/// ```
#[derive(Clone)]
pub struct ScheduleGroup(Rc<Inner>);

impl ScheduleGroup {
    /// A new schedule group in `stack`.
    pub fn new(stack: &Stack, id: &str) -> ScheduleGroup {
        let inner = Rc::new(Inner {
            node: stack.claim(id),
            name: RefCell::new(None),
        });
        stack.add(inner.clone());
        ScheduleGroup(inner)
    }

    /// A fixed group name (1 to 64 ASCII letters, digits, `-`, `_`, `.`);
    /// otherwise CloudFormation generates one.
    pub fn name(self, name: impl Into<String>) -> ScheduleGroup {
        *self.0.name.borrow_mut() = Some(name.into());
        self
    }

    /// Where the group sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The group's name (`Ref`), as a schedule's `GroupName` takes it.
    pub fn group_name(&self) -> Value {
        Value::reference(self.0.node.logical_id())
    }

    /// The group's ARN.
    pub fn arn(&self) -> Value {
        Value::get_att(self.0.node.logical_id(), "Arn")
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        if let Some(name) = self.name.borrow().as_deref() {
            if let Err(message) = names::SCHEDULE_GROUP.check(name) {
                report.error(
                    &self.node.path(),
                    message,
                    "fix the name given to ScheduleGroup::name(), or leave it out",
                );
            }
            if name == "default" {
                report.error(
                    &self.node.path(),
                    "`default` is the account's own schedule group, which a stack cannot create",
                    "give the group another name, or leave .name() out",
                );
            }
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        template.add_resource(
            self.node.logical_id(),
            Resource::new(scheduler::ScheduleGroup {
                name: self.name.borrow().clone().map(Value::String),
            }),
        );
    }
}
