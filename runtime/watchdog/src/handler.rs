//! Owns one watchdog run end to end: read the configuration, take "now" from
//! the Scheduler's scheduled time (so a retry of the run judges exactly the
//! same window), derive the window from the watchdog's own cadence, fetch the
//! metrics, judge every expected run, publish each finding, and fail loudly
//! when a job could not be checked (after publishing the others' findings).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};
use cloud_cron_contract::watchdog::{WatchdogConfig, WatchdogFinding, WATCHDOG_CONFIG_VERSION};
use cloud_cron_contract::{SchedulerInput, SCHEDULER_INPUT_SOURCE};
use serde::Serialize;

use crate::cadence::Cadence;
use crate::error::WatchdogError;
use crate::finding::{findings, subject, utc_text};
use crate::jobs::{load_job, Job};
use crate::metrics::{FunctionMetrics, MetricsRequest, MetricsSource, RunSource};
use crate::publish::Publisher;
use crate::window::{check_job, CheckWindow};

/// Where "now" comes from when the event is not a Scheduler invocation (a
/// manual test invoke): injectable for tests.
pub use cloud_cron_clock::{Clock, FixedClock, SystemClock};

/// A loaded configuration: the cadence, the jobs that are valid, and the
/// errors of those that are not (reported after every run).
#[derive(Debug)]
pub struct Plan {
    /// The configuration as read.
    pub config: WatchdogConfig,
    /// The watchdog's own cadence.
    pub cadence: Cadence,
    /// The jobs that can be checked.
    pub jobs: Vec<Job>,
    /// Why the others cannot.
    pub invalid: Vec<WatchdogError>,
}

impl Plan {
    /// Reads the configuration JSON from the variable `env` holds (`env` is
    /// only used in messages).
    pub fn from_json(env: &str, json: &str) -> Result<Plan, WatchdogError> {
        let config: WatchdogConfig =
            serde_json::from_str(json).map_err(|e| WatchdogError::Config {
                env: env.to_owned(),
                problem: format!("not a watchdog configuration: {e}"),
                fix: "set it to the JSON synth writes (see cloud_cron_contract::watchdog)".into(),
            })?;
        Plan::new(env, config)
    }

    /// Validates `config`.
    pub fn new(env: &str, config: WatchdogConfig) -> Result<Plan, WatchdogError> {
        if config.version != WATCHDOG_CONFIG_VERSION {
            return Err(WatchdogError::Config {
                env: env.to_owned(),
                problem: format!(
                    "version {} is not supported (this watchdog reads version {WATCHDOG_CONFIG_VERSION})",
                    config.version
                ),
                fix: "deploy the watchdog built with the same cloud-cron as the template".into(),
            });
        }
        let cadence = Cadence::from_config(&config.schedule, env)?;
        let mut jobs = Vec::new();
        let mut invalid = Vec::new();
        for spec in &config.jobs {
            match load_job(spec) {
                Ok(job) => jobs.push(job),
                Err(e) => invalid.push(e),
            }
        }
        Ok(Plan {
            config,
            cadence,
            jobs,
            invalid,
        })
    }
}

/// What one watchdog run did (the Lambda's result, also logged).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// The scheduled time of this run.
    pub checked_at: String,
    /// The scheduled time of the previous run.
    pub previous_check: String,
    /// Expected runs judged, over all jobs.
    pub runs_judged: usize,
    /// The findings published.
    pub findings: Vec<WatchdogFinding>,
}

/// The instant a run stands for: the Scheduler's scheduled time when the
/// event is the cloud-cron scheduler input, else the clock (to the minute).
pub fn run_instant(
    event: &serde_json::Value,
    clock: &dyn Clock,
) -> Result<DateTime<Utc>, WatchdogError> {
    match serde_json::from_value::<SchedulerInput>(event.clone()) {
        Ok(input) if input.source == SCHEDULER_INPUT_SOURCE => {
            DateTime::parse_from_rfc3339(&input.scheduled_time)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    WatchdogError::Event(format!(
                        "scheduledTime `{}` is not RFC 3339 ({e}): the schedule's input must be the cloud-cron scheduler input",
                        input.scheduled_time
                    ))
                })
        }
        _ => {
            let now = clock.now();
            Ok(now.duration_trunc(Duration::minutes(1)).unwrap_or(now))
        }
    }
}

