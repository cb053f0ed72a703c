//! What the notifier tests share: SQS events shaped like Lambda's, envelopes
//! like the runtime's, a channel that records what it is given, and AWS
//! configuration for the moto servers `scripts/test` starts (dummy
//! credentials, so nothing can reach a real account).

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::SqsEvent;
use cloud_cron_contract::{dedup_id, Envelope};
use cloud_cron_notifiers::{Channel, Delivery, DeliveryError, Rendered};
use serde_json::{json, Value};

/// The general moto server (DynamoDB, SNS, SQS; other tests deploy Lambda
/// functions into it), and SDK configuration for a moto server.
pub use cloud_cron_test_support::{moto_endpoint, sdk_config};

/// The moto server without Lambda functions, whose `/moto-api/data.json`
/// shows the mail SES sent.
pub fn moto_ses_endpoint() -> String {
    std::env::var("CLOUDCRON_MOTO_SES_ENDPOINT")
        .expect("CLOUDCRON_MOTO_SES_ENDPOINT is not set: run these tests with scripts/test")
}

pub const SCHEDULE_ARN: &str =
    "arn:aws:scheduler:us-east-1:123456789012:schedule/default/daily-report";

/// The envelope the runtime would publish as the `ordinal`-th alert of the
/// run at `time`.
pub fn envelope(time: &str, ordinal: u32, payload: Value) -> Envelope<Value> {
    Envelope {
        cloud_cron: 1,
        id: dedup_id(SCHEDULE_ARN, time, "alerts", ordinal),
        task: "daily-report".into(),
        topic: "alerts".into(),
        schedule_arn: SCHEDULE_ARN.into(),
        scheduled_time: time.into(),
        ordinal,
        payload,
    }
}

/// One SQS record as Lambda passes it; `group` makes it a FIFO record.
pub fn record(message_id: &str, body: &str, group: Option<&str>) -> Value {
    let mut attributes = json!({
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1764309600000",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1764309600100",
    });
    let queue = match group {
        Some(group) => {
            attributes["MessageGroupId"] = json!(group);
            attributes["MessageDeduplicationId"] = json!(format!("dedup-{message_id}"));
            attributes["SequenceNumber"] = json!("18849496460467696128");
            "arn:aws:sqs:us-east-1:123456789012:alerts-email.fifo"
        }
        None => "arn:aws:sqs:us-east-1:123456789012:reports-email",
    };
    json!({
        "messageId": message_id,
        "receiptHandle": format!("receipt-{message_id}"),
        "body": body,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": queue,
        "awsRegion": "us-east-1",
    })
}

/// An SQS event of `records`, parsed from JSON as Lambda delivers it.
pub fn event(records: Vec<Value>) -> SqsEvent {
    serde_json::from_value(json!({ "Records": records })).expect("an SQS event")
}

/// The message ids a response reports failed.
pub fn failed_ids(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

/// A channel that records every delivery and fails the envelope ids it is told to.
#[derive(Default)]
pub struct Recording {
    pub delivered: Mutex<Vec<(String, Rendered)>>,
    pub attempts: Mutex<Vec<String>>,
    pub fail: Mutex<HashMap<String, DeliveryError>>,
}

impl Recording {
    pub fn fail_with(&self, envelope_id: &str, error: DeliveryError) {
        self.fail
            .lock()
            .expect("lock")
            .insert(envelope_id.to_owned(), error);
    }

    pub fn delivered_ids(&self) -> Vec<String> {
        self.delivered
            .lock()
            .expect("lock")
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn attempts(&self) -> Vec<String> {
        self.attempts.lock().expect("lock").clone()
    }
}

impl Channel for Recording {
    async fn deliver(&self, delivery: Delivery<'_>) -> Result<(), DeliveryError> {
        self.attempts
            .lock()
            .expect("lock")
            .push(delivery.id().to_owned());
        if let Some(error) = self.fail.lock().expect("lock").get(delivery.id()) {
            return Err(error.clone());
        }
        self.delivered
            .lock()
            .expect("lock")
            .push((delivery.id().to_owned(), delivery.rendered.clone()));
        Ok(())
    }
}

pub use cloud_cron_test_support::idempotency::idempotency_table;

/// Verifies `address` as an SES identity (moto rejects unverified senders).
pub async fn verify_sender(sdk: &SdkConfig, address: &str) {
    aws_sdk_sesv2::Client::new(sdk)
        .create_email_identity()
        .email_identity(address)
        .send()
        .await
        .expect("CreateEmailIdentity on moto");
}

/// The mail moto's SES recorded as sent, from `/moto-api/data.json`
/// (`ses` -> `Message`: `id`, `source`, `subject`, `body`, `destinations`;
/// moto keeps one body: the HTML one when there is one, else the text).
pub async fn sent_mail(endpoint: &str) -> Vec<Value> {
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .expect("GET /moto-api/data.json")
        .error_for_status()
        .expect("data.json answers 200 (no Lambda function may exist on this moto server)")
        .json()
        .await
        .expect("data.json is JSON");
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The sent mail whose subject contains `tag`.
pub async fn sent_mail_tagged(endpoint: &str, tag: &str) -> Vec<Value> {
    sent_mail(endpoint)
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.contains(tag)))
        .collect()
}
