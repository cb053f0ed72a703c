//! [`BatchProcessor`]: runs a [`RecordHandler`] over the records of an
//! [`SqsEvent`], one after another in the event's order, keeping FIFO
//! groups in order on failure, skipping duplicates, offering permanent
//! failures to the handler's dead-letter hook, and logging each record.

use std::sync::Mutex;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::handler::{Failure, Handled, Message, RecordHandler};
use crate::report::{BatchReport, DuplicateOf, Outcome, RecordReport};
use crate::seen::SeenKeys;

/// How many processed keys a container remembers by default.
pub const DEFAULT_SEEN_CAPACITY: usize = 10_000;

/// The state a container keeps between batches (the dedup keys it has
/// processed) and how records are logged. Build one per container and call
/// [`process`](BatchProcessor::process) (or [`handle`](BatchProcessor::handle))
/// for every event; the handler is passed per call, so it may borrow what
/// only that invocation has (its deadline).
#[derive(Debug)]
pub struct BatchProcessor {
    seen: Mutex<SeenKeys>,
    processed_log: &'static str,
}

impl Default for BatchProcessor {
    fn default() -> Self {
        BatchProcessor::new()
    }
}

impl BatchProcessor {
    /// A processor remembering [`DEFAULT_SEEN_CAPACITY`] keys.
    pub fn new() -> BatchProcessor {
        BatchProcessor {
            seen: Mutex::new(SeenKeys::new(DEFAULT_SEEN_CAPACITY)),
            processed_log: "processed",
        }
    }

    /// How many processed keys the container remembers (0 turns the
    /// in-memory dedup off).
    pub fn with_seen_capacity(mut self, capacity: usize) -> BatchProcessor {
        self.seen = Mutex::new(SeenKeys::new(capacity));
        self
    }

    /// The log message of a processed record (default `processed`; the
    /// notifiers say `delivered`).
    pub fn with_processed_log(mut self, message: &'static str) -> BatchProcessor {
        self.processed_log = message;
        self
    }

    /// Processes `event` and returns the Lambda response.
    pub async fn handle<H: RecordHandler>(
        &self,
        handler: &H,
        event: &SqsEvent,
    ) -> SqsBatchResponse {
        self.process(handler, event).await.response()
    }

    /// Processes every record of `event` (see the crate docs).
    pub async fn process<H: RecordHandler>(
        &self,
        handler: &H,
        event: &SqsEvent,
    ) -> BatchReport<H::Error> {
        let mut report = BatchReport::default();
        // FIFO groups with a failure in this batch, and the record that failed.
        let mut failed_groups: Vec<(String, String)> = Vec::new();
        for record in &event.records {
            let message = Message::of(record);
            let earlier_failure = message.group.and_then(|g| {
                failed_groups
                    .iter()
                    .find(|(failed, _)| failed == g)
                    .map(|(_, id)| id.clone())
            });
            let (key, outcome) = match (earlier_failure, message.group) {
                (Some(failed_message_id), Some(group)) => (
                    None,
                    Outcome::NotAttempted {
                        group: group.to_owned(),
                        failed_message_id,
                    },
                ),
                _ => self.process_record(handler, &message).await,
            };
            self.log(&message, key.as_deref(), &outcome);
            if let (true, Some(group)) = (outcome.is_failure(), message.group) {
                if !failed_groups.iter().any(|(g, _)| g == group) {
                    failed_groups.push((group.to_owned(), message.message_id.to_owned()));
                }
            }
            report.records.push(RecordReport {
                message_id: message.message_id.to_owned(),
                key,
                outcome,
            });
        }
        tracing::info!(
            records = report.records.len(),
            processed = report.processed(),
            duplicates = report.duplicates(),
            dead_lettered = report.dead_lettered(),
            failed = report.failed(),
            "batch processed"
        );
        report
    }

    async fn process_record<H: RecordHandler>(
        &self,
        handler: &H,
        message: &Message<'_>,
    ) -> (Option<String>, Outcome<H::Error>) {
        let body = match handler.decode(message) {
            Ok(body) => body,
            Err(e) => return (None, self.failed(handler, message, e).await),
        };
        let key = handler.dedup_key(message, &body);
        if key.as_deref().is_some_and(|k| self.seen().contains(k)) {
            return (key, Outcome::Duplicate(DuplicateOf::Memory));
        }
        // Boxed: handler futures (SDK calls) nest deeply, and a binary's
        // `main` would otherwise need a higher `recursion_limit`.
        let outcome = match Box::pin(handler.handle(message, body)).await {
            Ok(handled) => {
                if let Some(k) = &key {
                    self.seen().insert(k);
                }
                match handled {
                    Handled::Processed => Outcome::Processed,
                    Handled::Duplicate => Outcome::Duplicate(DuplicateOf::Handler),
                }
            }
            Err(e) => self.failed(handler, message, e).await,
        };
        (key, outcome)
    }

    /// A failure: a permanent one is offered to the handler's dead-letter hook.
    async fn failed<H: RecordHandler>(
        &self,
        handler: &H,
        message: &Message<'_>,
        error: H::Error,
    ) -> Outcome<H::Error> {
        if !error.is_transient() && Box::pin(handler.dead_letter(message, &error)).await {
            return Outcome::DeadLettered(error);
        }
        Outcome::Failed(error)
    }

    fn log<E: Failure>(&self, message: &Message<'_>, key: Option<&str>, outcome: &Outcome<E>) {
        let message_id = message.message_id;
        let key = key.unwrap_or("-");
        let group = message.group.unwrap_or("-");
        let receive_count = message.receive_count;
        match outcome {
            Outcome::Processed => {
                tracing::info!(message_id, key, group, "{}", self.processed_log)
            }
            Outcome::Duplicate(of) => tracing::info!(
                message_id,
                key,
                group,
                dedup = match of {
                    DuplicateOf::Memory => "memory",
                    DuplicateOf::Handler => "handler",
                },
                "duplicate of a processed message: skipped"
            ),
            Outcome::DeadLettered(error) => tracing::error!(
                message_id, key, group, receive_count, error = %error,
                "permanent failure: sent to the dead-letter queue by the handler, removed from the queue"
            ),
            Outcome::NotAttempted {
                failed_message_id, ..
            } => tracing::warn!(
                message_id, group, receive_count, failed_message_id = %failed_message_id,
                "not attempted: an earlier message of its FIFO group failed in this batch; reported as a batch item failure so the group is retried in order"
            ),
            Outcome::Failed(error) if error.is_transient() => tracing::warn!(
                message_id, key, group, receive_count, error = %error,
                "transient failure: reported as a batch item failure; SQS retries it after the visibility timeout"
            ),
            Outcome::Failed(error) => tracing::error!(
                message_id, key, group, receive_count, error = %error,
                "permanent failure: reported as a batch item failure; retrying will not help, it will be dead-lettered after maxReceiveCount"
            ),
        }
        if message_id.is_empty() {
            tracing::error!("an SQS record has no messageId: the whole batch is reported failed so nothing is dropped");
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, SeenKeys> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}
