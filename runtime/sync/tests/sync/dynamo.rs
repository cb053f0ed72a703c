//! Against moto's DynamoDB: the checkpoint store's compare-and-set, workers racing on one
//! tenant + stream (never both holding it), and the sink's items and idempotent re-writes.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::TimeDelta;
use cloud_cron_sync::memory::{MemorySink, MemorySource};
use cloud_cron_sync::{
    Checkpoint, CheckpointStore, DynamoCheckpointStore, DynamoSink, Record, Sink, StepOutcome,
    StoreError, SyncConfig, SyncWorker,
};
use serde_json::json;

use crate::support::{create_table, dynamodb, Recording};
use crate::windows::{now, seeded};

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn checkpoint_writes_are_compare_and_set() {
    let client = dynamodb().await;
    let store =
        DynamoCheckpointStore::new(client.clone(), create_table(&client, "checkpoints").await);
    let mut checkpoint = Checkpoint::new("acme", "orders", 86_400);
    checkpoint.version = 1;
    store.put(&checkpoint, None).await.expect("first write");
    assert!(
        matches!(
            store.put(&checkpoint, None).await,
            Err(StoreError::Conflict { .. })
        ),
        "exists already"
    );
    checkpoint.version = 2;
    checkpoint.watermark = Some(now());
    store
        .put(&checkpoint, Some(1))
        .await
        .expect("expected version");
    checkpoint.version = 3;
    assert!(
        matches!(
            store.put(&checkpoint, Some(1)).await,
            Err(StoreError::Conflict { .. })
        ),
        "stale version"
    );
    let stored = store
        .get("acme", "orders")
        .await
        .expect("get")
        .expect("written");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.watermark, Some(now()));
    assert_eq!(store.get("acme", "nothing").await.expect("get"), None);
    let mut other = Checkpoint::new("acme", "contacts", 60);
    other.version = 1;
    store.put(&other, None).await.expect("second stream");
    let mut listed: Vec<_> = store
        .list("acme")
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.stream)
        .collect();
    listed.sort();
    assert_eq!(listed, ["contacts", "orders"]);
    assert!(store.list("globex").await.expect("list").is_empty());
}

/// The checkpoint store with its conditional writes made atomic, as DynamoDB makes them.
///
/// moto serves each request on its own thread and checks a `PutItem` condition, then
/// writes, with no lock between: two racing claims that read one version can both pass
/// `version = :expected`, so both workers think they hold the lease and the second save
/// fails with `LeaseLost`. DynamoDB serializes the conditional writes to one item, so this
/// wrapper lets one `put` reach moto at a time; reads still race, and every claim still
/// rests on the store's compare-and-set (`checkpoint_writes_are_compare_and_set` checks
/// that moto's condition itself works).
#[derive(Clone)]
struct AtomicWrites {
    store: DynamoCheckpointStore,
    writing: Arc<tokio::sync::Mutex<()>>,
}

impl CheckpointStore for AtomicWrites {
    async fn get(&self, tenant: &str, stream: &str) -> Result<Option<Checkpoint>, StoreError> {
        self.store.get(tenant, stream).await
    }

    async fn put(&self, checkpoint: &Checkpoint, expected: Option<u64>) -> Result<(), StoreError> {
        let _one_at_a_time = self.writing.lock().await;
        self.store.put(checkpoint, expected).await
    }

    async fn list(&self, tenant: &str) -> Result<Vec<Checkpoint>, StoreError> {
        self.store.list(tenant).await
    }
}

type Racer = SyncWorker<Arc<Recording<MemorySource>>, Arc<MemorySink>, AtomicWrites>;

