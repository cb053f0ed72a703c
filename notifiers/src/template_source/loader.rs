//! [`TemplateLoader`]: reads template sources, with limits and a per-process cache.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_types::service_config::ServiceConfigKey;
use reqwest::redirect;
use tokio::io::AsyncReadExt;
use tokio::sync::OnceCell;

use super::error::{is_transient_status, status_hint};
use super::{check_url_target, parse_url, redact_parsed, TemplateError, TemplateSource};
use cloud_cron_runtime::sdk_error::{error_chain, unanswered};

/// Redirects followed at most for one URL fetch.
const MAX_REDIRECTS: usize = 5;

/// Loads templates from [`TemplateSource`]s and keeps them for the life of the process.
///
/// Make one per process (a Lambda container) and share it: it is `Send + Sync`, and
/// [`load`](Self::load) takes `&self`. The first successful load of a source is
/// cached and every later load of an equal source returns the same text without
/// touching the environment, the disk or the network; concurrent first loads of
/// one source share a single fetch. Failures are not cached.
///
/// Remote loads (URL, S3) must finish within a time limit and every template must
/// fit a size limit: 5 s and 256 KiB unless changed with
/// [`with_limits`](Self::with_limits). The HTTP and S3 clients are built on first
/// use, so a loader that only reads files never sets up TLS or AWS clients.
///
/// ```no_run
/// use std::time::Duration;
/// use cloud_cron_notifiers::template_source::{TemplateLoader, TemplateSource};
///
/// # async fn example() -> Result<(), cloud_cron_notifiers::template_source::TemplateError> {
/// let loader = TemplateLoader::from_env()
///     .await
///     .with_limits(Duration::from_secs(2), 64 * 1024);
/// let text = loader.load(&"s3://my-bucket/templates/report.j2".parse()?).await?;
/// # Ok(())
/// # }
/// ```
pub struct TemplateLoader {
    sdk_config: SdkConfig,
    http: OnceLock<Result<reqwest::Client, String>>,
    s3: OnceLock<aws_sdk_s3::Client>,
    ssm: OnceLock<aws_sdk_ssm::Client>,
    cache: Mutex<HashMap<TemplateSource, Arc<OnceCell<Arc<str>>>>>,
    timeout: Duration,
    max_bytes: usize,
}

impl TemplateLoader {
    /// The default time limit for a remote (URL or S3) load: 5 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The default size limit for a template: 256 KiB.
    pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

    /// A loader whose S3 client is configured by `aws-config`'s defaults
    /// (`aws_config::load_defaults(BehaviorVersion::latest())`): region, credentials,
    /// and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3` from the environment.
    pub async fn from_env() -> TemplateLoader {
        TemplateLoader::from_sdk_config(&aws_config::load_defaults(BehaviorVersion::latest()).await)
    }

    /// A loader whose S3 client is built from `config`: the way to point one loader
    /// at a local S3 emulator without changing the process environment.
    ///
    /// When `config` (or the environment, for S3 only) sets an endpoint URL, S3 is
    /// addressed path-style (`http://127.0.0.1:5000/BUCKET/KEY`), which emulators need.
    pub fn from_sdk_config(config: &SdkConfig) -> TemplateLoader {
        TemplateLoader {
            sdk_config: config.clone(),
            http: OnceLock::new(),
            s3: OnceLock::new(),
            ssm: OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
            timeout: Self::DEFAULT_TIMEOUT,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }

    /// Sets the time limit for one remote (URL, S3 or SSM) load, redirects and SDK retries
    /// included, and the size limit in bytes for any template.
    pub fn with_limits(mut self, timeout: Duration, max_bytes: usize) -> Self {
        self.timeout = timeout;
        self.max_bytes = max_bytes;
        self
    }

    /// The template text of `source`: from the cache when this loader has loaded an
    /// equal source before, otherwise read now (and cached when that succeeds).
    ///
    /// # Errors
    ///
    /// A [`TemplateError`] naming the source; see
    /// [`TemplateError::is_transient`] for which ones are worth retrying.
    pub async fn load(&self, source: &TemplateSource) -> Result<Arc<str>, TemplateError> {
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(cache.entry(source.clone()).or_default())
        };
        let host = source.log_host();
        let host = host.as_deref().unwrap_or("-");
        if let Some(text) = cell.get() {
            tracing::debug!(kind = source.kind(), host, "template served from cache");
            return Ok(Arc::clone(text));
        }
        let text = cell
            .get_or_try_init(|| async {
                let started = Instant::now();
                let bytes = self.fetch(source).await?;
                let text = into_text(source, bytes)?;
                tracing::info!(
                    kind = source.kind(),
                    host,
                    bytes = text.len(),
                    elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "template loaded"
                );
                Ok::<_, TemplateError>(text)
            })
            .await?;
        Ok(Arc::clone(text))
    }

