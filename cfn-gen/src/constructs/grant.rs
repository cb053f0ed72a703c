//! Grants, CDK-style: a resource grants access to itself
//! (`topic.grant_publish(&function)`), adding statements scoped to exactly
//! its ARNs to a [`Grantee`]: a [`Function`](crate::Function)'s execution
//! role, or a [`RolePolicy`] a construct assembles for a role of its own.

use std::cell::RefCell;

use crate::resources::iam::Statement;
use crate::value::Value;

/// Something whose role policy grants add statements to.
pub trait Grantee {
    /// Add `statement` to the role's policy.
    fn add_to_role_policy(&self, statement: Statement);
}

/// The statements of one role policy, in the order they were granted.
///
/// A statement that differs from an earlier one only in its resources is
/// merged into it (resources in order, each once), so granting the same
/// action on several resources yields one statement; a statement granted
/// twice is kept once.
///
/// ```
/// use cfn_gen::{Grantee, RolePolicy, Value};
/// use cfn_gen::resources::iam::Statement;
/// let policy = RolePolicy::new();
/// policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![Value::from("arn:aws:sns:us-east-1:123456789012:a")]));
/// policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![Value::from("arn:aws:sns:us-east-1:123456789012:b")]));
/// assert_eq!(policy.statements().len(), 1);
/// assert_eq!(policy.statements()[0].resource.len(), 2);
/// ```
#[derive(Debug, Default, Clone)]
pub struct RolePolicy {
    statements: RefCell<Vec<Statement>>,
}

impl RolePolicy {
    /// An empty policy.
    pub fn new() -> RolePolicy {
        RolePolicy::default()
    }

    /// The statements, merged.
    pub fn statements(&self) -> Vec<Statement> {
        self.statements.borrow().clone()
    }

    /// Whether nothing was granted.
    pub fn is_empty(&self) -> bool {
        self.statements.borrow().is_empty()
    }
}

impl Grantee for RolePolicy {
    fn add_to_role_policy(&self, statement: Statement) {
        let mut statements = self.statements.borrow_mut();
        // Granted twice (IAM wants each Sid once per policy).
        if statements.contains(&statement) {
            return;
        }
        let same = statements.iter_mut().find(|s| {
            s.sid.is_none()
                && statement.sid.is_none()
                && s.effect == statement.effect
                && s.principal.is_none()
                && statement.principal.is_none()
                && s.action == statement.action
                && s.condition == statement.condition
                && !s.resource.is_empty()
        });
        match same {
            Some(existing) if !statement.resource.is_empty() => {
                for resource in statement.resource {
                    if !existing.resource.contains(&resource) {
                        existing.resource.push(resource);
                    }
                }
            }
            _ => statements.push(statement),
        }
    }
}

/// The ARN of the SSM parameter `name` (with or without its leading `/`)
/// in the stack's account and region.
pub(crate) fn ssm_parameter_arn(name: &str) -> Value {
    let name = name.strip_prefix('/').unwrap_or(name);
    Value::sub(format!(
        "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}"
    ))
}

/// `ssm:GetParameter` on the SSM parameter `name`.
pub(crate) fn grant_parameter_read(name: &str, grantee: &dyn Grantee) {
    grantee.add_to_role_policy(Statement::allow(
        ["ssm:GetParameter"],
        vec![ssm_parameter_arn(name)],
    ));
}

/// `s3:GetObject` on exactly the object `bucket/key`.
pub(crate) fn grant_object_read(bucket_and_key: &str, grantee: &dyn Grantee) {
    grantee.add_to_role_policy(Statement::allow(
        ["s3:GetObject"],
        vec![Value::sub(format!(
            "arn:${{AWS::Partition}}:s3:::{bucket_and_key}"
        ))],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(name: &str) -> Value {
        Value::String(format!("arn:aws:sns:us-east-1:123456789012:{name}"))
    }

    #[test]
    fn same_actions_merge_and_others_stay_apart() {
        let policy = RolePolicy::new();
        policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![arn("a")]));
        policy.add_to_role_policy(Statement::allow(["kms:Decrypt"], vec![arn("k")]));
        policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![arn("b"), arn("a")]));
        policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![arn("c")]).sid("Named"));
        let statements = policy.statements();
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0].resource, vec![arn("a"), arn("b")]);
        assert_eq!(statements[1].action, vec!["kms:Decrypt".to_owned()]);
        assert_eq!(statements[2].sid.as_deref(), Some("Named"));
        policy.add_to_role_policy(Statement::allow(["sns:Publish"], vec![arn("c")]).sid("Named"));
        assert_eq!(
            policy.statements().len(),
            3,
            "a named statement is kept once"
        );
    }

    #[test]
    fn conditions_keep_statements_apart() {
        let policy = RolePolicy::new();
        policy.add_to_role_policy(Statement::allow(["sqs:SendMessage"], vec![arn("q")]));
        policy.add_to_role_policy(Statement::allow(["sqs:SendMessage"], vec![arn("r")]).when(
            "ArnEquals",
            "aws:SourceArn",
            arn("t"),
        ));
        assert_eq!(policy.statements().len(), 2);
    }

    #[test]
    fn parameter_and_object_grants_name_exact_arns() {
        let policy = RolePolicy::new();
        grant_parameter_read("/app/token", &policy);
        grant_parameter_read("app/other", &policy);
        grant_object_read("bucket/templates/a.txt", &policy);
        let statements = policy.statements();
        assert_eq!(
            statements[0].resource,
            vec![
                Value::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/token"),
                Value::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/other"),
            ]
        );
        assert_eq!(
            statements[1].resource,
            vec![Value::sub(
                "arn:${AWS::Partition}:s3:::bucket/templates/a.txt"
            )]
        );
    }
}
