//! The queue's consumer: for a tenant's message, one batch of each stream (in order), then
//! the tenant re-enqueued while work remains: the sub-minute cadence of a sync, without
//! waiting for the next dispatcher tick.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use cloud_cron_contract::sync::SyncMessage;

use crate::checkpoint::CheckpointStore;
use crate::pipeline::fingerprint;
use crate::pipeline::queue::{QueueError, WorkQueue};
use crate::sink::Sink;
use crate::source::Source;
use crate::worker::{StepOutcome, SyncError, SyncWorker};

/// A tenant's message could not be handled; SQS redelivers it.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The body is not a [`SyncMessage`].
    #[error("message {message_id} is not a sync message: {reason}")]
    BadMessage {
        /// The SQS message id.
        message_id: String,
        /// Why.
        reason: String,
    },
    /// A step could not run or record its result.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The continuation could not be enqueued.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// What handling one tenant's message did.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantRun {
    /// Each stream's step.
    pub outcomes: Vec<(String, StepOutcome)>,
    /// The tenant was re-enqueued (work remains), with this fingerprint.
    pub continued: Option<u64>,
}

/// Runs one step of each of `streams` for `tenant`, and re-enqueues the tenant if any
/// has more work.
pub async fn run_tenant<S: Source, K: Sink, C: CheckpointStore, Q: WorkQueue>(
    worker: &SyncWorker<S, K, C>,
    queue: &Q,
    tenant: &str,
    streams: &[String],
) -> Result<TenantRun, WorkError> {
    let mut outcomes = Vec::with_capacity(streams.len());
    for stream in streams {
        let outcome = worker.step(tenant, stream).await?;
        tracing::info!(tenant, stream, outcome = ?outcome, "sync step");
        outcomes.push((stream.clone(), outcome));
    }
    let more = outcomes.iter().any(|(_, outcome)| outcome.more_work());
    let continued = if more {
        let fingerprint = fingerprint(&worker.store().list(tenant).await.map_err(SyncError::from)?);
        queue.send(tenant, fingerprint).await?;
        Some(fingerprint)
    } else {
        None
    };
    Ok(TenantRun {
        outcomes,
        continued,
    })
}

/// Handles one tenant message: with `retryFailed`, first queues the tenant's permanently
/// failed ranges of every stream for another try ([`SyncWorker::retry_failed`]), then
/// [`run_tenant`]. Sent by an operator once the cause of the failures is fixed.
pub async fn handle_message<S: Source, K: Sink, C: CheckpointStore, Q: WorkQueue>(
    worker: &SyncWorker<S, K, C>,
    queue: &Q,
    message: &SyncMessage,
    streams: &[String],
) -> Result<TenantRun, WorkError> {
    if message.retry_failed {
        for stream in streams {
            let queued = worker.retry_failed(&message.tenant, stream).await?;
            tracing::info!(tenant = %message.tenant, stream, queued, "failed ranges queued for another try");
        }
    }
    run_tenant(worker, queue, &message.tenant, streams).await
}

/// Handles an SQS batch of tenant messages in order. A message that fails is reported
/// in `batchItemFailures` with every message after it (a FIFO queue must not run a
/// group's later messages before an earlier one), so SQS redelivers exactly those.
pub async fn handle_batch<S: Source, K: Sink, C: CheckpointStore, Q: WorkQueue>(
    worker: &SyncWorker<S, K, C>,
    queue: &Q,
    streams: &[String],
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut failed = false;
    for record in event.records {
        let message_id = record.message_id.clone().unwrap_or_default();
        if !failed {
            let result = match serde_json::from_str::<SyncMessage>(
                record.body.as_deref().unwrap_or_default(),
            ) {
                Ok(message) => handle_message(worker, queue, &message, streams)
                    .await
                    .map(|_| ()),
                Err(error) => Err(WorkError::BadMessage {
                    message_id: message_id.clone(),
                    reason: error.to_string(),
                }),
            };
            if let Err(error) = result {
                tracing::error!(message_id, error = %error, "sync message failed");
                failed = true;
            }
        }
        if failed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
