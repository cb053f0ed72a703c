//! Microsoft Teams, through a Workflows ("Post to a channel when a webhook
//! request is received") webhook.
//!
//! The workflow's HTTP trigger URL (it carries a `sig=` signature in its
//! query) is the secret [`SecretName::WebhookUrl`]. Each message is one
//! request with one Adaptive Card:
//!
//! ```text
//! POST <workflow URL>
//! Content-Type: application/json
//! User-Agent: cloud-cron-notifier/<version>
//!
//! {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
//!   "contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",
//!   "type":"AdaptiveCard","version":"1.4","body":[
//!     {"type":"TextBlock","text":"<title>","weight":"Bolder","size":"Medium","wrap":true},
//!     {"type":"TextBlock","text":"<body>","wrap":true}]}}]}
//! ```
//!
//! The title block is there only when a [`TemplatePart::Title`] template is
//! rendered (and not blank); the body is the rendered [`TemplatePart::Body`]
//! (TextBlocks support a subset of Markdown). Workflows answer `202
//! Accepted` (any 2xx is success); `408`, `429` (with `Retry-After`) and 5xx
//! are transient; other 4xx (a deleted or disabled flow, a bad signature, a
//! card it cannot parse) are permanent.
//!
//! [`SecretName::WebhookUrl`]: cloud_cron_contract::notifier::SecretName::WebhookUrl

use std::fmt;

use cloud_cron_contract::notifier::{
    ChannelConfig, ChannelKind, SecretName, TeamsSettings, TemplatePart,
};
use reqwest::Client;
use secrecy::SecretString;
use serde_json::{json, Value};

use super::{prepare, required_part, send, ChannelConfigError, SecretUrl};
use crate::delivery::{Channel, Delivery, DeliveryError};

/// The Adaptive Card schema version the cards declare (Teams renders up to
/// 1.5 on desktop; 1.4 is safe on every client).
pub const ADAPTIVE_CARD_VERSION: &str = "1.4";

/// Posts an Adaptive Card to a Teams Workflows webhook.
///
/// ```
/// use cloud_cron_notifiers::channels::teams::Teams;
/// use cloud_cron_contract::notifier::TeamsSettings;
///
/// let url = "https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=XXXXXXXX".into();
/// let teams = Teams::new(TeamsSettings::default(), url, reqwest::Client::new())?;
/// assert!(!format!("{teams:?}").contains("XXXXXXXX"));
/// # Ok::<(), cloud_cron_notifiers::channels::ChannelConfigError>(())
/// ```
pub struct Teams {
    client: Client,
    url: SecretUrl,
}

impl Teams {
    /// A channel posting to the workflow `url` (the secret), through
    /// `client`. Fails when the URL is not `https` (or `http` to a loopback
    /// host).
    pub fn new(
        settings: TeamsSettings,
        url: SecretString,
        client: Client,
    ) -> Result<Teams, ChannelConfigError> {
        let TeamsSettings {} = settings;
        Ok(Teams {
            client,
            url: SecretUrl::new(&url, "Teams workflow URL")?,
        })
    }

    /// The message posted for an optional `title` and a `body`: one Adaptive
    /// Card attachment, a bold title block when there is a non-blank title,
    /// then the body, both wrapping.
    ///
    /// ```
    /// use cloud_cron_notifiers::channels::teams::Teams;
    /// let message = Teams::payload(Some("Report"), "All good");
    /// let card = &message["attachments"][0]["content"];
    /// assert_eq!(card["type"], "AdaptiveCard");
    /// assert_eq!(card["body"][0]["weight"], "Bolder");
    /// assert_eq!(card["body"][1]["text"], "All good");
    /// assert_eq!(Teams::payload(None, "x")["attachments"][0]["content"]["body"].as_array().map(Vec::len), Some(1));
    /// ```
    pub fn payload(title: Option<&str>, body: &str) -> Value {
        let mut blocks = Vec::with_capacity(2);
        if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
            blocks.push(json!({
                "type": "TextBlock",
                "text": title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": true,
            }));
        }
        blocks.push(json!({ "type": "TextBlock", "text": body, "wrap": true }));
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": ADAPTIVE_CARD_VERSION,
                    "body": blocks,
                },
            }],
        })
    }
}

impl fmt::Debug for Teams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Teams")
            .field("workflow_url", &self.url)
            .finish()
    }
}

impl Channel for Teams {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let body = required_part(&delivery, TemplatePart::Body, "Teams")?;
        let title = delivery.rendered.get(TemplatePart::Title);
        let request = prepare(self.client.post(self.url.expose()), "application/json")
            .body(Teams::payload(title, body).to_string());
        send(request, "Teams", &self.url.redactions()).await
    }
}

impl crate::FromConfig for Teams {
    const KIND: ChannelKind = ChannelKind::Teams;

    fn from_config(
        config: &ChannelConfig,
        secrets: &crate::Secrets,
        _aws: &aws_config::SdkConfig,
    ) -> Result<Teams, crate::ConfigError> {
        let settings = match config {
            ChannelConfig::Teams(s) => Some(s),
            _ => None,
        };
        let url = secrets.require(Self::KIND, SecretName::WebhookUrl)?.clone();
        super::from_http_config(Self::KIND, settings, config, |settings, client| {
            Teams::new(settings, url, client)
        })
    }
}
