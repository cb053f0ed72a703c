//! `AWS::Lambda::EventSourceMapping` and `AWS::Lambda::Permission`.

use serde_derive::Serialize;

use crate::value::Value;

/// `ScalingConfig` of an SQS event source mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingConfig {
    /// At most this many concurrent invocations (2 to 1,000).
    pub maximum_concurrency: u32,
}

/// Properties of `AWS::Lambda::EventSourceMapping`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSourceMapping {
    /// The queue (or stream) ARN.
    pub event_source_arn: Value,
    /// The function's name or ARN.
    pub function_name: Value,
    /// Records per invocation.
    pub batch_size: u32,
    /// `ReportBatchItemFailures` for partial batch responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub function_response_types: Vec<&'static str>,
    /// Seconds to gather a batch (standard queues only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_batching_window_in_seconds: Option<u32>,
    /// Concurrency cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<ScalingConfig>,
    /// Whether the mapping polls.
    pub enabled: bool,
}
super::resource_type!(EventSourceMapping, "AWS::Lambda::EventSourceMapping");

/// Properties of `AWS::Lambda::Permission`: a resource policy statement
/// on a function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Permission {
    /// `lambda:InvokeFunction`.
    pub action: &'static str,
    /// The function's name or ARN.
    pub function_name: Value,
    /// The service allowed, e.g. `apigateway.amazonaws.com`.
    pub principal: &'static str,
    /// The only source ARN (pattern) it may invoke from.
    pub source_arn: Value,
    /// The source's account.
    pub source_account: Value,
}
super::resource_type!(Permission, "AWS::Lambda::Permission");
