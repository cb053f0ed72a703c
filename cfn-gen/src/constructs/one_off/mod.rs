//! `OneOffSchedules`: the infrastructure behind schedules created at run time
//! by `cloud-cron-scheduler` ("deliver this payload at 14:32 next Tuesday").
//!
//! Resources, all named from the construct path: an
//! `AWS::Scheduler::ScheduleGroup` the schedules live in, the role the
//! Scheduler assumes to deliver them (allowed to reach exactly the target and
//! the dead-letter queue, and only for schedules of this group), a dead-letter
//! queue for deliveries that fail every retry with its alarm, and an output
//! per queue and group. The schedules themselves are not in the template:
//! functions granted [`OneOffSchedules::grant_manage`] create them.
//!
//! Modules: [`checks`] (synth-time checks), [`synthesis`] (the resources
//! and the grants).

mod checks;
mod synthesis;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::one_off as contract;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::function::Function;
use crate::constructs::grant::Grantee;
use crate::constructs::queue::QueueRef;
use crate::constructs::scheduled_lambda::ScheduledLambda;
use crate::constructs::Topic;
use crate::resources::iam::Statement;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// What every schedule of a [`OneOffSchedules`] delivers its input to.
#[derive(Clone)]
pub enum OneOffTarget {
    /// A Lambda function, invoked asynchronously with the
    /// `OneOffInput` JSON. For retries of the function itself and a
    /// dead-letter queue of its failures, target a
    /// [`ScheduledLambda`]'s function (`From<&ScheduledLambda>`).
    Function(Function),
    /// An SNS topic: the `OneOffInput` JSON is the message. A standard
    /// topic (the client sends no message group id).
    Topic(Topic),
    /// An SQS queue: the `OneOffInput` JSON is the message body. A standard
    /// queue (the client sends no message group id).
    Queue(QueueRef),
}

impl From<&Function> for OneOffTarget {
    fn from(function: &Function) -> OneOffTarget {
        OneOffTarget::Function(function.clone())
    }
}

impl From<&ScheduledLambda> for OneOffTarget {
    fn from(task: &ScheduledLambda) -> OneOffTarget {
        OneOffTarget::Function(task.function().clone())
    }
}

impl From<&Topic> for OneOffTarget {
    fn from(topic: &Topic) -> OneOffTarget {
        OneOffTarget::Topic(topic.clone())
    }
}

impl From<&QueueRef> for OneOffTarget {
    fn from(queue: &QueueRef) -> OneOffTarget {
        OneOffTarget::Queue(queue.clone())
    }
}

impl OneOffTarget {
    /// The target's ARN.
    pub fn arn(&self) -> Value {
        match self {
            OneOffTarget::Function(f) => f.arn(),
            OneOffTarget::Topic(t) => t.arn(),
            OneOffTarget::Queue(q) => q.arn(),
        }
    }

    /// Lets `grantee` deliver to the target: `lambda:InvokeFunction`,
    /// `sns:Publish` (with the topic's KMS key) or `sqs:SendMessage` on
    /// exactly it.
    fn grant_deliver(&self, grantee: &dyn Grantee) {
        match self {
            OneOffTarget::Function(f) => f.grant_invoke(grantee),
            OneOffTarget::Topic(t) => t.grant_publish(grantee),
            OneOffTarget::Queue(q) => q.grant_send(grantee),
        }
    }

