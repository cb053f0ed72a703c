//! How each template part reaches the notifier: inline in the environment
//! while Lambda's 4 KB allow (smallest first), else in an SSM parameter the
//! channel creates, or read at run time from its source (S3, HTTPS, SSM);
//! and the read grants on what ships outside the environment.

use std::collections::BTreeMap;

use cloud_cron_contract::notifier::{TemplatePart, DEDUP_TABLE_ENV};
use cloud_cron_templates::MessageKind;

use super::template::{self, Loaded};
use super::{Inner, Props};
use crate::constructs::grant::{grant_object_read, grant_parameter_read, Grantee};
use crate::resources::ssm;
use crate::template::{Resource, Template};
use crate::validate::{limits, Report};
use crate::value::Value;

/// The most an SSM parameter (Advanced tier) holds.
const SSM_MAX_BYTES: usize = 8_192;
/// The most a Standard-tier SSM parameter holds.
const SSM_STANDARD_MAX_BYTES: usize = 4_096;

/// One template of a channel: a part of a task message's or of an alarm's
/// templates. Task templates order first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Slot {
    pub(super) kind: MessageKind,
    pub(super) part: TemplatePart,
}

impl Slot {
    /// The variable holding its template source.
    pub(super) fn env_var(self) -> String {
        match self.kind {
            MessageKind::Task => self.part.env_var(),
            MessageKind::Alarm => self.part.alarm_env_var(),
        }
    }

    /// The variable holding its text when shipped inline.
    pub(super) fn inline_env_var(self) -> String {
        match self.kind {
            MessageKind::Task => self.part.inline_env_var(),
            MessageKind::Alarm => self.part.alarm_inline_env_var(),
        }
    }

    /// `subject`, or `alarm subject`.
    pub(super) fn label(self) -> String {
        match self.kind {
            MessageKind::Task => self.part.to_string(),
            MessageKind::Alarm => format!("alarm {}", self.part),
        }
    }
}

/// How each template part reaches the notifier.
pub(super) enum Shipping {
    /// In `CLOUDCRON_TEMPLATE_<PART>_TEXT`.
    Inline(String),
    /// In an SSM parameter the construct creates.
    Parameter(String),
    /// Read at run time from this source setting.
    Source(String),
}

impl Inner {
    pub(super) fn parameter_id(&self, slot: Slot) -> String {
        let prefix = match slot.kind {
            MessageKind::Task => "",
            MessageKind::Alarm => "Alarm",
        };
        self.node
            .child_logical_id(&format!("{prefix}{}Template", capitalized(slot.part)))
    }

    /// The SSM parameter name of a template (one per stack and channel).
    pub(super) fn parameter_name(&self, slot: Slot) -> String {
        let prefix = match slot.kind {
            MessageKind::Task => "",
            MessageKind::Alarm => "alarm-",
        };
        format!(
            "/cloudcron/${{AWS::StackName}}/{}/{prefix}{}",
            self.node.logical_id(),
            slot.part
        )
    }

    pub(super) fn channel_json(p: &Props) -> String {
        // The contract types are plain strings and lists: this serializes.
        serde_json::to_string(&p.config).unwrap_or_default()
    }

    /// Bytes of the variables the construct sets, besides inline templates,
    /// with generated names estimated at their longest.
    pub(super) fn fixed_env_bytes(&self, p: &Props, sources: &BTreeMap<Slot, Loaded>) -> usize {
        let channel = "CLOUDCRON_CHANNEL".len() + Self::channel_json(p).len();
        let secrets: usize = p
            .secrets
            .iter()
            .map(|(name, r)| name.env_var().len() + r.to_string().len())
            .sum();
        let table = if p.durable_dedup {
            DEDUP_TABLE_ENV.len() + 255
        } else {
            0
        };
        // Every part's source setting: at most an SSM name with a 128-character stack name.
        let settings: usize = sources
            .iter()
            .map(|(slot, loaded)| {
                slot.env_var().len()
                    + match loaded {
                        Loaded::Source(s) => s.len(),
                        Loaded::Text(_) => "ssm:".len() + self.parameter_name(*slot).len() + 128,
                    }
            })
            .sum();
        channel + secrets + table + settings
    }