fn racer(
    source: &Arc<Recording<MemorySource>>,
    sink: &Arc<MemorySink>,
    store: &AtomicWrites,
    owner: &str,
) -> Racer {
    SyncWorker::new(
        source.clone(),
        sink.clone(),
        store.clone(),
        SyncConfig::default(),
    )
    .expect("config")
    .owner(owner)
    .clock(now)
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn racing_workers_never_both_hold_a_tenant() {
    let client = dynamodb().await;
    let store = AtomicWrites {
        store: DynamoCheckpointStore::new(
            client.clone(),
            create_table(&client, "checkpoints").await,
        ),
        writing: Arc::default(),
    };
    let source = Arc::new(
        Recording::new(MemorySource::new(["orders"])).with_delay(Duration::from_millis(3)),
    );
    let total = seeded(&source.inner, "acme");
    let sink = Arc::new(MemorySink::default());

    // Eight workers step a fresh tenant at once: exactly one gets it.
    let workers: Vec<Racer> = (0..8)
        .map(|n| racer(&source, &sink, &store, &format!("worker-{n}")))
        .collect();
    let first =
        futures_util::future::join_all(workers.iter().map(|worker| worker.step("acme", "orders")))
            .await;
    let ran = first
        .iter()
        .filter(|outcome| matches!(outcome, Ok(StepOutcome::Synced { .. })))
        .count();
    let busy = first
        .iter()
        .filter(|outcome| matches!(outcome, Ok(StepOutcome::Busy { .. })))
        .count();
    assert_eq!((ran, busy), (1, 7), "{first:?}");

    // Two workers drain it concurrently, each retrying while the other holds it.
    let race = |worker: Racer| async move {
        let (mut synced, mut busy) = (0u32, 0u32);
        loop {
            match worker.step("acme", "orders").await.expect("step") {
                StepOutcome::CaughtUp => return (synced, busy),
                StepOutcome::Busy { .. } => {
                    busy += 1;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                StepOutcome::Synced { .. } => synced += 1,
                other => panic!("{other:?}"),
            }
        }
    };
    let (a, b) = tokio::join!(
        race(racer(&source, &sink, &store, "a")),
        race(racer(&source, &sink, &store, "b"))
    );
    assert!(a.1 + b.1 > 0, "the workers contended: {a:?} {b:?}");
    assert_eq!(
        source.max_in_flight.load(Ordering::SeqCst),
        1,
        "never two batches of one tenant + stream at once"
    );
    assert_eq!(sink.len(), total);
    assert!(
        sink.write_counts().values().all(|&writes| writes == 1),
        "no batch ran twice"
    );
    let checkpoint = store
        .get("acme", "orders")
        .await
        .expect("get")
        .expect("written");
    assert!(checkpoint.lease.is_none());
    assert_eq!(checkpoint.counters.completed, u64::from(a.0 + b.0) + 1);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn the_sink_keeps_raw_and_mapped_fields_and_rewrites_idempotently() {
    let client = dynamodb().await;
    let table = create_table(&client, "records").await;
    let store =
        DynamoCheckpointStore::new(client.clone(), create_table(&client, "checkpoints").await);
    let sink = DynamoSink::new(client.clone(), &table)
        .map_fields("orders", ["name", "amount", "state", "partner_id"]);
    let source = MemorySource::new(["orders"]);
    // 250 in one second (a paged batch larger than one 100-item transaction) and 40 more.
    for id in 0..290 {
        let at = if id < 250 {
            now() - TimeDelta::days(3)
        } else {
            now() - TimeDelta::hours(id)
        };
        source.insert("acme", "orders", &id.to_string(), at, json!({"id": id, "name": format!("SO{id}"), "amount": 1.5, "state": false, "partner_id": [7, "Azure"]}));
    }
    let worker = SyncWorker::new(source, sink, store, SyncConfig::default())
        .expect("config")
        .clock(now);
    let outcomes = worker.drain("acme", "orders").await.expect("drain");
    assert!(
        outcomes
            .iter()
            .any(|outcome| matches!(outcome, StepOutcome::Synced { records: 250, .. })),
        "{outcomes:?}"
    );

    let scan = |client: aws_sdk_dynamodb::Client, table: String| async move {
        let output = client.scan().table_name(table).send().await.expect("scan");
        output.items().to_vec()
    };
    let items = scan(client.clone(), table.clone()).await;
    assert_eq!(items.len(), 290);
    let item = items
        .iter()
        .find(|item| item.get("sk") == Some(&AttributeValue::S("42".into())))
        .expect("record 42");
    assert_eq!(item["pk"], AttributeValue::S("acme#orders".into()));
    assert_eq!(item["name"], AttributeValue::S("SO42".into()));
    assert_eq!(item["amount"], AttributeValue::N("1.5".into()));
    assert_eq!(
        item["partner_id"],
        AttributeValue::L(vec![
            AttributeValue::N("7".into()),
            AttributeValue::S("Azure".into())
        ])
    );
    assert!(
        !item.contains_key("state"),
        "Odoo's false (empty) is left out of mapped fields"
    );
    let raw: serde_json::Value = match &item["raw"] {
        AttributeValue::S(raw) => serde_json::from_str(raw).expect("JSON"),
        other => panic!("{other:?}"),
    };
    assert_eq!(raw["state"], json!(false), "raw keeps every field");

    // A retried batch writes the same items again: no duplicates, same content.
    let again: Vec<Record> = (0..250)
        .map(|id| Record {
            id: id.to_string(),
            data: json!({"id": id, "name": format!("SO{id}")}),
        })
        .collect();
    worker
        .sink()
        .upsert("acme", "orders", &again)
        .await
        .expect("rewrite");
    assert_eq!(scan(client.clone(), table.clone()).await.len(), 290);

    let status = client
        .get_item()
        .table_name(worker.store().table())
        .key("pk", AttributeValue::S("acme".into()))
        .key("sk", AttributeValue::S("orders".into()))
        .send()
        .await
        .expect("get");
    assert_eq!(
        status.item().and_then(|item| item.get("status")),
        Some(&AttributeValue::S("done".into()))
    );
}
