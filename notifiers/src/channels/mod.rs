//! The channel implementations, one module each: SES email (`email`), and
//! the HTTP channels Twilio SMS, Slack, Microsoft Teams and a generic signed
//! webhook. A channel is a type that implements [`Channel`] (deliver one
//! rendered message) and [`FromConfig`](crate::FromConfig) (build it from its
//! [`ChannelConfig`](cloud_cron_contract::notifier::ChannelConfig)
//! and [`Secrets`](crate::Secrets)); its binary is
//! `src/bin/notifier-<kind>.rs`, calling [`run`](crate::run). The HTTP
//! channels take their settings, their secrets as [`SecretString`]s and a
//! shared [`reqwest::Client`].
//!
//! What the four HTTP channels share lives here, so they behave alike:
//!
//! - **URLs** must be `https`; `http` is accepted only for loopback hosts
//!   (`127.0.0.0/8`, `::1`, `localhost`), which is what tests use. Anything
//!   else is a [`ChannelConfigError`] at construction, never at delivery.
//! - **Requests** carry `User-Agent: cloud-cron-notifier/<version>`
//!   ([`USER_AGENT`]) and time out after [`REQUEST_TIMEOUT`], whatever client
//!   they are sent with. [`http_client`] builds the client to share: the
//!   same defaults, and redirects not followed.
//! - **Responses** are classified by one function: 2xx is delivered; 408,
//!   429 and 5xx are [`DeliveryError::Transient`] (with the provider's
//!   `Retry-After`, when it sends one in seconds or as an HTTP date); every
//!   other status is [`DeliveryError::Permanent`]. Time-outs and connection
//!   errors are transient.
//! - **Secrets** never appear in `Debug` output, logs or error messages: the
//!   structs print `[REDACTED]`, reqwest errors are stripped of their URL,
//!   and response text quoted in an error has every secret replaced by
//!   `[REDACTED]`.
//!
//! ```
//! use cloud_cron_notifiers::channels::{slack::Slack, USER_AGENT};
//! use cloud_cron_contract::notifier::SlackSettings;
//! use secrecy::SecretString;
//!
//! let url = SecretString::from("https://hooks.slack.com/services/T000/B000/XXXX");
//! let slack = Slack::new(SlackSettings::default(), url, reqwest::Client::new()).unwrap();
//! assert!(!format!("{slack:?}").contains("XXXX"));
//! assert!(USER_AGENT.starts_with("cloud-cron-notifier/"));
//! // An http URL to anything but a loopback host is refused up front.
//! let plain = SecretString::from("http://hooks.slack.com/services/T000/B000/XXXX");
//! let err = Slack::new(SlackSettings::default(), plain, reqwest::Client::new()).unwrap_err();
//! assert!(!err.to_string().contains("XXXX"));
//! ```
//!
//! [`Channel`]: crate::delivery::Channel
//! [`SecretString`]: secrecy::SecretString

pub mod email;
pub mod slack;
pub mod teams;
pub mod twilio;
pub mod webhook;

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::delivery::DeliveryError;

/// Builds an HTTP channel of `kind` for a notifier binary: checks the
/// configuration is of that kind, shares one [`http_client`], and turns a
/// refusal into a [`ConfigError`](crate::ConfigError).
pub(crate) fn from_http_config<S, C>(
    kind: cloud_cron_contract::notifier::ChannelKind,
    settings: Option<&S>,
    config: &cloud_cron_contract::notifier::ChannelConfig,
    build: impl FnOnce(S, reqwest::Client) -> Result<C, ChannelConfigError>,
) -> Result<C, crate::ConfigError>
where
    S: Clone,
{
    let settings = settings.ok_or_else(|| crate::ConfigError::WrongKind {
        expected: kind,
        found: config.kind(),
    })?;
    http_client()
        .and_then(|client| build(settings.clone(), client))
        .map_err(|source| crate::ConfigError::Channel { kind, source })
}

