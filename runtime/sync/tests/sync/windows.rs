//! The engine over the in-memory source: bursts force the minimum window (then paged), empty
//! stretches let it grow to the maximum, every record is written exactly once, initial and
//! incremental, and the progress numbers add up after every step.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
use cloud_cron_sync::{StepOutcome, SyncConfig, SyncStatus, SyncWorker};
use serde_json::json;

use crate::support::{assert_adds_up, Recording};

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T00:00:00Z")
        .expect("valid")
        .with_timezone(&Utc)
}

/// 1000 records in one second 10 days ago (a burst no window can split), 4800 evenly over
/// two days 30 days ago, 150 in the last hour, nothing else for 90 days.
pub fn seeded(source: &MemorySource, tenant: &str) -> usize {
    let mut id = 0;
    let mut add = |at: DateTime<Utc>| {
        id += 1;
        source.insert(
            tenant,
            "orders",
            &id.to_string(),
            at,
            json!({"id": id, "name": format!("SO{id:05}")}),
        );
    };
    for _ in 0..1000 {
        add(now() - TimeDelta::days(10));
    }
    for i in 0..4800 {
        add(now() - TimeDelta::days(30) + TimeDelta::seconds(i * 36));
    }
    for i in 0..150 {
        add(now() - TimeDelta::hours(1) + TimeDelta::seconds(i * 20));
    }
    id
}

type Worker = SyncWorker<Recording<MemorySource>, MemorySink, MemoryCheckpointStore>;

fn worker(clock: Arc<Mutex<DateTime<Utc>>>) -> Worker {
    let source = Recording::new(MemorySource::new(["orders"]));
    SyncWorker::new(
        source,
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default(),
    )
    .expect("default config")
    .owner("test-worker")
    .clock(move || *clock.lock().expect("clock"))
}

/// Steps until caught up, checking progress after every step; returns the outcomes.
async fn drain_checked(worker: &Worker, tenant: &str) -> Vec<StepOutcome> {
    let mut outcomes = Vec::new();
    loop {
        let outcome = worker.step(tenant, "orders").await.expect("step");
        let progress = worker.progress(tenant).await.expect("progress");
        assert_adds_up(&progress);
        let checkpoint = worker
            .checkpoint(tenant, "orders")
            .await
            .expect("checkpoint")
            .expect("written");
        assert!(checkpoint.lease.is_none(), "released after every step");
        assert_eq!(
            progress.first_sync_done,
            checkpoint.status == SyncStatus::Done
        );
        let more = outcome.more_work();
        outcomes.push(outcome);
        if !more {
            return outcomes;
        }
        assert!(outcomes.len() < 10_000, "runaway sync");
    }
}

