//! Slack incoming webhooks.
//!
//! The webhook URL (`https://hooks.slack.com/services/T…/B…/…`) is the
//! secret [`SecretName::WebhookUrl`]: whoever has it can post to the
//! channel. Each message is one request:
//!
//! ```text
//! POST <webhook URL>
//! Content-Type: application/json
//! User-Agent: cloud-cron-notifier/<version>
//!
//! {"text":"<rendered body>"}
//! ```
//!
//! The body is the rendered [`TemplatePart::Body`], sent as Slack `mrkdwn`
//! text. Slack answers `200 ok` when it accepts the message; `429` (with
//! `Retry-After`, passed on as the retry delay) and 5xx are transient; its
//! 4xx answers (`400 invalid_payload`, `400 no_text`, `403 action_prohibited`,
//! `404 no_service`, `410 channel_is_archived`, ...) are permanent, and the
//! error quotes Slack's error code.
//!
//! [`SecretName::WebhookUrl`]: cloud_cron_contract::notifier::SecretName::WebhookUrl

use std::fmt;

use cloud_cron_contract::notifier::{
    ChannelConfig, ChannelKind, SecretName, SlackSettings, TemplatePart,
};
use reqwest::Client;
use secrecy::SecretString;

use super::{prepare, required_part, send, ChannelConfigError, SecretUrl};
use crate::delivery::{Channel, Delivery, DeliveryError};

/// Posts the rendered body to a Slack incoming webhook.
///
/// ```
/// use cloud_cron_notifiers::channels::slack::Slack;
/// use cloud_cron_contract::notifier::SlackSettings;
///
/// let url = "https://hooks.slack.com/services/T000/B000/XXXXXXXX".into();
/// let slack = Slack::new(SlackSettings::default(), url, reqwest::Client::new())?;
/// assert_eq!(format!("{slack:?}"), "Slack { webhook_url: [REDACTED] }");
/// # Ok::<(), cloud_cron_notifiers::channels::ChannelConfigError>(())
/// ```
pub struct Slack {
    client: Client,
    url: SecretUrl,
}

impl Slack {
    /// A channel posting to the webhook `url` (the secret), through `client`.
    /// Fails when the URL is not `https` (or `http` to a loopback host).
    pub fn new(
        settings: SlackSettings,
        url: SecretString,
        client: Client,
    ) -> Result<Slack, ChannelConfigError> {
        let SlackSettings {} = settings;
        Ok(Slack {
            client,
            url: SecretUrl::new(&url, "Slack webhook URL")?,
        })
    }

    /// The JSON body Slack receives for a rendered body `text`.
    ///
    /// ```
    /// use cloud_cron_notifiers::channels::slack::Slack;
    /// assert_eq!(Slack::payload("*hi*"), r#"{"text":"*hi*"}"#);
    /// ```
    pub fn payload(text: &str) -> String {
        serde_json::json!({ "text": text }).to_string()
    }
}

impl fmt::Debug for Slack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slack")
            .field("webhook_url", &self.url)
            .finish()
    }
}

impl Channel for Slack {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let text = required_part(&delivery, TemplatePart::Body, "Slack")?;
        let request = prepare(self.client.post(self.url.expose()), "application/json")
            .body(Slack::payload(text));
        send(request, "Slack", &self.url.redactions()).await
    }
}

impl crate::FromConfig for Slack {
    const KIND: ChannelKind = ChannelKind::Slack;

    fn from_config(
        config: &ChannelConfig,
        secrets: &crate::Secrets,
        _aws: &aws_config::SdkConfig,
    ) -> Result<Slack, crate::ConfigError> {
        let settings = match config {
            ChannelConfig::Slack(s) => Some(s),
            _ => None,
        };
        let url = secrets.require(Self::KIND, SecretName::WebhookUrl)?.clone();
        super::from_http_config(Self::KIND, settings, config, |settings, client| {
            Slack::new(settings, url, client)
        })
    }
}
