//! Owns [`Tz`]: an IANA time zone as a [`chrono::TimeZone`], backed by the tz
//! database compiled into the binary (`tzdb_data`, read with `tz-rs`).
//!
//! Why not `chrono-tz`: it generates Rust code for every zone's rules, and
//! compiling that was the largest single cost of building `synth` (about a
//! fifth of its cold build). `tzdb_data` ships the same IANA database as
//! static transition tables that compile several times faster, and `tz-rs`
//! answers "which offset applies at this instant". What neither offers, the
//! mapping from a local wall-clock time back to instants (none in a
//! spring-forward gap, two in a fall-back overlap), is the small
//! [`TimeZone::offset_from_local_datetime`] below; the tests compare it with
//! `chrono-tz` for every zone.

use std::fmt;

use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use tz::timezone::TimeZoneRef;
use tz::LocalTimeType;

/// An IANA time zone (`Europe/London`, `UTC`, ...), usable wherever chrono
/// takes a [`TimeZone`].
///
/// ```
/// use chrono::TimeZone;
/// use cloud_cron_schedule::Tz;
///
/// let london = Tz::named("Europe/London").expect("a zone of the IANA database");
/// let summer = london.with_ymd_and_hms(2027, 7, 1, 9, 0, 0).single().expect("exists");
/// assert_eq!(summer.to_rfc3339(), "2027-07-01T09:00:00+01:00");
/// assert_eq!(summer.format("%H:%M %Z").to_string(), "09:00 BST");
/// ```
#[derive(Clone, Copy)]
pub struct Tz {
    name: &'static str,
    zone: &'static TimeZoneRef<'static>,
}

impl Tz {
    /// Coordinated Universal Time.
    pub const UTC: Tz = Tz {
        name: "UTC",
        zone: &tzdb_data::time_zone::UTC,
    };

    /// The zone with exactly this IANA name (case-sensitive, as AWS reads it).
    pub fn named(name: &str) -> Option<Tz> {
        // TZ_NAMES is sorted without regard to case (`CET` after `Canada/Yukon`), so a
        // case-sensitive binary search misses names such as `EST` or `US/Alaska`.
        let name = *tzdb_data::TZ_NAMES.iter().find(|known| **known == name)?;
        let zone = tzdb_data::find_tz(name.as_bytes())?;
        Some(Tz { name, zone })
    }

    /// Every zone name of the database, sorted.
    pub fn names() -> &'static [&'static str] {
        tzdb_data::TZ_NAMES
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The version of the tz database compiled in (e.g. `2026b`).
    pub fn database_version() -> &'static str {
        tzdb_data::VERSION
    }

    /// The local time type in force at `unix_time` (seconds since the epoch).
    fn local_time_type(&self, unix_time: i64) -> &'static LocalTimeType {
        match self.zone.find_local_time_type(unix_time) {
            Ok(found) => found,
            // Only for instants outside tz-rs's range (beyond year ±292 billion);
            // the zone's first type is as good an answer as any there.
            Err(_) => &self.zone.local_time_types()[0],
        }
    }

    fn offset_at(&self, unix_time: i64) -> TzOffset {
        TzOffset {
            tz: *self,
            kind: self.local_time_type(unix_time),
        }
    }
}

impl PartialEq for Tz {
    fn eq(&self, other: &Tz) -> bool {
        self.name == other.name
    }
}

impl Eq for Tz {}

impl std::hash::Hash for Tz {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tz({})", self.name)
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// The offset a [`Tz`] has at one instant; displays as the zone's
/// abbreviation (`GMT`, `BST`, `CET`, `+0530`).
#[derive(Clone, Copy)]
pub struct TzOffset {
    tz: Tz,
    kind: &'static LocalTimeType,
}

impl TzOffset {
    /// Seconds east of UTC.
    pub fn utc_offset_seconds(&self) -> i32 {
        self.kind.ut_offset()
    }

    /// Whether daylight saving time is in force.
    pub fn is_dst(&self) -> bool {
        self.kind.is_dst()
    }

    /// The abbreviation the tz database gives this offset.
    pub fn abbreviation(&self) -> &'static str {
        self.kind.time_zone_designation()
    }
}

impl PartialEq for TzOffset {
    fn eq(&self, other: &TzOffset) -> bool {
        self.tz == other.tz && self.kind == other.kind
    }
}

impl fmt::Debug for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.abbreviation())
    }
}

impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

impl Offset for TzOffset {
    fn fix(&self) -> FixedOffset {
        // Every offset in the tz database is within ±25 hours, which FixedOffset takes.
        FixedOffset::east_opt(self.kind.ut_offset()).unwrap_or_else(|| chrono::Utc.fix())
    }
}

impl TimeZone for Tz {
    type Offset = TzOffset;

