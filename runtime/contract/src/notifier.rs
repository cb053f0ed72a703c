//! The notification-channel contract: the environment a `NotificationChannel`
//! gives its notifier function, and how a notifier reads it.
//!
//! | variable | holds |
//! |---|---|
//! | `CLOUDCRON_CHANNEL` | the channel's settings as JSON, a [`ChannelConfig`]; never a secret |
//! | `CLOUDCRON_TEMPLATE_<PART>` | where template part `<PART>` ([`TemplatePart`]) comes from: a template source setting (`env:NAME`, `ssm:NAME`, `file:PATH`, `https://...`, `s3://BUCKET/KEY`) |
//! | `CLOUDCRON_TEMPLATE_<PART>_TEXT` | the template's text, when the construct ships it inline; `CLOUDCRON_TEMPLATE_<PART>` is then `env:CLOUDCRON_TEMPLATE_<PART>_TEXT` |
//! | `CLOUDCRON_TEMPLATE_ALARM_<PART>` (and `..._TEXT`) | optional: the same for alarm messages (CloudWatch alarm notifications, watchdog findings); without any, the notifier's default alarm templates for the kind are used |
//! | `CLOUDCRON_SECRET_<NAME>` | where secret `<NAME>` ([`SecretName`]) lives: a [`SecretRef`], `ssm:NAME` (a SecureString parameter) or `secretsmanager:ARN-OR-NAME` |
//! | `CLOUDCRON_DEDUP_TABLE` | optional: the DynamoDB table recording delivered message ids (key [`super::IDEMPOTENCY_KEY_ATTRIBUTE`], TTL [`super::IDEMPOTENCY_TTL_ATTRIBUTE`]) |
//!
//! ```
//! use cloud_cron_contract::notifier::{ChannelConfig, EmailSettings, TemplatePart};
//! let config = ChannelConfig::Email(EmailSettings {
//!     from: "me@example.com".into(),
//!     to: vec!["alice@example.com".into()],
//!     ..EmailSettings::default()
//! });
//! let json = serde_json::to_string(&config).unwrap();
//! assert!(json.starts_with(r#"{"kind":"email","from":"me@example.com""#));
//! assert_eq!(TemplatePart::Subject.env_var(), "CLOUDCRON_TEMPLATE_SUBJECT");
//! ```

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// The variable holding the channel's [`ChannelConfig`] as JSON.
pub const CHANNEL_ENV: &str = "CLOUDCRON_CHANNEL";

/// The prefix of the variables naming template sources.
pub const TEMPLATE_ENV_PREFIX: &str = "CLOUDCRON_TEMPLATE_";

/// The prefix of the variables naming secrets.
pub const SECRET_ENV_PREFIX: &str = "CLOUDCRON_SECRET_";

/// The variable naming the optional DynamoDB table of delivered message ids.
pub const DEDUP_TABLE_ENV: &str = "CLOUDCRON_DEDUP_TABLE";

/// Twilio's limit on one message body, in characters.
pub const SMS_MAX_CHARS: usize = 1_600;

/// The key under which a channel records that it delivered the message with
/// envelope id `id` (in the table named by [`DEDUP_TABLE_ENV`]).
///
/// ```
/// use cloud_cron_contract::notifier::delivery_key;
/// assert_eq!(delivery_key("abc"), "delivery#abc");
/// ```
pub fn delivery_key(id: &str) -> String {
    format!("delivery#{id}")
}

/// A channel's settings: which kind it is and where it delivers. Secrets are
/// never here; they are [`SecretRef`]s in `CLOUDCRON_SECRET_<NAME>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ChannelConfig {
    /// Email through Amazon SES v2.
    Email(EmailSettings),
    /// SMS through Twilio's Messages API.
    Sms(SmsSettings),
    /// A Slack incoming webhook (URL in secret [`SecretName::WebhookUrl`]).
    Slack(SlackSettings),
    /// A Microsoft Teams Workflows webhook posting an Adaptive Card (URL in
    /// secret [`SecretName::WebhookUrl`]).
    Teams(TeamsSettings),
    /// A JSON POST to any HTTPS endpoint (URL in secret
    /// [`SecretName::WebhookUrl`], optional HMAC key in
    /// [`SecretName::SigningKey`]).
    Webhook(WebhookSettings),
}

