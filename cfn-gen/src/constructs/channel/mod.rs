//! `NotificationChannel`: a topic's messages delivered to people, by email,
//! SMS, Slack, Teams or a webhook.
//!
//! Each channel owns its whole wiring, emitted explicitly (never SAM's
//! `SqsSubscription` shortcut): an SQS queue (FIFO when the topic is FIFO)
//! and its dead-letter queue of the same type, the queue policy letting only
//! that topic send, the raw-delivery subscription (optionally filtered on
//! message attributes), the event source mapping with partial batch
//! responses, the notifier function with a least-privilege role, an alarm
//! on the dead-letter queue, and, when needed, SSM parameters holding large
//! templates and a DynamoDB table of delivered ids.
//!
//! The builder for each kind of channel is `NotificationChannel<Kind>`;
//! what every kind shares lives here, what is specific in [`kinds`]. The
//! channel composes a [`Function`], a [`DeadLetterQueue`] and, with
//! `.durable_dedup()`, a [`RecordTable`]. Modules: [`checks`] (synth-time
//! checks), [`shipping`] (how each template reaches the notifier),
//! [`synthesis`] (the queue, subscription, event source and grants).

mod checks;
mod kinds;
mod shipping;
mod synthesis;
mod template;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::notifier::{ChannelConfig, SecretName, SecretRef, TemplatePart};

use crate::builtin_functions::Builtin;
use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms;
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::function::{function_setters, Function, FunctionIds, FunctionSettings};
use crate::constructs::queue::QueueRef;
use crate::constructs::record_table::RecordTable;
use crate::constructs::Topic;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// The default of [`NotificationChannel::queue_age_alarm`].
const DEFAULT_QUEUE_AGE_ALARM: Duration = Duration::from_secs(30 * 60);

pub use kinds::{Email, Slack, Sms, Teams, Webhook};
pub use template::MessageTemplate;

#[derive(Debug, Clone)]
struct Props {
    topic: Topic,
    config: ChannelConfig,
    templates: BTreeMap<TemplatePart, MessageTemplate>,
    alarm_templates: BTreeMap<TemplatePart, MessageTemplate>,
    secrets: BTreeMap<SecretName, SecretRef>,
    filter: Option<serde_json::Value>,
    batch_size: u32,
    max_receive_count: u32,
    visibility_timeout: Option<Duration>,
    retention: Duration,
    maximum_concurrency: Option<u32>,
    durable_dedup: bool,
    enabled: bool,
    duration_alarm: Option<u32>,
    queue_age_alarm: Option<Duration>,
}

struct Inner {
    node: Node,
    function: Function,
    dead_letter: DeadLetterQueue,
    table: RecordTable,
    props: RefCell<Props>,
}

/// A notification channel subscribed to a [`Topic`]: one builder per kind
/// ([`Email`], [`Sms`], [`Slack`], [`Teams`], [`Webhook`]), all sharing the
/// methods below.
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions, NotificationChannel, SecretRef, Stack, Topic};
/// # let notifiers = concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers");
/// // the package with the `notifier-<kind>` binaries (see BuiltinFunctions)
/// let app = App::new().builtin_functions(BuiltinFunctions::package(notifiers));
/// let stack = Stack::new(&app, "Demo");
/// let alerts = Topic::fifo(&stack, "Alerts");
/// NotificationChannel::email(&stack, "AlertEmail", &alerts)
///     .from("me@example.com")
///     .to(["alice@example.com", "bob@example.com"])
///     .subject("[{{ task }}] {{ payload.text }}")
///     .text("{{ payload.text }} (run of {{ scheduled_time }})");
/// NotificationChannel::slack(&stack, "AlertSlack", &alerts)
///     .webhook_url(SecretRef::ssm("/cloudcron/slack/webhook-url"))
///     .body(":rotating_light: {{ payload.text }}");
/// let out = app.synth().expect("valid");
/// assert!(out.stacks[0].text.contains("AWS::Lambda::EventSourceMapping"));
/// ```
///
/// Defaults: the `notifier-<kind>` binary of the package the app's
/// [`BuiltinFunctions`](crate::BuiltinFunctions) names (built by `sam build`
/// with cargo-lambda), 30 s timeout,
/// 256 MB, batches of up to 10 messages, 5 receives before a message is
/// dead-lettered, messages kept 4 days in the queue and 14 days in the
/// dead-letter queue, whose alarm fires on the first message.
pub struct NotificationChannel<K> {
    inner: Rc<Inner>,
    kind: PhantomData<K>,
}

