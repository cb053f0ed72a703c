//! Template providers: where a notifier's template text comes from.
//!
//! This module owns two things:
//!
//! - [`TemplateSource`]: the five places a template (a Jinja2/minijinja template
//!   body) can live, parsed from one configuration string;
//! - [`TemplateLoader`]: reads a source, enforces a time limit and a size limit,
//!   checks the text is UTF-8, and caches it for the life of the process, so the
//!   warm invocations of one Lambda container fetch each template once.
//!
//! It does not render templates; the caller hands the text to minijinja.
//!
//! | setting | reads |
//! |---|---|
//! | `env:NAME` | the value of environment variable `NAME` |
//! | `file:PATH` | a file, e.g. bundled with the Lambda package (`file:templates/report.j2` resolves against the working directory, `LAMBDA_TASK_ROOT` in Lambda) |
//! | `https://HOST/PATH` | an HTTPS GET (at most 5 redirects, never to plain `http://` elsewhere than loopback) |
//! | `http://127.0.0.1:PORT/PATH` | plain HTTP, for loopback hosts only (`127.0.0.0/8`, `localhost`, `[::1]`): local test servers |
//! | `s3://BUCKET/KEY` | S3 `GetObject` with the SDK configuration from `aws-config`, so `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_S3`) points it at a local emulator, addressed path-style then |
//! | `ssm:NAME` | SSM Parameter Store `GetParameter` with decryption (a `String` or `SecureString` parameter, e.g. `ssm:/cloudcron/templates/alert-html`), same SDK configuration; how constructs ship templates too big for the 4 KB of Lambda environment variables |
//!
//! Errors are [`TemplateError`]s that name the source, say what to fix, and tell
//! transient failures (time-outs, 5xx, throttling, network) from permanent ones
//! with [`TemplateError::is_transient`]. Failures are not cached: the next
//! [`load`](TemplateLoader::load) tries again.
//!
//! Logs (`tracing` events under the target `cloud_cron_notifiers::template_source`:
//! `template loaded` at INFO, `template served from cache` at DEBUG) carry the
//! source's kind and host (a URL's host, an S3 bucket) only: never the template
//! text, a URL's path or query string (which may hold presigned credentials), an
//! S3 key nor an SSM parameter name. Errors name the full source, a URL without its query string.
//!
//! ```no_run
//! use cloud_cron_notifiers::template_source::{TemplateLoader, TemplateSource};
//!
//! # async fn handler() -> Result<(), Box<dyn std::error::Error>> {
//! // Once per container (e.g. in a `static` `OnceCell` or the handler's state):
//! let loader = TemplateLoader::from_env().await;
//! let source: TemplateSource = std::env::var("TEMPLATE_SOURCE")?.parse()?;
//!
//! // Every invocation: the first call fetches, later ones are served from memory.
//! match loader.load(&source).await {
//!     Ok(text) => println!("{} bytes of template", text.len()),
//!     Err(err) if err.is_transient() => return Err(err.into()), // let Lambda retry
//!     Err(err) => eprintln!("fix the configuration: {err}"),
//! }
//! # Ok(())
//! # }
//! ```

mod error;
mod loader;

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use reqwest::Url;

pub use error::{BoxError, TemplateError};
pub use loader::TemplateLoader;

/// Where a template's text comes from.
///
/// Build one with [`TemplateSource::parse`] (or [`str::parse`]) from a setting such
/// as `s3://my-bucket/templates/report.j2`, or construct a variant directly; the
/// loader checks a directly built variant the same way `parse` would.
///
/// `Display` writes the setting back, except that a URL loses its query string
/// (shown as `?…`), fragment and user info; `Debug` is redacted the same way, so
/// neither can leak presigned credentials into logs.
///
/// ```
/// use cloud_cron_notifiers::template_source::TemplateSource;
///
/// let source: TemplateSource = "s3://my-bucket/templates/report.j2".parse()?;
/// assert_eq!(
///     source,
///     TemplateSource::S3 { bucket: "my-bucket".into(), key: "templates/report.j2".into() },
/// );
///
/// let url = TemplateSource::parse("https://example.com/t.j2?X-Amz-Signature=secret")?;
/// assert_eq!(url.to_string(), "https://example.com/t.j2?…");
/// # Ok::<(), cloud_cron_notifiers::template_source::TemplateError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum TemplateSource {
    /// `env:NAME`: the template is the value of an environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// `file:PATH`: the template is a file on disk.
    File {
        /// The file's path; a relative path resolves against the working directory.
        path: PathBuf,
    },
    /// `https://...` (or `http://` to a loopback host): the template is fetched with GET.
    Url {
        /// The full URL, query string included (it may hold presigned credentials, so
        /// this field is never logged).
        url: String,
    },
    /// `s3://BUCKET/KEY`: the template is an S3 object.
    S3 {
        /// The bucket's name.
        bucket: String,
        /// The object's key, verbatim (no percent-decoding).
        key: String,
    },
    /// `ssm:NAME`: the template is the value of an SSM Parameter Store
    /// parameter (`String` or `SecureString`, read with decryption).
    Ssm {
        /// The parameter's name (`/cloudcron/templates/alert-html`) or ARN.
        name: String,
    },
}

