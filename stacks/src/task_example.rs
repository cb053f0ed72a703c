//! `TaskExample`: the example Rust task (`stacks/example-task`) deployed as a
//! zip function that `sam build` compiles with cargo-lambda. Every morning at
//! 06:00 Berlin time it announces a report on a FIFO topic and publishes the
//! report's rows to a standard topic.

use cfn_gen::{App, RustBinary, Schedule, ScheduledLambda, Stack, Topic};

/// Add the `TaskExample` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "TaskExample")
        .description("cloud-cron example: a Rust task publishing a daily report to two topics");
    crate::operators::route_alarms(&stack);
    let alerts = Topic::fifo(&stack, "Alerts");
    let reports = Topic::standard(&stack, "Reports");
    ScheduledLambda::new(&stack, "DailyReport")
        .description("Announce yesterday's report and publish its rows")
        .rust_binary(RustBinary::new(
            concat!(env!("CARGO_MANIFEST_DIR"), "/example-task"),
            "example-task",
        ))
        .schedule(Schedule::cron("0 6 * * ? *").in_time_zone("Europe/Berlin"))
        .publishes_to("alerts", &alerts)
        .publishes_to("reports", &reports)
        .idempotency();
    stack
}