    /// The raw bytes of `source`, within the size limit (and the time limit, if remote).
    async fn fetch(&self, source: &TemplateSource) -> Result<Vec<u8>, TemplateError> {
        if let Err(reason) = source.validate() {
            return Err(TemplateError::InvalidSpec {
                spec: source.to_string(),
                reason,
            });
        }
        match source {
            TemplateSource::Env { var } => self.read_env(source, var),
            TemplateSource::File { path } => self.read_file(source, path).await,
            TemplateSource::Url { url } => {
                self.within_time_limit(source, self.fetch_url(source, url))
                    .await
            }
            TemplateSource::S3 { bucket, key } => {
                self.within_time_limit(source, self.fetch_s3(source, bucket, key))
                    .await
            }
            TemplateSource::Ssm { name } => {
                self.within_time_limit(source, self.fetch_ssm(source, name))
                    .await
            }
        }
    }

    async fn within_time_limit(
        &self,
        source: &TemplateSource,
        fetch: impl std::future::Future<Output = Result<Vec<u8>, TemplateError>>,
    ) -> Result<Vec<u8>, TemplateError> {
        tokio::time::timeout(self.timeout, fetch)
            .await
            .unwrap_or_else(|_elapsed| {
                Err(TemplateError::Timeout {
                    location: source.to_string(),
                    timeout: self.timeout,
                })
            })
    }

    fn too_large(&self, source: &TemplateSource, size: Option<u64>) -> TemplateError {
        TemplateError::TooLarge {
            location: source.to_string(),
            limit: self.max_bytes,
            size,
        }
    }

    fn read_env(&self, source: &TemplateSource, var: &str) -> Result<Vec<u8>, TemplateError> {
        let value = std::env::var_os(var).ok_or_else(|| TemplateError::EnvVarMissing {
            location: source.to_string(),
            var: var.to_owned(),
        })?;
        let bytes = os_string_bytes(value);
        if bytes.len() > self.max_bytes {
            return Err(self.too_large(source, Some(bytes.len() as u64)));
        }
        Ok(bytes)
    }

