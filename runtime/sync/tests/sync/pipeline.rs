//! The serverless pipeline end to end: the dispatcher enqueues tenants on a FIFO queue
//! (moto SQS), workers consume it the way a Lambda event source mapping does (batches,
//! partial batch failures, redelivery), pull records from the Odoo stand-in and write
//! them to moto DynamoDB, and re-enqueue each tenant until it is caught up; injected
//! source faults, a lost continuation and a permanently failed range are survived; the
//! status endpoint answers API Gateway v2 events from the same checkpoints.
//! Also, without moto: the dispatcher's and worker's queue decisions in memory.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, TimeDelta, Utc};
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
use cloud_cron_sync::odoo::{OdooSource, OdooStream};
use cloud_cron_sync::pipeline::dispatch::{dispatch, Dispatched};
use cloud_cron_sync::pipeline::status::respond;
use cloud_cron_sync::pipeline::work::{handle_batch, run_tenant};
use cloud_cron_sync::pipeline::{MemoryWorkQueue, QueueError, SqsWorkQueue, WorkQueue};
use cloud_cron_sync::{
    CheckpointStore, DynamoCheckpointStore, DynamoSink, SyncConfig, SyncStatus, SyncWorker,
};
use serde_json::{json, Value};

use crate::support::{
    assert_adds_up, create_table, dynamodb, moto_endpoint, Fault, OdooServer, Recording,
};

const STREAMS: [&str; 2] = ["sales_orders", "contacts"];

fn streams() -> Vec<String> {
    STREAMS.iter().map(|s| (*s).to_owned()).collect()
}

/// A queue whose chosen sends fail (a continuation lost to an SQS error).
struct Flaky<Q> {
    inner: Q,
    sends: AtomicU32,
    fail_at: Vec<u32>,
}

impl<Q: WorkQueue> WorkQueue for Flaky<Q> {
    async fn send(&self, tenant: &str, fingerprint: u64) -> Result<(), QueueError> {
        let n = self.sends.fetch_add(1, Ordering::SeqCst);
        if self.fail_at.contains(&n) {
            return Err(QueueError {
                tenant: tenant.to_owned(),
                source: "injected SendMessage failure".into(),
            });
        }
        self.inner.send(tenant, fingerprint).await
    }
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_796_256_000, 0).unwrap_or_default()
}

#[tokio::test]
async fn the_dispatcher_skips_held_and_idle_tenants_and_dedups_on_state() {
    let source = MemorySource::new(["contacts"]);
    for id in 0..30 {
        source.insert(
            "acme",
            "contacts",
            &id.to_string(),
            now() - TimeDelta::hours(id + 1),
            json!({"id": id}),
        );
    }
    let store = Arc::new(MemoryCheckpointStore::default());
    let config = SyncConfig::default();
    let worker = SyncWorker::new(source, MemorySink::default(), store.clone(), config.clone())
        .expect("config")
        .clock(now);
    let queue = MemoryWorkQueue::default();
    let tenants = vec!["acme".to_owned()];
    let streams = vec!["contacts".to_owned()];

    // Never synced: work. Twice at the same state: one message (FIFO deduplication).
    for _ in 0..2 {
        let outcome = dispatch(&*store, &queue, &tenants, &streams, &config, now())
            .await
            .expect("dispatch");
        assert_eq!(
            outcome,
            [("acme".to_owned(), Dispatched::Enqueued { fingerprint: 0 })]
        );
    }
    assert_eq!(queue.take().len(), 1);

    // The worker continues the tenant itself while work remains; the continuation and
    // a dispatcher tick at the same state are one message.
    let run = run_tenant(&worker, &queue, "acme", &streams)
        .await
        .expect("run");
    let fingerprint = run.continued.expect("more work: continued");
    dispatch(&*store, &queue, &tenants, &streams, &config, now())
        .await
        .expect("dispatch");
    assert_eq!(
        queue.take(),
        [("acme".to_owned(), format!("acme:{fingerprint}"))]
    );

    // Caught up: nothing to enqueue, no continuation.
    while run_tenant(&worker, &queue, "acme", &streams)
        .await
        .expect("run")
        .continued
        .is_some()
    {}
    queue.take();
    let idle = dispatch(&*store, &queue, &tenants, &streams, &config, now())
        .await
        .expect("dispatch");
    assert_eq!(idle, [("acme".to_owned(), Dispatched::Idle)]);
    assert!(queue.sent().is_empty());

    // Held by a worker (a live lease): not dispatched.
    let mut held = store
        .get("acme", "contacts")
        .await
        .expect("read")
        .expect("checkpoint");
    held.lease = Some(cloud_cron_sync::Lease {
        owner: "other".into(),
        expires_at: now() + TimeDelta::minutes(1),
    });
    held.watermark = Some(now() - TimeDelta::days(1));
    let version = held.version;
    held.version += 1;
    store.put(&held, Some(version)).await.expect("hold");
    let busy = dispatch(&*store, &queue, &tenants, &streams, &config, now())
        .await
        .expect("dispatch");
    assert_eq!(busy, [("acme".to_owned(), Dispatched::Busy)]);
}