impl ChannelConfig {
    /// The kind of channel.
    pub fn kind(&self) -> ChannelKind {
        match self {
            ChannelConfig::Email(_) => ChannelKind::Email,
            ChannelConfig::Sms(_) => ChannelKind::Sms,
            ChannelConfig::Slack(_) => ChannelKind::Slack,
            ChannelConfig::Teams(_) => ChannelKind::Teams,
            ChannelConfig::Webhook(_) => ChannelKind::Webhook,
        }
    }

    /// The secrets this channel reads at run time.
    pub fn secrets(&self) -> Vec<SecretName> {
        match self {
            ChannelConfig::Email(_) => Vec::new(),
            ChannelConfig::Sms(_) => vec![SecretName::TwilioCredential],
            ChannelConfig::Slack(_) | ChannelConfig::Teams(_) => vec![SecretName::WebhookUrl],
            ChannelConfig::Webhook(w) if w.signed => {
                vec![SecretName::WebhookUrl, SecretName::SigningKey]
            }
            ChannelConfig::Webhook(_) => vec![SecretName::WebhookUrl],
        }
    }
}

/// The kinds of channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// [`ChannelConfig::Email`].
    Email,
    /// [`ChannelConfig::Sms`].
    Sms,
    /// [`ChannelConfig::Slack`].
    Slack,
    /// [`ChannelConfig::Teams`].
    Teams,
    /// [`ChannelConfig::Webhook`].
    Webhook,
}

impl ChannelKind {
    /// The name used in the JSON `kind` field and in notifier binary names
    /// (`notifier-<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Sms => "sms",
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Webhook => "webhook",
        }
    }

    /// The template parts this kind must have.
    pub fn required_parts(self) -> &'static [TemplatePart] {
        match self {
            ChannelKind::Email => &[TemplatePart::Subject],
            ChannelKind::Sms | ChannelKind::Slack | ChannelKind::Teams => &[TemplatePart::Body],
            ChannelKind::Webhook => &[],
        }
    }

    /// The template parts this kind may have. An email needs an HTML or a
    /// text body (or both); a webhook without a body template posts the
    /// envelope itself.
    pub fn optional_parts(self) -> &'static [TemplatePart] {
        match self {
            ChannelKind::Email => &[TemplatePart::Html, TemplatePart::Text],
            ChannelKind::Teams => &[TemplatePart::Title],
            ChannelKind::Webhook => &[TemplatePart::Body],
            ChannelKind::Sms | ChannelKind::Slack => &[],
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Email settings (SES v2 `SendEmail`, simple content).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmailSettings {
    /// The sender: a verified SES identity (`me@example.com`, or
    /// `Name <me@example.com>`).
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Copy recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// Blind copy recipients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bcc: Vec<String>,
    /// Reply-to addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_to: Vec<String>,
    /// The SES configuration set to send with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_set: Option<String>,
}

/// SMS settings (Twilio Messages API). One message per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SmsSettings {
    /// The Twilio account SID (`AC` + 32 hex digits); not a secret.
    pub account_sid: String,
    /// Who the message is from.
    pub sender: SmsSender,
    /// Recipients, E.164 (`+15550002222`).
    pub to: Vec<String>,
    /// How the notifier authenticates; the secret is
    /// [`SecretName::TwilioCredential`].
    pub auth: TwilioAuth,
}

/// The sender of an SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SmsSender {
    /// A Twilio phone number, E.164 (Twilio's `From`).
    From(String),
    /// A messaging service SID, `MG` + 32 hex digits (Twilio's
    /// `MessagingServiceSid`).
    MessagingService(String),
}

/// Twilio credentials: HTTP basic auth as `account SID : auth token`, or
/// `API key SID : API key secret`. The token or key secret is the secret
/// [`SecretName::TwilioCredential`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TwilioAuth {
    /// The account's auth token.
    AuthToken,
    /// An API key: its SID (`SK` + 32 hex digits) here, its secret in the
    /// secret store.
    ApiKey {
        /// The API key's SID.
        sid: String,
    },
}

/// Slack incoming-webhook settings: the webhook URL is the secret
/// [`SecretName::WebhookUrl`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SlackSettings {}

/// Microsoft Teams Workflows-webhook settings: the URL is the secret
/// [`SecretName::WebhookUrl`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TeamsSettings {}

