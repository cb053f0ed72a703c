//! Window and page boundaries: records exactly on a window edge, on the initial range's
//! first second, equal timestamps across a page boundary, bursts met while a window is
//! halved, and a first batch that fails before the watermark was ever written while the
//! clock moves on (the range must not drift past records it already covered).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
use cloud_cron_sync::odoo::{odoo_datetime, OdooSource, OdooStream};
use cloud_cron_sync::{Source, StepOutcome, SyncConfig, SyncWorker, Window};
use serde_json::json;

use crate::support::{assert_adds_up, Fault, OdooServer, Recording};
use crate::windows::now;

type Worker = SyncWorker<Recording<MemorySource>, MemorySink, MemoryCheckpointStore>;

type Clock = Arc<Mutex<DateTime<Utc>>>;

fn worker(config: SyncConfig) -> (Worker, Clock) {
    let clock = Arc::new(Mutex::new(now()));
    let shared = clock.clone();
    let worker = SyncWorker::new(
        Recording::new(MemorySource::new(["orders"])),
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        config,
    )
    .expect("config")
    .clock(move || *shared.lock().expect("clock"));
    (worker, clock)
}

/// Inserts `ids` records at `at`, numbered from `first`; returns the next free number.
fn burst(worker: &Worker, first: usize, count: usize, at: DateTime<Utc>) -> usize {
    for id in first..first + count {
        worker
            .source()
            .inner
            .insert("acme", "orders", &id.to_string(), at, json!({"id": id}));
    }
    first + count
}

/// Steps until caught up (progress checked after each step), advancing the clock by
/// `tick` after every step; returns the outcomes.
async fn drain(worker: &Worker, clock: &Clock, tick: TimeDelta) -> Vec<StepOutcome> {
    let mut outcomes = Vec::new();
    loop {
        let outcome = worker.step("acme", "orders").await.expect("step");
        assert_adds_up(&worker.progress("acme").await.expect("progress"));
        *clock.lock().expect("clock") += tick;
        let more = outcome.more_work();
        outcomes.push(outcome);
        if !more {
            return outcomes;
        }
        assert!(outcomes.len() < 10_000, "runaway sync");
    }
}

/// Every record id `0..total` was written exactly once.
fn assert_exactly_once(worker: &Worker, total: usize) {
    let counts = worker.sink().write_counts();
    let missing: Vec<usize> = (0..total)
        .filter(|id| !counts.contains_key(&("acme".into(), "orders".into(), id.to_string())))
        .collect();
    assert!(
        missing.is_empty(),
        "gaps: records {missing:?} never written"
    );
    let twice: BTreeMap<_, _> = counts.iter().filter(|(_, &writes)| writes != 1).collect();
    assert!(twice.is_empty(), "written more than once: {twice:?}");
    assert_eq!(counts.len(), total, "nothing extra");
}

/// The regression: a 3-day initial range, a 900-record burst whose first record sits exactly
/// on the range's first second (the first window's start edge) and the rest one second
/// later. The first batch's count fails once; its retry comes a second later. The range
/// must start where the first attempt put it, not one second later: that lost the burst's
/// first record.
#[tokio::test]
async fn a_failed_first_batch_does_not_move_the_initial_range_past_its_first_record() {
    let config = SyncConfig::default()
        .initial_range(Duration::from_secs(3 * 86_400))
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO);
    let (worker, clock) = worker(config);
    let edge = now() - TimeDelta::days(3);
    let next = burst(&worker, 0, 1, edge);
    let total = burst(&worker, next, 899, edge + TimeDelta::seconds(1));
    worker.source().fail(Fault {
        at: edge,
        times: 1,
        in_count: true,
    });

    let outcomes = drain(&worker, &clock, TimeDelta::seconds(1)).await;
    assert!(
        matches!(
            outcomes[0],
            StepOutcome::Failed {
                attempt: 1,
                permanently_failed: false,
                ..
            }
        ),
        "the first batch failed once: {:?}",
        outcomes[0]
    );
    assert_exactly_once(&worker, total);
    let first_window = worker.source().counts.lock().expect("counts")[0].0;
    assert_eq!(first_window.start, edge, "counted from the range start");
}

/// The same with a first batch that keeps failing until it is permanently failed: the failed
/// range covers the range's first second, so `retry_failed` brings the burst back.
#[tokio::test]
async fn a_permanently_failed_first_batch_covers_the_initial_range_start() {
    let config = SyncConfig::default()
        .initial_range(Duration::from_secs(3 * 86_400))
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO);
    let (worker, clock) = worker(config);
    let edge = now() - TimeDelta::days(3);
    let total = burst(&worker, 0, 900, edge);
    worker.source().fail(Fault {
        at: edge,
        times: u32::MAX,
        in_count: true,
    });
    drain(&worker, &clock, TimeDelta::seconds(5)).await;
    let checkpoint = worker
        .checkpoint("acme", "orders")
        .await
        .expect("read")
        .expect("written");
    assert_eq!(checkpoint.failed_ranges.len(), 1, "{checkpoint:?}");
    assert!(
        checkpoint.failed_ranges[0].window.contains(edge),
        "{:?} covers {edge}",
        checkpoint.failed_ranges[0].window
    );
    worker.source().clear_faults();
    assert_eq!(
        worker.retry_failed("acme", "orders").await.expect("retry"),
        1
    );
    drain(&worker, &clock, TimeDelta::seconds(1)).await;
    assert_exactly_once(&worker, total);
}

