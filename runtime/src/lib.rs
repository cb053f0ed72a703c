//! The library a cloud-cron scheduled Lambda is written with.
//!
//! Implement [`Task`], call [`run`] in `main`, publish typed messages with
//! [`RunContext::publish`]: each scheduled run publishes each message exactly
//! once, however often the Scheduler or Lambda retries it.
//!
//! The [`contract`] module (env var names, scheduler input, message envelope,
//! deduplication ids) is what `cfn-gen` compiles against too; it is all this
//! crate builds with default features off.

pub mod contract;

#[cfg(feature = "runtime")]
pub mod dispatch;
#[cfg(feature = "runtime")]
mod env;
#[cfg(feature = "runtime")]
pub mod event;
#[cfg(feature = "runtime")]
pub mod idempotency;
#[cfg(feature = "runtime")]
pub mod sdk_error;
#[cfg(feature = "runtime")]
mod task;
#[cfg(feature = "runtime")]
pub mod template_source;

#[cfg(feature = "runtime")]
pub use dispatch::{ConfigError, OutgoingMessage, PublishError, Published};
#[cfg(feature = "runtime")]
pub use env::Environment;
#[cfg(feature = "runtime")]
pub use event::{ScheduledRun, Trigger};
#[cfg(feature = "runtime")]
pub use task::{run, Invocation, RunContext, RunError, RunReport, Runtime, Task, TaskError};
#[cfg(feature = "runtime")]
pub use template_source::{TemplateError, TemplateLoader, TemplateSource};
