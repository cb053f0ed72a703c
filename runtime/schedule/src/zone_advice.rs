//! Owns advice on time-zone names that AWS accepts but that rarely mean what was meant:
//! fixed offsets (`Etc/GMT+5`, whose POSIX sign is inverted: it is UTC-5), abbreviations
//! without daylight saving (`EST`, `MST`, `HST`, `GMT`) and legacy names (`EST5EDT`,
//! `US/Eastern`, `CET`). Each warning names the IANA city zone people usually mean.
//! `UTC` (and `Etc/UTC`) is deliberate and gets no warning.

use crate::ValidSchedule;

/// A schedule that validates but probably does not run when its author expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleWarning {
    /// What is surprising, e.g. "`EST` is UTC-5 all year".
    pub problem: String,
    /// What to write instead; every zone it names exists.
    pub fix: String,
    /// The zone the fix suggests first, e.g. `America/New_York`.
    pub suggested_zone: Option<&'static str>,
}

/// Abbreviation and legacy zones: (name, what it is, the zone usually meant, an
/// alternative that keeps its behaviour, if any).
const LEGACY: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "EST",
        "UTC-5 all year, with no daylight saving",
        "America/New_York",
        Some("America/Panama"),
    ),
    (
        "MST",
        "UTC-7 all year, with no daylight saving",
        "America/Denver",
        Some("America/Phoenix"),
    ),
    (
        "HST",
        "UTC-10 all year, an abbreviation rather than a place",
        "Pacific/Honolulu",
        None,
    ),
    (
        "GMT",
        "UTC all year, with no British Summer Time",
        "Europe/London",
        Some("UTC"),
    ),
    (
        "Etc/GMT",
        "UTC all year, with no British Summer Time",
        "Europe/London",
        Some("UTC"),
    ),
    (
        "GMT0",
        "UTC all year, with no British Summer Time",
        "Europe/London",
        Some("UTC"),
    ),
    (
        "Greenwich",
        "UTC all year, with no British Summer Time",
        "Europe/London",
        Some("UTC"),
    ),
    (
        "EST5EDT",
        "a legacy POSIX-style name",
        "America/New_York",
        None,
    ),
    (
        "CST6CDT",
        "a legacy POSIX-style name",
        "America/Chicago",
        None,
    ),
    (
        "MST7MDT",
        "a legacy POSIX-style name",
        "America/Denver",
        None,
    ),
    (
        "PST8PDT",
        "a legacy POSIX-style name",
        "America/Los_Angeles",
        None,
    ),
    ("CET", "a legacy abbreviation zone", "Europe/Paris", None),
    ("MET", "a legacy abbreviation zone", "Europe/Paris", None),
    ("EET", "a legacy abbreviation zone", "Europe/Athens", None),
    ("WET", "a legacy abbreviation zone", "Europe/Lisbon", None),
    ("US/Eastern", "a deprecated alias", "America/New_York", None),
    ("US/Central", "a deprecated alias", "America/Chicago", None),
    ("US/Mountain", "a deprecated alias", "America/Denver", None),
    (
        "US/Pacific",
        "a deprecated alias",
        "America/Los_Angeles",
        None,
    ),
    ("US/Arizona", "a deprecated alias", "America/Phoenix", None),
    ("US/Hawaii", "a deprecated alias", "Pacific/Honolulu", None),
    ("US/Alaska", "a deprecated alias", "America/Anchorage", None),
];

/// For `Etc/GMT+N` / `Etc/GMT-N`, by the real UTC offset in hours: the city zone
/// usually meant (with daylight saving where the region has it) and one with the same
/// offset all year.
const BY_OFFSET: &[(i32, &str, &str)] = &[
    (-10, "Pacific/Honolulu", "Pacific/Honolulu"),
    (-9, "America/Anchorage", "Pacific/Gambier"),
    (-8, "America/Los_Angeles", "Pacific/Pitcairn"),
    (-7, "America/Denver", "America/Phoenix"),
    (-6, "America/Chicago", "America/Regina"),
    (-5, "America/New_York", "America/Bogota"),
    (-4, "America/Halifax", "America/La_Paz"),
    (-3, "America/Sao_Paulo", "America/Sao_Paulo"),
    (1, "Europe/Berlin", "Africa/Lagos"),
    (2, "Europe/Athens", "Africa/Johannesburg"),
    (3, "Europe/Moscow", "Europe/Moscow"),
    (4, "Asia/Dubai", "Asia/Dubai"),
    (5, "Asia/Karachi", "Asia/Karachi"),
    (7, "Asia/Bangkok", "Asia/Bangkok"),
    (8, "Asia/Singapore", "Asia/Singapore"),
    (9, "Asia/Tokyo", "Asia/Tokyo"),
    (10, "Australia/Sydney", "Australia/Brisbane"),
    (12, "Pacific/Auckland", "Pacific/Fiji"),
];

