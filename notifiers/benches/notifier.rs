//! Notifier overhead without any network: per message (parse an SQS record's
//! envelope and render an email's three parts) and per cold start (read the
//! configuration from the environment and compile the templates).
//!
//! `cargo bench -p cloud-cron-notifiers`

use std::hint::black_box;

use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_notifiers::channels::email::Email;
use cloud_cron_notifiers::message::parse_envelope;
use cloud_cron_notifiers::{Notifier, Templates};
use cloud_cron_runtime::Environment;
use criterion::{criterion_group, criterion_main, Criterion};

const SUBJECT: &str = "[{{ task }}] {{ payload.level | upper }}: {{ payload.title }}";
const HTML: &str = r#"<html><body>
<h1>{{ payload.title }}</h1>
<p>Scheduled {{ scheduled_time }} by {{ schedule_arn }} (#{{ ordinal }}, {{ id[:8] }})</p>
<table>{% for row in payload.rows %}<tr><td>{{ row.metric }}</td><td>{{ row.value }}</td></tr>{% endfor %}</table>
</body></html>"#;
const TEXT: &str = "{{ payload.title }}\n{% for row in payload.rows %}- {{ row.metric }}: {{ row.value }}\n{% endfor %}";

fn body() -> String {
    let rows: Vec<_> = (0..10)
        .map(|i| serde_json::json!({ "metric": format!("metric-{i}"), "value": i * 7 }))
        .collect();
    serde_json::json!({
        "cloudCron": 1,
        "id": "220c28aeffd7fef89796c0ad8a97cd4eb57030e4eb81165bc265fb57979d6a7f",
        "task": "daily-report", "topic": "alerts",
        "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/daily-report",
        "scheduledTime": "2026-11-28T06:00:00Z", "ordinal": 0,
        "payload": { "level": "info", "title": "Daily report <2026-11-27>", "rows": rows },
    })
    .to_string()
}

fn per_message(c: &mut Criterion) {
    let templates = Templates::compile([
        (TemplatePart::Subject, SUBJECT),
        (TemplatePart::Html, HTML),
        (TemplatePart::Text, TEXT),
    ])
    .expect("templates compile");
    let body = body();
    c.bench_function("parse + render one message (email, 3 parts)", |b| {
        b.iter(|| {
            let envelope = parse_envelope(black_box(&body)).expect("envelope");
            black_box(templates.render(&envelope).expect("renders"))
        })
    });
}

fn start_up(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build();
    let env = Environment::from_pairs([
        (
            "CLOUDCRON_CHANNEL",
            r#"{"kind":"email","from":"reports@example.com","to":["alice@example.com","bob@example.com"]}"#,
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT",
            "env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT",
        ),
        ("CLOUDCRON_TEMPLATE_SUBJECT_TEXT", SUBJECT),
        (
            "CLOUDCRON_TEMPLATE_HTML",
            "env:CLOUDCRON_TEMPLATE_HTML_TEXT",
        ),
        ("CLOUDCRON_TEMPLATE_HTML_TEXT", HTML),
        (
            "CLOUDCRON_TEMPLATE_TEXT",
            "env:CLOUDCRON_TEMPLATE_TEXT_TEXT",
        ),
        ("CLOUDCRON_TEMPLATE_TEXT_TEXT", TEXT),
    ]);
    c.bench_function("start-up: config + compile 3 templates + SES client", |b| {
        b.iter(|| {
            runtime
                .block_on(Notifier::<Email>::from_env(black_box(&env), &sdk))
                .expect("configured")
        })
    });
}

criterion_group!(benches, per_message, start_up);
criterion_main!(benches);
