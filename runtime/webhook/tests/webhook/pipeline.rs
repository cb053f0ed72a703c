//! The whole inbound path against moto, as `TimeTracking` wires it: a signed
//! webhook -> the receiver -> an SQS work queue -> a worker built on
//! `cloud-cron-sqs-batch` -> a DynamoDB row, exactly once when the provider
//! sends the same event twice; and a worker that keeps failing leaves its
//! message in the dead-letter queue after `maxReceiveCount` receives. The
//! event source mapping's part (receive a batch, delete what did not fail)
//! is played by the test.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use cloud_cron_contract::webhook::{
    attributes, HmacSettings, ReceiverSettings, ValueSource, Verification,
};
use cloud_cron_sqs_batch::{
    BatchProcessor, Failure, Handled, Message, RecordHandler, SqsBatchResponse,
};
use cloud_cron_webhook::{
    sign_timestamped, FixedClock, Receiver, SecretSet, SqsQueue, StaticSecrets,
};

use crate::support::{event, moto_endpoint, sdk_config, unique, NOW};

const SECRET: &str = "whsec_pipeline_7e2a";

fn settings() -> ReceiverSettings {
    let mut s = ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped(
        "X-Tracker-Signature",
    )));
    s.event_id = Some(ValueSource::Header("X-Tracker-Event-Id".into()));
    s.message_group = Some(ValueSource::JsonPointer("/entryId".into()));
    s
}

/// A queue with a dead-letter queue after `max_receive_count` receives.
async fn queue_with_dlq(sdk: &SdkConfig, fifo: bool, max_receive_count: u32) -> (String, String) {
    let client = aws_sdk_sqs::Client::new(sdk);
    let name = unique("work");
    let create = |name: String| {
        let mut request = client.create_queue();
        if fifo {
            request = request
                .queue_name(format!("{name}.fifo"))
                .attributes(QueueAttributeName::FifoQueue, "true");
        } else {
            request = request.queue_name(name);
        }
        request
    };
    let dlq_url = create(format!("{name}-dlq"))
        .send()
        .await
        .expect("create dlq")
        .queue_url
        .expect("url");
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("dlq attributes")
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("dlq arn");
    let url = create(name)
        .attributes(
            QueueAttributeName::RedrivePolicy,
            serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
                .to_string(),
        )
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("url");
    (url, dlq_url)
}

async fn entries_table(sdk: &SdkConfig) -> String {
    let name = unique("entries");
    aws_sdk_dynamodb::Client::new(sdk)
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("eventId")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("eventId")
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .send()
        .await
        .expect("create table");
    name
}

/// What the event source mapping hands the function: up to 10 messages,
/// with their attributes, as an `SqsEvent`.
async fn receive_batch(sdk: &SdkConfig, url: &str) -> SqsEvent {
    let messages = aws_sdk_sqs::Client::new(sdk)
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .visibility_timeout(0)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("receive")
        .messages
        .unwrap_or_default();
    let mut event = SqsEvent::default();
    event.records = messages
        .into_iter()
        .map(|m| {
            let mut r = SqsMessage::default();
            r.message_id = m.message_id().map(str::to_owned);
            r.receipt_handle = m.receipt_handle().map(str::to_owned);
            r.body = m.body().map(str::to_owned);
            r.attributes = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            r.message_attributes = m
                .message_attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| {
                            let mut attribute = SqsMessageAttribute::default();
                            attribute.string_value = v.string_value().map(str::to_owned);
                            attribute.data_type = Some(v.data_type().to_owned());
                            (k.clone(), attribute)
                        })
                        .collect::<HashMap<_, _>>()
                })
                .unwrap_or_default();
            r
        })
        .collect();
    event
}

