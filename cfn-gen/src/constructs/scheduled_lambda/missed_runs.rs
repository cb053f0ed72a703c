//! How a task's missed runs are detected, derived from its schedule.
//!
//! A `rate(..)` schedule fires at a fixed interval, so "no successful run
//! in the last interval plus grace" is a plain CloudWatch alarm: a
//! metric-math alarm on the function's own `Invocations` minus `Errors`
//! (a failed run retried to success counts once), with missing data
//! breaching (a schedule that stopped produces no data at all). Any period
//! of that length holds at least one fire time plus its grace, so a healthy
//! task never trips it. `cron(..)` and `at(..)` intervals vary (weekdays,
//! month ends, daylight saving), so those tasks, and rates counted from a
//! start date, are left to the stack's watchdog, which asks the schedule
//! evaluator for each expected fire time.
//!
//! A function's `.job(..)` schedules share one set of Lambda metrics, which
//! cannot tell the jobs apart, so every job is left to the watchdog, which
//! reads the per-job run metrics the runtime emits
//! (`cloud_cron_contract::run_metrics`). A `rate(..)` job is counted from the
//! function's start date; without one it is not watched (a synth warning).

use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::{Inner, MissedRuns, Props};
use crate::constructs::alarms;
use crate::resources::cloudwatch;
use crate::schedule::{FlexibleWindow, Schedule};
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// The default grace period, before the flexible window and the function's
/// retries are added.
const DEFAULT_GRACE: Duration = Duration::from_secs(15 * 60);

/// Lambda's longest wait between two asynchronous attempts, in seconds.
const RETRY_DELAY_SECS: u64 = 120;

/// The longest period a metric-math alarm here uses: one day.
const MAX_ALARM_PERIOD: u32 = 86_400;

/// How a task's missed runs are detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Detection {
    /// Not at all (switched off, disabled, or no valid schedule).
    None,
    /// A metric-math alarm over `period` seconds (interval plus grace).
    Alarm { period: u32, grace: u32 },
    /// By the stack's watchdog, with this grace in seconds.
    Watchdog { grace: u32 },
    /// A rate whose interval plus grace is longer than an alarm can look
    /// back, without a start date for the watchdog to count from.
    RateTooLong { period: u64 },
}

/// The grace period of `p`: the one given, or 15 minutes plus the flexible
/// window plus the time Lambda's retries of a failed run can take (each
/// retry: up to the `timeout`, after up to two minutes' wait).
fn grace(p: &Props, timeout: Duration, explicit: Option<Duration>) -> u32 {
    let flexible = match p.flexible_window {
        FlexibleWindow::Off => 0,
        FlexibleWindow::Flexible { maximum_minutes } => u64::from(maximum_minutes) * 60,
    };
    let retries = u64::from(p.function_retry_attempts) * (timeout.as_secs() + RETRY_DELAY_SECS);
    let secs = explicit.map_or(DEFAULT_GRACE.as_secs() + flexible + retries, |g| {
        g.as_secs()
    });
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// How missed runs of a task with `p` and a function `timeout` are detected.
pub(super) fn detection(p: &Props, timeout: Duration) -> Detection {
    let MissedRuns::Expect(explicit) = p.missed_runs else {
        return Detection::None;
    };
    let Some(schedule) = p.schedule.as_ref().filter(|_| p.enabled) else {
        return Detection::None;
    };
    let Ok(valid) = schedule.validate() else {
        return Detection::None;
    };
    let grace = grace(p, timeout, explicit);
    if !valid.expression().starts_with("rate(") || p.start_date.is_some() {
        return Detection::Watchdog { grace };
    }
    let Some(reference) = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).single() else {
        return Detection::None;
    };
    let times = valid.next_fire_times(reference, 2);
    let interval = match times.as_slice() {
        [a, b] => (*b - *a).num_seconds().max(0).unsigned_abs(),
        _ => return Detection::None,
    };
    // Whole minutes: CloudWatch periods beyond a minute are multiples of 60.
    let period = (interval + u64::from(grace)).div_ceil(60) * 60;
    match u32::try_from(period) {
        Ok(period) if period <= MAX_ALARM_PERIOD => Detection::Alarm { period, grace },
        _ => Detection::RateTooLong { period },
    }
}

