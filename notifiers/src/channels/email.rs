//! Email through Amazon SES v2 `SendEmail` with simple content: the rendered
//! subject, and an HTML and/or a text body, from the channel's sender to its
//! recipients (to, cc, bcc), with optional reply-to addresses and
//! configuration set ([`EmailSettings`]).
//!
//! Failures are classified for the processor: throttling
//! (`TooManyRequestsException`, `LimitExceededException`), 5xx answers,
//! time-outs and network errors are transient; `MessageRejected`,
//! `BadRequestException`, `NotFoundException`, an unverified sender domain,
//! a paused or suspended account and other 4xx answers are permanent.

use aws_config::SdkConfig;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use cloud_cron_contract::notifier::{ChannelConfig, ChannelKind, EmailSettings, TemplatePart};

use crate::config::ConfigError;
use crate::delivery::{Channel, Delivery, DeliveryError};
use crate::lambda::FromConfig;
use crate::secrets::Secrets;

/// SES's limit on recipients (to + cc + bcc) of one message.
pub const MAX_RECIPIENTS: usize = 50;

/// The email channel: an SES v2 client and the channel's settings.
#[derive(Debug, Clone)]
pub struct Email {
    client: aws_sdk_sesv2::Client,
    settings: EmailSettings,
}

impl Email {
    /// An email channel sending with `client`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for a missing sender, no recipients,
    /// more than [`MAX_RECIPIENTS`], or an address without `@`.
    pub fn new(
        client: aws_sdk_sesv2::Client,
        settings: EmailSettings,
    ) -> Result<Email, ConfigError> {
        validate(&settings)?;
        Ok(Email { client, settings })
    }

    /// The settings.
    pub fn settings(&self) -> &EmailSettings {
        &self.settings
    }
}

fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidSetting {
        kind: ChannelKind::Email,
        setting,
        reason: reason.into(),
    }
}

fn validate(settings: &EmailSettings) -> Result<(), ConfigError> {
    check_address("from", &settings.from)?;
    if settings.to.is_empty() && settings.cc.is_empty() && settings.bcc.is_empty() {
        return Err(invalid(
            "to",
            "no recipients: list at least one address in to, cc or bcc",
        ));
    }
    let count = settings.to.len() + settings.cc.len() + settings.bcc.len();
    if count > MAX_RECIPIENTS {
        return Err(invalid(
            "to",
            format!("{count} recipients; SES sends one message to at most {MAX_RECIPIENTS} (to, cc and bcc together): use a distribution list"),
        ));
    }
    for (setting, list) in [
        ("to", &settings.to),
        ("cc", &settings.cc),
        ("bcc", &settings.bcc),
        ("replyTo", &settings.reply_to),
    ] {
        for address in list {
            check_address(setting, address)?;
        }
    }
    if settings
        .configuration_set
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        return Err(invalid(
            "configurationSet",
            "empty: leave it out or name a configuration set",
        ));
    }
    Ok(())
}

fn check_address(setting: &'static str, address: &str) -> Result<(), ConfigError> {
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(invalid(setting, "an address is empty"));
    }
    // `Name <user@host>` or `user@host`.
    let bare = match (trimmed.rfind('<'), trimmed.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => trimmed,
    };
    match bare.split_once('@') {
        Some((user, host))
            if !user.is_empty() && !host.is_empty() && !bare.contains(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => Err(invalid(
            setting,
            format!(
                "`{address}` is not an email address (user@example.com or Name <user@example.com>)"
            ),
        )),
    }
}

impl FromConfig for Email {
    const KIND: ChannelKind = ChannelKind::Email;

    fn from_config(
        config: &ChannelConfig,
        _secrets: &Secrets,
        aws: &SdkConfig,
    ) -> Result<Email, ConfigError> {
        match config {
            ChannelConfig::Email(settings) => {
                Email::new(aws_sdk_sesv2::Client::new(aws), settings.clone())
            }
            other => Err(ConfigError::WrongKind {
                expected: ChannelKind::Email,
                found: other.kind(),
            }),
        }
    }
}

fn utf8(text: &str) -> Result<Content, DeliveryError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| DeliveryError::permanent(format!("cannot build the SES request: {e}")))
}

