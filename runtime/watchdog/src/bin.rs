//! The whole `main` of the `watchdog` Lambda in one call, so a project's own
//! functions package needs no async runtime, AWS or Lambda crate of its own
//! (see `cfn_gen::BuiltinFunctions`):
//!
//! ```no_run
//! // src/bin/watchdog.rs
//! fn main() -> Result<(), cloud_cron_watchdog::bin::Error> {
//!     cloud_cron_watchdog::bin::main()
//! }
//! ```
//!
//! Run by its own EventBridge Scheduler schedule with the cloud-cron
//! scheduler input, it checks the runs of the jobs in `CLOUDCRON_WATCHDOG`
//! against Lambda's metrics and publishes each finding to the ops topic named
//! there. The scheduled time is "now", so a retried invocation judges the
//! same runs. Logs are JSON when the function's log format is JSON
//! (`AWS_LAMBDA_LOG_FORMAT`), through `tracing`.

use aws_config::BehaviorVersion;
use cloud_cron_contract::watchdog::WATCHDOG_CONFIG_ENV;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

use crate::cloudwatch::CloudWatchMetrics;
use crate::error::WatchdogError;
use crate::handler::{handle, Plan, SystemClock};
use crate::publish::SnsPublisher;

/// What the watchdog's `main` returns on failure: `lambda_runtime::Error`.
pub use lambda_runtime::Error;

/// Start a multi-threaded tokio runtime and serve [`run`] until Lambda stops
/// the container.
///
/// # Errors
///
/// As [`run`].
pub fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// Read the configuration and serve scheduled invocations with [`handle`].
///
/// # Errors
///
/// The configuration or the ops topic variable is missing or invalid, or
/// the Lambda runtime fails.
pub async fn run() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let json = std::env::var(WATCHDOG_CONFIG_ENV).map_err(|_| WatchdogError::Config {
        env: WATCHDOG_CONFIG_ENV.to_owned(),
        problem: "the variable is not set".into(),
        fix: "deploy the watchdog from the template synth writes".into(),
    })?;
    let plan = Plan::from_json(WATCHDOG_CONFIG_ENV, &json)?;
    let topic_env = plan.config.ops_topic_env.clone();
    let topic_arn = std::env::var(&topic_env).map_err(|_| WatchdogError::Config {
        env: topic_env.clone(),
        problem: "the ops topic ARN variable is not set".into(),
        fix: format!("set {topic_env} to the ops topic's ARN"),
    })?;
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let region = aws
        .region()
        .map(ToString::to_string)
        .unwrap_or_else(|| "us-east-1".to_owned());
    let metrics = CloudWatchMetrics::new(aws_sdk_cloudwatch::Client::new(&aws));
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&aws), topic_arn);
    let plan = &plan;
    let (metrics, publisher, region) = (&metrics, &publisher, region.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let summary = handle(
            plan,
            &event.payload,
            &SystemClock,
            region,
            metrics,
            publisher,
        )
        .await?;
        tracing::info!(
            checked_at = %summary.checked_at,
            previous_check = %summary.previous_check,
            runs_judged = summary.runs_judged,
            findings = summary.findings.len(),
            "watchdog run done"
        );
        Ok::<Value, Error>(serde_json::to_value(summary)?)
    }))
    .await
}