    fn from_offset(offset: &TzOffset) -> Tz {
        offset.tz
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<TzOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    /// The offsets under which `local` is a real instant: none in a
    /// spring-forward gap, one usually, two (earliest first) in a fall-back overlap.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<TzOffset> {
        let wall = local.and_utc().timestamp();
        // The offsets in force within a day either side are the only candidates:
        // no zone changes its offset twice within 48 hours.
        let mut candidates: Vec<TzOffset> = Vec::with_capacity(3);
        for probe in [wall - 86_400, wall, wall + 86_400] {
            let offset = self.offset_at(probe);
            if !candidates.contains(&offset) {
                candidates.push(offset);
            }
        }
        // A candidate fits when the instant it maps `local` to really has that offset.
        let mut fits: Vec<(i64, TzOffset)> = candidates
            .into_iter()
            .map(|offset| (wall - i64::from(offset.utc_offset_seconds()), offset))
            .filter(|(instant, offset)| self.offset_at(*instant) == *offset)
            .collect();
        fits.sort_by_key(|(instant, _)| *instant);
        fits.dedup_by_key(|(instant, _)| *instant);
        match fits.as_slice() {
            [] => MappedLocalTime::None,
            [(_, only)] => MappedLocalTime::Single(*only),
            [(_, earliest), .., (_, latest)] => MappedLocalTime::Ambiguous(*earliest, *latest),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> TzOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> TzOffset {
        self.offset_at(utc.and_utc().timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn names_are_exact_and_case_sensitive() {
        assert_eq!(
            Tz::named("Europe/London").map(|t| t.name()),
            Some("Europe/London")
        );
        assert_eq!(Tz::named("UTC"), Some(Tz::UTC));
        assert!(Tz::named("europe/london").is_none());
        assert!(Tz::named("Mars/Olympus").is_none());
        // Every name of the database resolves, including those the database sorts
        // without regard to case.
        for name in Tz::names() {
            assert_eq!(Tz::named(name).map(|t| t.name()), Some(*name));
        }
        assert!(Tz::named("est").is_none());
        assert!(Tz::names().len() > 500);
    }

    #[test]
    fn london_gaps_and_overlaps() {
        let london = Tz::named("Europe/London").expect("zone");
        let at = |y, mo, d, h, mi| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|day| day.and_hms_opt(h, mi, 0))
                .expect("valid")
        };
        // 2027-03-28 01:30 does not exist (clocks go 01:00 -> 02:00).
        assert_eq!(
            london.from_local_datetime(&at(2027, 3, 28, 1, 30)),
            MappedLocalTime::None
        );
        // 2027-10-31 01:30 happens twice, BST first.
        match london.from_local_datetime(&at(2027, 10, 31, 1, 30)) {
            MappedLocalTime::Ambiguous(first, second) => {
                assert_eq!(first.to_rfc3339(), "2027-10-31T01:30:00+01:00");
                assert_eq!(second.to_rfc3339(), "2027-10-31T01:30:00+00:00");
                assert_eq!(first.format("%Z").to_string(), "BST");
                assert_eq!(second.format("%Z").to_string(), "GMT");
            }
            other => panic!("expected two instants, got {other:?}"),
        }
    }

    /// Every zone both databases know gives the same offsets and local-time
    /// mappings as chrono-tz, around every transition of 2026-2029 and every
    /// six hours between them.
    #[test]
    fn agrees_with_chrono_tz_for_every_zone() {
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let end = Utc
            .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let mut compared = 0;
        let mut differing = Vec::new();
        for name in Tz::names() {
            let (Some(ours), Ok(theirs)) = (Tz::named(name), name.parse::<chrono_tz::Tz>()) else {
                continue;
            };
            compared += 1;
            let mut same = true;
            let mut t = start;
            let mut previous = ours.offset_from_utc_datetime(&t.naive_utc()).fix();
            while t < end && same {
                let offset = ours.offset_from_utc_datetime(&t.naive_utc()).fix();
                same &= offset == theirs.offset_from_utc_datetime(&t.naive_utc()).fix();
                if offset != previous {
                    // A transition in the last six hours: compare every local
                    // quarter hour of the two days around it.
                    let day = (t - Duration::hours(30)).naive_utc();
                    for step in 0..(4 * 60) {
                        let local = day + Duration::minutes(15 * step);
                        let a = ours.from_local_datetime(&local).map(|d| d.to_rfc3339());
                        let b = theirs.from_local_datetime(&local).map(|d| d.to_rfc3339());
                        same &= a == b;
                    }
                }
                previous = offset;
                t += Duration::hours(6);
            }
            if !same {
                differing.push(*name);
            }
        }
        assert!(compared > 500, "compared only {compared} zones");
        // The databases are different releases: these zones' rules for 2026-2029
        // changed in tz releases newer than chrono-tz's (British Columbia's
        // Vancouver and its alias; Moldova's Chisinau and its alias). Any other
        // difference is a bug in the mapping above.
        assert_eq!(
            differing,
            [
                "America/Vancouver",
                "Canada/Pacific",
                "Europe/Chisinau",
                "Europe/Tiraspol"
            ]
        );
    }
}
