//! [`CfnResource`]: any CloudFormation resource with raw properties, the
//! escape hatch for what no construct covers.

use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::context::SynthContext;
use crate::logical_id::MAX_LOGICAL_ID_LEN;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

struct Inner {
    node: Node,
    logical_id: String,
    verbatim: bool,
    resource: Resource,
}

/// A resource of any type, written as given. Its [`ref_`](CfnResource::ref_)
/// and [`get_att`](CfnResource::get_att) are values other constructs and
/// raw resources take.
///
/// ```
/// use cfn_gen::{App, Resource, Stack, Topic, Value};
/// use std::collections::BTreeMap;
/// let app = App::new();
/// let stack = Stack::new(&app, "Raw");
/// let alerts = Topic::standard(&stack, "Alerts");
/// let rule = stack.add_resource(
///     "NightlyRule",
///     Resource::raw(
///         "AWS::Events::Rule",
///         Value::Map(BTreeMap::from([
///             ("ScheduleExpression".into(), "rate(1 day)".into()),
///             (
///                 "Targets".into(),
///                 Value::List(vec![Value::Map(BTreeMap::from([
///                     ("Id".into(), "alerts".into()),
///                     ("Arn".into(), alerts.arn()),
///                 ]))]),
///             ),
///         ])),
///     ),
/// );
/// assert!(rule.logical_id().starts_with("NightlyRule"));
/// let arn = rule.get_att("Arn");
/// assert!(app.synth().is_ok());
/// # let _ = arn;
/// ```
#[derive(Clone)]
pub struct CfnResource(Rc<Inner>);

impl CfnResource {
    /// The resource's logical ID.
    pub fn logical_id(&self) -> &str {
        &self.0.logical_id
    }

    /// `Ref` to the resource.
    pub fn ref_(&self) -> Value {
        Value::reference(&self.0.logical_id)
    }

    /// `Fn::GetAtt` of one of its attributes.
    pub fn get_att(&self, attribute: impl Into<String>) -> Value {
        Value::get_att(&self.0.logical_id, attribute)
    }

    /// Its place in the tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The resource as it will be written (before the stack's passes).
    pub fn resource(&self) -> &Resource {
        &self.0.resource
    }
}

impl Stack {
    /// Add a resource of any type. Its logical ID follows the usual scheme
    /// (`id` plus a hash, like a construct's main resource), so `id` is also
    /// the path other settings (tags, overrides) name it by.
    pub fn add_resource(&self, id: &str, resource: Resource) -> CfnResource {
        let node = self.claim(id);
        let logical_id = node.logical_id();
        self.add_raw(node, logical_id, false, resource)
    }

    /// Add a resource of any type under exactly `logical_id` (letters and
    /// digits, at most 255), e.g. to adopt a resource of an existing template
    /// without replacing it.
    pub fn add_resource_verbatim(&self, logical_id: &str, resource: Resource) -> CfnResource {
        let node = self.claim(logical_id);
        self.add_raw(node, logical_id.to_owned(), true, resource)
    }

    fn add_raw(
        &self,
        node: Node,
        logical_id: String,
        verbatim: bool,
        resource: Resource,
    ) -> CfnResource {
        let inner = Rc::new(Inner {
            node,
            logical_id,
            verbatim,
            resource,
        });
        self.add(Rc::new(RawConstruct(inner.clone())));
        CfnResource(inner)
    }
}

struct RawConstruct(Rc<Inner>);

/// A fix for a malformed resource type: its `::`-separated words, when there
/// are two (`Custom::`) or three of them.
fn normalized_type(t: &str) -> Option<String> {
    let words: Vec<&str> = t
        .split(':')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    let ok_words = words.iter().all(|w| {
        w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '@')
    });
    match words.as_slice() {
        ["Custom", _] if ok_words => Some(words.join("::")),
        [_, _, _] if ok_words => Some(words.join("::")),
        _ => None,
    }
}

fn type_ok(t: &str) -> bool {
    let words: Vec<&str> = t.split("::").collect();
    match words.as_slice() {
        ["Custom", name] => {
            !name.is_empty()
                && name.len() <= 60
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@-".contains(c))
        }
        [a, b, c] => [a, b, c]
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric())),
        _ => false,
    }
}

impl Construct for RawConstruct {
    fn node(&self) -> &Node {
        &self.0.node
    }

    fn validate(&self, report: &mut Report) {
        let inner = &self.0;
        let path = inner.node.path();
        let t = inner.resource.resource_type();
        if !type_ok(t) {
            let fix = match normalized_type(t) {
                Some(n) if type_ok(&n) => format!("write the type as `{n}`"),
                _ => "write the type as `Service::Provider::Resource`, e.g. `AWS::S3::Bucket`, or `Custom::Name` for a custom resource".to_owned(),
            };
            report.error(
                &path,
                format!(
                    "resource type `{t}` is not `Provider::Service::Resource` or `Custom::Name`"
                ),
                fix,
            );
        }
        if (t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource")
            && inner.resource.property("ServiceToken").is_none()
        {
            report.error(
                &path,
                format!("custom resource `{t}` has no ServiceToken"),
                "add a `ServiceToken` property: the ARN of the Lambda function (or SNS topic) that handles it",
            );
        }
        if inner.verbatim {
            let id = &inner.logical_id;
            if id.is_empty()
                || id.len() > MAX_LOGICAL_ID_LEN
                || !id.chars().all(|c| c.is_ascii_alphanumeric())
            {
                let cleaned: String = id
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(MAX_LOGICAL_ID_LEN)
                    .collect();
                let cleaned = if cleaned.is_empty() {
                    "Resource".to_owned()
                } else {
                    cleaned
                };
                report.error(
                    &path,
                    format!("logical ID `{id}` must be 1 to {MAX_LOGICAL_ID_LEN} ASCII letters and digits"),
                    format!("use stack.add_resource_verbatim(\"{cleaned}\", ..)"),
                );
            }
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        template.add_resource(self.0.logical_id.clone(), self.0.resource.clone());
    }
}
