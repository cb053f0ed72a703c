//! The idempotency guard against a real DynamoDB emulator (moto server).
//!
//! `scripts/test` starts moto and exports `CLOUDCRON_MOTO_ENDPOINT`. Each test
//! creates its own table, and moves a manual clock instead of sleeping.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use cloud_cron_test_support::idempotency::idempotency_table;

use cloud_cron_runtime::idempotency::{
    idempotency_key, Decision, Guard, IdempotencyError, IdempotencyStore, RecordState,
    ScheduledRun, DEFAULT_LEASE, KEY_ATTRIBUTE, TTL_ATTRIBUTE,
};

const ARN: &str = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report";
const TIME: &str = "2026-11-28T09:00:00Z";
/// 2027-01-15T08:00:00Z, a fixed start for the manual clock.
const START_MS: u64 = 1_800_000_000_000;

fn run<'a>(scheduled_time: &'a str, execution_id: &'a str) -> ScheduledRun<'a> {
    ScheduledRun {
        schedule_arn: ARN,
        scheduled_time,
        execution_id,
        attempt_number: "1",
        job: None,
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    fn new() -> Self {
        ManualClock(Arc::new(AtomicU64::new(START_MS)))
    }
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0.load(Ordering::SeqCst))
    }
    fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).expect("small duration");
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

/// A fresh table shaped like the one the construct creates, and a store on
/// it driven by a manual clock.
async fn fresh_store(name: &str) -> (IdempotencyStore, ManualClock, Client) {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    let table = format!(
        "idem-{name}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let sdk = support::sdk_config(&support::moto_endpoint()).await;
    let client = idempotency_table(&sdk, &table).await;
    let clock = ManualClock::new();
    let store_clock = clock.clone();
    let store = IdempotencyStore::new(client.clone(), table).with_clock(move || store_clock.now());
    (store, clock, client)
}

async fn begin(store: &IdempotencyStore, run: &ScheduledRun<'_>) -> Decision {
    store.begin(run).await.expect("begin")
}

fn proceed(decision: Decision) -> Guard {
    match decision {
        Decision::Proceed(guard) => guard,
        other => panic!("expected Proceed, got {other:?}"),
    }
}

async fn record(
    client: &Client,
    store: &IdempotencyStore,
    key: &str,
) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(store.table())
        .key(KEY_ATTRIBUTE, AttributeValue::S(key.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("get item")
        .item
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(value)) | Some(AttributeValue::N(value)) => value,
        other => panic!("attribute {name}: {other:?}"),
    }
}

