//! `LargeApp`: many scheduled jobs in one stack, more than one CloudFormation
//! template can hold, so synth splits it into nested stacks
//! ([`cfn_gen::split`]). The scale tests and the synth benchmark use it; it
//! is not part of [`crate::app`].
//!
//! Every job publishes its result to one shared topic and routes its alarms
//! to the operators' topic: both stay in the root template and reach the
//! nested stacks as parameters.

use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit, Topic};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// An app with one stack, `LargeApp`, of `jobs` hourly jobs `Job0000`,
/// `Job0001` ...
///
/// ```
/// let synthesis = cloud_cron_stacks::large_app::app(60).synth().expect("valid");
/// let stack = &synthesis.stacks[0];
/// assert!(!stack.nested.is_empty(), "60 jobs pass 500 resources");
/// ```
pub fn app(jobs: usize) -> App {
    let app = crate::new_app();
    let stack = Stack::new(&app, "LargeApp")
        .description("cloud-cron example: many jobs in one stack, split into nested stacks");
    crate::operators::route_alarms(&stack);
    let results = Topic::standard(&stack, "Results");
    for n in 0..jobs {
        job(&stack, n).publishes_to("results", &results);
    }
    app
}

/// Job number `n`: hourly, at a minute of its own.
pub fn job(stack: &Stack, n: usize) -> ScheduledLambda {
    ScheduledLambda::new(stack, &format!("Job{n:04}"))
        .image(IMAGE)
        .env("JOB_NUMBER", n.to_string())
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}
