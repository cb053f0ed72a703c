//! A generic SQS batch handler for Lambda functions fed by an SQS event
//! source mapping with `FunctionResponseTypes: [ReportBatchItemFailures]`
//! (what cfn-gen's `WorkQueue` and notification channels emit).
//!
//! You write what one record needs, a [`RecordHandler`] (or a closure with
//! [`json_handler`]); a [`BatchProcessor`] runs it over every record of a
//! batch and answers the partial batch response:
//!
//! - **Typed records.** [`RecordHandler::decode`] turns the body into your
//!   type; a body that does not decode is a *poisoned* message, a permanent
//!   failure.
//! - **Partial batch failures.** Only the records that failed are reported
//!   (`batchItemFailures`); the others are deleted from the queue. SQS makes
//!   the failed ones visible again after the visibility timeout, and the
//!   queue's redrive policy moves a message to the dead-letter queue after
//!   `maxReceiveCount` receives.
//! - **FIFO order kept on failure.** On a FIFO queue, once a record of a
//!   message group fails, every later record of that group in the batch is
//!   reported failed without being attempted, so the group is retried in
//!   order ([`Outcome::NotAttempted`]).
//! - **Transient vs permanent.** Your error type says which it is
//!   ([`Failure::is_transient`]). A transient failure (throttling, a 5xx, a
//!   time-out) is retried. A permanent one (a malformed message, a 4xx) will
//!   fail again: it is offered to [`RecordHandler::dead_letter`]; when that
//!   sends it to the dead-letter queue itself and answers `true`, the record
//!   is reported processed and leaves the queue at once
//!   ([`Outcome::DeadLettered`]); by default it is reported failed and SQS
//!   dead-letters it after `maxReceiveCount` receives.
//! - **Dedup.** A key per record ([`RecordHandler::dedup_key`], by default
//!   the SQS message id; use the provider's event id for webhooks) is
//!   remembered once processed, in a bounded set per container: a duplicate
//!   reaching a warm container is skipped. For dedup across containers,
//!   check a durable store in your handler and answer
//!   [`Handled::Duplicate`].
//!
//! Logs carry message ids, keys, groups and receive counts, never a body.
//!
//! Why a crate of its own: it depends on the Lambda event types and serde
//! only, so a worker does not pay for SDK crates it does not call, and the
//! notifiers (which have their own SDK needs) share it.
//!
//! ```
//! use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
//! use cloud_cron_sqs_batch::{json_handler, BatchProcessor, RecordError};
//!
//! #[derive(serde::Deserialize)]
//! struct Entry { id: String, hours: f64 }
//!
//! # tokio_test_block_on(async {
//! let processor = BatchProcessor::new();
//! let handler = json_handler(|_meta, entry: Entry| async move {
//!     if entry.hours < 0.0 {
//!         return Err(RecordError::permanent(format!("entry {}: negative hours", entry.id)));
//!     }
//!     Ok(()) // store it
//! });
//! let mut good = SqsMessage::default();
//! good.message_id = Some("m1".into());
//! good.body = Some(r#"{"id":"e1","hours":2.5}"#.into());
//! let mut bad = SqsMessage::default();
//! bad.message_id = Some("m2".into());
//! bad.body = Some(r#"{"id":"e2","hours":-1}"#.into());
//! let mut event = SqsEvent::default();
//! event.records = vec![good, bad];
//!
//! let response = processor.process(&handler, &event).await.response();
//! assert_eq!(response.batch_item_failures.len(), 1);
//! assert_eq!(response.batch_item_failures[0].item_identifier, "m2");
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
//! # }
//! ```

mod handler;
mod json;
mod processor;
mod report;
mod seen;

pub use handler::{Failure, Handled, Message, MessageMeta, RecordHandler};
pub use json::{json_handler, JsonHandler, RecordError};
pub use processor::{BatchProcessor, DEFAULT_SEEN_CAPACITY};
pub use report::{BatchReport, DuplicateOf, Outcome, RecordReport};

/// The Lambda event and response types the handler works with.
pub use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