#[tokio::test]
async fn a_failed_message_fails_every_later_one_of_the_batch() {
    let source = MemorySource::new(["contacts"]);
    source.insert(
        "acme",
        "contacts",
        "1",
        now() - TimeDelta::hours(1),
        json!({"id": 1}),
    );
    let worker = SyncWorker::new(
        source,
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default(),
    )
    .expect("config")
    .clock(now);
    let queue = MemoryWorkQueue::default();
    let event: aws_lambda_events::event::sqs::SqsEvent =
        serde_json::from_value(json!({"Records": [
            {"messageId": "m1", "body": "{\"tenant\":\"acme\"}"},
            {"messageId": "m2", "body": "not json"},
            {"messageId": "m3", "body": "{\"tenant\":\"acme\"}"},
        ]}))
        .expect("event");
    let response = handle_batch(&worker, &queue, &["contacts".to_owned()], event).await;
    let failed: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failed, ["m2", "m3"]);
    let checkpoint = worker
        .checkpoint("acme", "contacts")
        .await
        .expect("read")
        .expect("m1 ran a step");
    assert_eq!(
        checkpoint.counters.completed, 1,
        "m1 ran one step, m3 did not run"
    );
}

#[tokio::test]
async fn a_retry_failed_message_brings_permanently_failed_ranges_back() {
    let source = Recording::new(MemorySource::new(["contacts"]));
    for id in 0..40 {
        source.inner.insert(
            "acme",
            "contacts",
            &id.to_string(),
            now() - TimeDelta::hours(id + 1),
            json!({"id": id}),
        );
    }
    // Every attempt of the batch holding this record fails until the limit (4) is reached.
    source.fail(Fault {
        at: now() - TimeDelta::hours(5),
        times: 4,
        in_count: false,
    });
    let worker = SyncWorker::new(
        source,
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default(),
    )
    .expect("config")
    .clock(now);
    let queue = MemoryWorkQueue::default();
    let streams = vec!["contacts".to_owned()];
    let message = |body: &str| -> aws_lambda_events::event::sqs::SqsEvent {
        serde_json::from_value(json!({"Records": [{"messageId": "m", "body": body}]}))
            .expect("event")
    };
    let drain = || async {
        while queue.take().len() == 1 {
            let response =
                handle_batch(&worker, &queue, &streams, message(r#"{"tenant":"acme"}"#)).await;
            assert!(response.batch_item_failures.is_empty());
        }
    };
    let response = handle_batch(&worker, &queue, &streams, message(r#"{"tenant":"acme"}"#)).await;
    assert!(response.batch_item_failures.is_empty());
    drain().await;
    let failed = worker.progress("acme").await.expect("progress");
    assert_eq!(failed.failed, 1, "{failed:?}");
    assert!(
        worker.sink().len() < 40,
        "the failed range's records are missing"
    );

    let response = handle_batch(
        &worker,
        &queue,
        &streams,
        message(r#"{"tenant":"acme","retryFailed":true}"#),
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    drain().await;
    let progress = worker.progress("acme").await.expect("progress");
    assert_adds_up(&progress);
    assert_eq!((progress.failed, progress.pending), (0, 0), "{progress:?}");
    assert_eq!(worker.sink().len(), 40, "no gaps after the retry");
    assert!(worker
        .sink()
        .write_counts()
        .values()
        .all(|&writes| writes == 1));
}

// ---------------------------------------------------------------------------------------
// moto

async fn fifo_queue(client: &aws_sdk_sqs::Client) -> String {
    client
        .create_queue()
        .queue_name(format!("sync-{:08x}.fifo", fastrand::u32(..)))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::VisibilityTimeout, "30")
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue url")
}

/// What an event source mapping does: receive a batch, hand it to the worker, delete
/// what succeeded, make what failed visible again. Returns how many messages it received.
async fn poll_once<Q: WorkQueue>(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    worker: &Worker,
    queue: &Q,
) -> usize {
    let received = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(3)
        .send()
        .await
        .expect("receive");
    let messages = received.messages.unwrap_or_default();
    if messages.is_empty() {
        return 0;
    }
    let records: Vec<Value> = messages
        .iter()
        .map(|m| json!({"messageId": m.message_id, "receiptHandle": m.receipt_handle, "body": m.body}))
        .collect();
    let event = serde_json::from_value(json!({ "Records": records })).expect("event");
    let response = handle_batch(worker, queue, &streams(), event).await;
    let failed: BTreeSet<String> = response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    for message in &messages {
        let (Some(id), Some(handle)) = (&message.message_id, &message.receipt_handle) else {
            continue;
        };
        if failed.contains(id) {
            sqs.change_message_visibility()
                .queue_url(url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await
                .expect("release");
        } else {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(handle)
                .send()
                .await
                .expect("delete");
        }
    }
    messages.len()
}

type Worker = SyncWorker<Recording<OdooSource>, DynamoSink, DynamoCheckpointStore>;

/// Two consumers poll until the queue stays empty; returns messages handled.
async fn drain_queue<Q: WorkQueue>(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    worker: &Worker,
    queue: &Q,
) -> usize {
    let consumer = || async {
        let mut handled = 0;
        let mut empty = 0;
        while empty < 3 {
            let n = poll_once(sqs, url, worker, queue).await;
            handled += n;
            empty = if n == 0 { empty + 1 } else { 0 };
            assert!(handled < 5_000, "the queue never drains");
        }
        handled
    };
    let (a, b) = tokio::join!(consumer(), consumer());
    a + b
}

/// Every Odoo row of each tenant is in the record table exactly once, with its data.
async fn assert_table_mirrors(
    dynamo: &aws_sdk_dynamodb::Client,
    table: &str,
    servers: &[(&str, &OdooServer)],
) {
    for (tenant, server) in servers {
        for (stream, model) in [("sales_orders", "sale.order"), ("contacts", "res.partner")] {
            let rows = server.records(model).await;
            let mut items = Vec::new();
            let mut start = None;
            loop {
                let page = dynamo
                    .query()
                    .table_name(table)
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(
                        ":pk",
                        AttributeValue::S(format!("{tenant}#{stream}")),
                    )
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .expect("query");
                items.extend(page.items.unwrap_or_default());
                match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
            let ids: BTreeSet<String> = items
                .iter()
                .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
                .collect();
            assert_eq!(ids.len(), items.len(), "{tenant} {stream}: no duplicates");
            let expected: BTreeSet<String> = rows
                .iter()
                .filter_map(|row| row["id"].as_i64().map(|id| id.to_string()))
                .collect();
            assert_eq!(ids, expected, "{tenant} {stream}: no gaps, nothing extra");
            for item in &items {
                let raw: Value =
                    serde_json::from_str(item["raw"].as_s().expect("raw")).expect("json");
                let row = rows.iter().find(|r| r["id"] == raw["id"]).expect("row");
                assert_eq!(raw["name"], row["name"]);
            }
        }
    }
}

fn api_event(claims: Value) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "GET /status",
        "rawPath": "/status",
        "headers": {"authorization": "Bearer eyJ..."},
        "requestContext": {
            "http": {"method": "GET", "path": "/status"},
            "authorizer": {"jwt": {"claims": claims, "scopes": null}},
        },
        "isBase64Encoded": false,
    })
}

fn body(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().expect("body")).expect("json body")
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn tenants_sync_through_dispatcher_queue_and_worker_with_no_duplicates_or_gaps() {
    let acme = OdooServer::start();
    let globex = OdooServer::start();
    // acme: a 900-order burst (forces the minimum window and paging), a gap, 120 more.
    acme.create_many("sale.order", orders(0, 900)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    acme.create_many("sale.order", orders(1000, 120)).await;
    acme.create_many("res.partner", partners(0, 150)).await;
    globex.create_many("sale.order", orders(0, 260)).await;
    globex.create_many("res.partner", partners(0, 30)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fault_at = Utc::now() - TimeDelta::milliseconds(1500);

    let sdk = cloud_cron_test_support::sdk_config(&moto_endpoint()).await;
    let dynamo = dynamodb().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let checkpoints = create_table(&dynamo, "checkpoints").await;
    let records = create_table(&dynamo, "records").await;
    let url = fifo_queue(&sqs).await;

    let source = Recording::new(
        OdooSource::new()
            .stream(
                "sales_orders",
                OdooStream::new("sale.order").fields(["name", "amount_total", "state"]),
            )
            .stream(
                "contacts",
                OdooStream::new("res.partner").fields(["name", "email"]),
            )
            .tenant("acme", acme.client())
            .tenant("globex", globex.client()),
    );
    // Transient: fails twice, then works. Permanent: every attempt of the batch holding
    // `fault_at` fails (for every tenant and stream whose window holds it).
    source.fail(Fault {
        at: fault_at,
        times: 2,
        in_count: true,
    });
    source.fail(Fault {
        at: fault_at,
        times: u32::MAX,
        in_count: false,
    });
    let config = SyncConfig::default()
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO)
        .lease_duration(Duration::from_secs(60));
    let store = DynamoCheckpointStore::new(dynamo.clone(), &checkpoints);
    let worker = SyncWorker::new(
        source,
        DynamoSink::new(dynamo.clone(), &records),
        store.clone(),
        config.clone(),
    )
    .expect("config");
    // The third SendMessage (a worker's continuation) is lost: the message is reported
    // failed, redelivered, and the tenant carries on.
    let queue = Flaky {
        inner: SqsWorkQueue::new(sqs.clone(), &url),
        sends: AtomicU32::new(0),
        fail_at: vec![2],
    };
    let tenants = vec!["acme".to_owned(), "globex".to_owned()];

    let dispatched = dispatch(&store, &queue, &tenants, &streams(), &config, Utc::now())
        .await
        .expect("dispatch");
    assert!(
        dispatched
            .iter()
            .all(|(_, d)| matches!(d, Dispatched::Enqueued { .. })),
        "{dispatched:?}"
    );
    let handled = drain_queue(&sqs, &url, &worker, &queue).await;
    assert!(
        handled > 10,
        "the worker continued tenants itself: {handled} messages"
    );
    assert_eq!(
        worker.source().max_in_flight.load(Ordering::SeqCst),
        1,
        "one batch at a time per tenant + stream"
    );

    // The permanently failed range is recorded; progress adds up; status is done.
    let mut failed_ranges = 0;
    for tenant in ["acme", "globex"] {
        let progress = worker.progress(tenant).await.expect("progress");
        assert_adds_up(&progress);
        assert_eq!(progress.status, SyncStatus::Done, "{tenant}: {progress:?}");
        for stream in STREAMS {
            let checkpoint = worker
                .checkpoint(tenant, stream)
                .await
                .expect("read")
                .expect("checkpoint");
            assert!(
                checkpoint.failed_ranges.iter().all(|r| r.attempts == 4),
                "{checkpoint:?}"
            );
            failed_ranges += checkpoint.failed_ranges.len();
        }
    }
    assert!(
        failed_ranges >= 1,
        "the permanent fault failed at least one batch"
    );
    let status = respond(
        &store,
        &streams(),
        &config,
        "tenant",
        &api_event(json!({"tenant": "acme", "sub": "u1"})),
    )
    .await;
    assert_eq!(status["statusCode"], 200, "{status}");
    let acme_status = body(&status);
    assert_eq!(acme_status["tenant"], "acme");
    assert_eq!(acme_status["status"], "done");
    assert_eq!(
        acme_status["total"].as_u64(),
        Some(
            acme_status["completed"].as_u64().unwrap_or(0)
                + acme_status["failed"].as_u64().unwrap_or(0)
                + acme_status["pending"].as_u64().unwrap_or(0)
        )
    );

    // Fix the cause, queue the failed ranges again, dispatch: no gaps remain.
    worker.source().clear_faults();
    for tenant in ["acme", "globex"] {
        for stream in STREAMS {
            worker.retry_failed(tenant, stream).await.expect("retry");
        }
    }
    dispatch(&store, &queue, &tenants, &streams(), &config, Utc::now())
        .await
        .expect("dispatch");
    drain_queue(&sqs, &url, &worker, &queue).await;
    assert_table_mirrors(&dynamo, &records, &[("acme", &acme), ("globex", &globex)]).await;

    // Incremental: new and modified records arrive on the next dispatch.
    globex.create_many("res.partner", partners(100, 25)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dispatch(&store, &queue, &tenants, &streams(), &config, Utc::now())
        .await
        .expect("dispatch");
    drain_queue(&sqs, &url, &worker, &queue).await;
    assert_table_mirrors(&dynamo, &records, &[("acme", &acme), ("globex", &globex)]).await;

    // The status endpoint: the caller's tenant only, from the authorizer's claims.
    for tenant in ["acme", "globex"] {
        let response = respond(
            &store,
            &streams(),
            &config,
            "tenant",
            &api_event(json!({"tenant": tenant})),
        )
        .await;
        let status = body(&response);
        assert_eq!(
            (status["tenant"].as_str(), status["status"].as_str()),
            (Some(tenant), Some("done"))
        );
        assert_eq!(status["failed"], 0, "{status}");
        assert_eq!(status["pending"], 0, "{status}");
        assert_eq!(status["percentage"], 100.0, "{status}");
    }
    let custom = respond(
        &store,
        &streams(),
        &config,
        "custom:tenant",
        &api_event(json!({"custom:tenant": "globex"})),
    )
    .await;
    assert_eq!(body(&custom)["tenant"], "globex");
    let anonymous = respond(
        &store,
        &streams(),
        &config,
        "tenant",
        &api_event(json!({"sub": "u1"})),
    )
    .await;
    assert_eq!(anonymous["statusCode"], 403);
    let forged = respond(
        &store,
        &streams(),
        &config,
        "tenant",
        &api_event(json!({"tenant": "../acme"})),
    )
    .await;
    assert_eq!(
        forged["statusCode"], 403,
        "a claim that is not a tenant id is refused"
    );
    let unknown = respond(
        &store,
        &streams(),
        &config,
        "tenant",
        &api_event(json!({"tenant": "initech"})),
    )
    .await;
    assert_eq!(body(&unknown)["status"], "not_started");
    let broken = DynamoCheckpointStore::new(dynamo.clone(), "no-such-table");
    let unavailable = respond(
        &broken,
        &streams(),
        &config,
        "tenant",
        &api_event(json!({"tenant": "acme"})),
    )
    .await;
    assert_eq!(unavailable["statusCode"], 500);
    assert!(
        !unavailable["body"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-table"),
        "no internals leak"
    );
}

fn orders(from: usize, count: usize) -> Vec<Value> {
    (from..from + count)
        .map(|n| json!({"name": format!("SO{n:05}"), "partner_id": 1, "amount_total": n as f64, "state": "draft"}))
        .collect()
}

fn partners(from: usize, count: usize) -> Vec<Value> {
    (from..from + count)
        .map(|n| json!({"name": format!("Contact {n}"), "email": format!("c{n}@example.com")}))
        .collect()
}
