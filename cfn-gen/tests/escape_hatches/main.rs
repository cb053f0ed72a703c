//! The escape hatches: raw resources, overrides, tags, the permissions
//! boundary, parameters and the dangling-reference check, one module per
//! concern. Every error's fix is applied and must then synthesize.

mod boundary;
mod overrides;
mod parameters;
mod raw;
mod readme;
mod references;
mod tags;

use std::collections::BTreeMap;

use cfn_gen::{
    App, NotificationChannel, Problem, Schedule, ScheduledLambda, Stack, TimeUnit, Topic, Value,
};
use serde_json::Value as Json;

/// A pinned private ECR image.
pub const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// The errors synth reports (none when it succeeds).
pub fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

/// The one error whose message contains `needle`.
pub fn error_with<'a>(errors: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = errors
        .iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error containing {needle:?}, got: {errors:#?}"
    );
    found[0]
}

/// The first `quoted` part of a message or fix.
pub fn ticked(text: &str) -> String {
    text.split('`').nth(1).unwrap_or_default().to_owned()
}

/// The first "quoted" part of a message or fix.
pub fn quoted(text: &str) -> String {
    text.split('"').nth(1).unwrap_or_default().to_owned()
}

/// The first stack's template as JSON; panics with the problems when synth fails.
pub fn template(app: &App) -> Json {
    match app.synth() {
        Ok(s) => s.stacks[0].template.to_json(),
        Err(e) => panic!("synth failed:\n{e}"),
    }
}

/// The resources of `t` of type `ty`.
pub fn of_type<'a>(t: &'a Json, ty: &str) -> Vec<(&'a String, &'a Json)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

/// A map value from pairs.
pub fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// An hourly job.
pub fn job(stack: &Stack, id: &str) -> ScheduledLambda {
    ScheduledLambda::new(stack, id)
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}

/// An email channel on `topic`.
pub fn email(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<cfn_gen::Email> {
    NotificationChannel::email(stack, id, topic)
        .image(IMAGE)
        .from("me@example.com")
        .to(["alice@example.com"])
        .subject("{{ task }}")
        .text("{{ payload.text }}")
}

/// A stack with a job publishing to a topic and an email channel on it.
pub fn scheduled_app(name: &str) -> (App, Stack, Topic) {
    let app = App::new();
    let stack = Stack::new(&app, name);
    let alerts = Topic::standard(&stack, "Alerts");
    job(&stack, "Job").publishes_to("alerts", &alerts);
    email(&stack, "Mail", &alerts);
    (app, stack, alerts)
}
