//! The inbound-webhook contract: the environment a webhook receiver function
//! is given, the settings JSON that says how a provider's requests are
//! verified, and the SQS message attributes the receiver writes.
//!
//! | variable | holds |
//! |---|---|
//! | `CLOUDCRON_WEBHOOK` | the receiver's [`ReceiverSettings`] as JSON; never a secret |
//! | `CLOUDCRON_WEBHOOK_QUEUE_URL` | the SQS work queue's URL (a `.fifo` URL makes it a FIFO queue) |
//! | `CLOUDCRON_WEBHOOK_SECRETS` | where the signing secrets (or shared tokens) live: one or more [`SecretRef`](crate::notifier::SecretRef)s separated by commas, `ssm:NAME` (SecureString) or `secretsmanager:ID`; each stored value holds one secret per line, so a rotation keeps the old and the new one active |
//!
//! ```
//! use cloud_cron_contract::webhook::{ReceiverSettings, Verification};
//! let settings: ReceiverSettings = serde_json::from_str(
//!     r#"{"verification":{"mode":"hmac","header":"Stripe-Signature","format":"timestamped"},
//!         "eventId":{"jsonPointer":"/id"}}"#,
//! ).unwrap();
//! settings.validate().unwrap();
//! assert!(matches!(settings.verification, Verification::Hmac(ref h) if h.tolerance_seconds == 300));
//! ```

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// The variable holding the receiver's [`ReceiverSettings`] as JSON.
pub const SETTINGS_ENV: &str = "CLOUDCRON_WEBHOOK";

/// The variable holding the work queue's URL.
pub const QUEUE_URL_ENV: &str = "CLOUDCRON_WEBHOOK_QUEUE_URL";

/// The variable naming where the secrets live (comma-separated references).
pub const SECRETS_ENV: &str = "CLOUDCRON_WEBHOOK_SECRETS";

/// SQS's limit on one message: body and attributes together.
pub const SQS_MAX_MESSAGE_BYTES: usize = 262_144;

/// The default largest body accepted: 240 KiB, leaving room for the attributes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 245_760;

/// The default replay window: a signed timestamp may be this many seconds
/// old (or ahead of the receiver's clock).
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// The default time secrets are cached before they are read again.
pub const DEFAULT_SECRET_TTL_SECONDS: u64 = 300;

/// The SQS message attributes (all `String`) every queued webhook carries.
pub mod attributes {
    /// The request path the provider posted to (`/hooks/timesheets`).
    pub const PATH: &str = "cloudcron.webhook.path";
    /// The provider's event id (or the body's SHA-256 when none is configured):
    /// consumers of a standard queue deduplicate on it.
    pub const EVENT_ID: &str = "cloudcron.webhook.event-id";
    /// When the receiver accepted the request, RFC 3339 in UTC.
    pub const RECEIVED_AT: &str = "cloudcron.webhook.received-at";
    /// `base64` when the body was not UTF-8 and is base64 in the message;
    /// absent when the message body is the request body as sent.
    pub const BODY_ENCODING: &str = "cloudcron.webhook.body-encoding";
}

/// How a webhook receiver verifies, identifies and queues a provider's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiverSettings {
    /// How the sender is verified.
    pub verification: Verification,
    /// The largest body accepted, in bytes (after base64 decoding); larger
    /// requests are answered 413. At most [`SQS_MAX_MESSAGE_BYTES`].
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Where the provider's event id is; unset: the body's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<ValueSource>,
    /// FIFO queues only: what the `MessageGroupId` is (default: the path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_group: Option<ValueSource>,
    /// How long secrets are cached before they are read again, in seconds.
    #[serde(default = "default_secret_ttl_seconds")]
    pub secret_ttl_seconds: u64,
}

fn default_max_body_bytes() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

fn default_secret_ttl_seconds() -> u64 {
    DEFAULT_SECRET_TTL_SECONDS
}

fn default_tolerance_seconds() -> u64 {
    DEFAULT_TOLERANCE_SECONDS
}

fn default_prefix() -> String {
    "sha256=".to_owned()
}

impl ReceiverSettings {
    /// Settings with this verification and every default.
    pub fn new(verification: Verification) -> ReceiverSettings {
        ReceiverSettings {
            verification,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            event_id: None,
            message_group: None,
            secret_ttl_seconds: DEFAULT_SECRET_TTL_SECONDS,
        }
    }

