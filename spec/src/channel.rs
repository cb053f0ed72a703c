//! `channels:` of a stack (and `alarms.channels`): notification channels
//! ([`cfn_gen::NotificationChannel`]) of every kind (email, SMS, Slack,
//! Teams, webhook), with templates inline or by file relative to the spec
//! and secrets by reference.
//!
//! One flat type for every kind, with `kind` choosing which keys apply: a
//! key of another kind is an error naming the keys the kind takes (a
//! `kind`-tagged enum would lose serde's line and column inside the
//! channel, since serde buffers a tagged enum's content).

use std::time::Duration;

use cfn_gen::{MessageTemplate, NotificationChannel, RustBinary, TemplatePart, Topic};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;
use crate::task::{image_build, secret, DockerfileSpec, RustBinarySpec};

/// A notification channel: an SQS queue subscribed to a topic, drained by a
/// notifier function that renders each message with templates and delivers it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// The kind of channel; it decides which of the other keys apply.
    #[schemars(example = &"email")]
    pub kind: ChannelKindSpec,
    /// The id of the topic delivered (a topic of this stack, or its ops
    /// topic). Not given under `alarms.channels`.
    #[schemars(example = &"Alerts")]
    pub topic: Option<String>,

    /// email: the sender, a verified SES identity. sms: the sending number.
    #[schemars(example = &"cloud-cron@example.com")]
    pub from: Option<String>,
    /// email: recipient addresses. sms: recipient numbers (E.164).
    #[serde(default)]
    #[schemars(example = vec!["ops@example.com"])]
    pub to: Vec<String>,
    /// email: copy recipients.
    #[serde(default)]
    #[schemars(example = vec!["audit@example.com"])]
    pub cc: Vec<String>,
    /// email: blind copy recipients.
    #[serde(default)]
    #[schemars(example = vec!["archive@example.com"])]
    pub bcc: Vec<String>,
    /// email: reply-to addresses.
    #[serde(default)]
    #[schemars(example = vec!["helpdesk@example.com"])]
    pub reply_to: Vec<String>,
    /// email: the SES configuration set.
    #[schemars(example = &"cloud-cron")]
    pub configuration_set: Option<String>,
    /// email: the subject template.
    #[schemars(example = &"[{{ task }}] {{ payload.text }}")]
    pub subject: Option<TemplateSpec>,
    /// email: the HTML body template.
    #[schemars(example = serde_json::json!({"file": "templates/alert.html.j2"}))]
    pub html: Option<TemplateSpec>,
    /// email: the text body template.
    #[schemars(example = &"{{ payload.text }}")]
    pub text: Option<TemplateSpec>,

    /// sms: the Twilio account SID (`AC...`; not a secret).
    #[schemars(example = &"AC00000000000000000000000000000000")]
    pub account_sid: Option<String>,
    /// sms: send from a Twilio messaging service (`MG...`) instead of `from`.
    #[schemars(example = &"MG00000000000000000000000000000000")]
    pub messaging_service: Option<String>,
    /// sms: the Twilio auth token, by reference (`ssm:/..`, `secretsmanager:..`).
    #[schemars(example = &"ssm:/cloudcron/twilio/token")]
    pub auth_token: Option<String>,
    /// sms: authenticate with a Twilio API key instead of the auth token.
    pub api_key: Option<ApiKeySpec>,

    /// slack, teams: the incoming webhook URL, by reference (it is a secret).
    #[schemars(example = &"ssm:/cloudcron/slack/webhook")]
    pub webhook_url: Option<String>,
    /// webhook: the endpoint URL, by reference.
    #[schemars(example = &"ssm:/cloudcron/webhook/url")]
    pub url: Option<String>,
    /// webhook: the HMAC signing key, by reference.
    #[schemars(example = &"secretsmanager:cloudcron/webhook-signing-key")]
    pub signing_key: Option<String>,
    /// teams: the card title template.
    #[schemars(example = &"{{ task }}")]
    pub title: Option<TemplateSpec>,
    /// sms, slack, teams, webhook: the body template.
    #[schemars(example = &"{{ payload.day }} {{ payload.metric }}: {{ payload.value }}")]
    pub body: Option<TemplateSpec>,

    /// Templates for alarm messages reaching the channel from an ops
    /// topic, by part (`subject`, `text`, `html`, `body`, `title`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"subject": "[{{ alarm.state }}] {{ alarm.task or alarm.name }}", "text": "{{ alarm.reason }}"}))]
    pub alarm_templates: IndexMap<TemplatePartSpec, TemplateSpec>,
    /// Run the notifier from a container image instead of the built-in binary.
    #[schemars(example = &"123456789012.dkr.ecr.eu-west-2.amazonaws.com/notifiers:v1")]
    pub image: Option<String>,
    /// Run another Rust binary as the notifier.
    pub rust_binary: Option<RustBinarySpec>,
    /// Run the notifier from an image `sam build` builds.
    pub dockerfile: Option<DockerfileSpec>,
    /// Run the notifier from an image of the stack's `images`, by id.
    #[schemars(example = &"NotifierImage")]
    pub republished_image: Option<String>,
    /// Deliver only messages whose attributes match this SNS filter policy.
    #[schemars(example = serde_json::json!({"level": ["error"]}))]
    pub filter: Option<serde_json::Value>,
    /// Messages per notifier invocation, 1 to 10.
    #[schemars(example = 10)]
    pub batch_size: Option<u32>,
    /// Receives before a message is dead-lettered, 1 to 1,000.
    #[schemars(example = 5)]
    pub max_receive_count: Option<u32>,
    /// How long a received message stays hidden, in seconds.
    #[schemars(example = 180)]
    pub visibility_timeout_seconds: Option<u64>,
    /// How long an undelivered message stays in the queue, in seconds.
    #[schemars(example = 345_600)]
    pub retention_seconds: Option<u64>,
    /// Cap concurrent notifier invocations (2 to 1,000).
    #[schemars(example = 2)]
    pub maximum_concurrency: Option<u32>,
    /// The `Duration` alarm's threshold in percent of the timeout (1 to
    /// 99, default 80); `0` switches it off.
    #[schemars(example = 80)]
    pub duration_percent: Option<u32>,
    /// The queue-age alarm fires when the oldest message is older than this
    /// many minutes (default 30); `0` switches it off.
    #[schemars(example = 30)]
    pub queue_age_alarm_minutes: Option<u64>,
    /// Send the channel's alarms to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
    /// Deduplicate deliveries durably (DynamoDB), beyond SQS's window.
    #[serde(default)]
    #[schemars(example = false)]
    pub durable_dedup: bool,
    /// Deploy with delivery paused (messages wait in the queue).
    #[serde(default)]
    #[schemars(example = false)]
    pub paused: bool,
}

