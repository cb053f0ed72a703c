//! [`Templates`]: a channel's template parts, compiled once per container
//! with minijinja and rendered for each message.
//!
//! # Template context
//!
//! Every part is rendered with the variables of
//! [`cloud_cron_templates::ContextVariable`], taken from the message's
//! envelope ([`Envelope`]) by [`cloud_cron_templates::context`]:
//!
//! | variable | holds |
//! |---|---|
//! | `payload` | the task's message, as published (any JSON: `payload.text`, `payload.rows[0].value`) |
//! | `task` | the task's name (`daily-report`) |
//! | `topic` | the topic key it was published under (`alerts`) |
//! | `id` | the message's deduplication id (hex SHA-256) |
//! | `scheduled_time` | the run's scheduled time, RFC 3339 UTC (`2026-11-28T06:00:00Z`) |
//! | `schedule_arn` | the schedule's ARN (`manual` for a manual invoke) |
//! | `ordinal` | the message's position among the run's messages to that topic, from 0 |
//!
//! Synth rejects a template that uses any other variable (see
//! [`cloud_cron_templates::check`]).
//!
//! # One-off schedules
//!
//! A topic that is a `OneOffSchedules` target receives the Scheduler's
//! one-off input, not a task's envelope; it is rendered with the same
//! templates, as the envelope [`OneOffInput::into_envelope`] makes of it:
//! `task` and `topic` are `one-off`, `id` is the firing's dedup id,
//! `schedule_arn` and `scheduled_time` the schedule's, and `payload` the
//! whole input: `payload.key`, `payload.tenant` (when the key has one),
//! `payload.scheduledFor` and `payload.timeZone` (the local time asked
//! for), and the caller's payload as `payload.payload` (e.g.
//! `{{ payload.payload.title }}`).
//!
//! [`OneOffInput::into_envelope`]: cloud_cron_contract::one_off::OneOffInput::into_envelope
//!
//! # Alarm messages
//!
//! A CloudWatch alarm notification or a watchdog finding
//! ([`AlarmMessage`]) is rendered with the channel's alarm templates
//! ([`MessageKind::Alarm`]: its own `CLOUDCRON_TEMPLATE_ALARM_<PART>`, else
//! [`Templates::default_alarm`]) and the context `alarm` (the fields of
//! [`cloud_cron_templates::ALARM_FIELDS`]), `source` (`cloudwatch` or
//! `watchdog`) and, for a finding, `finding`
//! ([`cloud_cron_templates::FINDING_FIELDS`]).
//!
//! # Rules
//!
//! - **Strict undefined**: using a variable or attribute the message does not
//!   have is an error naming it ([`RenderError::Undefined`]), not an empty
//!   string. Test optional fields with `{% if payload.note is defined %}`.
//! - **Auto-escaping** is on for the HTML part ([`TemplatePart::Html`]) only:
//!   `{{ payload.text }}` writes `&lt;b&gt;` there and `<b>` in the subject,
//!   text, SMS, chat and webhook bodies. `{{ value|safe }}` opts out in HTML.
//! - A trailing newline at the end of a template is dropped (Jinja2's default).
//! - The environment is [`cloud_cron_templates::environment`], the one synth
//!   checks templates with.
//! - The `tojson` filter is available (for webhook bodies).
//!
//! Rendering errors never contain the message's values: only the part, the
//! line and the failing expression as written in the template.

use std::collections::BTreeMap;
use std::fmt;

use cloud_cron_contract::notifier::{ChannelKind, TemplatePart};
use cloud_cron_contract::Envelope;
use cloud_cron_templates::{template_name, MessageKind};

use crate::alarm::AlarmMessage;
use minijinja::{Environment, ErrorKind};

use crate::delivery::Rendered;

/// The variables every template can use, in the order the docs list them.
pub use cloud_cron_templates::CONTEXT_VARIABLES;

