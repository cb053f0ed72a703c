//! [`SyncPipeline`]: incremental per-tenant sync on a schedule (the `cloud-cron-sync`
//! engine, serverless).
//!
//! It composes building blocks, each registered in the stack under `<id><Part>`:
//! a [`ScheduledLambda`] dispatcher (`<id>Dispatcher`) that enqueues one message per
//! tenant with work; a worker [`Function`] (`<id>Worker`) consuming those messages; the
//! checkpoint and record [`Table`]s (`<id>Checkpoints`, `<id>Records`); with
//! [`status_api`](SyncPipeline::status_api), a status [`Function`] (`<id>Status`); and
//! the FIFO [`WorkQueue`] (`<id>Queue`: the
//! queue grouped by tenant, its dead-letter queue, the worker's event source mapping, the
//! backlog, dead-letter and worker alarms). The pipeline itself emits the status HTTP API
//! ([`synthesis`]); [`checks`] holds its synth-time checks, including the work queue's
//! knobs under the pipeline's own setter names.

mod checks;
mod synthesis;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::notifier::SecretRef;
use cloud_cron_contract::sync::{self as contract, SyncSettings};

use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms::FunctionRole;
use crate::constructs::code::{ImageSource, RustBinary};
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::function::Function;
use crate::constructs::queue::QueueRef;
use crate::constructs::scheduled_lambda::ScheduledLambda;
use crate::constructs::table::{AttributeType, Table};
use crate::constructs::work_queue::{Owner, WorkQueue};
use crate::constructs::Topic;
use crate::schedule::{Schedule, TimeUnit};
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;

/// Why the status function has no function dead-letter queue (checkov's CKV_AWS_116).
const STATUS_DEAD_LETTER_REASON: &str = "the status function is invoked synchronously by API Gateway: a failure is the caller's HTTP 5xx (and the status errors alarm); there is no event to keep";

/// How callers of the status endpoint authenticate, and where their tenant comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusAuth {
    issuer: String,
    audience: Vec<String>,
    tenant_claim: String,
}

impl StatusAuth {
    /// JWTs from `issuer` (an `https://` OpenID issuer, e.g. a Cognito user pool) for one
    /// of `audience`; the tenant is the token's `tenant` claim.
    pub fn jwt<I, S>(issuer: impl Into<String>, audience: I) -> StatusAuth
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StatusAuth {
            issuer: issuer.into(),
            audience: audience.into_iter().map(Into::into).collect(),
            tenant_claim: "tenant".to_owned(),
        }
    }

    /// Read the tenant from `claim` instead (e.g. `custom:tenant` for Cognito).
    pub fn tenant_claim(mut self, claim: impl Into<String>) -> StatusAuth {
        self.tenant_claim = claim.into();
        self
    }
}

#[derive(Debug, Clone)]
struct Props {
    tenants: Vec<String>,
    streams: Vec<String>,
    settings: SyncSettings,
    max_concurrency: u32,
    batch_size: u32,
    max_receive_count: u32,
    backlog_alarm_after: Duration,
    status: Option<StatusAuth>,
    alarm_topic: Option<Topic>,
    code: Option<CodeChoice>,
}

#[derive(Debug, Clone)]
enum CodeChoice {
    Rust(RustBinary),
    Image(ImageSource),
}

struct Inner {
    node: Node,
    stack: Stack,
    dispatcher: ScheduledLambda,
    worker: Function,
    status: RefCell<Option<Function>>,
    checkpoints: Table,
    records: Table,
    work_queue: WorkQueue,
    props: RefCell<Props>,
}

