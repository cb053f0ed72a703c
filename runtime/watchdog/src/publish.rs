//! Owns delivering findings to the ops topic: one SNS message per finding,
//! the subject saying what happened, the [`WatchdogFinding`] JSON as the body,
//! and its stable id as the `cloudcron.dedup-id` attribute (and as the
//! deduplication id on a FIFO topic), so a retried watchdog run is
//! recognisable downstream.

use std::future::Future;

use aws_sdk_sns::types::MessageAttributeValue;
use cloud_cron_contract::watchdog::WatchdogFinding;
use cloud_cron_contract::DEDUP_ID_ATTRIBUTE;

use crate::error::WatchdogError;
use crate::sdk::error_chain;

/// Sends one finding somewhere.
pub trait Publisher {
    /// Publishes `finding` with `subject`.
    fn publish(
        &self,
        finding: &WatchdogFinding,
        subject: &str,
    ) -> impl Future<Output = Result<(), WatchdogError>> + Send;
}

/// [`Publisher`] to an SNS topic.
#[derive(Debug, Clone)]
pub struct SnsPublisher {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsPublisher {
    /// Publishes to `topic_arn` through `client`.
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

impl Publisher for SnsPublisher {
    async fn publish(&self, finding: &WatchdogFinding, subject: &str) -> Result<(), WatchdogError> {
        let failed = |message: String| WatchdogError::Publish {
            id: finding.id.clone(),
            message,
        };
        let body = serde_json::to_string(finding).map_err(|e| failed(e.to_string()))?;
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(&finding.id)
            .build()
            .map_err(|e| failed(error_chain(&e)))?;
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(subject)
            .message(body)
            .message_attributes(DEDUP_ID_ATTRIBUTE, attribute);
        if self.topic_arn.ends_with(".fifo") {
            request = request
                .message_group_id(&finding.function)
                .message_deduplication_id(&finding.id);
        }
        request.send().await.map_err(|e| failed(error_chain(&e)))?;
        Ok(())
    }
}
