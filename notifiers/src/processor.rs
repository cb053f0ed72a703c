//! [`Notifier`]: the SQS batch processor every notifier binary runs, a
//! channel's [`RecordHandler`] run by the generic
//! [`BatchProcessor`](cloud_cron_sqs_batch::BatchProcessor), which owns the
//! FIFO ordering, the in-memory dedup, the partial batch response and the
//! per-record logs.
//!
//! For each record of an [`SqsEvent`] (in order; the records of one batch
//! are processed one after another):
//!
//! 1. **FIFO order.** On a FIFO queue (Lambda gives every FIFO record a
//!    `MessageGroupId` attribute), once a record fails,
//!    every later record of the same message group in the batch fails too,
//!    without being attempted, so the group is retried in order.
//! 2. **Parse** the body, a raw SNS delivery of the runtime's envelope, of
//!    a one-off schedule's input (read as an envelope whose id is the
//!    firing's, so a duplicate delivery of one firing is one message), or
//!    of an alarm message (a CloudWatch alarm notification or a watchdog
//!    finding on the ops topic) ([`parse_message`]). Anything else fails
//!    permanently and ends in the dead-letter queue.
//! 3. **Dedup in memory.** An envelope id this container delivered before
//!    (a bounded set, [`DEFAULT_SEEN_CAPACITY`] ids) is skipped: a standard
//!    queue's duplicate reaching a warm container is delivered once.
//! 4. **Render** the channel's templates ([`Templates::render`]), or for an
//!    alarm its alarm templates ([`Templates::render_alarm`],
//!    [`Notifier::with_alarm_templates`]).
//! 5. **Dedup durably** (when `CLOUDCRON_DEDUP_TABLE` is set): a conditional
//!    DynamoDB write on [`delivery_key`]`(id)`, the record shape of the
//!    runtime's [`IdempotencyStore`]: an id delivered before (by any
//!    container, within the record's TTL) is skipped; one being delivered by
//!    another invocation right now fails transiently and is retried.
//! 6. **Deliver** through the [`Channel`], then mark the id delivered.
//!
//! Every failure is reported in the [`SqsBatchResponse`]'s
//! `batchItemFailures` (the event source mapping needs
//! `FunctionResponseTypes: [ReportBatchItemFailures]`), so nothing is dropped:
//! SQS makes the record visible again after its visibility timeout, and the
//! queue's redrive policy moves it to the dead-letter queue after
//! `maxReceiveCount` receives. Failures are logged as *transient* (throttling,
//! 5xx, time-outs, a template source or DynamoDB hiccup: a retry may pass) or
//! *permanent* (a malformed message, a template error, a 4xx: it will be
//! dead-lettered after `maxReceiveCount`). Logs carry message ids, envelope
//! ids, task and topic, never a body, a payload or a secret.

use std::time::SystemTime;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use cloud_cron_contract::notifier::delivery_key;
use cloud_cron_runtime::idempotency::{Decision, Guard, IdempotencyError, IdempotencyStore};
use cloud_cron_sqs_batch as batch;
use cloud_cron_sqs_batch::{BatchProcessor, Failure, Handled, Message as SqsRecord, RecordHandler};

use crate::delivery::{Channel, Delivery, DeliveryError, Rendered};
use crate::message::{parse_message, MalformedMessage, Message};
use crate::render::{RenderError, Templates};

/// How many delivered envelope ids a container remembers by default.
pub const DEFAULT_SEEN_CAPACITY: usize = cloud_cron_sqs_batch::DEFAULT_SEEN_CAPACITY;

/// Why one record was not delivered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The body is not an envelope.
    #[error(transparent)]
    Malformed(#[from] MalformedMessage),
    /// A template failed for this message.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The channel failed to deliver.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// An alarm message reached a notifier built without alarm templates.
    #[error(
        "this notifier has no alarm templates, so it cannot render a CloudWatch alarm \
         notification or a watchdog finding; build it with Notifier::with_alarm_templates \
         (the notifier binaries do, with the channel kind's defaults)"
    )]
    NoAlarmTemplates,
    /// The durable dedup table could not be consulted.
    #[error("delivery dedup table: {0}")]
    Dedup(#[from] IdempotencyError),
    /// Another invocation holds this message's delivery record right now
    /// (a standard queue's duplicate delivered concurrently).
    #[error(
        "another invocation is delivering this message now; retried after the visibility timeout"
    )]
    InProgressElsewhere,
    /// Not attempted: an earlier record of the same FIFO message group failed
    /// in this batch.
    #[error(
        "not attempted: an earlier message of FIFO group `{group}` ({failed_message_id}) failed \
         in this batch; the group is retried in order"
    )]
    EarlierInGroupFailed {
        /// The message group.
        group: String,
        /// The SQS message id of the record that failed.
        failed_message_id: String,
    },
}

