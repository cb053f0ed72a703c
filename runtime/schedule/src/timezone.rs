//! Owns time zones: resolving the IANA name given to
//! [`Schedule::in_time_zone`](super::Schedule::in_time_zone) (with a "did you mean" for
//! near misses), and mapping a local wall-clock time to an instant with EventBridge
//! Scheduler's daylight-saving rules: a local time that does not exist (spring forward) is
//! skipped, and one that occurs twice (fall back) runs once, at the first instant.

use crate::zone::Tz;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone};

use super::error::ScheduleError;

/// Resolves an IANA time zone name exactly (as AWS does), suggesting the right spelling
/// when the name only differs in case or surrounding spaces.
pub(crate) fn parse_time_zone(name: &str) -> Result<Tz, ScheduleError> {
    if let Some(tz) = Tz::named(name) {
        return Ok(tz);
    }
    let wanted = name.trim();
    let close = Tz::names()
        .iter()
        .find(|known| known.eq_ignore_ascii_case(wanted));
    let fix = match close {
        Some(found) => format!("did you mean `{found}`? Names are case-sensitive"),
        None if wanted.is_empty() => {
            "give a zone name such as `Europe/London`, or leave the time zone unset for UTC"
                .to_string()
        }
        None => "use a name from the IANA tz database such as `Europe/London`, \
                 `America/New_York` or `UTC` (abbreviations like `PST` are not zones)"
            .to_string(),
    };
    Err(ScheduleError::TimeZone {
        zone: name.to_string(),
        fix,
    })
}

/// Maps a local wall-clock time in `tz` to the instant EventBridge Scheduler runs it:
/// `None` for a time skipped by a spring-forward transition, the first (earliest) instant
/// for a time repeated by a fall-back transition.
pub(crate) fn resolve_local(tz: &Tz, local: &NaiveDateTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(local) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(a, b) => Some(if a <= b { a } else { b }),
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .expect("test date is valid")
    }

    #[test]
    fn exact_names_resolve() {
        assert_eq!(
            parse_time_zone("Europe/London"),
            Ok(Tz::named("Europe/London").expect("zone"))
        );
        assert_eq!(parse_time_zone("UTC"), Ok(Tz::UTC));
    }

    #[test]
    fn case_mismatch_is_suggested() {
        let err = parse_time_zone("america/new_york").expect_err("wrong case");
        assert!(err.to_string().contains("did you mean `America/New_York`"));
    }

    #[test]
    fn gap_is_skipped_and_overlap_takes_first_instant() {
        let london = Tz::named("Europe/London").expect("zone");
        assert_eq!(resolve_local(&london, &local(2027, 3, 28, 1, 30)), None);
        let first = resolve_local(&london, &local(2027, 10, 31, 1, 30)).expect("exists");
        assert_eq!(
            first.with_timezone(&Utc).to_rfc3339(),
            "2027-10-31T00:30:00+00:00"
        );
    }
}