/// The `User-Agent` every channel sends: `cloud-cron-notifier/<version>`.
pub const USER_AGENT: &str = concat!("cloud-cron-notifier/", env!("CARGO_PKG_VERSION"));

/// How long one HTTP request may take, connection to last byte, before the
/// attempt counts as a transient failure.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of an error response's body is quoted in a [`DeliveryError`].
const MAX_DETAIL_CHARS: usize = 300;

/// How much of an error response's body is read at all.
const MAX_DETAIL_BYTES: usize = 8 * 1024;

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "[REDACTED]";

/// A channel cannot be built from its settings and secrets. The messages
/// name the setting and never echo a secret (a webhook URL is described, not
/// quoted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelConfigError {
    /// A URL does not parse.
    #[error("the {what} is not a valid absolute URL ({reason})")]
    InvalidUrl {
        /// Which URL (`Slack webhook URL`, `Twilio base URL`, ...).
        what: &'static str,
        /// The parser's complaint (fixed text, never the URL).
        reason: String,
    },
    /// A URL is not `https` (and not `http` to a loopback host).
    #[error(
        "the {what} uses the `{scheme}` scheme; use https (http is allowed only for loopback hosts, in tests)"
    )]
    InsecureUrl {
        /// Which URL.
        what: &'static str,
        /// Its scheme.
        scheme: String,
    },
    /// A setting is malformed.
    #[error("setting `{setting}` is invalid: {reason}")]
    InvalidSetting {
        /// The setting's name as in the channel's JSON settings.
        setting: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A webhook is `signed` but no signing key was given.
    #[error("the webhook is signed (`signed: true`) but no signing key was given; store one in the secret SIGNING_KEY")]
    MissingSigningKey,
    /// A signing key was given for a webhook that is not `signed`.
    #[error(
        "a signing key was given but the webhook is not signed; set `signed: true` or drop the key"
    )]
    UnexpectedSigningKey,
    /// A secret is empty.
    #[error("the secret {what} is empty")]
    EmptySecret {
        /// Which secret.
        what: &'static str,
    },
    /// The HTTP client cannot be built (its TLS backend failed to start).
    #[error("the HTTP client cannot be built: {reason}")]
    HttpClient {
        /// reqwest's explanation.
        reason: String,
    },
}

/// The client the channels are meant to share (one per process, so
/// connections are reused across warm invocations): [`USER_AGENT`],
/// [`REQUEST_TIMEOUT`], a 5 s connect time-out, and redirects **not**
/// followed, so a provider's 3xx is a permanent error rather than a silent
/// re-post (as a GET, or to another host) of a message or its signature.
///
/// ```
/// let client = cloud_cron_notifiers::channels::http_client()?;
/// # drop(client);
/// # Ok::<(), cloud_cron_notifiers::channels::ChannelConfigError>(())
/// ```
pub fn http_client() -> Result<reqwest::Client, ChannelConfigError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ChannelConfigError::HttpClient {
            reason: e.without_url().to_string(),
        })
}

/// Parse and check a URL a channel posts to: absolute, with a host, and
/// `https` (or `http` to a loopback host).
pub(crate) fn checked_url(text: &str, what: &'static str) -> Result<Url, ChannelConfigError> {
    let url = Url::parse(text.trim()).map_err(|e| ChannelConfigError::InvalidUrl {
        what,
        // url's ParseError messages are fixed strings; they never quote input.
        reason: e.to_string(),
    })?;
    let host = url
        .host_str()
        .ok_or_else(|| ChannelConfigError::InvalidUrl {
            what,
            reason: "it has no host".to_owned(),
        })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        scheme => Err(ChannelConfigError::InsecureUrl {
            what,
            scheme: scheme.to_owned(),
        }),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Add what every request carries: the user agent, the time-out and the
/// content type.
pub(crate) fn prepare(request: RequestBuilder, content_type: &'static str) -> RequestBuilder {
    request
        .timeout(REQUEST_TIMEOUT)
        .header(reqwest::header::USER_AGENT, USER_AGENT)
        .header(CONTENT_TYPE, content_type)
}

/// Send a request and classify the outcome: `Ok` on 2xx, else a
/// [`DeliveryError`] naming `provider`, quoting the start of the response
/// body with every string in `secrets` replaced by `[REDACTED]`.
pub(crate) async fn send(
    request: RequestBuilder,
    provider: &str,
    secrets: &[&str],
) -> Result<(), DeliveryError> {
    let mut response = request
        .send()
        .await
        .map_err(|e| transport_error(e, provider))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = retry_after(response.headers(), SystemTime::now());
    let mut body = Vec::new();
    // A failure to read the error body only loses detail, not the verdict.
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_DETAIL_BYTES {
            break;
        }
    }
    let detail = redact(&String::from_utf8_lossy(&body), secrets);
    Err(classify(status, retry_after, provider, &detail))
}

