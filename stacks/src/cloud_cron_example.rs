//! `CloudCronExample`: the seed usage. A FIFO topic and a Lambda from a
//! container image that runs every five minutes and publishes to it.

use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit, Topic};

/// Add the `CloudCronExample` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "CloudCronExample")
        .description("cloud-cron example: a scheduled Lambda publishing to a FIFO topic");
    let alerts = Topic::fifo(&stack, "Alerts");
    ScheduledLambda::new(&stack, "Report")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest")
        .schedule(Schedule::rate(5, TimeUnit::Minutes))
        .publishes_to("example", &alerts);
    stack
}
