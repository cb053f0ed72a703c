//! The opt-in idempotency guard: one scheduled run executes its side effects
//! at most once, across every retry.
//!
//! EventBridge Scheduler and Lambda both retry asynchronously, sometimes hours
//! after the first attempt, and SNS FIFO deduplicates for five minutes only.
//! This module owns the persistent record that closes that gap: one DynamoDB
//! item per scheduled run, written with conditional writes.
//!
//! A run is identified by its schedule ARN and scheduled time (the same in
//! every retry of that run); [`idempotency_key`] turns the pair into the
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
//! | `id` | S | [`idempotency_key`]: `run#` + hex SHA-256 of `<scheduleArn>\n<scheduledTime>` |
//! | `status` | S | `IN_PROGRESS` or `COMPLETED` |
//! | `inProgressUntil` | N | end of the holder's lease, epoch milliseconds |
//! | `expiresAt` | N | epoch seconds; after it the record counts as absent (DynamoDB deletes it within days) |
//! | `token` | S | random, unique per attempt; `complete` / `release` are conditional on it |
//! | `scheduleArn`, `scheduledTime` | S | the run, for people reading the table |
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
//! };
//! # let deadline_ms = 0_u64;
//! // The lease ends when Lambda would kill this invocation (`lambda_runtime`'s
//! // `context.deadline`), so a retry after a timeout takes over at once.
//! let deadline = std::time::UNIX_EPOCH + std::time::Duration::from_millis(deadline_ms);
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
//!         return Err(format!("run in progress elsewhere until {until:?}").into());
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use sha2::{Digest, Sha256};

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

/// The longest key [`IdempotencyStore::begin_key`] accepts, in bytes
/// (DynamoDB allows 2048 for a partition key).
const MAX_KEY_BYTES: usize = 1024;

const STATUS_IN_PROGRESS: &str = "IN_PROGRESS";
const STATUS_COMPLETED: &str = "COMPLETED";

/// Attribute names other than the key and the TTL.
mod attr {
    pub const STATUS: &str = "status";
    pub const IN_PROGRESS_UNTIL: &str = "inProgressUntil";
    pub const TOKEN: &str = "token";
    pub const SCHEDULE_ARN: &str = "scheduleArn";
    pub const SCHEDULED_TIME: &str = "scheduledTime";
    pub const EXECUTION_ID: &str = "executionId";
    pub const ATTEMPT_NUMBER: &str = "attemptNumber";
    pub const STARTED_AT: &str = "startedAt";
    pub const COMPLETED_AT: &str = "completedAt";
}

/// The record key of the scheduled run `(schedule_arn, scheduled_time)`:
/// `run#` followed by the lowercase hex SHA-256 of
/// `"<schedule_arn>\n<scheduled_time>"`.
///
/// The strings are hashed exactly as the Scheduler passes them (no
/// normalisation), so every retry of a run maps to the same key and other
/// languages can compute it with any SHA-256.
///
/// ```
/// use cloud_cron_runtime::idempotency::idempotency_key;
/// let key = idempotency_key(
///     "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
///     "2026-11-28T09:00:00Z",
/// );
/// assert_eq!(
///     key,
///     "run#662076ebd97f804006cbe7a4bbf8e35eb539c5b7d01d3764878395b936b35188"
/// );
/// ```
pub fn idempotency_key(schedule_arn: &str, scheduled_time: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::new()
        .chain_update(schedule_arn.as_bytes())
        .chain_update(b"\n")
        .chain_update(scheduled_time.as_bytes())
        .finalize();
    let mut key = String::with_capacity(4 + 2 * digest.len());
    key.push_str("run#");
    for byte in digest {
        key.push(char::from(HEX[usize::from(byte >> 4)]));
        key.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    key
}

/// One attempt of one scheduled run, as the Scheduler's input describes it
/// (`scheduleArn`, `scheduledTime`, `executionId`, `attemptNumber`).
///
/// Only `schedule_arn` and `scheduled_time` identify the run; the other two
/// are written to the record for debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledRun<'a> {
    /// The schedule's ARN.
    pub schedule_arn: &'a str,
    /// The time the run was scheduled for, exactly as the Scheduler passed it.
    pub scheduled_time: &'a str,
    /// The Scheduler's id of this attempt (not unique across Lambda's own retries).
    pub execution_id: &'a str,
    /// The Scheduler's attempt number as text; may be empty.
    pub attempt_number: &'a str,
}