fn synced(outcomes: &[StepOutcome]) -> Vec<(i64, u64, u32)> {
    outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            StepOutcome::Synced {
                window,
                records,
                pages,
                ..
            } => Some((window.width_secs(), *records, *pages)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn initial_and_incremental_sync_write_every_record_exactly_once() {
    let clock = Arc::new(Mutex::new(now()));
    let worker = worker(clock.clone());
    let total = seeded(&worker.source().inner, "acme");
    assert_eq!(
        worker.progress("acme").await.expect("progress").pending,
        90,
        "not started: 90 days at 24 h"
    );

    let outcomes = drain_checked(&worker, "acme").await;
    let batches = synced(&outcomes);
    assert_eq!(
        batches.len(),
        outcomes.len(),
        "every step synced a batch: {outcomes:?}"
    );
    assert!(matches!(
        outcomes.last(),
        Some(StepOutcome::Synced { more: false, .. })
    ));

    // Windows: at most 200 records unless at the 30-minute minimum (then paged).
    for &(width, records, pages) in &batches {
        assert!(
            records <= 200 || width <= 1800,
            "{records} records in {width} s"
        );
        assert!(pages == 1 || width <= 1800, "{pages} pages in {width} s");
        assert!(width <= 86_400);
    }
    assert!(
        batches
            .iter()
            .any(|&(width, records, pages)| width == 1800 && records == 1000 && pages >= 5),
        "the burst was paged: {batches:?}"
    );
    assert!(
        batches
            .iter()
            .filter(|&&(width, ..)| width == 86_400)
            .count()
            >= 50,
        "empty stretches at the maximum: {batches:?}"
    );
    for (window, records) in worker.source().pages.lock().expect("pages").iter() {
        assert!(*records <= 200, "a page of {records} in {window:?}");
    }

    let sink = worker.sink();
    assert_eq!(sink.len(), total);
    assert!(
        sink.write_counts().values().all(|&writes| writes == 1),
        "each record written once"
    );
    let progress = worker.progress("acme").await.expect("progress");
    assert!(progress.first_sync_done);
    assert_eq!(
        (progress.failed, progress.pending, progress.percent),
        (0, 0, 100.0)
    );
    assert_eq!(progress.completed, batches.len() as u64);
    let checkpoint = worker
        .checkpoint("acme", "orders")
        .await
        .expect("read")
        .expect("written");
    assert_eq!(
        checkpoint.watermark,
        Some(now() - TimeDelta::seconds(60)),
        "settle lag of 60 s"
    );
    assert_eq!(checkpoint.counters.records, total as u64);

    // Nothing new: an idle poll only reads.
    let version = checkpoint.version;
    assert_eq!(
        worker.step("acme", "orders").await.expect("step"),
        StepOutcome::CaughtUp
    );
    assert_eq!(
        worker
            .checkpoint("acme", "orders")
            .await
            .expect("read")
            .expect("written")
            .version,
        version
    );

    // Two hours later: 300 new records and 10 old ones modified.
    *clock.lock().expect("clock") = now() + TimeDelta::hours(2);
    for i in 0..300 {
        let id = total + 1 + i;
        worker.source().inner.insert(
            "acme",
            "orders",
            &id.to_string(),
            now() + TimeDelta::seconds(i as i64 * 10),
            json!({"id": id}),
        );
    }
    for id in 1..=10 {
        worker.source().inner.insert(
            "acme",
            "orders",
            &id.to_string(),
            now() + TimeDelta::minutes(90),
            json!({"id": id, "name": "changed"}),
        );
    }
    let incremental = drain_checked(&worker, "acme").await;
    assert!(
        synced(&incremental).len() <= 8,
        "a short catch-up: {incremental:?}"
    );
    let counts = sink.write_counts();
    assert_eq!(counts.len(), total + 300);
    for ((_, _, id), writes) in counts {
        let id: usize = id.parse().expect("numeric id");
        assert_eq!(writes, if id <= 10 { 2 } else { 1 }, "record {id}");
    }
    assert_eq!(
        sink.get("acme", "orders", "3").expect("synced").0["name"],
        "changed"
    );
}

#[tokio::test]
async fn tenants_sync_in_parallel_and_independently() {
    let clock = Arc::new(Mutex::new(now()));
    let worker = worker(clock);
    let acme = seeded(&worker.source().inner, "acme");
    for id in 0..500 {
        worker.source().inner.insert(
            "globex",
            "orders",
            &format!("g{id}"),
            now() - TimeDelta::minutes(id + 2),
            json!({}),
        );
    }
    let tenants = vec!["acme".to_owned(), "globex".to_owned(), "initech".to_owned()];
    let results = worker.drain_tenants(&tenants, 3).await;
    assert_eq!(results.len(), 3);
    for (tenant, result) in results {
        assert!(result.expect("drained") > 0, "{tenant}");
        let progress = worker.progress(&tenant).await.expect("progress");
        assert!(progress.first_sync_done, "{tenant}: {progress:?}");
        assert_adds_up(&progress);
    }
    let counts = worker.sink().write_counts();
    assert_eq!(
        counts
            .keys()
            .filter(|(tenant, ..)| tenant == "acme")
            .count(),
        acme
    );
    assert_eq!(
        counts
            .keys()
            .filter(|(tenant, ..)| tenant == "globex")
            .count(),
        500
    );
    assert_eq!(
        counts
            .keys()
            .filter(|(tenant, ..)| tenant == "initech")
            .count(),
        0,
        "a tenant without records finishes too"
    );
    assert!(counts.values().all(|&writes| writes == 1));
    assert_eq!(
        worker
            .source()
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one call at a time per tenant + stream"
    );
}

#[tokio::test]
async fn unknown_streams_and_bad_configs_are_refused() {
    let clock = Arc::new(Mutex::new(now()));
    let worker = worker(clock);
    let error = worker
        .step("acme", "invoices")
        .await
        .expect_err("not served");
    assert!(error.to_string().contains("\"invoices\""), "{error}");
    let bad = SyncWorker::new(
        MemorySource::new(["orders"]),
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default().max_window(std::time::Duration::from_secs(60)),
    );
    assert!(bad.is_err());
}
