//! The per tenant + stream checkpoint and the [`CheckpointStore`] trait that keeps it with
//! compare-and-set writes.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::window::Window;

/// Where a tenant + stream stands in its first sync.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// No batch has run yet.
    #[default]
    NotStarted,
    /// The first sync is under way (the watermark has not reached the horizon yet).
    InProgress,
    /// The first sync reached the horizon once; later batches are incremental.
    Done,
}

impl SyncStatus {
    /// `not_started`, `in_progress` or `done`.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::NotStarted => "not_started",
            SyncStatus::InProgress => "in_progress",
            SyncStatus::Done => "done",
        }
    }
}

/// A worker's claim on a tenant + stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The worker holding it.
    pub owner: String,
    /// When it lapses if not released.
    #[serde(with = "chrono::serde::ts_seconds")]
    pub expires_at: DateTime<Utc>,
}

/// A batch that failed `max_attempts` times (`permanently_failed`), kept to be retried with
/// [`SyncWorker::retry_failed`](crate::SyncWorker::retry_failed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRange {
    /// The batch's window.
    pub window: Window,
    /// Attempts made.
    pub attempts: u32,
    /// The last attempt's error.
    pub error: String,
}

/// Batch counters, the raw material of [`Progress`](crate::Progress).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Batches written.
    pub completed: u64,
    /// Batches permanently failed and not (yet) retried.
    pub failed: u64,
    /// Estimated batches left: the span up to the horizon at the current window width, plus
    /// failed ranges queued for retry.
    pub pending: u64,
    /// Records written.
    pub records: u64,
}

/// The state of one tenant + stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The tenant.
    pub tenant: String,
    /// The stream.
    pub stream: String,
    /// Bumped by every write; writes are conditional on the version read.
    pub version: u64,
    /// First-sync status.
    pub status: SyncStatus,
    /// Everything modified before this instant has been processed. `None` until the first
    /// claim, which sets it to the start of the initial range (so the range does not drift
    /// while the first batch is retried).
    #[serde(with = "chrono::serde::ts_seconds_option")]
    pub watermark: Option<DateTime<Utc>>,
    /// The width hint for the next window, in seconds.
    pub window_secs: i64,
    /// The next batch's window once it has been sized; kept across its retries.
    pub current: Option<Window>,
    /// Failed attempts of the next batch.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// Failed ranges queued for another try (processed before new windows).
    pub retry_queue: Vec<Window>,
    /// Permanently failed ranges.
    pub failed_ranges: Vec<FailedRange>,
    /// The current claim, if any.
    pub lease: Option<Lease>,
    /// Batch counters.
    pub counters: Counters,
}

impl Checkpoint {
    /// A checkpoint nothing has been written to (version 0, not started).
    pub fn new(tenant: &str, stream: &str, window_secs: i64) -> Checkpoint {
        Checkpoint {
            tenant: tenant.to_owned(),
            stream: stream.to_owned(),
            version: 0,
            status: SyncStatus::NotStarted,
            watermark: None,
            window_secs,
            current: None,
            attempts: 0,
            last_error: None,
            retry_queue: Vec::new(),
            failed_ranges: Vec::new(),
            lease: None,
            counters: Counters::default(),
        }
    }

    /// Whether someone other than `owner` holds an unexpired lease at `now`.
    pub fn leased_to_other(&self, owner: &str, now: DateTime<Utc>) -> Option<&Lease> {
        self.lease
            .as_ref()
            .filter(|lease| lease.owner != owner && lease.expires_at > now)
    }
}

/// A checkpoint store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stored version was not the expected one: another worker wrote in between.
    #[error("checkpoint {tenant}/{stream}: version conflict (another worker wrote it)")]
    Conflict {
        /// The tenant.
        tenant: String,
        /// The stream.
        stream: String,
    },
    /// The store could not be read or written.
    #[error("checkpoint store {operation} failed: {source}")]
    Backend {
        /// The operation.
        operation: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored checkpoint could not be decoded.
    #[error("checkpoint {tenant}/{stream} is unreadable: {reason}")]
    Corrupt {
        /// The tenant.
        tenant: String,
        /// The stream.
        stream: String,
        /// Why.
        reason: String,
    },
}

/// Keeps checkpoints with compare-and-set writes.
///
/// `put` must be atomic and conditional: with `expected: None` it succeeds only if no
/// checkpoint exists for the tenant + stream, with `Some(v)` only if the stored version is
/// `v`; otherwise it returns [`StoreError::Conflict`]. Callers write `checkpoint.version =
/// v + 1`. Reads must be strongly consistent.
pub trait CheckpointStore: Send + Sync {
    /// The checkpoint of `tenant` + `stream`, if one was written.
    fn get(
        &self,
        tenant: &str,
        stream: &str,
    ) -> impl Future<Output = Result<Option<Checkpoint>, StoreError>> + Send;

    /// Writes `checkpoint` if the stored version is `expected`.
    fn put(
        &self,
        checkpoint: &Checkpoint,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every checkpoint of `tenant`.
    fn list(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<Checkpoint>, StoreError>> + Send;
}

/// A shared store.
impl<T: CheckpointStore + ?Sized> CheckpointStore for std::sync::Arc<T> {
    fn get(
        &self,
        tenant: &str,
        stream: &str,
    ) -> impl Future<Output = Result<Option<Checkpoint>, StoreError>> + Send {
        (**self).get(tenant, stream)
    }

    fn put(
        &self,
        checkpoint: &Checkpoint,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).put(checkpoint, expected)
    }

    fn list(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<Checkpoint>, StoreError>> + Send {
        (**self).list(tenant)
    }
}