    fn describe(&self) -> String {
        match self {
            OneOffTarget::Function(f) => format!("function {}", f.node().path()),
            OneOffTarget::Topic(t) => format!("topic {}", t.node().path()),
            OneOffTarget::Queue(_) => "the queue".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
struct Props {
    group_name: Option<String>,
    retry_attempts: u32,
    max_event_age: Duration,
}

struct Inner {
    node: Node,
    target: OneOffTarget,
    dead_letter: DeadLetterQueue,
    props: RefCell<Props>,
    /// Functions granted `grant_manage`, to refresh their variables when
    /// the retry policy changes afterwards.
    managers: RefCell<Vec<Function>>,
}

/// A schedule group for one-off schedules created at run time, with the
/// role that delivers them, a dead-letter queue and its alarm, and grants
/// for the functions that create them.
///
/// ```
/// use cfn_gen::{App, Function, OneOffSchedules, Stack, Topic};
/// let app = App::new();
/// let stack = Stack::new(&app, "Reminders");
/// let due = Topic::standard(&stack, "Due");
/// let planner = Function::new(&stack, "Planner")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/planner:v1");
/// let reminders = OneOffSchedules::new(&stack, "Reminders", &due);
/// reminders.grant_manage(&planner);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::Scheduler::ScheduleGroup"));
/// assert!(text.contains("CLOUDCRON_ONE_OFF_GROUP"));
/// assert!(text.contains("iam:PassedToService"));
/// ```
///
/// Defaults: a group name CloudFormation generates, the Scheduler retrying a
/// delivery 185 times for up to 24 hours, and anything that still fails kept
/// 14 days in the dead-letter queue, whose alarm fires on the first message.
#[derive(Clone)]
pub struct OneOffSchedules(Rc<Inner>);

impl OneOffSchedules {
    /// One-off schedules in `stack` delivering to `target`: a
    /// [`Function`], a [`ScheduledLambda`] (its function), a [`Topic`] or a
    /// [`QueueRef`]. To reach an HTTP endpoint, target a function that
    /// calls it.
    pub fn new(stack: &Stack, id: &str, target: impl Into<OneOffTarget>) -> OneOffSchedules {
        let node = stack.claim(id);
        let dead_letter = DeadLetterQueue::within(
            &node,
            format!(
                "{}: a one-off schedule could not be delivered after every retry; its event is in the dead-letter queue",
                node.path()
            ),
        );
        let inner = Rc::new(Inner {
            node,
            target: target.into(),
            dead_letter,
            props: RefCell::new(Props {
                group_name: None,
                retry_attempts: 185,
                max_event_age: Duration::from_secs(86_400),
            }),
            managers: RefCell::new(Vec::new()),
        });
        stack.add(inner.clone());
        OneOffSchedules(inner)
    }

    /// A fixed schedule group name (1 to 64 of ASCII letters, digits, `-`,
    /// `_`, `.`); otherwise CloudFormation generates one.
    pub fn group_name(self, name: impl Into<String>) -> OneOffSchedules {
        let name = name.into();
        self.0.props.borrow_mut().group_name = Some(name);
        self
    }

    /// How the Scheduler retries a delivery the target refused: up to
    /// `attempts` (0 to 185) retries, for at most `max_age` (60 s to 24 h).
    /// Functions granted [`grant_manage`](Self::grant_manage) receive the
    /// policy in `CLOUDCRON_ONE_OFF_MAX_RETRY_ATTEMPTS` and
    /// `CLOUDCRON_ONE_OFF_MAX_EVENT_AGE_SECONDS`.
    pub fn delivery_retries(self, attempts: u32, max_age: Duration) -> OneOffSchedules {
        {
            let mut p = self.0.props.borrow_mut();
            p.retry_attempts = attempts;
            p.max_event_age = max_age;
        }
        for manager in self.0.managers.borrow().iter() {
            self.set_retry_env(manager);
        }
        self
    }

    /// Send the dead-letter alarm to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> OneOffSchedules {
        self.0.dead_letter.clone().alarm_to(topic);
        self
    }

    /// Let `function` create, reschedule, cancel, read and list schedules
    /// of exactly this group, with `cloud_cron_scheduler::OneOffScheduler::from_env`:
    ///
    /// - `scheduler:CreateSchedule`, `UpdateSchedule`, `DeleteSchedule` and
    ///   `GetSchedule` on `schedule/<group>/*`;
    /// - `scheduler:ListSchedules` on `*`: AWS defines no resource type for
    ///   it, so it cannot be scoped (it lists names, states and targets'
    ///   ARNs, never inputs);
    /// - `iam:PassRole` on exactly the delivery role, only to
    ///   `scheduler.amazonaws.com`;
    /// - the variables `CLOUDCRON_ONE_OFF_GROUP`, `..._TARGET_ARN`,
    ///   `..._ROLE_ARN`, `..._DLQ_ARN` and the retry policy.
    pub fn grant_manage(&self, function: &Function) {
        for statement in self.manage_statements() {
            function.add_to_role_policy(statement);
        }
        function.add_environment(contract::ONE_OFF_GROUP_ENV, self.group());
        function.add_environment(contract::ONE_OFF_TARGET_ARN_ENV, self.target_arn());
        function.add_environment(contract::ONE_OFF_ROLE_ARN_ENV, self.role_arn());
        function.add_environment(contract::ONE_OFF_DLQ_ARN_ENV, self.dead_letter_queue_arn());
        self.set_retry_env(function);
        self.0.managers.borrow_mut().push(function.clone());
    }

    fn set_retry_env(&self, function: &Function) {
        let p = self.0.props.borrow();
        function.add_environment(
            contract::ONE_OFF_MAX_RETRY_ATTEMPTS_ENV,
            p.retry_attempts.to_string(),
        );
        function.add_environment(
            contract::ONE_OFF_MAX_EVENT_AGE_ENV,
            p.max_event_age.as_secs().to_string(),
        );
    }

    /// The statements [`grant_manage`](Self::grant_manage) adds, in order.
    fn manage_statements(&self) -> Vec<Statement> {
        vec![
            Statement::allow(
                [
                    "scheduler:CreateSchedule",
                    "scheduler:DeleteSchedule",
                    "scheduler:GetSchedule",
                    "scheduler:UpdateSchedule",
                ],
                vec![self.schedules_arn()],
            ),
            Statement::allow(["scheduler:ListSchedules"], vec![Value::from("*")])
                .sid("ListSchedulesHasNoResourceType"),
            Statement::allow(["iam:PassRole"], vec![self.role_arn()]).when(
                "StringEquals",
                "iam:PassedToService",
                Value::from("scheduler.amazonaws.com"),
            ),
        ]
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The schedule group's name (`Ref`).
    pub fn group(&self) -> Value {
        Value::reference(self.group_id())
    }

    /// The schedule group's ARN (written from its name, which is what
    /// `Fn::GetAtt ... Arn` returns, so tools that do not model schedule
    /// groups, such as moto, can resolve it).
    pub fn group_arn(&self) -> Value {
        self.0.group_arn()
    }

    /// The ARN pattern of every schedule in the group, `schedule/<group>/*`.
    pub fn schedules_arn(&self) -> Value {
        Value::sub(format!(
            "arn:${{AWS::Partition}}:scheduler:${{AWS::Region}}:${{AWS::AccountId}}:schedule/${{{}}}/*",
            self.group_id()
        ))
    }

    /// The ARN of the role the Scheduler assumes to deliver.
    pub fn role_arn(&self) -> Value {
        Value::get_att(self.role_id(), "Arn")
    }

    /// The target's ARN.
    pub fn target_arn(&self) -> Value {
        self.0.target.arn()
    }

    /// The target.
    pub fn target(&self) -> &OneOffTarget {
        &self.0.target
    }

    /// The dead-letter queue of undeliverable schedules (e.g. to let a
    /// redrive tool consume it).
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        &self.0.dead_letter
    }

    /// The dead-letter queue's ARN.
    pub fn dead_letter_queue_arn(&self) -> Value {
        self.0.dead_letter.arn()
    }

    fn group_id(&self) -> String {
        self.0.group_id()
    }

    fn role_id(&self) -> String {
        self.0.role_id()
    }
}

impl Inner {
    fn group_id(&self) -> String {
        self.node.child_logical_id("Group")
    }

    fn group_arn(&self) -> Value {
        Value::sub(format!(
            "arn:${{AWS::Partition}}:scheduler:${{AWS::Region}}:${{AWS::AccountId}}:schedule-group/${{{}}}",
            self.group_id()
        ))
    }

    fn role_id(&self) -> String {
        self.node.child_logical_id("DeliveryRole")
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        self.check(report);
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        self.emit(template);
    }
}

#[cfg(test)]
mod tests;
