//! The task API: implement [`Task`], call [`run`] from `main`.
//!
//! [`run`] sets up JSON logging (honouring Lambda's log level and format
//! settings), loads the AWS configuration (so `AWS_ENDPOINT_URL` points every
//! client at a local emulator), resolves the task's topics (failing fast on a
//! missing variable), and hands each invocation to [`Runtime::handle`]:
//! parse the event, consult the idempotency guard when the function has one
//! (a completed run is skipped), run the task with a [`RunContext`], record
//! the outcome, report.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::contract;
use crate::dispatch::{ConfigError, Dispatcher, OutgoingMessage, PublishError, Published};
use crate::env::Environment;
use crate::event::{self, EventError, ScheduledRun};
use crate::idempotency::{self, Decision, IdempotencyError, IdempotencyStore};
use crate::job::InputError;
use crate::run_metrics::{self, MetricSink, RunOutcome};
use crate::secrets::{SecretError, TaskSecrets};
use secrecy::SecretString;

/// What a task's `run` may fail with; any error type converts into it with `?`.
pub type TaskError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A scheduled task.
///
/// ```no_run
/// use cloud_cron_runtime::{RunContext, Task, TaskError};
///
/// #[derive(serde::Serialize)]
/// struct Alert { text: String }
///
/// struct Report;
///
/// impl Task for Report {
///     const NAME: &'static str = "report";
///     const TOPICS: &'static [&'static str] = &["alerts"];
///
///     async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
///         let text = format!("report for {}", ctx.scheduled_time());
///         ctx.publish("alerts", &Alert { text }).await?;
///         Ok(())
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     cloud_cron_runtime::run(Report).await
/// }
/// ```
pub trait Task: Send + Sync + 'static {
    /// The task's name: the envelope's `task` and the default FIFO message group.
    const NAME: &'static str;
    /// The topic keys it publishes to; each needs `SNS_TOPIC_ARN_<KEY>`.
    const TOPICS: &'static [&'static str];

    /// Do one scheduled run. An error fails the invocation, so Lambda retries
    /// it (with the same deduplication ids) and finally dead-letters it.
    fn run(&self, ctx: RunContext) -> impl Future<Output = Result<(), TaskError>> + Send;
}

/// What a run can use: which run it is, and where to publish.
#[derive(Debug, Clone)]
pub struct RunContext {
    run: Arc<ScheduledRun>,
    dispatcher: Arc<Dispatcher>,
    ordinals: Arc<Mutex<BTreeMap<String, u32>>>,
    secrets: Option<Arc<TaskSecrets>>,
}

impl RunContext {
    /// A context for `run` publishing through `dispatcher`.
    pub fn new(run: ScheduledRun, dispatcher: Arc<Dispatcher>) -> RunContext {
        RunContext {
            run: Arc::new(run),
            dispatcher,
            ordinals: Arc::default(),
            secrets: None,
        }
    }

    /// Read secrets from `secrets` (what [`Runtime`] does).
    pub fn with_secrets(mut self, secrets: Arc<TaskSecrets>) -> RunContext {
        self.secrets = Some(secrets);
        self
    }

    /// The secret `name`, declared on the function with
    /// `.secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))`:
    /// read from SSM Parameter Store or Secrets Manager on first use, then
    /// cached for the container for 5 minutes. The value is a
    /// [`SecretString`] (`expose_secret()` to use it; `Debug` is redacted).
    ///
    /// # Errors
    ///
    /// A [`SecretError`] naming the secret (never its value) when it is not
    /// declared or cannot be read.
    pub async fn secret(&self, name: &str) -> Result<SecretString, SecretError> {
        match &self.secrets {
            Some(secrets) => secrets.get(name).await,
            None => Err(SecretError::NotDeclared {
                name: name.to_owned(),
                var: crate::contract::task_secret::secret_env_var(name)?,
            }),
        }
    }

