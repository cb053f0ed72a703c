//! [`DeadLetterQueue`]: an SQS queue for work that failed after every
//! retry, with the alarm every such queue gets. The alarm fires on the first
//! message, because a message there is work that did not happen.
//!
//! `ScheduledLambda` and `NotificationChannel` each hold one (for failed
//! runs and undeliverable notifications); users create their own with
//! [`DeadLetterQueue::new`]. The queue also carries its holder's alarm
//! route (`.alarm_to(..)`), which the holder's function alarms share.

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms::{self, FunctionRole, WatchedFunction};
use crate::constructs::grant::Grantee;
use crate::constructs::queue::QueueRef;
use crate::constructs::Topic;
use crate::resources::{cloudwatch, sqs};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// Days a dead-lettered message is kept: SQS's maximum.
const RETENTION_SECONDS: u32 = 1_209_600;

/// Why checkov's CKV_AWS_27 (KMS encryption) does not apply to SSE-SQS queues.
pub(crate) const SSE_SQS_REASON: &str = "encrypted with SSE-SQS (SqsManagedSseEnabled), which checkov does not recognise; SNS cannot publish to a queue encrypted with the AWS managed KMS key for SQS, and a customer managed key would need a key policy for SNS";

#[derive(Debug, Clone)]
struct Props {
    fifo: bool,
    sse_sqs: bool,
    alarm_topic: Option<Topic>,
    alarm_description: String,
}

struct Inner {
    node: Node,
    queue_id: String,
    alarm_id: String,
    props: RefCell<Props>,
}

/// A dead-letter queue (messages kept 14 days, deleted with the stack) and
/// a CloudWatch alarm on its depth that fires on the first message.
///
/// ```
/// use cfn_gen::{App, DeadLetterQueue, Function, OpsTopic, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let operators = OpsTopic::new(&stack, "Operators");
/// let failed = DeadLetterQueue::new(&stack, "Failed").alarm_to(&operators.topic());
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1");
/// failed.grant_send(&worker);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("ApproximateNumberOfMessagesVisible"));
/// ```
///
/// Encrypted with the AWS managed key `alias/aws/sqs` by default; a queue
/// that SNS sends to (a subscription's dead-letter queue) needs
/// [`sqs_managed_encryption`](DeadLetterQueue::sqs_managed_encryption).
#[derive(Clone)]
pub struct DeadLetterQueue(Rc<Inner>);

impl DeadLetterQueue {
    /// A new dead-letter queue in `stack`; the queue's logical ID derives
    /// from `id`, the alarm's from `id` and `Alarm`.
    pub fn new(stack: &Stack, id: &str) -> DeadLetterQueue {
        let node = stack.claim(id);
        let description = format!(
            "{}: a message is in the dead-letter queue: work that failed after every retry",
            node.path()
        );
        let inner = Rc::new(Inner {
            queue_id: node.logical_id(),
            alarm_id: node.child_logical_id("Alarm"),
            node,
            props: RefCell::new(Props::new(description)),
        });
        stack.add(inner.clone());
        DeadLetterQueue(inner)
    }