/// Generic webhook settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettings {
    /// Sign each body with HMAC-SHA256 under the secret
    /// [`SecretName::SigningKey`].
    #[serde(default)]
    pub signed: bool,
}

/// A part of a channel's message that comes from a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TemplatePart {
    /// An email's subject (text).
    Subject,
    /// An email's HTML body (rendered with HTML auto-escaping).
    Html,
    /// An email's text body.
    Text,
    /// The body of an SMS, a Slack or Teams message, or a webhook's JSON.
    Body,
    /// A Teams card's title.
    Title,
}

impl TemplatePart {
    /// Every part.
    pub const ALL: [TemplatePart; 5] = [
        TemplatePart::Subject,
        TemplatePart::Html,
        TemplatePart::Text,
        TemplatePart::Body,
        TemplatePart::Title,
    ];

    /// The upper-case name used in variable names (`SUBJECT`).
    pub fn as_str(self) -> &'static str {
        match self {
            TemplatePart::Subject => "SUBJECT",
            TemplatePart::Html => "HTML",
            TemplatePart::Text => "TEXT",
            TemplatePart::Body => "BODY",
            TemplatePart::Title => "TITLE",
        }
    }

    /// Whether the part is HTML, rendered with auto-escaping.
    pub fn is_html(self) -> bool {
        self == TemplatePart::Html
    }

    /// The variable holding the part's template source setting.
    pub fn env_var(self) -> String {
        format!("{TEMPLATE_ENV_PREFIX}{}", self.as_str())
    }

    /// The variable holding the part's text when it is shipped inline.
    pub fn inline_env_var(self) -> String {
        format!("{TEMPLATE_ENV_PREFIX}{}_TEXT", self.as_str())
    }

    /// The variable holding the template source of the part for alarm
    /// messages (CloudWatch alarm notifications and watchdog findings):
    /// `CLOUDCRON_TEMPLATE_ALARM_<PART>`. When no alarm part is set, the
    /// notifier renders alarms with its default templates for the channel kind.
    ///
    /// ```
    /// use cloud_cron_contract::notifier::TemplatePart;
    /// assert_eq!(TemplatePart::Subject.alarm_env_var(), "CLOUDCRON_TEMPLATE_ALARM_SUBJECT");
    /// ```
    pub fn alarm_env_var(self) -> String {
        format!(
            "{TEMPLATE_ENV_PREFIX}{ALARM_TEMPLATE_INFIX}{}",
            self.as_str()
        )
    }

    /// The variable holding the alarm part's text when it is shipped inline.
    pub fn alarm_inline_env_var(self) -> String {
        format!(
            "{TEMPLATE_ENV_PREFIX}{ALARM_TEMPLATE_INFIX}{}_TEXT",
            self.as_str()
        )
    }
}

/// What follows [`TEMPLATE_ENV_PREFIX`] in the variables of alarm templates.
pub const ALARM_TEMPLATE_INFIX: &str = "ALARM_";

impl fmt::Display for TemplatePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().to_ascii_lowercase())
    }
}

/// The secrets a notifier may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretName {
    /// Twilio's auth token or API key secret.
    TwilioCredential,
    /// A Slack, Teams or generic webhook URL (the URL itself grants posting).
    WebhookUrl,
    /// The HMAC key a generic webhook signs bodies with.
    SigningKey,
}

impl SecretName {
    /// The upper-case name used in the variable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::TwilioCredential => "TWILIO_CREDENTIAL",
            SecretName::WebhookUrl => "WEBHOOK_URL",
            SecretName::SigningKey => "SIGNING_KEY",
        }
    }

    /// The variable holding where the secret lives (a [`SecretRef`]).
    pub fn env_var(self) -> String {
        format!("{SECRET_ENV_PREFIX}{}", self.as_str())
    }
}

/// Where a secret lives. Only the reference is ever in a template or an
/// environment variable; the notifier reads the value at run time.
///
/// ```
/// use cloud_cron_contract::notifier::SecretRef;
/// let r: SecretRef = "ssm:/cloudcron/twilio/token".parse().unwrap();
/// assert_eq!(r, SecretRef::Ssm { name: "/cloudcron/twilio/token".into() });
/// assert_eq!(r.to_string(), "ssm:/cloudcron/twilio/token");
/// assert!("hunter2".parse::<SecretRef>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretRef {
    /// An SSM Parameter Store SecureString parameter, read with decryption.
    Ssm {
        /// The parameter's name (`/cloudcron/twilio/token`).
        name: String,
    },
    /// A Secrets Manager secret's `SecretString`.
    SecretsManager {
        /// The secret's name or ARN.
        id: String,
    },
}