/// Why a template does not compile or render. All are permanent: the same
/// template and message fail the same way on every attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The template does not compile.
    #[error("the {part} template has a syntax error{}: {detail}", at_line(*.line))]
    Syntax {
        /// The part.
        part: TemplatePart,
        /// The line, from 1, when known.
        line: Option<usize>,
        /// minijinja's description.
        detail: String,
    },
    /// The template uses a variable or attribute this message does not have.
    #[error(
        "the {part} template uses {}, which is undefined for this message{}; the variables are \
         {} (test optional fields with `is defined`)",
        match .expression { Some(e) => format!("`{e}`"), None => "a value".to_owned() },
        at_line(*.line),
        .kind.variables().join(", ")
    )]
    Undefined {
        /// The kind of message the template is for.
        kind: MessageKind,
        /// The part.
        part: TemplatePart,
        /// The failing expression as written in the template (`payload.missing`).
        expression: Option<String>,
        /// The line, from 1, when known.
        line: Option<usize>,
    },
    /// Any other rendering failure (a bad filter argument, a type error, ...).
    #[error("the {part} template failed to render{}: {detail}", at_line(*.line))]
    Failed {
        /// The part.
        part: TemplatePart,
        /// The line, from 1, when known.
        line: Option<usize>,
        /// minijinja's description, with the failing expression when known.
        detail: String,
    },
}

impl RenderError {
    /// The template part at fault.
    pub fn part(&self) -> TemplatePart {
        match self {
            RenderError::Syntax { part, .. }
            | RenderError::Undefined { part, .. }
            | RenderError::Failed { part, .. } => *part,
        }
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(" at line {l}")).unwrap_or_default()
}

/// A channel's template parts, compiled. Build once per container (the
/// notifier does, at cold start) and render each message with
/// [`Templates::render`].
///
/// ```
/// use cloud_cron_notifiers::Templates;
/// use cloud_cron_contract::{notifier::TemplatePart, Envelope};
///
/// let templates = Templates::compile([
///     (TemplatePart::Subject, "[{{ task }}] {{ payload.title }}"),
///     (TemplatePart::Html, "<p>{{ payload.title }}</p>"),
/// ])?;
/// let envelope = Envelope {
///     cloud_cron: 1, id: "0f".into(), task: "report".into(), topic: "alerts".into(),
///     schedule_arn: "manual".into(), scheduled_time: "2026-11-28T06:00:00Z".into(), ordinal: 0,
///     payload: serde_json::json!({"title": "R&D <ok>"}),
/// };
/// let rendered = templates.render(&envelope)?;
/// assert_eq!(rendered.get(TemplatePart::Subject), Some("[report] R&D <ok>"));
/// assert_eq!(rendered.get(TemplatePart::Html), Some("<p>R&amp;D &lt;ok&gt;</p>"));
/// # Ok::<(), cloud_cron_notifiers::RenderError>(())
/// ```
pub struct Templates {
    kind: MessageKind,
    env: Environment<'static>,
    sources: BTreeMap<TemplatePart, String>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("kind", &self.kind)
            .field("parts", &self.sources.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// Compiles each `(part, template text)` of a task's messages.
    ///
    /// # Errors
    ///
    /// [`RenderError::Syntax`] for the first part that does not compile.
    pub fn compile<'a>(
        parts: impl IntoIterator<Item = (TemplatePart, &'a str)>,
    ) -> Result<Templates, RenderError> {
        Templates::compile_for(MessageKind::Task, parts)
    }

    /// The default alarm templates of channel `kind`
    /// ([`cloud_cron_templates::default_alarm_templates`]).
    ///
    /// # Errors
    ///
    /// [`RenderError::Syntax`] (never in practice: a test compiles every default).
    pub fn default_alarm(kind: ChannelKind) -> Result<Templates, RenderError> {
        Templates::compile_for(
            MessageKind::Alarm,
            cloud_cron_templates::default_alarm_templates(kind),
        )
    }

    /// Compiles each `(part, template text)` of messages of `kind`.
    ///
    /// # Errors
    ///
    /// [`RenderError::Syntax`] for the first part that does not compile.
    pub fn compile_for<'a>(
        kind: MessageKind,
        parts: impl IntoIterator<Item = (TemplatePart, &'a str)>,
    ) -> Result<Templates, RenderError> {
        // The environment synth checks templates with: strict undefined,
        // HTML escaping for the HTML part, minijinja-contrib's filters. Its
        // debug info gives error spans (to name the undefined expression);
        // it is only ever read through `range`, never displayed.
        let mut env = cloud_cron_templates::environment();
        let mut sources = BTreeMap::new();
        for (part, text) in parts {
            env.add_template_owned(template_name(part), text.to_owned())
                .map_err(|e| RenderError::Syntax {
                    part,
                    line: e.line(),
                    detail: describe(&e),
                })?;
            sources.insert(part, text.to_owned());
        }
        Ok(Templates { kind, env, sources })
    }

    /// The kind of message these templates are for.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The parts there are templates for.
    pub fn parts(&self) -> impl Iterator<Item = TemplatePart> + '_ {
        self.sources.keys().copied()
    }