    /// Checks what serde cannot: header names, pointers, limits, and that a
    /// signed timestamp has a header to come from.
    ///
    /// # Errors
    ///
    /// [`InvalidSettings`] naming the field, what is wrong and a fix.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        let invalid = |field: &str, problem: String, fix: String| InvalidSettings {
            field: field.to_owned(),
            problem,
            fix,
        };
        match &self.verification {
            Verification::Hmac(h) => {
                check_header("verification.header", &h.header)?;
                if let Some(t) = &h.timestamp_header {
                    check_header("verification.timestampHeader", t)?;
                }
                if h.format == SignatureFormat::Hex
                    && h.payload() == SignedPayload::TimestampDotBody
                    && h.timestamp_header.is_none()
                {
                    return Err(invalid(
                        "verification.timestampHeader",
                        "the signed payload is \"{t}.{body}\" but a `hex` signature header carries no timestamp".into(),
                        "set \"timestampHeader\" to the header carrying the Unix timestamp, or \"signedPayload\": \"body\"".into(),
                    ));
                }
            }
            Verification::Token(t) => check_header("verification.header", &t.header)?,
        }
        if self.max_body_bytes == 0 || self.max_body_bytes > SQS_MAX_MESSAGE_BYTES {
            return Err(invalid(
                "maxBodyBytes",
                format!(
                    "{} is outside 1..={SQS_MAX_MESSAGE_BYTES} (an SQS message holds at most 256 KiB)",
                    self.max_body_bytes
                ),
                format!("\"maxBodyBytes\": {DEFAULT_MAX_BODY_BYTES}"),
            ));
        }
        if let Some(source) = &self.event_id {
            if *source == ValueSource::Path {
                return Err(invalid(
                    "eventId",
                    "the path is the same for every event, so it cannot identify one".into(),
                    "{\"header\": \"X-Event-Id\"} or {\"jsonPointer\": \"/id\"}".into(),
                ));
            }
            check_source("eventId", source)?;
        }
        if let Some(source) = &self.message_group {
            check_source("messageGroup", source)?;
        }
        Ok(())
    }
}

fn check_header(field: &str, name: &str) -> Result<(), InvalidSettings> {
    // RFC 9110 token characters.
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidSettings {
            field: field.to_owned(),
            problem: format!("`{name}` is not an HTTP header name"),
            fix: "use letters, digits and `-`, like \"X-Signature\"".into(),
        })
    }
}

fn check_source(field: &str, source: &ValueSource) -> Result<(), InvalidSettings> {
    match source {
        ValueSource::Header(name) => check_header(field, name),
        ValueSource::JsonPointer(pointer) if !pointer.starts_with('/') => Err(InvalidSettings {
            field: field.to_owned(),
            problem: format!("`{pointer}` is not a JSON pointer (RFC 6901)"),
            fix: format!(
                "start it with `/`, like \"/{}\"",
                pointer.trim_start_matches('/')
            ),
        }),
        ValueSource::JsonPointer(_) | ValueSource::Path => Ok(()),
    }
}

/// Settings that do not make a working receiver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("webhook settings `{field}`: {problem}; fix: {fix}")]
pub struct InvalidSettings {
    /// The settings field (camelCase, dotted).
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// A value that works.
    pub fix: String,
}

/// How the sender of a request is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum Verification {
    /// An HMAC-SHA256 signature over the raw body, keyed with the secret.
    Hmac(HmacSettings),
    /// A shared token the provider sends verbatim in a header.
    Token(TokenSettings),
}

/// An HMAC-SHA256 signature check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HmacSettings {
    /// The header carrying the signature (`Stripe-Signature`, `X-Signature`).
    pub header: String,
    /// How the signature header is written.
    pub format: SignatureFormat,
    /// What was signed; unset: `"{t}.{body}"` for `timestamped`, the body for
    /// `hex` (see [`HmacSettings::payload`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_payload: Option<SignedPayload>,
    /// `hex` format only: the header carrying the Unix timestamp, when the
    /// provider signs one (`X-Timestamp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_header: Option<String>,
    /// How far a timestamp may be from the receiver's clock, in seconds.
    #[serde(default = "default_tolerance_seconds")]
    pub tolerance_seconds: u64,
    /// `hex` format only: what precedes the hex digest (`sha256=`; empty for none).
    #[serde(default = "default_prefix")]
    pub prefix: String,
}

impl HmacSettings {
    /// A Stripe-style check: `t=<unix>,v1=<hex>` in `header`, over `"{t}.{body}"`.
    pub fn timestamped(header: impl Into<String>) -> HmacSettings {
        HmacSettings {
            header: header.into(),
            format: SignatureFormat::Timestamped,
            signed_payload: None,
            timestamp_header: None,
            tolerance_seconds: DEFAULT_TOLERANCE_SECONDS,
            prefix: default_prefix(),
        }
    }

    /// A GitHub-style check: `sha256=<hex>` in `header`, over the body.
    pub fn hex(header: impl Into<String>) -> HmacSettings {
        HmacSettings {
            format: SignatureFormat::Hex,
            ..HmacSettings::timestamped(header)
        }
    }

