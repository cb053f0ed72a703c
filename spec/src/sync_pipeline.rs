//! `sync_pipelines:` of a stack: per-tenant incremental syncs
//! ([`cfn_gen::SyncPipeline`]: a scheduled dispatcher, a FIFO queue by
//! tenant, a worker, checkpoint and record tables, a dead-letter queue and
//! an optional JWT-protected status endpoint).

use std::time::Duration;

use cfn_gen::{RustBinary, StatusAuth, SyncPipeline};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;
use crate::refs::image_source;
use crate::task::{schedule, secret, RustBinarySpec};

/// A sync pipeline. Give exactly one of `rust_binary`, `image` and
/// `republished_image` (one binary serving the dispatcher, worker and
/// status functions).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncPipelineSpec {
    /// A Rust binary of your workspace, built by `sam build` with cargo-lambda.
    pub rust_binary: Option<RustBinarySpec>,
    /// A container image, a private ECR URI.
    #[schemars(example = &"123456789012.dkr.ecr.eu-west-2.amazonaws.com/odoo-sync:v1")]
    pub image: Option<String>,
    /// An image of the stack's `images` (copied into the stack, pinned by digest), by id.
    #[schemars(example = &"VendorImage")]
    pub republished_image: Option<String>,
    /// The tenants the dispatcher enqueues (letters, digits, `-`, `_`; at most 64).
    #[schemars(example = vec!["acme", "globex"])]
    pub tenants: Vec<String>,
    /// The streams each tenant syncs, in order.
    #[schemars(example = vec!["sales_orders", "invoices"])]
    pub streams: Vec<String>,
    /// How often the dispatcher runs (default `rate(5 minutes)`).
    #[schemars(example = &"rate(10 minutes)")]
    pub schedule: Option<String>,
    /// The IANA time zone `schedule` is read in (default UTC).
    #[schemars(example = &"Europe/London")]
    pub timezone: Option<String>,
    /// Most tenants synced at once (2 to 1,000, default 2).
    #[schemars(example = 3)]
    pub max_concurrency: Option<u32>,
    /// Messages per worker invocation (1 to 10, default 1).
    #[schemars(example = 1)]
    pub batch_size: Option<u32>,
    /// Receives of a message before it moves to the dead-letter queue (default 5).
    #[schemars(example = 5)]
    pub max_receive_count: Option<u32>,
    /// The worker's timeout in seconds (default 120).
    #[schemars(example = 300)]
    pub worker_timeout_seconds: Option<u64>,
    /// Alarm when the oldest message has waited this many seconds (default 900).
    #[schemars(example = 1800)]
    pub backlog_alarm_after_seconds: Option<u64>,
    /// Most records per batch (default 200).
    #[schemars(example = 500)]
    pub batch_limit: Option<u64>,
    /// Attempts of a batch before it is permanently failed (default 4).
    #[schemars(example = 4)]
    pub max_attempts: Option<u32>,
    /// How far back a tenant's first sync starts, in seconds (default 90 days).
    #[schemars(example = 2_592_000)]
    pub initial_range_seconds: Option<u64>,
    /// How long a worker's claim on a tenant and stream lasts, in seconds
    /// (default 300; longer than the worker's timeout).
    #[schemars(example = 600)]
    pub lease_seconds: Option<u64>,
    /// Narrowest and widest sync window, in seconds (default 1,800 and 86,400).
    pub window_limits: Option<WindowLimitsSpec>,
    /// Plain environment variables of the worker. Never secrets: use `secrets`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"ODOO_URL": "https://erp.example.com"}))]
    pub worker_environment: IndexMap<String, String>,
    /// Secrets the worker reads: `NAME: ssm:/PARAMETER` or
    /// `NAME: secretsmanager:NAME-OR-ARN`. Only the reference is deployed.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"ODOO_PASSWORD": "ssm:/odoo-sync/odoo/password"}))]
    pub secrets: IndexMap<String, String>,
    /// Serve `GET /status` (the caller's tenant's progress) behind JWT authorization.
    pub status_api: Option<StatusApiSpec>,
    /// Send every alarm of the pipeline to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
}

/// Narrowest and widest window.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowLimitsSpec {
    /// Narrowest window, in seconds.
    #[schemars(example = 1800)]
    pub min_seconds: u64,
    /// Widest window, in seconds.
    #[schemars(example = 86_400)]
    pub max_seconds: u64,
}