/// How missed runs of a `.job(..)` on `schedule` of a task with `p` and a
/// function `timeout` are detected: by the watchdog, from the job's run
/// metrics, unless switched off or disabled; `RateTooLong` for a `rate(..)`
/// without a start date (the watchdog cannot count its fire times, and the
/// function's metric-math alarm cannot tell jobs apart).
pub(super) fn job_detection(p: &Props, schedule: &Schedule, timeout: Duration) -> Detection {
    let MissedRuns::Expect(explicit) = p.missed_runs else {
        return Detection::None;
    };
    if !p.enabled {
        return Detection::None;
    }
    let Ok(valid) = schedule.validate() else {
        return Detection::None;
    };
    if valid.expression().starts_with("rate(") && p.start_date.is_none() {
        return Detection::RateTooLong { period: 0 };
    }
    Detection::Watchdog {
        grace: grace(p, timeout, explicit),
    }
}

/// Report a grace period missed-run detection cannot use (an error), and a
/// rate it cannot watch (a warning: the task is valid, only unwatched).
pub(super) fn check(path: &str, p: &Props, timeout: Duration, report: &mut Report) {
    if let MissedRuns::Expect(Some(grace)) = p.missed_runs {
        if grace.as_secs() < 60 {
            report.error(
                path,
                format!("the missed-run grace period is {} s; Lambda's metrics have one-minute resolution, so it must be at least 60 s", grace.as_secs()),
                ".expect_runs(Duration::from_secs(15 * 60)), or .no_missed_run_alarm()",
            );
        }
    }
    if let Detection::RateTooLong { period } = detection(p, timeout) {
        report.warning(
            path,
            format!("missed runs of this rate schedule are not detected: an alarm would need to look back {period} s (one interval plus the grace period), longer than CloudWatch's one day, and without a start date the watchdog cannot count its fire times"),
            "give the schedule a .start_date(\"2027-01-01T00:00:00Z\") so the stack's watchdog can count its fire times, or call .no_missed_run_alarm()",
        );
    }
}

impl Inner {
    /// The metric-math alarm of a `rate(..)` task, when that is how its
    /// missed runs are detected.
    pub(super) fn emit_missed_run_alarm(&self, p: &Props, template: &mut Template) {
        let timeout = self.function.settings().timeout;
        let Detection::Alarm { period, grace } = detection(p, timeout) else {
            return;
        };
        let path = self.node.path();
        let expression = p
            .schedule
            .as_ref()
            .map(|s| s.expression())
            .unwrap_or_default();
        let function = Value::reference(self.function.logical_id());
        let metric = |id: &str, name: &str| cloudwatch::MetricDataQuery {
            id: id.into(),
            expression: None,
            label: None,
            metric_stat: Some(cloudwatch::MetricStat {
                metric: cloudwatch::Metric {
                    namespace: "AWS/Lambda".into(),
                    metric_name: name.into(),
                    dimensions: vec![cloudwatch::Dimension {
                        name: "FunctionName".into(),
                        value: function.clone(),
                    }],
                },
                period,
                stat: "Sum".into(),
            }),
            return_data: false,
        };
        let mut alarm = cloudwatch::MathAlarm {
            alarm_description: Some(format!(
                "{path}: no successful run in the last {period} s (schedule {expression} plus a {grace} s grace period; Lambda Invocations minus Errors < 1): a run was missed or failed. Check that the schedule is ENABLED and its role may invoke the function (see the schedule group's delivery alarms), then read the function's CloudWatch Logs and the task's dead-letter queue."
            )),
            metrics: vec![
                metric("invocations", "Invocations"),
                metric("errors", "Errors"),
                cloudwatch::MetricDataQuery {
                    id: "successes".into(),
                    expression: Some("FILL(invocations, 0) - FILL(errors, 0)".into()),
                    label: Some("Successful runs".into()),
                    metric_stat: None,
                    return_data: true,
                },
            ],
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: "LessThanThreshold".into(),
            // A schedule that stopped leaves no data at all.
            treat_missing_data: Some("breaching".into()),
            ..Default::default()
        };
        alarms::route_math(&mut alarm, self.dead_letter.alarm_target().as_ref());
        template.add_resource(
            self.node.child_logical_id("MissedRunAlarm"),
            Resource::new(alarm),
        );
    }
}
