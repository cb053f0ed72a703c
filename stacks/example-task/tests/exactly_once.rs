//! The example task against a moto server: a FIFO topic feeding a FIFO queue
//! and a standard topic feeding a standard queue. Invoking the handler twice
//! for the same scheduled run must not deliver anything twice (FIFO), or must
//! carry identical deduplication ids (standard); another scheduled time
//! publishes again.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use cloud_cron_example_task::DailyReport;
use cloud_cron_runtime::contract::DEDUP_ID_ATTRIBUTE;
use cloud_cron_runtime::{Environment, Invocation, Runtime};
use cloud_cron_test_support::idempotency::idempotency_table;
use cloud_cron_test_support::inbox::Inbox;
use serde_json::{json, Value};

async fn moto() -> SdkConfig {
    cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await
}

/// Receive and delete every message in the queue: (body, dedup attribute).
async fn drain(inbox: &Inbox) -> Vec<(Value, Option<String>)> {
    inbox
        .drain()
        .await
        .iter()
        .map(|m| {
            let body: Value =
                serde_json::from_str(m.body().unwrap_or_default()).expect("envelope JSON");
            let dedup = m
                .message_attributes()
                .and_then(|a| a.get(DEDUP_ID_ATTRIBUTE))
                .and_then(|v| v.string_value())
                .map(str::to_owned);
            (body, dedup)
        })
        .collect()
}

fn scheduler_event(time: &str, attempt: u32) -> Value {
    json!({
        "source": "cloud-cron.scheduler",
        "version": 1,
        "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/daily-report",
        "scheduledTime": time,
        "executionId": format!("exec-{time}-{attempt}"),
        "attemptNumber": attempt.to_string(),
    })
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn the_same_scheduled_run_publishes_once() {
    let sdk = moto().await;
    // Topics with a queue subscribed by raw delivery, as a notification channel wires them.
    let alerts = Inbox::builder("alerts").fifo(true).create(&sdk).await;
    let reports = Inbox::builder("reports").fifo(false).create(&sdk).await;
    let env = Environment::from_pairs([
        ("SNS_TOPIC_ARN_ALERTS", alerts.topic_arn.as_str()),
        ("SNS_TOPIC_ARN_REPORTS", reports.topic_arn.as_str()),
    ]);
    let runtime = Runtime::new(DailyReport, &sdk, &env).expect("configured");

    // First attempt, then a retry of the same scheduled run.
    let first = scheduler_event("2026-11-28T06:00:00Z", 1);
    runtime
        .handle(&first, &Invocation::new("req-1"))
        .await
        .expect("first run");
    runtime
        .handle(
            &scheduler_event("2026-11-28T06:00:00Z", 2),
            &Invocation::new("req-2"),
        )
        .await
        .expect("retry");

    let fifo = drain(&alerts).await;
    assert_eq!(
        fifo.len(),
        1,
        "the FIFO queue holds the alert exactly once: {fifo:?}"
    );
    let alert = &fifo[0].0;
    assert_eq!(alert["cloudCron"], 1);
    assert_eq!(alert["task"], "daily-report");
    assert_eq!(alert["topic"], "alerts");
    assert_eq!(alert["scheduledTime"], "2026-11-28T06:00:00Z");
    assert_eq!(
        alert["payload"]["text"],
        "The daily report for 2026-11-27 is ready (3 rows)"
    );

    let standard = drain(&reports).await;
    assert_eq!(
        standard.len(),
        6,
        "a standard topic delivers the retry too: {standard:?}"
    );
    let mut by_id: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for (body, dedup) in &standard {
        let dedup = dedup
            .clone()
            .expect("every standard message carries the dedup attribute");
        assert_eq!(body["id"], dedup.as_str(), "attribute and envelope agree");
        by_id.entry(dedup).or_default().push(body);
    }
    assert_eq!(
        by_id.len(),
        3,
        "the retry's three rows carry the first attempt's three ids"
    );
    for copies in by_id.values() {
        assert_eq!(copies.len(), 2);
        assert_eq!(
            copies[0], copies[1],
            "a duplicate is byte-for-byte the same message"
        );
    }

    // The next day's run publishes again.
    runtime
        .handle(
            &scheduler_event("2026-11-29T06:00:00Z", 1),
            &Invocation::new("req-3"),
        )
        .await
        .expect("next run");
    let fifo = drain(&alerts).await;
    assert_eq!(fifo.len(), 1);
    assert_eq!(fifo[0].0["scheduledTime"], "2026-11-29T06:00:00Z");
    assert_eq!(drain(&reports).await.len(), 3);
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn with_the_idempotency_guard_a_retry_publishes_nothing_at_all() {
    let sdk = moto().await;
    let table = format!("guarded-{}", std::process::id());
    let alerts = Inbox::builder("guarded-alerts")
        .fifo(true)
        .create(&sdk)
        .await;
    let reports = Inbox::builder("guarded-reports")
        .fifo(false)
        .create(&sdk)
        .await;
    idempotency_table(&sdk, &table).await;
    let env = Environment::from_pairs([
        ("SNS_TOPIC_ARN_ALERTS", alerts.topic_arn.as_str()),
        ("SNS_TOPIC_ARN_REPORTS", reports.topic_arn.as_str()),
        ("CLOUDCRON_IDEMPOTENCY_TABLE", table.as_str()),
    ]);
    let runtime = Runtime::new(DailyReport, &sdk, &env).expect("configured");

    let first = runtime
        .handle(
            &scheduler_event("2026-11-28T06:00:00Z", 1),
            &Invocation::new("req-1"),
        )
        .await
        .expect("first run");
    assert_eq!(first.outcome, "completed");
    // Hours later (past SNS FIFO's five-minute window), Lambda retries the run.
    let retry = runtime
        .handle(
            &scheduler_event("2026-11-28T06:00:00Z", 3),
            &Invocation::new("req-2"),
        )
        .await
        .expect("retry");
    assert_eq!(retry.outcome, "skipped");

    assert_eq!(drain(&alerts).await.len(), 1);
    assert_eq!(
        drain(&reports).await.len(),
        3,
        "the standard topic saw no duplicate either"
    );
}