impl ScheduledRun<'_> {
    /// The run's record key, [`idempotency_key`] of its ARN and scheduled time.
    ///
    /// ```
    /// use cloud_cron_runtime::idempotency::{idempotency_key, ScheduledRun};
    /// let run = ScheduledRun {
    ///     schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
    ///     scheduled_time: "2026-11-28T09:00:00Z",
    ///     execution_id: "e1",
    ///     attempt_number: "1",
    /// };
    /// let retry = ScheduledRun { execution_id: "e2", attempt_number: "2", ..run };
    /// assert_eq!(run.key(), retry.key());
    /// assert_eq!(run.key(), idempotency_key(run.schedule_arn, run.scheduled_time));
    /// ```
    pub fn key(&self) -> String {
        idempotency_key(self.schedule_arn, self.scheduled_time)
    }

    /// Rejects identities that would merge unrelated runs under one key.
    fn validate(&self) -> Result<(), IdempotencyError> {
        for (field, value) in [
            ("scheduleArn", self.schedule_arn),
            ("scheduledTime", self.scheduled_time),
        ] {
            let problem = if value.trim().is_empty() {
                "is empty"
            } else if value.contains('\n') {
                "contains a line break"
            } else if value.starts_with("<aws.scheduler.") {
                "holds an unsubstituted Scheduler placeholder (the function was not invoked by EventBridge Scheduler)"
            } else {
                continue;
            };
            return Err(IdempotencyError::InvalidRun { field, problem });
        }
        Ok(())
    }
}

/// Where the store reads the current time: the system clock unless replaced
/// with [`IdempotencyStore::with_clock`] (tests use a manual clock to let
/// leases and records expire without sleeping).
///
/// Any `Fn() -> SystemTime + Send + Sync` is a clock:
///
/// ```
/// use cloud_cron_runtime::idempotency::Clock;
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// let fixed = || UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// assert_eq!(Clock::now(&fixed), UNIX_EPOCH + Duration::from_secs(1_800_000_000));
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

impl fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// The outcome of [`IdempotencyStore::begin`].
#[derive(Debug)]
#[must_use = "a Decision says whether the run may proceed"]
pub enum Decision {
    /// This attempt holds the run: do the work, then [`Guard::complete`] or
    /// [`Guard::release`].
    Proceed(Guard),
    /// An earlier attempt completed this run: skip the work.
    AlreadyCompleted,
    /// Another attempt holds the run and its lease has not run out.
    InProgressElsewhere {
        /// When the holder's lease runs out; after it a retry takes over.
        until: SystemTime,
        /// The holder's Scheduler execution id, when it recorded one.
        execution_id: Option<String>,
    },
}

/// What a record held when this attempt's write found it was no longer the
/// holder (see [`IdempotencyError::LeaseLost`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordState {
    /// The record is gone (released by its new holder, or deleted by TTL).
    Missing,
    /// Another attempt holds the run.
    InProgress {
        /// The other holder's lease end.
        until: SystemTime,
        /// The other holder's Scheduler execution id, when it recorded one.
        execution_id: Option<String>,
    },
    /// Another attempt completed the run.
    Completed,
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordState::Missing => f.write_str("no record"),
            RecordState::InProgress {
                until,
                execution_id,
            } => {
                let ms = epoch_millis(*until);
                match execution_id {
                    Some(id) => write!(f, "held by execution {id} until epoch ms {ms}"),
                    None => write!(f, "held by another attempt until epoch ms {ms}"),
                }
            }
            RecordState::Completed => f.write_str("completed by another attempt"),
        }
    }
}

