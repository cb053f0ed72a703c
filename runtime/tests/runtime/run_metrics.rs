//! Each finished run of a job prints one CloudWatch Embedded Metric Format
//! line, `CloudCron` `RunSucceeded` or `RunFailed` with the dimensions
//! `FunctionName` and `Job`: the lines are captured through the runtime's
//! metric sink (standard output in Lambda), no AWS call is made.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use cloud_cron_runtime::contract::run_metrics::{
    FUNCTION_DIMENSION, JOB_DIMENSION, RUN_FAILED_METRIC, RUN_METRICS_NAMESPACE,
    RUN_SUCCEEDED_METRIC,
};
use cloud_cron_runtime::{Environment, Invocation, RunContext, Runtime, Task, TaskError};
use serde_json::{json, Value};

use crate::support;

/// Fails the job named `broken`, succeeds any other run.
struct Jobs;

impl Task for Jobs {
    const NAME: &'static str = "jobs";
    const TOPICS: &'static [&'static str] = &[];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        match ctx.job() {
            Some("broken") => Err("Odoo answered 500".into()),
            _ => Ok(()),
        }
    }
}

fn event(job: Option<&str>) -> Value {
    let mut event = json!({
        "source": "cloud-cron.scheduler", "version": 2,
        "scheduleArn": "arn:aws:scheduler:eu-west-2:123456789012:schedule/erp/nightly",
        "scheduledTime": "2027-03-29T08:00:00Z", "executionId": "e-1", "attemptNumber": "1"
    });
    if let Some(job) = job {
        event["job"] = json!(job);
        event["input"] = json!({"model": "ir.cron"});
    }
    event
}

/// A runtime whose EMF lines are collected in the returned buffer.
async fn runtime(env: &Environment) -> (Runtime<Jobs>, Arc<Mutex<Vec<String>>>) {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = lines.clone();
    // Nothing is sent: the task publishes nothing and has no idempotency table.
    let sdk = support::sdk_config("http://127.0.0.1:9").await;
    let runtime = Runtime::new(Jobs, &sdk, env)
        .expect("no topics to resolve")
        .with_metric_sink(Arc::new(move |line: &str| {
            sink.lock().expect("lock").push(line.to_owned());
        }));
    (runtime, lines)
}

fn lambda_env() -> Environment {
    Environment::from_pairs([("AWS_LAMBDA_FUNCTION_NAME", "erp-OdooJobs-1A2B3C")])
}

#[tokio::test]
async fn a_job_run_prints_its_outcome_with_function_and_job_dimensions() {
    let (runtime, lines) = runtime(&lambda_env()).await;
    let before = Utc::now().timestamp_millis();
    runtime
        .handle(&event(Some("nightly")), &Invocation::new("r-1"))
        .await
        .expect("succeeds");
    runtime
        .handle(&event(Some("broken")), &Invocation::new("r-2"))
        .await
        .expect_err("fails");
    let after = Utc::now().timestamp_millis();

    let lines = lines.lock().expect("lock").clone();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, job, metric, absent) in [
        (
            &lines[0],
            "nightly",
            RUN_SUCCEEDED_METRIC,
            RUN_FAILED_METRIC,
        ),
        (&lines[1], "broken", RUN_FAILED_METRIC, RUN_SUCCEEDED_METRIC),
    ] {
        assert!(!line.contains('\n'), "one line: {line}");
        let value: Value = serde_json::from_str(line).expect("the line is one JSON object");
        let directive = &value["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], RUN_METRICS_NAMESPACE, "{line}");
        assert_eq!(
            directive["Dimensions"],
            json!([[FUNCTION_DIMENSION, JOB_DIMENSION]]),
            "{line}"
        );
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": metric, "Unit": "Count"}])
        );
        assert_eq!(value[FUNCTION_DIMENSION], "erp-OdooJobs-1A2B3C");
        assert_eq!(value[JOB_DIMENSION], job);
        assert_eq!(value[metric], 1, "{line}");
        assert!(value.get(absent).is_none(), "{line}");
        let stamp = value["_aws"]["Timestamp"].as_i64().expect("milliseconds");
        assert!(
            (before..=after).contains(&stamp),
            "{stamp} is when the run started"
        );
    }
}

#[tokio::test]
async fn runs_without_a_job_or_outside_lambda_print_nothing() {
    let (runtime, lines) = runtime(&lambda_env()).await;
    runtime
        .handle(&event(None), &Invocation::new("r-1"))
        .await
        .expect("succeeds");
    assert!(lines.lock().expect("lock").is_empty());

    let (outside, lines) = runtime_without_name().await;
    outside
        .handle(&event(Some("nightly")), &Invocation::new("r-2"))
        .await
        .expect("succeeds");
    assert!(
        lines.lock().expect("lock").is_empty(),
        "no function name, no metric"
    );
}

async fn runtime_without_name() -> (Runtime<Jobs>, Arc<Mutex<Vec<String>>>) {
    runtime(&Environment::default()).await
}