/// Per-tenant incremental sync: a scheduled dispatcher, a FIFO queue grouped by tenant
/// (one batch at a time per tenant, tenants in parallel up to
/// [`max_concurrency`](SyncPipeline::max_concurrency)), a worker that runs a tenant's next
/// batch and re-enqueues the tenant while work remains (sub-minute cadence; the schedule
/// only catches stragglers), the checkpoint and record tables, a dead-letter queue,
/// alarms, grants, and optionally a tenant-scoped status endpoint.
///
/// The three functions run one binary (see `cloud_cron_sync::lambda`), told apart by
/// `CLOUDCRON_SYNC_ROLE`.
///
/// ```
/// use cfn_gen::{App, OpsTopic, Stack, StatusAuth, SyncPipeline};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
/// SyncPipeline::new(&stack, "Orders")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
///     .tenants(["acme", "globex"])
///     .streams(["sales_orders", "contacts"])
///     .max_concurrency(5)
///     .status_api(StatusAuth::jwt("https://auth.example.com", ["dashboard"]));
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("FifoQueue: true"));
/// assert!(text.contains("ReportBatchItemFailures"));
/// assert!(text.contains("AWS::ApiGatewayV2::Authorizer"));
/// ```
///
/// Defaults: the engine's knobs of [`SyncSettings::default`] (90 days back, 200 records
/// per batch, windows 30 min to 24 h, 4 attempts, 5 min leases), a dispatcher every 5
/// minutes, 2 tenants at a time, the worker's timeout 2 minutes, a message moved to the
/// dead-letter queue after 5 receives, and a backlog alarm when a message waits 15
/// minutes.
#[derive(Clone)]
pub struct SyncPipeline(Rc<Inner>);