impl TemplateSource {
    /// Parses a template source setting. Leading and trailing white space is ignored.
    ///
    /// | form | variant |
    /// |---|---|
    /// | `env:NAME` | [`Env`](Self::Env) |
    /// | `file:PATH` or `file:///ABSOLUTE/PATH` | [`File`](Self::File) |
    /// | `https://HOST/PATH`, `http://LOOPBACK[:PORT]/PATH` | [`Url`](Self::Url) |
    /// | `s3://BUCKET/KEY` | [`S3`](Self::S3) |
    /// | `ssm:NAME` | [`Ssm`](Self::Ssm) |
    ///
    /// # Errors
    ///
    /// [`TemplateError::InvalidSpec`] for any other form, an empty name, path, bucket
    /// or key, a URL that does not parse, or `http://` to a host that is not loopback.
    ///
    /// ```
    /// use cloud_cron_notifiers::template_source::TemplateSource;
    ///
    /// assert_eq!(
    ///     TemplateSource::parse("env:REPORT_TEMPLATE")?,
    ///     TemplateSource::Env { var: "REPORT_TEMPLATE".into() },
    /// );
    /// assert!(TemplateSource::parse("http://127.0.0.1:8080/t.j2").is_ok());
    /// assert!(TemplateSource::parse("http://example.com/t.j2").is_err()); // https only
    /// assert_eq!(
    ///     TemplateSource::parse("ssm:/cloudcron/templates/alert")?,
    ///     TemplateSource::Ssm { name: "/cloudcron/templates/alert".into() },
    /// );
    /// # Ok::<(), cloud_cron_notifiers::template_source::TemplateError>(())
    /// ```
    pub fn parse(spec: &str) -> Result<TemplateSource, TemplateError> {
        let spec = spec.trim();
        let invalid = |reason: String| TemplateError::InvalidSpec {
            spec: redact_url(spec),
            reason,
        };
        let Some((scheme, rest)) = spec.split_once(':') else {
            let reason = if spec.is_empty() {
                "the setting is empty".to_owned()
            } else if spec.starts_with('/') {
                format!("no scheme (did you mean `file:{spec}`?)")
            } else {
                "no scheme".to_owned()
            };
            return Err(invalid(reason));
        };
        let source = match scheme.to_ascii_lowercase().as_str() {
            "env" => TemplateSource::Env {
                var: rest.to_owned(),
            },
            "file" => {
                let path = match rest.strip_prefix("//") {
                    None => rest,
                    Some(after) if after.starts_with('/') => after,
                    Some(_) => {
                        return Err(invalid(
                            "`file://` must be followed by an absolute path (`file:///var/task/t.j2`); \
                             or write `file:PATH`"
                                .to_owned(),
                        ))
                    }
                };
                TemplateSource::File {
                    path: PathBuf::from(path),
                }
            }
            "http" | "https" => TemplateSource::Url {
                url: spec.to_owned(),
            },
            "s3" => {
                let Some(location) = rest.strip_prefix("//") else {
                    return Err(invalid(
                        "write S3 locations as `s3://BUCKET/KEY`".to_owned(),
                    ));
                };
                let (bucket, key) = location.split_once('/').unwrap_or((location, ""));
                TemplateSource::S3 {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                }
            }
            "ssm" => TemplateSource::Ssm {
                name: rest.to_owned(),
            },
            other => {
                return Err(invalid(format!("unknown scheme `{other}`")));
            }
        };
        source.validate().map_err(invalid)?;
        Ok(source)
    }

