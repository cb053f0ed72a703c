//! `AWS::Serverless::Function` (the SAM transform's function resource).

use std::collections::BTreeMap;

use serde_derive::Serialize;

use crate::value::Value;

/// `Environment` of a function.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Environment {
    /// Variables by name, sorted.
    pub variables: BTreeMap<String, Value>,
}

/// `LoggingConfig` of a function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoggingConfig {
    /// `JSON` or `Text`.
    pub log_format: &'static str,
    /// The log group's name.
    pub log_group: Value,
    /// Application log level filter (JSON format only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_log_level: Option<&'static str>,
    /// System log level filter (JSON format only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_log_level: Option<&'static str>,
}

/// One destination of an asynchronous invocation result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Destination {
    /// `SQS`, `SNS`, `Lambda` or `EventBridge`.
    #[serde(rename = "Type")]
    pub destination_type: &'static str,
    /// The destination ARN.
    pub destination: Value,
}

/// `DestinationConfig` of an `EventInvokeConfig`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DestinationConfig {
    /// Where failed events go.
    pub on_failure: Destination,
}

/// `EventInvokeConfig`: Lambda's own retries of asynchronous invocations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventInvokeConfig {
    /// 60 to 21,600 seconds.
    pub maximum_event_age_in_seconds: u32,
    /// 0 to 2 retries after a function error.
    pub maximum_retry_attempts: u32,
    /// Where events that still fail go.
    pub destination_config: DestinationConfig,
}

/// `VpcConfig` of a function: the subnets and security groups its
/// network interfaces go in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcConfig {
    /// A list of subnet ids.
    pub subnet_ids: Value,
    /// A list of security group ids.
    pub security_group_ids: Value,
}

/// Properties of `AWS::Serverless::Function`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_name: Option<Value>,
    /// What the function does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Image` for container images; unset for zip code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_type: Option<&'static str>,
    /// A private ECR image URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<Value>,
    /// Local path of zip code, relative to the template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_uri: Option<String>,
    /// Handler (zip code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Runtime (zip code), e.g. `provided.al2023`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// `x86_64` or `arm64`.
    pub architectures: Vec<&'static str>,
    /// Memory in MB.
    pub memory_size: u32,
    /// Timeout in seconds.
    pub timeout: u32,
    /// Execution role ARN.
    pub role: Value,
    /// Concurrency reserved for this function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_concurrent_executions: Option<u32>,
    /// Environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Where and how logs are written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_config: Option<LoggingConfig>,
    /// Asynchronous invocation retries and destinations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfig>,
    /// The subnets and security groups, for a function in a VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
}
super::resource_type!(Function, "AWS::Serverless::Function");