impl SyncPipeline {
    /// A new pipeline in `stack`; its parts are `<id>Dispatcher`, `<id>Worker`,
    /// `<id>Checkpoints`, `<id>Records`, `<id>Queue` (a FIFO [`WorkQueue`] with its
    /// dead-letter queue) and, with [`status_api`](SyncPipeline::status_api), `<id>Status`.
    pub fn new(stack: &Stack, id: &str) -> SyncPipeline {
        let node = stack.claim(id);
        let dispatcher = ScheduledLambda::new(stack, &format!("{id}Dispatcher"))
            .schedule(Schedule::rate(5, TimeUnit::Minutes))
            .description(format!(
                "{}: enqueues each tenant with sync work",
                node.path()
            ));
        let worker = Function::new(stack, &format!("{id}Worker"))
            .timeout(Duration::from_secs(120))
            .memory_mb(512)
            .description(format!("{}: syncs a tenant's next batch", node.path()));
        let checkpoints = Table::new(stack, &format!("{id}Checkpoints"))
            .partition_key("pk", AttributeType::String)
            .sort_key("sk", AttributeType::String);
        let records = Table::new(stack, &format!("{id}Records"))
            .partition_key("pk", AttributeType::String)
            .sort_key("sk", AttributeType::String);
        // The tenant is each message's group id (set by the runtime's SqsWorkQueue): one
        // batch at a time per tenant, tenants in parallel.
        let work_queue = WorkQueue::fifo(stack, &format!("{id}Queue"))
            .consumer(&worker)
            .owned_by(Owner {
                consumer_role: FunctionRole::SyncWorker,
            });
        work_queue.grant_send(dispatcher.function());
        checkpoints.grant_read(dispatcher.function());
        work_queue.grant_send(&worker);
        checkpoints.grant_read_write(&worker);
        records.grant_write(&worker);
        let inner = Rc::new(Inner {
            node,
            stack: stack.clone(),
            dispatcher,
            worker,
            status: RefCell::new(None),
            checkpoints,
            records,
            work_queue,
            props: RefCell::new(Props {
                tenants: Vec::new(),
                streams: Vec::new(),
                settings: SyncSettings::default(),
                max_concurrency: 2,
                batch_size: 1,
                max_receive_count: 5,
                backlog_alarm_after: Duration::from_secs(900),
                status: None,
                alarm_topic: None,
                code: None,
            }),
        });
        stack.add(inner.clone());
        let pipeline = SyncPipeline(inner);
        pipeline.0.wire();
        pipeline
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> SyncPipeline {
        f(&mut self.0.props.borrow_mut());
        self.0.wire();
        self
    }

    /// Run `code` (one binary serving the three functions) in every function.
    pub fn rust_binary(self, code: RustBinary) -> SyncPipeline {
        self.update(|p| p.code = Some(CodeChoice::Rust(code)))
    }

    /// Run a container image in every function.
    pub fn image(self, image: impl Into<ImageSource>) -> SyncPipeline {
        let image = image.into();
        self.update(|p| p.code = Some(CodeChoice::Image(image)))
    }

    /// The tenants the dispatcher enqueues (ASCII letters, digits, `-`, `_`; at most 64).
    pub fn tenants<I: IntoIterator<Item = S>, S: Into<String>>(self, tenants: I) -> SyncPipeline {
        let tenants = tenants.into_iter().map(Into::into).collect();
        self.update(|p| p.tenants = tenants)
    }

    /// The streams each tenant syncs (the source's stream names), in order.
    pub fn streams<I: IntoIterator<Item = S>, S: Into<String>>(self, streams: I) -> SyncPipeline {
        let streams = streams.into_iter().map(Into::into).collect();
        self.update(|p| p.streams = streams)
    }

    /// Every engine knob at once.
    pub fn settings(self, settings: SyncSettings) -> SyncPipeline {
        self.update(|p| p.settings = settings)
    }

    /// Narrowest and widest window (defaults 30 min and 24 h).
    pub fn window_limits(self, min: Duration, max: Duration) -> SyncPipeline {
        self.update(|p| {
            p.settings.min_window_secs = min.as_secs();
            p.settings.max_window_secs = max.as_secs();
        })
    }

    /// Most records per batch (default 200); a window that holds more is halved, one at
    /// the minimum width is paged.
    pub fn batch_limit(self, records: u64) -> SyncPipeline {
        self.update(|p| p.settings.batch_limit = records)
    }

    /// Attempts of a batch before it is permanently failed (default 4).
    pub fn max_attempts(self, attempts: u32) -> SyncPipeline {
        self.update(|p| p.settings.max_attempts = attempts)
    }

    /// How far back a tenant's first sync starts (default 90 days).
    pub fn initial_range(self, range: Duration) -> SyncPipeline {
        self.update(|p| p.settings.initial_range_secs = range.as_secs())
    }

    /// How long a worker's claim on a tenant + stream lasts (default 5 min); longer than
    /// the worker's timeout.
    pub fn lease(self, lease: Duration) -> SyncPipeline {
        self.update(|p| p.settings.lease_secs = lease.as_secs())
    }

    /// Most tenants synced at once: the event source mapping's `MaximumConcurrency`
    /// (2 to 1000, default 2).
    pub fn max_concurrency(self, n: u32) -> SyncPipeline {
        self.update(|p| p.max_concurrency = n)
    }

    /// Messages per worker invocation (1 to 10, default 1).
    pub fn batch_size(self, n: u32) -> SyncPipeline {
        self.update(|p| p.batch_size = n)
    }

    /// Receives of a message before it moves to the dead-letter queue (default 5).
    pub fn max_receive_count(self, n: u32) -> SyncPipeline {
        self.update(|p| p.max_receive_count = n)
    }

    /// The worker's timeout (default 2 min).
    pub fn worker_timeout(self, timeout: Duration) -> SyncPipeline {
        self.0.worker.clone().timeout(timeout);
        self
    }

    /// How often the dispatcher runs (default every 5 minutes).
    pub fn schedule(self, schedule: Schedule) -> SyncPipeline {
        self.0.dispatcher.clone().schedule(schedule);
        self
    }

    /// Alarm when the oldest message has waited this long (default 15 min).
    pub fn backlog_alarm_after(self, age: Duration) -> SyncPipeline {
        self.update(|p| p.backlog_alarm_after = age)
    }

    /// Let the worker read secret `name` with `ctx.secret`-style references
    /// (`CLOUDCRON_SECRET_<NAME>` = `ssm:/...`): e.g. the Odoo password.
    pub fn secret(self, name: &str, secret: SecretRef) -> SyncPipeline {
        self.0.worker.clone().secret(name, secret);
        self
    }

    /// Set a plain environment variable on the worker (never a secret).
    pub fn worker_env(self, name: impl Into<String>, value: impl Into<String>) -> SyncPipeline {
        self.0.worker.clone().env(name, value);
        self
    }

    /// Serve `GET /status` on an API Gateway HTTP API, callers authenticated by `auth`:
    /// the caller's tenant's progress (total, completed, failed, pending, percentage,
    /// status).
    pub fn status_api(self, auth: StatusAuth) -> SyncPipeline {
        if self.0.status.borrow().is_none() {
            let id = format!("{}Status", self.0.node.id());
            let status = Function::new(&self.0.stack, &id)
                .timeout(Duration::from_secs(10))
                .description(format!("{}: sync status endpoint", self.0.node.path()));
            status.set_dead_letter_reason(STATUS_DEAD_LETTER_REASON);
            self.0.checkpoints.grant_read(&status);
            *self.0.status.borrow_mut() = Some(status);
        }
        self.update(|p| p.status = Some(auth))
    }

    /// Notify this topic for every alarm of the pipeline (dispatcher, dead-letter queue,
    /// worker, backlog, status), instead of the stack's.
    pub fn alarm_to(self, topic: &Topic) -> SyncPipeline {
        self.0.dispatcher.clone().alarm_to(topic);
        self.0.work_queue.clone().alarm_to(topic);
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
    }

    /// Where the pipeline sits in the tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The dispatcher.
    pub fn dispatcher(&self) -> &ScheduledLambda {
        &self.0.dispatcher
    }

    /// The worker.
    pub fn worker(&self) -> &Function {
        &self.0.worker
    }

    /// The checkpoint table (`pk` tenant, `sk` stream).
    pub fn checkpoints(&self) -> &Table {
        &self.0.checkpoints
    }

    /// The record table (`pk` `tenant#stream`, `sk` record id).
    pub fn records(&self) -> &Table {
        &self.0.records
    }

    /// The work queue, for grants.
    pub fn queue(&self) -> QueueRef {
        self.0.work_queue.queue()
    }

    /// The FIFO work queue construct (`<id>Queue`): its URL, ARN and dead-letter queue.
    pub fn work_queue(&self) -> &WorkQueue {
        &self.0.work_queue
    }

    /// The work queue's dead-letter queue.
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        self.0.work_queue.dead_letter_queue()
    }
}

