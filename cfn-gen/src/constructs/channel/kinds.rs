//! The kinds of notification channel: each one's constructor, its own
//! builder methods, its synth-time checks and the IAM it needs beyond the
//! queue, templates and secrets every channel has.

use cloud_cron_contract::notifier::{
    ChannelConfig, EmailSettings, SecretName, SecretRef, SlackSettings, SmsSender, SmsSettings,
    TeamsSettings, TemplatePart, TwilioAuth, WebhookSettings,
};

use super::{MessageTemplate, NotificationChannel};
use crate::construct::Stack;
use crate::constructs::grant::Grantee;
use crate::constructs::Topic;
use crate::resources::iam;
use crate::validate::{address, Report};
use crate::value::Value;

/// Email through Amazon SES v2: [`NotificationChannel::email`].
#[derive(Debug, Clone, Copy)]
pub struct Email;
/// SMS through Twilio: [`NotificationChannel::sms`].
#[derive(Debug, Clone, Copy)]
pub struct Sms;
/// A Slack incoming webhook: [`NotificationChannel::slack`].
#[derive(Debug, Clone, Copy)]
pub struct Slack;
/// A Microsoft Teams Workflows webhook: [`NotificationChannel::teams`].
#[derive(Debug, Clone, Copy)]
pub struct Teams;
/// A JSON POST to any HTTPS endpoint: [`NotificationChannel::webhook`].
#[derive(Debug, Clone, Copy)]
pub struct Webhook;

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

impl NotificationChannel<Email> {
    /// An email channel on `topic`: SES v2 sends each message to every
    /// recipient, with a subject and an HTML and/or text body.
    pub fn email(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<Email> {
        Self::create(
            stack,
            id,
            topic,
            ChannelConfig::Email(EmailSettings::default()),
        )
    }

    fn email_settings(self, f: impl FnOnce(&mut EmailSettings)) -> Self {
        self.update(|p| {
            if let ChannelConfig::Email(e) = &mut p.config {
                f(e);
            }
        })
    }

    /// The sender, a verified SES identity (the address or its domain):
    /// `me@example.com` or `Me <me@example.com>`. The role may send as
    /// exactly this address and its domain.
    pub fn from(self, sender: impl Into<String>) -> Self {
        let sender = sender.into();
        self.email_settings(|e| e.from = sender)
    }

    /// Recipients.
    pub fn to<I, S>(self, recipients: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let r = strings(recipients);
        self.email_settings(|e| e.to.extend(r))
    }

    /// Copy recipients.
    pub fn cc<I, S>(self, recipients: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let r = strings(recipients);
        self.email_settings(|e| e.cc.extend(r))
    }

    /// Blind copy recipients.
    pub fn bcc<I, S>(self, recipients: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let r = strings(recipients);
        self.email_settings(|e| e.bcc.extend(r))
    }

    /// Reply-to addresses.
    pub fn reply_to<I, S>(self, addresses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let r = strings(addresses);
        self.email_settings(|e| e.reply_to.extend(r))
    }

    /// Send with this SES configuration set (event publishing, dedicated
    /// IPs); the role may use exactly this set.
    pub fn configuration_set(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.email_settings(|e| e.configuration_set = Some(name))
    }

    /// The subject template (rendered as text).
    pub fn subject(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Subject, template.into())
    }

    /// The HTML body template (rendered with HTML auto-escaping).
    pub fn html(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Html, template.into())
    }

    /// The text body template.
    pub fn text(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Text, template.into())
    }
}