impl<K> Clone for NotificationChannel<K> {
    fn clone(&self) -> Self {
        NotificationChannel {
            inner: self.inner.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> NotificationChannel<K> {
    fn create(
        stack: &Stack,
        id: &str,
        topic: &Topic,
        config: ChannelConfig,
    ) -> NotificationChannel<K> {
        let notifier = stack.builtin_code(Builtin::Notifier(config.kind()));
        let node = stack.claim(id);
        let function = Function::within(
            &node,
            FunctionIds::children(&node, "Function", ""),
            FunctionSettings::new(Duration::from_secs(30), 256)
                .with_code(Code::Builtin(notifier)),
            "call .rust_binary(RustBinary::new(DIR, \"notifier-...\")) or .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO@sha256:DIGEST\")",
            Some("the notifier is invoked synchronously by its SQS event source mapping: a failed message returns to the queue and moves to the channel's dead-letter queue after maxReceiveCount receives"),
        );
        // SNS sends to it (a subscription's redrive), so SSE-SQS; FIFO
        // when the topic is, decided at synth.
        let dead_letter = DeadLetterQueue::within(
            &node,
            format!("{}: a notification could not be delivered after every retry; it is in the dead-letter queue", node.path()),
        )
        .sqs_managed_encryption();
        let inner = Rc::new(Inner {
            table: RecordTable::within(&node, "DedupTable"),
            function,
            dead_letter,
            node,
            props: RefCell::new(Props {
                topic: topic.clone(),
                config,
                templates: BTreeMap::new(),
                alarm_templates: BTreeMap::new(),
                secrets: BTreeMap::new(),
                filter: None,
                batch_size: 10,
                max_receive_count: 5,
                visibility_timeout: None,
                retention: Duration::from_secs(4 * 86_400),
                maximum_concurrency: None,
                durable_dedup: false,
                enabled: true,
                duration_alarm: Some(alarms::DEFAULT_DURATION_PERCENT),
                queue_age_alarm: Some(DEFAULT_QUEUE_AGE_ALARM),
            }),
        });
        stack.add(inner.clone());
        NotificationChannel {
            inner,
            kind: PhantomData,
        }
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> Self {
        f(&mut self.inner.props.borrow_mut());
        self
    }

    fn function_settings(self, f: impl FnOnce(&mut FunctionSettings)) -> Self {
        self.inner.function.update_settings(f);
        self
    }

    fn template(self, part: TemplatePart, template: MessageTemplate) -> Self {
        self.update(|p| {
            p.templates.insert(part, template);
        })
    }

    fn secret(self, name: SecretName, secret: SecretRef) -> Self {
        self.update(|p| {
            p.secrets.insert(name, secret);
        })
    }

    /// Run the notifier from a container image: a private ECR image URI, an
    /// [`ImageBuild`](crate::ImageBuild) (e.g. of `notifiers/Dockerfile`) or
    /// an [`ImageRepublish`](crate::ImageRepublish).
    pub fn image(self, image: impl Into<ImageSource>) -> Self {
        let image = image.into();
        self.function_settings(|s| s.code = Some(Code::Image(image)))
    }

    /// Run another Rust binary as the notifier (it must speak the notifier
    /// contract, `cloud_cron_contract::notifier`).
    pub fn rust_binary(self, code: RustBinary) -> Self {
        self.function_settings(|s| s.code = Some(Code::Rust(code)))
    }

    /// Deliver only messages whose attributes match this SNS filter policy
    /// (a JSON object, e.g. `json!({"level": ["error"]})`), so one topic
    /// can feed several channels.
    pub fn filter(self, policy: serde_json::Value) -> Self {
        self.update(|p| p.filter = Some(policy))
    }

    /// Messages per notifier invocation, 1 to 10.
    pub fn batch_size(self, n: u32) -> Self {
        self.update(|p| p.batch_size = n)
    }

    /// Receives before a message moves to the dead-letter queue (1 to
    /// 1,000); each receive is one delivery attempt.
    pub fn max_receive_count(self, n: u32) -> Self {
        self.update(|p| p.max_receive_count = n)
    }

    /// How long a received message stays hidden; at least 6 times the
    /// function timeout (the default is exactly that).
    pub fn visibility_timeout(self, timeout: Duration) -> Self {
        self.update(|p| p.visibility_timeout = Some(timeout))
    }

    /// How long an undelivered message stays in the queue (60 s to 14 days).
    pub fn retention(self, retention: Duration) -> Self {
        self.update(|p| p.retention = retention)
    }

    /// Cap concurrent notifier invocations (2 to 1,000), e.g. to stay under
    /// a provider's rate limit.
    pub fn maximum_concurrency(self, n: u32) -> Self {
        self.update(|p| p.maximum_concurrency = Some(n))
    }

    /// When the `Duration` alarm fires: a notifier run longer than
    /// `percent` (1 to 99) percent of its timeout, default 80; `None`
    /// switches it off.
    pub fn duration_alarm(self, percent: Option<u32>) -> Self {
        self.update(|p| p.duration_alarm = percent)
    }

    /// When the queue-age alarm fires: the oldest undelivered notification
    /// is older than `age` (default 30 minutes: by then SQS has retried it
    /// `max_receive_count` times), or never (`None`).
    pub fn queue_age_alarm(self, age: Option<Duration>) -> Self {
        self.update(|p| p.queue_age_alarm = age)
    }

    /// Send this construct's alarms (dead-letter depth, queue age, function
    /// errors, throttles and duration) to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> Self {
        // The queue is a shared handle: its builder changes it in place.
        self.inner.dead_letter.clone().alarm_to(topic);
        self
    }

    /// Replace the notifier's default template of `part` for alarm messages:
    /// the CloudWatch alarm notifications and watchdog findings that reach
    /// the channel from an ops topic. Without any, the notifier renders
    /// alarms with its built-in templates for the kind; once one is set, the
    /// channel's alarm templates are exactly those given, so give every part
    /// the kind needs (email: `Subject` and `Text` and/or `Html`; SMS and
    /// Slack: `Body`; Teams: `Body`, optional `Title`; webhook: `Body`).
    /// They see `alarm` (`alarm.title`, `alarm.state`, `alarm.reason`,
    /// `alarm.task`, `alarm.console_url`, ...), `finding` (watchdog findings
    /// only) and `source`, and are checked at synth like the others.
    ///
    /// ```
    /// use cfn_gen::{App, BuiltinFunctions, NotificationChannel, OpsTopic, Stack, TemplatePart};
    /// # let notifiers = concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers");
    /// let app = App::new().builtin_functions(BuiltinFunctions::package(notifiers));
    /// let stack = Stack::new(&app, "Demo");
    /// let ops = OpsTopic::new(&stack, "Ops");
    /// NotificationChannel::email(&stack, "OpsEmail", &ops.topic())
    ///     .from("cloud-cron@example.com")
    ///     .to(["ops@example.com"])
    ///     .subject("{{ payload.title }}")
    ///     .text("{{ payload.text }}")
    ///     .alarm_template(TemplatePart::Subject, "[{{ alarm.state }}] {{ alarm.task or alarm.name }}")
    ///     .alarm_template(TemplatePart::Text, "{{ alarm.reason }}\n{{ alarm.console_url }}");
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT"));
    /// ```
    pub fn alarm_template(self, part: TemplatePart, template: impl Into<MessageTemplate>) -> Self {
        let template = template.into();
        self.update(|p| {
            p.alarm_templates.insert(part, template);
        })
    }

    /// Record every delivered message id in a DynamoDB table, so a message
    /// SNS or SQS delivers twice is sent once however far apart the copies
    /// arrive (without it, duplicates are caught within a warm container).
    pub fn durable_dedup(self) -> Self {
        self.update(|p| p.durable_dedup = true)
    }

    /// Deploy with the event source mapping switched off: messages wait in
    /// the queue (up to the retention period) until it is enabled.
    pub fn paused(self) -> Self {
        self.update(|p| p.enabled = false)
    }

    function_setters!();

    /// Where the channel sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.inner.node
    }

    /// The notifier function: add permissions, variables or grants to it.
    pub fn function(&self) -> &Function {
        &self.inner.function
    }

    /// The channel's queue, for grants (e.g. another publisher's
    /// `grant_send`).
    pub fn queue(&self) -> QueueRef {
        QueueRef::from_arn(self.queue_arn())
    }

    /// The dead-letter queue of undeliverable notifications.
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        &self.inner.dead_letter
    }

    /// The channel queue's ARN.
    pub fn queue_arn(&self) -> Value {
        Value::get_att(self.inner.node.child_logical_id("Queue"), "Arn")
    }

    /// The dead-letter queue's ARN.
    pub fn dead_letter_queue_arn(&self) -> Value {
        self.inner.dead_letter.arn()
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        self.check(report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        self.emit(ctx, template);
    }
}