#[test]
fn key_is_stable() {
    // printf '%s\n%s' "$ARN" "$TIME" | sha256sum
    assert_eq!(
        idempotency_key(ARN, TIME),
        "run#662076ebd97f804006cbe7a4bbf8e35eb539c5b7d01d3764878395b936b35188"
    );
    assert_eq!(run(TIME, "a").key(), run(TIME, "b").key());
    assert_ne!(run(TIME, "a").key(), run("2026-11-28T09:05:00Z", "a").key());
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn first_begin_proceeds_and_writes_the_documented_record() {
    let (store, _clock, client) = fresh_store("first").await;
    let guard = proceed(begin(&store, &run(TIME, "exec-1")).await);
    assert!(!guard.took_over());
    assert_eq!(guard.key(), idempotency_key(ARN, TIME));
    assert_eq!(
        guard.lease_end(),
        UNIX_EPOCH + Duration::from_millis(START_MS) + DEFAULT_LEASE
    );

    let item = record(&client, &store, guard.key())
        .await
        .expect("record written");
    assert_eq!(text(&item, "status"), "IN_PROGRESS");
    assert_eq!(text(&item, "scheduleArn"), ARN);
    assert_eq!(text(&item, "scheduledTime"), TIME);
    assert_eq!(text(&item, "executionId"), "exec-1");
    assert_eq!(text(&item, "attemptNumber"), "1");
    assert_eq!(text(&item, "token"), guard.token());
    assert_eq!(text(&item, "startedAt"), START_MS.to_string());
    assert_eq!(
        text(&item, "inProgressUntil"),
        (START_MS + 15 * 60 * 1000).to_string()
    );
    assert_eq!(
        text(&item, TTL_ATTRIBUTE),
        (START_MS / 1000 + 7 * 24 * 3600).to_string()
    );
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn completed_run_is_skipped() {
    let (store, clock, client) = fresh_store("completed").await;
    let guard = proceed(begin(&store, &run(TIME, "exec-1")).await);
    let key = guard.key().to_owned();
    clock.advance(Duration::from_secs(30));
    guard.complete().await.expect("complete");

    let item = record(&client, &store, &key).await.expect("record kept");
    assert_eq!(text(&item, "status"), "COMPLETED");
    assert_eq!(text(&item, "completedAt"), (START_MS + 30_000).to_string());
    assert_eq!(
        text(&item, TTL_ATTRIBUTE),
        ((START_MS + 30_000) / 1000 + 7 * 24 * 3600).to_string()
    );

    // A retry an hour later, and one after the first attempt's lease would have ended.
    clock.advance(Duration::from_secs(3600));
    assert!(matches!(
        begin(&store, &run(TIME, "exec-2")).await,
        Decision::AlreadyCompleted
    ));
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn run_in_progress_is_reported_elsewhere() {
    let (store, clock, _client) = fresh_store("elsewhere").await;
    let holder = proceed(begin(&store, &run(TIME, "exec-1")).await);
    clock.advance(DEFAULT_LEASE - Duration::from_secs(1));
    match begin(&store, &run(TIME, "exec-2")).await {
        Decision::InProgressElsewhere {
            until,
            execution_id,
        } => {
            assert_eq!(until, holder.lease_end());
            assert_eq!(execution_id.as_deref(), Some("exec-1"));
        }
        other => panic!("expected InProgressElsewhere, got {other:?}"),
    }
    // The holder is unaffected.
    holder.complete().await.expect("holder completes");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn expired_attempt_is_taken_over_and_cannot_complete() {
    let (store, clock, client) = fresh_store("takeover").await;
    let slow = proceed(begin(&store, &run(TIME, "exec-1")).await);
    clock.advance(DEFAULT_LEASE + Duration::from_secs(1));

    let taker = proceed(begin(&store, &run(TIME, "exec-2")).await);
    assert!(taker.took_over());
    assert_ne!(taker.token(), slow.token());

    // The slow attempt finishes late: it must not mark the taker's record.
    match slow.complete().await {
        Err(IdempotencyError::LeaseLost { key, found }) => {
            assert_eq!(key, taker.key());
            assert_eq!(
                found,
                RecordState::InProgress {
                    until: taker.lease_end(),
                    execution_id: Some("exec-2".to_owned())
                }
            );
        }
        other => panic!("expected LeaseLost, got {other:?}"),
    }
    let item = record(&client, &store, taker.key()).await.expect("record");
    assert_eq!(text(&item, "status"), "IN_PROGRESS");
    assert_eq!(text(&item, "token"), taker.token());

    taker.complete().await.expect("taker completes");
    assert!(matches!(
        begin(&store, &run(TIME, "exec-3")).await,
        Decision::AlreadyCompleted
    ));
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn taken_over_attempt_cannot_release() {
    let (store, clock, client) = fresh_store("release-lost").await;
    let slow = proceed(begin(&store, &run(TIME, "exec-1")).await);
    clock.advance(DEFAULT_LEASE + Duration::from_secs(1));
    let taker = proceed(begin(&store, &run(TIME, "exec-2")).await);

    assert!(matches!(
        slow.release().await,
        Err(IdempotencyError::LeaseLost {
            found: RecordState::InProgress { .. },
            ..
        })
    ));
    let item = record(&client, &store, taker.key())
        .await
        .expect("record kept");
    assert_eq!(text(&item, "token"), taker.token());

    // Once the run is completed, a stale guard sees that too.
    let stale = taker;
    clock.advance(DEFAULT_LEASE + Duration::from_secs(1));
    let third = proceed(begin(&store, &run(TIME, "exec-3")).await);
    third.complete().await.expect("third completes");
    assert!(matches!(
        stale.complete().await,
        Err(IdempotencyError::LeaseLost {
            found: RecordState::Completed,
            ..
        })
    ));
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn release_lets_the_next_attempt_proceed() {
    let (store, _clock, client) = fresh_store("release").await;
    let failed = proceed(begin(&store, &run(TIME, "exec-1")).await);
    let key = failed.key().to_owned();
    failed.release().await.expect("release");
    assert!(record(&client, &store, &key).await.is_none());

    // Immediately, without waiting for the lease.
    let retry = proceed(begin(&store, &run(TIME, "exec-2")).await);
    assert!(!retry.took_over());
    retry.complete().await.expect("retry completes");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn different_scheduled_times_are_independent() {
    let (store, _clock, _client) = fresh_store("independent").await;
    let nine = proceed(begin(&store, &run(TIME, "exec-1")).await);
    let nine_five = proceed(begin(&store, &run("2026-11-28T09:05:00Z", "exec-2")).await);
    assert_ne!(nine.key(), nine_five.key());
    nine.complete().await.expect("complete 09:00");
    // 09:05 still in progress, a retry of it waits; 09:10 runs.
    assert!(matches!(
        begin(&store, &run("2026-11-28T09:05:00Z", "exec-3")).await,
        Decision::InProgressElsewhere { .. }
    ));
    proceed(begin(&store, &run("2026-11-28T09:10:00Z", "exec-4")).await)
        .complete()
        .await
        .expect("complete 09:10");
    // Another schedule at the same time is another run.
    let other = ScheduledRun {
        schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Other",
        ..run(TIME, "exec-5")
    };
    proceed(begin(&store, &other).await)
        .complete()
        .await
        .expect("complete the other schedule");
    nine_five.release().await.expect("release 09:05");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn two_jobs_at_one_instant_are_two_runs() {
    let (store, _clock, client) = fresh_store("jobs").await;
    let close = ScheduledRun {
        job: Some("close"),
        ..run(TIME, "exec-1")
    };
    let sync = ScheduledRun {
        job: Some("sync"),
        ..run(TIME, "exec-2")
    };
    let close_guard = proceed(begin(&store, &close).await);
    let sync_guard = proceed(begin(&store, &sync).await);
    assert_ne!(close_guard.key(), sync_guard.key());
    close_guard.complete().await.expect("complete close");
    sync_guard.complete().await.expect("complete sync");
    // A retry of one job's run is that run: skipped once completed.
    let close_retry = ScheduledRun {
        job: Some("close"),
        ..run(TIME, "exec-3")
    };
    assert!(matches!(
        begin(&store, &close_retry).await,
        Decision::AlreadyCompleted
    ));
    // The record names the job for people reading the table.
    let item = record(&client, &store, &close.key())
        .await
        .expect("the close record");
    assert_eq!(text(&item, "job"), "close");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn record_past_its_ttl_counts_as_absent() {
    // DynamoDB deletes expired items lazily (and moto never does): the guard
    // must not depend on the sweeper.
    let (store, clock, _client) = fresh_store("ttl").await;
    let store = store.with_record_ttl(Duration::from_secs(3600));
    proceed(begin(&store, &run(TIME, "exec-1")).await)
        .complete()
        .await
        .expect("complete");
    clock.advance(Duration::from_secs(3599));
    assert!(matches!(
        begin(&store, &run(TIME, "exec-2")).await,
        Decision::AlreadyCompleted
    ));
    clock.advance(Duration::from_secs(2));
    let again = proceed(begin(&store, &run(TIME, "exec-3")).await);
    assert!(again.took_over());
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn lease_follows_the_deadline() {
    let (store, clock, client) = fresh_store("deadline").await;
    let deadline = clock.now() + Duration::from_secs(60);
    let guard = match store.begin_until(&run(TIME, "exec-1"), deadline).await {
        Ok(Decision::Proceed(guard)) => guard,
        other => panic!("expected Proceed, got {other:?}"),
    };
    assert_eq!(guard.lease_end(), deadline);
    let item = record(&client, &store, guard.key()).await.expect("record");
    assert_eq!(
        text(&item, "inProgressUntil"),
        (START_MS + 60_000).to_string()
    );

    clock.advance(Duration::from_secs(60));
    assert!(matches!(
        begin(&store, &run(TIME, "exec-2")).await,
        Decision::InProgressElsewhere { .. }
    ));
    clock.advance(Duration::from_millis(1));
    assert!(proceed(begin(&store, &run(TIME, "exec-3")).await).took_over());

    assert!(matches!(
        store.begin_until(&run(TIME, "exec-4"), clock.now()).await,
        Err(IdempotencyError::DeadlinePassed)
    ));
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn dynamodb_failures_surface() {
    let (store, _clock, client) = fresh_store("missing").await;
    let missing = IdempotencyStore::new(client, format!("{}-missing", store.table()));
    let err = missing
        .begin(&run(TIME, "exec-1"))
        .await
        .expect_err("no such table");
    assert!(err.is_transient());
    match &err {
        IdempotencyError::DynamoDb {
            operation, source, ..
        } => {
            assert_eq!(*operation, "PutItem");
            assert!(
                matches!(
                    **source,
                    aws_sdk_dynamodb::Error::ResourceNotFoundException(_)
                ),
                "{source:?}"
            );
        }
        other => panic!("expected a DynamoDB error, got {other:?}"),
    }
    // The cause is on the error chain for whoever logs it.
    let cause = std::error::Error::source(&err).expect("SDK error as source");
    assert!(
        cause.to_string().contains("ResourceNotFoundException"),
        "{cause}"
    );
}

#[tokio::test]
async fn unsafe_identities_fail_before_any_call() {
    // No endpoint at all: validation must reject the run before DynamoDB is called.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .build();
    let store = IdempotencyStore::new(Client::from_conf(config), "unused");
    let placeholder = ScheduledRun {
        schedule_arn: "<aws.scheduler.schedule-arn>",
        ..run(TIME, "e")
    };
    assert!(matches!(
        store.begin(&placeholder).await,
        Err(IdempotencyError::InvalidRun {
            field: "scheduleArn",
            ..
        })
    ));
    assert!(matches!(
        store.begin(&run("", "e")).await,
        Err(IdempotencyError::InvalidRun {
            field: "scheduledTime",
            ..
        })
    ));
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn arbitrary_keys_share_the_record_shape() {
    let (store, clock, client) = fresh_store("keys").await;
    let key = cloud_cron_runtime::contract::notifier::delivery_key("abc");
    let guard = proceed(store.begin_key(&key).await.expect("begin_key"));
    assert_eq!(guard.key(), "delivery#abc");
    let item = record(&client, &store, &key).await.expect("record written");
    assert_eq!(text(&item, "status"), "IN_PROGRESS");
    assert_eq!(text(&item, "token"), guard.token());
    assert!(
        !item.contains_key("scheduleArn") && !item.contains_key("executionId"),
        "a key-only record carries no run attributes: {item:?}"
    );
    // Held: a second claim is told so; completed: a later claim skips.
    assert!(matches!(
        store.begin_key(&key).await.expect("second begin"),
        Decision::InProgressElsewhere { .. }
    ));
    guard.complete().await.expect("complete");
    clock.advance(Duration::from_secs(3600));
    assert!(matches!(
        store.begin_key(&key).await.expect("third begin"),
        Decision::AlreadyCompleted
    ));
    // A lease that ends at the deadline.
    let deadline = clock.now() + Duration::from_secs(30);
    let other = proceed(
        store
            .begin_key_until("delivery#other", deadline)
            .await
            .expect("begin_key_until"),
    );
    assert_eq!(other.lease_end(), deadline);
    other.release().await.expect("release");
    assert!(matches!(
        store.begin_key("").await,
        Err(IdempotencyError::InvalidKey { .. })
    ));
    assert!(matches!(
        store.begin_key(&"k".repeat(2000)).await,
        Err(IdempotencyError::InvalidKey { .. })
    ));
}
