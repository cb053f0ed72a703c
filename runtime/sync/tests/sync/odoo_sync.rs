//! The Odoo source against the stand-in (`runtime/odoo/tests/odoo_server.py`), seeded through
//! its `create` API with bursts (one `create` call: thousands of records in a second or two,
//! forcing the window to its minimum and paging) and empty stretches; two tenants (two
//! servers) in parallel; an initial and an incremental sync write every record exactly once;
//! sub-second `write_date` values (stored with microseconds, returned to the second, as Odoo
//! does) in one second holding more records than a page are read completely, each once.

use std::collections::BTreeMap;
use std::time::Duration;

use cloud_cron_odoo::OdooClient;
use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink};
use cloud_cron_sync::odoo::{OdooSource, OdooStream};
use cloud_cron_sync::{StepOutcome, SyncConfig, SyncWorker};
use serde_json::{json, Value};

use crate::support::{assert_adds_up, OdooServer, Recording};

fn orders(from: usize, count: usize) -> Vec<Value> {
    (from..from + count)
        .map(|n| json!({"name": format!("SO{n:05}"), "partner_id": 1, "amount_total": n as f64, "state": "draft"}))
        .collect()
}

fn partners(from: usize, count: usize) -> Vec<Value> {
    (from..from + count)
        .map(|n| json!({"name": format!("Contact {n}"), "email": format!("c{n}@example.com"), "city": "Fremont"}))
        .collect()
}

fn source(acme: OdooClient, globex: OdooClient) -> OdooSource {
    OdooSource::new()
        .stream(
            "sales_orders",
            OdooStream::new("sale.order").fields(["name", "amount_total", "state", "partner_id"]),
        )
        .stream(
            "contacts",
            OdooStream::new("res.partner").fields(["name", "email", "city"]),
        )
        .tenant("acme", acme)
        .tenant("globex", globex)
}

type Worker = SyncWorker<Recording<OdooSource>, MemorySink, MemoryCheckpointStore>;

/// Steps every stream of `tenant` until caught up, checking progress after every step.
async fn drain_checked(worker: &Worker, tenant: &str) -> Vec<StepOutcome> {
    let mut outcomes = Vec::new();
    for stream in ["contacts", "sales_orders"] {
        loop {
            let outcome = worker.step(tenant, stream).await.expect("step");
            assert_adds_up(&worker.progress(tenant).await.expect("progress"));
            let more = outcome.more_work();
            outcomes.push(outcome);
            if !more {
                break;
            }
        }
    }
    outcomes
}

/// The sink matches the server: every row, its fields, written `expected(id)` times.
async fn assert_mirrors(
    worker: &Worker,
    server: &OdooServer,
    tenant: &str,
    expected: impl Fn(&str, i64) -> u32,
) {
    let counts = worker.sink().write_counts();
    for (stream, model, field) in [
        ("sales_orders", "sale.order", "name"),
        ("contacts", "res.partner", "name"),
    ] {
        let rows = server.records(model).await;
        let synced: BTreeMap<_, _> = counts
            .iter()
            .filter(|((t, s, _), _)| t == tenant && s == stream)
            .collect();
        assert_eq!(
            synced.len(),
            rows.len(),
            "{tenant} {stream}: one record each"
        );
        for row in rows {
            let id = row["id"].as_i64().expect("id");
            let (data, writes) = worker
                .sink()
                .get(tenant, stream, &id.to_string())
                .unwrap_or_else(|| panic!("{tenant} {stream} {id} missing"));
            assert_eq!(data[field], row[field], "{tenant} {stream} {id}");
            assert_eq!(data["write_date"], row["write_date"]);
            assert_eq!(
                writes,
                expected(stream, id),
                "{tenant} {stream} {id} written {writes} times"
            );
        }
    }
}

