//! [`WorkQueue`]: an SQS queue of work for a consumer function, with its
//! dead-letter queue, the event source mapping that feeds the function
//! batches (partial batch failures on), the grants on it, and its alarms.
//!
//! The builder lives here; [`checks`] holds the synth-time checks and
//! [`synthesis`] the resources. The consumer is a [`Function`] the user
//! creates (and the stack emits); the work queue adds to it the right to
//! consume exactly this queue.

mod checks;
mod synthesis;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms::FunctionRole;
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::function::Function;
use crate::constructs::grant::Grantee;
use crate::constructs::queue::QueueRef;
use crate::constructs::Topic;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// Why a queue consumer needs no function dead-letter queue (checkov CKV_AWS_116).
const CONSUMER_DLQ_REASON: &str = "invoked synchronously by its SQS event source mapping: a failed message returns to the work queue and moves to the work queue's dead-letter queue after maxReceiveCount receives";

#[derive(Debug, Clone)]
struct Props {
    fifo: bool,
    queue_name: Option<String>,
    content_based_deduplication: bool,
    consumer: Option<Function>,
    batch_size: u32,
    batching_window: Option<Duration>,
    max_receive_count: u32,
    visibility_timeout: Option<Duration>,
    retention: Duration,
    maximum_concurrency: Option<u32>,
    age_alarm: Duration,
    alarm_topic: Option<Topic>,
    enabled: bool,
    /// Set by a construct that builds its queue from this one and checks the
    /// knobs it exposes under its own names ([`WorkQueue::owned_by`]).
    owner: Option<Owner>,
}

/// What an owning construct changes: the consumer's alarm texts, and which
/// checks it runs itself (so an error names the owner's path and setter).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    /// How the consumer's errors, throttles and duration alarms describe it.
    pub(crate) consumer_role: FunctionRole,
}

struct Inner {
    node: Node,
    dead_letter: DeadLetterQueue,
    props: RefCell<Props>,
}

/// An SQS work queue (standard or FIFO) consumed by a [`Function`]: the
/// queue encrypted with SSE-SQS, its dead-letter queue, an event source
/// mapping reporting partial batch failures (`ReportBatchItemFailures`, what
/// `cloud_cron_sqs_batch` answers), and the alarms a channel has: a message
/// in the dead-letter queue, the oldest message too old, the consumer's
/// errors and throttles.
///
/// ```
/// use std::time::Duration;
/// use cfn_gen::{App, Function, OpsTopic, Stack, WorkQueue};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// stack.alarms_to(&OpsTopic::new(&stack, "Operators"));
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1")
///     .timeout(Duration::from_secs(60));
/// let intake = Function::new(&stack, "Intake")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/intake:v1");
/// let entries = WorkQueue::fifo(&stack, "Entries")
///     .consumer(&worker)
///     .maximum_concurrency(5);
/// entries.grant_send(&intake);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("ReportBatchItemFailures"));
/// assert!(text.contains("VisibilityTimeout: 360")); // 6 x the consumer's 60 s
/// ```
///
/// Defaults: batches of up to 10 messages, 5 receives before a message is
/// dead-lettered, a visibility timeout of 6 times the consumer's timeout
/// (AWS's guidance for SQS event sources), messages kept 4 days in the
/// queue and 14 days in the dead-letter queue, the age alarm at 30 minutes.
/// Producers get the right to send with [`grant_send`](WorkQueue::grant_send)
/// and the queue's URL with [`url`](WorkQueue::url) and
/// [`Function::add_environment`].
#[derive(Clone)]
pub struct WorkQueue(Rc<Inner>);

impl WorkQueue {
    /// A standard queue: at-least-once, best-effort order.
    pub fn standard(stack: &Stack, id: &str) -> WorkQueue {
        WorkQueue::create(stack, id, false)
    }

    /// A FIFO queue: in order within a message group, a message
    /// deduplication id dropping repeats for 5 minutes.
    pub fn fifo(stack: &Stack, id: &str) -> WorkQueue {
        WorkQueue::create(stack, id, true)
    }