/// Why the guard could not decide or record an outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdempotencyError {
    /// [`IDEMPOTENCY_TABLE_ENV`] is unset or empty.
    #[error(
        "environment variable {IDEMPOTENCY_TABLE_ENV} is not set; enable idempotency on the \
         ScheduledLambda (it creates the table and sets the variable) or pass a table name"
    )]
    TableNotConfigured,
    /// The run's identity cannot give a safe key.
    #[error("cannot derive an idempotency key: {field} {problem}")]
    InvalidRun {
        /// The input field at fault (`scheduleArn` or `scheduledTime`).
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The key given to [`IdempotencyStore::begin_key`] is empty or too long.
    #[error("invalid idempotency key: {problem}")]
    InvalidKey {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The deadline given to [`IdempotencyStore::begin_until`] is not after
    /// now (or the default lease is zero).
    #[error("the attempt's deadline has already passed; a lease ending now would let another attempt take the run over at once")]
    DeadlinePassed,
    /// A DynamoDB call failed (throttling, network, missing table, access
    /// denied, ...). Nothing about the run was decided: fail the invocation so
    /// it is retried.
    #[error("DynamoDB {operation} on idempotency table `{table}` failed")]
    DynamoDb {
        /// The API operation (`PutItem`, `UpdateItem`, `DeleteItem`).
        operation: &'static str,
        /// The table.
        table: String,
        /// The SDK's error.
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    /// This attempt no longer holds the run: its lease ran out and another
    /// attempt took the run over (or the record is gone). Nothing was changed.
    #[error("idempotency record `{key}` is no longer held by this attempt ({found}); its lease ran out and another attempt took the run over")]
    LeaseLost {
        /// The record key.
        key: String,
        /// What the record held instead.
        found: RecordState,
    },
    /// The record in the table is not one this module writes.
    #[error("idempotency record `{key}` in table `{table}` is malformed: {problem}")]
    MalformedRecord {
        /// The record key.
        key: String,
        /// The table.
        table: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl IdempotencyError {
    /// Whether retrying the invocation may succeed: true for DynamoDB
    /// failures, false for configuration and input errors and for
    /// [`IdempotencyError::LeaseLost`].
    ///
    /// ```
    /// use cloud_cron_runtime::idempotency::IdempotencyError;
    /// assert!(!IdempotencyError::TableNotConfigured.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(self, IdempotencyError::DynamoDb { .. })
    }
}

/// The idempotency table and how records are written to it.
///
/// Cheap to clone (the SDK client is reference counted); build it once per
/// Lambda execution environment.
#[derive(Clone)]
pub struct IdempotencyStore {
    client: Client,
    table: String,
    record_ttl: Duration,
    default_lease: Duration,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for IdempotencyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdempotencyStore")
            .field("table", &self.table)
            .field("record_ttl", &self.record_ttl)
            .field("default_lease", &self.default_lease)
            .finish_non_exhaustive()
    }
}

impl IdempotencyStore {
    /// A store on `table`, using `client`, with [`DEFAULT_RECORD_TTL`],
    /// [`DEFAULT_LEASE`] and the system clock.
    ///
    /// ```
    /// use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
    /// use cloud_cron_runtime::idempotency::IdempotencyStore;
    ///
    /// let config = aws_sdk_dynamodb::Config::builder()
    ///     .behavior_version(BehaviorVersion::latest())
    ///     .region(Region::new("us-east-1"))
    ///     .build();
    /// let store = IdempotencyStore::new(aws_sdk_dynamodb::Client::from_conf(config), "runs");
    /// assert_eq!(store.table(), "runs");
    /// ```
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        IdempotencyStore {
            client,
            table: table.into(),
            record_ttl: DEFAULT_RECORD_TTL,
            default_lease: DEFAULT_LEASE,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// A store on the table named by [`IDEMPOTENCY_TABLE_ENV`], with a client
    /// built from `config` (share one `SdkConfig` across the function's clients;
    /// `AWS_ENDPOINT_URL` in it points the client at an emulator).
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::TableNotConfigured`] when the variable is unset or empty.
    pub fn from_env(config: &aws_config::SdkConfig) -> Result<Self, IdempotencyError> {
        let table = std::env::var(IDEMPOTENCY_TABLE_ENV).unwrap_or_default();
        if table.trim().is_empty() {
            return Err(IdempotencyError::TableNotConfigured);
        }
        Ok(IdempotencyStore::new(Client::new(config), table))
    }

    /// How long a record deduplicates its run after the attempt began or
    /// completed (default [`DEFAULT_RECORD_TTL`]). A record never expires
    /// before its lease ends.
    pub fn with_record_ttl(mut self, ttl: Duration) -> Self {
        self.record_ttl = ttl;
        self
    }

    /// The lease [`IdempotencyStore::begin`] takes (default [`DEFAULT_LEASE`]):
    /// how long a crashed attempt blocks its retries. Set it to at least the
    /// function's timeout, or use [`IdempotencyStore::begin_until`] with the
    /// invocation's deadline.
    pub fn with_default_lease(mut self, lease: Duration) -> Self {
        self.default_lease = lease;
        self
    }

    /// Replaces the system clock (for tests).
    ///
    /// ```
    /// # use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
    /// # use cloud_cron_runtime::idempotency::IdempotencyStore;
    /// # let client = aws_sdk_dynamodb::Client::from_conf(
    /// #     aws_sdk_dynamodb::Config::builder()
    /// #         .behavior_version(BehaviorVersion::latest())
    /// #         .region(Region::new("us-east-1"))
    /// #         .build(),
    /// # );
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let store = IdempotencyStore::new(client, "runs")
    ///     .with_clock(|| UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    /// ```
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The record time to live.
    pub fn record_ttl(&self) -> Duration {
        self.record_ttl
    }

    /// Claims `run` with a lease of the default length (see
    /// [`IdempotencyStore::with_default_lease`]).
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::InvalidRun`] for an empty or placeholder identity,
    /// [`IdempotencyError::DynamoDb`] when DynamoDB fails, and
    /// [`IdempotencyError::MalformedRecord`] for a record this module did not write.
    pub async fn begin(&self, run: &ScheduledRun<'_>) -> Result<Decision, IdempotencyError> {
        let now = self.clock.now();
        self.begin_at(run, now, now + self.default_lease).await
    }

    /// Claims `run` with a lease that ends at `deadline`, the invocation's
    /// deadline (in `lambda_runtime`, `UNIX_EPOCH + Duration::from_millis(context.deadline)`):
    /// after it the attempt is certainly dead, so a retry may take over.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::begin`], and [`IdempotencyError::DeadlinePassed`]
    /// when `deadline` is not in the future.
    pub async fn begin_until(
        &self,
        run: &ScheduledRun<'_>,
        deadline: SystemTime,
    ) -> Result<Decision, IdempotencyError> {
        self.begin_at(run, self.clock.now(), deadline).await
    }

    /// Claims the record `key` (any string, e.g. a notifier's
    /// [`delivery_key`](crate::contract::notifier::delivery_key)) with a lease
    /// of the default length: the same record, lease and outcomes as
    /// [`IdempotencyStore::begin`], for work that is not a scheduled run.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::InvalidKey`] for an empty or oversized key,
    /// otherwise as [`IdempotencyStore::begin`].
    pub async fn begin_key(&self, key: &str) -> Result<Decision, IdempotencyError> {
        let now = self.clock.now();
        self.claim(key, &[], "", "", now, now + self.default_lease)
            .await
    }

    /// [`IdempotencyStore::begin_key`] with a lease that ends at `deadline`
    /// (the invocation's deadline).
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::begin_key`], and
    /// [`IdempotencyError::DeadlinePassed`] when `deadline` is not in the future.
    pub async fn begin_key_until(
        &self,
        key: &str,
        deadline: SystemTime,
    ) -> Result<Decision, IdempotencyError> {
        self.claim(key, &[], "", "", self.clock.now(), deadline)
            .await
    }

    async fn begin_at(
        &self,
        run: &ScheduledRun<'_>,
        now: SystemTime,
        lease_end: SystemTime,
    ) -> Result<Decision, IdempotencyError> {
        run.validate()?;
        self.claim(
            &run.key(),
            &[
                (attr::SCHEDULE_ARN, run.schedule_arn),
                (attr::SCHEDULED_TIME, run.scheduled_time),
            ],
            run.execution_id,
            run.attempt_number,
            now,
            lease_end,
        )
        .await
    }

    /// The conditional write behind every `begin`: `extra` attributes are
    /// written to the record for people reading the table.
    async fn claim(
        &self,
        key: &str,
        extra: &[(&str, &str)],
        execution_id: &str,
        attempt_number: &str,
        now: SystemTime,
        lease_end: SystemTime,
    ) -> Result<Decision, IdempotencyError> {
        if key.is_empty() {
            return Err(IdempotencyError::InvalidKey {
                problem: "it is empty",
            });
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(IdempotencyError::InvalidKey {
                problem: "it is longer than 1024 bytes",
            });
        }
        if lease_end <= now {
            return Err(IdempotencyError::DeadlinePassed);
        }
        let key = key.to_owned();
        let token = new_token();
        let now_ms = epoch_millis(now);
        let until_ms = epoch_millis(lease_end);
        let expires_at = self.expires_at(now, lease_end);

        let mut item = HashMap::from([
            (KEY_ATTRIBUTE.to_owned(), s(&key)),
            (attr::STATUS.to_owned(), s(STATUS_IN_PROGRESS)),
            (attr::IN_PROGRESS_UNTIL.to_owned(), n(until_ms)),
            (TTL_ATTRIBUTE.to_owned(), n(expires_at)),
            (attr::TOKEN.to_owned(), s(&token)),
            (attr::STARTED_AT.to_owned(), n(now_ms)),
        ]);
        // DynamoDB rejects empty string attributes.
        for &(name, value) in extra.iter().chain(&[
            (attr::EXECUTION_ID, execution_id),
            (attr::ATTEMPT_NUMBER, attempt_number),
        ]) {
            if !value.is_empty() {
                item.insert(name.to_owned(), s(value));
            }
        }

        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#id) OR #expiresAt < :nowS \
                 OR (#status = :inProgress AND #inProgressUntil < :nowMs)",
            )
            .expression_attribute_names("#id", KEY_ATTRIBUTE)
            .expression_attribute_names("#expiresAt", TTL_ATTRIBUTE)
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#inProgressUntil", attr::IN_PROGRESS_UNTIL)
            .expression_attribute_values(":nowS", n(now_ms / 1000))
            .expression_attribute_values(":nowMs", n(now_ms))
            .expression_attribute_values(":inProgress", s(STATUS_IN_PROGRESS))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;

        match result {
            Ok(output) => {
                let took_over = output.attributes().is_some_and(|old| !old.is_empty());
                if took_over {
                    tracing::warn!(
                        key = %key,
                        schedule_arn = lookup(extra, attr::SCHEDULE_ARN),
                        scheduled_time = lookup(extra, attr::SCHEDULED_TIME),
                        previous_execution_id = output
                            .attributes()
                            .and_then(|old| string_attr(old, attr::EXECUTION_ID))
                            .unwrap_or_default(),
                        "idempotency: took over a run whose earlier attempt's lease or record expired"
                    );
                } else {
                    tracing::debug!(key = %key, "idempotency: claimed run");
                }
                Ok(Decision::Proceed(Guard {
                    client: self.client.clone(),
                    table: self.table.clone(),
                    clock: Arc::clone(&self.clock),
                    record_ttl: self.record_ttl,
                    key,
                    token,
                    execution_id: execution_id.to_owned(),
                    attempt_number: attempt_number.to_owned(),
                    lease_end,
                    took_over,
                }))
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                PutItemError::ConditionalCheckFailedException(failed) => {
                    let state = self.record_state(&key, failed.item())?;
                    match state {
                        RecordState::Completed => {
                            tracing::info!(key = %key, "idempotency: run already completed, skipping");
                            Ok(Decision::AlreadyCompleted)
                        }
                        RecordState::InProgress {
                            until,
                            execution_id,
                        } => {
                            tracing::info!(
                                key = %key,
                                until_ms = epoch_millis(until),
                                holder_execution_id = execution_id.as_deref().unwrap_or_default(),
                                "idempotency: run in progress elsewhere"
                            );
                            Ok(Decision::InProgressElsewhere {
                                until,
                                execution_id,
                            })
                        }
                        RecordState::Missing => Err(self.malformed(
                            &key,
                            "the conditional write failed but DynamoDB returned no record",
                        )),
                    }
                }
                _ => Err(dynamodb_error(
                    "PutItem",
                    &self.table,
                    SdkError::ServiceError(context),
                )),
            },
            Err(err) => Err(dynamodb_error("PutItem", &self.table, err)),
        }
    }

    fn expires_at(&self, now: SystemTime, lease_end: SystemTime) -> u64 {
        let ttl_end = epoch_millis(now)
            .saturating_add(u64::try_from(self.record_ttl.as_millis()).unwrap_or(u64::MAX));
        ttl_end.max(epoch_millis(lease_end)).div_ceil(1000)
    }

    fn record_state(
        &self,
        key: &str,
        item: Option<&HashMap<String, AttributeValue>>,
    ) -> Result<RecordState, IdempotencyError> {
        record_state(item).map_err(|problem| self.malformed(key, problem))
    }

    fn malformed(&self, key: &str, problem: impl Into<String>) -> IdempotencyError {
        IdempotencyError::MalformedRecord {
            key: key.to_owned(),
            table: self.table.clone(),
            problem: problem.into(),
        }
    }
}

/// Proof that this attempt holds a scheduled run. Finish it with
/// [`Guard::complete`] or [`Guard::release`].
///
/// Dropping it leaves the record `IN_PROGRESS` until the lease ends, as a
/// crash would: retries before then get [`Decision::InProgressElsewhere`].
#[derive(Debug)]
#[must_use = "call complete() after the work succeeded or release() after it failed"]
pub struct Guard {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
    record_ttl: Duration,
    key: String,
    token: String,
    execution_id: String,
    attempt_number: String,
    lease_end: SystemTime,
    took_over: bool,
}

impl Guard {
    /// The record key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// This attempt's random token, as written to the record.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// When this attempt's lease ends. Work still running after it may be
    /// duplicated by a retry that takes the run over.
    pub fn lease_end(&self) -> SystemTime {
        self.lease_end
    }

    /// Whether this attempt replaced an earlier attempt's expired record
    /// (that attempt crashed, or timed out, before completing or releasing).
    pub fn took_over(&self) -> bool {
        self.took_over
    }

    /// Marks the run `COMPLETED`: later attempts get [`Decision::AlreadyCompleted`]
    /// for the record's time to live, counted from now.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::LeaseLost`] when another attempt took the run over
    /// (the record is left as it is), [`IdempotencyError::DynamoDb`] when
    /// DynamoDB fails (the record stays `IN_PROGRESS` until the lease ends).
    pub async fn complete(self) -> Result<(), IdempotencyError> {
        let now = self.clock.now();
        let now_ms = epoch_millis(now);
        let expires_at = now_ms
            .saturating_add(u64::try_from(self.record_ttl.as_millis()).unwrap_or(u64::MAX))
            .div_ceil(1000);
        let mut update =
            "SET #status = :completed, #completedAt = :nowMs, #expiresAt = :expiresAt".to_owned();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, s(&self.key))
            .condition_expression("#token = :token AND #status = :inProgress")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#completedAt", attr::COMPLETED_AT)
            .expression_attribute_names("#expiresAt", TTL_ATTRIBUTE)
            .expression_attribute_names("#token", attr::TOKEN)
            .expression_attribute_values(":completed", s(STATUS_COMPLETED))
            .expression_attribute_values(":inProgress", s(STATUS_IN_PROGRESS))
            .expression_attribute_values(":nowMs", n(now_ms))
            .expression_attribute_values(":expiresAt", n(expires_at))
            .expression_attribute_values(":token", s(&self.token))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        // Record who completed the run; a takeover may have replaced the ids.
        for (placeholder, name, value) in [
            ("executionId", attr::EXECUTION_ID, &self.execution_id),
            ("attemptNumber", attr::ATTEMPT_NUMBER, &self.attempt_number),
        ] {
            if !value.is_empty() {
                update.push_str(&format!(", #{placeholder} = :{placeholder}"));
                request = request
                    .expression_attribute_names(format!("#{placeholder}"), name)
                    .expression_attribute_values(format!(":{placeholder}"), s(value));
            }
        }
        match request.update_expression(update).send().await {
            Ok(_) => {
                tracing::debug!(key = %self.key, "idempotency: run completed");
                Ok(())
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                UpdateItemError::ConditionalCheckFailedException(failed) => {
                    Err(self.lease_lost(failed.item()))
                }
                _ => Err(dynamodb_error(
                    "UpdateItem",
                    &self.table,
                    SdkError::ServiceError(context),
                )),
            },
            Err(err) => Err(dynamodb_error("UpdateItem", &self.table, err)),
        }
    }

    /// Deletes the record after the work failed, so the next retry proceeds
    /// at once instead of waiting for the lease to end.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::LeaseLost`] when another attempt holds the run now
    /// (nothing is deleted), [`IdempotencyError::DynamoDb`] when DynamoDB
    /// fails (the record stays `IN_PROGRESS` until the lease ends).
    pub async fn release(self) -> Result<(), IdempotencyError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, s(&self.key))
            .condition_expression("#token = :token AND #status = :inProgress")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#token", attr::TOKEN)
            .expression_attribute_values(":inProgress", s(STATUS_IN_PROGRESS))
            .expression_attribute_values(":token", s(&self.token))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => {
                tracing::debug!(key = %self.key, "idempotency: run released");
                Ok(())
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                DeleteItemError::ConditionalCheckFailedException(failed) => {
                    Err(self.lease_lost(failed.item()))
                }
                _ => Err(dynamodb_error(
                    "DeleteItem",
                    &self.table,
                    SdkError::ServiceError(context),
                )),
            },
            Err(err) => Err(dynamodb_error("DeleteItem", &self.table, err)),
        }
    }

    fn lease_lost(&self, item: Option<&HashMap<String, AttributeValue>>) -> IdempotencyError {
        let found = match record_state(item) {
            Ok(state) => state,
            Err(problem) => {
                return IdempotencyError::MalformedRecord {
                    key: self.key.clone(),
                    table: self.table.clone(),
                    problem: problem.to_owned(),
                }
            }
        };
        tracing::warn!(key = %self.key, found = %found, "idempotency: lease lost");
        IdempotencyError::LeaseLost {
            key: self.key.clone(),
            found,
        }
    }
}

