//! Owns the per-minute metrics of one watched [`RunSource`] as the watchdog
//! sees them (for a function, `AWS/Lambda` `Invocations` and `Errors` sums
//! and the `Duration` maximum; for a job of a function, the runtime's
//! `CloudCron` `RunSucceeded` and `RunFailed` sums read as invocations and
//! errors; one-minute period) and the [`MetricsSource`] seam that fetches
//! them, so the logic can be tested without AWS.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::error::WatchdogError;

/// One minute of one function's metrics; a minute without datapoints is all zero.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinuteSample {
    /// `Invocations` sum.
    pub invocations: f64,
    /// `Errors` sum.
    pub errors: f64,
    /// `Duration` maximum in milliseconds, when fetched and present.
    pub max_duration_ms: Option<f64>,
}

/// A function's metrics by minute (the start of each minute, UTC).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionMetrics {
    minutes: BTreeMap<DateTime<Utc>, MinuteSample>,
}

impl FunctionMetrics {
    /// No datapoints.
    pub fn new() -> FunctionMetrics {
        FunctionMetrics::default()
    }

    /// The sample of the minute containing `at` (zero when none).
    pub fn at(&self, at: DateTime<Utc>) -> MinuteSample {
        self.minutes
            .get(&floor_minute(at))
            .copied()
            .unwrap_or_default()
    }

    /// Mutable sample of the minute containing `at`.
    pub fn minute_mut(&mut self, at: DateTime<Utc>) -> &mut MinuteSample {
        self.minutes.entry(floor_minute(at)).or_default()
    }

    /// Adds invocations and errors in the minute containing `at` (test data,
    /// and the fetch's assembly).
    pub fn record(&mut self, at: DateTime<Utc>, invocations: f64, errors: f64) -> &mut Self {
        let sample = self.minute_mut(at);
        sample.invocations += invocations;
        sample.errors += errors;
        self
    }

    /// Sets the longest duration in the minute containing `at`.
    pub fn record_duration(&mut self, at: DateTime<Utc>, max_ms: f64) -> &mut Self {
        let sample = self.minute_mut(at);
        sample.max_duration_ms = Some(sample.max_duration_ms.map_or(max_ms, |m| m.max(max_ms)));
        self
    }

    /// The minutes in `[from, to)` that have a sample, in order.
    pub fn range(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, MinuteSample)> + '_ {
        self.minutes.range(from..to).map(|(t, s)| (*t, *s))
    }
}

/// The start of the minute containing `t`.
pub fn floor_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

/// Whose runs a series of metrics counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunSource {
    /// Every invocation of a function: its own `AWS/Lambda` metrics.
    Function(String),
    /// The runs of one job of a function: the `CloudCron` run metrics the
    /// runtime emits (`cloud_cron_contract::run_metrics`).
    Job {
        /// The function's name.
        function: String,
        /// The job's name.
        job: String,
    },
}

impl RunSource {
    /// The source a configuration entry is checked against: its job's run
    /// metrics when it names a job, else its function's.
    pub fn of(spec: &cloud_cron_contract::watchdog::WatchedJob) -> RunSource {
        match &spec.job {
            Some(job) => RunSource::Job {
                function: spec.function_name.clone(),
                job: job.clone(),
            },
            None => RunSource::Function(spec.function_name.clone()),
        }
    }
}

/// What to fetch: for each source, whether `Duration` is wanted too (only
/// functions have it), over `[start, end)` (whole minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsRequest {
    /// The sources and whether their `Duration` maximum is needed.
    pub sources: Vec<(RunSource, bool)>,
    /// Inclusive start, on a minute.
    pub start: DateTime<Utc>,
    /// Exclusive end, on a minute.
    pub end: DateTime<Utc>,
}

/// Fetches per-minute run metrics.
pub trait MetricsSource {
    /// The metrics of each requested source (sources without datapoints
    /// may be absent from the map).
    fn fetch(
        &self,
        request: &MetricsRequest,
    ) -> impl Future<Output = Result<BTreeMap<RunSource, FunctionMetrics>, WatchdogError>> + Send;
}