/// The one status classification every channel uses for a response that is
/// not 2xx ([`send`] returns `Ok` for those): 408, 429 and 5xx are transient
/// (with `retry_after` when the provider gave one); everything else,
/// including redirects the client did not follow, is permanent. `detail` is
/// the (already redacted) response text.
pub(crate) fn classify(
    status: StatusCode,
    retry_after: Option<Duration>,
    provider: &str,
    detail: &str,
) -> DeliveryError {
    let detail = detail.trim();
    let mut quoted: String = detail.chars().take(MAX_DETAIL_CHARS).collect();
    if quoted.len() < detail.len() {
        quoted.push('…');
    }
    let said = if quoted.is_empty() {
        String::new()
    } else {
        format!(": {quoted}")
    };
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        DeliveryError::Transient {
            reason: format!("{provider} answered {status}{said}"),
            retry_after,
        }
    } else {
        DeliveryError::permanent(format!(
            "{provider} rejected the request with {status}{said}"
        ))
    }
}

/// A request that got no response: time-outs and connection failures are
/// transient; a request that could not be built is permanent. The URL is
/// stripped from the error, since a webhook URL is a secret.
fn transport_error(error: reqwest::Error, provider: &str) -> DeliveryError {
    let error = error.without_url();
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let why = if causes.is_empty() {
        error.to_string()
    } else {
        causes.join(": ")
    };
    if error.is_timeout() {
        DeliveryError::transient(format!(
            "{provider} did not answer within {}s",
            REQUEST_TIMEOUT.as_secs()
        ))
    } else if error.is_builder() {
        DeliveryError::permanent(format!(
            "the request to {provider} could not be built: {why}"
        ))
    } else if error.is_connect() {
        DeliveryError::transient(format!("could not connect to {provider}: {why}"))
    } else {
        DeliveryError::transient(format!("the request to {provider} failed: {why}"))
    }
}

/// The provider's `Retry-After`: delay-seconds or an HTTP date (relative to
/// `now`; a date in the past means "now", zero).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `text` with every non-empty `secret` replaced by `[REDACTED]`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    text
}

/// A header value from message data (the envelope id), or a permanent error.
pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue, DeliveryError> {
    HeaderValue::from_str(value).map_err(|_| {
        DeliveryError::permanent(format!(
            "the envelope id cannot be sent in header {name}: it contains characters not allowed in an HTTP header"
        ))
    })
}

/// The parts of a webhook URL that grant posting and must never be shown:
/// the whole URL, its path and its query. Used to redact response text.
pub(crate) fn url_secrets(url: &Url) -> Vec<String> {
    let mut secrets = vec![url.as_str().to_owned()];
    if url.path().len() > 1 {
        secrets.push(url.path().to_owned());
        // Slack and Teams paths are made of several secret segments; a
        // receiver echoing one must not leak it either.
        secrets.extend(
            url.path_segments()
                .into_iter()
                .flatten()
                .filter(|s| s.len() >= 8)
                .map(str::to_owned),
        );
    }
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        secrets.push(query.to_owned());
        secrets.extend(
            url.query_pairs()
                .map(|(_, v)| v.into_owned())
                .filter(|v| v.len() >= 8),
        );
    }
    // Longest first, so a whole URL is replaced before its parts.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// The rendered part a channel needs, or a permanent error naming it.
