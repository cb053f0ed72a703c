//! Each way a run can be refused produces its own error and publishes
//! nothing: a missing topic variable (at start-up), a malformed event, an
//! unknown topic key, and a message over SNS's 256 KB.

use aws_config::SdkConfig;
use cloud_cron_runtime::{
    ConfigError, Environment, Invocation, PublishError, RunContext, RunError, Runtime, Task,
    TaskError,
};
use cloud_cron_test_support::inbox::Inbox;
use serde_json::{json, Value};

use crate::support;

/// What the test task does in its run.
#[derive(Clone, Copy)]
enum Behaviour {
    UnknownTopic,
    Oversize,
    OversizeInBatch,
}

struct Probe(Behaviour);

impl Task for Probe {
    const NAME: &'static str = "probe";
    const TOPICS: &'static [&'static str] = &["alerts"];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        match self.0 {
            Behaviour::UnknownTopic => {
                ctx.publish("alert", &json!({"typo": true})).await?;
            }
            Behaviour::Oversize => {
                ctx.publish("alerts", &"x".repeat(300_000)).await?;
            }
            Behaviour::OversizeInBatch => {
                let ok = ctx.message("alerts", &"fine")?;
                let big = ctx.message("alerts", &"x".repeat(300_000))?;
                ctx.send_batch(vec![ok, big]).await?;
            }
        }
        Ok(())
    }
}

async fn sdk() -> SdkConfig {
    // Points at moto when scripts/test runs us; the checks that need no AWS
    // call work with any endpoint, since nothing is sent.
    let endpoint =
        std::env::var("CLOUDCRON_MOTO_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:9".into());
    support::sdk_config(&endpoint).await
}

fn event() -> Value {
    json!({
        "source": "cloud-cron.scheduler", "version": 1,
        "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/probe",
        "scheduledTime": "2026-11-28T09:00:00Z", "executionId": "e-1", "attemptNumber": "1"
    })
}

#[tokio::test]
async fn a_missing_topic_variable_stops_start_up() {
    let err = Runtime::new(
        Probe(Behaviour::Oversize),
        &sdk().await,
        &Environment::default(),
    )
    .err()
    .expect("refused");
    assert!(matches!(err, ConfigError::MissingTopicVariable { .. }));
    let text = err.to_string();
    assert!(text.contains("SNS_TOPIC_ARN_ALERTS is not set"), "{text}");
    assert!(text.contains("publishes_to(\"alerts\""), "{text}");

    let env = Environment::from_pairs([("SNS_TOPIC_ARN_ALERTS", "alerts")]);
    let err = Runtime::new(Probe(Behaviour::Oversize), &sdk().await, &env)
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("`alerts`, which is not an SNS topic ARN"),
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn refused_runs_publish_nothing() {
    let sdk = sdk().await;
    // A FIFO topic with a FIFO queue behind it.
    let alerts = Inbox::builder("probe").fifo(true).create(&sdk).await;
    let env = Environment::from_pairs([("SNS_TOPIC_ARN_ALERTS", alerts.topic_arn.as_str())]);

    let runtime = Runtime::new(Probe(Behaviour::UnknownTopic), &sdk, &env).expect("configured");
    match runtime
        .handle(&json!({"key1": "value1"}), &Invocation::new("r"))
        .await
    {
        Err(RunError::Event(e)) => assert!(
            e.to_string()
                .contains("unrecognised event (top-level keys: key1)"),
            "{e}"
        ),
        other => panic!("expected an event error, got {other:?}"),
    }
    let err = runtime
        .handle(&event(), &Invocation::new("r"))
        .await
        .expect_err("unknown topic");
    let RunError::Task(e) = err else {
        panic!("task error expected")
    };
    let publish = e.downcast_ref::<PublishError>().expect("a publish error");
    assert!(matches!(publish, PublishError::UnknownTopic { .. }));
    assert!(
        publish
            .to_string()
            .contains("topic `alert` is not one of the task's topics (alerts)"),
        "{publish}"
    );

    for behaviour in [Behaviour::Oversize, Behaviour::OversizeInBatch] {
        let runtime = Runtime::new(Probe(behaviour), &sdk, &env).expect("configured");
        let RunError::Task(e) = runtime
            .handle(&event(), &Invocation::new("r"))
            .await
            .expect_err("too large")
        else {
            panic!("task error expected")
        };
        let publish = e.downcast_ref::<PublishError>().expect("a publish error");
        assert!(
            matches!(publish, PublishError::TooLarge { .. }),
            "{publish}"
        );
        assert!(
            publish.to_string().contains("SNS takes at most 262144"),
            "{publish}"
        );
    }
    assert_eq!(alerts.drain().await.len(), 0, "nothing was published");
}

struct Panics;

impl Task for Panics {
    const NAME: &'static str = "panics";
    const TOPICS: &'static [&'static str] = &[];

    async fn run(&self, _ctx: RunContext) -> Result<(), TaskError> {
        let items: Vec<u32> = Vec::new();
        // An out-of-bounds index: the kind of bug that must not take the handler down silently.
        let index = items.len() + 3;
        let _ = items[index];
        Ok(())
    }
}

#[tokio::test]
async fn a_panicking_task_fails_the_invocation_with_an_error() {
    let runtime =
        Runtime::new(Panics, &sdk().await, &Environment::default()).expect("no topics needed");
    let RunError::Task(e) = runtime
        .handle(&event(), &Invocation::new("r"))
        .await
        .expect_err("panics")
    else {
        panic!("task error expected")
    };
    assert!(e.to_string().contains("the task panicked"), "{e}");
}
