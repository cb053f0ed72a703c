//! Tags: stack-wide and per-construct tags written onto every resource that
//! takes tags, in the shape its type wants.
//!
//! | shape | types |
//! |---|---|
//! | list of `{Key, Value}` | `AWS::CloudWatch::Alarm`, `AWS::DynamoDB::Table`, `AWS::EC2::SecurityGroup`, `AWS::ECR::Repository`, `AWS::ECS::Cluster`, `AWS::ECS::TaskDefinition`, `AWS::Events::Rule`, `AWS::IAM::Role`, `AWS::KMS::Key`, `AWS::Lambda::EventSourceMapping`, `AWS::Lambda::Function`, `AWS::Logs::LogGroup`, `AWS::S3::Bucket`, `AWS::Scheduler::ScheduleGroup` (where the Scheduler takes tags for its schedules), `AWS::SecretsManager::Secret`, `AWS::SNS::Topic`, `AWS::SQS::Queue`, `AWS::StepFunctions::StateMachine` |
//! | map of key to value | `AWS::ApiGatewayV2::Api`, `AWS::ApiGatewayV2::Stage`, `AWS::SSM::Parameter`, `AWS::Serverless::Function` (SAM copies them to the role it creates), `AWS::Serverless::Api`, `AWS::Serverless::HttpApi`, `AWS::Serverless::SimpleTable`, `AWS::Serverless::StateMachine`, `AWS::Serverless::Application` |
//!
//! Skipped, because their type has no `Tags`: `AWS::Scheduler::Schedule`,
//! `AWS::SNS::Subscription`, `AWS::SQS::QueuePolicy`, `AWS::Lambda::Permission`,
//! `AWS::ApiGatewayV2::Integration`, `AWS::ApiGatewayV2::Route`,
//! `AWS::Lambda::EventInvokeConfig`, and custom resources (`Custom::*`, whose
//! properties go to their Lambda function). Any other type is skipped too:
//! tag it with an override of `Properties.Tags`.
//!
//! A key the resource already sets keeps its value; a construct's tag beats
//! the stack's. Added tags come after the resource's own, sorted by key.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use crate::passes::Origins;
use crate::suggest;
use crate::template::Template;
use crate::validate::Report;

/// How a resource type writes its `Tags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagShape {
    /// `[{"Key": k, "Value": v}, ...]`
    KeyValueList,
    /// `{k: v, ...}`
    Map,
}

const LIST_TYPES: &[&str] = &[
    "AWS::CloudWatch::Alarm",
    "AWS::DynamoDB::Table",
    "AWS::EC2::SecurityGroup",
    "AWS::ECR::Repository",
    "AWS::ECS::Cluster",
    "AWS::ECS::TaskDefinition",
    "AWS::Events::Rule",
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::Scheduler::ScheduleGroup",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::StepFunctions::StateMachine",
];

const MAP_TYPES: &[&str] = &[
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::SSM::Parameter",
    "AWS::Serverless::Api",
    "AWS::Serverless::Application",
    "AWS::Serverless::Function",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::StateMachine",
];

/// The tag shape of `resource_type`, or `None` when tags are not written to it.
///
/// ```
/// use cfn_gen::passes::tags::{shape_of, TagShape};
/// assert_eq!(shape_of("AWS::SQS::Queue"), Some(TagShape::KeyValueList));
/// assert_eq!(shape_of("AWS::Serverless::Function"), Some(TagShape::Map));
/// assert_eq!(shape_of("AWS::Scheduler::Schedule"), None);
/// ```
pub fn shape_of(resource_type: &str) -> Option<TagShape> {
    if LIST_TYPES.contains(&resource_type) {
        Some(TagShape::KeyValueList)
    } else if MAP_TYPES.contains(&resource_type) {
        Some(TagShape::Map)
    } else {
        None
    }
}

/// The longest tag key.
pub const MAX_KEY_CHARS: usize = 128;
/// The longest tag value.
pub const MAX_VALUE_CHARS: usize = 256;
/// Tags one resource may carry.
pub const MAX_TAGS: usize = 50;

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

/// What is wrong with a tag, and a tag that would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagProblem {
    /// What is wrong.
    pub message: String,
    /// An accepted key and value close to the ones given.
    pub suggestion: (String, String),
}

