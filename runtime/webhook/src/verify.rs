//! [`Verifier`]: decides whether a request comes from the provider, from its
//! headers, its raw body, the active secrets and the time. Pure: no AWS, no
//! I/O, no clock of its own.
//!
//! HMAC signatures are checked with `hmac`'s constant-time `verify_slice`;
//! shared tokens are compared as SHA-256 digests with `subtle`, so neither
//! the content nor the length of a secret leaks through timing. Errors name
//! headers and limits, never a secret, a signature or the body.

use aws_lambda_events::http::HeaderMap;
use cloud_cron_contract::webhook::{
    HmacSettings, ReceiverSettings, SignatureFormat, SignedPayload, TokenSettings, Verification,
};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::secrets::SecretSet;

/// Why a request was not accepted as the provider's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature (or token, or timestamp) header is absent.
    #[error("the request has no `{header}` header")]
    MissingHeader {
        /// The header's name.
        header: String,
    },
    /// The header is there but cannot be read.
    #[error("the `{header}` header is malformed: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: String,
        /// What is wrong (never the value).
        reason: &'static str,
    },
    /// No active secret yields the signature (or matches the token).
    #[error("the `{header}` header matches no active secret")]
    BadSignature {
        /// The header's name.
        header: String,
    },
    /// The signed timestamp is older than the tolerance: a replay, or a retry
    /// re-sent with its old signature.
    #[error("the signed timestamp is {age_seconds} s old, more than the {tolerance_seconds} s tolerance")]
    StaleTimestamp {
        /// How old it is.
        age_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// The signed timestamp is further ahead of this clock than the tolerance.
    #[error("the signed timestamp is {ahead_seconds} s in the future, more than the {tolerance_seconds} s tolerance")]
    FutureTimestamp {
        /// How far ahead it is.
        ahead_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// The body is larger than the receiver accepts.
    #[error("the body is {size} bytes, more than the {limit}-byte limit")]
    BodyTooLarge {
        /// The body's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl VerifyError {
    /// The HTTP status the provider is answered with: 413 for a body too
    /// large, 400 for a malformed header, 401 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            VerifyError::BodyTooLarge { .. } => 413,
            VerifyError::MalformedHeader { .. } => 400,
            VerifyError::MissingHeader { .. }
            | VerifyError::BadSignature { .. }
            | VerifyError::StaleTimestamp { .. }
            | VerifyError::FutureTimestamp { .. } => 401,
        }
    }

    /// A short machine-readable name, for logs and the response body.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::MissingHeader { .. } => "missing_header",
            VerifyError::MalformedHeader { .. } => "malformed_header",
            VerifyError::BadSignature { .. } => "bad_signature",
            VerifyError::StaleTimestamp { .. } => "stale_timestamp",
            VerifyError::FutureTimestamp { .. } => "future_timestamp",
            VerifyError::BodyTooLarge { .. } => "body_too_large",
        }
    }
}

/// Checks requests against [`ReceiverSettings`]' verification and body limit.
///
/// ```
/// use aws_lambda_events::http::HeaderMap;
/// use cloud_cron_contract::webhook::{HmacSettings, ReceiverSettings, Verification};
/// use cloud_cron_webhook::{SecretSet, Verifier, VerifyError};
///
/// let settings = ReceiverSettings::new(Verification::Hmac(HmacSettings::hex("X-Signature")));
/// let verifier = Verifier::new(&settings);
/// let secrets = SecretSet::from_lines("whsec_test").unwrap();
/// let body = br#"{"id":"evt_1"}"#;
/// let mut headers = HeaderMap::new();
/// headers.insert("x-signature", cloud_cron_webhook::sign_hex("whsec_test", body).parse().unwrap());
/// verifier.verify(&headers, body, &secrets, 0).unwrap();
/// headers.insert("x-signature", "sha256=00".parse().unwrap());
/// assert!(matches!(verifier.verify(&headers, body, &secrets, 0), Err(VerifyError::MalformedHeader { .. })));
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    method: Verification,
    max_body_bytes: usize,
}

const SIGNATURE_BYTES: usize = 32;

impl Verifier {
    /// The verifier for these settings.
    pub fn new(settings: &ReceiverSettings) -> Verifier {
        Verifier {
            method: settings.verification.clone(),
            max_body_bytes: settings.max_body_bytes,
        }
    }

