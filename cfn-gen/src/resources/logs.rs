//! `AWS::Logs::LogGroup`.

use serde_derive::Serialize;

use crate::value::Value;

/// Properties of `AWS::Logs::LogGroup`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogGroup {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<Value>,
    /// Days to keep log events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u32>,
    /// The KMS key that encrypts the log data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<Value>,
}
super::resource_type!(LogGroup, "AWS::Logs::LogGroup");
