//! Handler overhead per invocation, without AWS calls: parsing the scheduler
//! event, then preparing a run's messages (envelope JSON and deduplication
//! ids). Run with `cargo bench -p cloud-cron-runtime`.

use std::hint::black_box;
use std::sync::Arc;

use chrono::Utc;
use cloud_cron_runtime::dispatch::Dispatcher;
use cloud_cron_runtime::{event, Environment, RunContext};
use criterion::{criterion_group, criterion_main, Criterion};
use serde::Serialize;
use serde_json::json;

#[derive(Serialize)]
struct Row {
    day: &'static str,
    metric: &'static str,
    value: u64,
}

fn dispatcher() -> Arc<Dispatcher> {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .build();
    let env = Environment::from_pairs([
        (
            "SNS_TOPIC_ARN_ALERTS",
            "arn:aws:sns:us-east-1:123456789012:alerts.fifo",
        ),
        (
            "SNS_TOPIC_ARN_REPORTS",
            "arn:aws:sns:us-east-1:123456789012:reports",
        ),
    ]);
    match Dispatcher::new(
        aws_sdk_sns::Client::from_conf(config),
        &env,
        "bench",
        &["alerts", "reports"],
    ) {
        Ok(d) => Arc::new(d),
        Err(e) => panic!("bench configuration: {e}"),
    }
}

fn handler_overhead(c: &mut Criterion) {
    let event = json!({
        "source": "cloud-cron.scheduler", "version": 1,
        "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/daily-report",
        "scheduledTime": "2026-11-28T06:00:00Z", "executionId": "e-1", "attemptNumber": "1"
    });
    let dispatcher = dispatcher();
    let now = Utc::now();

    c.bench_function("parse scheduler event", |b| {
        b.iter(|| event::parse(black_box(&event), "req", now))
    });

    c.bench_function("run: parse + prepare 1 alert and 10 report rows", |b| {
        b.iter(|| {
            let run = match event::parse(black_box(&event), "req", now) {
                Ok(run) => run,
                Err(e) => panic!("{e}"),
            };
            let ctx = RunContext::new(run, dispatcher.clone());
            let mut prepared = Vec::with_capacity(11);
            for i in 0..10 {
                let row = Row {
                    day: "2026-11-27",
                    metric: "orders",
                    value: i,
                };
                prepared.push(
                    ctx.message("reports", &row)
                        .map(|m| m.attribute("metric", "orders")),
                );
            }
            prepared.push(ctx.message("alerts", &json!({"level": "info", "text": "ready"})));
            black_box(prepared)
        })
    });
}

criterion_group!(benches, handler_overhead);
criterion_main!(benches);
