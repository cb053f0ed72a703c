//! `AWS::SQS::Queue` and `AWS::SQS::QueuePolicy`.

use serde_derive::Serialize;

use crate::resources::iam::PolicyDocument;
use crate::value::Value;

/// Where a queue sends messages received too often.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedrivePolicy {
    /// The dead-letter queue's ARN.
    pub dead_letter_target_arn: Value,
    /// Receives before a message moves there (1 to 1,000).
    pub max_receive_count: u32,
}

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
    /// FIFO only: a message's deduplication id is the SHA-256 of its body
    /// when the sender gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_based_deduplication: Option<bool>,
    /// The KMS key for server-side encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<Value>,
    /// Seconds a message is kept (60 to 1,209,600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_retention_period: Option<u32>,
    /// Seconds a received message stays invisible (0 to 43,200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout: Option<u32>,
    /// Server-side encryption with SQS-owned keys (SSE-SQS), which SNS can
    /// publish to (the AWS managed KMS key for SQS cannot be used by SNS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs_managed_sse_enabled: Option<bool>,
    /// The dead-letter queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_policy: Option<RedrivePolicy>,
}
super::resource_type!(Queue, "AWS::SQS::Queue");

/// Properties of `AWS::SQS::QueuePolicy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueuePolicy {
    /// The queues' URLs.
    pub queues: Vec<Value>,
    /// The resource policy.
    pub policy_document: PolicyDocument,
}
super::resource_type!(QueuePolicy, "AWS::SQS::QueuePolicy");
