//! Owns AWS cron expressions, `cron(minutes hours day-of-month month day-of-week year)`:
//! the parser and rule checker (ranges, steps, names, `?`, `L`, `W`, `LW`, `nL`, `n#k`,
//! and the rule that exactly one of day-of-month / day-of-week is `?`), the canonical text,
//! and the evaluator that lists fire times.
//!
//! The evaluator walks calendar days in the schedule's zone (year, month, then day of month
//! and day of week), then the day's hours and minutes, and maps each local time with
//! [`resolve_local`]: nonexistent times are skipped and repeated ones run at the first
//! instant, which is exactly EventBridge Scheduler's daylight-saving behaviour. The walk
//! ends with the last year the expression allows (2199 at most).
//!
//! Ranges may wrap around the end of their field, as AWS documents with
//! `cron(0/30 20-2 ? * MON-FRI *)`: in minutes, hours, day-of-month, month and day-of-week
//! a range `a-b` with `a > b` runs from `a` to the field's maximum, then from its minimum
//! to `b` (`22-2` is 22, 23, 0, 1, 2; `FRI-MON` is Friday to Monday; `NOV-FEB` is
//! November to February), and `/step` steps through that sequence (`20-2/3` is 20, 23,
//! 2). Each field matches on its own, as everywhere in cron: with `20-2` in hours and
//! `MON-FRI` in day-of-week, the hours after midnight run on Monday to Friday mornings,
//! not on Saturday's. Years do not wrap: `2027-2026` is an error.
//!
//! Rules beyond the AWS field table, chosen to reject what AWS may reject rather than
//! accept it: `L`, `LW`, `nW`, `nL` and `n#k` must be the whole field (no lists); `L-n`
//! (undocumented) is rejected; increments run from 1 to the field's span; month and day
//! names are case-insensitive and rendered in upper case in the canonical text.

use crate::zone::Tz;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use super::error::{CronField, ScheduleError};
use super::timezone::resolve_local;

/// First year AWS accepts in the year field.
pub(crate) const YEAR_MIN: u32 = 1970;
/// Last year AWS accepts; no schedule fires after it.
pub(crate) const YEAR_MAX: u32 = 2199;

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A set of small integers `base..base+256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ValueSet {
    base: u32,
    bits: [u64; 4],
}

impl ValueSet {
    fn new(base: u32) -> ValueSet {
        ValueSet { base, bits: [0; 4] }
    }

    fn insert(&mut self, value: u32) {
        if let Some(i) = value.checked_sub(self.base).filter(|i| *i < 256) {
            self.bits[(i / 64) as usize] |= 1 << (i % 64);
        }
    }

    fn contains(&self, value: u32) -> bool {
        match value.checked_sub(self.base).filter(|i| *i < 256) {
            Some(i) => self.bits[(i / 64) as usize] & (1 << (i % 64)) != 0,
            None => false,
        }
    }

    fn values(&self) -> Vec<u32> {
        (0..256u32)
            .filter(|i| self.bits[(i / 64) as usize] & (1 << (i % 64)) != 0)
            .map(|i| i + self.base)
            .collect()
    }
}

/// What the day-of-month field selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayOfMonth {
    /// `?`: decided by day-of-week.
    Any,
    /// Numbers, ranges, steps, `*`.
    Days(ValueSet),
    /// `L`: last day of the month.
    Last,
    /// `LW`: last weekday (Mon-Fri) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u32),
}

/// What the day-of-week field selects (1 = Sunday ... 7 = Saturday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayOfWeek {
    /// `?`: decided by day-of-month.
    Any,
    /// Numbers, names, ranges, `*`, and `L` alone (Saturday).
    Days(ValueSet),
    /// `nL`: the last day n of the month.
    Last(u32),
    /// `n#k`: the k-th day n of the month.
    Nth(u32, u32),
}

/// A validated AWS cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cron {
    minutes: ValueSet,
    hours: ValueSet,
    day_of_month: DayOfMonth,
    months: ValueSet,
    day_of_week: DayOfWeek,
    years: ValueSet,
    canonical: String,
}

