//! A generic JSON webhook, optionally signed with HMAC-SHA256.
//!
//! The endpoint URL is the secret [`SecretName::WebhookUrl`]; a signed
//! webhook's key is the secret [`SecretName::SigningKey`]. Each message is
//! one request:
//!
//! ```text
//! POST <webhook URL>
//! Content-Type: application/json
//! User-Agent: cloud-cron-notifier/<version>
//! X-CloudCron-Delivery: <envelope id>
//! X-CloudCron-Timestamp: <unix seconds>                 (signed only)
//! X-CloudCron-Signature: sha256=<hex HMAC-SHA256>       (signed only)
//!
//! <body>
//! ```
//!
//! The body is the rendered [`TemplatePart::Body`] exactly as rendered, which
//! must be valid JSON (otherwise the delivery fails permanently); without a
//! body template it is the message envelope itself, serialized as JSON.
//!
//! `X-CloudCron-Delivery` is the envelope id: the same on every retry of one
//! message, so a receiver can use it as an idempotency key and drop
//! duplicates (SQS delivers at least once and a retry after a time-out may
//! repeat a request that did arrive).
//!
//! 2xx is success; `408`, `429` (with `Retry-After`) and 5xx are transient;
//! every other status is permanent.
//!
//! # Verifying a signature
//!
//! The signature is the lower-case hex HMAC-SHA256, under the signing key's
//! UTF-8 bytes, of the timestamp header's value, a `.`, and the raw request
//! body bytes. A receiver should:
//!
//! 1. read `X-CloudCron-Timestamp` and reject the request when it is more than
//!    five minutes away from its own clock (replay protection);
//! 2. compute `"sha256=" + hex(HMAC_SHA256(key, timestamp + "." + raw_body))`
//!    over the body bytes as received, before any JSON parsing;
//! 3. compare it with `X-CloudCron-Signature` in constant time;
//! 4. deduplicate on `X-CloudCron-Delivery`.
//!
//! In Python:
//!
//! ```text
//! expected = "sha256=" + hmac.new(key.encode(), f"{ts}.".encode() + raw_body, hashlib.sha256).hexdigest()
//! ok = hmac.compare_digest(expected, request.headers["X-CloudCron-Signature"])
//! ```
//!
//! [`SecretName::WebhookUrl`]: cloud_cron_contract::notifier::SecretName::WebhookUrl
//! [`SecretName::SigningKey`]: cloud_cron_contract::notifier::SecretName::SigningKey

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use cloud_cron_contract::notifier::{
    ChannelConfig, ChannelKind, SecretName, TemplatePart, WebhookSettings,
};
use hmac::{Hmac, Mac};
use reqwest::Client;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{header_value, prepare, send, ChannelConfigError, SecretUrl, REDACTED};
use crate::delivery::{Channel, Delivery, DeliveryError};

/// The header carrying the envelope id (an idempotency key for receivers).
pub const DELIVERY_HEADER: &str = "X-CloudCron-Delivery";

/// The header carrying the signing time, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-CloudCron-Timestamp";

/// The header carrying `sha256=<hex HMAC>`.
pub const SIGNATURE_HEADER: &str = "X-CloudCron-Signature";

/// Posts JSON to any HTTPS endpoint.
///
/// ```
/// use cloud_cron_notifiers::channels::webhook::Webhook;
/// use cloud_cron_contract::notifier::WebhookSettings;
///
/// let url = "https://example.com/hooks/XXXXXXXX".into();
/// let hook = Webhook::new(
///     WebhookSettings { signed: true },
///     url,
///     Some("key-YYYYYYYY".into()),
///     reqwest::Client::new(),
/// )?;
/// let shown = format!("{hook:?}");
/// assert!(!shown.contains("XXXXXXXX") && !shown.contains("YYYYYYYY"));
/// // A signed webhook without a key is refused.
/// assert!(Webhook::new(WebhookSettings { signed: true }, "https://example.com/h".into(), None, reqwest::Client::new()).is_err());
/// # Ok::<(), cloud_cron_notifiers::channels::ChannelConfigError>(())
/// ```
pub struct Webhook {
    client: Client,
    url: SecretUrl,
    signing_key: Option<SecretString>,
}