    /// The dead-letter queue of the construct at `node` (not registered in
    /// the stack: that construct validates and emits it).
    pub(crate) fn within(node: &Node, alarm_description: String) -> DeadLetterQueue {
        DeadLetterQueue(Rc::new(Inner {
            node: node.clone(),
            queue_id: node.child_logical_id("DeadLetterQueue"),
            alarm_id: node.child_logical_id("DeadLetterAlarm"),
            props: RefCell::new(Props::new(alarm_description)),
        }))
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> DeadLetterQueue {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// Make it a FIFO queue (the dead-letter queue of a FIFO queue must be one).
    pub fn fifo(self) -> DeadLetterQueue {
        self.update(|p| p.fifo = true)
    }

    /// Encrypt with SSE-SQS instead of `alias/aws/sqs`: SNS cannot send to
    /// a queue under the AWS managed KMS key.
    pub fn sqs_managed_encryption(self) -> DeadLetterQueue {
        self.update(|p| p.sse_sqs = true)
    }

    /// Notify this topic when the alarm fires and when it clears, instead
    /// of the stack's [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> DeadLetterQueue {
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
    }

    /// What the alarm says (it names the construct path by default).
    pub fn alarm_description(self, text: impl Into<String>) -> DeadLetterQueue {
        let text = text.into();
        self.update(|p| p.alarm_description = text)
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The queue, for grants.
    pub fn queue(&self) -> QueueRef {
        QueueRef::from_arn(self.arn())
    }

    /// The queue's ARN.
    pub fn arn(&self) -> Value {
        Value::get_att(&self.0.queue_id, "Arn")
    }

    /// The queue's URL.
    pub fn url(&self) -> Value {
        Value::reference(&self.0.queue_id)
    }

    /// Let `grantee` send to the queue (e.g. as a failure destination).
    pub fn grant_send(&self, grantee: &dyn Grantee) {
        self.queue().grant_send(grantee);
    }

    /// Let `grantee` consume the queue (e.g. to redrive it).
    pub fn grant_consume(&self, grantee: &dyn Grantee) {
        self.queue().grant_consume(grantee);
    }

    /// The topic its alarms go to, when set on it.
    pub(crate) fn alarm_topic(&self) -> Option<Topic> {
        self.0.props.borrow().alarm_topic.clone()
    }

    /// Make it FIFO or standard (for a holder that decides at synth).
    pub(crate) fn set_fifo(&self, fifo: bool) {
        self.0.props.borrow_mut().fifo = fifo;
    }

    /// The queue's logical ID.
    pub(crate) fn queue_id(&self) -> &str {
        &self.0.queue_id
    }

    pub(crate) fn validate(&self, report: &mut Report) {
        self.0.validate(report);
    }

    /// Emits the queue.
    pub(crate) fn emit_queue(&self, template: &mut Template) {
        self.0.emit_queue(template);
    }

    /// Emits the alarm.
    pub(crate) fn emit_alarm(&self, template: &mut Template) {
        self.0.emit_alarm(template);
    }

    /// Emits the `Errors`, `Throttles` and `Duration` alarms of the holder's function,
    /// routed as the queue's alarm is.
    pub(crate) fn emit_function_alarms(
        &self,
        template: &mut Template,
        function: &WatchedFunction<'_>,
        role: FunctionRole,
    ) {
        let p = self.0.props.borrow();
        let target = alarms::resolve(&self.0.node, p.alarm_topic.as_ref());
        alarms::emit_function_alarms(&self.0.node, function, role, target.as_ref(), template);
    }

    /// The alarm target of the holder's alarms (its own topic, else the stack's).
    pub(crate) fn alarm_target(&self) -> Option<crate::construct::AlarmTarget> {
        let p = self.0.props.borrow();
        alarms::resolve(&self.0.node, p.alarm_topic.as_ref())
    }
}

impl Props {
    fn new(alarm_description: String) -> Props {
        Props {
            fifo: false,
            sse_sqs: false,
            alarm_topic: None,
            alarm_description,
        }
    }
}

impl Inner {
    fn emit_queue(&self, template: &mut Template) {
        let p = self.props.borrow();
        let mut queue = sqs::Queue {
            fifo_queue: p.fifo.then_some(true),
            message_retention_period: Some(RETENTION_SECONDS),
            ..Default::default()
        };
        if p.sse_sqs {
            queue.sqs_managed_sse_enabled = Some(true);
        } else {
            queue.kms_master_key_id = Some("alias/aws/sqs".into());
        }
        // Failed work is only worth keeping while the stack that produces
        // it exists; say so explicitly.
        let mut resource = Resource::new(queue)
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete);
        if p.sse_sqs {
            resource = resource.skip_check("CKV_AWS_27", SSE_SQS_REASON);
        }
        template.add_resource(&self.queue_id, resource);
    }

    fn emit_alarm(&self, template: &mut Template) {
        let p = self.props.borrow();
        let target = alarms::resolve(&self.node, p.alarm_topic.as_ref());
        let mut alarm = cloudwatch::Alarm {
            alarm_description: Some(p.alarm_description.clone()),
            namespace: "AWS/SQS".into(),
            metric_name: "ApproximateNumberOfMessagesVisible".into(),
            dimensions: vec![cloudwatch::Dimension {
                name: "QueueName".into(),
                value: Value::get_att(&self.queue_id, "QueueName"),
            }],
            statistic: "Maximum".into(),
            period: 60,
            evaluation_periods: 1,
            threshold: 0.0,
            comparison_operator: "GreaterThanThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        alarms::route(&mut alarm, target.as_ref());
        template.add_resource(&self.alarm_id, Resource::new(alarm));
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let p = self.props.borrow();
        alarms::check_explicit(&self.node, p.alarm_topic.as_ref(), report);
        if p.alarm_description.chars().count() > 1_024 {
            report.error(
                &self.node.path(),
                "the alarm description is longer than CloudWatch's 1,024 characters",
                "shorten the text given to .alarm_description()",
            );
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        self.emit_queue(template);
        self.emit_alarm(template);
        template.add_output(
            format!("{}Url", self.queue_id),
            Output::new(
                Value::reference(&self.queue_id),
                format!("Dead-letter queue {}", self.node.path()),
            ),
        );
    }
}