impl ProcessError {
    /// Whether a retry may succeed without any change. Permanent failures
    /// still go back to the queue (and end in the dead-letter queue after
    /// `maxReceiveCount`); this only changes how they are logged.
    pub fn is_transient(&self) -> bool {
        match self {
            ProcessError::Malformed(_)
            | ProcessError::Render(_)
            | ProcessError::NoAlarmTemplates => false,
            ProcessError::Delivery(e) => e.is_transient(),
            ProcessError::Dedup(e) => {
                e.is_transient() || matches!(e, IdempotencyError::DeadlinePassed)
            }
            ProcessError::InProgressElsewhere | ProcessError::EarlierInGroupFailed { .. } => true,
        }
    }
}

impl Failure for ProcessError {
    fn is_transient(&self) -> bool {
        ProcessError::is_transient(self)
    }
}

/// Where a duplicate was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateOf {
    /// This container delivered the id before.
    Memory,
    /// The dedup table records the id as delivered.
    Table,
}

/// What happened to one record.
#[derive(Debug)]
pub enum Outcome {
    /// Delivered now.
    Delivered,
    /// Delivered before; skipped (reported as processed).
    Duplicate(DuplicateOf),
    /// Not delivered; reported as a batch item failure.
    Failed(ProcessError),
}

/// One record's result.
#[derive(Debug)]
pub struct RecordReport {
    /// The SQS message id (empty when the record had none).
    pub message_id: String,
    /// The envelope id, when the body parsed.
    pub envelope_id: Option<String>,
    /// What happened.
    pub outcome: Outcome,
}

/// The result of one batch, record by record in the event's order.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// One entry per record.
    pub records: Vec<RecordReport>,
}

impl BatchReport {
    /// The Lambda response: every failed record's message id, in order. A
    /// record without a message id is reported with an empty identifier,
    /// which makes Lambda retry the whole batch rather than drop it.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = self
            .records
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .map(|r| {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = r.message_id.clone();
                failure
            })
            .collect();
        response
    }

    /// How many records were delivered now.
    pub fn delivered(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Delivered))
    }

    /// How many records were skipped as duplicates.
    pub fn duplicates(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Duplicate(_)))
    }

    /// How many records failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.records.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// The batch processor of one channel: its [`Channel`], its compiled
/// [`Templates`], and the dedup state of the container. Build it once per
/// container ([`Notifier::from_env`] in a binary) and call
/// [`Notifier::handle`] for every event.
#[derive(Debug)]
pub struct Notifier<C> {
    channel: C,
    templates: Templates,
    alarm_templates: Option<Templates>,
    batch: BatchProcessor,
    store: Option<IdempotencyStore>,
}

impl<C: Channel> Notifier<C> {
    /// A processor delivering through `channel` with `templates`, without
    /// durable dedup, remembering [`DEFAULT_SEEN_CAPACITY`] ids.
    pub fn new(channel: C, templates: Templates) -> Notifier<C> {
        Notifier {
            channel,
            templates,
            alarm_templates: None,
            batch: batch_processor(DEFAULT_SEEN_CAPACITY),
            store: None,
        }
    }

    /// Renders alarm messages (CloudWatch alarm notifications, watchdog
    /// findings) with `templates` (compiled for
    /// [`MessageKind::Alarm`](cloud_cron_templates::MessageKind::Alarm), e.g.
    /// [`Templates::default_alarm`]); without them an alarm message fails
    /// permanently.
    pub fn with_alarm_templates(mut self, templates: Templates) -> Notifier<C> {
        self.alarm_templates = Some(templates);
        self
    }

    /// Adds durable dedup: delivery records in `store`'s table, keyed
    /// [`delivery_key`]`(id)`.
    pub fn with_dedup_store(mut self, store: IdempotencyStore) -> Notifier<C> {
        self.store = Some(store);
        self
    }

    /// How many delivered ids the container remembers (0 turns the
    /// in-memory dedup off).
    pub fn with_seen_capacity(mut self, capacity: usize) -> Notifier<C> {
        self.batch = batch_processor(capacity);
        self
    }

    /// The channel.
    pub fn channel(&self) -> &C {
        &self.channel
    }

    /// The templates.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The alarm templates, when set.
    pub fn alarm_templates(&self) -> Option<&Templates> {
        self.alarm_templates.as_ref()
    }

    /// Processes `event` and returns the Lambda response (see
    /// [`Notifier::process`]).
    pub async fn handle(&self, event: &SqsEvent, deadline: Option<SystemTime>) -> SqsBatchResponse {
        self.process(event, deadline).await.response()
    }

    /// Processes every record of `event` (see the module docs), with
    /// durable-dedup leases ending at `deadline` (the invocation's deadline;
    /// `None`: the store's default lease).
    pub async fn process(&self, event: &SqsEvent, deadline: Option<SystemTime>) -> BatchReport {
        let invocation = Invocation {
            notifier: self,
            deadline,
        };
        BatchReport::from(self.batch.process(&invocation, event).await)
    }

    fn render(&self, message: &Message) -> Result<Rendered, ProcessError> {
        match message {
            Message::Task(envelope) => Ok(self.templates.render(envelope)?),
            Message::Alarm(alarm) => {
                tracing::info!(
                    source = alarm.source().as_str(),
                    task = %alarm.envelope.task,
                    "alarm message"
                );
                let templates = self
                    .alarm_templates
                    .as_ref()
                    .ok_or(ProcessError::NoAlarmTemplates)?;
                Ok(templates.render_alarm(alarm)?)
            }
        }
    }