/// JWT authorization of the status endpoint.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusApiSpec {
    /// The issuer, an `https://` OpenID issuer (e.g. a Cognito user pool).
    #[schemars(example = &"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE")]
    pub issuer: String,
    /// Accepted audiences.
    #[schemars(example = vec!["dashboard-client-id"])]
    pub audiences: Vec<String>,
    /// The claim naming the caller's tenant (default `tenant`).
    #[schemars(example = &"custom:tenant")]
    pub tenant_claim: Option<String>,
}

/// Create the sync pipeline `id` of `scope`.
pub(crate) fn build(b: &mut Build, scope: &StackScope, id: &str, spec: &SyncPipelineSpec) {
    let path = join(&join(&scope.path, "sync_pipelines"), id);
    let at = |key: &str| join(&path, key);
    let mut p = SyncPipeline::new(&scope.stack, id);
    b.construct(p.node().path(), &path);
    let image = spec.image.as_deref();
    let republished = spec.republished_image.as_deref();
    let given = [
        spec.rust_binary.is_some(),
        image.is_some(),
        republished.is_some(),
    ];
    match (&spec.rust_binary, given.iter().filter(|g| **g).count()) {
        (Some(r), 1) => {
            p = p.rust_binary(RustBinary::new(b.file_path(&r.package), &r.binary));
        }
        (None, 1) => {
            if let Some(source) = image_source(b, scope, &path, image, republished) {
                p = p.image(source);
            }
        }
        (_, 2..) => b.error(
            &path,
            format!("sync pipeline `{id}` gives more than one of `rust_binary`, `image` and `republished_image`"),
            "keep exactly one of them",
        ),
        _ => b.error(
            &path,
            format!("sync pipeline `{id}` has no code: give `rust_binary` or `image`"),
            "add `rust_binary: { package: PATH, binary: NAME }`, or `image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`",
        ),
    }
    p = p.tenants(spec.tenants.iter().cloned());
    p = p.streams(spec.streams.iter().cloned());
    if let Some(expr) = &spec.schedule {
        if let Some(s) = schedule(b, &at("schedule"), expr, spec.timezone.as_deref()) {
            p = p.schedule(s);
        }
    } else if spec.timezone.is_some() {
        b.error(
            &at("timezone"),
            format!("sync pipeline `{id}` has a `timezone` but no `schedule`"),
            "add `schedule: \"cron(*/10 * * * ? *)\"`, or remove `timezone`",
        );
    }
    if let Some(n) = spec.max_concurrency {
        p = p.max_concurrency(n);
    }
    if let Some(n) = spec.batch_size {
        p = p.batch_size(n);
    }
    if let Some(n) = spec.max_receive_count {
        p = p.max_receive_count(n);
    }
    if let Some(s) = spec.worker_timeout_seconds {
        p = p.worker_timeout(Duration::from_secs(s));
    }
    if let Some(s) = spec.backlog_alarm_after_seconds {
        p = p.backlog_alarm_after(Duration::from_secs(s));
    }
    if let Some(n) = spec.batch_limit {
        p = p.batch_limit(n);
    }
    if let Some(n) = spec.max_attempts {
        p = p.max_attempts(n);
    }
    if let Some(s) = spec.initial_range_seconds {
        p = p.initial_range(Duration::from_secs(s));
    }
    if let Some(s) = spec.lease_seconds {
        p = p.lease(Duration::from_secs(s));
    }
    if let Some(w) = &spec.window_limits {
        p = p.window_limits(
            Duration::from_secs(w.min_seconds),
            Duration::from_secs(w.max_seconds),
        );
    }
    for (k, v) in &spec.worker_environment {
        p = p.worker_env(k, v);
    }
    for (name, text) in &spec.secrets {
        if let Some(s) = secret(b, &join(&at("secrets"), name), text) {
            p = p.secret(name, s);
        }
    }
    if let Some(s) = &spec.status_api {
        let mut auth = StatusAuth::jwt(s.issuer.as_str(), s.audiences.iter().cloned());
        if let Some(c) = &s.tenant_claim {
            auth = auth.tenant_claim(c);
        }
        p = p.status_api(auth);
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &at("alarm_to"), to) {
            p.alarm_to(&t);
        }
    }
}
