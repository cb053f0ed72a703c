//! SMS through Twilio's Programmable Messaging API.
//!
//! Settings are [`SmsSettings`]: the account SID, the sender (a phone number
//! or a messaging service), the recipients and the kind of credential. The
//! credential itself, the account's auth token or an API key's secret, is
//! the secret [`SecretName::TwilioCredential`]. Each recipient gets one
//! request:
//!
//! ```text
//! POST https://api.twilio.com/2010-04-01/Accounts/<AccountSid>/Messages.json
//! Authorization: Basic base64(<AccountSid or API key SID>:<auth token or API key secret>)
//! Content-Type: application/x-www-form-urlencoded
//! User-Agent: cloud-cron-notifier/<version>
//!
//! To=<recipient>&From=<number>&Body=<rendered body>
//! ```
//!
//! (`MessagingServiceSid=<MG…>` instead of `From` with a messaging service.)
//! The body is the rendered [`TemplatePart::Body`]; one longer than
//! [`SMS_MAX_CHARS`] characters (counted as Unicode scalar values, not
//! bytes) is a permanent error rather than being cut: a truncated alert can
//! mislead. Twilio answers `201 Created` (any 2xx is success); `408`, `429`
//! and 5xx are transient; other 4xx (`400` with error 21211 for an invalid
//! `To`, `401` for a wrong credential, `404` for an unknown account) are
//! permanent, and the error quotes Twilio's JSON error.
//!
//! # Several recipients and retries
//!
//! Twilio's Messages API takes no idempotency key, so a retried message is a
//! new SMS. To keep a partial failure from texting the recipients who already
//! got the message, a channel remembers, in memory, which recipients Twilio
//! accepted for each of the last [`REMEMBERED_MESSAGES`] envelope ids, and a
//! retry or a duplicate SQS delivery of the same message (same envelope id)
//! skips them; when every recipient already has it, delivery is `Ok` without
//! a request. All recipients
//! are tried on each attempt; the delivery fails transiently when any
//! recipient failed transiently, else permanently when any failed
//! permanently. The memory lives as long as the warm Lambda instance: a
//! retry handled by another instance, or a request that timed out after
//! Twilio accepted it, can still send a duplicate (delivery is at least
//! once).
//!
//! [`SecretName::TwilioCredential`]: cloud_cron_contract::notifier::SecretName::TwilioCredential

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use cloud_cron_contract::notifier::{
    ChannelConfig, ChannelKind, SecretName, SmsSender, SmsSettings, TemplatePart, TwilioAuth,
    SMS_MAX_CHARS,
};
use reqwest::{Client, Url};
use secrecy::{ExposeSecret, SecretString};

use super::{checked_url, prepare, required_part, send, ChannelConfigError, REDACTED};
use crate::delivery::{Channel, Delivery, DeliveryError};

/// Twilio's API root.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// How many messages' accepted recipients a channel remembers, to skip them
/// when the same message is retried.
pub const REMEMBERED_MESSAGES: usize = 1024;

/// Sends the rendered body as an SMS to each recipient through Twilio.
///
/// ```
/// use cloud_cron_notifiers::channels::twilio::TwilioSms;
/// use cloud_cron_contract::notifier::{SmsSender, SmsSettings, TwilioAuth};
///
/// let settings = SmsSettings {
///     account_sid: "AC0123456789abcdef0123456789abcdef".into(),
///     sender: SmsSender::From("+15550001111".into()),
///     to: vec!["+15550002222".into()],
///     auth: TwilioAuth::AuthToken,
/// };
/// let sms = TwilioSms::new(settings, "token-XXXXXXXX".into(), reqwest::Client::new())?;
/// assert!(!format!("{sms:?}").contains("XXXXXXXX"));
/// // Tests point it at a local server.
/// let sms = sms.with_base_url("http://127.0.0.1:8080")?;
/// # Ok::<(), cloud_cron_notifiers::channels::ChannelConfigError>(())
/// ```
pub struct TwilioSms {
    client: Client,
    settings: SmsSettings,
    credential: SecretString,
    messages_url: Url,
    accepted: Mutex<Accepted>,
}

