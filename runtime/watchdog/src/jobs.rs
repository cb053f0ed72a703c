//! Owns the validated watch list: each [`WatchedJob`] of the configuration
//! turned into a [`Job`] whose schedule is parsed, dates read and durations
//! checked, and the expected fire times of a job in a time range.
//!
//! Expected times come from the schedule evaluator (`cloud-cron-schedule`),
//! which walks `cron(..)` in the schedule's own zone across daylight saving
//! (a local time skipped by spring-forward does not run, a repeated one runs
//! once). A `rate(..)` counts from its start date in fixed steps (a day is
//! 24 hours), computed arithmetically so an old start date costs nothing.

use chrono::{DateTime, Duration, Utc};
use cloud_cron_contract::watchdog::WatchedJob;
use cloud_cron_schedule::{Schedule, Tz, ValidSchedule};

use crate::error::WatchdogError;

/// Fire times listed per call to the evaluator while walking a range.
const BATCH: usize = 64;

/// Upper bound on the fire times listed for one range (a minutely cron over
/// a 15-day look-back is 21,600).
const MAX_TIMES: usize = 50_000;

/// A watched job, ready to be checked.
#[derive(Debug, Clone)]
pub struct Job {
    /// The configuration entry.
    pub spec: WatchedJob,
    /// The parsed schedule.
    pub schedule: ValidSchedule,
    /// No run before this instant.
    pub start: Option<DateTime<Utc>>,
    /// No run at or after this instant.
    pub end: Option<DateTime<Utc>>,
    /// How long after its fire time a run may first show up.
    pub grace: Duration,
    /// First invocation later than this after the fire time is `late`.
    pub late_after: Duration,
    /// Longest invocation beyond this is `overran`.
    pub expected_duration: Option<Duration>,
    /// The interval of a `rate(..)` schedule.
    rate_interval: Option<Duration>,
}

/// Parses and validates one configuration entry.
pub fn load_job(spec: &WatchedJob) -> Result<Job, WatchdogError> {
    let job_error = |problem: String, fix: String| WatchdogError::Job {
        job: spec.path.clone(),
        problem,
        fix,
    };
    let mut schedule = Schedule::parse(&spec.expression);
    if let Some(zone) = &spec.time_zone {
        schedule = schedule.in_time_zone(zone);
    }
    let schedule = schedule.validate().map_err(|e| {
        job_error(
            format!("schedule `{}` is invalid: {e}", spec.expression),
            "write the expression and zone exactly as the schedule has them".into(),
        )
    })?;
    let date =
        |field: &str, value: &Option<String>| -> Result<Option<DateTime<Utc>>, WatchdogError> {
            value
                .as_deref()
                .map(|text| {
                    DateTime::parse_from_rfc3339(text)
                        .map(|d| d.with_timezone(&Utc))
                        .map_err(|e| {
                            job_error(
                                format!("{field} `{text}` is not RFC 3339 ({e})"),
                                format!("write {field} like `2027-01-01T00:00:00Z`"),
                            )
                        })
                })
                .transpose()
        };
    let start = date("startDate", &spec.start_date)?;
    let end = date("endDate", &spec.end_date)?;
    if spec.grace_seconds < 60 {
        return Err(job_error(
            format!("graceSeconds is {}, below one minute", spec.grace_seconds),
            "set graceSeconds to at least 60 (metrics have one-minute resolution)".into(),
        ));
    }
    let rate_interval = if schedule.expression().starts_with("rate(") {
        if start.is_none() {
            return Err(job_error(
                format!(
                    "`{}` has no startDate, so its fire times are unknown",
                    spec.expression
                ),
                "give the schedule a start date (a rate counts from it) and pass it as startDate"
                    .into(),
            ));
        }
        let anchor = DateTime::<Utc>::UNIX_EPOCH;
        schedule
            .next_fire_times(anchor, 1)
            .first()
            .map(|t| t.with_timezone(&Utc) - anchor)
    } else {
        None
    };
    Ok(Job {
        spec: spec.clone(),
        start,
        end,
        grace: Duration::seconds(i64::from(spec.grace_seconds)),
        late_after: Duration::seconds(i64::from(spec.late_after())),
        expected_duration: spec
            .expected_duration_seconds
            .map(|s| Duration::seconds(i64::from(s))),
        rate_interval,
        schedule,
    })
}

impl Job {
    /// The schedule's zone (UTC when it has none).
    pub fn tz(&self) -> Tz {
        self.schedule.tz()
    }

    /// The expected fire times `t` with `after < t <= until`, in order,
    /// within the start and end dates.
    pub fn expected_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        let times = match (self.rate_interval, self.start) {
            (Some(interval), Some(start)) => rate_times(start, interval, after, until),
            _ => fire_times_between(&self.schedule, after, until),
        };
        times
            .into_iter()
            .filter(|t| self.start.is_none_or(|s| *t >= s) && self.end.is_none_or(|e| *t < e))
            .collect()
    }
}

/// `start + k * interval` (k >= 0) within `(after, until]`.
fn rate_times(
    start: DateTime<Utc>,
    interval: Duration,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let step = interval.num_seconds();
    if step <= 0 || until < start {
        return Vec::new();
    }
    let first_k = if after < start {
        0
    } else {
        (after - start).num_seconds().div_euclid(step) + 1
    };
    (first_k..)
        .map(|k| start + Duration::seconds(k * step))
        .take_while(|t| *t <= until)
        .take(MAX_TIMES)
        .collect()
}

/// The evaluator's fire times within `(after, until]`.
pub fn fire_times_between(
    schedule: &ValidSchedule,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut cursor = after;
    while out.len() < MAX_TIMES {
        let batch = schedule.next_fire_times(cursor, BATCH);
        let Some(last) = batch.last() else { break };
        let last = last.with_timezone(&Utc);
        for t in &batch {
            let t = t.with_timezone(&Utc);
            if t > until {
                return out;
            }
            out.push(t);
        }
        if batch.len() < BATCH || last <= cursor {
            break;
        }
        cursor = last;
    }
    out
}
