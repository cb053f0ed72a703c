//! The library a cloud-cron scheduled Lambda is written with.
//!
//! Implement [`Task`], call [`run`] in `main`, publish typed messages with
//! [`RunContext::publish`]: each scheduled run publishes each message exactly
//! once, however often the Scheduler or Lambda retries it.
//!
//! A failed invocation's Lambda `errorType` names what failed
//! ([`diagnostic`]); a configuration error at cold start is posted to Lambda's
//! init error endpoint ([`init_error`]) before the process exits.
//!
//! A task reads its secrets with [`RunContext::secret`] ([`secrets`]); a
//! function that runs several jobs (`.job(name, schedule, input)`) reads which
//! one with [`RunContext::job`] and its input with [`RunContext::input`] ([`job`]);
//! each job's run ends with one Embedded Metric Format line, `RunSucceeded` or
//! `RunFailed` per function and job, for the missed-run watchdog ([`run_metrics`]).
//!
//! [`contract`] (env var names, scheduler input, message envelope,
//! deduplication ids) is the `cloud-cron-contract` crate, which `cfn-gen`
//! compiles against too.

pub use cloud_cron_contract as contract;

pub mod diagnostic;
pub mod dispatch;
mod env;
mod error_type;
pub mod event;
pub mod idempotency;
pub mod init_error;
pub mod job;
pub mod run_metrics;
pub mod sdk_error;
pub mod secrets;
mod task;

pub use dispatch::{ConfigError, OutgoingMessage, PublishError, Published};
pub use env::Environment;
pub use event::{ScheduledRun, Trigger};
pub use job::InputError;
pub use task::{run, Invocation, RunContext, RunError, RunReport, Runtime, Task, TaskError};