impl TwilioSms {
    /// A channel sending with `settings`, authenticating with `credential`
    /// (the auth token or API key secret, per `settings.auth`), through
    /// `client`. Fails when a SID is malformed, a recipient is not E.164, or
    /// there is no recipient or no credential.
    pub fn new(
        settings: SmsSettings,
        credential: SecretString,
        client: Client,
    ) -> Result<TwilioSms, ChannelConfigError> {
        check_sid(&settings.account_sid, "AC", "accountSid")?;
        match &settings.sender {
            SmsSender::From(from) if from.trim().is_empty() => {
                return Err(ChannelConfigError::InvalidSetting {
                    setting: "sender.from",
                    reason: "it is empty; give a Twilio phone number in E.164 form (+15550001111) or an alphanumeric sender id".to_owned(),
                })
            }
            SmsSender::From(_) => {}
            SmsSender::MessagingService(sid) => {
                check_sid(sid, "MG", "sender.messagingService")?;
            }
        }
        if let TwilioAuth::ApiKey { sid } = &settings.auth {
            check_sid(sid, "SK", "auth.sid")?;
        }
        if settings.to.is_empty() {
            return Err(ChannelConfigError::InvalidSetting {
                setting: "to",
                reason: "there are no recipients".to_owned(),
            });
        }
        if let Some(bad) = settings.to.iter().find(|to| !is_e164(to)) {
            return Err(ChannelConfigError::InvalidSetting {
                setting: "to",
                reason: format!(
                    "`{bad}` is not an E.164 phone number (`+` and 2 to 15 digits, e.g. +15550002222)"
                ),
            });
        }
        if credential.expose_secret().trim().is_empty() {
            return Err(ChannelConfigError::EmptySecret {
                what: "TWILIO_CREDENTIAL",
            });
        }
        let messages_url = messages_url(DEFAULT_BASE_URL, &settings.account_sid)?;
        Ok(TwilioSms {
            client,
            settings,
            credential,
            messages_url,
            accepted: Mutex::new(Accepted::default()),
        })
    }

    /// Send to `base` (a test server, a regional edge such as
    /// `https://api.dublin.ie1.twilio.com`) instead of [`DEFAULT_BASE_URL`].
    pub fn with_base_url(mut self, base: &str) -> Result<TwilioSms, ChannelConfigError> {
        self.messages_url = messages_url(base, &self.settings.account_sid)?;
        Ok(self)
    }

    /// The form fields of the message to `to`, in the order sent.
    fn form(&self, to: &str, body: &str) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("To", to);
        match &self.settings.sender {
            SmsSender::From(from) => form.append_pair("From", from),
            SmsSender::MessagingService(sid) => form.append_pair("MessagingServiceSid", sid),
        };
        form.append_pair("Body", body);
        form.finish()
    }

    fn username(&self) -> &str {
        match &self.settings.auth {
            TwilioAuth::AuthToken => &self.settings.account_sid,
            TwilioAuth::ApiKey { sid } => sid,
        }
    }

    fn accepted_before(&self, id: &str) -> HashSet<String> {
        let accepted = self.accepted.lock().unwrap_or_else(PoisonError::into_inner);
        accepted.by_message.get(id).cloned().unwrap_or_default()
    }

    fn remember(&self, id: &str, to: &str) {
        let mut accepted = self.accepted.lock().unwrap_or_else(PoisonError::into_inner);
        accepted.insert(id, to);
    }
}

impl fmt::Debug for TwilioSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioSms")
            .field("settings", &self.settings)
            .field("credential", &REDACTED)
            .field("messages_url", &self.messages_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Channel for TwilioSms {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let body = required_part(&delivery, TemplatePart::Body, "SMS")?;
        let chars = body.chars().count();
        if chars > SMS_MAX_CHARS {
            return Err(DeliveryError::permanent(format!(
                "the rendered SMS body is {chars} characters long; Twilio's limit is {SMS_MAX_CHARS}: shorten the `body` template"
            )));
        }
        let id = delivery.id();
        let done = self.accepted_before(id);
        let credential = self.credential.expose_secret();
        let mut transient: Vec<(String, Option<Duration>)> = Vec::new();
        let mut permanent: Vec<String> = Vec::new();
        let recipients = self.settings.to.iter().filter(|to| !done.contains(*to));
        for to in recipients {
            let request = prepare(
                self.client.post(self.messages_url.clone()),
                "application/x-www-form-urlencoded",
            )
            .basic_auth(self.username(), Some(credential))
            .body(self.form(to, body));
            match send(request, "Twilio", &[credential]).await {
                Ok(()) => self.remember(id, to),
                Err(DeliveryError::Transient {
                    reason,
                    retry_after,
                }) => transient.push((format!("to {to}: {reason}"), retry_after)),
                Err(DeliveryError::Permanent { reason }) => {
                    permanent.push(format!("to {to}: {reason}"))
                }
            }
        }
        let total = self.settings.to.len();
        let failed = transient.len() + permanent.len();
        let reasons = || {
            let all: Vec<&str> = transient
                .iter()
                .map(|(r, _)| r.as_str())
                .chain(permanent.iter().map(String::as_str))
                .collect();
            format!(
                "SMS failed for {failed} of {total} recipients: {}",
                all.join("; ")
            )
        };
        if !transient.is_empty() {
            Err(DeliveryError::Transient {
                reason: reasons(),
                retry_after: transient.iter().filter_map(|(_, d)| *d).max(),
            })
        } else if !permanent.is_empty() {
            // Kept in memory: SQS may still redeliver the message until its
            // maxReceiveCount, and the accepted recipients must not get it twice.
            Err(DeliveryError::permanent(reasons()))
        } else {
            Ok(())
        }
    }
}