    async fn read_file(
        &self,
        source: &TemplateSource,
        path: &std::path::Path,
    ) -> Result<Vec<u8>, TemplateError> {
        let io_error = |error: std::io::Error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                TemplateError::FileNotFound {
                    location: source.to_string(),
                }
            } else {
                TemplateError::FileRead {
                    location: source.to_string(),
                    error,
                }
            }
        };
        let file = tokio::fs::File::open(path).await.map_err(io_error)?;
        let metadata = file.metadata().await.map_err(io_error)?;
        if metadata.is_dir() {
            return Err(io_error(std::io::Error::other("it is a directory")));
        }
        if metadata.len() > self.max_bytes as u64 {
            return Err(self.too_large(source, Some(metadata.len())));
        }
        // Read one byte past the limit so that a file that grew since `metadata`
        // is still caught.
        let mut bytes = Vec::new();
        file.take((self.max_bytes as u64).saturating_add(1))
            .read_to_end(&mut bytes)
            .await
            .map_err(io_error)?;
        if bytes.len() > self.max_bytes {
            return Err(self.too_large(source, None));
        }
        Ok(bytes)
    }

    fn http_client(&self, source: &TemplateSource) -> Result<&reqwest::Client, TemplateError> {
        self.http
            .get_or_init(|| {
                reqwest::Client::builder()
                    .redirect(redirect::Policy::custom(redirect_policy))
                    .user_agent(concat!("cloud-cron-runtime/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| e.without_url().to_string())
            })
            .as_ref()
            .map_err(|message| TemplateError::HttpClient {
                location: source.to_string(),
                message: message.clone(),
            })
    }

    async fn fetch_url(
        &self,
        source: &TemplateSource,
        url: &str,
    ) -> Result<Vec<u8>, TemplateError> {
        let url = parse_url(url).map_err(|reason| TemplateError::InvalidSpec {
            spec: source.to_string(),
            reason,
        })?;
        let client = self.http_client(source)?;
        let mut response = client
            .get(url)
            .send()
            .await
            .map_err(|e| http_error(source, e))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(TemplateError::HttpStatus {
                location: source.to_string(),
                status,
                hint: status_hint(status),
            });
        }
        if let Some(length) = response.content_length() {
            if length > self.max_bytes as u64 {
                return Err(self.too_large(source, Some(length)));
            }
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| http_error(source, e))? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(self.too_large(source, None));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn s3_client(&self) -> &aws_sdk_s3::Client {
        self.s3.get_or_init(|| {
            let mut builder = aws_sdk_s3::config::Builder::from(&self.sdk_config);
            if has_custom_s3_endpoint(&self.sdk_config) {
                builder = builder.force_path_style(true);
            }
            aws_sdk_s3::Client::from_conf(builder.build())
        })
    }

    async fn fetch_s3(
        &self,
        source: &TemplateSource,
        bucket: &str,
        key: &str,
    ) -> Result<Vec<u8>, TemplateError> {
        let output = self
            .s3_client()
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| s3_error(source, bucket, key, e))?;
        if let Some(length) = output.content_length().and_then(|l| u64::try_from(l).ok()) {
            if length > self.max_bytes as u64 {
                return Err(self.too_large(source, Some(length)));
            }
        }
        let mut body = output.body;
        let mut bytes = Vec::new();
        while let Some(chunk) = body.try_next().await.map_err(|e| TemplateError::S3 {
            location: source.to_string(),
            code: None,
            status: None,
            message: format!("reading the object's body: {}", error_chain(&e)),
            hint: "a later attempt may succeed".to_owned(),
            transient: true,
        })? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(self.too_large(source, None));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

impl TemplateLoader {
    fn ssm_client(&self) -> &aws_sdk_ssm::Client {
        self.ssm
            .get_or_init(|| aws_sdk_ssm::Client::new(&self.sdk_config))
    }

    /// The value of SSM parameter `name`, decrypted when it is a SecureString.
    async fn fetch_ssm(
        &self,
        source: &TemplateSource,
        name: &str,
    ) -> Result<Vec<u8>, TemplateError> {
        let output = self
            .ssm_client()
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| ssm_error(source, name, e))?;
        let value =
            output
                .parameter()
                .and_then(|p| p.value())
                .ok_or_else(|| TemplateError::Ssm {
                    location: source.to_string(),
                    code: None,
                    message: "the answer holds no parameter value".to_owned(),
                    hint: "check that the parameter has a value".to_owned(),
                    transient: false,
                })?;
        if value.len() > self.max_bytes {
            return Err(self.too_large(source, Some(value.len() as u64)));
        }
        Ok(value.as_bytes().to_vec())
    }
}

impl fmt::Debug for TemplateLoader {
    /// Shows the limits and how many sources are cached, never template text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cache
            .lock()
            .map(|c| c.values().filter(|cell| cell.initialized()).count())
            .unwrap_or(0);
        f.debug_struct("TemplateLoader")
            .field("timeout", &self.timeout)
            .field("max_bytes", &self.max_bytes)
            .field("cached_templates", &cached)
            .finish_non_exhaustive()
    }
}

/// Checks that `bytes` are UTF-8 and makes them the shared text.
fn into_text(source: &TemplateSource, bytes: Vec<u8>) -> Result<Arc<str>, TemplateError> {
    String::from_utf8(bytes)
        .map(Arc::from)
        .map_err(|e| TemplateError::NotUtf8 {
            location: source.to_string(),
            valid_up_to: e.utf8_error().valid_up_to(),
        })
}

/// The bytes of an environment variable's value, UTF-8 or not (checked later).
#[cfg(unix)]
fn os_string_bytes(value: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    value.into_vec()
}

