//! Incremental, windowed, resumable sync of records from a source system (Odoo) into a store
//! (DynamoDB), one batch per call, for scheduled and self-re-enqueueing Lambdas.
//!
//! * [`Source`]: counts and pages records of a stream in a window of modification time.
//!   [`odoo::OdooSource`] serves `sale.order`, `account.move` (invoices), `res.partner` and
//!   `hr.employee` (any model per stream) over `write_date`.
//! * [`Sink`]: idempotent upsert of a batch keyed by tenant + stream + record id.
//!   [`DynamoSink`] keeps the raw JSON and mapped fields.
//! * [`CheckpointStore`]: the per tenant + stream [`Checkpoint`] (watermark, status,
//!   attempts, last error, failed ranges, counters, lease), written with compare-and-set.
//!   [`DynamoCheckpointStore`] for production, [`memory::MemoryCheckpointStore`] for tests.
//! * [`SyncWorker::step`]: one batch (claim lease, size window, fetch pages, upsert,
//!   advance watermark, release) and whether more work remains.
//!
//! Guarantees: every record modified inside the synced range is upserted (ids unique per
//! batch, so no duplicates); the watermark only moves after a batch is fully written; at
//! most one worker holds a tenant + stream at a time; a batch failing `max_attempts` times
//! is recorded as a failed range and the sync moves on ([`SyncWorker::retry_failed`] queues
//! those again). Windows follow [`window`]'s rule; knobs are in [`SyncConfig`].
//!
//! [`pipeline`] is the serverless deployment cfn-gen's `SyncPipeline` makes of it: a
//! scheduled dispatcher, a FIFO queue grouped by tenant, a self-re-enqueueing worker and
//! a status endpoint.
//!
//! See [`SyncWorker`] for a runnable example with the in-memory implementations.

mod checkpoint;
mod config;
mod dynamo_checkpoint;
mod dynamo_sink;
pub mod memory;
pub mod odoo;
pub mod pipeline;
mod progress;
mod sink;
mod source;
pub mod window;
mod worker;

pub use checkpoint::{
    Checkpoint, CheckpointStore, Counters, FailedRange, Lease, StoreError, SyncStatus,
};
pub use config::{ConfigError, SyncConfig};
pub use dynamo_checkpoint::DynamoCheckpointStore;
pub use dynamo_sink::{DynamoSink, MAX_TRANSACTION_ITEMS};
pub use progress::Progress;
pub use sink::Sink;
pub use source::{BoxError, Page, Record, Source};
pub use window::{Window, WindowSizer};
pub use worker::{has_work, Clock, StepOutcome, SyncError, SyncWorker};
