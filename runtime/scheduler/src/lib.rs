//! One-off EventBridge Scheduler schedules created while the system runs:
//! "deliver this payload at 14:32 next Tuesday, Europe/London", thousands of
//! them, per tenant, cancellable, each delivered once.
//!
//! [`OneOffScheduler`] creates one `at(...)` schedule per caller key in one
//! schedule group, with `ActionAfterCompletion: DELETE` (it removes itself
//! after firing), `FlexibleTimeWindow: OFF`, and the payload wrapped in the
//! versioned [`OneOffInput`](cloud_cron_contract::one_off::OneOffInput)
//! envelope. Keys map to schedule names deterministically ([`name`]), so the
//! same key is one schedule: repeating a creation is a no-op, a different
//! payload is an [`SchedulerError::AlreadyScheduled`] error. Everything that can
//! be checked before a call is ([`PreparedSchedule`]); throttling is retried
//! with bounded, jittered exponential backoff ([`Backoff`]).
//!
//! Files: `name.rs` (key -> name, tenant prefixes), `request.rs`
//! (validation, envelope, client token), `client.rs` (the API calls),
//! `backoff.rs` (retries, error classification), `settings.rs`
//! (environment), `error.rs`; "now" comes from a [`Clock`]
//! ([`cloud_cron_clock`]).
//!
//! ```no_run
//! use chrono::NaiveDate;
//! use cloud_cron_scheduler::{ListScope, OneOffScheduler, OneOffSettings};
//! use futures_util::TryStreamExt;
//!
//! # async fn run() -> Result<(), cloud_cron_scheduler::SchedulerError> {
//! let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let settings = OneOffSettings::new(
//!     "reminders",
//!     "arn:aws:lambda:eu-west-2:123456789012:function:deliver",
//!     "arn:aws:iam::123456789012:role/reminders-scheduler",
//! );
//! let scheduler = OneOffScheduler::new(&config, settings);
//! let at = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap().and_hms_opt(14, 32, 0).unwrap();
//! scheduler.schedule_once("tenant-42/invoice-7", at, "Europe/London", &"pay up").await?;
//! let mine: Vec<_> = scheduler.list(ListScope::Tenant("tenant-42")).try_collect().await?;
//! assert_eq!(mine.len(), 1);
//! # Ok(())
//! # }
//! ```

mod backoff;
mod client;
mod error;
pub mod name;
mod request;
mod settings;

pub use self::backoff::Backoff;
pub use self::client::{
    ItemPage, ListPage, ListScope, ListedSchedule, OneOffScheduler, ScheduleHandle, ScheduledItem,
};
pub use self::error::{Result, SchedulerError};
pub use self::request::PreparedSchedule;
pub use self::request::AT_FORMAT;
pub use self::settings::{DeliveryRetry, OneOffSettings, MAX_INPUT_BYTES};
pub use cloud_cron_clock::{Clock, FixedClock, SystemClock};