impl NotificationChannel<Sms> {
    /// An SMS channel on `topic`: Twilio's Messages API sends each message
    /// to every recipient (at most 1,600 characters).
    pub fn sms(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<Sms> {
        Self::create(
            stack,
            id,
            topic,
            ChannelConfig::Sms(SmsSettings {
                account_sid: String::new(),
                sender: SmsSender::From(String::new()),
                to: Vec::new(),
                auth: TwilioAuth::AuthToken,
            }),
        )
    }

    fn sms_settings(self, f: impl FnOnce(&mut SmsSettings)) -> Self {
        self.update(|p| {
            if let ChannelConfig::Sms(s) = &mut p.config {
                f(s);
            }
        })
    }

    /// The Twilio account SID (`AC...`; not a secret).
    pub fn account_sid(self, sid: impl Into<String>) -> Self {
        let sid = sid.into();
        self.sms_settings(|s| s.account_sid = sid)
    }

    /// Send from this Twilio number (E.164, `+15550001111`).
    pub fn from(self, number: impl Into<String>) -> Self {
        let number = number.into();
        self.sms_settings(|s| s.sender = SmsSender::From(number))
    }

    /// Send through this messaging service (`MG...`) instead of one number.
    pub fn messaging_service(self, sid: impl Into<String>) -> Self {
        let sid = sid.into();
        self.sms_settings(|s| s.sender = SmsSender::MessagingService(sid))
    }

    /// Recipients (E.164).
    pub fn to<I, S>(self, numbers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let n = strings(numbers);
        self.sms_settings(|s| s.to.extend(n))
    }

    /// Authenticate with the account's auth token, kept in SSM or Secrets
    /// Manager.
    pub fn auth_token(self, token: SecretRef) -> Self {
        self.sms_settings(|s| s.auth = TwilioAuth::AuthToken)
            .secret(SecretName::TwilioCredential, token)
    }

    /// Authenticate with an API key: its SID (`SK...`) and its secret, kept
    /// in SSM or Secrets Manager.
    pub fn api_key(self, sid: impl Into<String>, secret: SecretRef) -> Self {
        let sid = sid.into();
        self.sms_settings(|s| s.auth = TwilioAuth::ApiKey { sid })
            .secret(SecretName::TwilioCredential, secret)
    }

    /// The message template.
    pub fn body(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Body, template.into())
    }
}

impl NotificationChannel<Slack> {
    /// A Slack channel on `topic`, through an incoming webhook.
    pub fn slack(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<Slack> {
        Self::create(stack, id, topic, ChannelConfig::Slack(SlackSettings {}))
    }

    /// The incoming webhook's URL, kept in SSM or Secrets Manager (the URL
    /// itself grants posting).
    pub fn webhook_url(self, url: SecretRef) -> Self {
        self.secret(SecretName::WebhookUrl, url)
    }

    /// The message template (Slack `mrkdwn` text).
    pub fn body(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Body, template.into())
    }
}

impl NotificationChannel<Teams> {
    /// A Microsoft Teams channel on `topic`, through a Workflows webhook
    /// posting an Adaptive Card.
    pub fn teams(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<Teams> {
        Self::create(stack, id, topic, ChannelConfig::Teams(TeamsSettings {}))
    }

    /// The Workflows webhook's URL, kept in SSM or Secrets Manager.
    pub fn webhook_url(self, url: SecretRef) -> Self {
        self.secret(SecretName::WebhookUrl, url)
    }

    /// The card's title template.
    pub fn title(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Title, template.into())
    }

    /// The card's text template.
    pub fn body(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Body, template.into())
    }
}

impl NotificationChannel<Webhook> {
    /// A webhook channel on `topic`: a JSON POST per message.
    pub fn webhook(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<Webhook> {
        Self::create(
            stack,
            id,
            topic,
            ChannelConfig::Webhook(WebhookSettings::default()),
        )
    }

    /// The endpoint's URL, kept in SSM or Secrets Manager (URLs often
    /// carry tokens).
    pub fn url(self, url: SecretRef) -> Self {
        self.secret(SecretName::WebhookUrl, url)
    }

    /// Sign every body with HMAC-SHA256 under this key, kept in SSM or
    /// Secrets Manager.
    pub fn signing_key(self, key: SecretRef) -> Self {
        self.update(|p| {
            if let ChannelConfig::Webhook(w) = &mut p.config {
                w.signed = true;
            }
        })
        .secret(SecretName::SigningKey, key)
    }

    /// The JSON body template; without one the envelope itself is posted.
    pub fn body(self, template: impl Into<MessageTemplate>) -> Self {
        self.template(TemplatePart::Body, template.into())
    }
}

/// How to give a missing secret.
pub(super) fn secret_fix(name: SecretName) -> &'static str {
    match name {
        SecretName::TwilioCredential => "call .auth_token(SecretRef::ssm(\"/cloudcron/twilio/token\")) or .api_key(\"SK...\", SecretRef::ssm(...))",
        SecretName::WebhookUrl => "call .webhook_url(SecretRef::ssm(\"/cloudcron/...\")) (.url(...) for a webhook channel) with the URL stored as a SecureString",
        SecretName::SigningKey => "call .signing_key(SecretRef::ssm(\"/cloudcron/.../signing-key\"))",
    }
}

