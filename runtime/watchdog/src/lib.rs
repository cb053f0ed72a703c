//! Missed-run detection: a small Lambda per stack that checks every expected
//! run of the stack's scheduled functions against Lambda's own CloudWatch
//! metrics and reports, on the ops topic, each run that was `missed` (no
//! invocation within the grace period), `failed` (errors and no success
//! after them), `late` or `overran`. A schedule disabled by hand, deleted,
//! with a broken role, or a function that never ran, all show up as missed.
//!
//! Expected fire times come from the schedule evaluator (`cloud-cron-schedule`)
//! in each schedule's own zone, so weekday-only crons, month ends (`L`) and
//! daylight-saving changes are expected exactly when the Scheduler fires.
//! For a function's own schedule, `AWS/Lambda` metrics are ground truth: any
//! function, in any language, can be watched unchanged. For a `.job(..)`
//! of a function that runs several jobs (whose Lambda metrics cannot tell
//! the jobs apart), the per-job run metrics the runtime emits as Embedded
//! Metric Format lines (`cloud_cron_contract::run_metrics`) are.
//!
//! Modules: [`jobs`] (configuration entries -> jobs, expected times),
//! [`cadence`] (the watchdog's previous run), [`window`] (what one run judges),
//! [`classify`] (one run's verdict), [`metrics`] and [`cloudwatch`] (fetching),
//! [`finding`] (the published message), [`publish`] (SNS), [`handler`] (one
//! run end to end), [`bin`] (the Lambda's `main`), [`error`].
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use cloud_cron_watchdog::handler::Plan;
//! use cloud_cron_watchdog::metrics::FunctionMetrics;
//! use cloud_cron_watchdog::window::{check_job, CheckWindow};
//!
//! let plan = Plan::from_json("CLOUDCRON_WATCHDOG", r#"{
//!   "version": 1, "opsTopicEnv": "SNS_TOPIC_ARN_OPS",
//!   "schedule": {"expression": "rate(15 minutes)"}, "lookbackSeconds": 7200, "settleSeconds": 0,
//!   "jobs": [{"path": "Jobs/NightlySync", "functionName": "sync",
//!             "expression": "cron(0 9 ? * MON-FRI *)", "timeZone": "Europe/London",
//!             "graceSeconds": 900}]
//! }"#)?;
//! // The watchdog run at 08:15 UTC on Monday 2027-03-29 (BST), grace 15 minutes,
//! // judges the runs due after 07:45 and up to 08:00 UTC: the 09:00 BST run.
//! // Nothing ran.
//! let now = Utc.with_ymd_and_hms(2027, 3, 29, 8, 15, 0).unwrap();
//! let window = CheckWindow {
//!     now,
//!     previous: plan.cadence.previous(now).unwrap(),
//!     settle: chrono::Duration::zero(),
//!     lookback: chrono::Duration::hours(2),
//! };
//! let runs = check_job(&plan.jobs[0], &window, &FunctionMetrics::new());
//! assert_eq!(runs.len(), 1);
//! assert_eq!(runs[0].expected, Utc.with_ymd_and_hms(2027, 3, 29, 8, 0, 0).unwrap());
//! assert_eq!(runs[0].kinds, [cloud_cron_contract::watchdog::FindingKind::Missed]);
//! # Ok::<(), cloud_cron_watchdog::error::WatchdogError>(())
//! ```

pub mod bin;
pub mod cadence;
pub mod classify;
pub mod cloudwatch;
pub mod error;
pub mod finding;
pub mod handler;
pub mod jobs;
pub mod metrics;
pub mod publish;
mod sdk;
pub mod window;

#[cfg(test)]
mod tests;
