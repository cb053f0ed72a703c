//! What the client rejects before sending anything: these tests point it at
//! an endpoint nothing listens on, so any request would fail differently.

use chrono::{TimeZone, Utc};
use cloud_cron_scheduler::{FixedClock, OneOffScheduler, SchedulerError};

use crate::support::{local, sdk_config, settings};

async fn offline() -> OneOffScheduler {
    let now = Utc
        .with_ymd_and_hms(2027, 3, 1, 12, 0, 0)
        .single()
        .expect("valid");
    OneOffScheduler::new(&sdk_config("http://127.0.0.1:9").await, settings("g"))
        .with_clock(FixedClock(now))
}

#[tokio::test]
async fn a_time_in_a_dst_gap_is_rejected() {
    // New York skips 02:00-03:00 on 2027-03-14.
    let err = offline()
        .await
        .schedule_once("k", local(2027, 3, 14, 2, 30), "America/New_York", &1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SchedulerError::NonexistentLocalTime { .. }),
        "{err}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_past_time_is_rejected_against_the_injected_clock() {
    let scheduler = offline().await;
    let err = scheduler
        .schedule_once("k", local(2027, 3, 1, 11, 59), "UTC", &1)
        .await
        .unwrap_err();
    assert!(matches!(err, SchedulerError::InThePast { .. }), "{err}");
    // 12:30 in London on 2027-03-01 is 12:30 UTC: after the clock's noon.
    assert!(scheduler
        .prepare("k", local(2027, 3, 1, 12, 30), "Europe/London", &1)
        .is_ok());
    let err = scheduler
        .reschedule("k", local(2020, 1, 1, 0, 0), "UTC", &1)
        .await
        .unwrap_err();
    assert!(matches!(err, SchedulerError::InThePast { .. }), "{err}");
}

#[tokio::test]
async fn an_oversized_payload_is_rejected_with_its_size() {
    let payload = serde_json::json!({ "blob": "x".repeat(300_000) });
    let err = offline()
        .await
        .schedule_once("tenant-1/big", local(2027, 6, 1, 9, 0), "UTC", &payload)
        .await
        .unwrap_err();
    let SchedulerError::InputTooLarge {
        actual,
        max,
        ref key,
    } = err
    else {
        panic!("expected InputTooLarge, got {err}");
    };
    assert_eq!(key, "tenant-1/big");
    assert_eq!(max, 262_144);
    assert!(actual > 300_000 && actual < 300_400, "{actual}");
}

#[tokio::test]
async fn an_unknown_zone_is_rejected() {
    let err = offline()
        .await
        .schedule_once("k", local(2027, 6, 1, 9, 0), "Mars/Olympus", &1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SchedulerError::UnknownTimeZone { .. }),
        "{err}"
    );
}
