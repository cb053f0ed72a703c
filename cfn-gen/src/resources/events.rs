//! `AWS::Events::Rule`.

use serde_derive::Serialize;

use crate::value::Value;

/// Where a rule sends matching events.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    /// The target's id within the rule.
    pub id: String,
    /// The target's ARN.
    pub arn: Value,
}

/// Properties of `AWS::Events::Rule`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// What the rule is for.
    pub description: String,
    /// The events it matches.
    pub event_pattern: Value,
    /// `ENABLED`.
    pub state: &'static str,
    /// Where matches go.
    pub targets: Vec<Target>,
}
super::resource_type!(Rule, "AWS::Events::Rule");