    /// The job this run is for: its name in `.job(name, schedule, input)`,
    /// or `None` for the function's own schedule.
    pub fn job(&self) -> Option<&str> {
        self.run.job.as_deref()
    }

    /// The key of the one-off schedule that started this run
    /// (`cloud-cron-scheduler`'s `schedule_once(key, ..)`), if one did.
    pub fn one_off_key(&self) -> Option<&str> {
        self.run.one_off_key.as_deref()
    }

    /// The job's input, or the payload of the one-off schedule that started
    /// the run, as `T` (absent input reads as JSON `null`).
    ///
    /// ```
    /// use cloud_cron_runtime::RunContext;
    /// #[derive(serde::Deserialize)]
    /// struct Call { model: String, method: String }
    /// # fn demo(ctx: RunContext) -> Result<(), cloud_cron_runtime::InputError> {
    /// let call: Call = ctx.input()?;
    /// println!("{} runs {}.{}", ctx.job().unwrap_or("?"), call.model, call.method);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`InputError::NoJob`] when the run is neither a job's nor a one-off
    /// schedule's, and [`InputError::Invalid`] / [`InputError::InvalidOneOff`]
    /// (naming the job or key and what serde found) when the input is not a
    /// `T`.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        match &self.run.one_off_key {
            Some(key) => crate::job::read_one_off(key, self.run.input.as_ref()),
            None => crate::job::read(self.run.job.as_deref(), self.run.input.as_ref()),
        }
    }

    /// The run: trigger, schedule ARN, scheduled time, attempt.
    pub fn run(&self) -> &ScheduledRun {
        &self.run
    }

    /// The time this run was scheduled for.
    pub fn scheduled_time(&self) -> DateTime<Utc> {
        self.run.scheduled_time
    }

    /// The attempt number (1 on the first).
    pub fn attempt(&self) -> u32 {
        self.run.attempt
    }

    /// Prepare a message for topic `key`, to send with [`RunContext::send`]
    /// or [`RunContext::send_batch`]. Messages are numbered per topic in the
    /// order they are prepared; a retry that prepares the same messages in the
    /// same order gets the same deduplication ids.
    pub fn message<T: Serialize>(
        &self,
        key: &str,
        payload: &T,
    ) -> Result<OutgoingMessage, PublishError> {
        let mut ordinals = self
            .ordinals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = ordinals.get(key).copied().unwrap_or(0);
        let message = self.dispatcher.message(&self.run, key, next, payload)?;
        ordinals.insert(key.to_owned(), next + 1);
        Ok(message)
    }

    /// Publish `payload` to topic `key`.
    pub async fn publish<T: Serialize>(
        &self,
        key: &str,
        payload: &T,
    ) -> Result<Published, PublishError> {
        let message = self.message(key, payload)?;
        self.dispatcher.send(message).await
    }

    /// Publish a prepared message.
    pub async fn send(&self, message: OutgoingMessage) -> Result<Published, PublishError> {
        self.dispatcher.send(message).await
    }

    /// Publish prepared messages in batches; all are checked before any is sent.
    pub async fn send_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<Published>, PublishError> {
        self.dispatcher.send_batch(messages).await
    }
}

/// What an invocation did (returned to the caller of a manual invoke, and logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// The task.
    pub task: String,
    /// The schedule.
    pub schedule_arn: String,
    /// The scheduled time, RFC 3339 UTC.
    pub scheduled_time: String,
    /// The job, when the run is a job's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The attempt number.
    pub attempt: u32,
    /// `completed`, or `skipped` when the idempotency guard found the run done.
    pub outcome: &'static str,
}

/// The invocation being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Lambda's request id.
    pub request_id: String,
    /// When Lambda stops the invocation (the idempotency lease ends there).
    pub deadline: Option<SystemTime>,
}

impl Invocation {
    /// An invocation with no deadline (tests, local runs).
    pub fn new(request_id: impl Into<String>) -> Invocation {
        Invocation {
            request_id: request_id.into(),
            deadline: None,
        }
    }
}

