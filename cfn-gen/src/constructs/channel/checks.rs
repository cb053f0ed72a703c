//! A channel's synth-time checks, one concern each: its kind's settings,
//! templates and secrets, the topic's stack, and the queue and event source
//! bounds; the function and dead-letter queue check themselves.

use crate::constructs::alarms;
use cloud_cron_contract::notifier::{ChannelKind, TemplatePart};

use super::{kinds, Inner, Props};
use crate::constructs::secret;
use crate::validate::sqs::{QueueBounds, MAX_VISIBILITY_SECS};
use crate::validate::{filter_policy, Report};

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();

        kinds::validate(path, &p.config, report);
        alarms::check_duration_percent(&self.node, p.duration_alarm, report);
        if p.queue_age_alarm.is_some_and(|age| age.as_secs() < 60) {
            report.error(
                path,
                "the queue-age alarm threshold is under 60 seconds: SQS publishes ApproximateAgeOfOldestMessage once a minute, so it would fire on every message",
                ".queue_age_alarm(Some(Duration::from_secs(1800))), or .queue_age_alarm(None) to switch it off",
            );
        }
        check_required_parts(path, &p, report);
        check_alarm_parts(path, &p, report);
        check_secrets(path, &p, report);

        let loaded = self.load_templates(&p, Some(report));
        let (_, problems) = self.ship(&p, &loaded);
        for (message, fix) in problems {
            report.error(path, message, fix);
        }
        self.function
            .validate(self.fixed_env_bytes(&p, &loaded), report);

        if !self.node.same_stack(p.topic.node()) {
            report.error(
                path,
                format!("subscribes to topic {} from another stack", p.topic.node().path()),
                format!(
                    "create the channel in the topic's stack, or export the topic with .export_arn(\"NAME\") and import it in {} with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
                    self.node.stack_name()
                ),
            );
        }
        self.dead_letter.validate(report);
        self.check_queue(path, &p, report);
        check_filter(path, &p, report);
    }

    /// Batch, receive count, visibility, retention and concurrency bounds.
    fn check_queue(&self, path: &str, p: &Props, report: &mut Report) {
        if !(1..=10).contains(&p.batch_size) {
            report.error(
                path,
                format!("batch size {} is outside 1 to 10", p.batch_size),
                "pass 1 to 10 to .batch_size() (FIFO queues allow at most 10; a notifier gains nothing from larger batches)",
            );
        }
        let six_times = self.function.settings().timeout.as_secs().saturating_mul(6);
        if let Some(v) = p.visibility_timeout {
            if v.as_secs() < six_times {
                report.error(
                    path,
                    format!("visibility timeout of {} s is under 6 times the function timeout ({six_times} s), so a message can reappear while it is still being delivered", v.as_secs()),
                    format!("raise .visibility_timeout() to at least {six_times} s, or lower .timeout()"),
                );
            }
        }
        if self.visibility_secs(p) > MAX_VISIBILITY_SECS {
            report.error(
                path,
                format!(
                    "visibility timeout of {} s is over SQS's 43,200 s",
                    self.visibility_secs(p)
                ),
                "lower .timeout() or .visibility_timeout()",
            );
        }
        QueueBounds {
            max_receive_count: p.max_receive_count,
            retention: p.retention,
            maximum_concurrency: p.maximum_concurrency,
        }
        .check(path, report);
    }
}

/// Every template the kind needs (an email needs a body, HTML or text).
fn check_required_parts(path: &str, p: &Props, report: &mut Report) {
    let kind = p.config.kind();
    for part in kind.required_parts() {
        if !p.templates.contains_key(part) {
            report.error(
                path,
                format!("the {kind} channel has no {part} template"),
                format!(
                    "call .{part}(\"...\") with the template text, or MessageTemplate::file(PATH)"
                ),
            );
        }
    }
    if kind == ChannelKind::Email
        && !p.templates.contains_key(&TemplatePart::Html)
        && !p.templates.contains_key(&TemplatePart::Text)
    {
        report.error(
            path,
            "the email channel has neither an HTML nor a text body template",
            "call .html(MessageTemplate::file(PATH)) and/or .text(\"...\")",
        );
    }
}

/// Alarm templates, when given, are the kind's parts and every one it needs.
fn check_alarm_parts(path: &str, p: &Props, report: &mut Report) {
    if p.alarm_templates.is_empty() {
        return;
    }
    let kind = p.config.kind();
    let allowed: Vec<TemplatePart> = kind
        .required_parts()
        .iter()
        .chain(kind.optional_parts())
        .copied()
        .collect();
    let names = |parts: &[TemplatePart]| {
        parts
            .iter()
            .map(|p| format!("TemplatePart::{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for part in p.alarm_templates.keys() {
        if !allowed.contains(part) {
            report.error(
                path,
                format!("the {kind} channel has no {part} part, so its alarm template would never be used"),
                format!("give alarm templates for {} only", names(&allowed)),
            );
        }
    }
    let missing: Vec<TemplatePart> = kind
        .required_parts()
        .iter()
        .filter(|part| !p.alarm_templates.contains_key(part))
        .copied()
        .collect();
    let no_email_body = kind == ChannelKind::Email
        && !p.alarm_templates.contains_key(&TemplatePart::Html)
        && !p.alarm_templates.contains_key(&TemplatePart::Text);
    if !missing.is_empty() || no_email_body {
        let mut what = names(&missing);
        if no_email_body {
            if !what.is_empty() {
                what.push_str(" and ");
            }
            what.push_str("TemplatePart::Text or TemplatePart::Html");
        }
        report.error(
            path,
            format!("the {kind} channel's alarm templates replace the defaults but lack {what}"),
            format!("add .alarm_template(PART, \"...\") for {what}, or remove the alarm templates to keep the notifier's defaults"),
        );
    }
}

/// Every secret the kind needs, each a well-formed reference.
fn check_secrets(path: &str, p: &Props, report: &mut Report) {
    let kind = p.config.kind();
    for name in p.config.secrets() {
        if !p.secrets.contains_key(&name) {
            report.error(
                path,
                format!(
                    "the {kind} channel has no {} secret",
                    name.as_str().to_ascii_lowercase().replace('_', " ")
                ),
                kinds::secret_fix(name),
            );
        }
    }
    for s in p.secrets.values() {
        if let Err(message) = secret::check(s) {
            report.error(path, message, "reference an SSM SecureString parameter (SecretRef::ssm(\"/path/name\")) or a Secrets Manager secret (SecretRef::secrets_manager(\"name-or-arn\"))");
        }
    }
}

/// The filter policy against SNS's documented grammar and limits.
fn check_filter(path: &str, p: &Props, report: &mut Report) {
    if let Some(filter) = &p.filter {
        for problem in filter_policy::check(filter, filter_policy::Scope::MessageAttributes) {
            report.error(
                path,
                format!("filter policy: {}", problem.message),
                problem.fix,
            );
        }
    }
}
