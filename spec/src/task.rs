//! `tasks:` of a stack: scheduled Lambda functions
//! ([`cfn_gen::ScheduledLambda`]): their code (an image, a Rust binary, or
//! a Dockerfile `sam build` builds), schedule, jobs, secrets, grants, VPC,
//! retries and alarms.
//!
//! Schedules, time zones and secret references are checked here, so their
//! errors point at the exact key; everything else is checked by cfn-gen's
//! synth, whose findings point at the task.

use std::time::Duration;

use cfn_gen::resources::iam::Statement;
use cfn_gen::{ImageBuild, RustBinary, Schedule, ScheduledLambda, SecretRef, Value};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::common::ArchitectureSpec;
use crate::network::NetworkIdsSpec;
use crate::positions::join;
use crate::table::{AccessSpec, TableAccessSpec};

/// A Lambda function EventBridge Scheduler runs on a schedule. Give exactly
/// one of `image`, `rust_binary` and `dockerfile`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// What the task does (the function's and schedule's description).
    #[schemars(example = &"Sync yesterday's invoices from the ERP")]
    pub description: Option<String>,
    /// A private ECR image in the stack's region.
    #[schemars(example = &"123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1")]
    pub image: Option<String>,
    /// A Rust binary of your workspace, built by `sam build` with cargo-lambda.
    pub rust_binary: Option<RustBinarySpec>,
    /// A container image `sam build` builds from a Dockerfile.
    pub dockerfile: Option<DockerfileSpec>,
    /// An image of the stack's `images` (copied into the stack, pinned by digest), by id.
    #[schemars(example = &"VendorImage")]
    pub republished_image: Option<String>,
    /// When to run: `rate(5 minutes)`, `cron(0 6 * * ? *)` or
    /// `at(2027-01-01T09:00:00)`. Optional when `jobs` give the schedules.
    #[schemars(example = &"cron(30 1 ? * MON-FRI *)")]
    pub schedule: Option<String>,
    /// The IANA time zone `schedule` is read in (default UTC).
    #[schemars(example = &"Europe/London")]
    pub timezone: Option<String>,
    /// Do not run before this instant (RFC 3339).
    #[schemars(example = &"2027-01-01T00:00:00Z")]
    pub start_date: Option<String>,
    /// Do not run after this instant (RFC 3339).
    #[schemars(example = &"2027-12-31T23:59:59Z")]
    pub end_date: Option<String>,
    /// Let the Scheduler start each run up to this many minutes late (1 to 1,440).
    #[schemars(example = 15)]
    pub flexible_window_minutes: Option<u32>,
    /// Deploy the schedule switched off.
    #[serde(default)]
    #[schemars(example = false)]
    pub disabled: bool,
    /// A fixed schedule name (otherwise CloudFormation generates one).
    #[schemars(example = &"erp-nightly-sync")]
    pub schedule_name: Option<String>,
    /// Topics the task publishes to: `KEY: topic-id`. The topic's ARN
    /// arrives in `SNS_TOPIC_ARN_<KEY>`.
    #[serde(default)]
    #[schemars(example = publishes_example())]
    pub publishes_to: IndexMap<String, String>,
    /// Named jobs, each its own schedule with its own input, sharing the function.
    #[serde(default)]
    pub jobs: IndexMap<String, JobSpec>,
    /// Secrets the task reads with `ctx.secret(NAME)`: `NAME: ssm:/PARAMETER`
    /// or `NAME: secretsmanager:NAME-OR-ARN`, or `NAME: { ref: .., kms_key:
    /// ARN }` for one encrypted with a customer managed key. Only the
    /// reference is deployed.
    #[serde(default)]
    #[schemars(example = secrets_example())]
    pub secrets: IndexMap<String, SecretSpec>,
    /// Tables of the stack the task uses, by id, with the access it gets.
    #[serde(default)]
    pub tables: IndexMap<String, TableAccessSpec>,
    /// Extra IAM statements for the function's role: exact actions on exact ARNs.
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    /// Run the function in a VPC.
    pub vpc: Option<VpcSpec>,
    /// How failed runs are retried.
    pub retries: Option<RetriesSpec>,
    /// The task's alarms.
    pub alarms: Option<TaskAlarmsSpec>,
    /// Guard each run with a DynamoDB record so it completes at most once.
    #[serde(default)]
    #[schemars(example = true)]
    pub idempotency: bool,
    /// The function timeout in seconds (1 to 900, default 60).
    #[schemars(example = 300)]
    pub timeout_seconds: Option<u64>,
    /// Memory in MB (128 to 10,240, default 256).
    #[schemars(example = 512)]
    pub memory_mb: Option<u32>,
    /// The instruction set (default `x86_64`).
    #[schemars(example = &"arm64")]
    pub architecture: Option<ArchitectureSpec>,
    /// Environment variables. Never secrets: use `secrets`.
    #[serde(default)]
    #[schemars(example = env_example())]
    pub environment: IndexMap<String, String>,
    /// Reserve (and cap) the function's concurrency.
    #[schemars(example = 1)]
    pub reserved_concurrency: Option<u32>,
    /// Keep logs this many days (a value CloudWatch Logs accepts, default 30).
    #[schemars(example = 90)]
    pub log_retention_days: Option<u32>,
    /// A fixed function name (otherwise CloudFormation generates one).
    #[schemars(example = &"erp-nightly-sync")]
    pub function_name: Option<String>,
}

