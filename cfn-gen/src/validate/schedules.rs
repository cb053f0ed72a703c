//! Owns the checks of a schedule against the clock and its window, on top of the
//! expression rules of `cloud-cron-schedule`: warnings for fixed-offset and legacy time
//! zones, and errors for schedules that can never fire after "now" within their
//! start/end dates ([`ValidSchedule::check_fires`]).

use chrono::{DateTime, Utc};

use crate::schedule::ValidSchedule;
use crate::validate::Report;

/// Reports what is surprising or impossible about `schedule` at `path`, as of `now`.
pub fn check_schedule(
    path: &str,
    schedule: &ValidSchedule,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    report: &mut Report,
) {
    for w in schedule.warnings() {
        report.warning(path, w.problem, w.fix);
    }
    if let Err(never) = schedule.check_fires(now, start, end) {
        report.error(path, never.problem, never.fix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Schedule;
    use chrono::TimeZone;

    #[test]
    fn warnings_and_errors_land_at_the_path() {
        let now = Utc
            .with_ymd_and_hms(2027, 6, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let s = Schedule::at("2027-01-01T09:00:00")
            .in_time_zone("EST")
            .validate()
            .expect("valid");
        let mut r = Report::default();
        check_schedule("Jobs/Close", &s, None, None, now, &mut r);
        let p = r.into_problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|p| p.path == "Jobs/Close"));
        assert!(p[0].message.contains("in the past"));
        assert!(p[1].fix.contains("America/New_York"));
    }
}