/// Records on every edge the halving produces (a burst on the left edge of a window and on
/// the instant just before its right edge, in every width from one day down to one second),
/// a small batch limit so each is halved many times: every record once.
#[tokio::test]
async fn records_on_window_edges_are_written_once() {
    let config = SyncConfig::default()
        .initial_range(Duration::from_secs(4 * 86_400))
        .batch_limit(10)
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO);
    let (worker, clock) = worker(config);
    let start = now() - TimeDelta::days(4);
    let mut next = 0;
    for width in [
        86_400i64, 43_200, 21_600, 10_800, 5400, 2700, 1350, 675, 337, 2, 1,
    ] {
        for day in 0..3 {
            let left = start + TimeDelta::days(day) + TimeDelta::seconds(width);
            next = burst(&worker, next, 7, left);
            next = burst(&worker, next, 4, left - TimeDelta::seconds(1));
        }
    }
    // A burst right before the horizon (now, settle lag 0) and one at the horizon (not yet).
    next = burst(&worker, next, 25, now() - TimeDelta::seconds(1));
    let outcomes = drain(&worker, &clock, TimeDelta::zero()).await;
    assert_exactly_once(&worker, next);
    // The windows taken tile the range with no gap and no overlap.
    let mut windows: Vec<Window> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            StepOutcome::Synced { window, .. } => Some(*window),
            _ => None,
        })
        .collect();
    windows.sort_by_key(|window| window.start);
    assert_eq!(windows.first().map(|w| w.start), Some(start));
    assert_eq!(windows.last().map(|w| w.end), Some(now()));
    for pair in windows.windows(2) {
        assert_eq!(
            pair[0].end, pair[1].start,
            "{:?} then {:?}",
            pair[0], pair[1]
        );
    }
}

/// 450 records sharing one second: pages of 200, 200 and 50, resuming after the last
/// (time, id) on equal timestamps; the neighbours one second either side are in their own
/// windows.
#[tokio::test]
async fn equal_timestamps_across_page_boundaries_are_paged_without_loss() {
    let config = SyncConfig::default()
        .initial_range(Duration::from_secs(86_400))
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO);
    let (worker, clock) = worker(config);
    let at = now() - TimeDelta::hours(5);
    let mut next = burst(&worker, 0, 3, at - TimeDelta::seconds(1));
    next = burst(&worker, next, 450, at);
    next = burst(&worker, next, 3, at + TimeDelta::seconds(1));
    let outcomes = drain(&worker, &clock, TimeDelta::zero()).await;
    assert_exactly_once(&worker, next);
    let paged: Vec<_> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            StepOutcome::Synced {
                window,
                records,
                pages,
                ..
            } if *pages > 1 => Some((*window, *records, *pages)),
            _ => None,
        })
        .collect();
    assert_eq!(paged, [(Window::starting_at(at, 1), 450, 3)]);
}

/// The Odoo source on the stand-in's second-resolution `write_date`: a record whose
/// `write_date` is a window's end belongs to the next window only; count and pages agree.
#[tokio::test]
async fn odoo_windows_put_a_record_on_an_edge_in_the_later_window() {
    let server = OdooServer::start();
    let ids = server
        .create_many(
            "res.partner",
            (0..5)
                .map(|n| json!({"name": format!("Edge {n}")}))
                .collect(),
        )
        .await;
    let rows = server.records("res.partner").await;
    let row = rows
        .iter()
        .find(|row| row["id"] == json!(ids[0]))
        .expect("created");
    let write_date = row["write_date"].as_str().expect("write_date");
    let edge = chrono::NaiveDateTime::parse_from_str(write_date, "%Y-%m-%d %H:%M:%S")
        .expect("Odoo datetime")
        .and_utc();
    assert_eq!(odoo_datetime(edge), write_date);
    let source = OdooSource::new()
        .stream("contacts", OdooStream::new("res.partner").fields(["name"]))
        .tenant("acme", server.client());
    let before = Window {
        start: edge - TimeDelta::hours(1),
        end: edge,
    };
    let after = Window::starting_at(edge, 3600);
    let ids_in = |page: cloud_cron_sync::Page| -> Vec<String> {
        page.records.into_iter().map(|record| record.id).collect()
    };
    let first = ids[0].to_string();
    let earlier = source
        .fetch_page("acme", "contacts", before, None, 200)
        .await
        .expect("page");
    assert!(!ids_in(earlier).contains(&first), "not before its edge");
    let later = source
        .fetch_page("acme", "contacts", after, None, 200)
        .await
        .expect("page");
    let count = source
        .count("acme", "contacts", after)
        .await
        .expect("count");
    let later = ids_in(later);
    assert!(later.contains(&first), "in the window it starts");
    assert_eq!(count, later.len() as u64, "count and pages agree");
    // Paged one record at a time across the shared second: every created record once.
    let mut cursor = None;
    let mut paged = Vec::new();
    loop {
        let page = source
            .fetch_page("acme", "contacts", after, cursor.as_deref(), 1)
            .await
            .expect("page");
        cursor = page.next.clone();
        paged.extend(ids_in(page));
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(
        paged, later,
        "one-record pages see the same records in order"
    );
}
