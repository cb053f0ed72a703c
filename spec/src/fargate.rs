//! `fargate_jobs:` of a stack: containers run on ECS Fargate by
//! EventBridge Scheduler ([`cfn_gen::FargateJob`]), for work longer than
//! Lambda's 15 minutes.

use std::time::Duration;

use cfn_gen::FargateJob;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::common::ArchitectureSpec;
use crate::network::{self, NetworkIdsSpec};
use crate::positions::join;
use crate::refs::image_source;
use crate::task::{schedule, secrets, GrantSpec, RetrySpec, SecretSpec};

/// A scheduled container on Fargate.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FargateJobSpec {
    /// What the job does.
    #[schemars(example = &"Close the ERP's books for the month")]
    pub description: Option<String>,
    /// The container image, a private ECR URI. Give exactly one of `image`
    /// and `republished_image`.
    #[schemars(example = &"123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs:v1")]
    pub image: Option<String>,
    /// An image of the stack's `images` (copied into the stack, pinned by digest), by id.
    #[schemars(example = &"VendorImage")]
    pub republished_image: Option<String>,
    /// When to run: `rate(..)`, `cron(..)` or `at(..)`.
    #[schemars(example = &"cron(0 1 1 * ? *)")]
    pub schedule: String,
    /// The IANA time zone `schedule` is read in (default UTC).
    #[schemars(example = &"Europe/London")]
    pub timezone: Option<String>,
    /// vCPU units (256, 512, 1024, 2048, 4096, 8192 or 16384; default 1024).
    #[schemars(example = 1024)]
    pub cpu: Option<u32>,
    /// Memory in MiB, a size Fargate allows for `cpu` (default 2048).
    #[schemars(example = 4096)]
    pub memory_mib: Option<u32>,
    /// The instruction set (default `x86_64`).
    #[schemars(example = &"arm64")]
    pub architecture: Option<ArchitectureSpec>,
    /// The subnets and security groups of the task's network interface.
    pub vpc: FargateVpcSpec,
    /// An existing ECS cluster's ARN (otherwise one is created).
    #[schemars(example = &"arn:aws:ecs:eu-west-2:123456789012:cluster/jobs")]
    pub cluster_arn: Option<String>,
    /// The container's command, instead of the image's.
    #[serde(default)]
    #[schemars(example = vec!["erp-job", "--job", "month-end-close"])]
    pub command: Vec<String>,
    /// Environment variables. Never secrets: use `secrets`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"ODOO_URL": "https://erp.example.com"}))]
    pub environment: IndexMap<String, String>,
    /// Secrets set as variables when the task starts: `NAME: ssm:/PARAMETER`
    /// or `NAME: secretsmanager:NAME-OR-ARN`, or `NAME: { ref: .., kms_key:
    /// ARN }` for one encrypted with a customer managed key (the execution
    /// role may `kms:Decrypt` with it). Only the reference is deployed.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"ODOO_PASSWORD": "ssm:/erp/odoo/password", "API_KEY": {"ref": "secretsmanager:erp/api-key", "kms_key": "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}))]
    pub secrets: IndexMap<String, SecretSpec>,
    /// Topics the job publishes to: `KEY: topic-id` (ARN in `SNS_TOPIC_ARN_<KEY>`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"results": "JobResults"}))]
    pub publishes_to: IndexMap<String, String>,
    /// Extra IAM statements for the task role: exact actions on exact ARNs.
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    /// Keep logs this many days (a value CloudWatch Logs accepts, default 30).
    #[schemars(example = 90)]
    pub log_retention_days: Option<u32>,
    /// How the Scheduler retries starting a run (attempts 0 to 185, max age
    /// 60 s to 24 h; default 185 attempts, 24 h).
    pub schedule_retries: Option<RetrySpec>,
    /// Deploy the schedule switched off.
    #[serde(default)]
    #[schemars(example = false)]
    pub disabled: bool,
    /// Send the job's alarms to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
}

/// Where a Fargate task's network interface is.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FargateVpcSpec {
    /// Subnet ids (1 to 16), or a list parameter.
    #[schemars(example = serde_json::json!({"parameter": "ErpSubnetIds"}))]
    pub subnets: NetworkIdsSpec,
    /// Security group ids (1 to 5).
    #[schemars(example = serde_json::json!([{"parameter": "ErpSecurityGroupId"}]))]
    pub security_groups: NetworkIdsSpec,
    /// The subnets reach AWS through a NAT gateway (no VPC endpoints needed).
    #[serde(default)]
    #[schemars(example = false)]
    pub behind_nat: bool,
    /// Give the task a public IP (public subnets without a NAT gateway).
    #[serde(default)]
    #[schemars(example = false)]
    pub assign_public_ip: bool,
}

/// Create the Fargate job `id` of `scope` and register it.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &FargateJobSpec) {
    let path = join(&join(&scope.path, "fargate_jobs"), id);
    let at = |key: &str| join(&path, key);
    let mut job = FargateJob::new(&scope.stack, id);
    b.construct(job.node().path(), &path);
    if let Some(d) = &spec.description {
        job = job.description(d);
    }
    if spec.image.is_some() == spec.republished_image.is_some() {
        b.error(
            &path,
            format!("Fargate job `{id}` needs exactly one of `image` and `republished_image`"),
            "keep one of them: `image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `republished_image: ID`",
        );
    }
    let (image, republished) = (spec.image.as_deref(), spec.republished_image.as_deref());
    if let Some(source) = image_source(b, scope, &path, image, republished) {
        job = job.image(source);
    }
    if let Some(s) = schedule(b, &at("schedule"), &spec.schedule, spec.timezone.as_deref()) {
        job = job.schedule(s);
    }
    if spec.cpu.is_some() || spec.memory_mib.is_some() {
        job = job.cpu_memory(spec.cpu.unwrap_or(1024), spec.memory_mib.unwrap_or(2048));
    }
    if let Some(a) = spec.architecture {
        job = job.architecture(a.into());
    }
    let (subnets, groups) = network::subnets_and_groups(
        b,
        scope,
        &at("vpc"),
        &spec.vpc.subnets,
        &spec.vpc.security_groups,
    );
    job = if spec.vpc.behind_nat {
        job.vpc_behind_nat(subnets, groups)
    } else {
        job.vpc(subnets, groups)
    };
    if spec.vpc.assign_public_ip {
        job = job.assign_public_ip();
    }
    if let Some(c) = &spec.cluster_arn {
        job = job.cluster(c.as_str());
    }
    if !spec.command.is_empty() {
        job = job.command(spec.command.iter().cloned());
    }
    for (k, v) in &spec.environment {
        job = job.env(k, v);
    }
    for (name, s, key) in secrets(b, &at("secrets"), &spec.secrets) {
        job = match key {
            Some(key) => job.secret_with_key(name, s, key),
            None => job.secret(name, s),
        };
    }
    for (key, topic_id) in &spec.publishes_to {
        if let Some(t) = scope.topic(b, &join(&at("publishes_to"), key), topic_id) {
            job = job.publishes_to(key, &t);
        }
    }
    for g in &spec.grants {
        job = job.grant(g.statement());
    }
    if let Some(d) = spec.log_retention_days {
        job = job.log_retention_days(d);
    }
    if let Some(r) = &spec.schedule_retries {
        job = job.schedule_retries(r.attempts, Duration::from_secs(r.max_age_seconds));
    }
    if spec.disabled {
        job = job.disabled();
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &at("alarm_to"), to) {
            job = job.alarm_to(&t);
        }
    }
    scope.fargate_jobs.insert(id.to_owned(), job);
}
