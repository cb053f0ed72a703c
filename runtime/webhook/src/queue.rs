//! [`Queue`]: where an accepted webhook goes, and [`SqsQueue`], the SQS work
//! queue (standard or FIFO, told apart by the `.fifo` URL).

use std::collections::BTreeMap;
use std::future::Future;

use aws_config::SdkConfig;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::MessageAttributeValue;

/// One message for the work queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    /// The request body (base64 when it was not UTF-8).
    pub body: String,
    /// `String` message attributes (see [`cloud_cron_contract::webhook::attributes`]).
    pub attributes: BTreeMap<String, String>,
    /// FIFO only: the `MessageGroupId`.
    pub group_id: Option<String>,
    /// FIFO only: the `MessageDeduplicationId` (the event id).
    pub dedup_id: Option<String>,
}

/// `SendMessage` failed. The message says why; it never holds the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SendMessage to {queue} failed: {message}")]
pub struct QueueError {
    /// The queue.
    pub queue: String,
    /// Why.
    pub message: String,
}

/// A work queue.
pub trait Queue: Send + Sync {
    /// Whether messages need a group and a deduplication id.
    fn is_fifo(&self) -> bool;

    /// Sends `message`; the queue's message id on success.
    fn send(
        &self,
        message: QueueMessage,
    ) -> impl Future<Output = Result<String, QueueError>> + Send;
}

/// An SQS queue.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsQueue {
    /// The queue at `url`, with a client built from `sdk`.
    pub fn new(url: impl Into<String>, sdk: &SdkConfig) -> SqsQueue {
        SqsQueue {
            client: aws_sdk_sqs::Client::new(sdk),
            url: url.into(),
        }
    }

    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Queue for SqsQueue {
    fn is_fifo(&self) -> bool {
        self.url.ends_with(".fifo")
    }

    async fn send(&self, message: QueueMessage) -> Result<String, QueueError> {
        let error = |message: String| QueueError {
            queue: self.url.clone(),
            message,
        };
        let mut request = self
            .client
            .send_message()
            .queue_url(&self.url)
            .message_body(message.body)
            .set_message_group_id(message.group_id)
            .set_message_deduplication_id(message.dedup_id);
        for (name, value) in message.attributes {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| error(e.to_string()))?;
            request = request.message_attributes(name, value);
        }
        let output = request
            .send()
            .await
            .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
        Ok(output.message_id.unwrap_or_default())
    }
}
