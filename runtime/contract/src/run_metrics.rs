//! The run-outcome metrics contract: one CloudWatch Embedded Metric Format
//! (EMF) log line per finished run of a job, which the stack's missed-run
//! watchdog reads instead of Lambda's own metrics.
//!
//! A function with several `.job(name, schedule, input)` schedules has one
//! set of `AWS/Lambda` metrics for all of them, so Lambda's `Invocations`
//! cannot say which job ran. The runtime therefore prints, when a job's run
//! ends, one JSON object on one line of standard output; CloudWatch Logs turns
//! it into a metric datapoint, with no SDK call and no IAM permission beyond
//! the function's own logging:
//!
//! | | value |
//! |---|---|
//! | namespace | [`RUN_METRICS_NAMESPACE`] (`CloudCron`) |
//! | metric | [`RUN_SUCCEEDED_METRIC`] (`RunSucceeded`) or [`RUN_FAILED_METRIC`] (`RunFailed`), value `1`, unit `Count` |
//! | dimensions | one set: [`FUNCTION_DIMENSION`] (`FunctionName`, the Lambda function's name, `AWS_LAMBDA_FUNCTION_NAME`) and [`JOB_DIMENSION`] (`Job`, the job's name) |
//! | timestamp | `_aws.Timestamp`: when the invocation started, milliseconds since the epoch |
//!
//! A failed attempt that Lambda retries emits `RunFailed`, the retry that
//! succeeds `RunSucceeded`; a run cut off by the function's timeout emits
//! neither (and is reported `missed` when no retry succeeds). A container
//! image written in any language takes part by printing the same line, e.g.
//! in Python: `print(json.dumps({"_aws": {"Timestamp": started_ms,
//! "CloudWatchMetrics": [{"Namespace": "CloudCron", "Dimensions":
//! [["FunctionName", "Job"]], "Metrics": [{"Name": "RunSucceeded", "Unit":
//! "Count"}]}]}, "FunctionName": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
//! "Job": job, "RunSucceeded": 1}), flush=True)`. The line must be printed
//! as it is (not inside another logger's JSON): Lambda passes a custom
//! runtime's standard output to CloudWatch Logs unchanged, also with the
//! JSON log format.
//!
//! ```
//! use cloud_cron_contract::run_metrics::{emf_line, RunOutcome};
//! let line = emf_line("erp-OdooJobs-1A2B", "send-invoices", RunOutcome::Succeeded, 1_806_390_000_000);
//! let value: serde_json::Value = serde_json::from_str(&line).unwrap();
//! assert_eq!(value["_aws"]["CloudWatchMetrics"][0]["Namespace"], "CloudCron");
//! assert_eq!(value["Job"], "send-invoices");
//! assert_eq!(value["RunSucceeded"], 1);
//! assert!(!line.contains('\n'));
//! ```

use serde_json::json;

/// The CloudWatch namespace of the run metrics.
pub const RUN_METRICS_NAMESPACE: &str = "CloudCron";

/// One run (attempt) of a job that finished without error.
pub const RUN_SUCCEEDED_METRIC: &str = "RunSucceeded";

/// One run (attempt) of a job that failed.
pub const RUN_FAILED_METRIC: &str = "RunFailed";

/// The dimension holding the Lambda function's name.
pub const FUNCTION_DIMENSION: &str = "FunctionName";

/// The variable Lambda sets to the function's name (the value of
/// [`FUNCTION_DIMENSION`]).
pub const LAMBDA_FUNCTION_NAME_ENV: &str = "AWS_LAMBDA_FUNCTION_NAME";

/// The dimension holding the job's name.
pub const JOB_DIMENSION: &str = "Job";

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Without error.
    Succeeded,
    /// With an error (Lambda retries it, then dead-letters it).
    Failed,
}

impl RunOutcome {
    /// The metric this outcome counts in.
    pub fn metric(self) -> &'static str {
        match self {
            RunOutcome::Succeeded => RUN_SUCCEEDED_METRIC,
            RunOutcome::Failed => RUN_FAILED_METRIC,
        }
    }
}

/// The EMF line for one finished run of job `job` of function `function`
/// that started at `timestamp_ms` (milliseconds since the Unix epoch): one
/// JSON object, no newline.
pub fn emf_line(function: &str, job: &str, outcome: RunOutcome, timestamp_ms: i64) -> String {
    let metric = outcome.metric();
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": RUN_METRICS_NAMESPACE,
                "Dimensions": [[FUNCTION_DIMENSION, JOB_DIMENSION]],
                "Metrics": [{"Name": metric, "Unit": "Count"}],
            }],
        },
        FUNCTION_DIMENSION: function,
        JOB_DIMENSION: job,
        metric: 1,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_failed_run_counts_in_run_failed_with_both_dimensions() {
        let line = emf_line("fn-1", "nightly", RunOutcome::Failed, 42);
        let value: Value = serde_json::from_str(&line).expect("JSON");
        let directive = &value["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(value["_aws"]["Timestamp"], 42);
        assert_eq!(
            directive["Dimensions"],
            serde_json::json!([["FunctionName", "Job"]])
        );
        assert_eq!(directive["Metrics"][0]["Name"], "RunFailed");
        assert_eq!(value["RunFailed"], 1);
        assert!(value.get("RunSucceeded").is_none(), "{line}");
        assert_eq!(value["FunctionName"], "fn-1");
        assert_eq!(value["Job"], "nightly");
    }
}