fn publishes_example() -> serde_json::Value {
    serde_json::json!({"alerts": "Alerts", "reports": "Reports"})
}

fn secrets_example() -> serde_json::Value {
    serde_json::json!({"ODOO_PASSWORD": "ssm:/erp/odoo/password"})
}

fn env_example() -> serde_json::Value {
    serde_json::json!({"ODOO_URL": "https://erp.example.com"})
}

/// A secret reference, optionally with the customer managed KMS key it is
/// encrypted with.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SecretSpec {
    /// `ssm:/PARAMETER` or `secretsmanager:NAME-OR-ARN`.
    Reference(String),
    /// A reference and its key.
    WithKey(SecretWithKey),
}

/// `{ ref: .., kms_key: .. }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretWithKey {
    /// `ssm:/PARAMETER` or `secretsmanager:NAME-OR-ARN`.
    #[serde(rename = "ref")]
    #[schemars(example = &"secretsmanager:erp/odoo-api-key")]
    pub reference: String,
    /// The key's ARN: the role may also `kms:Decrypt` with it.
    #[schemars(example = &"arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    pub kms_key: String,
}

/// A Rust binary of your workspace.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RustBinarySpec {
    /// The package directory, relative to this file.
    #[schemars(example = &"../example-task")]
    pub package: String,
    /// The binary's name.
    #[schemars(example = &"example-task")]
    pub binary: String,
}

/// A container image `sam build` builds.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerfileSpec {
    /// The build context directory, relative to this file.
    #[schemars(example = &"../jobs/erp-sync")]
    pub context: String,
    /// The Dockerfile, relative to the context (default `Dockerfile`).
    #[schemars(example = &"Dockerfile.lambda")]
    pub file: Option<String>,
    /// Build arguments.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"RUST_VERSION": "1.94"}))]
    pub build_args: IndexMap<String, String>,
    /// The stage to build.
    #[schemars(example = &"runtime")]
    pub target: Option<String>,
    /// The local tag (default `latest`).
    #[schemars(example = &"v1")]
    pub tag: Option<String>,
    /// The platform the image is built for.
    #[schemars(example = &"arm64")]
    pub platform: Option<ArchitectureSpec>,
}

/// A named job: its own schedule and input, the task's function.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// When to run: `rate(..)`, `cron(..)` or `at(..)`.
    #[schemars(example = &"cron(0 8 ? * MON-FRI *)")]
    pub schedule: String,
    /// The IANA time zone `schedule` is read in (default UTC).
    #[schemars(example = &"Europe/London")]
    pub timezone: Option<String>,
    /// The job's input (any JSON value), handed to the task.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"model": "account.move", "method": "send_reminders"}))]
    pub input: serde_json::Value,
}

