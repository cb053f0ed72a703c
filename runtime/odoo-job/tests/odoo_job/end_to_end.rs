//! Scheduler input -> `Runtime::handle` -> Odoo call, with the password in
//! moto SSM, the idempotency guard in moto DynamoDB and outcomes read back
//! from an SQS queue subscribed to the results topic.

use aws_config::SdkConfig;
use cloud_cron_odoo_job::{OdooJob, OdooSettings, Outcome};
use cloud_cron_runtime::contract::{self, SchedulerInput};
use cloud_cron_runtime::{Environment, Invocation, RunError, Runtime};
use serde_json::{json, Value};

use crate::server::{OdooServer, ADMIN, ADMIN_PASSWORD, DB};
use cloud_cron_test_support::idempotency::idempotency_table;
use cloud_cron_test_support::inbox::Inbox;
use cloud_cron_test_support::logs;

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", fastrand::u64(..))
}

/// AWS resources of one test: (environment, the results topic's inbox).
async fn aws(sdk: &SdkConfig, odoo: &OdooServer) -> (Environment, Inbox) {
    let parameter = format!("/erp/{}/odoo-password", unique("test"));
    aws_sdk_ssm::Client::new(sdk)
        .put_parameter()
        .name(&parameter)
        .value(ADMIN_PASSWORD)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put parameter");
    let table = unique("odoo-job-runs");
    idempotency_table(sdk, &table).await;
    let results = Inbox::builder("results").create(sdk).await;
    let env = Environment::from_pairs([
        (
            "SNS_TOPIC_ARN_RESULTS".to_owned(),
            results.topic_arn.clone(),
        ),
        (contract::IDEMPOTENCY_TABLE_ENV.to_owned(), table),
        (
            "CLOUDCRON_SECRET_ODOO_PASSWORD".to_owned(),
            format!("ssm:{parameter}"),
        ),
        ("ODOO_URL".to_owned(), odoo.url()),
        ("ODOO_DB".to_owned(), DB.to_owned()),
        ("ODOO_LOGIN".to_owned(), ADMIN.to_owned()),
    ]);
    (env, results)
}

/// The outcomes published so far (envelope payloads).
async fn outcomes(results: &Inbox) -> Vec<Outcome> {
    results
        .drain()
        .await
        .iter()
        .map(|message| {
            let body: Value = serde_json::from_str(message.body().unwrap_or("{}")).expect("JSON");
            serde_json::from_value(body["payload"].clone()).expect("an Outcome")
        })
        .collect()
}

/// What the Scheduler passes for job `job` at `time`, attempt `attempt`.
fn scheduler_event(job: &str, input: Value, time: &str, attempt: u32) -> Value {
    serde_json::to_value(SchedulerInput {
        schedule_arn: format!("arn:aws:scheduler:us-east-1:123456789012:schedule/erp/{job}"),
        scheduled_time: time.to_owned(),
        execution_id: unique("exec"),
        attempt_number: attempt.to_string(),
        ..SchedulerInput::job_template(job, input)
    })
    .expect("JSON")
}

fn runtime(sdk: &SdkConfig, env: &Environment) -> Runtime<OdooJob> {
    let settings = OdooSettings::from_env(env).expect("settings");
    Runtime::new(OdooJob::new(settings), sdk, env).expect("runtime")
}