/// Advice for a zone name, or `None` when it is a city zone or `UTC`.
///
/// ```
/// use cloud_cron_schedule::zone_warning;
///
/// let w = zone_warning("Etc/GMT+5").expect("a fixed offset");
/// assert!(w.problem.contains("UTC-5"));
/// assert_eq!(w.suggested_zone, Some("America/New_York"));
/// assert!(zone_warning("Europe/London").is_none());
/// assert!(zone_warning("UTC").is_none());
/// ```
pub fn zone_warning(name: &str) -> Option<ScheduleWarning> {
    if let Some(&(_, what, meant, keep)) = LEGACY.iter().find(|(n, ..)| *n == name) {
        let keep = keep
            .map(|k| format!(", or `{k}` to keep its behaviour"))
            .unwrap_or_default();
        return Some(ScheduleWarning {
            problem: format!(
                "time zone `{name}` is {what}; schedules in it may not follow local clock changes"
            ),
            fix: format!(
                "use the IANA zone of the place, usually .in_time_zone(\"{meant}\"){keep}"
            ),
            suggested_zone: Some(meant),
        });
    }
    let posix = name.strip_prefix("Etc/GMT")?;
    let hours: i32 = posix.parse().ok()?;
    // POSIX inverts the sign: Etc/GMT+5 is five hours behind UTC.
    let offset = -hours;
    let shown = if offset >= 0 {
        format!("UTC+{offset}")
    } else {
        format!("UTC{offset}")
    };
    let (fix, suggested) = match BY_OFFSET.iter().find(|(o, ..)| *o == offset) {
        Some(&(_, meant, fixed)) if meant != fixed => (
            format!("use the IANA zone of the place, e.g. .in_time_zone(\"{meant}\") ({shown} with daylight saving) or .in_time_zone(\"{fixed}\") ({shown} all year)"),
            Some(meant),
        ),
        Some(&(_, meant, _)) => (
            format!("use the IANA zone of the place, e.g. .in_time_zone(\"{meant}\")"),
            Some(meant),
        ),
        None => (
            "use the IANA zone of the place (Area/City) so the schedule follows its clock changes".to_string(),
            None,
        ),
    };
    Some(ScheduleWarning {
        problem: format!(
            "time zone `{name}` is {shown} all year (POSIX inverts the sign of Etc/GMT zones), with no daylight saving"
        ),
        fix,
        suggested_zone: suggested,
    })
}

impl ValidSchedule {
    /// Things that validate but probably surprise: today, a time zone that is a fixed
    /// offset, an abbreviation or a legacy name (see [`zone_warning`]).
    ///
    /// ```
    /// use cloud_cron_schedule::Schedule;
    ///
    /// let s = Schedule::cron("0 9 * * ? *").in_time_zone("EST").validate()?;
    /// assert!(s.warnings()[0].fix.contains("America/New_York"));
    /// # Ok::<(), cloud_cron_schedule::ScheduleError>(())
    /// ```
    pub fn warnings(&self) -> Vec<ScheduleWarning> {
        self.time_zone()
            .and_then(zone_warning)
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Schedule, Tz};

    #[test]
    fn every_named_zone_exists_and_every_legacy_one_is_accepted_by_aws_rules() {
        for (name, _, meant, keep) in LEGACY {
            assert!(Tz::named(meant).is_some(), "{meant}");
            if let Some(keep) = keep {
                assert!(Tz::named(keep).is_some(), "{keep}");
            }
            // The warning is for names that validate; unknown ones are errors already.
            if Tz::named(name).is_some() {
                let s = Schedule::cron("0 9 * * ? *")
                    .in_time_zone(name)
                    .validate()
                    .expect(name);
                assert_eq!(s.warnings().len(), 1, "{name}");
            }
        }
        for (_, meant, fixed) in BY_OFFSET {
            assert!(
                Tz::named(meant).is_some() && Tz::named(fixed).is_some(),
                "{meant} {fixed}"
            );
        }
    }

    #[test]
    fn fixes_validate_without_warnings() {
        for name in [
            "EST",
            "MST",
            "HST",
            "EST5EDT",
            "Etc/GMT+5",
            "Etc/GMT-1",
            "GMT",
            "US/Pacific",
        ] {
            let w = zone_warning(name).expect(name);
            let zone = w.suggested_zone.expect(name);
            assert!(w.fix.contains(zone), "{w:?}");
            let fixed = Schedule::cron("0 9 * * ? *")
                .in_time_zone(zone)
                .validate()
                .expect(zone);
            assert!(fixed.warnings().is_empty(), "{zone}");
        }
    }

    #[test]
    fn etc_gmt_signs_are_inverted() {
        let w = zone_warning("Etc/GMT+5").expect("fixed");
        assert!(w.problem.contains("UTC-5"), "{w:?}");
        assert!(w.fix.contains("America/Bogota"), "{w:?}");
        let w = zone_warning("Etc/GMT-9").expect("fixed");
        assert!(w.problem.contains("UTC+9"), "{w:?}");
        assert!(zone_warning("Etc/GMT+11")
            .expect("fixed")
            .suggested_zone
            .is_none());
        for fine in ["UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata"] {
            assert!(zone_warning(fine).is_none(), "{fine}");
        }
    }
}