    /// What is signed: `signed_payload`, or the format's default.
    ///
    /// ```
    /// use cloud_cron_contract::webhook::{HmacSettings, SignedPayload};
    /// assert_eq!(HmacSettings::timestamped("Stripe-Signature").payload(), SignedPayload::TimestampDotBody);
    /// assert_eq!(HmacSettings::hex("X-Signature").payload(), SignedPayload::Body);
    /// ```
    pub fn payload(&self) -> SignedPayload {
        self.signed_payload.unwrap_or(match self.format {
            SignatureFormat::Timestamped => SignedPayload::TimestampDotBody,
            SignatureFormat::Hex => SignedPayload::Body,
        })
    }
}

/// How a signature header is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SignatureFormat {
    /// `t=<unix seconds>,v1=<hex>[,v1=<hex>...]` (Stripe).
    Timestamped,
    /// `<prefix><hex>`, like `sha256=<hex>` (GitHub).
    Hex,
}

/// What the HMAC is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SignedPayload {
    /// The timestamp, a dot, then the raw body: `"{t}.{body}"`.
    TimestampDotBody,
    /// The raw body only.
    Body,
}

/// A shared-token check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenSettings {
    /// The header carrying the token (`X-Webhook-Token`).
    pub header: String,
}

/// Where a value comes from in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ValueSource {
    /// A request header: `{"header": "X-Event-Id"}`.
    Header(String),
    /// A JSON pointer (RFC 6901) into the body: `{"jsonPointer": "/id"}`.
    JsonPointer(String),
    /// The request path: `"path"`.
    Path,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> ReceiverSettings {
        serde_json::from_str(json).expect("settings parse")
    }

    #[test]
    fn defaults_fill_in() {
        let s = parse(r#"{"verification":{"mode":"hmac","header":"X-Signature","format":"hex"}}"#);
        assert_eq!(s.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(s.secret_ttl_seconds, DEFAULT_SECRET_TTL_SECONDS);
        assert_eq!(
            s.verification,
            Verification::Hmac(HmacSettings::hex("X-Signature"))
        );
        s.validate().expect("valid");
        // The hex format signs the body unless told otherwise; timestamped signs "{t}.{body}".
        match &s.verification {
            Verification::Hmac(h) => assert_eq!(h.payload(), SignedPayload::Body),
            Verification::Token(_) => unreachable!("parsed as hmac"),
        }
        let explicit = parse(
            r#"{"verification":{"mode":"hmac","header":"X-Signature","format":"hex","signedPayload":"timestampDotBody","timestampHeader":"X-Timestamp"}}"#,
        );
        match &explicit.verification {
            Verification::Hmac(h) => assert_eq!(h.payload(), SignedPayload::TimestampDotBody),
            Verification::Token(_) => unreachable!("parsed as hmac"),
        }
    }

    #[test]
    fn sources_round_trip() {
        let mut s = ReceiverSettings::new(Verification::Token(TokenSettings {
            header: "X-Token".into(),
        }));
        s.event_id = Some(ValueSource::Header("X-Event-Id".into()));
        s.message_group = Some(ValueSource::Path);
        let json = serde_json::to_string(&s).expect("json");
        assert!(
            json.contains(r#""eventId":{"header":"X-Event-Id"}"#),
            "{json}"
        );
        assert!(json.contains(r#""messageGroup":"path""#), "{json}");
        assert_eq!(parse(&json), s);
    }

    #[test]
    fn hex_over_timestamp_needs_a_timestamp_header() {
        let mut h = HmacSettings::hex("X-Signature");
        h.signed_payload = Some(SignedPayload::TimestampDotBody);
        let mut s = ReceiverSettings::new(Verification::Hmac(h.clone()));
        let err = s.validate().expect_err("rejected");
        assert_eq!(err.field, "verification.timestampHeader");
        h.timestamp_header = Some("X-Timestamp".into());
        s.verification = Verification::Hmac(h);
        s.validate().expect("the fix works");
    }

    #[test]
    fn bad_values_are_named_with_a_working_fix() {
        let mut s =
            ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped("Bad Header")));
        assert_eq!(
            s.validate().expect_err("header").field,
            "verification.header"
        );
        s.verification = Verification::Hmac(HmacSettings::timestamped("Stripe-Signature"));
        s.event_id = Some(ValueSource::JsonPointer("id".into()));
        let err = s.validate().expect_err("pointer");
        assert!(err.fix.contains("\"/id\""), "{err}");
        s.event_id = Some(ValueSource::JsonPointer("/id".into()));
        s.max_body_bytes = SQS_MAX_MESSAGE_BYTES + 1;
        assert_eq!(s.validate().expect_err("size").field, "maxBodyBytes");
        s.max_body_bytes = DEFAULT_MAX_BODY_BYTES;
        s.event_id = Some(ValueSource::Path);
        assert_eq!(s.validate().expect_err("path").field, "eventId");
        s.event_id = None;
        s.validate().expect("valid");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = serde_json::from_str::<ReceiverSettings>(
            r#"{"verification":{"mode":"token","header":"X-Token"},"maxBody":1}"#,
        )
        .expect_err("typo");
        assert!(err.to_string().contains("maxBody"), "{err}");
    }
}