impl Email {
    /// The SES message for one delivery (subject on one line).
    fn message(&self, delivery: &Delivery<'_>) -> Result<Message, DeliveryError> {
        let rendered = delivery.rendered;
        let subject = rendered
            .get(TemplatePart::Subject)
            .ok_or_else(|| DeliveryError::permanent("no subject template was rendered"))?;
        // A header cannot hold line breaks: fold them into spaces.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        if subject.is_empty() {
            return Err(DeliveryError::permanent(
                "the subject rendered empty: SES requires a subject; check the subject template",
            ));
        }
        let html = rendered.get(TemplatePart::Html);
        let text = rendered.get(TemplatePart::Text);
        if html.is_none() && text.is_none() {
            return Err(DeliveryError::permanent(
                "neither an HTML nor a text body was rendered",
            ));
        }
        let mut body = Body::builder();
        if let Some(html) = html {
            body = body.html(utf8(html)?);
        }
        if let Some(text) = text {
            body = body.text(utf8(text)?);
        }
        Ok(Message::builder()
            .subject(utf8(&subject)?)
            .body(body.build())
            .build())
    }
}

impl Channel for Email {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        let message = self.message(&delivery)?;
        let settings = &self.settings;
        let destination = Destination::builder()
            .set_to_addresses(Some(settings.to.clone()).filter(|v| !v.is_empty()))
            .set_cc_addresses(Some(settings.cc.clone()).filter(|v| !v.is_empty()))
            .set_bcc_addresses(Some(settings.bcc.clone()).filter(|v| !v.is_empty()))
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&settings.from)
            .destination(destination)
            .set_reply_to_addresses(Some(settings.reply_to.clone()).filter(|v| !v.is_empty()))
            .set_configuration_set_name(settings.configuration_set.clone())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(classify)?;
        tracing::debug!(
            envelope_id = delivery.id(),
            ses_message_id = output.message_id().unwrap_or_default(),
            "SES accepted the email"
        );
        Ok(())
    }
}

/// SES error codes worth retrying.
const TRANSIENT_CODES: &[&str] = &[
    "TooManyRequestsException",
    "LimitExceededException",
    "Throttling",
    "ThrottlingException",
    "InternalFailure",
    "ServiceUnavailable",
];

/// Tells transient SES failures from permanent ones; the reason carries SES's
/// code and message (never the email's content or addresses beyond what SES
/// says).
pub fn classify(error: SdkError<SendEmailError>) -> DeliveryError {
    match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.err();
            let code = err.code().unwrap_or("error");
            let reason = match err.message() {
                Some(message) => format!("SES SendEmail: {code} (HTTP {status}): {message}"),
                None => format!("SES SendEmail: {code} (HTTP {status})"),
            };
            if TRANSIENT_CODES.contains(&code) || status == 429 || status >= 500 {
                DeliveryError::transient(reason)
            } else {
                let hint = match code {
                    "MessageRejected" => "; SES refused the message (unverified sender or recipient in the sandbox, or content)",
                    "MailFromDomainNotVerifiedException" => "; verify the sender's MAIL FROM domain",
                    "NotFoundException" => "; the configuration set or identity does not exist",
                    "AccountSuspendedException" | "SendingPausedException" => "; sending is paused for the account or configuration set",
                    _ => "",
                };
                DeliveryError::permanent(format!("{reason}{hint}"))
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            let configuration = matches!(&error, SdkError::DispatchFailure(d) if d.is_user());
            let reason = format!(
                "SES SendEmail: {}",
                cloud_cron_runtime::sdk_error::error_chain(&error)
            );
            if configuration {
                DeliveryError::permanent(reason)
            } else {
                DeliveryError::transient(reason)
            }
        }
        _ => DeliveryError::permanent(format!(
            "SES SendEmail request could not be built: {}",
            cloud_cron_runtime::sdk_error::error_chain(&error)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EmailSettings {
        EmailSettings {
            from: "Reports <reports@example.com>".into(),
            to: vec!["alice@example.com".into()],
            ..EmailSettings::default()
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(validate(&settings()).is_ok());
        let mut s = settings();
        s.from = "nobody".into();
        assert!(validate(&s).unwrap_err().to_string().contains("`from`"));
        let mut s = settings();
        s.to.clear();
        assert!(validate(&s)
            .unwrap_err()
            .to_string()
            .contains("no recipients"));
        let mut s = settings();
        s.to = (0..51).map(|i| format!("u{i}@example.com")).collect();
        assert!(validate(&s)
            .unwrap_err()
            .to_string()
            .contains("51 recipients"));
        let mut s = settings();
        s.reply_to = vec!["a b@example.com".into()];
        assert!(validate(&s).unwrap_err().to_string().contains("`replyTo`"));
        let mut s = settings();
        s.to.clear();
        s.bcc = vec!["hidden@example.com".into()];
        assert!(validate(&s).is_ok(), "bcc alone is enough");
    }
}