#[tokio::test]
async fn initial_and_incremental_sync_from_odoo_write_every_record_exactly_once() {
    let acme = OdooServer::start();
    let globex = OdooServer::start();
    // acme: a burst of 1500 orders, a trickle, an empty stretch, a burst of 600, contacts.
    let first_burst = acme.create_many("sale.order", orders(0, 1500)).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    acme.create_many("sale.order", orders(2000, 30)).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    acme.create_many("sale.order", orders(3000, 600)).await;
    acme.create_many("res.partner", partners(0, 250)).await;
    globex.create_many("sale.order", orders(0, 300)).await;
    globex.create_many("res.partner", partners(0, 40)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let config = SyncConfig::default()
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO)
        .lease_duration(Duration::from_secs(60));
    let worker = SyncWorker::new(
        Recording::new(source(acme.client(), globex.client())),
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        config,
    )
    .expect("config");

    // acme step by step (progress checked after each), globex drained alongside.
    let others = ["globex".to_owned()];
    let (outcomes, others) = tokio::join!(
        drain_checked(&worker, "acme"),
        worker.drain_tenants(&others, 2)
    );
    for (tenant, result) in others {
        result.unwrap_or_else(|error| panic!("{tenant}: {error}"));
    }
    for tenant in ["acme", "globex"] {
        let progress = worker.progress(tenant).await.expect("progress");
        assert!(progress.first_sync_done, "{tenant}: {progress:?}");
        assert_eq!((progress.failed, progress.pending), (0, 0));
    }
    assert_mirrors(&worker, &acme, "acme", |_, _| 1).await;
    assert_mirrors(&worker, &globex, "globex", |_, _| 1).await;

    // Windows: at most 200 records unless at the 1 s minimum, then paged; pages <= 200.
    let mut paged = 0;
    for outcome in &outcomes {
        if let StepOutcome::Synced {
            window,
            records,
            pages,
            ..
        } = outcome
        {
            assert!(
                *records <= 200 || window.width_secs() <= 1,
                "{records} records in {window:?}"
            );
            if *pages > 1 {
                assert!(window.width_secs() <= 1, "paged at {window:?}");
                paged += 1;
            }
        }
    }
    assert!(
        paged >= 1,
        "the 1500-record burst forced the minimum window and paging: {outcomes:?}"
    );
    assert!(worker
        .source()
        .pages
        .lock()
        .expect("pages")
        .iter()
        .all(|(_, records)| *records <= 200));
    assert!(
        outcomes.iter().any(|outcome| matches!(outcome, StepOutcome::Synced { window, .. } if window.width_secs() == 86_400)),
        "empty days crossed at the widest window"
    );

    // Incremental: 250 new orders and 20 of the first burst modified.
    let modified: Vec<i64> = first_burst[..20].to_vec();
    let client = acme.client();
    client
        .write("sale.order", &modified, &json!({"state": "sale"}))
        .await
        .expect("write");
    acme.create_many("sale.order", orders(5000, 250)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let incremental = drain_checked(&worker, "acme").await;
    assert!(
        incremental.len() < outcomes.len() / 4,
        "incremental is short: {} steps",
        incremental.len()
    );
    assert_mirrors(&worker, &acme, "acme", |stream, id| {
        if stream == "sales_orders" && modified.contains(&id) {
            2
        } else {
            1
        }
    })
    .await;
    let (data, _) = worker
        .sink()
        .get("acme", "sales_orders", &modified[0].to_string())
        .expect("synced");
    assert_eq!(data["state"], "sale", "the modified version");
}

#[tokio::test]
async fn a_second_of_subsecond_write_dates_fuller_than_a_page_is_read_once_each() {
    let acme = OdooServer::start();
    acme.store_subsecond_write_dates().await;
    // 1000 orders in one call: a second or two, so at least one second holds 500 or more,
    // five pages of 100 or more, each stored with its own microseconds.
    acme.create_many("sale.order", orders(0, 1000)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let stored = acme.records("sale.order").await;
    assert!(
        stored
            .iter()
            .filter(|row| row["write_date"].as_str().is_some_and(|at| at.len() > 19))
            .count()
            >= 1000,
        "the burst is stored with sub-second write_date values"
    );

    let source = OdooSource::new()
        .stream(
            "sales_orders",
            OdooStream::new("sale.order").fields(["name", "state"]),
        )
        .tenant("acme", acme.client());
    let config = SyncConfig::default()
        .batch_limit(100)
        .min_window(Duration::from_secs(1))
        .settle_lag(Duration::ZERO)
        .lease_duration(Duration::from_secs(60));
    let worker = SyncWorker::new(
        Recording::new(source),
        MemorySink::default(),
        MemoryCheckpointStore::default(),
        config,
    )
    .expect("config");
    let outcomes = worker
        .drain("acme", "sales_orders")
        .await
        .expect("the window is read to its end");

    assert!(
        outcomes.iter().any(|outcome| matches!(
            outcome,
            StepOutcome::Synced { window, pages, .. } if window.width_secs() <= 1 && *pages >= 5
        )),
        "one second was read in five pages or more: {outcomes:?}"
    );
    let counts = worker.sink().write_counts();
    assert_eq!(counts.len(), stored.len(), "every order, once");
    for row in &stored {
        let id = row["id"].as_i64().expect("id");
        let (data, writes) = worker
            .sink()
            .get("acme", "sales_orders", &id.to_string())
            .unwrap_or_else(|| panic!("order {id} missing"));
        assert_eq!(writes, 1, "order {id} written {writes} times");
        assert_eq!(data["name"], row["name"]);
        let at = row["write_date"].as_str().expect("stored write_date");
        assert_eq!(data["write_date"], at[..19], "returned to the second");
    }
    assert!(worker
        .source()
        .pages
        .lock()
        .expect("pages")
        .iter()
        .all(|(_, records)| *records <= 100));
}
