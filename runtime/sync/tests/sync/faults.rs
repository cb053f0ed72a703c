//! Injected faults: a failing batch is retried with the same window, counted in the
//! checkpoint, and after `max_attempts` recorded as a permanently failed range while the
//! rest of the sync completes; `retry_failed` brings it back.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
use cloud_cron_sync::{BoxError, Record, Sink, StepOutcome, SyncConfig, SyncStatus, SyncWorker};
use serde_json::json;

use crate::support::{assert_adds_up, Fault, Recording};
use crate::windows::{now, seeded};

/// A sink that fails every upsert holding record `poison`, `times` times.
#[derive(Default)]
struct FlakySink {
    inner: MemorySink,
    poison: Mutex<Option<(String, u32)>>,
}

impl Sink for FlakySink {
    async fn upsert(&self, tenant: &str, stream: &str, records: &[Record]) -> Result<(), BoxError> {
        {
            let mut poison = self.poison.lock().expect("poison");
            if let Some((id, times)) = poison.as_mut() {
                if *times > 0 && records.iter().any(|record| &record.id == id) {
                    *times -= 1;
                    return Err("sink throttled".into());
                }
            }
        }
        self.inner.upsert(tenant, stream, records).await
    }
}

type Worker = SyncWorker<Recording<MemorySource>, FlakySink, MemoryCheckpointStore>;

fn worker() -> Worker {
    let clock = Arc::new(Mutex::new(now()));
    SyncWorker::new(
        Recording::new(MemorySource::new(["orders"])),
        FlakySink::default(),
        MemoryCheckpointStore::default(),
        SyncConfig::default(),
    )
    .expect("config")
    .clock(move || *clock.lock().expect("clock"))
}

async fn drain(worker: &Worker) -> Vec<StepOutcome> {
    let mut outcomes = Vec::new();
    loop {
        let outcome = worker.step("acme", "orders").await.expect("step");
        assert_adds_up(&worker.progress("acme").await.expect("progress"));
        let more = outcome.more_work();
        outcomes.push(outcome);
        if !more {
            return outcomes;
        }
    }
}

fn failures(outcomes: &[StepOutcome]) -> Vec<(u32, bool)> {
    outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            StepOutcome::Failed {
                attempt,
                permanently_failed,
                ..
            } => Some((*attempt, *permanently_failed)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_batch_failing_past_the_limit_is_permanently_failed_and_the_rest_completes() {
    let worker = worker();
    let total = seeded(&worker.source().inner, "acme");
    let burst = now() - TimeDelta::days(10);
    worker.source().fail(Fault {
        at: burst,
        times: u32::MAX,
        in_count: false,
    });

    let outcomes = drain(&worker).await;
    assert_eq!(
        failures(&outcomes),
        vec![(1, false), (2, false), (3, false), (4, true)]
    );
    // The retries used the same window.
    let windows: Vec<_> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            StepOutcome::Failed { window, .. } => Some(*window),
            _ => None,
        })
        .collect();
    assert!(windows
        .iter()
        .all(|window| *window == windows[0] && window.contains(burst)));

    let checkpoint = worker
        .checkpoint("acme", "orders")
        .await
        .expect("read")
        .expect("written");
    assert_eq!(
        checkpoint.status,
        SyncStatus::Done,
        "the sync moved past the failed batch"
    );
    assert_eq!(checkpoint.failed_ranges.len(), 1);
    assert_eq!(checkpoint.failed_ranges[0].window, windows[0]);
    assert_eq!(checkpoint.failed_ranges[0].attempts, 4);
    assert!(checkpoint.failed_ranges[0]
        .error
        .contains("injected fault in fetch"));
    assert_eq!(
        (checkpoint.attempts, checkpoint.last_error.as_deref()),
        (0, None),
        "reset once it moved on"
    );
    let progress = worker.progress("acme").await.expect("progress");
    assert_eq!((progress.failed, progress.pending), (1, 0));
    assert!(progress.first_sync_done);
    assert!(
        progress.percent == 100.0,
        "processed, one of them failed: {progress:?}"
    );
    // Everything but the burst's 1000 records arrived, once.
    let sink = &worker.sink().inner;
    assert_eq!(sink.len(), total - 1000);
    assert!(sink.write_counts().values().all(|&writes| writes == 1));

    // Retrying with the fault gone brings the burst in, once, and clears the failure.
    worker.source().clear_faults();
    assert_eq!(
        worker.retry_failed("acme", "orders").await.expect("queued"),
        1
    );
    let queued = worker.progress("acme").await.expect("progress");
    assert_eq!((queued.failed, queued.pending), (0, 1));
    assert_adds_up(&queued);
    let retried = drain(&worker).await;
    assert!(
        matches!(
            retried[0],
            StepOutcome::Synced {
                records: 1000,
                more: false,
                ..
            }
        ),
        "{retried:?}"
    );
    assert_eq!(sink.len(), total);
    assert!(sink.write_counts().values().all(|&writes| writes == 1));
    let progress = worker.progress("acme").await.expect("progress");
    assert_eq!(
        (progress.failed, progress.pending, progress.percent),
        (0, 0, 100.0)
    );
    assert!(worker
        .checkpoint("acme", "orders")
        .await
        .expect("read")
        .expect("written")
        .failed_ranges
        .is_empty());
}

