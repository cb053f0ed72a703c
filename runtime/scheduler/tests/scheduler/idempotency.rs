//! One key, one schedule: repeats are no-ops, different payloads conflict.

use cloud_cron_scheduler::SchedulerError;

use crate::support::{local, moto_scheduler};

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn creating_the_same_key_twice_is_one_schedule() {
    let (scheduler, raw, group) = moto_scheduler("idem").await;
    let at = local(2031, 5, 2, 8, 0);
    let first = scheduler
        .schedule_once("tenant-1/welcome", at, "Asia/Tokyo", &"hello")
        .await
        .expect("created");
    let second = scheduler
        .schedule_once("tenant-1/welcome", at, "Asia/Tokyo", &"hello")
        .await
        .expect("an identical repeat succeeds");
    assert!(first.created);
    assert!(!second.created);
    assert_eq!(
        (first.name.as_str(), first.arn.as_str()),
        (second.name.as_str(), second.arn.as_str())
    );
    let listed = raw
        .list_schedules()
        .group_name(&group)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.schedules().len(), 1);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_different_payload_or_time_for_a_scheduled_key_conflicts() {
    let (scheduler, _, _) = moto_scheduler("conflict").await;
    let at = local(2031, 5, 2, 8, 0);
    scheduler
        .schedule_once("tenant-1/welcome", at, "UTC", &"hello")
        .await
        .expect("created");
    let err = scheduler
        .schedule_once("tenant-1/welcome", at, "UTC", &"goodbye")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SchedulerError::AlreadyScheduled { ref key, .. } if key == "tenant-1/welcome"),
        "{err}"
    );
    assert!(!err.is_transient());
    let err = scheduler
        .schedule_once("tenant-1/welcome", local(2031, 5, 2, 9, 0), "UTC", &"hello")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SchedulerError::AlreadyScheduled { .. }),
        "{err}"
    );
    // The original is untouched.
    let item = scheduler
        .get::<String>("tenant-1/welcome")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!((item.payload.as_str(), item.at), ("hello", at));
}
