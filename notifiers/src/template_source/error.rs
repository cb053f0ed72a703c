//! [`TemplateError`]: why a template could not be had, and whether trying again may help.

use std::time::Duration;

/// A boxed error kept as the [`source`](std::error::Error::source) of a
/// [`TemplateError`], so that the HTTP and AWS client types stay out of this API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a template could not be loaded.
///
/// Every variant names the template source (`location`: the source as
/// [`TemplateSource`](super::TemplateSource)'s `Display` writes it, so a URL never
/// shows its query string or user info) and its message says what to fix.
/// [`is_transient`](Self::is_transient) tells a failure that may pass on a later
/// attempt (a time-out, HTTP 5xx, S3 throttling, a network error) from one that
/// will not pass until the configuration or the template changes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template source setting is not one of the accepted forms.
    #[error(
        "invalid template source `{spec}`: {reason} (accepted forms: `env:NAME`, `file:PATH`, \
         `https://HOST/PATH`, `http://127.0.0.1:PORT/PATH` for loopback hosts, `s3://BUCKET/KEY`, \
         `ssm:NAME`)"
    )]
    InvalidSpec {
        /// The setting as given (a URL with its query string and user info removed).
        spec: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The environment variable that should hold the template is not set.
    #[error(
        "template source `{location}`: environment variable `{var}` is not set; \
         set it to the template text, or choose another template source"
    )]
    EnvVarMissing {
        /// The source, e.g. `env:REPORT_TEMPLATE`.
        location: String,
        /// The variable's name.
        var: String,
    },

    /// The template file does not exist.
    #[error(
        "template source `{location}`: no such file; bundle the template with the Lambda \
         package at that path (a relative path resolves against the working directory, \
         which is LAMBDA_TASK_ROOT in Lambda)"
    )]
    FileNotFound {
        /// The source, e.g. `file:/var/task/templates/report.j2`.
        location: String,
    },

    /// The template file exists but could not be read (a directory, no permission, ...).
    #[error("template source `{location}`: cannot read the file: {error}; make it a readable regular file")]
    FileRead {
        /// The source, e.g. `file:/var/task/templates/report.j2`.
        location: String,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },

    /// The HTTP server answered with a status other than 2xx (after redirects).
    #[error("template source `{location}`: HTTP {status}; {hint}")]
    HttpStatus {
        /// The URL, without its query string.
        location: String,
        /// The HTTP status code.
        status: u16,
        /// What the status means here and what to do about it.
        hint: &'static str,
    },

    /// The HTTP request failed without a status: connection refused, DNS, TLS,
    /// a refused redirect, a broken body.
    #[error("template source `{location}`: request failed: {message}; {hint}")]
    Http {
        /// The URL, without its query string.
        location: String,
        /// What failed (never includes the URL's query string).
        message: String,
        /// What to do about it.
        hint: &'static str,
        /// Whether a later attempt may succeed (network failures); `false` for
        /// refused redirects and invalid requests.
        transient: bool,
        /// The underlying error, with the URL removed.
        #[source]
        error: BoxError,
    },

    /// The template did not arrive within the loader's time limit.
    #[error(
        "template source `{location}`: no complete response within {timeout:?}; check that \
         the host is reachable from the function (VPC egress, DNS), or raise the time limit \
         with `TemplateLoader::with_limits`"
    )]
    Timeout {
        /// The URL (without its query string) or `s3://bucket/key`.
        location: String,
        /// The limit that was exceeded.
        timeout: Duration,
    },

    /// The template is larger than the loader's size limit.
    #[error(
        "template source `{location}`: the template is {} over the {limit}-byte limit; \
         shorten it, or raise the limit with `TemplateLoader::with_limits`",
        match .size { Some(size) => format!("{size} bytes,"), None => "larger than that,".to_owned() }
    )]
    TooLarge {
        /// The source.
        location: String,
        /// The limit, in bytes.
        limit: usize,
        /// The template's size when it was announced (Content-Length, file size);
        /// `None` when the read stopped at the limit.
        size: Option<u64>,
    },

    /// The template is not valid UTF-8.
    #[error(
        "template source `{location}`: the template is not valid UTF-8 (first invalid byte \
         at offset {valid_up_to}); save it as UTF-8"
    )]
    NotUtf8 {
        /// The source.
        location: String,
        /// The length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },

    /// S3 `GetObject` failed, or the object's body could not be read.
    #[error("template source `{location}`: S3 GetObject failed: {message}; {hint}")]
    S3 {
        /// `s3://bucket/key`.
        location: String,
        /// S3's error code (`NoSuchKey`, `AccessDenied`, `SlowDown`, ...), when S3 answered.
        code: Option<String>,
        /// The HTTP status of S3's answer, when S3 answered.
        status: Option<u16>,
        /// What failed.
        message: String,
        /// What to do about it.
        hint: String,
        /// Whether a later attempt may succeed (throttling, 5xx, network failures).
        transient: bool,
    },

    /// SSM `GetParameter` failed.
    #[error("template source `{location}`: SSM GetParameter failed: {message}; {hint}")]
    Ssm {
        /// `ssm:NAME`.
        location: String,
        /// SSM's error code (`ParameterNotFound`, `AccessDeniedException`,
        /// `ThrottlingException`, ...), when SSM answered.
        code: Option<String>,
        /// What failed.
        message: String,
        /// What to do about it.
        hint: String,
        /// Whether a later attempt may succeed (throttling, 5xx, network failures).
        transient: bool,
    },

    /// The HTTP client could not be built (TLS set-up failed).
    #[error("template source `{location}`: cannot create the HTTP client: {message}")]
    HttpClient {
        /// The URL, without its query string.
        location: String,
        /// Why the client could not be built.
        message: String,
    },
}

