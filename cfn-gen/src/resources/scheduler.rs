//! `AWS::Scheduler::Schedule` and `AWS::Scheduler::ScheduleGroup`
//! (EventBridge Scheduler).

use serde_derive::Serialize;

use crate::value::Value;

/// `FlexibleTimeWindow` of a schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlexibleTimeWindow {
    /// `OFF` or `FLEXIBLE`.
    pub mode: &'static str,
    /// Window length in minutes (1 to 1,440) with `FLEXIBLE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_window_in_minutes: Option<u32>,
}

/// How often and how long the Scheduler retries delivering to the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    /// 60 to 86,400 seconds.
    pub maximum_event_age_in_seconds: u32,
    /// 0 to 185 attempts.
    pub maximum_retry_attempts: u32,
}

/// Where undeliverable invocations go.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// A standard SQS queue's ARN.
    pub arn: Value,
}

/// `AwsvpcConfiguration` of an ECS target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AwsvpcConfiguration {
    /// A list of subnet ids.
    pub subnets: Value,
    /// A list of security group ids.
    pub security_groups: Value,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: &'static str,
}

/// `NetworkConfiguration` of an ECS target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkConfiguration {
    /// The task's subnets and security groups.
    pub awsvpc_configuration: AwsvpcConfiguration,
}

/// `EcsParameters`: run an ECS task (the target's `Arn` is the cluster's).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsParameters {
    /// The task definition (a revision's ARN).
    pub task_definition_arn: Value,
    /// `FARGATE`.
    pub launch_type: &'static str,
    /// `LATEST` or a platform version.
    pub platform_version: &'static str,
    /// Tasks per run.
    pub task_count: u32,
    /// Where the task's network interface goes.
    pub network_configuration: NetworkConfiguration,
}

/// The schedule's target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    /// The target ARN, e.g. a Lambda function's.
    pub arn: Value,
    /// The execution role the Scheduler assumes.
    pub role_arn: Value,
    /// The JSON text passed to the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Delivery retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    /// Dead-letter queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// For an ECS target: the task to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs_parameters: Option<EcsParameters>,
}

/// Properties of `AWS::Scheduler::Schedule`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Schedule {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Value>,
    /// The schedule group (the account's `default` group when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<Value>,
    /// A customer managed KMS key that encrypts the schedule's input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Value>,
    /// What the schedule runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `rate(...)`, `cron(...)` or `at(...)`.
    pub schedule_expression: String,
    /// IANA time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression_timezone: Option<String>,
    /// First possible run (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Last possible run (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// How far the Scheduler may move an invocation.
    pub flexible_time_window: FlexibleTimeWindow,
    /// `ENABLED` or `DISABLED`.
    pub state: &'static str,
    /// What to invoke.
    pub target: Target,
}
super::resource_type!(Schedule, "AWS::Scheduler::Schedule");

/// Properties of `AWS::Scheduler::ScheduleGroup` (`Ref` is its name).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleGroup {
    /// Physical name; left to CloudFormation when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Value>,
}
super::resource_type!(ScheduleGroup, "AWS::Scheduler::ScheduleGroup");
