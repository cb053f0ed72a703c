//! [`WorkQueue`]: where tenant messages go (the pipeline's FIFO queue), with
//! [`SqsWorkQueue`] for production and [`MemoryWorkQueue`] for tests.

use std::future::Future;
use std::sync::{Arc, Mutex};

use cloud_cron_contract::sync::{dedup_id, SyncMessage};

/// A message could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("sending the sync message of tenant {tenant} failed: {source}")]
pub struct QueueError {
    /// The tenant.
    pub tenant: String,
    /// The cause.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Sends tenant messages, grouped by tenant, deduplicated by [`dedup_id`].
pub trait WorkQueue: Send + Sync {
    /// Sends `tenant`'s message with deduplication fingerprint `fingerprint`.
    fn send(
        &self,
        tenant: &str,
        fingerprint: u64,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}

/// The pipeline's FIFO queue in SQS.
#[derive(Clone, Debug)]
pub struct SqsWorkQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsWorkQueue {
    /// The queue at `url`.
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        SqsWorkQueue {
            client,
            url: url.into(),
        }
    }

    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl WorkQueue for SqsWorkQueue {
    async fn send(&self, tenant: &str, fingerprint: u64) -> Result<(), QueueError> {
        let error = |source: Box<dyn std::error::Error + Send + Sync>| QueueError {
            tenant: tenant.to_owned(),
            source,
        };
        let body = serde_json::to_string(&SyncMessage {
            tenant: tenant.to_owned(),
            retry_failed: false,
        })
        .map_err(|e| error(Box::new(e)))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .message_group_id(tenant)
            .message_deduplication_id(dedup_id(tenant, fingerprint))
            .send()
            .await
            .map_err(|e| error(Box::new(aws_sdk_sqs::Error::from(e))))?;
        Ok(())
    }
}

/// Messages kept in memory (tests): `(tenant, deduplication id)` in send order, with
/// FIFO deduplication (a repeated id is dropped).
#[derive(Clone, Debug, Default)]
pub struct MemoryWorkQueue {
    sent: Arc<Mutex<Vec<(String, String)>>>,
}

impl MemoryWorkQueue {
    /// Every message accepted, in order.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent
            .lock()
            .map(|sent| sent.clone())
            .unwrap_or_default()
    }

    /// Removes and returns the accepted messages.
    pub fn take(&self) -> Vec<(String, String)> {
        self.sent
            .lock()
            .map(|mut sent| std::mem::take(&mut *sent))
            .unwrap_or_default()
    }
}

impl WorkQueue for MemoryWorkQueue {
    async fn send(&self, tenant: &str, fingerprint: u64) -> Result<(), QueueError> {
        let id = dedup_id(tenant, fingerprint);
        if let Ok(mut sent) = self.sent.lock() {
            if !sent.iter().any(|(_, existing)| *existing == id) {
                sent.push((tenant.to_owned(), id));
            }
        }
        Ok(())
    }
}
