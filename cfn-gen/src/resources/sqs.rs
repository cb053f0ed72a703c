//! `AWS::SQS::Queue`.

use serde::Serialize;

use crate::value::Value;

/// Properties of `AWS::SQS::Queue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Queue {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<Value>,
    /// A FIFO queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fifo_queue: Option<bool>,
    /// The KMS key for server-side encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<Value>,
    /// Seconds a message is kept (60 to 1,209,600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_retention_period: Option<u32>,
    /// Seconds a received message stays invisible (0 to 43,200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout: Option<u32>,
}
super::resource_type!(Queue, "AWS::SQS::Queue");