/// An invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The event was not understood.
    #[error(transparent)]
    Event(#[from] EventError),
    /// The task failed (or panicked).
    #[error("task failed: {0}")]
    Task(TaskError),
    /// The idempotency guard could not be consulted or updated.
    #[error(transparent)]
    Idempotency(#[from] IdempotencyError),
    /// Another attempt of the same run holds the guard; this attempt fails so
    /// that Lambda retries it later, when that attempt has finished or expired.
    #[error(
        "another attempt of this run is in progress until {}; retrying later",
        crate::idempotency::rfc3339(*until)
    )]
    InProgressElsewhere {
        /// When the other attempt's lease ends.
        until: SystemTime,
    },
}

/// A task wired to its topics (and, when configured, its idempotency table),
/// ready to handle invocations.
pub struct Runtime<T: Task> {
    task: Arc<T>,
    dispatcher: Arc<Dispatcher>,
    idempotency: Option<IdempotencyStore>,
    secrets: Arc<TaskSecrets>,
    function_name: Option<String>,
    metric_sink: MetricSink,
}

impl<T: Task> Runtime<T> {
    /// Resolve the task's topics from `env`, and the idempotency table when
    /// `CLOUDCRON_IDEMPOTENCY_TABLE` is set; AWS clients come from `sdk`.
    pub fn new(
        task: T,
        sdk: &aws_config::SdkConfig,
        env: &Environment,
    ) -> Result<Runtime<T>, ConfigError> {
        let dispatcher = Dispatcher::new(aws_sdk_sns::Client::new(sdk), env, T::NAME, T::TOPICS)?;
        let idempotency = env
            .get(contract::IDEMPOTENCY_TABLE_ENV)
            .filter(|t| !t.is_empty())
            .map(|table| IdempotencyStore::new(aws_sdk_dynamodb::Client::new(sdk), table));
        Ok(Runtime {
            task: Arc::new(task),
            dispatcher: Arc::new(dispatcher),
            idempotency,
            secrets: Arc::new(TaskSecrets::new(sdk, env)),
            function_name: env
                .get(contract::run_metrics::LAMBDA_FUNCTION_NAME_ENV)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            metric_sink: run_metrics::stdout_sink(),
        })
    }

    /// Write the run-outcome EMF lines ([`run_metrics`]) to `sink` instead
    /// of standard output.
    pub fn with_metric_sink(mut self, sink: MetricSink) -> Runtime<T> {
        self.metric_sink = sink;
        self
    }

    /// Emit the outcome of a job's run (nothing for a run without a job, or
    /// outside Lambda, where `AWS_LAMBDA_FUNCTION_NAME` is not set).
    fn record_outcome(&self, job: Option<&str>, outcome: RunOutcome, started: DateTime<Utc>) {
        if let (Some(function), Some(job)) = (&self.function_name, job) {
            run_metrics::emit(&self.metric_sink, function, job, outcome, started);
        }
    }

    /// Read the task's secrets from `secrets` (instead of AWS, as the
    /// environment declares them).
    pub fn with_secrets(mut self, secrets: TaskSecrets) -> Runtime<T> {
        self.secrets = Arc::new(secrets);
        self
    }

    /// Use this idempotency store (instead of the one from the environment).
    pub fn with_idempotency(mut self, store: IdempotencyStore) -> Runtime<T> {
        self.idempotency = Some(store);
        self
    }