    fn create(stack: &Stack, id: &str, fifo: bool) -> WorkQueue {
        let node = stack.claim(id);
        let dead_letter = DeadLetterQueue::within(
            &node,
            format!(
                "{}: a message failed after every retry and is in the work queue's dead-letter queue: work that did not happen. Read the consumer's logs, fix the cause, and redrive the dead-letter queue.",
                node.path()
            ),
        )
        .sqs_managed_encryption();
        let inner = Rc::new(Inner {
            node,
            dead_letter,
            props: RefCell::new(Props {
                fifo,
                queue_name: None,
                content_based_deduplication: false,
                consumer: None,
                batch_size: 10,
                batching_window: None,
                max_receive_count: 5,
                visibility_timeout: None,
                retention: Duration::from_secs(4 * 86_400),
                maximum_concurrency: None,
                age_alarm: Duration::from_secs(1_800),
                alarm_topic: None,
                enabled: true,
                owner: None,
            }),
        });
        stack.add(inner.clone());
        WorkQueue(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> WorkQueue {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// The function that processes the queue's messages: it is invoked
    /// with batches through an event source mapping and may consume
    /// exactly this queue (receive, delete, change visibility).
    pub fn consumer(self, function: &Function) -> WorkQueue {
        self.queue().grant_consume(function);
        function.set_dead_letter_reason(CONSUMER_DLQ_REASON);
        let function = function.clone();
        self.update(|p| p.consumer = Some(function))
    }

    /// A fixed queue name (otherwise CloudFormation generates one); a FIFO
    /// queue's ends in `.fifo`.
    pub fn queue_name(self, name: impl Into<String>) -> WorkQueue {
        let name = name.into();
        self.update(|p| p.queue_name = Some(name))
    }

    /// FIFO only: deduplicate on the SHA-256 of the body when a producer
    /// sends no deduplication id.
    pub fn content_based_deduplication(self) -> WorkQueue {
        self.update(|p| p.content_based_deduplication = true)
    }

    /// Messages per invocation: 1 to 10 on a FIFO queue, 1 to 10,000 on a
    /// standard one (more than 10 needs a [`batching_window`](WorkQueue::batching_window)).
    pub fn batch_size(self, n: u32) -> WorkQueue {
        self.update(|p| p.batch_size = n)
    }

    /// Standard queues only: wait up to this long (0 to 300 whole seconds)
    /// to gather a full batch.
    pub fn batching_window(self, window: Duration) -> WorkQueue {
        self.update(|p| p.batching_window = Some(window))
    }

    /// Receives before a message moves to the dead-letter queue (1 to 1,000).
    pub fn max_receive_count(self, n: u32) -> WorkQueue {
        self.update(|p| p.max_receive_count = n)
    }

    /// How long a received message stays hidden; at least the consumer's
    /// timeout, and 6 times it by default.
    pub fn visibility_timeout(self, timeout: Duration) -> WorkQueue {
        self.update(|p| p.visibility_timeout = Some(timeout))
    }

    /// How long an unprocessed message stays in the queue (60 s to 14 days).
    pub fn retention(self, retention: Duration) -> WorkQueue {
        self.update(|p| p.retention = retention)
    }

    /// Cap concurrent consumer invocations (2 to 1,000), e.g. to stay
    /// under a downstream API's rate limit.
    pub fn maximum_concurrency(self, n: u32) -> WorkQueue {
        self.update(|p| p.maximum_concurrency = Some(n))
    }

    /// Fire the age alarm when the oldest message has waited longer than
    /// this (60 s to the retention period; default 30 minutes).
    pub fn age_alarm_after(self, age: Duration) -> WorkQueue {
        self.update(|p| p.age_alarm = age)
    }

    /// Send this construct's alarms (dead-letter depth, message age,
    /// consumer errors and throttles) to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> WorkQueue {
        self.0.dead_letter.clone().alarm_to(topic);
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
    }

    /// Deploy with the event source mapping switched off: messages wait in
    /// the queue (up to the retention period) until it is enabled.
    pub fn paused(self) -> WorkQueue {
        self.update(|p| p.enabled = false)
    }

    /// Built into another construct (a [`SyncPipeline`](crate::SyncPipeline)'s queue):
    /// the consumer's alarms describe it as `owner.consumer_role`, and batch size,
    /// receive count, concurrency, visibility and age alarm bounds are left to the
    /// owner's checks, which name its own path and setters.
    pub(crate) fn owned_by(self, owner: Owner) -> WorkQueue {
        self.update(|p| p.owner = Some(owner))
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// Whether it is a FIFO queue.
    pub fn is_fifo(&self) -> bool {
        self.0.props.borrow().fifo
    }

    /// The queue, for grants.
    pub fn queue(&self) -> QueueRef {
        QueueRef::from_arn(self.arn())
    }

    /// The queue's ARN.
    pub fn arn(&self) -> Value {
        Value::get_att(self.0.queue_id(), "Arn")
    }

    /// The queue's URL (what producers send to).
    pub fn url(&self) -> Value {
        Value::reference(self.0.queue_id())
    }

    /// The dead-letter queue of messages that failed after every retry.
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        &self.0.dead_letter
    }

    /// Let `grantee` send messages: `sqs:SendMessage` on exactly this queue.
    pub fn grant_send(&self, grantee: &dyn Grantee) {
        self.queue().grant_send(grantee);
    }
}

impl Inner {
    /// The queue's logical ID: the construct's own.
    fn queue_id(&self) -> String {
        self.node.logical_id()
    }

    /// The visibility timeout: as given, or 6 times the consumer's timeout.
    fn visibility_secs(&self, p: &Props) -> u64 {
        p.visibility_timeout
            .map(|v| v.as_secs())
            .unwrap_or_else(|| {
                p.consumer
                    .as_ref()
                    .map_or(30, |f| f.settings().timeout.as_secs())
                    .saturating_mul(6)
            })
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