impl SecretRef {
    /// An SSM Parameter Store SecureString parameter.
    pub fn ssm(name: impl Into<String>) -> SecretRef {
        SecretRef::Ssm { name: name.into() }
    }

    /// A Secrets Manager secret, by name or ARN.
    pub fn secrets_manager(id: impl Into<String>) -> SecretRef {
        SecretRef::SecretsManager { id: id.into() }
    }
}

/// A secret reference that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("secret reference `{text}` is invalid: {reason}; write ssm:/PARAMETER/NAME or secretsmanager:NAME-OR-ARN")]
pub struct InvalidSecretRef {
    /// The text as given (never a secret value: references only).
    pub text: String,
    /// What is wrong.
    pub reason: &'static str,
}

impl FromStr for SecretRef {
    type Err = InvalidSecretRef;

    fn from_str(text: &str) -> Result<SecretRef, InvalidSecretRef> {
        let invalid = |reason| InvalidSecretRef {
            // Keep only the scheme: an unparseable value might be the secret itself.
            text: match text.split_once(':') {
                Some((scheme, _)) => format!("{scheme}:…"),
                None => "…".to_owned(),
            },
            reason,
        };
        let (scheme, rest) = text
            .split_once(':')
            .ok_or_else(|| invalid("it has no `ssm:` or `secretsmanager:` prefix"))?;
        if rest.is_empty() {
            return Err(invalid("the name is empty"));
        }
        if rest.chars().any(char::is_whitespace) {
            return Err(invalid("the name contains white space"));
        }
        match scheme {
            "ssm" => Ok(SecretRef::Ssm {
                name: rest.to_owned(),
            }),
            "secretsmanager" => Ok(SecretRef::SecretsManager {
                id: rest.to_owned(),
            }),
            _ => Err(invalid(
                "the prefix is neither `ssm:` nor `secretsmanager:`",
            )),
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Ssm { name } => write!(f, "ssm:{name}"),
            SecretRef::SecretsManager { id } => write!(f, "secretsmanager:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_round_trip_with_stable_json() {
        let sms = ChannelConfig::Sms(SmsSettings {
            account_sid: "AC0123".into(),
            sender: SmsSender::From("+15550001111".into()),
            to: vec!["+15550002222".into()],
            auth: TwilioAuth::ApiKey { sid: "SK1".into() },
        });
        let json = serde_json::to_string(&sms).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"sms","accountSid":"AC0123","sender":{"from":"+15550001111"},"to":["+15550002222"],"auth":{"type":"apiKey","sid":"SK1"}}"#
        );
        assert_eq!(serde_json::from_str::<ChannelConfig>(&json).unwrap(), sms);
        let slack: ChannelConfig = serde_json::from_str(r#"{"kind":"slack"}"#).unwrap();
        assert_eq!(slack.secrets(), vec![SecretName::WebhookUrl]);
        let hook: ChannelConfig =
            serde_json::from_str(r#"{"kind":"webhook","signed":true}"#).unwrap();
        assert_eq!(
            hook.secrets(),
            vec![SecretName::WebhookUrl, SecretName::SigningKey]
        );
    }

    #[test]
    fn variable_names() {
        assert_eq!(
            TemplatePart::Html.inline_env_var(),
            "CLOUDCRON_TEMPLATE_HTML_TEXT"
        );
        assert_eq!(
            SecretName::TwilioCredential.env_var(),
            "CLOUDCRON_SECRET_TWILIO_CREDENTIAL"
        );
    }

    #[test]
    fn secret_refs_parse_and_never_echo_a_value() {
        assert_eq!(
            "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf"
                .parse::<SecretRef>()
                .unwrap(),
            SecretRef::SecretsManager {
                id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf".into()
            }
        );
        let err = "https://hooks.slack.com/services/T/B/SECRET"
            .parse::<SecretRef>()
            .unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
        assert!("ssm:".parse::<SecretRef>().is_err());
    }
}
