//! The one definition of how cloud-cron renders message templates, shared by
//! synth's template check (cfn-gen) and the notifiers, so the two cannot
//! disagree:
//!
//! - [`environment`]: the minijinja environment (strict undefined, HTML
//!   auto-escaping for the HTML part only, minijinja-contrib's filters) and
//!   [`template_name`], the name each part's template has in it.
//! - [`ContextVariable`] and [`context`]: the variables a template may use,
//!   taken from the message's [`Envelope`](cloud_cron_contract::Envelope).
//! - [`check`]: what synth checks before a template ships (syntax, variables
//!   outside the context, unknown filters, tests and functions); [`check_for`]
//!   the same for a [`MessageKind`].
//! - [`AlarmView`] and [`alarm_context`]: the context of alarm messages
//!   (CloudWatch alarm notifications and watchdog findings), and
//!   [`default_alarm_templates`], each channel kind's default alarm templates.
//!
//! ```
//! use cloud_cron_contract::{notifier::TemplatePart, Envelope};
//!
//! let env = cloud_cron_templates::environment();
//! let template = env.template_from_named_str(
//!     cloud_cron_templates::template_name(TemplatePart::Html),
//!     "<p>[{{ task }}] {{ payload.text }}</p>",
//! )?;
//! let envelope = Envelope {
//!     cloud_cron: 1, id: "0f".into(), task: "report".into(), topic: "alerts".into(),
//!     schedule_arn: "manual".into(), scheduled_time: "2026-11-28T06:00:00Z".into(), ordinal: 0,
//!     payload: serde_json::json!({"text": "R&D"}),
//! };
//! let html = template.render(cloud_cron_templates::context(&envelope))?;
//! assert_eq!(html, "<p>[report] R&amp;D</p>");
//!
//! let err = cloud_cron_templates::check(TemplatePart::Text, "{{ user }}").unwrap_err();
//! assert!(err.to_string().contains("`user`"));
//! assert!(err.fix().contains("payload.user"));
//! # Ok::<(), minijinja::Error>(())
//! ```

mod alarm;
mod check;
mod context;
mod defaults;
mod environment;

pub use alarm::{
    alarm_context, AlarmSource, AlarmView, ALARM_CONTEXT_VARIABLES, ALARM_FIELDS, FINDING_FIELDS,
};
pub use check::{check, check_for, CheckError, UnknownVariable};
pub use context::{context, ContextVariable, MessageKind, CONTEXT_VARIABLES};
pub use defaults::default_alarm_templates;
pub use environment::{environment, template_name};
