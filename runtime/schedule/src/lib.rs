//! Schedule expressions for EventBridge Scheduler (`AWS::Scheduler::Schedule`, SAM
//! `ScheduleV2`): `rate(...)`, `cron(...)` and `at(...)`, with an optional IANA time zone
//! and a flexible time window.
//!
//! [`Schedule`] is an infallible builder; [`Schedule::validate`] checks every AWS rule and
//! returns a [`ValidSchedule`] (or a [`ScheduleError`] that says what, where and how to
//! fix), which renders the canonical expression and lists upcoming fire times with AWS's
//! daylight-saving behaviour (a nonexistent local time is skipped, a repeated one runs once
//! at its first instant; `rate(1 day)` is 24 hours).
//!
//! The evaluator is our own, on chrono and the IANA database of `tzdb_data` ([`Tz`], see `zone.rs`), rather than croner: croner moves a
//! time that falls into a DST gap to just after the gap (AWS skips it) and accepts syntax
//! AWS rejects, so an adapter would still need its own validator and DST walk.
//!
//! Files: `rate.rs` (rate expressions, [`TimeUnit`]), `cron.rs` (cron parser, rules and
//! evaluator), `at.rs` (one-time expressions), `timezone.rs` (zone names, local-time
//! mapping), `window.rs` ([`FlexibleWindow`]), `error.rs` ([`ScheduleError`],
//! [`CronField`]), `reach.rs` (whether a schedule fires after a given now, [`NeverFires`]),
//! `zone_advice.rs` (warnings for fixed-offset and legacy zones, [`ScheduleWarning`]).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use cloud_cron_schedule::{Schedule, TimeUnit};
//!
//! let every_five = Schedule::rate(5, TimeUnit::Minutes);
//! assert_eq!(every_five.expression(), "rate(5 minutes)");
//!
//! let weekdays = Schedule::cron("0 9 ? * MON-FRI *").in_time_zone("Europe/London");
//! let valid = weekdays.validate()?;
//! assert_eq!(valid.expression(), "cron(0 9 ? * MON-FRI *)");
//!
//! let after = Utc.with_ymd_and_hms(2027, 7, 2, 12, 0, 0).unwrap(); // a Friday
//! let next = valid.next_fire_times(after, 2);
//! assert_eq!(next[0].to_rfc3339(), "2027-07-05T09:00:00+01:00"); // Monday, BST
//! # Ok::<(), cloud_cron_schedule::ScheduleError>(())
//! ```

mod at;
mod cron;
mod error;
mod rate;
mod reach;
mod timezone;
mod window;
mod zone;
mod zone_advice;

#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};

pub use self::error::{CronField, ScheduleError};
pub use self::rate::TimeUnit;
pub use self::reach::NeverFires;
pub use self::window::{FlexibleWindow, MAX_FLEXIBLE_MINUTES};
pub use self::zone::{Tz, TzOffset};
pub use self::zone_advice::{zone_warning, ScheduleWarning};

use self::cron::Cron;
use self::rate::Rate;

/// How the expression was given; parsed only by [`Schedule::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// From [`Schedule::rate`].
    Rate { value: u32, unit: TimeUnit },
    /// The fields of a cron expression, from [`Schedule::cron`].
    Cron(String),
    /// The date-time of an at expression, from [`Schedule::at`].
    At(String),
    /// A whole expression, `kind(...)`, from [`Schedule::parse`].
    Text(String),
}

/// An EventBridge Scheduler schedule expression plus an optional IANA time zone.
///
/// Construction never fails, so a schedule can go straight into a builder; call
/// [`validate`](Schedule::validate) (the synth-time validation does) to check AWS's rules.
///
/// ```
/// use cloud_cron_schedule::Schedule;
///
/// let s = Schedule::parse("cron(0 9 * * * *)");
/// let err = s.validate().unwrap_err().to_string();
/// assert!(err.contains("must be `?`"));
/// assert!(err.contains("cron(0 9 * * ? *)"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    source: Source,
    zone: Option<String>,
}

/// The parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Rate(Rate),
    Cron(Box<Cron>),
    At(NaiveDateTime),
}

impl Kind {
    fn expression(&self) -> String {
        match self {
            Kind::Rate(rate) => rate.expression(),
            Kind::Cron(cron) => cron.expression().to_string(),
            Kind::At(at) => at::expression(at),
        }
    }
}