    /// The kind of source: `"env"`, `"file"`, `"url"`, `"s3"` or `"ssm"` (what logs show).
    pub fn kind(&self) -> &'static str {
        match self {
            TemplateSource::Env { .. } => "env",
            TemplateSource::File { .. } => "file",
            TemplateSource::Url { .. } => "url",
            TemplateSource::S3 { .. } => "s3",
            TemplateSource::Ssm { .. } => "ssm",
        }
    }

    /// Checks a source's fields; `Err` holds the reason.
    fn validate(&self) -> Result<(), String> {
        match self {
            TemplateSource::Env { var } => {
                if var.is_empty() {
                    Err("no variable name after `env:`".to_owned())
                } else if var.contains(['=', '\0']) {
                    Err(format!(
                        "`{var}` is not a valid environment variable name (no `=` or NUL)"
                    ))
                } else {
                    Ok(())
                }
            }
            TemplateSource::File { path } => {
                if path.as_os_str().is_empty() {
                    Err("no path after `file:`".to_owned())
                } else {
                    Ok(())
                }
            }
            TemplateSource::Url { url } => parse_url(url).map(|_| ()),
            TemplateSource::S3 { bucket, key } => {
                if bucket.is_empty() {
                    Err("no bucket name after `s3://`".to_owned())
                } else if !bucket
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                {
                    Err(format!(
                        "`{bucket}` is not a valid S3 bucket name (letters, digits, `.`, `-`)"
                    ))
                } else if key.is_empty() {
                    Err(format!(
                        "no object key after `s3://{bucket}/` (write `s3://{bucket}/path/to/template.j2`)"
                    ))
                } else {
                    Ok(())
                }
            }
            TemplateSource::Ssm { name } => validate_ssm_name(name),
        }
    }

    /// The host to log: a URL's host or an S3 bucket; `None` for env and file sources.
    fn log_host(&self) -> Option<String> {
        match self {
            TemplateSource::Url { url } => Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned)),
            TemplateSource::S3 { bucket, .. } => Some(bucket.clone()),
            TemplateSource::Env { .. }
            | TemplateSource::File { .. }
            | TemplateSource::Ssm { .. } => None,
        }
    }
}

impl FromStr for TemplateSource {
    type Err = TemplateError;

    /// Same as [`TemplateSource::parse`].
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        TemplateSource::parse(spec)
    }
}

impl fmt::Display for TemplateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateSource::Env { var } => write!(f, "env:{var}"),
            TemplateSource::File { path } => write!(f, "file:{}", path.display()),
            TemplateSource::Url { url } => f.write_str(&redact_url(url)),
            TemplateSource::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
            TemplateSource::Ssm { name } => write!(f, "ssm:{name}"),
        }
    }
}

impl fmt::Debug for TemplateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateSource::Env { var } => f.debug_struct("Env").field("var", var).finish(),
            TemplateSource::File { path } => f.debug_struct("File").field("path", path).finish(),
            TemplateSource::Url { url } => f
                .debug_struct("Url")
                .field("url", &redact_url(url))
                .finish(),
            TemplateSource::S3 { bucket, key } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("key", key)
                .finish(),
            TemplateSource::Ssm { name } => f.debug_struct("Ssm").field("name", name).finish(),
        }
    }
}

/// Checks an SSM parameter name (or ARN): what Parameter Store accepts,
/// `a-zA-Z0-9_.-/` (and `:` in an ARN), at most 2048 characters.
fn validate_ssm_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("no parameter name after `ssm:` (write `ssm:/path/to/parameter`)".to_owned());
    }
    if name.len() > 2048 {
        return Err("the parameter name is longer than 2048 characters".to_owned());
    }
    let arn = name.starts_with("arn:");
    match name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/') || (arn && c == ':')))
    {
        Some(c) => Err(format!(
            "`{name}` is not a valid SSM parameter name: `{c}` is not allowed (letters, digits, `_`, `.`, `-`, `/`)"
        )),
        None => Ok(()),
    }
}

/// Parses and checks a template URL: `https` with a host, or `http` to a loopback host.
fn parse_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a valid URL: {e}"))?;
    check_url_target(&parsed)?;
    Ok(parsed)
}

/// The rule for every URL fetched, redirects included: HTTPS to any host, plain HTTP
/// to loopback hosts only.
fn check_url_target(url: &Url) -> Result<(), String> {
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err("the URL has no host".to_owned());
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(host) => Ok(()),
        "http" => Err(format!(
            "plain `http://` is allowed only for loopback hosts (127.0.0.1, localhost, [::1]), \
             not `{host}`: use `https://`"
        )),
        other => Err(format!("unsupported URL scheme `{other}`: use `https://`")),
    }
}

/// `localhost`, any `127.0.0.0/8` address, or `::1` (as `Url::host_str` writes it, in brackets).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A URL fit for logs and error messages: no user info, no fragment, and the query
/// string replaced by `?…`. Strings that are not URLs are cut at `?` or `#` too.
pub(crate) fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) if parsed.has_host() => redact_parsed(&parsed),
        _ => {
            let cut = url.find(['?', '#']).unwrap_or(url.len());
            let (head, tail) = url.split_at(cut);
            // Drop user info (`scheme://user:pass@host/...`) from what is left.
            let head = match head.split_once("://") {
                Some((scheme, rest)) => {
                    let authority_end = rest.find('/').unwrap_or(rest.len());
                    match rest[..authority_end].rfind('@') {
                        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                        None => head.to_owned(),
                    }
                }
                None => head.to_owned(),
            };
            if tail.starts_with('?') {
                format!("{head}?…")
            } else {
                head
            }
        }
    }
}

