//! `functions:` of a stack: Lambda functions with no schedule of their own
//! ([`cfn_gen::Function`]), e.g. the consumers of work queues. (The
//! document's top-level `functions:` is something else: where cloud-cron's
//! own functions are built from.)

use std::time::Duration;

use cfn_gen::{Function, RustBinary};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::common::ArchitectureSpec;
use crate::positions::join;
use crate::refs::image_source;
use crate::table::{AccessSpec, TableAccessSpec};
use crate::task::{image_build, secret, DockerfileSpec, GrantSpec, RustBinarySpec, VpcSpec};

/// A Lambda function invoked by another construct (a work queue, ...).
/// Give exactly one of `image`, `republished_image`, `rust_binary` and
/// `dockerfile`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// What the function does.
    #[schemars(example = &"Apply timesheet entry events to the entries table")]
    pub description: Option<String>,
    /// A private ECR image URI in the stack's region.
    #[schemars(example = &"123456789012.dkr.ecr.eu-west-2.amazonaws.com/workers:v1")]
    pub image: Option<String>,
    /// An image of the stack's `images` (copied into the stack, pinned by digest), by id.
    #[schemars(example = &"VendorImage")]
    pub republished_image: Option<String>,
    /// A Rust binary of your workspace, built by `sam build` with cargo-lambda.
    pub rust_binary: Option<RustBinarySpec>,
    /// An image `sam build` builds from a Dockerfile (paths relative to the spec).
    pub dockerfile: Option<DockerfileSpec>,
    /// Place the function in a VPC (subnets and security groups; see the
    /// task's `vpc`). Serve it with `vpc_endpoints` (or `behind_nat: true`).
    pub vpc: Option<VpcSpec>,
    /// Environment variables. Never secrets: use `secrets`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"JOB": "entries"}))]
    pub environment: IndexMap<String, String>,
    /// The timeout in seconds (1 to 900).
    #[schemars(example = 60)]
    pub timeout_seconds: Option<u64>,
    /// Memory in MB (128 to 10,240).
    #[schemars(example = 512)]
    pub memory_mb: Option<u32>,
    /// The instruction set (default `x86_64`).
    #[schemars(example = &"arm64")]
    pub architecture: Option<ArchitectureSpec>,
    /// Secrets it reads: `NAME: ssm:/PARAMETER` or `NAME: secretsmanager:NAME-OR-ARN`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"API_KEY": "ssm:/app/api-key"}))]
    pub secrets: IndexMap<String, String>,
    /// Topics it publishes to: `KEY: topic-id` (ARN in `SNS_TOPIC_ARN_<KEY>`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"alerts": "Alerts"}))]
    pub publishes_to: IndexMap<String, String>,
    /// Tables of this stack it reads or writes, by id.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"Entries": {"access": "read_write", "env": "TABLE_NAME"}}))]
    pub tables: IndexMap<String, TableAccessSpec>,
    /// Extra IAM statements: exact actions on exact ARNs.
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    /// Reserve (and cap) its concurrency.
    #[schemars(example = 2)]
    pub reserved_concurrency: Option<u32>,
    /// Keep logs this many days (a value CloudWatch Logs accepts, default 30).
    #[schemars(example = 90)]
    pub log_retention_days: Option<u32>,
}

/// Create the function `id` of `scope` and register it.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &FunctionSpec) {
    let path = join(&join(&scope.path, "functions"), id);
    let at = |key: &str| join(&path, key);
    let mut f = Function::new(&scope.stack, id);
    b.construct(f.node().path(), &path);
    let image = spec.image.as_deref();
    let republished = spec.republished_image.as_deref();
    let given = [
        spec.rust_binary.is_some(),
        image.is_some(),
        republished.is_some(),
        spec.dockerfile.is_some(),
    ];
    match (&spec.rust_binary, given.iter().filter(|g| **g).count()) {
        (Some(r), 1) => f = f.rust_binary(RustBinary::new(b.file_path(&r.package), &r.binary)),
        (None, 1) if spec.dockerfile.is_some() => {
            if let Some(d) = &spec.dockerfile {
                f = f.image(image_build(b, d));
            }
        }
        (None, 1) => {
            if let Some(source) = image_source(b, scope, &path, image, republished) {
                f = f.image(source);
            }
        }
        (_, 2..) => b.error(
            &path,
            format!("function `{id}` gives more than one of `image`, `republished_image`, `rust_binary` and `dockerfile`"),
            "keep exactly one of them",
        ),
        _ => b.error(
            &path,
            format!("function `{id}` has no code: give `image`, `rust_binary` or `dockerfile`"),
            "add `image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`, or `rust_binary: { package: PATH, binary: NAME }`",
        ),
    }
    for (k, v) in &spec.environment {
        f = f.env(k, v);
    }
    if let Some(t) = spec.timeout_seconds {
        f = f.timeout(Duration::from_secs(t));
    }
    if let Some(m) = spec.memory_mb {
        f = f.memory_mb(m);
    }
    if let Some(a) = spec.architecture {
        f = f.architecture(a.into());
    }
    if let Some(d) = &spec.description {
        f = f.description(d);
    }
    for (name, text) in &spec.secrets {
        if let Some(s) = secret(b, &join(&at("secrets"), name), text) {
            f = f.secret(name, s);
        }
    }
    for (key, topic_id) in &spec.publishes_to {
        if let Some(t) = scope.topic(b, &join(&at("publishes_to"), key), topic_id) {
            f = f.publishes_to(key, &t);
        }
    }
    for g in &spec.grants {
        f = f.grant(g.statement());
    }
    if let Some(n) = spec.reserved_concurrency {
        f = f.reserved_concurrency(n);
    }
    if let Some(v) = &spec.vpc {
        let (subnets, groups) = crate::network::subnets_and_groups(
            b,
            scope,
            &at("vpc"),
            &v.subnets,
            &v.security_groups,
        );
        f = if v.behind_nat {
            f.vpc_behind_nat(subnets, groups)
        } else {
            f.vpc(subnets, groups)
        };
    }
    if let Some(d) = spec.log_retention_days {
        f = f.log_retention_days(d);
    }
    for (table_id, access) in &spec.tables {
        if let Some(t) = scope.table(b, &join(&at("tables"), table_id), table_id) {
            match access.access {
                AccessSpec::Read => t.grant_read(&f),
                AccessSpec::Write => t.grant_write(&f),
                AccessSpec::ReadWrite => t.grant_read_write(&f),
                AccessSpec::StreamRead => t.grant_stream_read(&f),
            }
            if let Some(env) = &access.env {
                let value = if access.access == AccessSpec::StreamRead {
                    t.stream_arn()
                } else {
                    t.name()
                };
                f.add_environment(env, value);
            }
        }
    }
    scope.functions.insert(id.to_owned(), f);
}