impl Schedule {
    /// A recurring schedule every `value` `unit`s, e.g. `rate(5 minutes)`. A value of 0 is
    /// reported by [`validate`](Schedule::validate).
    ///
    /// ```
    /// use cloud_cron_schedule::{Schedule, TimeUnit};
    /// assert_eq!(Schedule::rate(1, TimeUnit::Minutes).expression(), "rate(1 minute)");
    /// ```
    pub fn rate(value: u32, unit: TimeUnit) -> Schedule {
        Schedule {
            source: Source::Rate { value, unit },
            zone: None,
        }
    }

    /// A cron schedule from its six fields, e.g. `"0 9 ? * MON-FRI *"`; the full
    /// `"cron(0 9 ? * MON-FRI *)"` is accepted too.
    ///
    /// ```
    /// use cloud_cron_schedule::Schedule;
    /// assert_eq!(
    ///     Schedule::cron("cron(0 9 ? * mon-fri *)").expression(),
    ///     "cron(0 9 ? * MON-FRI *)"
    /// );
    /// ```
    pub fn cron(expr: &str) -> Schedule {
        Schedule::wrapped_or(expr, "cron", Source::Cron)
    }

    /// A one-time schedule at a local date-time, `"2027-01-01T09:00:00"` (read in the
    /// schedule's time zone); the full `"at(2027-01-01T09:00:00)"` is accepted too.
    ///
    /// ```
    /// use cloud_cron_schedule::Schedule;
    /// assert_eq!(Schedule::at("2027-01-01T09:00:00").expression(), "at(2027-01-01T09:00:00)");
    /// ```
    pub fn at(expr: &str) -> Schedule {
        Schedule::wrapped_or(expr, "at", Source::At)
    }

    /// A schedule from its full AWS text: `rate(5 minutes)`, `cron(...)` or `at(...)`.
    ///
    /// ```
    /// use cloud_cron_schedule::Schedule;
    /// assert!(Schedule::parse("rate(5 minutes)").validate().is_ok());
    /// assert!(Schedule::parse("rate(5 minute)").validate().is_err());
    /// ```
    pub fn parse(expression: &str) -> Schedule {
        Schedule {
            source: Source::Text(expression.to_string()),
            zone: None,
        }
    }

    /// Sets the IANA time zone the expression is evaluated in, e.g. `"Europe/London"`
    /// (UTC when unset). Unknown names are reported by [`validate`](Schedule::validate).
    pub fn in_time_zone(mut self, tz: &str) -> Schedule {
        self.zone = Some(tz.to_string());
        self
    }

    /// The time zone as given, if any.
    pub fn time_zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    /// The canonical AWS text, e.g. `rate(1 hour)` or `cron(0 9 ? * MON-FRI *)`. An
    /// expression that does not parse is returned as written (with its `kind(...)`
    /// wrapper), for use in messages.
    pub fn expression(&self) -> String {
        match self.parse_kind() {
            Ok(kind) => kind.expression(),
            Err(_) => match &self.source {
                Source::Rate { value, unit } => format!("rate({value} {})", unit.label(*value)),
                Source::Cron(fields) => format!("cron({})", fields.trim()),
                Source::At(at) => format!("at({})", at.trim()),
                Source::Text(text) => text.trim().to_string(),
            },
        }
    }

    /// Checks every AWS rule for the expression and the time zone.
    ///
    /// ```
    /// use cloud_cron_schedule::Schedule;
    ///
    /// assert!(Schedule::cron("0 9 * * ? *").validate().is_ok());
    /// let err = Schedule::parse("rate(1 minutes)").validate().unwrap_err();
    /// assert!(err.to_string().contains("rate(1 minute)"));
    /// let err = Schedule::cron("0 9 * * ? *").in_time_zone("Europe/Londn").validate().unwrap_err();
    /// assert!(err.to_string().contains("unknown time zone"));
    /// ```
    pub fn validate(&self) -> Result<ValidSchedule, ScheduleError> {
        let kind = self.parse_kind()?;
        let tz = match &self.zone {
            Some(name) => timezone::parse_time_zone(name)?,
            None => Tz::UTC,
        };
        let at_instant = match &kind {
            Kind::At(at) => Some(at::instant_in(at, &tz)?),
            _ => None,
        };
        Ok(ValidSchedule {
            expression: kind.expression(),
            kind,
            zone: self.zone.clone(),
            tz,
            at_instant,
        })
    }

    fn wrapped_or(expr: &str, kind: &str, make: fn(String) -> Source) -> Schedule {
        let trimmed = expr.trim_start();
        let wrapped = trimmed
            .get(..kind.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(kind))
            && trimmed
                .get(kind.len()..)
                .is_some_and(|rest| rest.trim_start().starts_with('('));
        Schedule {
            source: if wrapped {
                Source::Text(expr.to_string())
            } else {
                make(expr.to_string())
            },
            zone: None,
        }
    }

