//! [`RecordHandler`]: what a worker does with one SQS record, and the
//! types it speaks: the record's [`Message`] metadata, what it answers
//! ([`Handled`]), and how its errors are classified ([`Failure`]).

use std::future::Future;

use aws_lambda_events::event::sqs::SqsMessage;

/// The SQS record attribute holding a FIFO message's group.
const MESSAGE_GROUP_ID: &str = "MessageGroupId";

/// The SQS record attribute counting receives.
const RECEIVE_COUNT: &str = "ApproximateReceiveCount";

/// How an error of a record is classified.
pub trait Failure: std::fmt::Display {
    /// Whether a retry may succeed without any change (throttling, a 5xx,
    /// a time-out). A permanent failure (a malformed message, a 4xx) is
    /// offered to [`RecordHandler::dead_letter`].
    fn is_transient(&self) -> bool;
}

/// What a handler did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Processed now.
    Processed,
    /// Processed before (the handler's own durable dedup said so): skipped.
    Duplicate,
}

/// One record's metadata, as the handler sees it.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The SQS message id (empty when the record has none).
    pub message_id: &'a str,
    /// The FIFO message group (`None` on a standard queue).
    pub group: Option<&'a str>,
    /// How many times SQS has delivered it, this time included (0 when unknown).
    pub receive_count: u32,
    /// The whole record: attributes, message attributes, body.
    pub record: &'a SqsMessage,
}

/// A record's metadata, owned (what a [`json_handler`](crate::json_handler)
/// function gets, so its future may keep it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    /// The SQS message id (empty when the record has none).
    pub message_id: String,
    /// The FIFO message group (`None` on a standard queue).
    pub group: Option<String>,
    /// How many times SQS has delivered it, this time included (0 when unknown).
    pub receive_count: u32,
}

impl<'a> Message<'a> {
    /// The metadata, owned.
    pub fn meta(&self) -> MessageMeta {
        MessageMeta {
            message_id: self.message_id.to_owned(),
            group: self.group.map(str::to_owned),
            receive_count: self.receive_count,
        }
    }

    /// The metadata of `record`.
    pub fn of(record: &'a SqsMessage) -> Message<'a> {
        Message {
            message_id: record.message_id.as_deref().unwrap_or_default(),
            group: record
                .attributes
                .get(MESSAGE_GROUP_ID)
                .map(String::as_str)
                .filter(|g| !g.is_empty()),
            receive_count: record
                .attributes
                .get(RECEIVE_COUNT)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            record,
        }
    }

    /// The body (empty when the record has none).
    pub fn body(&self) -> &'a str {
        self.record.body.as_deref().unwrap_or_default()
    }

    /// A `String` message attribute (e.g. `cloudcron.webhook.event-id`).
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.record
            .message_attributes
            .get(name)
            .and_then(|a| a.string_value.as_deref())
    }
}

/// What to do with one record. Implement it for a worker with several
/// steps or its own decoding; for a JSON body and one async function,
/// [`json_handler`](crate::json_handler) is enough.
pub trait RecordHandler: Sync {
    /// The record's body, decoded.
    type Body: Send;
    /// Why a record failed.
    type Error: Failure + Send;

    /// Decodes the body. An error here is a poisoned message: say it is
    /// permanent, and never quote the body in it.
    fn decode(&self, message: &Message<'_>) -> Result<Self::Body, Self::Error>;

    /// The key a duplicate shares with its original (the provider's event
    /// id, an envelope id); `None` turns dedup off for the record. Default:
    /// the SQS message id, which catches SQS's own redeliveries.
    fn dedup_key(&self, message: &Message<'_>, _body: &Self::Body) -> Option<String> {
        Some(message.message_id.to_owned()).filter(|id| !id.is_empty())
    }

    /// Processes one record.
    fn handle(
        &self,
        message: &Message<'_>,
        body: Self::Body,
    ) -> impl Future<Output = Result<Handled, Self::Error>> + Send;

    /// Offered each permanent failure: send the record to the dead-letter
    /// queue yourself (e.g. `SendMessage` to the queue's dead-letter queue)
    /// and answer `true`, and it is reported processed, leaving the queue
    /// without further retries. Default: `false`, reported failed, so SQS
    /// dead-letters it after `maxReceiveCount` receives.
    fn dead_letter(
        &self,
        _message: &Message<'_>,
        _error: &Self::Error,
    ) -> impl Future<Output = bool> + Send {
        std::future::ready(false)
    }
}