/// Range and syntax of one plain field.
struct Spec {
    field: CronField,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    allows_step: bool,
}

impl Spec {
    fn of(field: CronField) -> Spec {
        let (min, max, names, allows_step): (u32, u32, &'static [&'static str], bool) = match field
        {
            CronField::Minutes => (0, 59, &[], true),
            CronField::Hours => (0, 23, &[], true),
            CronField::DayOfMonth => (1, 31, &[], true),
            CronField::Month => (1, 12, &MONTH_NAMES, true),
            CronField::DayOfWeek => (1, 7, &DAY_NAMES, false),
            CronField::Year => (YEAR_MIN, YEAR_MAX, &[], true),
        };
        Spec {
            field,
            min,
            max,
            names,
            allows_step,
        }
    }

    /// The allowed values as the AWS table writes them.
    fn range_text(&self) -> &'static str {
        match self.field {
            CronField::Minutes => "0-59",
            CronField::Hours => "0-23",
            CronField::DayOfMonth => "1-31",
            CronField::Month => "1-12 or JAN-DEC",
            CronField::DayOfWeek => "1-7 or SUN-SAT (1 = SUN, 7 = SAT)",
            CronField::Year => "1970-2199",
        }
    }
}

/// A problem found inside one field: what is wrong and how to fix it.
struct FieldProblem {
    problem: String,
    fix: String,
    /// The corrected field text, when there is one: the error then shows the whole
    /// corrected expression.
    replacement: Option<String>,
}

fn problem(problem: impl Into<String>, fix: impl Into<String>) -> FieldProblem {
    FieldProblem {
        problem: problem.into(),
        fix: fix.into(),
        replacement: None,
    }
}

impl Cron {
    /// Parses and checks the text between `cron(` and `)`.
    pub(crate) fn parse(body: &str) -> Result<Cron, ScheduleError> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let expression = format!("cron({})", fields.join(" "));
        if fields.len() != 6 {
            let fix = match fields.len() {
                7 => format!(
                    "AWS cron has no seconds field: drop the first field, `cron({})`",
                    fields[1..].join(" ")
                ),
                5 => format!(
                    "add the year field (`*` for every year), `cron({} *)`",
                    fields.join(" ")
                ),
                _ => "write six fields, cron(minutes hours day-of-month month day-of-week year), e.g. `cron(0 9 * * ? *)`".to_string(),
            };
            return Err(ScheduleError::Cron {
                expression,
                field: None,
                problem: format!(
                    "expected 6 fields (minutes hours day-of-month month day-of-week year), found {}",
                    fields.len()
                ),
                fix,
            });
        }
        let upper: Vec<String> = fields.iter().map(|f| f.to_ascii_uppercase()).collect();
        let field_err = |field: CronField, p: FieldProblem| {
            let index = field.position() - 1;
            let fix = match p.replacement {
                Some(replacement) => {
                    let mut corrected = fields.clone();
                    corrected[index] = &replacement;
                    format!("{}: `cron({})`", p.fix, corrected.join(" "))
                }
                None => p.fix,
            };
            ScheduleError::Cron {
                expression: expression.clone(),
                field: Some(field),
                problem: format!("{} field `{}`: {}", field.name(), fields[index], p.problem),
                fix,
            }
        };
        let plain = |field: CronField| {
            parse_plain(fields[field.position() - 1], &Spec::of(field))
                .map_err(|p| field_err(field, p))
        };
        let minutes = plain(CronField::Minutes)?;
        let hours = plain(CronField::Hours)?;
        let day_of_month =
            parse_day_of_month(fields[2]).map_err(|p| field_err(CronField::DayOfMonth, p))?;
        let months = plain(CronField::Month)?;
        let day_of_week =
            parse_day_of_week(fields[4]).map_err(|p| field_err(CronField::DayOfWeek, p))?;
        let years = plain(CronField::Year)?;

