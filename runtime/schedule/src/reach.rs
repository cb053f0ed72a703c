//! Owns "does this schedule ever fire?": [`ValidSchedule::first_fire_between`] and
//! [`ValidSchedule::check_fires`], which explain a schedule that can never fire after a
//! given "now" (a past `at(...)`, a cron date that never exists, a year range in the past,
//! a rate longer than its start/end window, an end date before the first run) and give a
//! fix that itself fires.
//!
//! "Now" is always a parameter, so callers and tests choose it.

use chrono::{DateTime, Duration, Utc};

use crate::{Kind, Schedule, Tz, ValidSchedule};

/// Why a schedule never fires in its window, and what would make it fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverFires {
    /// What is wrong, e.g. "at(2020-01-01T09:00:00) is in the past".
    pub problem: String,
    /// A change that makes the schedule fire, e.g. a corrected expression.
    pub fix: String,
}

impl ValidSchedule {
    /// The first fire time at or after `start` and, when `end` is given, at or before
    /// `end`; `None` when the schedule does not fire in that window.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use cloud_cron_schedule::Schedule;
    ///
    /// let s = Schedule::cron("0 9 29 2 ? *").validate()?;
    /// let start = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    /// let first = s.first_fire_between(start, None).expect("fires in 2028");
    /// assert_eq!(first.to_rfc3339(), "2028-02-29T09:00:00+00:00");
    /// let end = Utc.with_ymd_and_hms(2027, 12, 31, 0, 0, 0).unwrap();
    /// assert!(s.first_fire_between(start, Some(end)).is_none());
    /// # Ok::<(), cloud_cron_schedule::ScheduleError>(())
    /// ```
    pub fn first_fire_between(
        &self,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Tz>> {
        let after = start - Duration::nanoseconds(1);
        let first = self.next_fire_times(after, 1).into_iter().next()?;
        match end {
            Some(end) if first.with_timezone(&Utc) > end => None,
            _ => Some(first),
        }
    }

    /// Checks that the schedule fires at least once after `now`, within the optional
    /// `start_date`/`end_date` window (Scheduler's `StartDate`/`EndDate`). Returns the first
    /// fire time, or what is wrong with a fix that fires.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use cloud_cron_schedule::Schedule;
    ///
    /// let now = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
    /// let past = Schedule::at("2027-01-01T09:00:00").validate()?;
    /// let err = past.check_fires(now, None, None).unwrap_err();
    /// assert!(err.problem.contains("in the past"));
    /// assert!(err.fix.contains("at(2027-06-01T09:00:00)"));
    /// # Ok::<(), cloud_cron_schedule::ScheduleError>(())
    /// ```
    pub fn check_fires(
        &self,
        now: DateTime<Utc>,
        start_date: Option<DateTime<Utc>>,
        end_date: Option<DateTime<Utc>>,
    ) -> Result<DateTime<Tz>, NeverFires> {
        let from = start_date.map_or(now, |s| s.max(now));
        let Some(first) = self.first_fire_between(from, None) else {
            return Err(self.never_after(now, from));
        };
        match end_date {
            Some(end) if first.with_timezone(&Utc) > end => {
                let first_utc = first.with_timezone(&Utc);
                let suggested = (first_utc + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
                let when = if end < now {
                    format!("the end date {} is already past", rfc3339(end))
                } else {
                    format!("the end date {} comes before the first run", rfc3339(end))
                };
                Err(NeverFires {
                    problem: format!(
                        "{} never fires: {when}, at {}",
                        self.expression(),
                        first.to_rfc3339()
                    ),
                    fix: format!(
                        "move the end date after the first run, e.g. .end_date(\"{suggested}\"), or drop it"
                    ),
                })
            }
            _ => Ok(first),
        }
    }

    /// The explanation for a schedule with no fire time after `from`.
    fn never_after(&self, now: DateTime<Utc>, from: DateTime<Utc>) -> NeverFires {
        let expression = self.expression();
        let zone = self.time_zone().unwrap_or("UTC");
        match &self.kind {
            Kind::At(at) => {
                // The same wall-clock time on the first day that is still ahead of `from`.
                let local_from = from.with_timezone(&self.tz).date_naive();
                let mut day = local_from;
                let mut fix = None;
                for _ in 0..3 {
                    let candidate = format!(
                        "{}T{}",
                        day.format("%Y-%m-%d"),
                        at.time().format("%H:%M:%S")
                    );
                    if self
                        .with_expression(&format!("at({candidate})"))
                        .is_some_and(|v| v.first_fire_between(from, None).is_some())
                    {
                        fix = Some(candidate);
                        break;
                    }
                    day = day.succ_opt().unwrap_or(day);
                }
                let fix = fix.map_or_else(
                    || "give a date-time in the future".to_string(),
                    |c| format!("give a date-time in the future, e.g. at({c}), written Schedule::at(\"{c}\")"),
                );
                NeverFires {
                    problem: format!(
                        "{expression} ({zone}) is in the past (now is {}), so it never fires",
                        rfc3339(now)
                    ),
                    fix,
                }
            }
            Kind::Rate(_) => NeverFires {
                problem: format!("{expression} never fires after {}", rfc3339(from)),
                fix: "use a shorter rate".to_string(),
            },
            Kind::Cron(_) => self.cron_never(from),
        }
    }

    fn cron_never(&self, from: DateTime<Utc>) -> NeverFires {
        let expression = self.expression().to_string();
        let fields: Vec<&str> = expression
            .trim_start_matches("cron(")
            .trim_end_matches(')')
            .split_whitespace()
            .collect();
        let fires = |v: &ValidSchedule| v.first_fire_between(from, None).is_some();
        let cause = match fields.as_slice() {
            [_, _, dom, month, _, year] => {
                if self
                    .with_fields(&fields, None, Some("*"))
                    .is_some_and(|v| fires(&v))
                {
                    format!("the years it allows ({year}) have no matching date after that")
                } else {
                    format!("day-of-month {dom} does not exist in month {month}")
                }
            }
            _ => "no date matches it".to_string(),
        };
        let year_only = |v: &ValidSchedule| v.first_fire_between(from, None).is_some();
        let candidates: [(Option<&str>, Option<&str>); 3] =
            [(None, Some("*")), (Some("L"), None), (Some("L"), Some("*"))];
        let fix = if fields.len() == 6 {
            candidates.iter().find_map(|(dom, year)| {
                self.with_fields(&fields, *dom, *year)
                    .filter(year_only)
                    .map(|v| v.expression().to_string())
            })
        } else {
            None
        };
        NeverFires {
            problem: format!(
                "{expression} never fires after {}: {cause}",
                rfc3339(from)
            ),
            fix: match fix {
                Some(e) => format!("write {e} (`L` is the last day of the month, `*` every year)"),
                None => "pick a day-of-month that every chosen month has, and a year range that is still ahead".to_string(),
            },
        }
    }

    /// This schedule's cron fields with day-of-month and/or year replaced, validated in
    /// the same zone.
    fn with_fields(
        &self,
        fields: &[&str],
        dom: Option<&str>,
        year: Option<&str>,
    ) -> Option<ValidSchedule> {
        let mut f: Vec<&str> = fields.to_vec();
        if let Some(dom) = dom {
            f[2] = dom;
        }
        if let Some(year) = year {
            f[5] = year;
        }
        self.with_expression(&format!("cron({})", f.join(" ")))
    }

    fn with_expression(&self, expression: &str) -> Option<ValidSchedule> {
        let mut s = Schedule::parse(expression);
        if let Some(zone) = self.time_zone() {
            s = s.in_time_zone(zone);
        }
        s.validate().ok()
    }
}

/// A UTC instant as `2027-01-01T00:00:00Z`.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0)
            .single()
            .expect("valid")
    }

