//! The opt-in idempotency guard: one scheduled run executes its side effects
//! at most once, across every retry.
//!
//! EventBridge Scheduler and Lambda both retry asynchronously, sometimes hours
//! after the first attempt, and SNS FIFO deduplicates for five minutes only.
//! This module owns the persistent record that closes that gap: one DynamoDB
//! item per scheduled run, written with conditional writes.
//!
//! A run is identified by its schedule ARN and scheduled time (the same in
//! every retry of that run), and its job when the function runs jobs;
//! [`idempotency_key`] (or [`job_idempotency_key`]) turns them into the
//! item's key. Before doing its work an attempt calls
//! [`IdempotencyStore::begin`]:
//!
//! - no record, or an expired one: the attempt writes an `IN_PROGRESS` record
//!   holding a lease and gets [`Decision::Proceed`] with a [`Guard`];
//! - a `COMPLETED` record: [`Decision::AlreadyCompleted`], skip the work;
//! - an `IN_PROGRESS` record whose lease has not run out:
//!   [`Decision::InProgressElsewhere`], another attempt is (or was, until it
//!   crashed) doing the work. Fail or skip; once the lease runs out, a later
//!   retry takes the run over.
//!
//! The holder then calls [`Guard::complete`] after the work succeeded, or
//! [`Guard::release`] after it failed, so the next retry can run at once.
//! Both only touch the record while it still carries this attempt's random
//! token: an attempt that was slower than its lease and has been taken over
//! gets [`IdempotencyError::LeaseLost`] and changes nothing.
//!
//! What it does not own: the table (the construct creates it and passes its
//! name in [`IDEMPOTENCY_TABLE_ENV`]), retries of failed DynamoDB calls beyond
//! the SDK's own, and exactly-once delivery of what the work sends. The guard
//! makes a *completed* run never run again; a run that crashes after some of
//! its side effects and before [`Guard::complete`] runs again once its lease
//! expires, so its side effects should still carry dedup ids.
//!
//! # The record
//!
//! Table: partition key [`KEY_ATTRIBUTE`] (`id`, string), time to live on
//! [`TTL_ATTRIBUTE`] (`expiresAt`). Other languages can share the table by
//! writing the same item:
//!
//! | attribute | type | value |
//! |---|---|---|
//! | `id` | S | [`idempotency_key`]: `run#` + hex SHA-256 of `<scheduleArn>\n<scheduledTime>` (`<scheduleArn>\n<scheduledTime>\n<job>` for a job's run) |
//! | `status` | S | `IN_PROGRESS` or `COMPLETED` |
//! | `inProgressUntil` | N | end of the holder's lease, epoch milliseconds |
//! | `expiresAt` | N | epoch seconds; after it the record counts as absent (DynamoDB deletes it within days) |
//! | `token` | S | random, unique per attempt; `complete` / `release` are conditional on it |
//! | `scheduleArn`, `scheduledTime`, `job` | S | the run, for people reading the table (`job` only for a job's run) |
//! | `executionId`, `attemptNumber` | S | the Scheduler's ids of the attempt holding or completing the record (debugging only) |
//! | `startedAt`, `completedAt` | N | epoch milliseconds (debugging only) |
//!
//! `begin` is one `PutItem` with the condition
//! `attribute_not_exists(id) OR expiresAt < :now_s OR (status = IN_PROGRESS AND inProgressUntil < :now_ms)`;
//! when it fails, DynamoDB returns the existing item
//! (`ReturnValuesOnConditionCheckFailure = ALL_OLD`), so no extra read is
//! needed. An expired record is treated as absent because DynamoDB's TTL
//! deletion is lazy: the outcome must not depend on when the sweeper runs.
//!
//! # Example
//!
//! ```no_run
//! use cloud_cron_runtime::idempotency::{Decision, IdempotencyStore, ScheduledRun};
//!
//! # async fn run_task() -> Result<(), std::io::Error> { Ok(()) }
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_from_env().await;
//! let store = IdempotencyStore::from_env(&config)?; // reads CLOUDCRON_IDEMPOTENCY_TABLE
//! let run = ScheduledRun {
//!     schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
//!     scheduled_time: "2026-11-28T09:00:00Z",
//!     execution_id: "d5b1c7d2-3a5e-4b4e-9f8c-1f1e2d3c4b5a",
//!     attempt_number: "1",
//!     job: None,
//! };
//! # let context = lambda_runtime::Context::default();
//! // The lease ends when Lambda would kill this invocation
//! // (`lambda_runtime::Context::deadline`), so a retry after a timeout takes over at once.
//! let deadline = context.deadline();
//! match store.begin_until(&run, deadline).await? {
//!     Decision::Proceed(guard) => match run_task().await {
//!         Ok(()) => guard.complete().await?,
//!         Err(err) => {
//!             // Let the next retry run at once. If this fails too, the retry
//!             // waits for the lease to end; report the task's error either way.
//!             if let Err(release) = guard.release().await {
//!                 tracing::warn!(error = %release, "could not release the run");
//!             }
//!             return Err(err.into());
//!         }
//!     },
//!     Decision::AlreadyCompleted => {} // a retry of a run that already succeeded
//!     Decision::InProgressElsewhere { until, .. } => {
//!         // Fail, so Lambda retries later and takes over if the holder crashed.
//!         let until = chrono::DateTime::<chrono::Utc>::from(until).to_rfc3339();
//!         return Err(format!("run in progress elsewhere until {until}").into());
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
//!
//! | module | owns |
//! |---|---|
//! | `key` | [`idempotency_key`] and [`ScheduledRun`], the identity of a run |
//! | `clock` | [`Clock`], where the store reads the time, and time formatting |
//! | `record` | the DynamoDB item: attribute names, statuses, reading a returned item |
//! | `store` | [`IdempotencyStore`] and [`Decision`]: the conditional write that claims a run |
//! | `guard` | [`Guard`]: completing or releasing a claimed run |
//! | `error` | [`IdempotencyError`] and [`RecordState`] |

use std::time::Duration;

mod clock;
mod error;
mod guard;
mod key;
mod record;
mod store;

pub(crate) use clock::rfc3339;
pub use clock::Clock;
pub use error::{IdempotencyError, RecordState};
pub use guard::Guard;
pub use key::{idempotency_key, job_idempotency_key, ScheduledRun};
pub use store::{Decision, IdempotencyStore};

/// The environment variable that names the idempotency table.
///
/// The construct's `.idempotency()` option sets it; [`IdempotencyStore::from_env`] reads it.
pub const IDEMPOTENCY_TABLE_ENV: &str = crate::contract::IDEMPOTENCY_TABLE_ENV;

/// The table's partition key attribute (type `S`).
pub const KEY_ATTRIBUTE: &str = crate::contract::IDEMPOTENCY_KEY_ATTRIBUTE;

/// The table's time-to-live attribute (type `N`, epoch seconds).
pub const TTL_ATTRIBUTE: &str = crate::contract::IDEMPOTENCY_TTL_ATTRIBUTE;

/// How long a record keeps deduplicating a run by default: 7 days.
///
/// It must outlast every retry of the run: Scheduler retries last up to 24
/// hours, Lambda's asynchronous retries up to 6 hours after that.
pub const DEFAULT_RECORD_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The default lease of an attempt, used by [`IdempotencyStore::begin`]:
/// 15 minutes, Lambda's longest timeout.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15 * 60);
