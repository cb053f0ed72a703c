//! Owns the judgement of one expected run from per-minute metrics: OK,
//! `missed`, `failed`, `late` and/or `overran`. Pure: no clock, no AWS.
//!
//! A run expected at `t` owns the minutes from the one containing `t` up to
//! the one containing `t + grace`, but never the minute of the next expected
//! run: when runs are closer together than the grace period, each owns the
//! minutes until the next one starts, so an error at 09:06 belongs to the
//! 09:05 run, not the 09:00 one. (A run that starts after its successor's
//! fire time is then counted as its successor's; with one-minute metrics and
//! no per-run id in them, nothing finer can be known.)
//!
//! Within its minutes, a run is:
//! - `missed` when no minute has an invocation;
//! - `failed` when some minute has errors and no minute from the last one
//!   with errors on has more invocations than errors (a retry that succeeded
//!   after a failure, the usual Lambda retry, makes the run OK; within one
//!   minute, a success beside an error counts as that retry);
//! - otherwise `late` when its first invocation's minute starts more than
//!   the lateness threshold after `t`, and/or `overran` when the longest
//!   `Duration` exceeds the expected duration.

use chrono::{DateTime, Duration, Utc};
use cloud_cron_contract::watchdog::FindingKind;

use crate::metrics::{floor_minute, FunctionMetrics};

/// The thresholds of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long after `t` a run may first show up.
    pub grace: Duration,
    /// First invocation later than this after `t` is late.
    pub late_after: Duration,
    /// Longest invocation beyond this overran.
    pub expected_duration: Option<Duration>,
}

/// What the metrics say about one expected run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunAssessment {
    /// The expected fire time.
    pub expected: DateTime<Utc>,
    /// The first minute the run owns.
    pub window_start: DateTime<Utc>,
    /// The end (exclusive) of the minutes it owns.
    pub window_end: DateTime<Utc>,
    /// The start of the minute of its first invocation.
    pub first_invocation: Option<DateTime<Utc>>,
    /// Invocations in its minutes.
    pub invocations: f64,
    /// Errors in its minutes.
    pub errors: f64,
    /// The start of the last minute with errors.
    pub last_error: Option<DateTime<Utc>>,
    /// The longest invocation in milliseconds, when known.
    pub max_duration_ms: Option<f64>,
    /// What is wrong; empty when the run is OK.
    pub kinds: Vec<FindingKind>,
}

impl RunAssessment {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.kinds.is_empty()
    }
}

/// Judges the run expected at `expected`, whose successor (if any is known)
/// is expected at `next`.
pub fn assess(
    expected: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
    metrics: &FunctionMetrics,
    rules: &Rules,
) -> RunAssessment {
    let window_start = floor_minute(expected);
    let grace_end = floor_minute(expected + rules.grace) + Duration::minutes(1);
    let window_end = match next.map(floor_minute) {
        Some(next) if next > window_start && next < grace_end => next,
        _ => grace_end,
    };
    let mut first_invocation = None;
    let mut invocations = 0.0;
    let mut errors = 0.0;
    let mut last_error = None;
    let mut max_duration_ms: Option<f64> = None;
    for (minute, sample) in metrics.range(window_start, window_end) {
        if sample.invocations > 0.0 && first_invocation.is_none() {
            first_invocation = Some(minute);
        }
        invocations += sample.invocations;
        errors += sample.errors;
        if sample.errors > 0.0 {
            last_error = Some(minute);
        }
        if let Some(ms) = sample.max_duration_ms {
            max_duration_ms = Some(max_duration_ms.map_or(ms, |m| m.max(ms)));
        }
    }
    let recovered = last_error.is_none_or(|last| {
        metrics
            .range(last, window_end)
            .any(|(_, s)| s.invocations > s.errors)
    });
    let mut kinds = Vec::new();
    match first_invocation {
        None => kinds.push(FindingKind::Missed),
        Some(_) if !recovered => kinds.push(FindingKind::Failed),
        Some(first) => {
            if first > expected + rules.late_after {
                kinds.push(FindingKind::Late);
            }
            if let (Some(limit), Some(ms)) = (rules.expected_duration, max_duration_ms) {
                if ms > limit.num_milliseconds() as f64 {
                    kinds.push(FindingKind::Overran);
                }
            }
        }
    }
    RunAssessment {
        expected,
        window_start,
        window_end,
        first_invocation,
        invocations,
        errors,
        last_error,
        max_duration_ms,
        kinds,
    }
}