#[tokio::test]
async fn transient_faults_are_retried_with_attempts_in_the_checkpoint() {
    let worker = worker();
    let total = seeded(&worker.source().inner, "acme");
    worker.source().fail(Fault {
        at: now() - TimeDelta::days(30),
        times: 2,
        in_count: false,
    });
    worker.source().fail(Fault {
        at: now() - TimeDelta::minutes(30),
        times: 1,
        in_count: true,
    });
    *worker.sink().poison.lock().expect("poison") = Some(("5000".to_owned(), 3));

    let mut outcomes = Vec::new();
    loop {
        let outcome = worker.step("acme", "orders").await.expect("step");
        if let StepOutcome::Failed { attempt, error, .. } = &outcome {
            let checkpoint = worker
                .checkpoint("acme", "orders")
                .await
                .expect("read")
                .expect("written");
            assert_eq!(
                checkpoint.attempts, *attempt,
                "attempts counted in the checkpoint"
            );
            assert_eq!(
                checkpoint.last_error.as_ref(),
                Some(error),
                "error recorded"
            );
        }
        let more = outcome.more_work();
        outcomes.push(outcome);
        if !more {
            break;
        }
    }
    assert_eq!(
        failures(&outcomes),
        vec![
            (1, false),
            (2, false),
            (1, false),
            (2, false),
            (3, false),
            (1, false)
        ]
    );
    let sink = &worker.sink().inner;
    assert_eq!(sink.len(), total, "nothing lost");
    assert!(
        sink.write_counts().values().all(|&writes| writes == 1),
        "a failed upsert wrote nothing"
    );
    let progress = worker.progress("acme").await.expect("progress");
    assert_eq!((progress.failed, progress.pending), (0, 0));
}

#[tokio::test]
async fn a_count_that_keeps_failing_fails_its_first_window() {
    let worker = worker();
    for id in 0..10 {
        worker.source().inner.insert(
            "acme",
            "orders",
            &id.to_string(),
            now() - TimeDelta::days(5),
            json!({}),
        );
    }
    worker.source().fail(Fault {
        at: now() - TimeDelta::days(5),
        times: u32::MAX,
        in_count: true,
    });
    let outcomes = drain(&worker).await;
    assert_eq!(
        failures(&outcomes),
        vec![(1, false), (2, false), (3, false), (4, true)]
    );
    let checkpoint = worker
        .checkpoint("acme", "orders")
        .await
        .expect("read")
        .expect("written");
    assert_eq!(checkpoint.failed_ranges.len(), 1);
    assert!(checkpoint.failed_ranges[0]
        .window
        .contains(now() - TimeDelta::days(5)));
    assert!(checkpoint.failed_ranges[0]
        .error
        .contains("injected fault in count"));
    assert!(worker.sink().inner.is_empty());
    let _: DateTime<Utc> = checkpoint.watermark.expect("moved past it");
}
