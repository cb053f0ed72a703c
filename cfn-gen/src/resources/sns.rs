//! `AWS::SNS::Topic`.

use serde::Serialize;

use crate::value::Value;

/// Properties of `AWS::SNS::Topic`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<Value>,
    /// A FIFO topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fifo_topic: Option<bool>,
    /// Deduplicate FIFO messages by a hash of their body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_based_deduplication: Option<bool>,
    /// The KMS key for server-side encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<Value>,
    /// The human-readable display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}
super::resource_type!(Topic, "AWS::SNS::Topic");
