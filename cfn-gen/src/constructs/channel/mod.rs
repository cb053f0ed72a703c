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
//! what every kind shares lives here, what is specific in [`kinds`].

mod kinds;
mod secret;
mod template;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::notifier::{
    ChannelConfig, SecretName, SecretRef, TemplatePart, DEDUP_TABLE_ENV,
};

use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::dead_letter::depth_alarm;
use crate::constructs::function::{
    function_setters, synthesize_function, FunctionIds, FunctionParts, FunctionSettings,
};
use crate::constructs::record_table::record_table;
use crate::constructs::Topic;
use crate::resources::{iam, lambda, sns, sqs, ssm};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::validate::{filter_policy, limits, Report};
use crate::value::Value;

pub use kinds::{Email, Slack, Sms, Teams, Webhook};
use template::Loaded;
pub use template::MessageTemplate;

/// The most an SSM parameter (Advanced tier) holds.
const SSM_MAX_BYTES: usize = 8_192;
/// The most a Standard-tier SSM parameter holds.
const SSM_STANDARD_MAX_BYTES: usize = 4_096;

#[derive(Debug, Clone)]
struct Props {
    topic: Topic,
    config: ChannelConfig,
    templates: BTreeMap<TemplatePart, MessageTemplate>,
    secrets: BTreeMap<SecretName, SecretRef>,
    function: FunctionSettings,
    filter: Option<serde_json::Value>,
    batch_size: u32,
    max_receive_count: u32,
    visibility_timeout: Option<Duration>,
    retention: Duration,
    maximum_concurrency: Option<u32>,
    alarm_topic: Option<Topic>,
    durable_dedup: bool,
    enabled: bool,
}

struct Inner {
    node: Node,
    props: RefCell<Props>,
}

