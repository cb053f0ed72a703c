//! Alarms that reach nobody: every `AWS::CloudWatch::Alarm` of a template
//! without `AlarmActions` is reported (one warning per stack), and
//! [`routes`] says where a template's alarms go, for the synth summary.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::template::Template;
use crate::validate::Report;

const ALARM: &str = "AWS::CloudWatch::Alarm";

/// Warn when alarms of the stack `stack` have no action.
pub fn check_actions(stack: &str, template: &Template, report: &mut Report) {
    let silent: Vec<&str> = template
        .resources
        .iter()
        .filter(|(_, r)| r.resource_type() == ALARM && actions(r.properties()).is_empty())
        .map(|(id, _)| id.as_str())
        .collect();
    if silent.is_empty() {
        return;
    }
    report.warning(
        stack,
        format!(
            "{} alarm(s) have no action, so nobody is told when they fire: {}",
            silent.len(),
            silent.join(", ")
        ),
        "route the stack's alarms to an operators' topic: let ops = OpsTopic::new(&stack, \"Ops\"); stack.alarms_to(&ops); (and subscribe a channel to ops.topic())",
    );
}

/// Where the template's alarms go: the rendered `AlarmActions` (a logical
/// ID for a `Ref`, `""` for none) and how many alarms go there.
pub fn routes(template: &Template) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in template.resources.values() {
        if r.resource_type() == ALARM {
            let to = actions(r.properties()).join(", ");
            *out.entry(to).or_default() += 1;
        }
    }
    out
}

fn actions(properties: &Json) -> Vec<String> {
    properties
        .get("AlarmActions")
        .and_then(Json::as_array)
        .map(|a| a.iter().map(render).collect())
        .unwrap_or_default()
}

fn render(action: &Json) -> String {
    match action {
        Json::String(s) => s.clone(),
        Json::Object(m) => match (m.get("Ref"), m.get("Fn::GetAtt")) {
            (Some(Json::String(id)), _) => id.clone(),
            (_, Some(Json::Array(parts))) => parts
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join("."),
            _ => action.to_string(),
        },
        other => other.to_string(),
    }
}