    /// Renders, claims the durable record and delivers one message (the
    /// in-memory dedup is the batch processor's).
    async fn deliver_once(
        &self,
        message: &Message,
        deadline: Option<SystemTime>,
    ) -> Result<Handled, ProcessError> {
        let envelope = message.envelope();
        let rendered = self.render(message)?;
        let guard = match self.claim(&envelope.id, deadline).await? {
            Claim::Proceed(guard) => guard,
            Claim::AlreadyDelivered => return Ok(Handled::Duplicate),
        };
        let delivery = Delivery {
            envelope,
            rendered: &rendered,
        };
        // Boxed, like the DynamoDB calls: SDK futures nest deeply, and a
        // binary's `main` would otherwise need a higher `recursion_limit`.
        match Box::pin(self.channel.deliver(delivery)).await {
            Ok(()) => {
                if let Some(guard) = guard {
                    if let Err(e) = Box::pin(guard.complete()).await {
                        // Delivered: report success. The record stays
                        // IN_PROGRESS until its lease ends; a duplicate
                        // after that may be delivered again.
                        tracing::warn!(envelope_id = %envelope.id, error = %e, "delivered, but the dedup record could not be completed");
                    }
                }
                Ok(Handled::Processed)
            }
            Err(e) => {
                if let Some(guard) = guard {
                    if let Err(release) = Box::pin(guard.release()).await {
                        tracing::warn!(envelope_id = %envelope.id, error = %release, "could not release the dedup record; a retry waits for its lease to end");
                    }
                }
                Err(e.into())
            }
        }
    }

    async fn claim(&self, id: &str, deadline: Option<SystemTime>) -> Result<Claim, ProcessError> {
        let Some(store) = &self.store else {
            return Ok(Claim::Proceed(None));
        };
        let key = delivery_key(id);
        let decision = match deadline {
            Some(deadline) => Box::pin(store.begin_key_until(&key, deadline)).await?,
            None => Box::pin(store.begin_key(&key)).await?,
        };
        match decision {
            Decision::Proceed(guard) => Ok(Claim::Proceed(Some(guard))),
            Decision::AlreadyCompleted => Ok(Claim::AlreadyDelivered),
            Decision::InProgressElsewhere { .. } => Err(ProcessError::InProgressElsewhere),
        }
    }
}

enum Claim {
    Proceed(Option<Guard>),
    AlreadyDelivered,
}

/// The generic processor as the notifiers use it: delivered records are
/// logged `delivered`.
fn batch_processor(seen_capacity: usize) -> BatchProcessor {
    BatchProcessor::new()
        .with_seen_capacity(seen_capacity)
        .with_processed_log("delivered")
}

/// One invocation of a notifier: the record handler the batch processor
/// runs, with the invocation's deadline.
struct Invocation<'a, C> {
    notifier: &'a Notifier<C>,
    deadline: Option<SystemTime>,
}

impl<C: Channel> RecordHandler for Invocation<'_, C> {
    type Body = Message;
    type Error = ProcessError;

    /// A task envelope, a CloudWatch alarm notification or a watchdog
    /// finding ([`parse_message`]).
    fn decode(&self, record: &SqsRecord<'_>) -> Result<Message, ProcessError> {
        Ok(parse_message(record.body())?)
    }

    /// The envelope id (an alarm's is derived from the alarm): SNS and SQS
    /// duplicates share it, not a message id.
    fn dedup_key(&self, _record: &SqsRecord<'_>, message: &Message) -> Option<String> {
        Some(message.envelope().id.clone())
    }

    async fn handle(
        &self,
        _record: &SqsRecord<'_>,
        message: Message,
    ) -> Result<Handled, ProcessError> {
        self.notifier.deliver_once(&message, self.deadline).await
    }
}

impl From<batch::BatchReport<ProcessError>> for BatchReport {
    fn from(report: batch::BatchReport<ProcessError>) -> BatchReport {
        let records = report
            .records
            .into_iter()
            .map(|r| RecordReport {
                message_id: r.message_id,
                envelope_id: r.key,
                outcome: match r.outcome {
                    batch::Outcome::Processed => Outcome::Delivered,
                    batch::Outcome::Duplicate(batch::DuplicateOf::Memory) => {
                        Outcome::Duplicate(DuplicateOf::Memory)
                    }
                    batch::Outcome::Duplicate(batch::DuplicateOf::Handler) => {
                        Outcome::Duplicate(DuplicateOf::Table)
                    }
                    // The notifiers send nothing to a dead-letter queue
                    // themselves (the hook answers `false`): SQS does.
                    batch::Outcome::DeadLettered(e) | batch::Outcome::Failed(e) => {
                        Outcome::Failed(e)
                    }
                    batch::Outcome::NotAttempted {
                        group,
                        failed_message_id,
                    } => Outcome::Failed(ProcessError::EarlierInGroupFailed {
                        group,
                        failed_message_id,
                    }),
                },
            })
            .collect();
        BatchReport { records }
    }
}