/// Handles one invocation: "now" from the event ([`run_instant`]), then [`check`].
pub async fn handle<M: MetricsSource, P: Publisher>(
    plan: &Plan,
    event: &serde_json::Value,
    clock: &dyn Clock,
    region: &str,
    metrics: &M,
    publisher: &P,
) -> Result<RunSummary, WatchdogError> {
    let now = run_instant(event, clock)?;
    check(plan, now, region, metrics, publisher).await
}

/// Runs one check at `now`: judges, publishes, summarises.
pub async fn check<M: MetricsSource, P: Publisher>(
    plan: &Plan,
    now: DateTime<Utc>,
    region: &str,
    metrics: &M,
    publisher: &P,
) -> Result<RunSummary, WatchdogError> {
    let env = cloud_cron_contract::watchdog::WATCHDOG_CONFIG_ENV;
    let previous = plan
        .cadence
        .previous(now)
        .ok_or_else(|| WatchdogError::Config {
            env: env.to_owned(),
            problem: format!(
                "the watchdog schedule `{}` had no fire time in the year before {}",
                plan.config.schedule.expression,
                utc_text(now)
            ),
            fix: "give the watchdog a schedule that runs at least every day".into(),
        })?;
    let window = CheckWindow {
        now,
        previous,
        settle: Duration::seconds(i64::from(plan.config.settle_seconds)),
        lookback: Duration::seconds(i64::from(plan.config.lookback_seconds)),
    };
    let mut errors: Vec<WatchdogError> = Vec::new();
    let mut checkable: Vec<&Job> = Vec::new();
    for job in &plan.jobs {
        match window.covers(job) {
            Ok(()) => checkable.push(job),
            Err(e) => errors.push(e),
        }
    }
    let (start, end) = window.metrics_range();
    let mut sources: BTreeMap<RunSource, bool> = BTreeMap::new();
    for job in &checkable {
        *sources.entry(RunSource::of(&job.spec)).or_default() |= job.expected_duration.is_some();
    }
    let request = MetricsRequest {
        sources: sources.into_iter().collect(),
        start,
        end,
    };
    let fetched = if request.sources.is_empty() {
        BTreeMap::new()
    } else {
        metrics.fetch(&request).await?
    };
    let empty = FunctionMetrics::new();
    let mut summary = RunSummary {
        checked_at: utc_text(now),
        previous_check: utc_text(previous),
        runs_judged: 0,
        findings: Vec::new(),
    };
    for job in checkable {
        let data = fetched.get(&RunSource::of(&job.spec)).unwrap_or(&empty);
        for run in check_job(job, &window, data) {
            summary.runs_judged += 1;
            tracing::info!(
                job = %job.spec.path,
                function = %job.spec.function_name,
                schedule_job = job.spec.job.as_deref().unwrap_or(""),
                expected = %utc_text(run.expected),
                invocations = run.invocations,
                errors = run.errors,
                kinds = ?run.kinds,
                "run judged"
            );
            for finding in findings(job, &run, now, region) {
                let line = subject(&finding, job.tz());
                match publisher.publish(&finding, &line).await {
                    Ok(()) => {
                        tracing::warn!(id = %finding.id, kind = finding.kind.as_str(), job = %finding.job, expected = %finding.expected_utc, subject = %line, "finding published");
                        summary.findings.push(finding);
                    }
                    Err(e) => {
                        tracing::error!(id = %finding.id, error = %e, "finding not published");
                        errors.push(e);
                    }
                }
            }
        }
    }
    errors.extend(plan.invalid.iter().cloned());
    if errors.is_empty() {
        Ok(summary)
    } else {
        Err(WatchdogError::Jobs(errors))
    }
}