/// [`redact_url`] for a parsed URL.
fn redact_parsed(url: &Url) -> String {
    let mut shown = url.clone();
    // These cannot fail on a URL that has a host.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_fragment(None);
    let had_query = shown.query().is_some();
    shown.set_query(None);
    let mut text = String::from(shown);
    if had_query {
        text.push_str("?…");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str) -> TemplateSource {
        TemplateSource::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    fn reason(spec: &str) -> String {
        match TemplateSource::parse(spec) {
            Err(TemplateError::InvalidSpec { reason, .. }) => reason,
            other => panic!("{spec}: expected InvalidSpec, got {other:?}"),
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(ok("env:T"), TemplateSource::Env { var: "T".into() });
        assert_eq!(ok("  env:T\n"), TemplateSource::Env { var: "T".into() });
        assert_eq!(
            ok("file:/var/task/t.j2"),
            TemplateSource::File {
                path: "/var/task/t.j2".into()
            }
        );
        assert_eq!(
            ok("file:templates/t.j2"),
            TemplateSource::File {
                path: "templates/t.j2".into()
            }
        );
        assert_eq!(
            ok("file:///var/task/t.j2"),
            TemplateSource::File {
                path: "/var/task/t.j2".into()
            }
        );
        assert_eq!(
            ok("https://example.com/a/b.j2?x=1"),
            TemplateSource::Url {
                url: "https://example.com/a/b.j2?x=1".into()
            }
        );
        for url in [
            "http://127.0.0.1:8080/t",
            "http://127.1.2.3/t",
            "http://localhost:1/t",
            "http://LOCALHOST/t",
            "http://[::1]:9/t",
        ] {
            assert_eq!(ok(url).kind(), "url", "{url}");
        }
        assert_eq!(
            ok("s3://my-bucket/dir/t.j2"),
            TemplateSource::S3 {
                bucket: "my-bucket".into(),
                key: "dir/t.j2".into()
            }
        );
        assert_eq!(ok("S3://b/k").kind(), "s3");
    }

    #[test]
    fn rejects_bad_settings_with_a_reason() {
        assert!(reason("").contains("empty"));
        assert!(reason("/var/task/t.j2").contains("file:/var/task/t.j2"));
        assert!(reason("env:").contains("no variable name"));
        assert!(reason("env:A=B").contains("not a valid environment variable"));
        assert!(reason("file:").contains("no path"));
        assert!(reason("file://host/t.j2").contains("absolute path"));
        assert!(reason("ftp://example.com/t").contains("unknown scheme `ftp`"));
        assert!(reason("http://example.com/t").contains("loopback"));
        assert!(reason("http://10.0.0.1/t").contains("loopback"));
        assert!(reason("https://").contains("not a valid URL"));
        assert!(reason("s3:bucket/key").contains("s3://BUCKET/KEY"));
        assert!(reason("s3://").contains("no bucket"));
        assert!(reason("s3://bucket").contains("no object key"));
        assert!(reason("s3://bucket/").contains("no object key"));
        assert!(reason("s3://bad bucket/k").contains("not a valid S3 bucket name"));
        assert!(reason("ssm:").contains("no parameter name"));
        assert!(reason("ssm:/a b").contains("` ` is not allowed"));
    }

    #[test]
    fn ssm_sources_parse_and_display() {
        assert_eq!(
            ok("ssm:/cloudcron/t"),
            TemplateSource::Ssm {
                name: "/cloudcron/t".into()
            }
        );
        let arn = "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/cloudcron/t";
        assert_eq!(ok(arn).to_string(), arn);
        assert_eq!(ok(arn).kind(), "ssm");
    }

    #[test]
    fn display_round_trips_and_redacts() {
        for spec in [
            "env:T",
            "file:/var/task/t.j2",
            "https://example.com/t.j2",
            "http://127.0.0.1:8080/t.j2",
            "s3://b/dir/t.j2",
        ] {
            assert_eq!(ok(spec).to_string(), spec);
            assert_eq!(ok(&ok(spec).to_string()), ok(spec));
        }
        let secret = ok("https://user:pw@example.com/t.j2?X-Amz-Signature=SECRET#frag");
        assert_eq!(secret.to_string(), "https://example.com/t.j2?…");
        let debug = format!("{secret:?}");
        assert!(
            !debug.contains("SECRET") && !debug.contains("pw"),
            "{debug}"
        );

        let err = TemplateSource::parse("http://user:pw@example.com/t?sig=SECRET").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("SECRET") && !text.contains("pw"), "{text}");
    }

    #[test]
    fn redacts_strings_that_are_not_urls() {
        assert_eq!(redact_url("notaurl://u:p@h/x?sig=1"), "notaurl://h/x?…");
        assert_eq!(redact_url("https://u:p@/x?sig=1"), "https:///x?…");
        assert_eq!(redact_url("plain#frag"), "plain");
    }
}
