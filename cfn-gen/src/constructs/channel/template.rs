//! A channel's message templates: where each comes from, its synth-time
//! check (the notifier's own, from `cloud-cron-templates`: syntax, context
//! variables, filters), and how it reaches the notifier (an environment
//! variable, an SSM parameter the construct creates, or a URL / S3 object
//! read at run time).

use std::path::{Path, PathBuf};

use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_templates::MessageKind;

/// Where a message template (Jinja2 syntax, rendered by minijinja) comes
/// from. A `&str` converts to [`MessageTemplate::inline`].
///
/// ```
/// use cfn_gen::MessageTemplate;
/// let subject: MessageTemplate = "[{{ task }}] {{ payload.text }}".into();
/// let html = MessageTemplate::file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/alert.html.j2"));
/// let hosted = MessageTemplate::s3("my-templates", "alerts/body.txt.j2");
/// # let _ = (subject, html, hosted);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageTemplate {
    /// The template's text, given in the stack's code.
    Inline(String),
    /// A file read and compiled at synth time (relative paths resolve
    /// against the current directory; prefer `concat!(env!("CARGO_MANIFEST_DIR"), "/...")`).
    File(PathBuf),
    /// An HTTPS URL the notifier fetches at run time (once per container).
    Url(String),
    /// An S3 object the notifier reads at run time; the function may
    /// `s3:GetObject` exactly this object.
    S3 {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
    },
}

impl MessageTemplate {
    /// A template given as text.
    pub fn inline(text: impl Into<String>) -> MessageTemplate {
        MessageTemplate::Inline(text.into())
    }

    /// A template file, loaded and compiled at synth time.
    pub fn file(path: impl Into<PathBuf>) -> MessageTemplate {
        MessageTemplate::File(path.into())
    }

    /// A template fetched from an HTTPS URL at run time.
    pub fn url(url: impl Into<String>) -> MessageTemplate {
        MessageTemplate::Url(url.into())
    }

    /// A template read from S3 at run time.
    pub fn s3(bucket: impl Into<String>, key: impl Into<String>) -> MessageTemplate {
        MessageTemplate::S3 {
            bucket: bucket.into(),
            key: key.into(),
        }
    }
}

impl From<&str> for MessageTemplate {
    fn from(text: &str) -> Self {
        MessageTemplate::Inline(text.to_owned())
    }
}

impl From<String> for MessageTemplate {
    fn from(text: String) -> Self {
        MessageTemplate::Inline(text)
    }
}

/// A template as the construct ships it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// Text known at synth time (inline or from a file), compiled.
    Text(String),
    /// A run-time source setting (`https://...`, `s3://...`).
    Source(String),
}

/// Loads and checks one template of messages of `kind`; errors are `(message, fix)`.
pub(crate) fn load(
    kind: MessageKind,
    part: TemplatePart,
    template: &MessageTemplate,
) -> Result<Loaded, (String, String)> {
    match template {
        MessageTemplate::Inline(text) => {
            compile(kind, part, "given inline", text)?;
            Ok(Loaded::Text(text.clone()))
        }
        MessageTemplate::File(path) => {
            let text = read(part, path)?;
            compile(kind, part, &path.display().to_string(), &text)?;
            Ok(Loaded::Text(text))
        }
        MessageTemplate::Url(url) => {
            let rest = url.strip_prefix("https://").ok_or_else(|| {
                (
                    format!("the {part} template URL `{}` is not https://", redact(url)),
                    "serve templates over HTTPS, or use MessageTemplate::s3(BUCKET, KEY)"
                        .to_owned(),
                )
            })?;
            if rest.is_empty() || rest.starts_with('/') {
                return Err((
                    format!("the {part} template URL `{}` has no host", redact(url)),
                    "write https://HOST/PATH".to_owned(),
                ));
            }
            Ok(Loaded::Source(url.clone()))
        }
        MessageTemplate::S3 { bucket, key } => {
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if !bucket_ok {
                return Err((
                    format!(
                        "the {part} template's S3 bucket `{bucket}` is not a valid bucket name"
                    ),
                    "bucket names are 3 to 63 lower-case letters, digits, `-` and `.`".to_owned(),
                ));
            }
            if key.is_empty() || key.len() > 1024 {
                return Err((
                    format!("the {part} template's S3 key is empty or longer than 1,024 bytes"),
                    "give the object's key, e.g. templates/alert.html.j2".to_owned(),
                ));
            }
            Ok(Loaded::Source(format!("s3://{bucket}/{key}")))
        }
    }
}