        let with = |dom: &str, dow: &str| {
            format!(
                "cron({} {} {} {} {} {})",
                fields[0], fields[1], dom, fields[3], dow, fields[5]
            )
        };
        let (dom_text, dow_text) = (fields[2], fields[4]);
        match (day_of_month, day_of_week) {
            (DayOfMonth::Any, DayOfWeek::Any) => {
                return Err(ScheduleError::Cron {
                    expression: expression.clone(),
                    field: Some(CronField::DayOfMonth),
                    problem: "day-of-month and day-of-week are both `?`; exactly one of them must be `?` (AWS rule)".to_string(),
                    fix: format!("set the other to `*` for every day: `{}`", with("*", "?")),
                })
            }
            (DayOfMonth::Any, _) | (_, DayOfWeek::Any) => {}
            _ => {
                let (field, fix) = if dow_text == "*" {
                    (
                        CronField::DayOfWeek,
                        format!("use `?` in day-of-week: `{}`", with(dom_text, "?")),
                    )
                } else if dom_text == "*" {
                    (
                        CronField::DayOfMonth,
                        format!("use `?` in day-of-month: `{}`", with("?", dow_text)),
                    )
                } else {
                    (
                        CronField::DayOfWeek,
                        format!(
                            "AWS cannot combine the two; keep either the day of month, `{}`, or the day of week, `{}`",
                            with(dom_text, "?"),
                            with("?", dow_text)
                        ),
                    )
                };
                return Err(ScheduleError::Cron {
                    expression: expression.clone(),
                    field: Some(field),
                    problem: format!(
                        "day-of-month field `{dom_text}` and day-of-week field `{dow_text}` are both set; one of day-of-month / day-of-week must be `?` (AWS rule)"
                    ),
                    fix,
                });
            }
        }