    /// Renders every part for `envelope` (see the module docs for the context).
    ///
    /// # Errors
    ///
    /// The first part's [`RenderError::Undefined`] or [`RenderError::Failed`].
    pub fn render(&self, envelope: &Envelope<serde_json::Value>) -> Result<Rendered, RenderError> {
        self.render_context(&cloud_cron_templates::context(envelope))
    }

    /// Renders every part for an alarm message: the context is `alarm`,
    /// `source` and, for a watchdog finding, `finding`
    /// ([`cloud_cron_templates::alarm_context`]).
    ///
    /// # Errors
    ///
    /// The first part's [`RenderError::Undefined`] or [`RenderError::Failed`].
    pub fn render_alarm(&self, alarm: &AlarmMessage) -> Result<Rendered, RenderError> {
        self.render_context(&cloud_cron_templates::alarm_context(
            &alarm.alarm,
            alarm.finding.as_ref(),
        ))
    }

    fn render_context(&self, context: &minijinja::Value) -> Result<Rendered, RenderError> {
        let mut rendered = Rendered::new();
        for (&part, source) in &self.sources {
            let text = self
                .env
                .get_template(template_name(part))
                .and_then(|template| template.render(context))
                .map_err(|e| render_error(self.kind, part, source, &e))?;
            rendered.insert(part, text);
        }
        Ok(rendered)
    }
}

/// minijinja's description of an error: its kind and detail, without the
/// debug info (which would hold the context's values).
fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