/// The value of attribute `name` among `extra`, or `""`.
fn lookup<'a>(extra: &[(&str, &'a str)], name: &str) -> &'a str {
    extra
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_default()
}

/// What a record returned by a failed conditional write holds.
fn record_state(
    item: Option<&HashMap<String, AttributeValue>>,
) -> Result<RecordState, &'static str> {
    let Some(item) = item.filter(|item| !item.is_empty()) else {
        return Ok(RecordState::Missing);
    };
    match string_attr(item, attr::STATUS).as_deref() {
        Some(STATUS_COMPLETED) => Ok(RecordState::Completed),
        Some(STATUS_IN_PROGRESS) => {
            let until_ms = match item.get(attr::IN_PROGRESS_UNTIL) {
                Some(AttributeValue::N(value)) => value
                    .parse::<u64>()
                    .map_err(|_| "inProgressUntil is not a whole number of milliseconds")?,
                _ => return Err("an IN_PROGRESS record has no numeric inProgressUntil"),
            };
            Ok(RecordState::InProgress {
                until: UNIX_EPOCH + Duration::from_millis(until_ms),
                execution_id: string_attr(item, attr::EXECUTION_ID),
            })
        }
        _ => Err("status is neither IN_PROGRESS nor COMPLETED"),
    }
}

