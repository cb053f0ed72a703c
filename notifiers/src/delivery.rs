//! What every channel implements: deliver one rendered message, and say
//! whether a failure is worth retrying.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_contract::Envelope;

/// The rendered template parts of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    parts: BTreeMap<TemplatePart, String>,
}

impl Rendered {
    /// No parts yet.
    pub fn new() -> Rendered {
        Rendered::default()
    }

    /// Set a part's rendered text.
    pub fn insert(&mut self, part: TemplatePart, text: impl Into<String>) {
        self.parts.insert(part, text.into());
    }

    /// A part's rendered text, when the channel has that template.
    pub fn get(&self, part: TemplatePart) -> Option<&str> {
        self.parts.get(&part).map(String::as_str)
    }
}

/// One message to deliver: the envelope as published and its rendered parts.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The envelope, payload as JSON.
    pub envelope: &'a Envelope<serde_json::Value>,
    /// The rendered templates.
    pub rendered: &'a Rendered,
}

impl Delivery<'_> {
    /// The message's deduplication id (the envelope's `id`): the same for
    /// every copy of one message, so providers that take an idempotency key
    /// get this.
    pub fn id(&self) -> &str {
        &self.envelope.id
    }
}

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Throttling, a 5xx, a time-out, a network error: the message goes back
    /// to the queue and is retried.
    #[error("transient delivery failure: {reason}")]
    Transient {
        /// What happened (never a secret).
        reason: String,
        /// How long the provider asked us to wait (e.g. Slack's `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// A malformed message, a rejected request (4xx), a bad setting: retrying
    /// will not help; the message reaches the dead-letter queue after the
    /// queue's `maxReceiveCount`.
    #[error("permanent delivery failure: {reason}")]
    Permanent {
        /// What happened and how to fix it (never a secret).
        reason: String,
    },
}

impl DeliveryError {
    /// A transient failure without a provider-given delay.
    pub fn transient(reason: impl Into<String>) -> DeliveryError {
        DeliveryError::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(reason: impl Into<String>) -> DeliveryError {
        DeliveryError::Permanent {
            reason: reason.into(),
        }
    }

    /// Whether retrying may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, DeliveryError::Transient { .. })
    }
}

/// A way to deliver a rendered message: SES email, Twilio SMS, Slack, Teams,
/// a webhook. Adding a channel is one module implementing this trait (plus
/// its settings in the contract and a binary).
pub trait Channel: Send + Sync {
    /// Deliver one message. Called once per message per attempt; an `Ok`
    /// means the provider accepted it.
    fn deliver(
        &self,
        delivery: Delivery<'_>,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}