/// The recipients Twilio accepted, per envelope id, for the last
/// [`REMEMBERED_MESSAGES`] messages.
#[derive(Default)]
struct Accepted {
    order: VecDeque<String>,
    by_message: HashMap<String, HashSet<String>>,
}

impl Accepted {
    fn insert(&mut self, id: &str, to: &str) {
        if !self.by_message.contains_key(id) {
            while self.order.len() >= REMEMBERED_MESSAGES {
                if let Some(oldest) = self.order.pop_front() {
                    self.by_message.remove(&oldest);
                }
            }
            self.order.push_back(id.to_owned());
        }
        self.by_message
            .entry(id.to_owned())
            .or_default()
            .insert(to.to_owned());
    }
}

/// `{base}/2010-04-01/Accounts/{sid}/Messages.json`, checked.
fn messages_url(base: &str, account_sid: &str) -> Result<Url, ChannelConfigError> {
    let mut url = checked_url(base, "Twilio base URL")?;
    let cannot_be_base = || ChannelConfigError::InvalidUrl {
        what: "Twilio base URL",
        reason: "it cannot take a path".to_owned(),
    };
    url.path_segments_mut()
        .map_err(|()| cannot_be_base())?
        .pop_if_empty()
        .extend(["2010-04-01", "Accounts", account_sid, "Messages.json"]);
    Ok(url)
}

/// `prefix` + 32 hex digits, Twilio's SID format.
fn check_sid(sid: &str, prefix: &str, setting: &'static str) -> Result<(), ChannelConfigError> {
    let ok = sid.len() == 34
        && sid.starts_with(prefix)
        && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(ChannelConfigError::InvalidSetting {
            setting,
            reason: format!("`{sid}` is not a Twilio SID: expected `{prefix}` and 32 hex digits"),
        })
    }
}

fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

impl crate::FromConfig for TwilioSms {
    const KIND: ChannelKind = ChannelKind::Sms;

    fn from_config(
        config: &ChannelConfig,
        secrets: &crate::Secrets,
        _aws: &aws_config::SdkConfig,
    ) -> Result<TwilioSms, crate::ConfigError> {
        let settings = match config {
            ChannelConfig::Sms(s) => Some(s),
            _ => None,
        };
        let credential = secrets
            .require(Self::KIND, SecretName::TwilioCredential)?
            .clone();
        super::from_http_config(Self::KIND, settings, config, |settings, client| {
            TwilioSms::new(settings, credential, client)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_and_numbers() {
        assert!(check_sid("AC0123456789abcdef0123456789abcdef", "AC", "s").is_ok());
        assert!(check_sid("AC0123", "AC", "s").is_err());
        assert!(check_sid("SK0123456789abcdef0123456789abcdef", "AC", "s").is_err());
        assert!(check_sid("AC0123456789abcdef0123456789abcdeg", "AC", "s").is_err());
        // Non-ASCII of the right byte length must not panic on slicing.
        assert!(check_sid("ACé123456789abcdef0123456789abcde", "AC", "s").is_err());
        assert!(check_sid("éAC23456789abcdef0123456789abcdef", "AC", "s").is_err());
        assert!(is_e164("+15550002222"));
        assert!(!is_e164("15550002222"));
        assert!(!is_e164("+1555000222a"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+1234567890123456"));
    }

    #[test]
    fn messages_url_keeps_a_base_path() {
        let url = messages_url("http://127.0.0.1:9/twilio/", "AC1").unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/twilio/2010-04-01/Accounts/AC1/Messages.json"
        );
        let url = messages_url(DEFAULT_BASE_URL, "AC1").unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
        );
    }

    #[test]
    fn accepted_recipients_are_bounded() {
        let mut accepted = Accepted::default();
        for i in 0..REMEMBERED_MESSAGES + 5 {
            accepted.insert(&i.to_string(), "+15550002222");
        }
        assert_eq!(accepted.by_message.len(), REMEMBERED_MESSAGES);
        assert!(!accepted.by_message.contains_key("0"));
        assert!(accepted
            .by_message
            .contains_key(&(REMEMBERED_MESSAGES + 4).to_string()));
        accepted.insert(&(REMEMBERED_MESSAGES + 4).to_string(), "+15550003333");
        assert_eq!(accepted.order.len(), REMEMBERED_MESSAGES);
        assert_eq!(
            accepted.by_message[&(REMEMBERED_MESSAGES + 4).to_string()].len(),
            2
        );
    }
}
