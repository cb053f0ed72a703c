//! `ErpSchedules`: calendar schedules in a local time zone. A weekday
//! ERP sync at 01:30 London time (which daylight saving moves in UTC), and a
//! one-time year-end close.

use std::time::Duration;

use cfn_gen::{App, Schedule, ScheduledLambda, Stack, Topic};

const IMAGE: &str = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// Add the `ErpSchedules` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "ErpSchedules")
        .description("cloud-cron example: ERP jobs on London local time");
    crate::operators::route_alarms_to_slack(&stack);
    let results = Topic::standard(&stack, "SyncResults");
    ScheduledLambda::new(&stack, "NightlySync")
        .description("Pull yesterday's orders from the ERP into the warehouse")
        .image(IMAGE)
        .env("ERP_JOB", "nightly-sync")
        .schedule(Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London"))
        .flexible_window(15)
        .timeout(Duration::from_secs(600))
        .memory_mb(1024)
        .publishes_to("results", &results);
    ScheduledLambda::new(&stack, "YearEndClose")
        .description("Close the financial year once, on New Year's Eve evening")
        .image(IMAGE)
        .env("ERP_JOB", "year-end-close")
        .schedule(Schedule::at("2027-12-31T18:00:00").in_time_zone("Europe/London"))
        .timeout(Duration::from_secs(900))
        .function_retries(0, Duration::from_secs(3600))
        .publishes_to("results", &results);
    stack
}