    /// Handle one invocation's event.
    pub async fn handle(
        &self,
        event: &Value,
        invocation: &Invocation,
    ) -> Result<RunReport, RunError> {
        let started = Utc::now();
        let run = event::parse(event, &invocation.request_id, started)?;
        let mut report = RunReport {
            task: T::NAME.to_owned(),
            schedule_arn: run.schedule_arn.clone(),
            scheduled_time: run.scheduled_time_text(),
            job: run.job.clone(),
            attempt: run.attempt,
            outcome: "completed",
        };
        tracing::info!(
            task = T::NAME,
            job = run.job.as_deref().unwrap_or(""),
            trigger = ?run.trigger,
            schedule_arn = %run.schedule_arn,
            scheduled_time = %report.scheduled_time,
            attempt = run.attempt,
            "run starting"
        );
        let guard = match &self.idempotency {
            None => None,
            Some(store) => {
                let attempt = run.attempt.to_string();
                let key = idempotency::ScheduledRun {
                    schedule_arn: &run.schedule_arn,
                    scheduled_time: &report.scheduled_time,
                    execution_id: &run.execution_id,
                    attempt_number: &attempt,
                    job: run.job.as_deref(),
                };
                let decision = match invocation.deadline {
                    Some(deadline) => store.begin_until(&key, deadline).await?,
                    None => store.begin(&key).await?,
                };
                match decision {
                    Decision::Proceed(guard) => Some(guard),
                    Decision::AlreadyCompleted => {
                        tracing::info!(
                            task = T::NAME,
                            "run skipped: this scheduled run already completed"
                        );
                        report.outcome = "skipped";
                        return Ok(report);
                    }
                    Decision::InProgressElsewhere { until, .. } => {
                        tracing::warn!(
                            task = T::NAME,
                            "another attempt of this run is in progress"
                        );
                        return Err(RunError::InProgressElsewhere { until });
                    }
                }
            }
        };

        // Run on its own task so that a panic becomes an error like any other.
        let task = self.task.clone();
        let job = run.job.clone();
        let ctx = RunContext::new(run, self.dispatcher.clone()).with_secrets(self.secrets.clone());
        let outcome = match tokio::spawn(async move { task.run(ctx).await }).await {
            Ok(result) => result,
            Err(join) => Err(format!("the task panicked: {join}").into()),
        };
        match outcome {
            Ok(()) => {
                if let Some(guard) = guard {
                    if let Err(e) = guard.complete().await {
                        self.record_outcome(job.as_deref(), RunOutcome::Failed, started);
                        return Err(e.into());
                    }
                }
                self.record_outcome(job.as_deref(), RunOutcome::Succeeded, started);
                tracing::info!(task = T::NAME, "run finished");
                Ok(report)
            }
            Err(e) => {
                self.record_outcome(job.as_deref(), RunOutcome::Failed, started);
                tracing::error!(task = T::NAME, error = %crate::sdk_error::error_chain(e.as_ref()), "run failed");
                if let Some(guard) = guard {
                    // Let the retry run at once; if this fails, the lease expires instead.
                    if let Err(release) = guard.release().await {
                        tracing::warn!(task = T::NAME, error = %release, "could not release the idempotency record");
                    }
                }
                Err(RunError::Task(e))
            }
        }
    }
}

/// Run `task` as a Lambda function: the whole `main` of a scheduled task.
///
/// A configuration error (a missing topic variable) is logged and reported to
/// Lambda's init error endpoint as `cloud_cron::TaskConfig`, then returned, so
/// `main` exits non-zero; a failed invocation's `errorType` names what failed
/// (see [`crate::diagnostic`]).
pub async fn run<T: Task>(task: T) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let env = Environment::from_process();
    let runtime = match Runtime::new(task, &sdk, &env) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            tracing::error!(error = %e, error_type = crate::error_type::TASK_CONFIG, "configuration error: the task cannot start");
            let e = crate::init_error::fail_init(e, crate::error_type::TASK_CONFIG).await;
            return Err(e.into());
        }
    };
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let runtime = runtime.clone();
            async move {
                let invocation = Invocation {
                    request_id: event.context.request_id.clone(),
                    deadline: Some(event.context.deadline()),
                };
                // RunError becomes a Diagnostic with a cloud_cron::* errorType.
                runtime.handle(&event.payload, &invocation).await
            }
        },
    ))
    .await
}
