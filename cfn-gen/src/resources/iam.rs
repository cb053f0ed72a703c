//! `AWS::IAM::Role` and the policy documents inside it.

use std::collections::BTreeMap;

use serde_derive::Serialize;

use crate::value::Value;

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always `2012-10-17`.
    pub version: &'static str,
    /// The statements.
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// A document with these statements.
    pub fn new(statement: Vec<Statement>) -> PolicyDocument {
        PolicyDocument {
            version: "2012-10-17",
            statement,
        }
    }
}

/// Who a trust statement lets assume the role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Principal {
    /// An AWS service, e.g. `lambda.amazonaws.com`.
    Service(String),
    /// An AWS account or role, by ARN (in resource policies).
    #[serde(rename = "AWS")]
    Aws(Value),
}

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// An identifier for the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    /// For trust policies: who may assume the role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// The actions.
    pub action: Vec<String>,
    /// The resources (absent in trust policies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<Value>,
    /// Conditions: operator -> key -> value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<String, BTreeMap<String, Value>>,
}

impl Statement {
    /// Allow `actions` on `resources`.
    pub fn allow<A, S>(actions: A, resources: Vec<Value>) -> Statement
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Statement {
            sid: None,
            effect: "Allow",
            principal: None,
            action: actions.into_iter().map(Into::into).collect(),
            resource: resources,
            condition: BTreeMap::new(),
        }
    }

    /// Let an AWS service assume the role.
    pub fn assume_by_service(service: &str) -> Statement {
        Statement {
            sid: None,
            effect: "Allow",
            principal: Some(Principal::Service(service.to_owned())),
            action: vec!["sts:AssumeRole".into()],
            resource: Vec::new(),
            condition: BTreeMap::new(),
        }
    }

    /// Add a condition, e.g. `StringEquals` / `aws:SourceAccount`.
    pub fn when(mut self, operator: &str, key: &str, value: Value) -> Statement {
        self.condition
            .entry(operator.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
        self
    }

    /// Grant to an AWS service (in a resource policy).
    pub fn principal_service(mut self, service: &str) -> Statement {
        self.principal = Some(Principal::Service(service.to_owned()));
        self
    }

    /// Grant to an AWS account or role, by ARN (in a resource policy).
    pub fn principal_aws(mut self, arn: Value) -> Statement {
        self.principal = Some(Principal::Aws(arn));
        self
    }

    /// Name the statement.
    pub fn sid(mut self, sid: impl Into<String>) -> Statement {
        self.sid = Some(sid.into());
        self
    }
}

/// An inline policy of a role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    /// The policy name (unique within the role).
    pub policy_name: String,
    /// The document.
    pub policy_document: PolicyDocument,
}

/// Properties of `AWS::IAM::Role`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Who may assume the role.
    pub assume_role_policy_document: PolicyDocument,
    /// What the role is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Inline policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<Value>,
}
super::resource_type!(Role, "AWS::IAM::Role");