/// An IAM statement: allow `actions` on `resources`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// Exact actions.
    #[schemars(example = vec!["s3:GetObject"])]
    pub actions: Vec<String>,
    /// Exact ARNs.
    #[schemars(example = vec!["arn:aws:s3:::erp-exports/*"])]
    pub resources: Vec<String>,
}

impl GrantSpec {
    /// The statement cfn-gen's `.grant(..)` takes.
    pub(crate) fn statement(&self) -> Statement {
        let resources: Vec<Value> = self
            .resources
            .iter()
            .map(|r| Value::from(r.as_str()))
            .collect();
        Statement::allow(self.actions.iter().cloned(), resources)
    }
}

/// Subnets and security groups.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcSpec {
    /// Subnet ids (each a literal, `{ parameter: NAME }` or `{ import:
    /// EXPORT }`), or one list parameter as `{ parameter: NAME }`.
    #[schemars(example = vec!["subnet-0a1b2c3d"])]
    pub subnets: NetworkIdsSpec,
    /// Security group ids, given the same ways.
    #[schemars(example = vec!["sg-0a1b2c3d"])]
    pub security_groups: NetworkIdsSpec,
    /// The subnets reach AWS through a NAT gateway (no VPC endpoints needed).
    #[serde(default)]
    #[schemars(example = false)]
    pub behind_nat: bool,
}

/// Both retry layers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetriesSpec {
    /// How the Scheduler retries delivering a run (attempts 0 to 185, max
    /// age 60 s to 24 h; default 185 attempts, 24 h).
    pub schedule: Option<RetrySpec>,
    /// How Lambda retries a failed run (attempts 0 to 2, max age 60 s to 6 h;
    /// default 2 attempts, 6 h).
    pub function: Option<RetrySpec>,
}

/// One retry layer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Retries.
    #[schemars(example = 2)]
    pub attempts: u32,
    /// The oldest a run may be and still be retried, in seconds.
    #[schemars(example = 3600)]
    pub max_age_seconds: u64,
}

/// A task's alarms.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskAlarmsSpec {
    /// Send the task's alarms to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub to: Option<String>,
    /// The `Duration` alarm fires on a run longer than this percent (1 to
    /// 99) of the timeout; default 80. `0` switches it off.
    #[schemars(example = 90)]
    pub duration_percent: Option<u32>,
    /// Detect missed runs (default true).
    #[schemars(example = true)]
    pub missed_runs: Option<bool>,
    /// How late a run may succeed before it counts as missed, in minutes
    /// (default 15, plus the flexible window and Lambda's retries).
    #[schemars(example = 30)]
    pub missed_run_grace_minutes: Option<u64>,
}

/// A schedule checked here, so its error points at `path`.
pub(crate) fn schedule(
    b: &mut Build,
    path: &str,
    expression: &str,
    timezone: Option<&str>,
) -> Option<Schedule> {
    let mut s = Schedule::parse(expression);
    if let Some(tz) = timezone {
        s = s.in_time_zone(tz);
    }
    match s.validate() {
        Ok(_) => Some(s),
        Err(e) => {
            let at = match e {
                cfn_gen::schedule::ScheduleError::TimeZone { .. } => {
                    join(&parent_path(path), "timezone")
                }
                _ => path.to_owned(),
            };
            b.error(&at, e.problem(), e.fix());
            None
        }
    }
}

fn parent_path(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(p, _)| p.to_owned())
        .unwrap_or_default()
}

/// A secret reference checked here, so its error points at `path`.
pub(crate) fn secret(b: &mut Build, path: &str, text: &str) -> Option<SecretRef> {
    match text.parse::<SecretRef>() {
        Ok(s) => Some(s),
        Err(e) => {
            b.error(
                path,
                format!("secret reference `{}` is invalid: {}", e.text, e.reason),
                "write ssm:/PARAMETER/NAME or secretsmanager:NAME-OR-ARN",
            );
            None
        }
    }
}