/// The kind-specific synth-time checks.
pub(super) fn validate(path: &str, config: &ChannelConfig, report: &mut Report) {
    let mut bad = |message: String, fix: &str| report.error(path, message, fix);
    match config {
        ChannelConfig::Email(e) => {
            if e.from.is_empty() {
                bad(
                    "the email channel has no sender".into(),
                    "call .from(\"me@example.com\") with an address or domain verified in SES",
                );
            } else if let Err(m) = address::email(&e.from) {
                bad(format!("sender {m}"), "pass a verified SES identity to .from(), e.g. \"me@example.com\" or \"Me <me@example.com>\"");
            }
            let all: Vec<&String> = e.to.iter().chain(&e.cc).chain(&e.bcc).collect();
            if all.is_empty() {
                bad(
                    "the email channel has no recipients".into(),
                    "call .to([\"alice@example.com\"])",
                );
            }
            if all.len() > 50 {
                bad(
                    format!(
                        "{} recipients; SES sends one message to at most 50",
                        all.len()
                    ),
                    "use a mailing list address, or split the recipients over several channels",
                );
            }
            for r in all
                .iter()
                .chain(e.reply_to.iter().collect::<Vec<_>>().iter())
            {
                if let Err(m) = address::email(r) {
                    bad(
                        format!("recipient {m}"),
                        "fix the address given to .to(), .cc(), .bcc() or .reply_to()",
                    );
                }
            }
            if let Some(set) = &e.configuration_set {
                if let Err(m) = address::configuration_set(set) {
                    bad(format!("configuration set {m}"), "pass the name of an existing SES configuration set to .configuration_set()");
                }
            }
        }
        ChannelConfig::Sms(s) => {
            if let Err(m) = address::twilio_sid("AC", &s.account_sid) {
                bad(
                    format!("account SID {m}"),
                    "call .account_sid(\"AC...\") with the SID from the Twilio console",
                );
            }
            match &s.sender {
                SmsSender::From(n) if n.is_empty() => bad(
                    "the SMS channel has no sender".into(),
                    "call .from(\"+15550001111\") or .messaging_service(\"MG...\")",
                ),
                SmsSender::From(n) => {
                    if let Err(m) = address::e164(n) {
                        bad(
                            format!("sender {m}"),
                            "pass your Twilio number in E.164 to .from(), e.g. \"+15550001111\"",
                        );
                    }
                }
                SmsSender::MessagingService(sid) => {
                    if let Err(m) = address::twilio_sid("MG", sid) {
                        bad(
                            format!("messaging service {m}"),
                            "pass the messaging service SID to .messaging_service()",
                        );
                    }
                }
            }
            if s.to.is_empty() {
                bad(
                    "the SMS channel has no recipients".into(),
                    "call .to([\"+15550002222\"])",
                );
            }
            for n in &s.to {
                if let Err(m) = address::e164(n) {
                    bad(
                        format!("recipient {m}"),
                        "pass E.164 numbers to .to(), e.g. \"+15550002222\"",
                    );
                }
            }
            if let TwilioAuth::ApiKey { sid } = &s.auth {
                if let Err(m) = address::twilio_sid("SK", sid) {
                    bad(
                        format!("API key {m}"),
                        "pass the API key's SID (SK...) to .api_key()",
                    );
                }
            }
        }
        ChannelConfig::Slack(_) | ChannelConfig::Teams(_) | ChannelConfig::Webhook(_) => {}
    }
}

/// Grants beyond the queue, templates and secrets: SES sending rights on
/// the sender's identities and the configuration set.
pub(super) fn grant(config: &ChannelConfig, grantee: &dyn Grantee) {
    let ChannelConfig::Email(e) = config else {
        return;
    };
    let Ok(addr) = address::email(&e.from) else {
        return;
    };
    let identity = |name: &str| {
        Value::sub(format!(
            "arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{name}"
        ))
    };
    // SES authorizes against the identity that is verified: the address or its domain.
    let mut resources = vec![identity(addr), identity(address::email_domain(addr))];
    if let Some(set) = &e.configuration_set {
        resources.push(Value::sub(format!(
            "arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:configuration-set/{set}"
        )));
    }
    grantee.add_to_role_policy(iam::Statement::allow(["ses:SendEmail"], resources));
}
