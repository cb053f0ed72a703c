//! What can go wrong while claiming, completing or releasing a run.

use std::fmt;
use std::time::SystemTime;

use aws_sdk_dynamodb::error::SdkError;

use super::clock::rfc3339;
use super::IDEMPOTENCY_TABLE_ENV;

/// What a record held when this attempt's write found it was no longer the
/// holder (see [`IdempotencyError::LeaseLost`](super::IdempotencyError::LeaseLost)).
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
                let until = rfc3339(*until);
                match execution_id {
                    Some(id) => write!(f, "held by execution {id} until {until}"),
                    None => write!(f, "held by another attempt until {until}"),
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
    /// [`IDEMPOTENCY_TABLE_ENV`](super::IDEMPOTENCY_TABLE_ENV) is unset or empty.
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
    /// The key given to [`IdempotencyStore::begin_key`](super::IdempotencyStore::begin_key) is empty or too long.
    #[error("invalid idempotency key: {problem}")]
    InvalidKey {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The deadline given to [`IdempotencyStore::begin_until`](super::IdempotencyStore::begin_until) is not after
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
    /// [`IdempotencyError::LeaseLost`](super::IdempotencyError::LeaseLost).
    ///
    /// ```
    /// use cloud_cron_runtime::idempotency::IdempotencyError;
    /// assert!(!IdempotencyError::TableNotConfigured.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(self, IdempotencyError::DynamoDb { .. })
    }
}

pub(super) fn dynamodb_error<E, R>(
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
