//! Owns one-time expressions, `at(yyyy-mm-ddThh:mm:ss)`: parsing the strict AWS form (a
//! local date-time without offset, read in the schedule's time zone), its canonical text,
//! and its single fire time.

use crate::zone::Tz;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::error::ScheduleError;
use super::timezone::resolve_local;

/// The example given in every fix.
const EXAMPLE: &str = "at(2027-01-01T09:00:00)";

/// Parses the text between `at(` and `)` into a local date-time.
pub(crate) fn parse(body: &str) -> Result<NaiveDateTime, ScheduleError> {
    let text = body.trim();
    let expression = format!("at({text})");
    let err = |problem: String, fix: String| ScheduleError::At {
        expression: expression.clone(),
        problem,
        fix,
    };
    if text.is_empty() {
        return Err(err(
            "the date-time is missing".to_string(),
            format!("write a local date-time as `yyyy-mm-ddThh:mm:ss`, e.g. `{EXAMPLE}`"),
        ));
    }
    let bytes = text.as_bytes();
    let tail = text.get(19..).unwrap_or("");
    if text.ends_with(['Z', 'z']) || tail.contains(['+', '-']) {
        let head = text.get(..19).unwrap_or(text).trim_end_matches(['Z', 'z']);
        return Err(err(
            format!("`{text}` carries a UTC offset; at() takes a local time"),
            format!(
                "write `at({head})` and set the zone with `in_time_zone(...)` (UTC when unset)"
            ),
        ));
    }
    let shape_ok = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        let fix = if bytes.len() == 19 && bytes[10] == b' ' {
            format!(
                "separate date and time with `T`: `at({}T{})`",
                text.get(..10).unwrap_or(""),
                text.get(11..).unwrap_or("")
            )
        } else if bytes.len() == 16 && bytes.get(10) == Some(&b'T') {
            format!("add the seconds: `at({text}:00)`")
        } else {
            format!("use exactly `yyyy-mm-ddThh:mm:ss` with two-digit fields, e.g. `{EXAMPLE}`")
        };
        return Err(err(
            "expected the form `yyyy-mm-ddThh:mm:ss`".to_string(),
            fix,
        ));
    }
    // The shape check above guarantees ASCII digits at these positions.
    let num = |range: std::ops::Range<usize>| -> u32 {
        text[range]
            .bytes()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let year_i32 = i32::try_from(year).unwrap_or(i32::MAX);
    let Some(date) = NaiveDate::from_ymd_opt(year_i32, month, day) else {
        let problem = if !(1..=12).contains(&month) {
            format!("month `{month:02}` is not 01-12")
        } else {
            format!("{} is not a calendar date", &text[..10])
        };
        return Err(err(problem, format!("use a real date, e.g. `{EXAMPLE}`")));
    };
    let Some(at) = date.and_hms_opt(hour, minute, second) else {
        return Err(err(
            format!(
                "{} is not a time of day (hh 00-23, mm 00-59, ss 00-59)",
                &text[11..]
            ),
            format!("use a valid time, e.g. `{EXAMPLE}`"),
        ));
    };
    Ok(at)
}

/// The canonical AWS text.
pub(crate) fn expression(at: &NaiveDateTime) -> String {
    format!("at({})", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// Checks that the local time exists in `tz`, returning the instant it runs.
pub(crate) fn instant_in(at: &NaiveDateTime, tz: &Tz) -> Result<DateTime<Tz>, ScheduleError> {
    resolve_local(tz, at).ok_or_else(|| ScheduleError::At {
        expression: expression(at),
        problem: format!(
            "{} does not exist in {} (clocks spring forward over it), so the schedule would never run",
            at.format("%Y-%m-%dT%H:%M:%S"),
            tz.name()
        ),
        fix: match first_after_gap(at, tz) {
            Some(later) => format!(
                "pick a local time outside the daylight-saving gap, e.g. the first one after it: `{}`",
                expression(&later)
            ),
            None => "pick a local time outside the daylight-saving gap, e.g. one hour later"
                .to_string(),
        },
    })
}

/// The first local time after `at`, minute by minute, that exists in `tz` (gaps are at
/// most a few hours).
fn first_after_gap(at: &NaiveDateTime, tz: &Tz) -> Option<NaiveDateTime> {
    (1..=24 * 60)
        .filter_map(|m| at.checked_add_signed(chrono::TimeDelta::minutes(m)))
        .find(|t| resolve_local(tz, t).is_some())
}

/// The one fire time, if it is strictly after `after`.
pub(crate) fn next_fire_times(
    instant: &DateTime<Tz>,
    after: DateTime<Utc>,
    n: usize,
) -> Vec<DateTime<Tz>> {
    if n > 0 && instant.with_timezone(&Utc) > after {
        vec![*instant]
    } else {
        Vec::new()
    }
}