        Ok(Cron {
            minutes,
            hours,
            day_of_month,
            months,
            day_of_week,
            years,
            canonical: format!("cron({})", upper.join(" ")),
        })
    }

    /// The canonical AWS text: single spaces, names in upper case.
    pub(crate) fn expression(&self) -> &str {
        &self.canonical
    }

    /// Whether the calendar date is selected by the day, month and year fields.
    fn date_matches(&self, date: NaiveDate) -> bool {
        let (Ok(year), month, day) = (u32::try_from(date.year()), date.month(), date.day()) else {
            return false;
        };
        if !self.years.contains(year) || !self.months.contains(month) {
            return false;
        }
        let dim = days_in_month(date.year(), month);
        let dom_ok = match self.day_of_month {
            DayOfMonth::Any => true,
            DayOfMonth::Days(set) => set.contains(day),
            DayOfMonth::Last => day == dim,
            DayOfMonth::LastWeekday => Some(day) == last_weekday(date.year(), month),
            DayOfMonth::NearestWeekday(n) => Some(day) == nearest_weekday(date.year(), month, n),
        };
        let weekday = date.weekday().number_from_sunday();
        let dow_ok = match self.day_of_week {
            DayOfWeek::Any => true,
            DayOfWeek::Days(set) => set.contains(weekday),
            DayOfWeek::Last(w) => weekday == w && day + 7 > dim,
            DayOfWeek::Nth(w, k) => weekday == w && (day - 1) / 7 + 1 == k,
        };
        dom_ok && dow_ok
    }

    /// Up to `n` fire times strictly after `after`, in `tz`, in order.
    pub(crate) fn next_fire_times(
        &self,
        tz: &Tz,
        after: DateTime<Utc>,
        n: usize,
    ) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n.min(1024));
        if n == 0 {
            return out;
        }
        let hours = self.hours.values();
        let minutes = self.minutes.values();
        let last_year = self.years.values().last().copied().unwrap_or(YEAR_MIN);
        // Start one local day early: in a zone whose fall-back crosses midnight an instant
        // after `after` can carry the previous local date.
        let local_start = after.with_timezone(tz).date_naive();
        let start = local_start.pred_opt().unwrap_or(local_start);
        let first_year = u32::try_from(start.year()).unwrap_or(0).max(YEAR_MIN);
        for year in first_year..=last_year {
            if !self.years.contains(year) {
                continue;
            }
            let Ok(year_i32) = i32::try_from(year) else {
                break;
            };
            for month in 1..=12u32 {
                if !self.months.contains(month) || (year_i32, month) < (start.year(), start.month())
                {
                    continue;
                }
                let first_day = if (year_i32, month) == (start.year(), start.month()) {
                    start.day()
                } else {
                    1
                };
                for day in first_day..=days_in_month(year_i32, month) {
                    let Some(date) = NaiveDate::from_ymd_opt(year_i32, month, day) else {
                        continue;
                    };
                    if !self.date_matches(date) {
                        continue;
                    }
                    for &hour in &hours {
                        for &minute in &minutes {
                            let Some(local) = date.and_hms_opt(hour, minute, 0) else {
                                continue;
                            };
                            let Some(instant) = resolve_local(tz, &local) else {
                                continue; // spring-forward gap: AWS skips this run
                            };
                            if instant.with_timezone(&Utc) > after {
                                out.push(instant);
                                if out.len() == n {
                                    return out;
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// Number of days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `LW`: the last Monday-Friday of the month.
fn last_weekday(year: i32, month: u32) -> Option<u32> {
    let dim = days_in_month(year, month);
    let last = NaiveDate::from_ymd_opt(year, month, dim)?;
    Some(match last.weekday() {
        Weekday::Sat => dim - 1,
        Weekday::Sun => dim - 2,
        _ => dim,
    })
}

/// `nW`: the Monday-Friday nearest day `n` without leaving the month; `None` when the
/// month has no day `n`.
fn nearest_weekday(year: i32, month: u32, n: u32) -> Option<u32> {
    let dim = days_in_month(year, month);
    let date = NaiveDate::from_ymd_opt(year, month, n)?;
    Some(match date.weekday() {
        Weekday::Sat if n == 1 => 3,
        Weekday::Sat => n - 1,
        Weekday::Sun if n == dim => n - 2,
        Weekday::Sun => n + 1,
        _ => n,
    })
}

/// Rejects the special characters a field does not allow, with a message per character.
fn check_specials(text: &str, spec: &Spec) -> Result<(), FieldProblem> {
    let name = spec.field.name();
    if text.contains('?') && !matches!(spec.field, CronField::DayOfMonth | CronField::DayOfWeek) {
        return Err(problem(
            format!("`?` is only allowed in day-of-month and day-of-week, not in {name}"),
            format!(
                "use `*` for every {} or a value in {}",
                name.trim_end_matches('s'),
                spec.range_text()
            ),
        ));
    }
    if text.contains('?') {
        return Err(problem(
            "`?` must be the whole field, not part of a list or range",
            format!("write just `?` in {name}"),
        ));
    }
    if text.contains('#') && spec.field != CronField::DayOfWeek {
        return Err(problem(
            format!("`#` (n-th weekday of the month) is only allowed in day-of-week, not in {name}"),
            "move it to day-of-week with `?` in day-of-month, e.g. `cron(0 9 ? * 2#1 *)` for the first Monday",
        ));
    }
    Ok(())
}

/// Parses a field made of values, ranges, steps and `*`, joined by commas.
fn parse_plain(text: &str, spec: &Spec) -> Result<ValueSet, FieldProblem> {
    check_specials(text, spec)?;
    let mut set = ValueSet::new(if spec.field == CronField::Year {
        YEAR_MIN
    } else {
        0
    });
    let terms: Vec<&str> = text.split(',').collect();
    for (i, term) in terms.iter().enumerate() {
        let (start, end, step) = parse_term(term, spec).map_err(|mut p| {
            if let Some(fixed_term) = p.replacement.take() {
                let mut fixed = terms.clone();
                fixed[i] = &fixed_term;
                p.replacement = Some(fixed.join(","));
            }
            p
        })?;
        // A wrapped range (`start > end`) runs on past the maximum and back to the
        // minimum: `22-2` in hours is 22, 23, 24 -> 0, 25 -> 1, 26 -> 2.
        let period = spec.max - spec.min + 1;
        let last = if start > end { end + period } else { end };
        let mut v = start;
        while v <= last {
            set.insert(if v > spec.max { v - period } else { v });
            v += step;
        }
    }
    Ok(set)
}

/// Parses one comma-separated term: `*`, `v`, `a-b`, with an optional `/step`. A range
/// with `a > b` wraps around (see the module docs); its `(start, end, step)` keeps
/// `start > end`. A problem's `replacement` is the corrected term.
fn parse_term(term: &str, spec: &Spec) -> Result<(u32, u32, u32), FieldProblem> {
    if term.is_empty() {
        return Err(problem(
            "contains an empty value",
            "remove the doubled, leading or trailing comma",
        ));
    }
    let (base, step) = match term.split_once('/') {
        None => (term, None),
        Some(_) if !spec.allows_step => {
            return Err(problem(
                format!("`/` (increments) is not allowed in {}", spec.field.name()),
                "list the days instead, e.g. `MON,WED,FRI` or `2-6`",
            ))
        }
        Some((base, step)) => {
            let span = spec.max - spec.min;
            let parsed = step.parse::<u32>().ok().filter(|s| (1..=span).contains(s));
            match parsed {
                Some(s) if step.bytes().all(|b| b.is_ascii_digit()) => (base, Some(s)),
                _ => {
                    return Err(problem(
                        format!("the increment `/{step}` in `{term}` must be a whole number from 1 to {span}"),
                        format!("write e.g. `*/5` or `{}/5` (start/increment)", spec.min),
                    ))
                }
            }
        }
    };
    if base.is_empty() {
        return Err(problem(
            format!("`{term}` has no start before `/`"),
            format!(
                "write `*/{}` or `{}/{}`",
                step.unwrap_or(1),
                spec.min,
                step.unwrap_or(1)
            ),
        ));
    }
    let (start, end) = if base == "*" {
        (spec.min, spec.max)
    } else if let Some((a, b)) = base.split_once('-') {
        let start = parse_value(a, spec, term)?;
        let end = parse_value(b, spec, term)?;
        if start > end && spec.field == CronField::Year {
            let step_text = step.map(|s| format!("/{s}")).unwrap_or_default();
            return Err(FieldProblem {
                problem: format!(
                    "the year range `{base}` runs backwards; years do not wrap around"
                ),
                fix: "write the earlier year first".to_owned(),
                replacement: Some(format!("{end}-{start}{step_text}")),
            });
        }
        (start, end)
    } else {
        let v = parse_value(base, spec, term)?;
        (v, if step.is_some() { spec.max } else { v })
    };
    Ok((start, end, step.unwrap_or(1)))
}

/// Parses one value: a number, or a name where the field has names.
fn parse_value(token: &str, spec: &Spec, term: &str) -> Result<u32, FieldProblem> {
    let name = spec.field.name();
    if token.is_empty() {
        return Err(problem(
            format!("`{term}` is missing a value"),
            format!("use values in {}", spec.range_text()),
        ));
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        let value = token
            .parse::<u32>()
            .ok()
            .filter(|v| (spec.min..=spec.max).contains(v));
        return match value {
            Some(v) => Ok(v),
            None if spec.field == CronField::DayOfWeek && token.parse::<u32>() == Ok(0) => Err(problem(
                format!("`{token}` is out of range {}", spec.range_text()),
                "AWS numbers days 1-7 from Sunday (not 0-6 as in Unix cron): use `1` or `SUN` for Sunday",
            )),
            None => Err(problem(
                format!("`{token}` is out of range {}", spec.range_text()),
                format!("use a {} value in {}", name, spec.range_text()),
            )),
        };
    }
    if let Some(i) = spec
        .names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(token))
    {
        // `i` < 12, so the cast cannot truncate.
        return Ok(i as u32 + 1);
    }
    let fix = format!("use values in {}", spec.range_text());
    let up = token.to_ascii_uppercase();
    let is_last = up == "L"
        || up.starts_with("L-")
        || up == "LW"
        || up
            .strip_suffix('L')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let p = if is_last {
        problem(
            format!("`L` (last) is only allowed in day-of-month and day-of-week, and only on its own; `{term}` is not valid in {name}"),
            if matches!(spec.field, CronField::DayOfMonth | CronField::DayOfWeek) {
                format!("write the field as just `L` (or `LW`/`nL`), or {fix}")
            } else {
                fix
            },
        )
    } else if up.ends_with('W') {
        problem(
            format!("`W` (nearest weekday) is only allowed in day-of-month, as `nW` or `LW` on its own; `{term}` is not valid in {name}"),
            format!("move it to day-of-month with `?` in day-of-week, e.g. `cron(0 9 15W * ? *)`, or {fix}"),
        )
    } else if spec.names.is_empty() {
        problem(format!("`{token}` is not a number"), fix)
    } else {
        problem(format!("`{token}` is not a {name} number or name"), fix)
    };
    Err(p)
}

/// Parses the day-of-month field.
fn parse_day_of_month(text: &str) -> Result<DayOfMonth, FieldProblem> {
    let spec = Spec::of(CronField::DayOfMonth);
    if text == "?" {
        return Ok(DayOfMonth::Any);
    }
    if !text.contains(['L', 'l', 'W', 'w']) {
        return parse_plain(text, &spec).map(DayOfMonth::Days);
    }
    check_specials(text, &spec)?;
    if text.contains(',') {
        return Err(problem(
            "`L`, `LW` and `W` must be the whole field; AWS does not combine them with a list",
            "use one value such as `L`, `LW` or `15W`, or a separate schedule for the other days",
        ));
    }
    if text.eq_ignore_ascii_case("L") {
        return Ok(DayOfMonth::Last);
    }
    if text.eq_ignore_ascii_case("LW") {
        return Ok(DayOfMonth::LastWeekday);
    }
    if text
        .strip_prefix(['L', 'l'])
        .is_some_and(|rest| rest.starts_with('-'))
    {
        return Err(problem(
            format!("`{text}` (offset from the last day) is not documented for EventBridge cron"),
            "use `L` for the last day, or list the days explicitly, e.g. `28-31`",
        ));
    }
    if let Some(day) = text.strip_suffix(['W', 'w']) {
        if day.contains(['-', '/', '*']) {
            return Err(problem(
                format!("`W` takes a single day, not `{day}`"),
                "write one day, e.g. `15W` for the weekday nearest the 15th",
            ));
        }
        if day.bytes().all(|b| b.is_ascii_digit()) && !day.is_empty() {
            return match day.parse::<u32>().ok().filter(|d| (1..=31).contains(d)) {
                Some(d) => Ok(DayOfMonth::NearestWeekday(d)),
                None => Err(problem(
                    format!("`{day}` is out of range 1-31"),
                    "write `nW` with n in 1-31, e.g. `15W`",
                )),
            };
        }
        return Err(problem(
            format!("`{text}` is not `nW` with a day number"),
            "write `nW` with n in 1-31, e.g. `15W`, or `LW` for the last weekday",
        ));
    }
    Err(problem(
        format!("`{text}` is not a valid use of `L`"),
        "day-of-month takes `L` (last day) or `LW` (last weekday) on their own",
    ))
}

/// Parses the day-of-week field.
fn parse_day_of_week(text: &str) -> Result<DayOfWeek, FieldProblem> {
    let spec = Spec::of(CronField::DayOfWeek);
    if text == "?" {
        return Ok(DayOfWeek::Any);
    }
    check_specials(text, &spec)?;
    let hashes = text.matches('#').count();
    if hashes > 1 {
        return Err(problem(
            "only one `#` term is allowed (AWS reads `3#1,6#3` as two expressions)",
            "keep one `n#k` term and create a second schedule for the other",
        ));
    }
    if hashes == 1 {
        if text.contains(',') {
            return Err(problem(
                "a `#` term must be the whole field; AWS does not combine it with a list",
                "keep just the `n#k` term and create a second schedule for the other days",
            ));
        }
        let (day, nth) = text.split_once('#').unwrap_or((text, ""));
        if day.contains(['-', '*', '/']) {
            return Err(problem(
                format!("`#` needs a single day before it, not `{day}`"),
                "write e.g. `2#1` (first Monday) or `FRI#3` (third Friday)",
            ));
        }
        let day = parse_value(day, &spec, text)?;
        let nth = nth
            .parse::<u32>()
            .ok()
            .filter(|k| (1..=5).contains(k) && nth.bytes().all(|b| b.is_ascii_digit()));
        return match nth {
            Some(k) => Ok(DayOfWeek::Nth(day, k)),
            None => Err(problem(
                format!("the week number after `#` in `{text}` must be 1-5"),
                format!("write e.g. `{day}#1` for the first or `{day}L` for the last in the month"),
            )),
        };
    }
    if text.contains(['L', 'l']) {
        if text.contains(',') {
            return Err(problem(
                "`L` must be the whole field; AWS does not combine it with a list",
                "write `L` (Saturday), or `nL` for the last day n of the month, e.g. `6L`",
            ));
        }
        if text.eq_ignore_ascii_case("L") {
            let mut set = ValueSet::new(0);
            set.insert(7);
            return Ok(DayOfWeek::Days(set));
        }
        if let Some(day) = text.strip_suffix(['L', 'l']) {
            if day.contains(['-', '*', '/', 'L', 'l']) {
                return Err(problem(
                    format!("`L` needs a single day before it, not `{day}`"),
                    "write e.g. `6L` or `FRIL` for the last Friday of the month",
                ));
            }
            return parse_value(day, &spec, text).map(DayOfWeek::Last);
        }
        return Err(problem(
            format!("`{text}` is not a valid use of `L`"),
            "day-of-week takes `L` (Saturday) or `nL` (last day n of the month, e.g. `6L`)",
        ));
    }
    parse_plain(text, &spec).map(DayOfWeek::Days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_weekday_stays_in_month() {
        // 2027-05-01 is a Saturday: 1W moves forward to Monday the 3rd.
        assert_eq!(nearest_weekday(2027, 5, 1), Some(3));
        // 2027-05-15 is a Saturday: Friday the 14th.
        assert_eq!(nearest_weekday(2027, 5, 15), Some(14));
        // 2027-08-15 is a Sunday: Monday the 16th.
        assert_eq!(nearest_weekday(2027, 8, 15), Some(16));
        // 2027-10-31 is a Sunday and the last day: back to Friday the 29th.
        assert_eq!(nearest_weekday(2027, 10, 31), Some(29));
        // No 31st in April.
        assert_eq!(nearest_weekday(2027, 4, 31), None);
    }

    #[test]
    fn last_weekday_of_month() {
        assert_eq!(last_weekday(2027, 7), Some(30)); // 31st is a Saturday
        assert_eq!(last_weekday(2027, 10), Some(29)); // 31st is a Sunday
        assert_eq!(last_weekday(2027, 12), Some(31)); // Friday
    }

    #[test]
    fn steps_and_ranges_expand() {
        let spec = Spec::of(CronField::Minutes);
        assert_eq!(
            parse_plain("1-10/3,*/20", &spec).map(|s| s.values()).ok(),
            Some(vec![0, 1, 4, 7, 10, 20, 40])
        );
        // Wrapped ranges run to the maximum and on from the minimum.
        assert_eq!(
            parse_plain("50-10/10", &spec).map(|s| s.values()).ok(),
            Some(vec![0, 10, 50])
        );
        let weekdays = Spec::of(CronField::DayOfWeek);
        assert_eq!(
            parse_plain("FRI-MON", &weekdays).map(|s| s.values()).ok(),
            Some(vec![1, 2, 6, 7])
        );
        let days = Spec::of(CronField::DayOfMonth);
        assert_eq!(
            parse_plain("30-2", &days).map(|s| s.values()).ok(),
            Some(vec![1, 2, 30, 31])
        );
        let years = Spec::of(CronField::Year);
        assert_eq!(
            parse_plain("2196/2", &years).map(|s| s.values()).ok(),
            Some(vec![2196, 2198])
        );
    }
}