    fn parse_kind(&self) -> Result<Kind, ScheduleError> {
        match &self.source {
            Source::Rate { value, unit } => Rate::new(*value, *unit).map(Kind::Rate),
            Source::Cron(fields) => Cron::parse(fields).map(|c| Kind::Cron(Box::new(c))),
            Source::At(at) => at::parse(at).map(Kind::At),
            Source::Text(text) => parse_text(text),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression())
    }
}

/// Splits `kind(body)` and parses the body.
fn parse_text(text: &str) -> Result<Kind, ScheduleError> {
    let t = text.trim();
    let syntax = |problem: String, fix: String| ScheduleError::Syntax {
        expression: t.to_string(),
        problem,
        fix,
    };
    let forms = "`rate(5 minutes)`, `cron(0 9 * * ? *)` or `at(2027-01-01T09:00:00)`";
    let Some((prefix, rest)) = t.split_once('(') else {
        return Err(syntax(
            "expected `rate(...)`, `cron(...)` or `at(...)`".to_string(),
            format!("write one of {forms}"),
        ));
    };
    let kind = prefix.trim().to_ascii_lowercase();
    if !matches!(kind.as_str(), "rate" | "cron" | "at") {
        return Err(syntax(
            format!(
                "`{}` is not a schedule type; expected `rate`, `cron` or `at`",
                prefix.trim()
            ),
            format!("write one of {forms}"),
        ));
    }
    if prefix != kind {
        return Err(syntax(
            format!("the schedule type must be written `{kind}(`, exactly"),
            format!("write `{kind}({}`", rest.trim_start()),
        ));
    }
    let Some(body) = rest.strip_suffix(')') else {
        return Err(syntax(
            "the closing `)` is missing".to_string(),
            format!("write `{t})`"),
        ));
    };
    if body.contains(['(', ')']) {
        return Err(syntax(
            "unbalanced or nested parentheses".to_string(),
            format!("write one of {forms}"),
        ));
    }
    match kind.as_str() {
        "rate" => Rate::parse(body).map(Kind::Rate),
        "cron" => Cron::parse(body).map(|c| Kind::Cron(Box::new(c))),
        _ => at::parse(body).map(Kind::At),
    }
}

/// A schedule that passed every AWS rule: its canonical expression, its zone, and its fire
/// times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSchedule {
    kind: Kind,
    expression: String,
    zone: Option<String>,
    tz: Tz,
    at_instant: Option<DateTime<Tz>>,
}

impl ValidSchedule {
    /// The canonical AWS text for `ScheduleExpression`, e.g. `rate(5 minutes)`.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The zone for `ScheduleExpressionTimezone`, as given; `None` means UTC.
    pub fn time_zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    /// The zone the expression is evaluated in (UTC when none was given).
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Whether this is a one-time `at(...)` schedule.
    pub fn is_one_time(&self) -> bool {
        matches!(self.kind, Kind::At(_))
    }

    /// The next `n` fire times strictly after `after`, in the schedule's zone (UTC when
    /// none), in order.
    ///
    /// - `cron`: every matching local time; a local time skipped by daylight saving does
    ///   not run, one repeated by it runs once at its first instant; nothing after 2199.
    /// - `rate`: `after + interval`, `after + 2 * interval`, ... (a rate has no calendar
    ///   anchor, so the sequence starts at `after`; a day is 24 hours).
    /// - `at`: the one time, or nothing if it is not after `after`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use cloud_cron_schedule::Schedule;
    ///
    /// // 01:30 does not exist in London on 2027-03-28: that day has no run.
    /// let s = Schedule::cron("30 1 * * ? *").in_time_zone("Europe/London").validate()?;
    /// let after = Utc.with_ymd_and_hms(2027, 3, 27, 12, 0, 0).unwrap();
    /// let next: Vec<String> = s.next_fire_times(after, 1).iter().map(|t| t.to_rfc3339()).collect();
    /// assert_eq!(next, ["2027-03-29T01:30:00+01:00"]);
    /// # Ok::<(), cloud_cron_schedule::ScheduleError>(())
    /// ```
    pub fn next_fire_times(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        match &self.kind {
            Kind::Rate(rate) => rate.next_fire_times(&self.tz, after, n),
            Kind::Cron(cron) => cron.next_fire_times(&self.tz, after, n),
            Kind::At(_) => match &self.at_instant {
                Some(instant) => at::next_fire_times(instant, after, n),
                None => Vec::new(),
            },
        }
    }
}

impl fmt::Display for ValidSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}
