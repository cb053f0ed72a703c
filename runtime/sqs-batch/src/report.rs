//! [`BatchReport`]: what happened to each record of a batch, and the
//! partial batch response Lambda is answered with.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};

/// Where a duplicate was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateOf {
    /// This container processed the key before.
    Memory,
    /// The handler said so ([`Handled::Duplicate`](crate::Handled::Duplicate)).
    Handler,
}

/// What happened to one record.
#[derive(Debug)]
pub enum Outcome<E> {
    /// Processed now.
    Processed,
    /// Processed before; skipped (reported as processed).
    Duplicate(DuplicateOf),
    /// Failed permanently and the handler sent it to the dead-letter queue
    /// itself (reported as processed, so it leaves the queue).
    DeadLettered(E),
    /// Failed; reported as a batch item failure.
    Failed(E),
    /// Not attempted: an earlier record of the same FIFO message group
    /// failed in this batch. Reported as a batch item failure, so the group
    /// is retried in order.
    NotAttempted {
        /// The message group.
        group: String,
        /// The SQS message id of the record that failed.
        failed_message_id: String,
    },
}

impl<E> Outcome<E> {
    /// Whether the record is reported as a batch item failure.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::NotAttempted { .. })
    }
}

/// One record's result.
#[derive(Debug)]
pub struct RecordReport<E> {
    /// The SQS message id (empty when the record had none).
    pub message_id: String,
    /// The dedup key, when the body decoded.
    pub key: Option<String>,
    /// What happened.
    pub outcome: Outcome<E>,
}

/// The result of one batch, record by record in the event's order.
#[derive(Debug)]
pub struct BatchReport<E> {
    /// One entry per record.
    pub records: Vec<RecordReport<E>>,
}

impl<E> Default for BatchReport<E> {
    fn default() -> Self {
        BatchReport {
            records: Vec::new(),
        }
    }
}

impl<E> BatchReport<E> {
    /// The Lambda response: every failed record's message id, in order. A
    /// record without a message id is reported with an empty identifier,
    /// which makes Lambda retry the whole batch rather than drop it.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = self
            .records
            .iter()
            .filter(|r| r.outcome.is_failure())
            .map(|r| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = r.message_id.clone();
                failure
            })
            .collect();
        response
    }

    /// How many records were processed now.
    pub fn processed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Processed))
    }

    /// How many records were skipped as duplicates.
    pub fn duplicates(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Duplicate(_)))
    }

    /// How many records the handler dead-lettered itself.
    pub fn dead_lettered(&self) -> usize {
        self.count(|o| matches!(o, Outcome::DeadLettered(_)))
    }

    /// How many records are reported failed.
    pub fn failed(&self) -> usize {
        self.count(Outcome::is_failure)
    }

    fn count(&self, f: impl Fn(&Outcome<E>) -> bool) -> usize {
        self.records.iter().filter(|r| f(&r.outcome)).count()
    }
}
