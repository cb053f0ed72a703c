//! [`IdempotencyStore`](super::IdempotencyStore): the table, and the conditional write that claims a
//! run (or any key) for one attempt.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;

use super::clock::{epoch_millis, rfc3339, Clock};
use super::error::dynamodb_error;
use super::record::{attr, lookup, n, new_token, record_state, s, string_attr, STATUS_IN_PROGRESS};
use super::{
    Guard, IdempotencyError, RecordState, ScheduledRun, DEFAULT_LEASE, DEFAULT_RECORD_TTL,
    IDEMPOTENCY_TABLE_ENV, KEY_ATTRIBUTE, TTL_ATTRIBUTE,
};

/// The outcome of [`IdempotencyStore::begin`](super::IdempotencyStore::begin).
#[derive(Debug)]
#[must_use = "a Decision says whether the run may proceed"]
pub enum Decision {
    /// This attempt holds the run: do the work, then [`Guard::complete`](super::Guard::complete) or
    /// [`Guard::release`](super::Guard::release).
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

/// The longest key [`IdempotencyStore::begin_key`](super::IdempotencyStore::begin_key) accepts, in bytes
/// (DynamoDB allows 2048 for a partition key).
const MAX_KEY_BYTES: usize = 1024;

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
    /// A store on `table`, using `client`, with [`DEFAULT_RECORD_TTL`](super::DEFAULT_RECORD_TTL),
    /// [`DEFAULT_LEASE`](super::DEFAULT_LEASE) and the system clock.
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

    /// A store on the table named by [`IDEMPOTENCY_TABLE_ENV`](super::IDEMPOTENCY_TABLE_ENV), with a client
    /// built from `config` (share one `SdkConfig` across the function's clients;
    /// `AWS_ENDPOINT_URL` in it points the client at an emulator).
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::TableNotConfigured`](super::IdempotencyError::TableNotConfigured) when the variable is unset or empty.
    pub fn from_env(config: &aws_config::SdkConfig) -> Result<Self, IdempotencyError> {
        let table = std::env::var(IDEMPOTENCY_TABLE_ENV).unwrap_or_default();
        if table.trim().is_empty() {
            return Err(IdempotencyError::TableNotConfigured);
        }
        Ok(IdempotencyStore::new(Client::new(config), table))
    }

    /// How long a record deduplicates its run after the attempt began or
    /// completed (default [`DEFAULT_RECORD_TTL`](super::DEFAULT_RECORD_TTL)). A record never expires
    /// before its lease ends.
    pub fn with_record_ttl(mut self, ttl: Duration) -> Self {
        self.record_ttl = ttl;
        self
    }

    /// The lease [`IdempotencyStore::begin`](super::IdempotencyStore::begin) takes (default [`DEFAULT_LEASE`](super::DEFAULT_LEASE)):
    /// how long a crashed attempt blocks its retries. Set it to at least the
    /// function's timeout, or use [`IdempotencyStore::begin_until`](super::IdempotencyStore::begin_until) with the
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
    /// [`IdempotencyStore::with_default_lease`](super::IdempotencyStore::with_default_lease)).
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::InvalidRun`](super::IdempotencyError::InvalidRun) for an empty or placeholder identity,
    /// [`IdempotencyError::DynamoDb`](super::IdempotencyError::DynamoDb) when DynamoDB fails, and
    /// [`IdempotencyError::MalformedRecord`](super::IdempotencyError::MalformedRecord) for a record this module did not write.
    pub async fn begin(&self, run: &ScheduledRun<'_>) -> Result<Decision, IdempotencyError> {
        let now = self.clock.now();
        self.begin_at(run, now, now + self.default_lease).await
    }

    /// Claims `run` with a lease that ends at `deadline`, the invocation's
    /// deadline (`lambda_runtime::Context::deadline()`):
    /// after it the attempt is certainly dead, so a retry may take over.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::begin`](super::IdempotencyStore::begin), and [`IdempotencyError::DeadlinePassed`](super::IdempotencyError::DeadlinePassed)
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
    /// [`IdempotencyStore::begin`](super::IdempotencyStore::begin), for work that is not a scheduled run.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::InvalidKey`](super::IdempotencyError::InvalidKey) for an empty or oversized key,
    /// otherwise as [`IdempotencyStore::begin`](super::IdempotencyStore::begin).
    pub async fn begin_key(&self, key: &str) -> Result<Decision, IdempotencyError> {
        let now = self.clock.now();
        self.claim(key, &[], "", "", now, now + self.default_lease)
            .await
    }

    /// [`IdempotencyStore::begin_key`](super::IdempotencyStore::begin_key) with a lease that ends at `deadline`
    /// (the invocation's deadline).
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::begin_key`](super::IdempotencyStore::begin_key), and
    /// [`IdempotencyError::DeadlinePassed`](super::IdempotencyError::DeadlinePassed) when `deadline` is not in the future.
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
        let mut extra = vec![
            (attr::SCHEDULE_ARN, run.schedule_arn),
            (attr::SCHEDULED_TIME, run.scheduled_time),
        ];
        if let Some(job) = run.job {
            extra.push((attr::JOB, job));
        }
        self.claim(
            &run.key(),
            &extra,
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
                                until = %rfc3339(until),
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