fn string_attr(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    }
}

fn dynamodb_error<E, R>(
    operation: &'static str,
    table: &str,
    err: SdkError<E, R>,
) -> IdempotencyError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    let source = Box::new(aws_sdk_dynamodb::Error::from(err));
    tracing::error!(operation, table, error = %source, "idempotency: DynamoDB call failed");
    IdempotencyError::DynamoDb {
        operation,
        table: table.to_owned(),
        source,
    }
}

/// 128 random bits as hex. Only uniqueness among the attempts of one run
/// matters (the token is no secret): fastrand is seeded per thread from the
/// OS-randomised std hasher.
fn new_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// Milliseconds since the Unix epoch; times before it count as the epoch.
fn epoch_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(schedule_arn: &'a str, scheduled_time: &'a str) -> ScheduledRun<'a> {
        ScheduledRun {
            schedule_arn,
            scheduled_time,
            execution_id: "e",
            attempt_number: "1",
        }
    }

    #[test]
    fn key_is_run_prefix_and_sha256_hex() {
        // printf 'a\nb' | sha256sum
        assert_eq!(
            idempotency_key("a", "b"),
            "run#7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78"
        );
    }

    #[test]
    fn line_break_separates_the_fields() {
        assert_ne!(idempotency_key("ab", "c"), idempotency_key("a", "bc"));
    }

    #[test]
    fn unsafe_identities_are_rejected() {
        for (arn, time, field) in [
            ("", "2026-11-28T09:00:00Z", "scheduleArn"),
            ("arn:x", " ", "scheduledTime"),
            ("arn:x\n", "t", "scheduleArn"),
            ("arn:x", "<aws.scheduler.scheduled-time>", "scheduledTime"),
        ] {
            match run(arn, time).validate() {
                Err(IdempotencyError::InvalidRun { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{arn:?}/{time:?}: {other:?}"),
            }
        }
        assert!(run("arn:x", "2026-11-28T09:00:00Z").validate().is_ok());
    }

    #[test]
    fn record_states_are_read() {
        assert_eq!(record_state(None), Ok(RecordState::Missing));
        let completed = HashMap::from([(attr::STATUS.to_owned(), s(STATUS_COMPLETED))]);
        assert_eq!(record_state(Some(&completed)), Ok(RecordState::Completed));
        let in_progress = HashMap::from([
            (attr::STATUS.to_owned(), s(STATUS_IN_PROGRESS)),
            (attr::IN_PROGRESS_UNTIL.to_owned(), n(1_500)),
        ]);
        assert_eq!(
            record_state(Some(&in_progress)),
            Ok(RecordState::InProgress {
                until: UNIX_EPOCH + Duration::from_millis(1_500),
                execution_id: None
            })
        );
        let unknown_status = HashMap::from([(attr::STATUS.to_owned(), s("DONE"))]);
        assert!(record_state(Some(&unknown_status)).is_err());
        let no_lease = HashMap::from([(attr::STATUS.to_owned(), s(STATUS_IN_PROGRESS))]);
        assert!(record_state(Some(&no_lease)).is_err());
    }

    #[test]
    fn tokens_differ() {
        let a = new_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_token());
    }
}