/// The bytes of an environment variable's value; a value that is not Unicode
/// becomes invalid UTF-8 so that it is reported as such.
#[cfg(not(unix))]
fn os_string_bytes(value: std::ffi::OsString) -> Vec<u8> {
    value
        .into_string()
        .map(String::into_bytes)
        .unwrap_or_else(|_| vec![0xff])
}

/// Whether S3 requests go to an endpoint other than AWS's: set in `config` (e.g.
/// `AWS_ENDPOINT_URL`) or for S3 alone (`AWS_ENDPOINT_URL_S3`, a profile's
/// `services` section), the same sources the S3 client itself reads.
fn has_custom_s3_endpoint(config: &SdkConfig) -> bool {
    if config.endpoint_url().is_some() {
        return true;
    }
    let Ok(key) = ServiceConfigKey::builder()
        .service_id("S3")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
    else {
        return false;
    };
    config
        .service_config()
        .and_then(|service_config| service_config.load_config(key))
        .is_some()
}

/// Why a redirect was not followed (found again in the error's source chain).
#[derive(Debug)]
struct RedirectRefused(String);

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// Follows at most [`MAX_REDIRECTS`] redirects, each to a URL the spec rules allow
/// (`https`, or `http` to loopback), and never from `https` down to `http`.
fn redirect_policy(attempt: redirect::Attempt<'_>) -> redirect::Action {
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(RedirectRefused(format!(
            "more than {MAX_REDIRECTS} redirects"
        )));
    }
    let target = redact_parsed(attempt.url());
    let downgrade = attempt.url().scheme() == "http"
        && attempt.previous().iter().any(|u| u.scheme() == "https");
    if downgrade {
        return attempt.error(RedirectRefused(format!(
            "redirect from https to plain http (`{target}`) refused"
        )));
    }
    match check_url_target(attempt.url()) {
        Ok(()) => attempt.follow(),
        Err(reason) => attempt.error(RedirectRefused(format!(
            "redirect to `{target}` refused: {reason}"
        ))),
    }
}

/// Maps a reqwest error (the URL removed first: it may hold credentials).
fn http_error(source: &TemplateSource, error: reqwest::Error) -> TemplateError {
    let error = error.without_url();
    let mut refused = None;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = cause {
        if let Some(r) = e.downcast_ref::<RedirectRefused>() {
            refused = Some(r.0.clone());
            break;
        }
        cause = e.source();
    }
    let (message, hint, transient) = if let Some(reason) = refused {
        (reason, "point the setting at the final HTTPS URL", false)
    } else if error.is_builder() {
        (error_chain(&error), "fix the URL", false)
    } else if error.is_timeout() {
        (error_chain(&error), "a later attempt may succeed", true)
    } else if error.is_connect() {
        (
            error_chain(&error),
            "check that the host is reachable from the function (VPC egress, DNS, TLS certificate); a later attempt may succeed",
            true,
        )
    } else {
        (error_chain(&error), "a later attempt may succeed", true)
    };
    TemplateError::Http {
        location: source.to_string(),
        message,
        hint,
        transient,
        error: Box::new(error),
    }
}

/// S3 error codes worth retrying.
const TRANSIENT_S3_CODES: &[&str] = &[
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "RequestTimeout",
    "InternalError",
    "ServiceUnavailable",
];