impl Webhook {
    /// A channel posting to `url` (the secret) through `client`, signing
    /// each body with `signing_key` when `settings.signed`. Fails when the URL
    /// is not `https` (or `http` to a loopback host), or when a key is
    /// missing for a signed webhook or given for an unsigned one.
    pub fn new(
        settings: WebhookSettings,
        url: SecretString,
        signing_key: Option<SecretString>,
        client: Client,
    ) -> Result<Webhook, ChannelConfigError> {
        let signing_key = match (settings.signed, signing_key) {
            (true, None) => return Err(ChannelConfigError::MissingSigningKey),
            (false, Some(_)) => return Err(ChannelConfigError::UnexpectedSigningKey),
            (true, Some(key)) if key.expose_secret().is_empty() => {
                return Err(ChannelConfigError::EmptySecret {
                    what: "SIGNING_KEY",
                })
            }
            (_, key) => key,
        };
        Ok(Webhook {
            client,
            url: SecretUrl::new(&url, "webhook URL")?,
            signing_key,
        })
    }

    /// The JSON body for a delivery: the rendered body when there is one
    /// (which must be valid JSON), else the envelope.
    pub fn body(delivery: &Delivery<'_>) -> Result<Vec<u8>, DeliveryError> {
        match delivery.rendered.get(TemplatePart::Body) {
            Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(_) => Ok(text.as_bytes().to_vec()),
                // serde_json's messages give a position, never the input.
                Err(e) => Err(DeliveryError::permanent(format!(
                    "the rendered webhook body is not valid JSON ({e}); fix the `body` template"
                ))),
            },
            None => serde_json::to_vec(delivery.envelope).map_err(|e| {
                DeliveryError::permanent(format!("the envelope cannot be serialized: {e}"))
            }),
        }
    }

    /// The `X-CloudCron-Signature` value for `body` signed at `timestamp`
    /// (Unix seconds) under `key`: `sha256=` and the lower-case hex
    /// HMAC-SHA256 of `<timestamp>.<body>`.
    ///
    /// ```
    /// use cloud_cron_notifiers::channels::webhook::Webhook;
    /// // RFC 4231-style check: HMAC-SHA256("key", "1.{}")
    /// let sig = Webhook::signature(b"key", 1, b"{}");
    /// assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
    /// assert_ne!(sig, Webhook::signature(b"key", 2, b"{}"));
    /// ```
    pub fn signature(key: &[u8], timestamp: u64, body: &[u8]) -> String {
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            return String::new();
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(7 + 64);
        out.push_str("sha256=");
        for byte in digest {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("signing_key", &self.signing_key.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl Channel for Webhook {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let body = Webhook::body(&delivery)?;
        let mut request = prepare(self.client.post(self.url.expose()), "application/json").header(
            DELIVERY_HEADER,
            header_value(DELIVERY_HEADER, delivery.id())?,
        );
        let mut redactions = self.url.redactions();
        if let Some(key) = &self.signing_key {
            let timestamp = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            let signature = Webhook::signature(key.expose_secret().as_bytes(), timestamp, &body);
            request = request
                .header(TIMESTAMP_HEADER, timestamp)
                .header(SIGNATURE_HEADER, signature);
            redactions.push(key.expose_secret());
        }
        send(request.body(body), "the webhook", &redactions).await
    }
}

impl crate::FromConfig for Webhook {
    const KIND: ChannelKind = ChannelKind::Webhook;

    fn from_config(
        config: &ChannelConfig,
        secrets: &crate::Secrets,
        _aws: &aws_config::SdkConfig,
    ) -> Result<Webhook, crate::ConfigError> {
        let settings = match config {
            ChannelConfig::Webhook(s) => Some(s),
            _ => None,
        };
        let url = secrets.require(Self::KIND, SecretName::WebhookUrl)?.clone();
        let key = secrets.get(SecretName::SigningKey).cloned();
        super::from_http_config(Self::KIND, settings, config, |settings, client| {
            Webhook::new(settings, url, key, client)
        })
    }
}
