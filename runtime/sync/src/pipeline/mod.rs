//! The serverless pipeline around [`SyncWorker`](crate::SyncWorker), as cfn-gen's
//! `SyncPipeline` deploys it: a scheduled [`dispatch`] enqueues one message per tenant
//! with work on a FIFO queue grouped by tenant; the queue's consumer ([`work`]) runs the
//! tenant's next batch of each stream and re-enqueues the tenant while work remains; the
//! status endpoint ([`status`]) reports a tenant's progress. [`lambda`] runs whichever of
//! the three the function is (`CLOUDCRON_SYNC_ROLE`), configured by [`PipelineEnv`].
//!
//! Messages: group id = tenant (one batch at a time per tenant, tenants in parallel),
//! deduplication id = tenant + the sum of the tenant's checkpoint versions
//! ([`fingerprint`]): a dispatcher tick and a worker's continuation that saw the same
//! state send one message; a tenant whose lease is held is not dispatched (its worker
//! carries on).

pub mod dispatch;
mod env;
pub mod lambda;
mod queue;
pub mod status;
pub mod work;

pub use env::{EnvError, PipelineEnv};
pub use queue::{MemoryWorkQueue, QueueError, SqsWorkQueue, WorkQueue};

use crate::checkpoint::Checkpoint;

/// The deduplication fingerprint of a tenant's state: the sum of its checkpoints'
/// versions (every checkpoint write bumps one, so it only grows).
pub fn fingerprint(checkpoints: &[Checkpoint]) -> u64 {
    checkpoints.iter().fold(0u64, |sum, checkpoint| {
        sum.saturating_add(checkpoint.version)
    })
}