    /// Loads every template; reports what does not load or compile.
    pub(super) fn load_templates(
        &self,
        p: &Props,
        report: Option<&mut Report>,
    ) -> BTreeMap<Slot, Loaded> {
        let path = self.node.path();
        let mut loaded = BTreeMap::new();
        let mut problems = Vec::new();
        let task = p
            .templates
            .iter()
            .map(|(part, t)| (MessageKind::Task, part, t));
        let alarm = p
            .alarm_templates
            .iter()
            .map(|(part, t)| (MessageKind::Alarm, part, t));
        for (kind, part, t) in task.chain(alarm) {
            match template::load(kind, *part, t) {
                Ok(l) => {
                    loaded.insert(Slot { kind, part: *part }, l);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(report) = report {
            for (message, fix) in problems {
                report.error(&path, message, fix);
            }
        }
        loaded
    }

    /// Decides how each loaded template ships: inline while the whole
    /// environment stays under Lambda's 4 KB (smallest first), else an SSM
    /// parameter; errors are `(message, fix)`.
    pub(super) fn ship(
        &self,
        p: &Props,
        loaded: &BTreeMap<Slot, Loaded>,
    ) -> (BTreeMap<Slot, Shipping>, Vec<(String, String)>) {
        let mut budget = limits::MAX_ENVIRONMENT_BYTES
            .saturating_sub(self.function.env_bytes())
            .saturating_sub(self.fixed_env_bytes(p, loaded));
        let mut texts: Vec<(usize, Slot, &str)> = Vec::new();
        let mut out = BTreeMap::new();
        for (slot, l) in loaded {
            match l {
                Loaded::Source(s) => {
                    out.insert(*slot, Shipping::Source(s.clone()));
                }
                Loaded::Text(t) => texts.push((t.len(), *slot, t)),
            }
        }
        texts.sort();
        let mut problems = Vec::new();
        for (len, slot, text) in texts {
            let cost = slot.inline_env_var().len() + len;
            if cost <= budget {
                budget -= cost;
                out.insert(slot, Shipping::Inline(text.to_owned()));
            } else if len <= SSM_MAX_BYTES {
                out.insert(slot, Shipping::Parameter(text.to_owned()));
            } else {
                let part = slot.label();
                problems.push((
                    format!("the {part} template is {len} bytes: too large for the function's environment (4 KB in all) and for an SSM parameter (8 KB)"),
                    "upload it to S3 and use MessageTemplate::s3(BUCKET, KEY), or host it at an HTTPS URL".to_owned(),
                ));
            }
        }
        (out, problems)
    }
}

fn capitalized(part: TemplatePart) -> String {
    let lower = part.to_string();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => lower,
    }
}

impl Inner {
    /// Emits the SSM parameters of the templates that need one, sets each
    /// part's variables in `env`, and lets `grantee` read the parameters
    /// (first) and S3 objects (then) the templates ship in.
    pub(super) fn emit_templates(
        &self,
        shipping: &BTreeMap<Slot, Shipping>,
        template: &mut Template,
        env: &mut BTreeMap<String, Value>,
        grantee: &dyn Grantee,
    ) {
        let path = self.node.path();
        for (slot, how) in shipping {
            let part = slot.label();
            match how {
                Shipping::Inline(text) => {
                    env.insert(
                        slot.env_var(),
                        Value::String(format!("env:{}", slot.inline_env_var())),
                    );
                    env.insert(slot.inline_env_var(), Value::String(text.clone()));
                }
                Shipping::Parameter(text) => {
                    let name = self.parameter_name(*slot);
                    template.add_resource(
                        self.parameter_id(*slot),
                        Resource::new(ssm::Parameter {
                            name: Some(Value::sub(&name)),
                            parameter_type: "String",
                            value: text.clone(),
                            tier: if text.len() > SSM_STANDARD_MAX_BYTES {
                                "Advanced"
                            } else {
                                "Standard"
                            },
                            description: Some(format!("The {part} template of {path}")),
                        }),
                    );
                    env.insert(slot.env_var(), Value::sub(format!("ssm:{name}")));
                }
                Shipping::Source(source) => {
                    env.insert(slot.env_var(), Value::String(source.clone()));
                }
            }
        }
        for (slot, how) in shipping {
            if let Shipping::Parameter(_) = how {
                grant_parameter_read(&self.parameter_name(*slot), grantee);
            }
        }
        for how in shipping.values() {
            if let Shipping::Source(source) = how {
                if let Some(object) = source.strip_prefix("s3://") {
                    grant_object_read(object, grantee);
                }
            }
        }
    }
}