/// The kinds of channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKindSpec {
    /// Email through SES.
    Email,
    /// SMS through Twilio.
    Sms,
    /// A Slack incoming webhook.
    Slack,
    /// A Microsoft Teams incoming webhook.
    Teams,
    /// An HTTPS webhook (JSON body, optional HMAC signature).
    Webhook,
}

impl ChannelKindSpec {
    fn name(self) -> &'static str {
        match self {
            ChannelKindSpec::Email => "email",
            ChannelKindSpec::Sms => "sms",
            ChannelKindSpec::Slack => "slack",
            ChannelKindSpec::Teams => "teams",
            ChannelKindSpec::Webhook => "webhook",
        }
    }

    /// The kind-specific keys this kind takes.
    fn keys(self) -> &'static [&'static str] {
        match self {
            ChannelKindSpec::Email => &[
                "from",
                "to",
                "cc",
                "bcc",
                "reply_to",
                "configuration_set",
                "subject",
                "html",
                "text",
            ],
            ChannelKindSpec::Sms => &[
                "account_sid",
                "from",
                "messaging_service",
                "to",
                "auth_token",
                "api_key",
                "body",
            ],
            ChannelKindSpec::Slack => &["webhook_url", "body"],
            ChannelKindSpec::Teams => &["webhook_url", "title", "body"],
            ChannelKindSpec::Webhook => &["url", "signing_key", "body"],
        }
    }
}

/// A part of a message that comes from a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplatePartSpec {
    /// An email's subject.
    Subject,
    /// An email's HTML body.
    Html,
    /// An email's text body.
    Text,
    /// The body of an SMS, Slack or Teams message, or a webhook's JSON.
    Body,
    /// A Teams card's title.
    Title,
}

impl From<TemplatePartSpec> for TemplatePart {
    fn from(p: TemplatePartSpec) -> Self {
        match p {
            TemplatePartSpec::Subject => TemplatePart::Subject,
            TemplatePartSpec::Html => TemplatePart::Html,
            TemplatePartSpec::Text => TemplatePart::Text,
            TemplatePartSpec::Body => TemplatePart::Body,
            TemplatePartSpec::Title => TemplatePart::Title,
        }
    }
}

/// A Twilio API key.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySpec {
    /// The key's SID (`SK...`; not a secret).
    #[schemars(example = &"SK00000000000000000000000000000000")]
    pub sid: String,
    /// The key's secret, by reference.
    #[schemars(example = &"ssm:/cloudcron/twilio/api-key-secret")]
    pub secret: String,
}

/// A message template (Jinja2 syntax): the text itself, or where it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TemplateSpec {
    /// The template's text.
    Inline(String),
    /// A template file, relative to this spec file, read at synth.
    File(FileTemplate),
    /// An HTTPS URL the notifier fetches at run time.
    Url(UrlTemplate),
    /// An S3 object the notifier reads at run time.
    S3(S3Template),
}

