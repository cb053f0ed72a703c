//! `AWS::SNS::Topic`, `AWS::SNS::TopicPolicy` and `AWS::SNS::Subscription`.

use serde_derive::Serialize;

use crate::resources::iam::PolicyDocument;
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

/// Properties of `AWS::SNS::TopicPolicy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicPolicy {
    /// The policy.
    pub policy_document: PolicyDocument,
    /// The topics' ARNs.
    pub topics: Vec<Value>,
}
super::resource_type!(TopicPolicy, "AWS::SNS::TopicPolicy");

/// A subscription's dead-letter queue (messages SNS could not deliver).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRedrivePolicy {
    /// The queue's ARN.
    pub dead_letter_target_arn: Value,
}

/// Properties of `AWS::SNS::Subscription`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    /// The topic.
    pub topic_arn: Value,
    /// `sqs`, `lambda`, `https`, ...
    pub protocol: &'static str,
    /// The queue ARN (for `sqs`).
    pub endpoint: Value,
    /// Deliver the message body as published, without SNS's JSON wrapper.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_message_delivery: Option<bool>,
    /// Which messages to deliver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<serde_json::Value>,
    /// `MessageAttributes` or `MessageBody`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_policy_scope: Option<&'static str>,
    /// Where undeliverable messages go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_policy: Option<SubscriptionRedrivePolicy>,
}
super::resource_type!(Subscription, "AWS::SNS::Subscription");
