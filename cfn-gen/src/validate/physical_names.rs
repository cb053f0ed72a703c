//! Owns physical-name collisions: names the user sets (function, schedule,
//! topic, queue and table names) that two resources of the app would both
//! claim once deployed. Such names are unique per account and region (a
//! schedule's per schedule group), so CloudFormation fails on the second one
//! at deploy, after the first stack is half created; synth names both
//! constructs instead.
//!
//! Only literal names are compared: a `!Sub` or `!Ref` name is decided at
//! deploy. Stacks that declare different regions ([`Stack::region`]) never
//! collide; a stack without a declared region may deploy anywhere, so it is
//! compared with every other.
//!
//! [`Stack::region`]: crate::Stack::region

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::passes::Origins;
use crate::template::Template;
use crate::validate::Report;

/// A name property of a resource type, with the builder method that sets it.
struct NameProperty {
    resource_type: &'static str,
    property: &'static str,
    what: &'static str,
    builder: Option<&'static str>,
}

const NAME_PROPERTIES: &[NameProperty] = &[
    NameProperty {
        resource_type: "AWS::Serverless::Function",
        property: "FunctionName",
        what: "Lambda function name",
        builder: Some("function_name"),
    },
    NameProperty {
        resource_type: "AWS::Lambda::Function",
        property: "FunctionName",
        what: "Lambda function name",
        builder: None,
    },
    NameProperty {
        resource_type: "AWS::Scheduler::Schedule",
        property: "Name",
        what: "schedule name",
        builder: Some("schedule_name"),
    },
    NameProperty {
        resource_type: "AWS::SNS::Topic",
        property: "TopicName",
        what: "SNS topic name",
        builder: Some("topic_name"),
    },
    NameProperty {
        resource_type: "AWS::SQS::Queue",
        property: "QueueName",
        what: "SQS queue name",
        builder: None,
    },
    NameProperty {
        resource_type: "AWS::DynamoDB::Table",
        property: "TableName",
        what: "DynamoDB table name",
        builder: Some("table_name"),
    },
];

/// One literal physical name found in a template.
#[derive(Debug, Clone)]
struct Claim {
    region: Option<String>,
    path: String,
    logical_id: String,
}

/// The physical names of every stack, checked together.
#[derive(Debug, Default)]
pub struct PhysicalNames {
    claims: HashMap<(usize, String, String), Vec<Claim>>,
}

impl PhysicalNames {
    /// Record the literal names of one stack's template; a name already
    /// claimed in a compatible region is reported with both paths.
    pub fn add_template(
        &mut self,
        region: Option<&str>,
        template: &Template,
        origins: &Origins,
        report: &mut Report,
    ) {
        for (logical_id, resource) in &template.resources {
            let Some((kind, rule)) = NAME_PROPERTIES
                .iter()
                .enumerate()
                .find(|(_, r)| r.resource_type == resource.resource_type())
            else {
                continue;
            };
            let Some(Json::String(name)) = resource.property(rule.property) else {
                continue;
            };
            let scope = match rule.property {
                // Schedule names are unique within their group.
                "Name" => match resource.property("GroupName") {
                    None => "default".to_owned(),
                    Some(Json::String(group)) => group.clone(),
                    Some(other) => format!("{}:{other}", origins.stack()),
                },
                _ => String::new(),
            };
            let claim = Claim {
                region: region.map(str::to_owned),
                path: origins.resource_path(logical_id),
                logical_id: logical_id.clone(),
            };
            // The Lambda and Serverless function types share one namespace.
            let kind = if rule.property == "FunctionName" {
                0
            } else {
                kind
            };
            let earlier = self.claims.entry((kind, scope, name.clone())).or_default();
            if let Some(first) = earlier
                .iter()
                .find(|c| c.region.is_none() || claim.region.is_none() || c.region == claim.region)
            {
                report.error(
                    &claim.path,
                    collision_message(rule, name, first),
                    collision_fix(rule, name, &claim),
                );
            }
            earlier.push(claim);
        }
    }
}

fn collision_message(rule: &NameProperty, name: &str, first: &Claim) -> String {
    let unique = if rule.property == "Name" {
        "schedule names are unique within a schedule group per account and region"
    } else {
        "these names are unique per account and region"
    };
    format!(
        "{} `{name}` is already used by {} (resource {}); {unique}, so the second stack to deploy would fail",
        rule.what, first.path, first.logical_id
    )
}

fn collision_fix(rule: &NameProperty, name: &str, claim: &Claim) -> String {
    let renamed = format!("{name}-2");
    let override_fix = format!(
        "stack.override_property(\"{}\", \"{}\", \"{renamed}\")",
        claim.logical_id, rule.property
    );
    match rule.builder {
        Some(builder) => format!(
            "give {} another name, e.g. .{builder}(\"{renamed}\") (or {override_fix})",
            claim.path
        ),
        None => format!("give {} another name, e.g. {override_fix}", claim.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Resource;
    use crate::value::Value;

    fn topic(name: &str) -> Resource {
        Resource::raw(
            "AWS::SNS::Topic",
            Value::Map([("TopicName".to_owned(), Value::from(name))].into()),
        )
    }

    fn template(resources: &[(&str, Resource)]) -> (Template, Origins) {
        let mut t = Template::default();
        for (id, r) in resources {
            t.add_resource(*id, r.clone());
        }
        (t, Origins::new("S"))
    }

    #[test]
    fn literal_names_collide_only_in_the_same_region() {
        let (a, oa) = template(&[("A", topic("alerts")), ("B", topic("alerts"))]);
        let mut r = Report::default();
        let mut names = PhysicalNames::default();
        names.add_template(None, &a, &oa, &mut r);
        let p = r.into_problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("resource A"), "{}", p[0].message);
        assert!(p[0].fix.contains(".topic_name(\"alerts-2\")"));

        let (b, ob) = template(&[("C", topic("alerts"))]);
        let mut r = Report::default();
        let mut names = PhysicalNames::default();
        names.add_template(Some("us-east-1"), &b, &ob, &mut r);
        names.add_template(Some("eu-west-1"), &b, &ob, &mut r);
        assert!(r.into_problems().is_empty());
    }
}
