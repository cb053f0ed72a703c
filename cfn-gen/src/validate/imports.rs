//! Owns cross-stack imports: every literal `Fn::ImportValue` name is looked up
//! among the export names of the app's stacks.
//!
//! A name no stack of the app exports may come from a stack deployed some
//! other way, so it is a warning listing the closest app exports (none when
//! the app exports nothing: then every import is from elsewhere). A name that
//! is a near-typo of an app export (at most two edits, or the same name in
//! another case) is an error: it would fail at deploy ("No export named ...")
//! or, worse, read some other stack's export.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::passes::Origins;
use crate::suggest;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// At most this many edits make an import a typo of an export.
const MAX_TYPO_EDITS: usize = 2;

/// Export names the app defines, with the stack and output defining each.
#[derive(Debug, Default)]
pub struct Exports {
    names: BTreeMap<String, String>,
}

impl Exports {
    /// Record the literal export names of one stack's outputs.
    pub fn add_template(&mut self, template: &Template, origins: &Origins) {
        for (id, output) in &template.outputs {
            if let Some(Value::String(name)) = &output.export_name {
                self.names
                    .entry(name.clone())
                    .or_insert_with(|| origins.output_path(id));
            }
        }
    }

    /// Check every literal import of one stack's template.
    pub fn check_imports(&self, template: &Template, origins: &Origins, report: &mut Report) {
        for (logical_id, resource) in &template.resources {
            let mut found = Vec::new();
            literal_imports(resource.properties(), &mut found);
            for name in found {
                self.check_one(&origins.resource_path(logical_id), &name, report);
            }
        }
    }

    fn check_one(&self, path: &str, name: &str, report: &mut Report) {
        // An app that exports nothing imports only from stacks deployed
        // some other way: nothing to compare with.
        if self.names.is_empty() || self.names.contains_key(name) {
            return;
        }
        let typo = self.names.keys().find(|export| {
            strsim::damerau_levenshtein(name, export) <= MAX_TYPO_EDITS
                || export.eq_ignore_ascii_case(name)
        });
        if let Some(export) = typo {
            report.error(
                path,
                format!(
                    "imports `{name}`, which no stack exports; {} exports `{export}`",
                    self.names[export]
                ),
                format!("import the app's export: Value::import(\"{export}\")"),
            );
            return;
        }
        let close = suggest::close_matches(name, self.names.keys());
        let message = match suggest::listed(&close) {
            Some(list) => {
                format!("imports `{name}`, which no stack of this app exports (closest: {list})")
            }
            None => format!("imports `{name}`, which no stack of this app exports"),
        };
        let fix = match close.first() {
            Some(export) => format!(
                "deploy the stack exporting `{name}` first, or import the app's export: Value::import(\"{export}\")"
            ),
            None => format!(
                "deploy the stack exporting `{name}` to the same account and region first, or export it from this app (e.g. Topic::export_arn(\"{name}\"))"
            ),
        };
        report.warning(path, message, fix);
    }
}

/// Every `{"Fn::ImportValue": "<literal>"}` under `json`.
fn literal_imports(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Object(map) => {
            if let (1, Some(Json::String(name))) = (map.len(), map.get("Fn::ImportValue")) {
                out.push(name.clone());
                return;
            }
            map.values().for_each(|v| literal_imports(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| literal_imports(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Output, Resource};
    use crate::validate::Severity;

    fn importer(name: &str) -> Template {
        let mut t = Template::default();
        t.add_resource(
            "Sub",
            Resource::raw(
                "AWS::SNS::Subscription",
                Value::Map([("TopicArn".to_owned(), Value::import(name))].into()),
            ),
        );
        t
    }

    fn problems(import: &str) -> Vec<crate::validate::Problem> {
        let mut exporter = Template::default();
        let mut out = Output::new(Value::from("arn"), "arn");
        out.export_name = Some(Value::from("shared-alerts-arn"));
        exporter.add_output("AlertsArn", out);
        let mut exports = Exports::default();
        exports.add_template(&exporter, &Origins::new("Shared"));
        let mut r = Report::default();
        exports.check_imports(&importer(import), &Origins::new("Jobs"), &mut r);
        r.into_problems()
    }

    #[test]
    fn typos_fail_and_unknown_names_warn() {
        assert!(problems("shared-alerts-arn").is_empty());
        let typo = problems("shared-alert-arn");
        assert_eq!(typo[0].severity, Severity::Error);
        assert!(typo[0].fix.contains("Value::import(\"shared-alerts-arn\")"));
        let elsewhere = problems("billing-topic");
        assert_eq!(elsewhere[0].severity, Severity::Warning);
        let close = problems("shared-alerts-topic-arn");
        assert_eq!(close[0].severity, Severity::Warning, "{close:?}");
        assert!(close[0].message.contains("closest: `shared-alerts-arn`"));
    }
}