fn read(part: TemplatePart, path: &Path) -> Result<String, (String, String)> {
    std::fs::read_to_string(path).map_err(|e| {
        (
            format!("cannot read the {part} template file {}: {e}", path.display()),
            "check the path (relative paths resolve against the directory synth runs in; prefer concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/templates/...\"))".to_owned(),
        )
    })
}

/// Checks the text as the notifier will render it
/// ([`cloud_cron_templates::check`]: the notifier's own minijinja environment
/// and template context): syntax, variables outside the context, unknown
/// filters, tests and functions. Messages name the part, the origin (file
/// or inline) and the line.
fn compile(
    kind: MessageKind,
    part: TemplatePart,
    origin: &str,
    text: &str,
) -> Result<(), (String, String)> {
    cloud_cron_templates::check_for(kind, part, text).map_err(|e| {
        let line = e.line().map(|l| format!(", line {l}")).unwrap_or_default();
        let which = match kind {
            MessageKind::Task => String::new(),
            MessageKind::Alarm => "alarm ".to_owned(),
        };
        (
            format!("the {which}{part} template ({origin}{line}) {e}"),
            e.fix(),
        )
    })
}

/// A URL without its query string, which may hold credentials.
fn redact(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let err = load(
            MessageKind::Task,
            TemplatePart::Html,
            &MessageTemplate::inline("<p>\n{{ payload.text }\n</p>"),
        )
        .unwrap_err();
        assert!(
            err.0.contains("html template (given inline, line 2)"),
            "{}",
            err.0
        );
    }

    #[test]
    fn unknown_filters_are_found_and_contrib_filters_are_known() {
        let (message, fix) = load(
            MessageKind::Task,
            TemplatePart::Subject,
            &MessageTemplate::inline("{{ payload.text | shout }}"),
        )
        .unwrap_err();
        assert!(
            message.contains(
                "subject template (given inline, line 1) uses something the notifier does not have"
            ),
            "{message}"
        );
        assert!(fix.contains("truncate"), "{fix}");
        let (message, _) = load(
            MessageKind::Task,
            TemplatePart::Subject,
            &MessageTemplate::inline("{{ payload.text | truncate(60) }}"),
        )
        .unwrap_err();
        assert!(
            message.contains("too many arguments"),
            "truncate takes keywords: {message}"
        );
        for known in [
            "{{ payload.text | truncate(length=60) }}",
            "{{ payload.html | striptags }}",
            "{{ task | upper }}",
        ] {
            assert!(
                load(
                    MessageKind::Task,
                    TemplatePart::Subject,
                    &MessageTemplate::inline(known)
                )
                .is_ok(),
                "{known}"
            );
        }
    }

    #[test]
    fn variables_outside_the_context_name_the_origin_and_line() {
        let (message, fix) = load(
            MessageKind::Task,
            TemplatePart::Text,
            &MessageTemplate::inline("Run {{ task }}\n{{ level }}: {{ payload.text }}"),
        )
        .unwrap_err();
        assert_eq!(
            message,
            "the text template (given inline) uses the variable `level` at line 2, which is not one the notifier provides"
        );
        assert!(
            fix.contains("payload, task, topic, id, scheduled_time, schedule_arn, ordinal"),
            "{fix}"
        );
        assert!(fix.contains("`payload.level`"), "{fix}");
    }

    #[test]
    fn sources_are_checked() {
        let (message, _) = load(
            MessageKind::Task,
            TemplatePart::Body,
            &MessageTemplate::url("http://x/t?sig=1"),
        )
        .unwrap_err();
        assert!(
            message.contains("`http://x/t?…` is not https://"),
            "{message}"
        );
        assert_eq!(
            load(
                MessageKind::Task,
                TemplatePart::Body,
                &MessageTemplate::s3("my-bucket", "t.j2")
            )
            .unwrap(),
            Loaded::Source("s3://my-bucket/t.j2".into())
        );
        assert!(load(
            MessageKind::Task,
            TemplatePart::Body,
            &MessageTemplate::s3("My_Bucket", "t.j2")
        )
        .is_err());
    }
}