/// A notification channel subscribed to a [`Topic`]: one builder per kind
/// ([`Email`], [`Sms`], [`Slack`], [`Teams`], [`Webhook`]), all sharing the
/// methods below.
///
/// ```
/// use cfn_gen::{App, MessageTemplate, NotificationChannel, SecretRef, Stack, Topic};
/// let app = App::new();
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
/// Defaults: the project's own notifier binary for the kind
/// (`notifiers/`, built by `sam build` with cargo-lambda), 30 s timeout,
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
        let binary = format!("notifier-{}", config.kind());
        let mut function = FunctionSettings::new(Duration::from_secs(30), 256);
        function.code = Some(Code::Rust(RustBinary::new(notifiers_dir(), &binary)));
        let inner = Rc::new(Inner {
            node: stack.claim(id),
            props: RefCell::new(Props {
                topic: topic.clone(),
                config,
                templates: BTreeMap::new(),
                secrets: BTreeMap::new(),
                function,
                filter: None,
                batch_size: 10,
                max_receive_count: 5,
                visibility_timeout: None,
                retention: Duration::from_secs(4 * 86_400),
                maximum_concurrency: None,
                alarm_topic: None,
                durable_dedup: false,
                enabled: true,
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
        self.update(|p| p.function.code = Some(Code::Image(image)))
    }

    /// Run another Rust binary as the notifier (it must speak the notifier
    /// contract, `cloud_cron_contract::notifier`).
    pub fn rust_binary(self, code: RustBinary) -> Self {
        self.update(|p| p.function.code = Some(Code::Rust(code)))
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

    /// Send the dead-letter alarm to this topic (e.g. an operators' topic).
    pub fn alarm_to(self, topic: &Topic) -> Self {
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
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

    /// The channel queue's ARN.
    pub fn queue_arn(&self) -> Value {
        Value::get_att(self.inner.node.child_logical_id("Queue"), "Arn")
    }

    /// The dead-letter queue's ARN.
    pub fn dead_letter_queue_arn(&self) -> Value {
        Value::get_att(self.inner.node.child_logical_id("DeadLetterQueue"), "Arn")
    }
}

/// The `notifiers` package of this workspace, which holds one binary per
/// channel kind (`notifier-email`, `notifier-sms`, ...).
fn notifiers_dir() -> PathBuf {
    let cfn_gen = Path::new(env!("CARGO_MANIFEST_DIR"));
    cfn_gen.parent().unwrap_or(cfn_gen).join("notifiers")
}

struct Ids {
    queue: String,
    dlq: String,
    policy: String,
    subscription: String,
    mapping: String,
    alarm: String,
    table: String,
    function: FunctionIds,
}

/// How each template part reaches the notifier.
enum Shipping {
    /// In `CLOUDCRON_TEMPLATE_<PART>_TEXT`.
    Inline(String),
    /// In an SSM parameter the construct creates.
    Parameter(String),
    /// Read at run time from this source setting.
    Source(String),
}

impl Inner {
    fn ids(&self) -> Ids {
        let n = &self.node;
        Ids {
            queue: n.child_logical_id("Queue"),
            dlq: n.child_logical_id("DeadLetterQueue"),
            policy: n.child_logical_id("QueuePolicy"),
            subscription: n.child_logical_id("Subscription"),
            mapping: n.child_logical_id("EventSource"),
            alarm: n.child_logical_id("DeadLetterAlarm"),
            table: n.child_logical_id("DedupTable"),
            function: FunctionIds {
                function: n.child_logical_id("Function"),
                role: n.child_logical_id("Role"),
                log_group: n.child_logical_id("LogGroup"),
            },
        }
    }

    fn parameter_id(&self, part: TemplatePart) -> String {
        self.node
            .child_logical_id(&format!("{}Template", capitalized(part)))
    }

    /// The SSM parameter name of a template part (one per stack and channel).
    fn parameter_name(&self, part: TemplatePart) -> String {
        format!(
            "/cloudcron/${{AWS::StackName}}/{}/{part}",
            self.node.logical_id()
        )
    }

    fn channel_json(p: &Props) -> String {
        // The contract types are plain strings and lists: this serializes.
        serde_json::to_string(&p.config).unwrap_or_default()
    }

    /// Bytes of the variables the construct sets, besides inline templates,
    /// with generated names estimated at their longest.
    fn fixed_env_bytes(&self, p: &Props, sources: &BTreeMap<TemplatePart, Loaded>) -> usize {
        let channel = "CLOUDCRON_CHANNEL".len() + Self::channel_json(p).len();
        let secrets: usize = p
            .secrets
            .iter()
            .map(|(name, r)| name.env_var().len() + r.to_string().len())
            .sum();
        let table = if p.durable_dedup {
            DEDUP_TABLE_ENV.len() + 255
        } else {
            0
        };
        // Every part's source setting: at most an SSM name with a 128-character stack name.
        let settings: usize = sources
            .iter()
            .map(|(part, loaded)| {
                part.env_var().len()
                    + match loaded {
                        Loaded::Source(s) => s.len(),
                        Loaded::Text(_) => "ssm:".len() + self.parameter_name(*part).len() + 128,
                    }
            })
            .sum();
        channel + secrets + table + settings
    }

    /// Loads every template; reports what does not load or compile.
    fn load_templates(
        &self,
        p: &Props,
        report: Option<&mut Report>,
    ) -> BTreeMap<TemplatePart, Loaded> {
        let path = self.node.path();
        let mut loaded = BTreeMap::new();
        let mut problems = Vec::new();
        for (part, t) in &p.templates {
            match template::load(*part, t) {
                Ok(l) => {
                    loaded.insert(*part, l);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(report) = report {
            for (message, fix) in problems {
                report.error(&path, message, fix);
            }
        }
        loaded
    }

    /// Decides how each loaded template ships: inline while the whole
    /// environment stays under Lambda's 4 KB (smallest first), else an SSM
    /// parameter; errors are `(message, fix)`.
    fn ship(
        &self,
        p: &Props,
        loaded: &BTreeMap<TemplatePart, Loaded>,
    ) -> (BTreeMap<TemplatePart, Shipping>, Vec<(String, String)>) {
        let mut budget = limits::MAX_ENVIRONMENT_BYTES
            .saturating_sub(p.function.user_env_bytes())
            .saturating_sub(self.fixed_env_bytes(p, loaded));
        let mut texts: Vec<(usize, TemplatePart, &str)> = Vec::new();
        let mut out = BTreeMap::new();
        for (part, l) in loaded {
            match l {
                Loaded::Source(s) => {
                    out.insert(*part, Shipping::Source(s.clone()));
                }
                Loaded::Text(t) => texts.push((t.len(), *part, t)),
            }
        }
        texts.sort();
        let mut problems = Vec::new();
        for (len, part, text) in texts {
            let cost = part.inline_env_var().len() + len;
            if cost <= budget {
                budget -= cost;
                out.insert(part, Shipping::Inline(text.to_owned()));
            } else if len <= SSM_MAX_BYTES {
                out.insert(part, Shipping::Parameter(text.to_owned()));
            } else {
                problems.push((
                    format!("the {part} template is {len} bytes: too large for the function's environment (4 KB in all) and for an SSM parameter (8 KB)"),
                    "upload it to S3 and use MessageTemplate::s3(BUCKET, KEY), or host it at an HTTPS URL".to_owned(),
                ));
            }
        }
        (out, problems)
    }
}

fn capitalized(part: TemplatePart) -> String {
    let lower = part.to_string();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => lower,
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        let kind = p.config.kind();

        kinds::validate(path, &p.config, report);

        for part in kind.required_parts() {
            if !p.templates.contains_key(part) {
                report.error(
                    path,
                    format!("the {kind} channel has no {part} template"),
                    format!("call .{part}(\"...\") with the template text, or MessageTemplate::file(PATH)"),
                );
            }
        }
        if kind == cloud_cron_contract::notifier::ChannelKind::Email
            && !p.templates.contains_key(&TemplatePart::Html)
            && !p.templates.contains_key(&TemplatePart::Text)
        {
            report.error(
                path,
                "the email channel has neither an HTML nor a text body template",
                "call .html(MessageTemplate::file(PATH)) and/or .text(\"...\")",
            );
        }
        for name in p.config.secrets() {
            if !p.secrets.contains_key(&name) {
                report.error(
                    path,
                    format!(
                        "the {kind} channel has no {} secret",
                        name.as_str().to_ascii_lowercase().replace('_', " ")
                    ),
                    kinds::secret_fix(name),
                );
            }
        }
        for secret in p.secrets.values() {
            if let Err(message) = secret::check(secret) {
                report.error(path, message, "reference an SSM SecureString parameter (SecretRef::ssm(\"/path/name\")) or a Secrets Manager secret (SecretRef::secrets_manager(\"name-or-arn\"))");
            }
        }

        let loaded = self.load_templates(&p, Some(report));
        let (_, problems) = self.ship(&p, &loaded);
        for (message, fix) in problems {
            report.error(path, message, fix);
        }
        p.function.validate(
            &self.node,
            self.fixed_env_bytes(&p, &loaded),
            "call .rust_binary(RustBinary::new(DIR, \"notifier-...\")) or .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO@sha256:DIGEST\")",
            report,
        );

        if !self.node.same_stack(p.topic.node()) {
            report.error(
                path,
                format!("subscribes to topic {} from another stack", p.topic.node().path()),
                "create the channel in the topic's stack, or import the topic with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
            );
        }
        if let Some(topic) = &p.alarm_topic {
            if !self.node.same_stack(topic.node()) {
                report.error(
                    path,
                    format!(
                        "sends its alarm to topic {} from another stack",
                        topic.node().path()
                    ),
                    "export the topic's ARN and import it in this stack with Topic::from_arn",
                );
            }
        }
        if !(1..=10).contains(&p.batch_size) {
            report.error(
                path,
                format!("batch size {} is outside 1 to 10", p.batch_size),
                "pass 1 to 10 to .batch_size() (FIFO queues allow at most 10; a notifier gains nothing from larger batches)",
            );
        }
        if !(1..=1_000).contains(&p.max_receive_count) {
            report.error(
                path,
                format!(
                    "max receive count {} is outside 1 to 1,000",
                    p.max_receive_count
                ),
                "pass 1 to 1,000 to .max_receive_count()",
            );
        }
        let six_times = p.function.timeout.as_secs().saturating_mul(6);
        if let Some(v) = p.visibility_timeout {
            if v.as_secs() < six_times {
                report.error(
                    path,
                    format!("visibility timeout of {} s is under 6 times the function timeout ({six_times} s), so a message can reappear while it is still being delivered", v.as_secs()),
                    format!("raise .visibility_timeout() to at least {six_times} s, or lower .timeout()"),
                );
            }
        }
        if self.visibility_secs(&p) > 43_200 {
            report.error(
                path,
                format!(
                    "visibility timeout of {} s is over SQS's 43,200 s",
                    self.visibility_secs(&p)
                ),
                "lower .timeout() or .visibility_timeout()",
            );
        }
        let retention = p.retention.as_secs();
        if !(60..=1_209_600).contains(&retention) {
            report.error(
                path,
                format!("queue retention of {retention} s is outside 60 s to 14 days"),
                "pass 60 s to 14 days to .retention()",
            );
        }
        if let Some(n) = p.maximum_concurrency {
            if !(2..=1_000).contains(&n) {
                report.error(
                    path,
                    format!("maximum concurrency {n} is outside 2 to 1,000"),
                    "pass 2 to 1,000 to .maximum_concurrency()",
                );
            }
        }
        if let Some(filter) = &p.filter {
            for problem in filter_policy::check(filter, filter_policy::Scope::MessageAttributes) {
                report.error(
                    path,
                    format!("filter policy: {}", problem.message),
                    problem.fix,
                );
            }
        }
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let ids = self.ids();
        let path = self.node.path();
        let fifo = p.topic.is_fifo();
        let queue_arn = Value::get_att(&ids.queue, "Arn");
        let dlq_arn = Value::get_att(&ids.dlq, "Arn");

        template.add_resource(
            &ids.dlq,
            Resource::new(sqs::Queue {
                fifo_queue: fifo.then_some(true),
                message_retention_period: Some(1_209_600),
                sqs_managed_sse_enabled: Some(true),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete)
            .skip_check("CKV_AWS_27", SSE_SQS_REASON),
        );
        template.add_resource(
            &ids.queue,
            Resource::new(sqs::Queue {
                fifo_queue: fifo.then_some(true),
                message_retention_period: u32::try_from(p.retention.as_secs()).ok(),
                visibility_timeout: u32::try_from(self.visibility_secs(&p)).ok(),
                sqs_managed_sse_enabled: Some(true),
                redrive_policy: Some(sqs::RedrivePolicy {
                    dead_letter_target_arn: dlq_arn.clone(),
                    max_receive_count: p.max_receive_count,
                }),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete)
            .skip_check("CKV_AWS_27", SSE_SQS_REASON),
        );
        template.add_resource(
            &ids.alarm,
            depth_alarm(
                format!("{path}: a notification could not be delivered after every retry; it is in the dead-letter queue"),
                &ids.dlq,
                p.alarm_topic.iter().map(Topic::arn).collect(),
            ),
        );
        template.add_resource(
            &ids.policy,
            Resource::new(sqs::QueuePolicy {
                queues: vec![Value::reference(&ids.queue), Value::reference(&ids.dlq)],
                policy_document: iam::PolicyDocument::new(vec![iam::Statement::allow(
                    ["sqs:SendMessage"],
                    vec![queue_arn.clone(), dlq_arn.clone()],
                )
                .principal_service("sns.amazonaws.com")
                .when("ArnEquals", "aws:SourceArn", p.topic.arn())]),
            }),
        );
        template.add_resource(
            &ids.subscription,
            Resource::new(sns::Subscription {
                topic_arn: p.topic.arn(),
                protocol: "sqs",
                endpoint: queue_arn.clone(),
                raw_message_delivery: Some(true),
                filter_policy: p.filter.clone(),
                filter_policy_scope: p.filter.as_ref().map(|_| "MessageAttributes"),
                redrive_policy: Some(sns::SubscriptionRedrivePolicy {
                    dead_letter_target_arn: dlq_arn.clone(),
                }),
            })
            // SNS checks the queue policy when it delivers the confirmation.
            .depends_on(&ids.policy),
        );

        // Templates.
        let loaded = self.load_templates(&p, None);
        let (shipping, _) = self.ship(&p, &loaded);
        let mut env: BTreeMap<String, Value> = BTreeMap::new();
        env.insert(
            "CLOUDCRON_CHANNEL".to_owned(),
            Value::String(Self::channel_json(&p)),
        );
        let mut statements = vec![iam::Statement::allow(
            [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            vec![queue_arn.clone()],
        )];
        let mut parameter_arns = Vec::new();
        let mut objects = Vec::new();
        for (part, how) in &shipping {
            match how {
                Shipping::Inline(text) => {
                    env.insert(
                        part.env_var(),
                        Value::String(format!("env:{}", part.inline_env_var())),
                    );
                    env.insert(part.inline_env_var(), Value::String(text.clone()));
                }
                Shipping::Parameter(text) => {
                    let name = self.parameter_name(*part);
                    template.add_resource(
                        self.parameter_id(*part),
                        Resource::new(ssm::Parameter {
                            name: Some(Value::sub(&name)),
                            parameter_type: "String",
                            value: text.clone(),
                            tier: if text.len() > SSM_STANDARD_MAX_BYTES {
                                "Advanced"
                            } else {
                                "Standard"
                            },
                            description: Some(format!("The {part} template of {path}")),
                        }),
                    );
                    env.insert(part.env_var(), Value::sub(format!("ssm:{name}")));
                    parameter_arns.push(Value::sub(format!(
                        "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{name}"
                    )));
                }
                Shipping::Source(source) => {
                    env.insert(part.env_var(), Value::String(source.clone()));
                    if let Some(object) = source.strip_prefix("s3://") {
                        objects.push(Value::sub(format!("arn:${{AWS::Partition}}:s3:::{object}")));
                    }
                }
            }
        }
        if !parameter_arns.is_empty() {
            statements.push(iam::Statement::allow(["ssm:GetParameter"], parameter_arns));
        }
        if !objects.is_empty() {
            statements.push(iam::Statement::allow(["s3:GetObject"], objects));
        }

        // Secrets: references in the environment, read rights on exactly those.
        for (name, secret) in &p.secrets {
            env.insert(name.env_var(), Value::String(secret.to_string()));
        }
        statements.extend(secret::statements(p.secrets.values()));
        statements.extend(kinds::statements(&p.config));

        if p.durable_dedup {
            template.add_resource(&ids.table, record_table());
            env.insert(DEDUP_TABLE_ENV.to_owned(), Value::reference(&ids.table));
            statements.push(iam::Statement::allow(
                [
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                vec![Value::get_att(&ids.table, "Arn")],
            ));
        }

        synthesize_function(
            ctx,
            template,
            &path,
            &ids.function,
            &p.function,
            FunctionParts {
                statements,
                env,
                event_invoke_config: None,
                dead_letter_reason: "the notifier is invoked synchronously by its SQS event source mapping: a failed message returns to the queue and moves to the channel's dead-letter queue after maxReceiveCount receives",
            },
        );

        template.add_resource(
            &ids.mapping,
            Resource::new(lambda::EventSourceMapping {
                event_source_arn: queue_arn,
                function_name: Value::reference(&ids.function.function),
                batch_size: p.batch_size,
                function_response_types: vec!["ReportBatchItemFailures"],
                maximum_batching_window_in_seconds: None,
                scaling_config: p.maximum_concurrency.map(|n| lambda::ScalingConfig {
                    maximum_concurrency: n,
                }),
                enabled: p.enabled,
            }),
        );

        template.add_output(
            format!("{}Url", ids.queue),
            Output::new(Value::reference(&ids.queue), format!("Queue of {path}")),
        );
        template.add_output(
            format!("{}Url", ids.dlq),
            Output::new(
                Value::reference(&ids.dlq),
                format!("Dead-letter queue of {path}: notifications that failed after every retry"),
            ),
        );
    }
}

impl Inner {
    /// The queue's visibility timeout: as given, or 6 times the function's.
    fn visibility_secs(&self, p: &Props) -> u64 {
        p.visibility_timeout
            .map(|v| v.as_secs())
            .unwrap_or_else(|| p.function.timeout.as_secs().saturating_mul(6))
    }
}

const SSE_SQS_REASON: &str = "encrypted with SSE-SQS (SqsManagedSseEnabled), which checkov does not recognise; SNS cannot publish to a queue encrypted with the AWS managed KMS key for SQS, and a customer managed key would need a key policy for SNS";
