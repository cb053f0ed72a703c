//! The scheduled dispatcher: one message per tenant with work, skipping tenants a worker
//! holds (its chain of continuations carries on).

use chrono::{DateTime, Utc};

use crate::checkpoint::{CheckpointStore, StoreError};
use crate::config::SyncConfig;
use crate::pipeline::fingerprint;
use crate::pipeline::queue::{QueueError, WorkQueue};
use crate::worker::has_work;

/// What the dispatcher did with one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dispatched {
    /// A message was sent (or deduplicated by the queue: same fingerprint).
    Enqueued {
        /// The deduplication fingerprint.
        fingerprint: u64,
    },
    /// A worker holds one of the tenant's streams.
    Busy,
    /// Every stream is caught up.
    Idle,
}

/// The dispatcher could not read a checkpoint or send a message.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// The checkpoint store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Enqueues each of `tenants` that has work on any of `streams` at `now` and is not
/// held by a worker. Every tenant is tried; the first error is returned after all were
/// (so one failing tenant does not starve the others).
pub async fn dispatch<C: CheckpointStore, Q: WorkQueue>(
    store: &C,
    queue: &Q,
    tenants: &[String],
    streams: &[String],
    config: &SyncConfig,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Dispatched)>, DispatchError> {
    let mut results = Vec::with_capacity(tenants.len());
    let mut first_error = None;
    for tenant in tenants {
        match dispatch_one(store, queue, tenant, streams, config, now).await {
            Ok(outcome) => results.push((tenant.clone(), outcome)),
            Err(error) => {
                tracing::error!(tenant, error = %error, "sync dispatch failed");
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(results),
    }
}

async fn dispatch_one<C: CheckpointStore, Q: WorkQueue>(
    store: &C,
    queue: &Q,
    tenant: &str,
    streams: &[String],
    config: &SyncConfig,
    now: DateTime<Utc>,
) -> Result<Dispatched, DispatchError> {
    let checkpoints = store.list(tenant).await?;
    if checkpoints.iter().any(|checkpoint| {
        checkpoint
            .lease
            .as_ref()
            .is_some_and(|l| l.expires_at > now)
    }) {
        return Ok(Dispatched::Busy);
    }
    let work = streams.iter().any(|stream| {
        let checkpoint = checkpoints.iter().find(|c| &c.stream == stream);
        has_work(config, checkpoint, now)
    });
    if !work {
        return Ok(Dispatched::Idle);
    }
    let fingerprint = fingerprint(&checkpoints);
    queue.send(tenant, fingerprint).await?;
    Ok(Dispatched::Enqueued { fingerprint })
}
