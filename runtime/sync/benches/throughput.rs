//! Records per second through source -> sink with the in-memory implementations, and the
//! per-batch overhead of checkpointing (in-memory store): one `step` against the same
//! count + pages + upsert done directly, and a step over an empty window (checkpoint work
//! only).
#![allow(missing_docs)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
use cloud_cron_sync::{Sink, Source, SyncConfig, SyncWorker, Window};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

const RECORDS: i64 = 20_000;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_796_256_000, 0).unwrap_or_default()
}

fn record(id: i64) -> serde_json::Value {
    json!({"id": id, "name": format!("SO{id:06}"), "amount_total": 12.5, "state": "sale", "partner_id": [7, "Azure Interior"]})
}

/// 20 000 records spread over the last 60 days.
fn spread_source() -> Arc<MemorySource> {
    let source = MemorySource::new(["orders"]);
    let step = 60 * 86_400 / RECORDS;
    for id in 0..RECORDS {
        source.insert(
            "acme",
            "orders",
            &id.to_string(),
            now() - TimeDelta::days(60) + TimeDelta::seconds(id * step),
            record(id),
        );
    }
    Arc::new(source)
}

/// 200 records in the first day of the initial range: one full batch for the first step.
fn one_batch_source() -> Arc<MemorySource> {
    let source = MemorySource::new(["orders"]);
    for id in 0..200 {
        source.insert(
            "acme",
            "orders",
            &id.to_string(),
            now() - TimeDelta::days(90) + TimeDelta::seconds(id * 60),
            record(id),
        );
    }
    Arc::new(source)
}

fn worker(
    source: &Arc<MemorySource>,
) -> SyncWorker<Arc<MemorySource>, MemorySink, MemoryCheckpointStore> {
    SyncWorker::new(
        source.clone(),
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default(),
    )
    .unwrap_or_else(|error| panic!("{error}"))
    .clock(now)
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|error| panic!("{error}"));

    let spread = spread_source();
    let mut throughput = c.benchmark_group("source_to_sink");
    throughput.throughput(Throughput::Elements(RECORDS as u64));
    throughput.sample_size(10);
    throughput.bench_function("initial_sync_20k_records", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let worker = worker(&spread);
                let steps = worker
                    .drain("acme", "orders")
                    .await
                    .unwrap_or_else(|error| panic!("{error}"));
                assert_eq!(worker.sink().len() as i64, RECORDS);
                steps.len()
            })
        })
    });
    throughput.finish();

    let batch = one_batch_source();
    let mut overhead = c.benchmark_group("batch_of_200");
    overhead.throughput(Throughput::Elements(200));
    overhead.bench_function("step_with_checkpoint", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let worker = worker(&batch);
                worker
                    .step("acme", "orders")
                    .await
                    .unwrap_or_else(|error| panic!("{error}"))
            })
        })
    });
    overhead.bench_function("direct_without_checkpoint", |b| {
        let window = Window::starting_at(now() - TimeDelta::days(90), 86_400);
        b.iter(|| {
            runtime.block_on(async {
                let sink = MemorySink::default();
                let count = batch
                    .count("acme", "orders", window)
                    .await
                    .unwrap_or_else(|error| panic!("{error}"));
                let mut records = Vec::new();
                let mut cursor = None;
                loop {
                    let page = batch
                        .fetch_page("acme", "orders", window, cursor.as_deref(), 200)
                        .await
                        .unwrap_or_else(|error| panic!("{error}"));
                    records.extend(page.records);
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                sink.upsert("acme", "orders", &records)
                    .await
                    .unwrap_or_else(|error| panic!("{error}"));
                (count, sink.len())
            })
        })
    });
    overhead.finish();

    // An empty window: what is left is the checkpoint work (read, claim, save) and the
    // engine's bookkeeping.
    let empty = Arc::new(MemorySource::new(["orders"]));
    c.bench_function("checkpoint_overhead/step_empty_window", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let worker = worker(&empty);
                worker
                    .step("acme", "orders")
                    .await
                    .unwrap_or_else(|error| panic!("{error}"))
            })
        })
    });
}

criterion_group!(sync, benches);
criterion_main!(sync);
