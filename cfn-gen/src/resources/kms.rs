//! `AWS::KMS::Key` and `AWS::KMS::Alias`.

use serde_derive::Serialize;

use crate::resources::iam::PolicyDocument;
use crate::value::Value;

/// Properties of `AWS::KMS::Key` (a symmetric encryption key).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    /// What the key is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rotate the key material yearly.
    pub enable_key_rotation: bool,
    /// Who may use and administer the key.
    pub key_policy: PolicyDocument,
}
super::resource_type!(Key, "AWS::KMS::Key");

/// Properties of `AWS::KMS::Alias`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    /// `alias/...`.
    pub alias_name: Value,
    /// The key's ID or ARN.
    pub target_key_id: Value,
}
super::resource_type!(Alias, "AWS::KMS::Alias");