pub(crate) fn required_part<'a>(
    delivery: &crate::delivery::Delivery<'a>,
    part: cloud_cron_contract::notifier::TemplatePart,
    channel: &str,
) -> Result<&'a str, DeliveryError> {
    let text = delivery.rendered.get(part).ok_or_else(|| {
        DeliveryError::permanent(format!(
            "the {channel} channel needs a rendered `{part}` template part and none was rendered"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(DeliveryError::permanent(format!(
            "the rendered `{part}` template part is empty; the {channel} channel cannot send an empty message"
        )));
    }
    Ok(text)
}

/// A webhook URL that grants posting: checked once, never printed.
pub(crate) struct SecretUrl {
    url: Url,
    secrets: Vec<String>,
}

impl SecretUrl {
    /// Check `url` (see [`checked_url`]) and keep it.
    pub(crate) fn new(
        url: &SecretString,
        what: &'static str,
    ) -> Result<SecretUrl, ChannelConfigError> {
        let text = url.expose_secret();
        if text.trim().is_empty() {
            return Err(ChannelConfigError::EmptySecret { what });
        }
        let url = checked_url(text, what)?;
        let secrets = url_secrets(&url);
        Ok(SecretUrl { url, secrets })
    }

    /// The URL, to send a request to. Never format it.
    pub(crate) fn expose(&self) -> Url {
        self.url.clone()
    }

    /// The strings to redact from anything shown (response text).
    pub(crate) fn redactions(&self) -> Vec<&str> {
        self.secrets.iter().map(String::as_str).collect()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_unless_loopback() {
        assert!(checked_url("https://hooks.slack.com/x", "u").is_ok());
        assert!(checked_url("http://127.0.0.1:8080/x", "u").is_ok());
        assert!(checked_url("http://[::1]:8080/x", "u").is_ok());
        assert!(checked_url("http://localhost/x", "u").is_ok());
        assert_eq!(
            checked_url("http://example.com/secret-path", "webhook URL"),
            Err(ChannelConfigError::InsecureUrl {
                what: "webhook URL",
                scheme: "http".into()
            })
        );
        assert!(checked_url("ftp://127.0.0.1/x", "u").is_err());
        let err = checked_url("hooks.slack.com/services/SECRET", "u").unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
        assert!(matches!(err, ChannelConfigError::InvalidUrl { .. }));
    }

    #[test]
    fn statuses_are_classified_once() {
        let t =
            |code: u16| classify(StatusCode::from_u16(code).unwrap(), None, "P", "").is_transient();
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(t(code), "{code} should be transient");
        }
        for code in [301, 400, 401, 403, 404, 410, 413, 422] {
            assert!(!t(code), "{code} should be permanent");
        }
        let err = classify(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(7)),
            "Slack",
            "rate_limited",
        );
        assert_eq!(
            err,
            DeliveryError::Transient {
                reason: "Slack answered 429 Too Many Requests: rate_limited".into(),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
        let long = "x".repeat(1000);
        let err = classify(StatusCode::BAD_REQUEST, None, "P", &long).to_string();
        assert!(err.len() < 400, "{err}");
        assert!(err.ends_with('…'));
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let mut headers = HeaderMap::new();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        // 2015-10-21T07:28:00Z + 120 s
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:30:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(120)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn redaction_covers_url_parts() {
        let url = Url::parse(
            "https://hooks.example.com/services/T0001/B0002/abcdefghSECRET?sig=querysecret1",
        )
        .unwrap();
        let secrets = url_secrets(&url);
        let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let text = redact(
            "no route for /services/T0001/B0002/abcdefghSECRET, token abcdefghSECRET, sig querysecret1",
            &refs,
        );
        assert!(!text.contains("abcdefghSECRET"), "{text}");
        assert!(!text.contains("querysecret1"), "{text}");
        assert!(text.contains("[REDACTED]"));
    }
}