/// Each of `specs` (at `path`) checked: its name, reference and, when it
/// has its own KMS key, that key's ARN. A bad reference is reported and left out.
pub(crate) fn secrets<'a>(
    b: &mut Build,
    path: &str,
    specs: &'a IndexMap<String, SecretSpec>,
) -> Vec<(&'a str, SecretRef, Option<&'a str>)> {
    let mut checked = Vec::new();
    for (name, entry) in specs {
        let at = join(path, name);
        let (reference, key, at) = match entry {
            SecretSpec::Reference(text) => (text, None, at),
            SecretSpec::WithKey(k) => (&k.reference, Some(k.kms_key.as_str()), join(&at, "ref")),
        };
        if let Some(s) = secret(b, &at, reference) {
            checked.push((name.as_str(), s, key));
        }
    }
    checked
}

/// Create the task `id` of `scope`.
pub(crate) fn build(
    b: &mut Build,
    scope: &StackScope,
    id: &str,
    spec: &TaskSpec,
) -> ScheduledLambda {
    let path = join(&join(&scope.path, "tasks"), id);
    let at = |key: &str| join(&path, key);
    let mut task = ScheduledLambda::new(&scope.stack, id);
    b.construct(task.node().path(), &path);
    if let Some(d) = &spec.description {
        task = task.description(d);
    }
    let codes = [
        spec.image.is_some(),
        spec.rust_binary.is_some(),
        spec.dockerfile.is_some(),
        spec.republished_image.is_some(),
    ];
    if !codes.contains(&true) {
        b.error(
            &path,
            format!("task `{id}` has no code: give one of `image`, `rust_binary`, `dockerfile` and `republished_image`"),
            "add `image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`, or `rust_binary: { package: PATH, binary: NAME }`",
        );
    }
    if spec.schedule.is_none() && spec.jobs.is_empty() {
        b.error(
            &path,
            format!("task `{id}` has neither a `schedule` nor `jobs`"),
            "add `schedule: \"rate(1 hour)\"` (or cron(..)/at(..)), or `jobs:` with a schedule each",
        );
    }
    if codes.iter().filter(|c| **c).count() > 1 {
        b.error(
            &path,
            format!("task `{id}` gives more than one of `image`, `rust_binary`, `dockerfile` and `republished_image`"),
            "keep exactly one of them",
        );
    }
    if let Some(i) = &spec.image {
        task = task.image(i.as_str());
    } else if let Some(r) = &spec.rust_binary {
        task = task.rust_binary(RustBinary::new(b.file_path(&r.package), &r.binary));
    } else if let Some(d) = &spec.dockerfile {
        task = task.image(image_build(b, d));
    } else if let Some(i) = &spec.republished_image {
        if let Some(image) = scope.image(b, &at("republished_image"), i) {
            task = task.image(&image);
        }
    }
    if let Some(expr) = &spec.schedule {
        if let Some(s) = schedule(b, &at("schedule"), expr, spec.timezone.as_deref()) {
            task = task.schedule(s);
        }
    } else if spec.timezone.is_some() && spec.jobs.is_empty() {
        b.error(
            &at("timezone"),
            format!("task `{id}` has a `timezone` but no `schedule`"),
            "add `schedule: \"cron(0 6 * * ? *)\"`, or remove `timezone`",
        );
    }
    if let Some(d) = &spec.start_date {
        task = task.start_date(d);
    }
    if let Some(d) = &spec.end_date {
        task = task.end_date(d);
    }
    if let Some(m) = spec.flexible_window_minutes {
        task = task.flexible_window(m);
    }
    if spec.disabled {
        task = task.disabled();
    }
    if let Some(n) = &spec.schedule_name {
        task = task.schedule_name(n);
    }
    for (key, topic_id) in &spec.publishes_to {
        if let Some(t) = scope.topic(b, &join(&at("publishes_to"), key), topic_id) {
            task = task.publishes_to(key, &t);
        }
    }
    for (name, job) in &spec.jobs {
        let jpath = join(&at("jobs"), name);
        if let Some(s) = schedule(
            b,
            &join(&jpath, "schedule"),
            &job.schedule,
            job.timezone.as_deref(),
        ) {
            task = task.job(name, s, &job.input);
        }
    }
    for (name, s, key) in secrets(b, &at("secrets"), &spec.secrets) {
        task = match key {
            Some(key) => task.secret_with_key(name, s, key),
            None => task.secret(name, s),
        };
    }
    for (table_id, access) in &spec.tables {
        if let Some(t) = scope.table(b, &join(&at("tables"), table_id), table_id) {
            let function = task.function();
            match access.access {
                AccessSpec::Read => t.grant_read(function),
                AccessSpec::Write => t.grant_write(function),
                AccessSpec::ReadWrite => t.grant_read_write(function),
                AccessSpec::StreamRead => t.grant_stream_read(function),
            }
            if let Some(env) = &access.env {
                let value = if access.access == AccessSpec::StreamRead {
                    t.stream_arn()
                } else {
                    t.name()
                };
                function.add_environment(env, value);
            }
        }
    }
    for g in &spec.grants {
        task = task.grant(g.statement());
    }
    if let Some(v) = &spec.vpc {
        let (subnets, groups) = crate::network::subnets_and_groups(
            b,
            scope,
            &at("vpc"),
            &v.subnets,
            &v.security_groups,
        );
        task = if v.behind_nat {
            task.vpc_behind_nat(subnets, groups)
        } else {
            task.vpc(subnets, groups)
        };
    }
    if let Some(r) = &spec.retries {
        if let Some(s) = &r.schedule {
            task = task.schedule_retries(s.attempts, Duration::from_secs(s.max_age_seconds));
        }
        if let Some(f) = &r.function {
            task = task.function_retries(f.attempts, Duration::from_secs(f.max_age_seconds));
        }
    }
    if let Some(a) = &spec.alarms {
        task = alarms(b, scope, &at("alarms"), task, a);
    }
    if spec.idempotency {
        task = task.idempotency();
    }
    if let Some(t) = spec.timeout_seconds {
        task = task.timeout(Duration::from_secs(t));
    }
    if let Some(m) = spec.memory_mb {
        task = task.memory_mb(m);
    }
    if let Some(a) = spec.architecture {
        task = task.architecture(a.into());
    }
    for (k, v) in &spec.environment {
        task = task.env(k, v);
    }
    if let Some(n) = spec.reserved_concurrency {
        task = task.reserved_concurrency(n);
    }
    if let Some(d) = spec.log_retention_days {
        task = task.log_retention_days(d);
    }
    if let Some(n) = &spec.function_name {
        task = task.function_name(n);
    }
    task
}

