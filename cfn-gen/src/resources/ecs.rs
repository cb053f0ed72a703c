//! `AWS::ECS::Cluster` and `AWS::ECS::TaskDefinition` (Fargate, one container).

use std::collections::BTreeMap;

use serde_derive::Serialize;

use crate::value::Value;

/// A cluster setting (`containerInsights`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClusterSetting {
    /// The setting's name.
    pub name: &'static str,
    /// Its value.
    pub value: &'static str,
}

/// Properties of `AWS::ECS::Cluster`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cluster {
    /// Cluster settings.
    pub cluster_settings: Vec<ClusterSetting>,
}
super::resource_type!(Cluster, "AWS::ECS::Cluster");

/// A plain environment variable of a container.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValue {
    /// The variable.
    pub name: String,
    /// Its value.
    pub value: Value,
}

/// A secret ECS reads when the task starts and passes as a variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    /// The variable.
    pub name: String,
    /// The SSM parameter's or Secrets Manager secret's ARN.
    pub value_from: Value,
}

/// Where a container's output goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogConfiguration {
    /// `awslogs`.
    pub log_driver: &'static str,
    /// The driver's options.
    pub options: BTreeMap<String, Value>,
}

/// One container of a task definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerDefinition {
    /// The container's name.
    pub name: String,
    /// The image.
    pub image: Value,
    /// The task stops when it stops.
    pub essential: bool,
    /// Overrides the image's command.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Plain variables, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<KeyValue>,
    /// Secrets as variables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    /// Logging.
    pub log_configuration: LogConfiguration,
    /// The root file system is read-only.
    pub readonly_root_filesystem: bool,
    /// Never privileged.
    pub privileged: bool,
}

/// The OS and CPU a Fargate task runs on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimePlatform {
    /// `X86_64` or `ARM64`.
    pub cpu_architecture: &'static str,
    /// `LINUX`.
    pub operating_system_family: &'static str,
}

/// Properties of `AWS::ECS::TaskDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskDefinition {
    /// The family each revision belongs to.
    pub family: Value,
    /// CPU units, e.g. `1024`.
    pub cpu: String,
    /// Memory in MiB, e.g. `2048`.
    pub memory: String,
    /// `awsvpc` (required by Fargate).
    pub network_mode: &'static str,
    /// `FARGATE`.
    pub requires_compatibilities: Vec<&'static str>,
    /// The role ECS uses to pull the image, write logs and read secrets.
    pub execution_role_arn: Value,
    /// The role the task's code runs with.
    pub task_role_arn: Value,
    /// OS and CPU architecture.
    pub runtime_platform: RuntimePlatform,
    /// The containers.
    pub container_definitions: Vec<ContainerDefinition>,
}
super::resource_type!(TaskDefinition, "AWS::ECS::TaskDefinition");
