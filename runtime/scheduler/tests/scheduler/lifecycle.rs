//! Create, read, reschedule and cancel against moto.

use cloud_cron_scheduler::SchedulerError;
use serde::{Deserialize, Serialize};

use crate::support::{local, moto_scheduler};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reminder {
    invoice: u32,
    text: String,
}

fn reminder(invoice: u32) -> Reminder {
    Reminder {
        invoice,
        text: format!("invoice {invoice} is due"),
    }
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn create_get_reschedule_cancel() {
    let (scheduler, raw, group) = moto_scheduler("lifecycle").await;
    let key = "tenant-42/invoice-7";
    let at = local(2031, 3, 11, 14, 32);

    let handle = scheduler
        .schedule_once(key, at, "Europe/London", &reminder(7))
        .await
        .expect("created");
    assert!(handle.created);
    assert!(
        handle
            .arn
            .ends_with(&format!("schedule/{group}/{}", handle.name)),
        "{}",
        handle.arn
    );
    assert_eq!(handle.fires_at.to_rfc3339(), "2031-03-11T14:32:00+00:00");

    // What the Scheduler holds: every field a one-off schedule needs.
    let stored = raw
        .get_schedule()
        .group_name(&group)
        .name(&handle.name)
        .send()
        .await
        .expect("get");
    assert_eq!(
        stored.schedule_expression(),
        Some("at(2031-03-11T14:32:00)")
    );
    assert_eq!(stored.schedule_expression_timezone(), Some("Europe/London"));
    assert_eq!(
        stored.action_after_completion().map(|a| a.as_str()),
        Some("DELETE")
    );
    assert_eq!(
        stored.flexible_time_window().map(|w| w.mode().as_str()),
        Some("OFF")
    );
    assert_eq!(stored.state().map(|s| s.as_str()), Some("ENABLED"));
    let target = stored.target().expect("a target");
    assert_eq!(
        target.arn(),
        "arn:aws:lambda:us-east-1:123456789012:function:deliver"
    );
    assert_eq!(
        target.role_arn(),
        "arn:aws:iam::123456789012:role/one-off-scheduler"
    );
    let input: serde_json::Value =
        serde_json::from_str(target.input().expect("an input")).expect("JSON");
    assert_eq!(input["cloudCron"], 1);
    assert_eq!(input["key"], key);
    assert_eq!(input["tenant"], "tenant-42");
    assert_eq!(input["scheduledFor"], "2031-03-11T14:32:00");
    assert_eq!(input["scheduledTime"], "<aws.scheduler.scheduled-time>");
    assert_eq!(input["payload"]["invoice"], 7);

    let item = scheduler
        .get::<Reminder>(key)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(item.payload, reminder(7));
    assert_eq!(item.at, at);
    assert_eq!(item.time_zone, "Europe/London");
    assert_eq!(item.tenant.as_deref(), Some("tenant-42"));
    assert_eq!(item.state, "ENABLED");
    assert_eq!(item.action_after_completion.as_deref(), Some("DELETE"));

    // Rescheduling replaces time, zone and payload.
    let later = local(2031, 7, 1, 9, 0);
    let moved = scheduler
        .reschedule(key, later, "America/New_York", &reminder(8))
        .await
        .expect("rescheduled");
    assert_eq!(moved.name, handle.name);
    assert_eq!(moved.fires_at.to_rfc3339(), "2031-07-01T13:00:00+00:00");
    let item = scheduler
        .get::<Reminder>(key)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        (item.at, item.time_zone.as_str(), item.payload),
        (later, "America/New_York", reminder(8))
    );

    assert!(scheduler.cancel(key).await.expect("cancelled"));
    assert!(scheduler.get::<Reminder>(key).await.expect("get").is_none());
    assert!(!scheduler
        .cancel(key)
        .await
        .expect("a missing schedule is Ok(false)"));
    let err = scheduler
        .reschedule(key, later, "UTC", &reminder(8))
        .await
        .unwrap_err();
    assert!(matches!(err, SchedulerError::NotScheduled { .. }), "{err}");
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn an_unknown_key_reads_as_none() {
    let (scheduler, _, _) = moto_scheduler("missing").await;
    assert!(scheduler
        .get::<serde_json::Value>("nobody/nothing")
        .await
        .expect("get")
        .is_none());
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn dead_letter_queue_retry_policy_and_kms_key_reach_the_target() {
    let (scheduler, raw, group) = moto_scheduler("dlq").await;
    let mut settings = scheduler.settings().clone();
    settings.dead_letter_arn = Some("arn:aws:sqs:us-east-1:123456789012:one-off-dlq".to_owned());
    settings.kms_key_arn = Some(
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000".to_owned(),
    );
    settings.retry.max_retry_attempts = 3;
    settings.retry.max_event_age_seconds = 600;
    let config = crate::support::sdk_config(&crate::support::moto_endpoint()).await;
    let scheduler = cloud_cron_scheduler::OneOffScheduler::new(&config, settings);
    let handle = scheduler
        .schedule_once("k", local(2031, 1, 1, 0, 0), "UTC", &1)
        .await
        .expect("created");
    let stored = raw
        .get_schedule()
        .group_name(&group)
        .name(&handle.name)
        .send()
        .await
        .expect("get");
    let target = stored.target().expect("target");
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some("arn:aws:sqs:us-east-1:123456789012:one-off-dlq")
    );
    let retry = target.retry_policy().expect("retry policy");
    assert_eq!(retry.maximum_retry_attempts(), Some(3));
    assert_eq!(retry.maximum_event_age_in_seconds(), Some(600));
    assert!(stored
        .kms_key_arn()
        .is_some_and(|k| k.starts_with("arn:aws:kms:")));
}
