//! What Lambda reports as `errorType` for each way an invocation or a cold
//! start fails: the `cloud_cron::*` names `cloud_cron_runtime::diagnostic`
//! documents, not Rust type paths.

use std::time::{Duration, UNIX_EPOCH};

use cloud_cron_runtime::diagnostic;
use cloud_cron_runtime::idempotency::IdempotencyError;
use cloud_cron_runtime::{Environment, Invocation, RunContext, RunError, Runtime, Task, TaskError};
use lambda_runtime::Diagnostic;
use serde_json::{json, Value};

use crate::support;

/// Fails its run the way its field says.
enum Fails {
    WithItsOwnError,
    Publishing,
    Panicking,
}

impl Task for Fails {
    const NAME: &'static str = "fails";
    const TOPICS: &'static [&'static str] = &["alerts"];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        match self {
            Fails::WithItsOwnError => Err("the report service answered 503".into()),
            Fails::Publishing => {
                // Refused before anything is sent: no AWS call.
                ctx.publish("alert", &json!({"typo": true})).await?;
                Ok(())
            }
            Fails::Panicking => panic!("a bug in the task"),
        }
    }
}

fn event() -> Value {
    json!({
        "source": "cloud-cron.scheduler", "version": 1,
        "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/fails",
        "scheduledTime": "2026-11-28T09:00:00Z", "executionId": "e-1", "attemptNumber": "1"
    })
}

async fn runtime(task: Fails) -> Runtime<Fails> {
    let sdk = support::sdk_config("http://127.0.0.1:9").await;
    let env = Environment::from_pairs([(
        "SNS_TOPIC_ARN_ALERTS",
        "arn:aws:sns:us-east-1:123456789012:alerts",
    )]);
    Runtime::new(task, &sdk, &env).expect("configured")
}

async fn diagnostic_of(task: Fails, event: &Value) -> Diagnostic {
    let error = runtime(task)
        .await
        .handle(event, &Invocation::new("r"))
        .await
        .expect_err("the run fails");
    Diagnostic::from(error)
}

#[tokio::test]
async fn a_failed_task_is_a_task_failed() {
    let diagnostic = diagnostic_of(Fails::WithItsOwnError, &event()).await;
    assert_eq!(diagnostic.error_type, "cloud_cron::TaskFailed");
    assert_eq!(diagnostic.error_type, diagnostic::TASK_FAILED);
    assert_eq!(
        diagnostic.error_message,
        "task failed: the report service answered 503"
    );

    let diagnostic = diagnostic_of(Fails::Panicking, &event()).await;
    assert_eq!(diagnostic.error_type, "cloud_cron::TaskFailed");
    assert!(
        diagnostic.error_message.contains("the task panicked"),
        "{}",
        diagnostic.error_message
    );
}

#[tokio::test]
async fn a_failed_publish_is_a_publish_failed() {
    let diagnostic = diagnostic_of(Fails::Publishing, &event()).await;
    assert_eq!(diagnostic.error_type, "cloud_cron::PublishFailed");
    assert_eq!(diagnostic.error_type, diagnostic::PUBLISH_FAILED);
    assert!(
        diagnostic
            .error_message
            .contains("topic `alert` is not one of the task's topics"),
        "{}",
        diagnostic.error_message
    );
}

#[tokio::test]
async fn an_unknown_event_is_an_invalid_event() {
    let diagnostic = diagnostic_of(Fails::WithItsOwnError, &json!({"key1": "value1"})).await;
    assert_eq!(diagnostic.error_type, "cloud_cron::InvalidEvent");
    assert_eq!(diagnostic.error_type, diagnostic::INVALID_EVENT);
}

#[test]
fn guard_failures_have_their_own_types() {
    let busy = Diagnostic::from(RunError::InProgressElsewhere {
        until: UNIX_EPOCH + Duration::from_millis(1_795_856_400_250),
    });
    assert_eq!(busy.error_type, "cloud_cron::RunInProgress");
    // Times in messages are RFC 3339, not a debug-printed SystemTime.
    assert_eq!(
        busy.error_message,
        "another attempt of this run is in progress until 2026-11-28T09:00:00.250Z; retrying later"
    );

    let guard = Diagnostic::from(RunError::Idempotency(IdempotencyError::TableNotConfigured));
    assert_eq!(guard.error_type, "cloud_cron::IdempotencyFailed");
    assert_eq!(guard.error_type, diagnostic::IDEMPOTENCY_FAILED);
}

#[tokio::test]
async fn a_missing_topic_variable_is_a_task_config_error() {
    let sdk = support::sdk_config("http://127.0.0.1:9").await;
    let error = Runtime::new(Fails::WithItsOwnError, &sdk, &Environment::default())
        .err()
        .expect("refused");
    let diagnostic = Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "cloud_cron::TaskConfig");
    assert_eq!(diagnostic.error_type, diagnostic::TASK_CONFIG);
    assert!(
        diagnostic
            .error_message
            .contains("SNS_TOPIC_ARN_ALERTS is not set"),
        "{}",
        diagnostic.error_message
    );
}