/// `{ file: PATH }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileTemplate {
    /// The path, relative to this spec file.
    #[schemars(example = &"templates/alert.html.j2")]
    pub file: String,
}

/// `{ url: HTTPS-URL }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrlTemplate {
    /// The URL.
    #[schemars(example = &"https://templates.example.com/alert.txt.j2")]
    pub url: String,
}

/// `{ s3: { bucket, key } }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Template {
    /// The object.
    pub s3: S3Object,
}

/// An S3 object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Object {
    /// The bucket.
    #[schemars(example = &"my-templates")]
    pub bucket: String,
    /// The object key.
    #[schemars(example = &"alerts/body.txt.j2")]
    pub key: String,
}

impl ChannelSpec {
    /// The kind-specific keys given, by name.
    fn given(&self) -> Vec<&'static str> {
        let present = [
            ("from", self.from.is_some()),
            ("to", !self.to.is_empty()),
            ("cc", !self.cc.is_empty()),
            ("bcc", !self.bcc.is_empty()),
            ("reply_to", !self.reply_to.is_empty()),
            ("configuration_set", self.configuration_set.is_some()),
            ("subject", self.subject.is_some()),
            ("html", self.html.is_some()),
            ("text", self.text.is_some()),
            ("account_sid", self.account_sid.is_some()),
            ("messaging_service", self.messaging_service.is_some()),
            ("auth_token", self.auth_token.is_some()),
            ("api_key", self.api_key.is_some()),
            ("webhook_url", self.webhook_url.is_some()),
            ("url", self.url.is_some()),
            ("signing_key", self.signing_key.is_some()),
            ("title", self.title.is_some()),
            ("body", self.body.is_some()),
        ];
        present
            .into_iter()
            .filter_map(|(k, p)| p.then_some(k))
            .collect()
    }
}

/// A template from its spec, file paths relative to the spec file.
fn template(b: &Build, t: &TemplateSpec) -> MessageTemplate {
    match t {
        TemplateSpec::Inline(s) => MessageTemplate::inline(s.as_str()),
        TemplateSpec::File(f) => MessageTemplate::file(b.file_path(&f.file)),
        TemplateSpec::Url(u) => MessageTemplate::url(u.url.as_str()),
        TemplateSpec::S3(s) => MessageTemplate::s3(s.s3.bucket.as_str(), s.s3.key.as_str()),
    }
}