    fn valid(expr: &str) -> ValidSchedule {
        Schedule::parse(expr).validate().expect(expr)
    }

    /// The expression inside the first `cron(...)`/`at(...)` of a fix.
    fn expression_in(fix: &str) -> String {
        let start = fix.find("cron(").or_else(|| fix.find("at(")).expect(fix);
        let end = fix[start..].find(')').expect(fix) + start + 1;
        fix[start..end].to_string()
    }

    #[test]
    fn past_at_is_an_error_whose_fix_fires() {
        for expr in ["at(2027-01-01T09:00:00)", "at(2027-06-01T11:59:00)"] {
            let err = valid(expr).check_fires(now(), None, None).unwrap_err();
            assert!(err.problem.contains("in the past"), "{err:?}");
            let fixed = valid(&expression_in(&err.fix));
            assert!(fixed.check_fires(now(), None, None).is_ok(), "{err:?}");
        }
        assert!(valid("at(2027-06-02T09:00:00)")
            .check_fires(now(), None, None)
            .is_ok());
    }

    #[test]
    fn impossible_cron_dates_are_explained_and_fixed() {
        for (expr, fix) in [
            ("cron(0 9 30 2 ? *)", "cron(0 9 L 2 ? *)"),
            ("cron(0 9 31 4,6,9,11 ? *)", "cron(0 9 L 4,6,9,11 ? *)"),
            ("cron(0 0 29 2 ? 2027)", "cron(0 0 29 2 ? *)"),
            ("cron(0 9 * * ? 2020-2025)", "cron(0 9 * * ? *)"),
        ] {
            let err = valid(expr).check_fires(now(), None, None).unwrap_err();
            assert!(err.problem.contains("never fires"), "{err:?}");
            assert!(err.fix.contains(fix), "{expr}: {err:?}");
            assert!(valid(fix).check_fires(now(), None, None).is_ok(), "{fix}");
        }
        assert!(valid("cron(0 0 29 2 ? 2028)")
            .check_fires(now(), None, None)
            .is_ok());
    }

    #[test]
    fn rates_and_end_dates_outside_the_window() {
        let start = Utc.with_ymd_and_hms(2027, 7, 1, 0, 0, 0).single();
        let end = Utc.with_ymd_and_hms(2027, 7, 10, 0, 0, 0).single();
        let long = valid("rate(30 days)");
        let err = long.check_fires(now(), start, end).unwrap_err();
        assert!(err.problem.contains("before the first run"), "{err:?}");
        let new_end = err.fix.split('"').nth(1).expect("a date");
        let new_end = DateTime::parse_from_rfc3339(new_end)
            .expect("rfc3339")
            .with_timezone(&Utc);
        assert!(long.check_fires(now(), start, Some(new_end)).is_ok());

        let cron = valid("cron(0 9 1 1 ? *)");
        let past_end = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).single();
        let err = cron.check_fires(now(), None, past_end).unwrap_err();
        assert!(err.problem.contains("already past"), "{err:?}");
        assert!(valid("rate(1 day)").check_fires(now(), start, end).is_ok());
    }

    #[test]
    fn first_fire_between_includes_the_start() {
        let s = valid("cron(0 9 * * ? *)");
        let start = Utc
            .with_ymd_and_hms(2027, 6, 2, 9, 0, 0)
            .single()
            .expect("valid");
        let first = s
            .first_fire_between(start, Some(start))
            .expect("fires at start");
        assert_eq!(first.with_timezone(&Utc), start);
    }
}