impl TemplateError {
    /// Whether a later attempt may succeed without any change: a time-out, an HTTP
    /// 408, 429 or 5xx, a network failure, S3 or SSM throttling or a 5xx from them.
    ///
    /// `false` means the configuration or the template must change first: a bad
    /// source setting, a missing environment variable or file, HTTP 404 or 403,
    /// S3 `NoSuchKey` or `AccessDenied`, SSM `ParameterNotFound`, a template that is too large or not UTF-8.
    ///
    /// ```
    /// use cloud_cron_notifiers::template_source::TemplateSource;
    ///
    /// let err = TemplateSource::parse("ftp://example.com/t.j2").unwrap_err();
    /// assert!(!err.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Self::HttpStatus { status, .. } => is_transient_status(*status),
            Self::Http { transient, .. }
            | Self::S3 { transient, .. }
            | Self::Ssm { transient, .. } => *transient,
            Self::Timeout { .. } => true,
            Self::FileRead { error, .. } => matches!(
                error.kind(),
                std::io::ErrorKind::Interrupted
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::WouldBlock
            ),
            Self::InvalidSpec { .. }
            | Self::EnvVarMissing { .. }
            | Self::FileNotFound { .. }
            | Self::TooLarge { .. }
            | Self::NotUtf8 { .. }
            | Self::HttpClient { .. } => false,
        }
    }
}

/// HTTP statuses worth retrying: request time-out, too many requests, server errors.
pub(super) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

/// What an HTTP status means for a template fetch, and what to do about it.
pub(super) fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            "access denied: check the URL and its credentials (a presigned URL may have expired)"
        }
        404 | 410 => "no template at that URL: fix the URL or publish the template there",
        408 | 429 => "the server asked to slow down or timed out: a later attempt may succeed",
        300..=399 => {
            "a redirect without a usable Location header: point the setting at the final URL"
        }
        500..=599 => "server error: a later attempt may succeed",
        _ => "the server refused the request: check the URL",
    }
}
