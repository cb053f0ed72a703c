//! `Reminders`: one-time reminders scheduled at run time and delivered by
//! email. Callers schedule a reminder for a local time with one signed
//! HTTP request (`POST /schedules`, IAM authorization, the caller's account
//! is its tenant); a daily task schedules follow-ups from code
//! (`cloud_cron_scheduler::OneOffScheduler`); at the time asked for, the
//! Scheduler publishes the reminder to a topic whose email channel
//! delivers it, once (durable dedup on the firing's id).

use std::time::Duration;

use cfn_gen::{
    App, NotificationChannel, OneOffSchedules, Schedule, ScheduledLambda, SchedulesApi, Stack,
    Topic,
};

const IMAGE: &str = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/reminder-jobs@sha256:7d0c5be1f3a94e26b8c1d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5";

/// Add the `Reminders` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "Reminders").description(
        "cloud-cron reference: one-time reminders scheduled over HTTP or from code, delivered once by email",
    );
    crate::operators::route_alarms(&stack);

    // Every reminder is published here when it is due, as its one-off
    // input: the key, the local time and zone asked for, and the payload.
    let due = Topic::standard(&stack, "DueReminders");
    let reminders = OneOffSchedules::new(&stack, "Reminders", &due)
        .delivery_retries(185, Duration::from_secs(86_400));

    // The Scheduler delivers at least once: every copy of one firing has
    // the same id (schedule ARN + scheduled time), and the dedup table
    // makes them one email whichever container receives them.
    NotificationChannel::email(&stack, "ReminderEmail", &due)
        .durable_dedup()
        .from("reminders@example.com")
        .to(["team@example.com"])
        .subject("Reminder: {{ payload.payload.title | default(value=payload.key) | truncate(length=80) }}")
        .text("{{ payload.payload.text | default(value='') }}\n\nScheduled for {{ payload.scheduledFor }} ({{ payload.timeZone }}), key {{ payload.key }}.");

    // One request schedules a reminder: POST /schedules, signed with SigV4.
    SchedulesApi::new(&stack, "Api", &reminders).throttle(20, 10.0);

    // Every morning, schedule follow-ups for yesterday's open items.
    let follow_ups = ScheduledLambda::new(&stack, "FollowUps")
        .description("Schedule follow-up reminders for yesterday's open items")
        .image(IMAGE)
        .schedule(Schedule::cron("0 7 ? * MON-FRI *").in_time_zone("Europe/London"))
        .timeout(Duration::from_secs(120));
    reminders.grant_manage(follow_ups.function());
    stack
}
