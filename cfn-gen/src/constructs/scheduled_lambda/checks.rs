//! A scheduled function's synth-time checks, one concern each: the
//! schedule (and runs that can overlap), start and end dates, retries, the
//! schedule's name; the function and dead-letter queue check themselves.

use crate::constructs::alarms;
use chrono::{DateTime, TimeZone, Utc};
use cloud_cron_contract as contract;

use super::{Inner, Props};
use crate::validate::{names, schedules, Report};

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        self.function.validate(table_env_bytes(&p), report);
        let timeout = self.function.settings().timeout.as_secs();
        let has_jobs = self.jobs.borrow().any();
        let is_at = if p.schedule.is_none() && has_jobs {
            false
        } else {
            check_schedule(path, &p, timeout, report)
        };
        self.check_jobs(&p, report);
        if timeout == 900 {
            report.warning(
                path,
                "the timeout is Lambda's maximum of 900 s: a run that needs longer is stopped mid-way, and no retry finishes it",
                "if a run can take longer than 15 minutes, run it as a FargateJob instead: FargateJob::new(&stack, ID).image(IMAGE).schedule(SCHEDULE).vpc(SUBNET_IDS, SECURITY_GROUP_IDS) has no time limit",
            );
        }
        check_dates(path, &p, is_at, report);
        if let Err(e) = p.flexible_window.validate() {
            report.error(path, e.problem(), e.fix());
        }
        self.dead_letter.validate(report);
        alarms::check_duration_percent(&self.node, p.duration_alarm, report);
        super::missed_runs::check(path, &p, self.function.settings().timeout, report);
        check_retries(path, &p, report);
        if let Some(name) = &p.schedule_name {
            if let Err(message) = names::SCHEDULE.check(name) {
                report.error(
                    path,
                    message,
                    "fix the name given to .schedule_name(), or leave it out",
                );
            }
        }
    }
}

/// Bytes the idempotency table's variable takes at most: a generated table
/// name is at most 255 characters.
fn table_env_bytes(p: &Props) -> usize {
    if p.idempotency {
        contract::IDEMPOTENCY_TABLE_ENV.len() + 255
    } else {
        0
    }
}

/// A valid schedule, and a warning when runs can start more often than
/// the timeout; returns whether it is a one-time `at(...)` schedule.
fn check_schedule(path: &str, p: &Props, timeout_secs: u64, report: &mut Report) -> bool {
    let Some(schedule) = &p.schedule else {
        report.error(
            path,
            "the function has no schedule",
            "call .schedule(Schedule::rate(5, TimeUnit::Minutes)) or .schedule(Schedule::cron(\"0 9 ? * MON-FRI *\")), or add jobs with .job(\"NAME\", Schedule::cron(..), input)",
        );
        return false;
    };
    let valid = match schedule.validate() {
        Err(e) => {
            report.error(path, format!("invalid schedule: {}", e.problem()), e.fix());
            return false;
        }
        Ok(valid) => valid,
    };
    let reference = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).single();
    if let Some(reference) = reference {
        let times = valid.next_fire_times(reference, 5);
        let gap = times.windows(2).map(|w| (w[1] - w[0]).num_seconds()).min();
        if let Some(gap) = gap {
            if gap >= 0 && (gap as u64) < timeout_secs {
                report.warning(
                    path,
                    format!("runs can start every {gap} s but the timeout is {timeout_secs} s, so runs can overlap"),
                    "make the task finish within the interval (lower .timeout) or cap overlap with .reserved_concurrency(1)",
                );
            }
        }
    }
    schedule.expression().starts_with("at(")
}

/// RFC 3339 dates, the end after the start, and none on an `at(...)` schedule.
fn check_dates(path: &str, p: &Props, schedule_is_at: bool, report: &mut Report) {
    let start = p
        .start_date
        .as_deref()
        .and_then(|s| parse_instant(path, "start date", s, report));
    let end = p
        .end_date
        .as_deref()
        .and_then(|s| parse_instant(path, "end date", s, report));
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            report.error(
                path,
                format!("end date {e} is not after start date {s}"),
                "move the end date after the start date",
            );
        }
    }
    if let (Some(Ok(valid)), false) = (
        p.schedule.as_ref().map(crate::schedule::Schedule::validate),
        matches!((start, end), (Some(s), Some(e)) if e <= s),
    ) {
        schedules::check_schedule(path, &valid, start, end, Utc::now(), report);
    }
    if schedule_is_at && (p.start_date.is_some() || p.end_date.is_some()) {
        report.error(
            path,
            "start and end dates apply to rate and cron schedules, not to a one-time at(...) schedule",
            "drop .start_date()/.end_date(), or use a rate or cron schedule",
        );
    }
}

fn parse_instant(path: &str, what: &str, text: &str, report: &mut Report) -> Option<DateTime<Utc>> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            report.error(
                path,
                format!("{what} `{text}` is not an RFC 3339 instant ({e})"),
                "write it like 2027-01-01T00:00:00Z",
            );
            None
        }
    }
}

/// The Scheduler's and Lambda's retry bounds.
fn check_retries(path: &str, p: &Props, report: &mut Report) {
    if p.schedule_retry_attempts > 185 {
        report.error(
            path,
            format!(
                "{} schedule retry attempts is over the Scheduler's 185",
                p.schedule_retry_attempts
            ),
            "pass 0 to 185 to .schedule_retries()",
        );
    }
    let age = p.schedule_max_event_age.as_secs();
    if !(60..=86_400).contains(&age) {
        report.error(
            path,
            format!("schedule retry age of {age} s is outside 60 to 86,400 s"),
            "pass 60 s to 24 h to .schedule_retries()",
        );
    }
    if p.function_retry_attempts > 2 {
        report.error(
            path,
            format!(
                "{} function retries is over Lambda's 2",
                p.function_retry_attempts
            ),
            "pass 0 to 2 to .function_retries()",
        );
    }
    let age = p.function_max_event_age.as_secs();
    if !(60..=21_600).contains(&age) {
        report.error(
            path,
            format!("function event age of {age} s is outside 60 to 21,600 s"),
            "pass 60 s to 6 h to .function_retries()",
        );
    }
}