impl Inner {
    fn functions(&self) -> Vec<(&'static str, Function)> {
        let mut functions = vec![
            (
                contract::ROLE_DISPATCHER,
                self.dispatcher.function().clone(),
            ),
            (contract::ROLE_WORKER, self.worker.clone()),
        ];
        if let Some(status) = self.status.borrow().clone() {
            functions.push((contract::ROLE_STATUS, status));
        }
        functions
    }

    /// Sets code and variables on the functions from the current settings (called after
    /// every change; variables are replaced, grants are added once at synth).
    fn wire(&self) {
        let p = self.props.borrow();
        // The pipeline checks these under its own setter names (checks.rs).
        self.work_queue
            .clone()
            .batch_size(p.batch_size)
            .maximum_concurrency(p.max_concurrency)
            .max_receive_count(p.max_receive_count)
            .age_alarm_after(p.backlog_alarm_after);
        let queue_url = self.work_queue.url();
        let settings = serde_json::to_string(&p.settings).unwrap_or_default();
        let streams = serde_json::to_string(&p.streams).unwrap_or_default();
        let tenants = serde_json::to_string(&p.tenants).unwrap_or_default();
        for (role, function) in self.functions() {
            match &p.code {
                Some(CodeChoice::Rust(code)) => {
                    function.clone().rust_binary(code.clone());
                }
                Some(CodeChoice::Image(image)) => {
                    function.clone().image(image.clone());
                }
                None => {}
            }
            function.add_environment(contract::ROLE_ENV, role);
            function.add_environment(contract::CHECKPOINT_TABLE_ENV, self.checkpoints.name());
            function.add_environment(contract::STREAMS_ENV, streams.as_str());
            function.add_environment(contract::SETTINGS_ENV, settings.as_str());
            match role {
                contract::ROLE_DISPATCHER => {
                    function.add_environment(contract::QUEUE_URL_ENV, queue_url.clone());
                    function.add_environment(contract::TENANTS_ENV, tenants.as_str());
                }
                contract::ROLE_WORKER => {
                    function.add_environment(contract::QUEUE_URL_ENV, queue_url.clone());
                    function.add_environment(contract::TENANTS_ENV, tenants.as_str());
                    function.add_environment(contract::RECORD_TABLE_ENV, self.records.name());
                }
                _ => {
                    if let Some(auth) = &p.status {
                        function.add_environment(
                            contract::TENANT_CLAIM_ENV,
                            auth.tenant_claim.as_str(),
                        );
                    }
                }
            }
        }
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        checks::validate(self, &self.props.borrow(), report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        self.emit(ctx, template);
    }
}

#[cfg(test)]
mod tests;
