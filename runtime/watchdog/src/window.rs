//! Owns the time window of one watchdog run: which expected runs it judges
//! and which minutes of metrics it reads.
//!
//! A run scheduled at `now`, whose previous run was scheduled at `previous`,
//! judges the expected fire times `t` of a job with grace `g` where
//! `previous - settle - g < t <= now - settle - g`: the runs whose grace
//! period (plus the settle time metrics need to arrive) ended since the
//! previous watchdog run. Consecutive watchdog runs get adjoining windows,
//! so each expected run is judged once and none is skipped, without stored
//! state. Metrics are read over `[now - lookback, now - settle]`; a look-back
//! too short to reach back to the earliest run judged is an error, not a gap.

use chrono::{DateTime, Duration, Utc};

use crate::classify::{assess, Rules, RunAssessment};
use crate::error::WatchdogError;
use crate::jobs::Job;
use crate::metrics::{floor_minute, FunctionMetrics};

/// The instants of one watchdog run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckWindow {
    /// The scheduled time of this watchdog run.
    pub now: DateTime<Utc>,
    /// The scheduled time of the previous one.
    pub previous: DateTime<Utc>,
    /// How long metrics take to arrive.
    pub settle: Duration,
    /// How far back metrics are read.
    pub lookback: Duration,
}

impl CheckWindow {
    /// The expected times a job with `grace` has judged in this run:
    /// `(start, end]`.
    pub fn judged(&self, grace: Duration) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.previous - self.settle - grace,
            self.now - self.settle - grace,
        )
    }

    /// The metrics read: `[start, end)`, whole minutes.
    pub fn metrics_range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            floor_minute(self.now - self.lookback),
            floor_minute(self.now - self.settle) + Duration::minutes(1),
        )
    }

    /// Checks that the metrics read cover every run `job` has judged.
    pub fn covers(&self, job: &Job) -> Result<(), WatchdogError> {
        let (after, _) = self.judged(job.grace);
        let needed = self.now - after;
        if needed > self.lookback {
            return Err(WatchdogError::Job {
                job: job.spec.path.clone(),
                problem: format!(
                    "the look-back of {} s does not reach runs expected {} s before the watchdog run (watchdog interval {} s + settle {} s + grace {} s), so they would never be checked",
                    self.lookback.num_seconds(),
                    needed.num_seconds(),
                    (self.now - self.previous).num_seconds(),
                    self.settle.num_seconds(),
                    job.grace.num_seconds()
                ),
                fix: format!("set lookbackSeconds to at least {}", needed.num_seconds()),
            });
        }
        Ok(())
    }
}

/// Judges every run of `job` in `window`; returns them all, OK ones included.
pub fn check_job(job: &Job, window: &CheckWindow, metrics: &FunctionMetrics) -> Vec<RunAssessment> {
    let (after, until) = window.judged(job.grace);
    // One grace period further, to know each judged run's successor.
    let expected = job.expected_between(after, until + job.grace);
    let rules = Rules {
        grace: job.grace,
        late_after: job.late_after,
        expected_duration: job.expected_duration,
    };
    expected
        .iter()
        .enumerate()
        .take_while(|(_, t)| **t <= until)
        .map(|(i, t)| assess(*t, expected.get(i + 1).copied(), metrics, &rules))
        .collect()
}
