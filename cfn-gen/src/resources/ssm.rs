//! `AWS::SSM::Parameter`.

use serde_derive::Serialize;

use crate::value::Value;

/// Properties of `AWS::SSM::Parameter` (CloudFormation creates `String`
/// parameters only; SecureStrings are created outside templates).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// The parameter's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Value>,
    /// Always `String` here.
    #[serde(rename = "Type")]
    pub parameter_type: &'static str,
    /// The value (up to 4 KB in the Standard tier, 8 KB in Advanced).
    pub value: String,
    /// `Standard` or `Advanced`.
    pub tier: &'static str,
    /// What it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
super::resource_type!(Parameter, "AWS::SSM::Parameter");