/// Delete every record the response does not report failed, as the event
/// source mapping does.
async fn settle(sdk: &SdkConfig, url: &str, event: &SqsEvent, response: &SqsBatchResponse) {
    let client = aws_sdk_sqs::Client::new(sdk);
    for record in &event.records {
        let failed = response
            .batch_item_failures
            .iter()
            .any(|f| Some(&f.item_identifier) == record.message_id.as_ref());
        if !failed {
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(record.receipt_handle.clone().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
    }
}

#[derive(Debug)]
struct WorkerError(String, bool);

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Failure for WorkerError {
    fn is_transient(&self) -> bool {
        self.1
    }
}

/// The entry worker: one row per event id, written with a condition so a
/// duplicate (in any container) writes nothing.
struct EntryWorker {
    client: aws_sdk_dynamodb::Client,
    table: String,
    fail: bool,
}

impl RecordHandler for EntryWorker {
    type Body = serde_json::Value;
    type Error = WorkerError;

    fn decode(&self, message: &Message<'_>) -> Result<serde_json::Value, WorkerError> {
        serde_json::from_str(message.body())
            .map_err(|_| WorkerError("the body is not JSON".into(), false))
    }

    fn dedup_key(&self, message: &Message<'_>, _body: &serde_json::Value) -> Option<String> {
        message.attribute(attributes::EVENT_ID).map(str::to_owned)
    }

    async fn handle(
        &self,
        message: &Message<'_>,
        body: serde_json::Value,
    ) -> Result<Handled, WorkerError> {
        if self.fail {
            return Err(WorkerError(
                "the ERP refused the entry (HTTP 422)".into(),
                false,
            ));
        }
        let event_id = message
            .attribute(attributes::EVENT_ID)
            .ok_or_else(|| WorkerError("no event id".into(), false))?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("eventId", AttributeValue::S(event_id.to_owned()))
            .item(
                "entryId",
                AttributeValue::S(body["entryId"].as_str().unwrap_or_default().to_owned()),
            )
            .condition_expression("attribute_not_exists(eventId)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(Handled::Processed),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(Handled::Duplicate)
            }
            Err(e) => Err(WorkerError(format!("PutItem: {e}"), true)),
        }
    }
}

fn signed_request(event_id: &str, body: &str) -> aws_lambda_events::apigw::ApiGatewayV2httpRequest {
    event(
        "/hooks/entries/created",
        &[
            (
                "X-Tracker-Signature",
                &sign_timestamped(SECRET, NOW, body.as_bytes()),
            ),
            ("X-Tracker-Event-Id", event_id),
        ],
        body.as_bytes(),
        false,
    )
}

async fn run_worker(sdk: &SdkConfig, url: &str, worker: &EntryWorker) -> SqsBatchResponse {
    // A fresh processor per batch: a new container, no memory of the last.
    let batch = receive_batch(sdk, url).await;
    let response = BatchProcessor::new().handle(worker, &batch).await;
    settle(sdk, url, &batch, &response).await;
    response
}

async fn rows(sdk: &SdkConfig, table: &str) -> Vec<HashMap<String, AttributeValue>> {
    aws_sdk_dynamodb::Client::new(sdk)
        .scan()
        .table_name(table)
        .send()
        .await
        .expect("scan")
        .items
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn an_event_sent_twice_becomes_one_row() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let table = entries_table(&sdk).await;
    let worker = EntryWorker {
        client: aws_sdk_dynamodb::Client::new(&sdk),
        table: table.clone(),
        fail: false,
    };
    let body = r#"{"entryId":"te_42","hours":2.5}"#;
    for fifo in [true, false] {
        let (url, _) = queue_with_dlq(&sdk, fifo, 3).await;
        let receiver = Receiver::new(
            settings(),
            SqsQueue::new(&url, &sdk),
            StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
        )
        .expect("valid")
        .with_clock(FixedClock::at_unix(NOW));
        let event_id = unique("evt");
        // The provider retries: its first attempt timed out on its side.
        for _ in 0..2 {
            assert_eq!(
                receiver
                    .handle(&signed_request(&event_id, body))
                    .await
                    .status_code,
                202
            );
        }
        // FIFO drops the repeat; on a standard queue both arrive, possibly
        // in different batches (different containers).
        for _ in 0..3 {
            let response = run_worker(&sdk, &url, &worker).await;
            assert!(response.batch_item_failures.is_empty(), "{response:?}");
        }
        let found: Vec<_> = rows(&sdk, &table)
            .await
            .into_iter()
            .filter(|r| r.get("eventId") == Some(&AttributeValue::S(event_id.clone())))
            .collect();
        assert_eq!(found.len(), 1, "fifo={fifo}: exactly one row");
        assert_eq!(found[0]["entryId"], AttributeValue::S("te_42".into()));
    }
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_failing_workers_message_is_in_the_dead_letter_queue_after_max_receive_count() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let table = entries_table(&sdk).await;
    let worker = EntryWorker {
        client: aws_sdk_dynamodb::Client::new(&sdk),
        table: table.clone(),
        fail: true,
    };
    let (url, dlq_url) = queue_with_dlq(&sdk, false, 2).await;
    let receiver = Receiver::new(
        settings(),
        SqsQueue::new(&url, &sdk),
        StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
    )
    .expect("valid")
    .with_clock(FixedClock::at_unix(NOW));
    let event_id = unique("evt");
    assert_eq!(
        receiver
            .handle(&signed_request(&event_id, r#"{"entryId":"te_7"}"#))
            .await
            .status_code,
        202
    );
    // Each receive fails the message; it stays (visibility 0) until SQS
    // moves it after maxReceiveCount receives.
    let mut failures = 0;
    for _ in 0..4 {
        failures += run_worker(&sdk, &url, &worker)
            .await
            .batch_item_failures
            .len();
    }
    assert_eq!(failures, 2, "received and failed maxReceiveCount times");
    let dead = receive_batch(&sdk, &dlq_url).await;
    assert_eq!(dead.records.len(), 1);
    assert_eq!(
        dead.records[0].message_attributes[attributes::EVENT_ID]
            .string_value
            .as_deref(),
        Some(event_id.as_str())
    );
    assert!(rows(&sdk, &table).await.is_empty(), "nothing stored");
}