    /// The largest body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Checks `body` (raw, as the provider sent it) and `headers` against
    /// every secret in `secrets` at `now_unix` (seconds since the epoch).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] saying why the request is refused.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        secrets: &SecretSet,
        now_unix: i64,
    ) -> Result<(), VerifyError> {
        if body.len() > self.max_body_bytes {
            return Err(VerifyError::BodyTooLarge {
                size: body.len(),
                limit: self.max_body_bytes,
            });
        }
        match &self.method {
            Verification::Hmac(settings) => verify_hmac(settings, headers, body, secrets, now_unix),
            Verification::Token(settings) => verify_token(settings, headers, secrets),
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, VerifyError> {
    let value = headers
        .get(name)
        .ok_or_else(|| VerifyError::MissingHeader {
            header: name.to_owned(),
        })?;
    let text = value.to_str().map_err(|_| VerifyError::MalformedHeader {
        header: name.to_owned(),
        reason: "it is not visible ASCII",
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Err(VerifyError::MissingHeader {
            header: name.to_owned(),
        });
    }
    Ok(text)
}

/// A parsed signature header: the timestamp (when it carries one) and the
/// candidate signatures.
struct Signed {
    timestamp: Option<i64>,
    signatures: Vec<Vec<u8>>,
}

fn parse_signature(settings: &HmacSettings, value: &str) -> Result<Signed, &'static str> {
    match settings.format {
        SignatureFormat::Timestamped => {
            let mut timestamp = None;
            let mut signatures = Vec::new();
            for part in value.split(',') {
                let (key, val) = part
                    .trim()
                    .split_once('=')
                    .ok_or("a part is not `key=value`")?;
                match key {
                    "t" => {
                        if timestamp.is_some() {
                            return Err("it has more than one `t=`");
                        }
                        timestamp =
                            Some(val.parse::<i64>().map_err(|_| "`t=` is not a Unix time")?);
                    }
                    "v1" => signatures.push(decode_signature(val)?),
                    // Other schemes (Stripe's test-mode `v0`) are not ours to check.
                    _ => {}
                }
            }
            let timestamp = timestamp.ok_or("it has no `t=` timestamp")?;
            if signatures.is_empty() {
                return Err("it has no `v1=` signature");
            }
            Ok(Signed {
                timestamp: Some(timestamp),
                signatures,
            })
        }
        SignatureFormat::Hex => {
            let hex = value
                .strip_prefix(settings.prefix.as_str())
                .ok_or("it does not start with the configured prefix")?;
            Ok(Signed {
                timestamp: None,
                signatures: vec![decode_signature(hex)?],
            })
        }
    }
}

fn decode_signature(hex: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = hex::decode(hex).map_err(|_| "the signature is not hex")?;
    if bytes.len() != SIGNATURE_BYTES {
        return Err("the signature is not 64 hex digits (HMAC-SHA256)");
    }
    Ok(bytes)
}

fn verify_hmac(
    settings: &HmacSettings,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &SecretSet,
    now_unix: i64,
) -> Result<(), VerifyError> {
    let malformed = |header: &str, reason| VerifyError::MalformedHeader {
        header: header.to_owned(),
        reason,
    };
    let value = header(headers, &settings.header)?;
    let mut signed =
        parse_signature(settings, value).map_err(|r| malformed(&settings.header, r))?;
    if signed.timestamp.is_none() {
        if let Some(name) = &settings.timestamp_header {
            let text = header(headers, name)?;
            signed.timestamp = Some(
                text.parse::<i64>()
                    .map_err(|_| malformed(name, "it is not a Unix time"))?,
            );
        }
    }
    let prefix = match settings.payload() {
        SignedPayload::Body => None,
        SignedPayload::TimestampDotBody => match signed.timestamp {
            Some(t) => Some(format!("{t}.")),
            // Settings validation rules this out; refuse rather than sign less.
            None => {
                return Err(malformed(
                    settings
                        .timestamp_header
                        .as_deref()
                        .unwrap_or(&settings.header),
                    "no timestamp to check the signature with",
                ))
            }
        },
    };
    let matched = secrets.iter().any(|secret| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
            return false;
        };
        if let Some(prefix) = &prefix {
            mac.update(prefix.as_bytes());
        }
        mac.update(body);
        signed
            .signatures
            .iter()
            .any(|signature| mac.clone().verify_slice(signature).is_ok())
    });
    if !matched {
        return Err(VerifyError::BadSignature {
            header: settings.header.clone(),
        });
    }
    if let Some(t) = signed.timestamp {
        let tolerance = i64::try_from(settings.tolerance_seconds).unwrap_or(i64::MAX);
        let age = now_unix.saturating_sub(t);
        if age > tolerance {
            return Err(VerifyError::StaleTimestamp {
                age_seconds: age,
                tolerance_seconds: settings.tolerance_seconds,
            });
        }
        if age < tolerance.saturating_neg() {
            return Err(VerifyError::FutureTimestamp {
                ahead_seconds: age.saturating_neg(),
                tolerance_seconds: settings.tolerance_seconds,
            });
        }
    }
    Ok(())
}

fn verify_token(
    settings: &TokenSettings,
    headers: &HeaderMap,
    secrets: &SecretSet,
) -> Result<(), VerifyError> {
    let value = header(headers, &settings.header)?;
    let given = Sha256::digest(value.as_bytes());
    // Fold over every secret without stopping early.
    let matched = secrets
        .iter()
        .fold(subtle::Choice::from(0), |found, secret| {
            found | Sha256::digest(secret.expose_secret().as_bytes()).ct_eq(&given)
        });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature {
            header: settings.header.clone(),
        })
    }
}

/// The `t=<unix>,v1=<hex>` header a provider sends for `body` at `timestamp`,
/// signed with `secret` over `"{t}.{body}"`: for tests, and to check a
/// provider's setup by hand.
pub fn sign_timestamped(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hmac_hex(secret, Some(timestamp), body)
    )
}

/// The `sha256=<hex>` header a provider sends for `body` signed with `secret`.
pub fn sign_hex(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_hex(secret, None, body))
}

/// The lower-case hex HMAC-SHA256 of `"{timestamp}.{body}"` (or `body` alone
/// without a timestamp) under `secret`.
pub fn hmac_hex(secret: &str, timestamp: Option<i64>, body: &[u8]) -> String {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    if let Some(t) = timestamp {
        mac.update(format!("{t}.").as_bytes());
    }
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}