#[tokio::test]
#[ignore = "needs moto and python3: run with scripts/test -p cloud-cron-odoo-job"]
async fn a_scheduled_run_calls_odoo_exactly_once_even_when_invoked_twice() {
    logs::capture();
    let sdk = cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await;
    let odoo = OdooServer::start();
    let (env, results) = aws(&sdk, &odoo).await;
    let runtime = runtime(&sdk, &env);
    let trigger = json!({"model": "ir.cron", "method": "method_direct_trigger", "args": [[5]]});
    let first = scheduler_event("send-invoices", trigger.clone(), "2026-12-03T08:00:00Z", 1);
    let report = runtime
        .handle(&first, &Invocation::new("req-1"))
        .await
        .expect("first run");
    assert_eq!(report.outcome, "completed");
    assert_eq!(report.job.as_deref(), Some("send-invoices"));
    // The Scheduler (or Lambda) delivers the same run again.
    let again = scheduler_event("send-invoices", trigger.clone(), "2026-12-03T08:00:00Z", 2);
    let report = runtime
        .handle(&again, &Invocation::new("req-2"))
        .await
        .expect("second delivery");
    assert_eq!(report.outcome, "skipped");
    assert_eq!(
        odoo.cron_calls().await,
        vec![json!({"cron_id": 5, "uid": 2})]
    );

    // Another job at the same instant is another run; so is the next day.
    let other = scheduler_event(
        "email-queue",
        json!({"model": "ir.cron", "method": "method_direct_trigger", "args": [[1]]}),
        "2026-12-03T08:00:00Z",
        1,
    );
    runtime
        .handle(&other, &Invocation::new("req-3"))
        .await
        .expect("other job");
    let next_day = scheduler_event("send-invoices", trigger, "2026-12-04T08:00:00Z", 1);
    runtime
        .handle(&next_day, &Invocation::new("req-4"))
        .await
        .expect("next day");
    let calls: Vec<i64> = odoo
        .cron_calls()
        .await
        .iter()
        .filter_map(|c| c["cron_id"].as_i64())
        .collect();
    assert_eq!(calls, [5, 1, 5]);

    let published = outcomes(&results).await;
    assert_eq!(published.len(), 3, "{published:?}");
    let first = &published[0];
    assert_eq!(
        (first.job.as_str(), first.status.as_str()),
        ("send-invoices", "ok")
    );
    assert_eq!(
        (first.model.as_str(), first.method.as_str()),
        ("ir.cron", "method_direct_trigger")
    );
    assert_eq!(first.result.as_deref(), Some("true"));
    assert_eq!(first.scheduled_time, "2026-12-03T08:00:00Z");
    assert!(
        !logs::captured().contains(ADMIN_PASSWORD),
        "the password was logged"
    );
}

#[tokio::test]
#[ignore = "needs moto and python3: run with scripts/test -p cloud-cron-odoo-job"]
async fn an_odoo_fault_fails_the_run_and_publishes_the_error() {
    logs::capture();
    let sdk = cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await;
    let odoo = OdooServer::start();
    let (env, results) = aws(&sdk, &odoo).await;
    let runtime = runtime(&sdk, &env);
    // Deleting a confirmed sales order is a UserError in Odoo.
    let event = scheduler_event(
        "purge-orders",
        json!({"model": "sale.order", "method": "unlink", "args": [[2]]}),
        "2026-12-03T09:00:00Z",
        1,
    );
    let err = runtime
        .handle(&event, &Invocation::new("req-1"))
        .await
        .expect_err("a fault fails the run");
    let text = err.to_string();
    assert!(matches!(err, RunError::Task(_)), "{text}");
    assert!(
        text.contains("job `purge-orders`") && text.contains("confirmed sales order"),
        "{text}"
    );
    // A failed run is released: the retry calls Odoo again (and fails again).
    let retry = scheduler_event(
        "purge-orders",
        json!({"model": "sale.order", "method": "unlink", "args": [[2]]}),
        "2026-12-03T09:00:00Z",
        2,
    );
    assert!(runtime
        .handle(&retry, &Invocation::new("req-2"))
        .await
        .is_err());
    let published = outcomes(&results).await;
    assert_eq!(published.len(), 2, "{published:?}");
    assert!(published
        .iter()
        .all(|o| o.status == "failed" && o.transient == Some(false)));
    let error = published[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("sale.order.unlink"), "{error}");
    assert!(
        !logs::captured().contains(ADMIN_PASSWORD),
        "the password was logged"
    );
    assert!(!error.contains(ADMIN_PASSWORD));
}

#[tokio::test]
#[ignore = "needs moto and python3: run with scripts/test -p cloud-cron-odoo-job"]
async fn a_bad_input_fails_naming_the_job() {
    logs::capture();
    let sdk = cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await;
    let odoo = OdooServer::start();
    let (env, _results) = aws(&sdk, &odoo).await;
    let runtime = runtime(&sdk, &env);
    let event = scheduler_event(
        "typo",
        json!({"model": "ir.cron"}),
        "2026-12-03T10:00:00Z",
        1,
    );
    let err = runtime
        .handle(&event, &Invocation::new("req-1"))
        .await
        .expect_err("bad input");
    let text = err.to_string();
    assert!(
        text.contains("job `typo`") && text.contains("missing field `method`"),
        "{text}"
    );
    assert!(odoo.cron_calls().await.is_empty());
}