/// Check a tag against AWS's tagging rules: a key of 1 to 128 characters not
/// starting with the reserved `aws:`, a value of at most 256, both of Unicode
/// letters, digits, white space and `_ . : / = + - @`.
///
/// ```
/// use cfn_gen::passes::tags::check;
/// assert!(check("team", "reports").is_ok());
/// let problem = check("aws:team", "x").unwrap_err();
/// assert_eq!(problem.suggestion, ("team".to_string(), "x".to_string()));
/// ```
pub fn check(key: &str, value: &str) -> Result<(), TagProblem> {
    let mut problems = Vec::new();
    if key.is_empty() {
        problems.push("the key is empty".to_owned());
    }
    if key.chars().count() > MAX_KEY_CHARS {
        problems.push(format!(
            "the key is {} characters; tags take at most {MAX_KEY_CHARS}",
            key.chars().count()
        ));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        problems.push("keys starting with `aws:` are reserved for AWS".to_owned());
    }
    if let Some(c) = key.chars().find(|&c| !allowed(c)) {
        problems.push(format!(
            "the key has `{c}`; tags take letters, digits, spaces and `_ . : / = + - @`"
        ));
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        problems.push(format!(
            "the value is {} characters; tags take at most {MAX_VALUE_CHARS}",
            value.chars().count()
        ));
    }
    if let Some(c) = value.chars().find(|&c| !allowed(c)) {
        problems.push(format!(
            "the value has `{c}`; tags take letters, digits, spaces and `_ . : / = + - @`"
        ));
    }
    let secret = crate::validate::secrets::find_secret(key, value);
    if let Some(kind) = secret {
        problems.push(format!(
            "the value looks like {kind} (not shown); tags are readable by anyone who can list the resources"
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let key = suggest_key(key);
    let value = match secret {
        // Tag with where the secret is kept, never with the secret.
        Some(_) => clean(&format!("/app/{key}"), MAX_VALUE_CHARS),
        None => clean(value, MAX_VALUE_CHARS),
    };
    Err(TagProblem {
        message: problems.join("; "),
        suggestion: (key, value),
    })
}

fn clean(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .take(max)
        .collect()
}

fn suggest_key(key: &str) -> String {
    let mut rest = key;
    while rest.to_ascii_lowercase().starts_with("aws:") {
        rest = &rest[4..];
    }
    let key = clean(rest, MAX_KEY_CHARS);
    if key.is_empty() {
        "tag".to_owned()
    } else {
        key
    }
}

/// Tags requested on one construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstructTag {
    /// A construct id or path `Stack/Id`.
    pub target: String,
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Write `stack_tags` onto every taggable resource of `template`, and each
/// [`ConstructTag`] onto the resources of its construct.
pub fn apply(
    template: &mut Template,
    origins: &Origins,
    stack_tags: &BTreeMap<String, String>,
    construct_tags: &[ConstructTag],
    report: &mut Report,
) {
    let stack = origins.stack();
    let mut per_construct: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for t in construct_tags {
        match origins.construct(&t.target) {
            Some(id) => {
                per_construct
                    .entry(id)
                    .or_default()
                    .insert(t.key.clone(), t.value.clone());
            }
            None => {
                let close = suggest::close_matches(&t.target, origins.constructs());
                let fix = match close.first() {
                    Some(best) => format!(
                        "tag the construct `{best}` instead: stack.tag_construct(\"{best}\", ..)"
                    ),
                    None => format!(
                        "name a construct id of stack {stack}: {}",
                        origins
                            .constructs()
                            .iter()
                            .take(5)
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                report.error(
                    &format!("{stack}/{}", t.target),
                    format!(
                        "tag `{}` is for construct `{}`, which is not in stack {stack}{}",
                        t.key,
                        t.target,
                        suggest::listed(&close)
                            .map(|l| format!("; close construct ids: {l}"))
                            .unwrap_or_default()
                    ),
                    fix,
                );
            }
        }
    }
    if stack_tags.is_empty() && per_construct.is_empty() {
        return;
    }
    let ids: Vec<String> = template.resources.keys().cloned().collect();
    for id in ids {
        let mut tags = stack_tags.clone();
        if let Some(own) = origins
            .resource_owner(&id)
            .and_then(|o| per_construct.get(o))
        {
            tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if tags.is_empty() {
            continue;
        }
        let path = origins.resource_path(&id);
        let Some(resource) = template.resources.get_mut(&id) else {
            continue;
        };
        let resource_type = resource.resource_type().to_owned();
        let Some(shape) = shape_of(&resource_type) else {
            continue;
        };
        let props = resource.properties_mut();
        if !props.is_object() {
            *props = Json::Object(Map::new());
        }
        let Some(props) = props.as_object_mut() else {
            continue;
        };
        let existing = props.entry("Tags").or_insert_with(|| match shape {
            TagShape::KeyValueList => Json::Array(Vec::new()),
            TagShape::Map => Json::Object(Map::new()),
        });
        let added = match (shape, existing) {
            (TagShape::KeyValueList, Json::Array(list)) => {
                let has = |k: &str, list: &[Json]| {
                    list.iter()
                        .any(|t| t.get("Key").and_then(Json::as_str) == Some(k))
                };
                let mut n = 0;
                for (k, v) in &tags {
                    if !has(k, list) {
                        list.push(json!({"Key": k, "Value": v}));
                        n += 1;
                    }
                }
                Some((n, list.len()))
            }
            (TagShape::Map, Json::Object(map)) => {
                let mut n = 0;
                for (k, v) in &tags {
                    if !map.contains_key(k) {
                        map.insert(k.clone(), Json::String(v.clone()));
                        n += 1;
                    }
                }
                Some((n, map.len()))
            }
            _ => None,
        };
        // SAM adds `lambda:createdBy` to the functions it creates.
        let max = if resource_type == "AWS::Serverless::Function" {
            MAX_TAGS - 1
        } else {
            MAX_TAGS
        };
        match added {
            None => report.warning(
                &path,
                format!("`{id}` ({resource_type}) sets Tags with an intrinsic function, so the stack's tags were not added to it"),
                "write its Tags as literal entries, or add the stack's tags to them yourself",
            ),
            Some((_, total)) if total > max => report.error(
                &path,
                format!("`{id}` ({resource_type}) would carry {total} tags; it takes at most {max}"),
                format!("drop {} tag(s) from Stack::tag / tag_construct or from the resource", total - max),
            ),
            Some(_) => {}
        }
    }
}
