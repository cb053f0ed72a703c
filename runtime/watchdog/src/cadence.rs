//! Owns the watchdog's own cadence: from its schedule and the scheduled time
//! of the current run, the scheduled time of the previous run.
//!
//! The previous run is derived, not stored: a `rate(..)` watchdog ran exactly
//! one interval earlier (the Scheduler's scheduled times of a rate are evenly
//! spaced); a `cron(..)` watchdog ran at the evaluator's last fire time before
//! now. No table, no state to lose or to race on, and every retry of one
//! watchdog run (same scheduled time) computes the same window.

use chrono::{DateTime, Duration, Utc};
use cloud_cron_contract::watchdog::WatchdogSchedule;
use cloud_cron_schedule::{Schedule, ValidSchedule};

use crate::error::WatchdogError;
use crate::jobs::fire_times_between;

/// How the watchdog is scheduled.
#[derive(Debug, Clone)]
pub enum Cadence {
    /// `rate(..)`: a fixed interval.
    Every(Duration),
    /// `cron(..)`: irregular fire times.
    Cron(ValidSchedule),
}

impl Cadence {
    /// Reads the watchdog's schedule from its configuration.
    pub fn from_config(schedule: &WatchdogSchedule, env: &str) -> Result<Cadence, WatchdogError> {
        let config_error = |problem: String| WatchdogError::Config {
            env: env.to_owned(),
            problem,
            fix:
                "give the watchdog a `rate(15 minutes)` or `cron(..)` schedule, exactly as deployed"
                    .into(),
        };
        let mut parsed = Schedule::parse(&schedule.expression);
        if let Some(zone) = &schedule.time_zone {
            parsed = parsed.in_time_zone(zone);
        }
        let valid = parsed
            .validate()
            .map_err(|e| config_error(format!("the watchdog schedule is invalid: {e}")))?;
        if valid.is_one_time() {
            return Err(config_error(format!(
                "the watchdog schedule `{}` runs once; it must recur",
                valid.expression()
            )));
        }
        if valid.expression().starts_with("rate(") {
            let anchor = DateTime::<Utc>::UNIX_EPOCH;
            let next = valid
                .next_fire_times(anchor, 1)
                .first()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| config_error("the rate has no fire time".into()))?;
            Ok(Cadence::Every(next - anchor))
        } else {
            Ok(Cadence::Cron(valid))
        }
    }

    /// The scheduled time of the run before the one scheduled at `now`; `None`
    /// when a cron watchdog had no fire time in the year before.
    pub fn previous(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Cadence::Every(interval) => Some(now - *interval),
            Cadence::Cron(schedule) => {
                [1, 24, 24 * 8, 24 * 32, 24 * 366]
                    .into_iter()
                    .find_map(|hours| {
                        fire_times_between(schedule, now - Duration::hours(hours), now)
                            .into_iter()
                            .rfind(|t| *t < now)
                    })
            }
        }
    }
}