fn render_error(
    kind: MessageKind,
    part: TemplatePart,
    source: &str,
    error: &minijinja::Error,
) -> RenderError {
    let expression = error
        .range()
        .and_then(|range| {
            // minijinja's span of an attribute lookup can start at its dot
            // (`.user.name`): extend it back over the rest of the path.
            let head = source.get(..range.start)?;
            let start = head
                .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                .len();
            source.get(start..range.end)
        })
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    match error.kind() {
        ErrorKind::UndefinedError => RenderError::Undefined {
            kind,
            part,
            expression,
            line: error.line(),
        },
        ErrorKind::SyntaxError => RenderError::Syntax {
            part,
            line: error.line(),
            detail: describe(error),
        },
        _ => RenderError::Failed {
            part,
            line: error.line(),
            detail: match expression {
                Some(e) => format!("{} (in `{e}`)", describe(error)),
                None => describe(error),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(payload: serde_json::Value) -> Envelope<serde_json::Value> {
        Envelope {
            cloud_cron: 1,
            id: "abc123".into(),
            task: "daily-report".into(),
            topic: "alerts".into(),
            schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/r".into(),
            scheduled_time: "2026-11-28T06:00:00Z".into(),
            ordinal: 2,
            payload,
        }
    }

    #[test]
    fn html_is_escaped_only_in_the_html_part() {
        let markup = "<b>Tom & \"Jerry\"</b>";
        let templates = Templates::compile([
            (TemplatePart::Subject, "S: {{ payload.text }}"),
            (
                TemplatePart::Html,
                "<p>{{ payload.text }}</p>{{ payload.text|safe }}",
            ),
            (TemplatePart::Text, "T: {{ payload.text }}"),
            (TemplatePart::Body, "B: {{ payload.text }}"),
            (TemplatePart::Title, "{{ payload.text }}"),
        ])
        .unwrap();
        let r = templates
            .render(&envelope(json!({ "text": markup })))
            .unwrap();
        assert_eq!(
            r.get(TemplatePart::Html),
            Some(
                "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;&#x2f;b&gt;</p><b>Tom & \"Jerry\"</b>"
            )
        );
        assert_eq!(
            r.get(TemplatePart::Subject),
            Some(format!("S: {markup}").as_str())
        );
        assert_eq!(
            r.get(TemplatePart::Text),
            Some(format!("T: {markup}").as_str())
        );
        assert_eq!(
            r.get(TemplatePart::Body),
            Some(format!("B: {markup}").as_str())
        );
        assert_eq!(r.get(TemplatePart::Title), Some(markup));
    }

    #[test]
    fn every_context_variable_is_available() {
        let templates = Templates::compile([(
            TemplatePart::Text,
            "{{ task }}|{{ topic }}|{{ id }}|{{ scheduled_time }}|{{ schedule_arn }}|{{ ordinal }}|{{ payload.n + 1 }}|{{ payload|tojson }}",
        )])
        .unwrap();
        let r = templates.render(&envelope(json!({ "n": 41 }))).unwrap();
        assert_eq!(
            r.get(TemplatePart::Text),
            Some("daily-report|alerts|abc123|2026-11-28T06:00:00Z|arn:aws:scheduler:us-east-1:123456789012:schedule/default/r|2|42|{\"n\":41}")
        );
    }

    #[test]
    fn undefined_variables_are_errors_naming_them() {
        let templates = Templates::compile([
            (TemplatePart::Subject, "ok"),
            (
                TemplatePart::Text,
                "line one\nHello {{ payload.user.name }}!",
            ),
        ])
        .unwrap();
        let err = templates
            .render(&envelope(json!({ "user": {}, "secret": "hunter2" })))
            .unwrap_err();
        assert_eq!(
            err,
            RenderError::Undefined {
                kind: MessageKind::Task,
                part: TemplatePart::Text,
                expression: Some("payload.user.name".into()),
                line: Some(2),
            }
        );
        let text = err.to_string();
        assert!(
            text.contains("`payload.user.name`") && text.contains("line 2"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "no values in errors: {text}");

        let top = Templates::compile([(TemplatePart::Body, "{{ nope }}")]).unwrap();
        let err = top.render(&envelope(json!({}))).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
        // `is defined` is how optional fields are written.
        let optional = Templates::compile([(
            TemplatePart::Body,
            "{% if payload.note is defined %}{{ payload.note }}{% else %}-{% endif %}",
        )])
        .unwrap();
        assert_eq!(
            optional
                .render(&envelope(json!({})))
                .unwrap()
                .get(TemplatePart::Body),
            Some("-")
        );
    }

    /// `Templates` renders with the shared factory and context: the same
    /// template and envelope give the same text through
    /// `cloud_cron_templates::environment()` + `context()`, and every
    /// template synth's check accepts renders here.
    #[test]
    fn renders_with_the_shared_environment_and_context() {
        let envelope = envelope(json!({ "text": "<b>R&D</b>", "n": 2, "rows": ["a", "b"] }));
        let text = "{{ task }}/{{ topic }}/{{ ordinal }}: {{ payload.text }} \
                    {{ payload.n }} file{{ payload.n | pluralize }} {{ payload.text | striptags }} \
                    {% for r in payload.rows %}{{ loop.index }}={{ r }} {% endfor %}";
        let env = cloud_cron_templates::environment();
        for part in [
            TemplatePart::Subject,
            TemplatePart::Html,
            TemplatePart::Text,
            TemplatePart::Body,
            TemplatePart::Title,
        ] {
            assert_eq!(cloud_cron_templates::check(part, text), Ok(()), "{part}");
            let expected = env
                .template_from_named_str(template_name(part), text)
                .and_then(|t| t.render(cloud_cron_templates::context(&envelope)))
                .expect("factory renders");
            let rendered = Templates::compile([(part, text)])
                .and_then(|t| t.render(&envelope))
                .expect("Templates renders");
            assert_eq!(rendered.get(part), Some(expected.as_str()), "{part}");
        }
        // The escaping differs by part, as the factory says.
        let html = Templates::compile([(TemplatePart::Html, text)])
            .and_then(|t| t.render(&envelope))
            .expect("renders");
        assert!(
            html.get(TemplatePart::Html)
                .is_some_and(|h| h.contains("&lt;b&gt;R&amp;D")),
            "{html:?}"
        );
    }

    #[test]
    fn syntax_errors_name_the_part_and_line() {
        let err = Templates::compile([
            (TemplatePart::Subject, "fine"),
            (TemplatePart::Html, "<p>\n{{ payload.text </p>"),
        ])
        .unwrap_err();
        match &err {
            RenderError::Syntax { part, line, detail } => {
                assert_eq!(*part, TemplatePart::Html);
                assert_eq!(*line, Some(2));
                assert!(detail.contains("syntax error"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("the html template has a syntax error at line 2"),
            "{err}"
        );
    }

    #[test]
    fn other_failures_say_where() {
        let templates =
            Templates::compile([(TemplatePart::Body, "{{ payload.a + payload.b }}")]).unwrap();
        let err = templates
            .render(&envelope(json!({ "a": "text", "b": 1 })))
            .unwrap_err();
        match &err {
            RenderError::Failed { detail, .. } => {
                assert!(detail.contains("payload.a + payload.b"), "{detail}");
                assert!(!detail.contains("text"), "no values: {detail}");
            }
            other => panic!("{other:?}"),
        }
    }
}