/// Create the channel `id` at spec `path`; `fixed_topic` is the ops topic
/// for `alarms.channels`, else `spec.topic` is resolved in `scope`.
pub(crate) fn build(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    id: &str,
    spec: &ChannelSpec,
    fixed_topic: Option<Topic>,
) {
    let at = |key: &str| join(path, key);
    for key in spec.given() {
        if !spec.kind.keys().contains(&key) {
            b.error(
                &at(key),
                format!(
                    "`{key}` is not a setting of {} channels; they take: {}",
                    spec.kind.name(),
                    spec.kind.keys().join(", ")
                ),
                format!("remove `{key}`, or change `kind`"),
            );
        }
    }
    let topic = match fixed_topic {
        Some(t) => Some(t),
        None => match &spec.topic {
            Some(id) => scope.topic(b, &at("topic"), id),
            None => {
                let known: Vec<&str> = scope.topics.keys().map(String::as_str).collect();
                let example = known.first().copied().unwrap_or("Alerts");
                b.error(
                    path,
                    format!(
                        "channel `{id}` has no `topic`; the stack's topics are: {}",
                        crate::build::list(&known)
                    ),
                    format!("add `topic: {example}`"),
                );
                None
            }
        },
    };
    let Some(topic) = topic else { return };
    let stack = &scope.stack;
    let construct_path = match spec.kind {
        ChannelKindSpec::Email => {
            let mut c = NotificationChannel::email(stack, id, &topic);
            if let Some(f) = &spec.from {
                c = c.from(f);
            }
            if !spec.to.is_empty() {
                c = c.to(spec.to.iter());
            }
            if !spec.cc.is_empty() {
                c = c.cc(spec.cc.iter());
            }
            if !spec.bcc.is_empty() {
                c = c.bcc(spec.bcc.iter());
            }
            if !spec.reply_to.is_empty() {
                c = c.reply_to(spec.reply_to.iter());
            }
            if let Some(s) = &spec.configuration_set {
                c = c.configuration_set(s);
            }
            if let Some(t) = &spec.subject {
                c = c.subject(template(b, t));
            }
            if let Some(t) = &spec.html {
                c = c.html(template(b, t));
            }
            if let Some(t) = &spec.text {
                c = c.text(template(b, t));
            }
            common(b, scope, path, c, spec)
        }
        ChannelKindSpec::Sms => {
            let mut c = NotificationChannel::sms(stack, id, &topic);
            if let Some(s) = &spec.account_sid {
                c = c.account_sid(s);
            }
            if let Some(f) = &spec.from {
                c = c.from(f);
            }
            if let Some(m) = &spec.messaging_service {
                c = c.messaging_service(m);
            }
            if !spec.to.is_empty() {
                c = c.to(spec.to.iter());
            }
            if let Some(t) = &spec.auth_token {
                if let Some(s) = secret(b, &at("auth_token"), t) {
                    c = c.auth_token(s);
                }
            }
            if let Some(k) = &spec.api_key {
                if let Some(s) = secret(b, &join(&at("api_key"), "secret"), &k.secret) {
                    c = c.api_key(&k.sid, s);
                }
            }
            if let Some(t) = &spec.body {
                c = c.body(template(b, t));
            }
            common(b, scope, path, c, spec)
        }
        ChannelKindSpec::Slack => {
            let mut c = NotificationChannel::slack(stack, id, &topic);
            if let Some(u) = &spec.webhook_url {
                if let Some(s) = secret(b, &at("webhook_url"), u) {
                    c = c.webhook_url(s);
                }
            }
            if let Some(t) = &spec.body {
                c = c.body(template(b, t));
            }
            common(b, scope, path, c, spec)
        }
        ChannelKindSpec::Teams => {
            let mut c = NotificationChannel::teams(stack, id, &topic);
            if let Some(u) = &spec.webhook_url {
                if let Some(s) = secret(b, &at("webhook_url"), u) {
                    c = c.webhook_url(s);
                }
            }
            if let Some(t) = &spec.title {
                c = c.title(template(b, t));
            }
            if let Some(t) = &spec.body {
                c = c.body(template(b, t));
            }
            common(b, scope, path, c, spec)
        }
        ChannelKindSpec::Webhook => {
            let mut c = NotificationChannel::webhook(stack, id, &topic);
            if let Some(u) = &spec.url {
                if let Some(s) = secret(b, &at("url"), u) {
                    c = c.url(s);
                }
            }
            if let Some(k) = &spec.signing_key {
                if let Some(s) = secret(b, &at("signing_key"), k) {
                    c = c.signing_key(s);
                }
            }
            if let Some(t) = &spec.body {
                c = c.body(template(b, t));
            }
            common(b, scope, path, c, spec)
        }
    };
    b.construct(construct_path, path);
}

/// The settings every kind shares; returns the construct path.
fn common<K>(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    mut c: NotificationChannel<K>,
    spec: &ChannelSpec,
) -> String {
    let at = |key: &str| join(path, key);
    for (part, t) in &spec.alarm_templates {
        c = c.alarm_template((*part).into(), template(b, t));
    }
    let codes = [
        spec.image.is_some(),
        spec.rust_binary.is_some(),
        spec.dockerfile.is_some(),
        spec.republished_image.is_some(),
    ];
    if codes.iter().filter(|c| **c).count() > 1 {
        b.error(
            path,
            "the channel gives more than one of `image`, `rust_binary`, `dockerfile` and `republished_image`",
            "keep one of them, or none for the built-in notifier",
        );
    }
    if let Some(i) = &spec.image {
        c = c.image(i.as_str());
    } else if let Some(r) = &spec.rust_binary {
        c = c.rust_binary(RustBinary::new(b.file_path(&r.package), &r.binary));
    } else if let Some(d) = &spec.dockerfile {
        c = c.image(image_build(b, d));
    } else if let Some(i) = &spec.republished_image {
        if let Some(image) = scope.image(b, &at("republished_image"), i) {
            c = c.image(&image);
        }
    }
    if let Some(f) = &spec.filter {
        c = c.filter(f.clone());
    }
    if let Some(n) = spec.batch_size {
        c = c.batch_size(n);
    }
    if let Some(n) = spec.max_receive_count {
        c = c.max_receive_count(n);
    }
    if let Some(s) = spec.visibility_timeout_seconds {
        c = c.visibility_timeout(Duration::from_secs(s));
    }
    if let Some(s) = spec.retention_seconds {
        c = c.retention(Duration::from_secs(s));
    }
    if let Some(n) = spec.maximum_concurrency {
        c = c.maximum_concurrency(n);
    }
    if let Some(p) = spec.duration_percent {
        c = c.duration_alarm((p > 0).then_some(p));
    }
    if let Some(m) = spec.queue_age_alarm_minutes {
        c = c.queue_age_alarm((m > 0).then(|| Duration::from_secs(m * 60)));
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &at("alarm_to"), to) {
            c = c.alarm_to(&t);
        }
    }
    if spec.durable_dedup {
        c = c.durable_dedup();
    }
    if spec.paused {
        c = c.paused();
    }
    c.node().path()
}