fn alarms(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    mut task: ScheduledLambda,
    a: &TaskAlarmsSpec,
) -> ScheduledLambda {
    if let Some(to) = &a.to {
        if let Some(t) = scope.topic(b, &join(path, "to"), to) {
            task = task.alarm_to(&t);
        }
    }
    if let Some(p) = a.duration_percent {
        task = task.duration_alarm((p > 0).then_some(p));
    }
    if a.missed_runs == Some(false) {
        if a.missed_run_grace_minutes.is_some() {
            b.error(
                &join(path, "missed_run_grace_minutes"),
                "`missed_run_grace_minutes` is set but `missed_runs` is false",
                "remove `missed_run_grace_minutes`, or set `missed_runs: true`",
            );
        }
        task = task.no_missed_run_alarm();
    } else if let Some(m) = a.missed_run_grace_minutes {
        task = task.expect_runs(Duration::from_secs(m * 60));
    }
    task
}

/// An [`ImageBuild`] from its spec, paths relative to the spec file.
pub(crate) fn image_build(b: &Build, d: &DockerfileSpec) -> ImageBuild {
    let mut i = ImageBuild::new(b.file_path(&d.context));
    if let Some(f) = &d.file {
        i = i.dockerfile(f);
    }
    for (k, v) in &d.build_args {
        i = i.build_arg(k, v);
    }
    if let Some(t) = &d.target {
        i = i.target(t);
    }
    if let Some(t) = &d.tag {
        i = i.tag(t);
    }
    if let Some(p) = d.platform {
        i = i.platform(p.into());
    }
    i
}
