//! The IAM permissions boundary: one managed policy that caps what every role
//! of the stack may do, as organisations that delegate role creation require.
//!
//! It is written as `PermissionsBoundary` on every `AWS::IAM::Role` and on
//! every `AWS::Serverless::Function` without a `Role` (SAM then creates the
//! role and gives it the boundary). A resource that already names a
//! boundary keeps its own.

use serde_json::Value as Json;

use crate::template::Template;
use crate::value::Value;

/// Where a boundary goes: `(resource type, only when this property is absent)`.
const TARGETS: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::Role", None),
    ("AWS::Serverless::Function", Some("Role")),
];

/// Write `boundary` onto every role of `template`. Returns the logical IDs it
/// was written to.
pub fn apply(template: &mut Template, boundary: &Value) -> Vec<String> {
    let json = Json::from(boundary.clone());
    let mut written = Vec::new();
    for (id, resource) in template.resources.iter_mut() {
        let applies = TARGETS.iter().any(|(t, unless)| {
            *t == resource.resource_type() && unless.is_none_or(|p| resource.property(p).is_none())
        });
        if !applies || resource.property("PermissionsBoundary").is_some() {
            continue;
        }
        let props = resource.properties_mut();
        if !props.is_object() {
            *props = Json::Object(serde_json::Map::new());
        }
        if let Some(map) = props.as_object_mut() {
            map.insert("PermissionsBoundary".into(), json.clone());
            written.push(id.clone());
        }
    }
    written
}

/// Check a boundary given as a literal ARN: `arn:<partition>:iam::<account>:policy/<name>`.
/// Returns what is wrong and a fix that works.
///
/// ```
/// use cfn_gen::passes::boundary::check;
/// use cfn_gen::Value;
/// assert!(check(&Value::from("arn:aws:iam::123456789012:policy/Boundary")).is_ok());
/// assert!(check(&Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/B")).is_ok());
/// assert!(check(&Value::from("Boundary")).is_err());
/// ```
pub fn check(boundary: &Value) -> Result<(), (String, String)> {
    let Some(arn) = boundary.as_literal() else {
        return Ok(());
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            partition.starts_with("aws")
                && (*account == "aws"
                    || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
                && resource
                    .strip_prefix("policy/")
                    .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
        }
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let name = arn
        .rsplit(['/', ':'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("BoundaryPolicyName");
    Err((
        format!("permissions boundary `{arn}` is not an IAM managed policy ARN (arn:aws:iam::<account>:policy/<name>)"),
        format!(
            "pass the policy's ARN, e.g. Stack::permissions_boundary(Value::sub(\"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{name}\"))"
        ),
    ))
}