/// Maps an S3 `GetObject` failure, telling throttling and network failures
/// (transient) from missing objects and denied access (permanent).
fn s3_error(
    source: &TemplateSource,
    bucket: &str,
    key: &str,
    error: SdkError<GetObjectError>,
) -> TemplateError {
    let location = source.to_string();
    let message = error_chain(&error);
    match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.err();
            let code = err
                .code()
                .map(str::to_owned)
                .or_else(|| err.is_no_such_key().then(|| "NoSuchKey".to_owned()));
            let transient = is_transient_status(status)
                || code
                    .as_deref()
                    .is_some_and(|c| TRANSIENT_S3_CODES.contains(&c));
            let hint = match code.as_deref() {
                Some("NoSuchKey") => format!(
                    "no object `{key}` in bucket `{bucket}`: upload the template there or fix the key"
                ),
                Some("NoSuchBucket") => {
                    format!("no bucket `{bucket}` (in this account and region): fix the bucket name")
                }
                Some("AccessDenied") => format!(
                    "grant the function's role s3:GetObject on arn:aws:s3:::{bucket}/{key} \
                     (without s3:ListBucket on the bucket, a missing key also reads as AccessDenied)"
                ),
                Some("InvalidObjectState") => {
                    "the object is archived: restore it or upload the template again".to_owned()
                }
                _ if transient => "a later attempt may succeed".to_owned(),
                _ => "check the bucket, the key and the function's permissions".to_owned(),
            };
            TemplateError::S3 {
                location,
                message: match err.message() {
                    Some(detail) => format!(
                        "{} (HTTP {status}): {detail}",
                        code.as_deref().unwrap_or("error")
                    ),
                    None => format!("{} (HTTP {status})", code.as_deref().unwrap_or("error")),
                },
                code,
                status: Some(status),
                hint,
                transient,
            }
        }
        _ => {
            // A request that could not be built or sent for local reasons is a
            // configuration problem; anything else on the way may pass.
            let (hint, transient) = unanswered("S3", &error);
            TemplateError::S3 {
                location,
                code: None,
                status: None,
                message,
                hint,
                transient,
            }
        }
    }
}

/// SSM error codes worth retrying.
const TRANSIENT_SSM_CODES: &[&str] = &[
    "ThrottlingException",
    "TooManyUpdates",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Maps an SSM `GetParameter` failure, telling throttling and network failures
/// (transient) from a missing parameter or denied access (permanent).
fn ssm_error(
    source: &TemplateSource,
    name: &str,
    error: SdkError<aws_sdk_ssm::operation::get_parameter::GetParameterError>,
) -> TemplateError {
    let location = source.to_string();
    match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.err();
            let code = err.code().map(str::to_owned);
            let transient = is_transient_status(status)
                || code
                    .as_deref()
                    .is_some_and(|c| TRANSIENT_SSM_CODES.contains(&c));
            let hint = match code.as_deref() {
                Some("ParameterNotFound") => format!(
                    "no parameter `{name}` in this account and region: create it or fix the name"
                ),
                Some("ParameterVersionNotFound") => {
                    "no such parameter version: fix the `:version` suffix".to_owned()
                }
                Some("AccessDeniedException") => format!(
                    "grant the function's role ssm:GetParameter on the parameter `{name}`                      (and kms:Decrypt on its key for a SecureString)"
                ),
                _ if transient => "a later attempt may succeed".to_owned(),
                _ => "check the parameter name and the function's permissions".to_owned(),
            };
            let message = match err.message() {
                Some(detail) => format!(
                    "{} (HTTP {status}): {detail}",
                    code.as_deref().unwrap_or("error")
                ),
                None => format!("{} (HTTP {status})", code.as_deref().unwrap_or("error")),
            };
            TemplateError::Ssm {
                location,
                code,
                message,
                hint,
                transient,
            }
        }
        _ => {
            let (hint, transient) = unanswered("SSM", &error);
            TemplateError::Ssm {
                location,
                code: None,
                message: error_chain(&error),
                hint,
                transient,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_errors_and_load_futures_can_cross_threads() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: &T) {}
        let loader = TemplateLoader::from_sdk_config(&SdkConfig::builder().build());
        send_sync(&loader);
        let source = TemplateSource::Env { var: "X".into() };
        let load = loader.load(&source);
        send(&load);
        let error = TemplateError::FileNotFound {
            location: "file:x".into(),
        };
        send_sync(&error);
    }

    #[test]
    fn debug_shows_limits_not_templates() {
        let loader = TemplateLoader::from_sdk_config(&SdkConfig::builder().build())
            .with_limits(Duration::from_millis(300), 1000);
        assert_eq!(
            format!("{loader:?}"),
            "TemplateLoader { timeout: 300ms, max_bytes: 1000, cached_templates: 0, .. }"
        );
    }

    #[test]
    fn transient_statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient_status(status), "{status}");
        }
        for status in [301, 400, 401, 403, 404, 410, 422] {
            assert!(!is_transient_status(status), "{status}");
        }
    }
}
