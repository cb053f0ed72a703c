//! Owns rate expressions, `rate(value unit)`: the [`TimeUnit`] enum, parsing and
//! validating the text form (value >= 1, singular unit for 1, plural otherwise), the
//! canonical rendering, and the fire times (a fixed interval; `rate(1 day)` is 24 hours,
//! whatever daylight saving does to the calendar day).

use crate::zone::Tz;
use chrono::{DateTime, TimeDelta, Utc};

use super::error::ScheduleError;

/// The unit of a rate expression.
///
/// ```
/// use cloud_cron_schedule::{Schedule, TimeUnit};
///
/// assert_eq!(Schedule::rate(1, TimeUnit::Hours).expression(), "rate(1 hour)");
/// assert_eq!(Schedule::rate(2, TimeUnit::Hours).expression(), "rate(2 hours)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `minute` / `minutes`.
    Minutes,
    /// `hour` / `hours`.
    Hours,
    /// `day` / `days` (always 24 hours).
    Days,
}

impl TimeUnit {
    /// The singular spelling AWS requires for a value of 1, e.g. `minute`.
    pub fn singular(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minute",
            TimeUnit::Hours => "hour",
            TimeUnit::Days => "day",
        }
    }

    /// The plural spelling AWS requires for values above 1, e.g. `minutes`.
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    /// The spelling that goes with `value`: singular for 1, plural otherwise.
    pub fn label(self, value: u32) -> &'static str {
        if value == 1 {
            self.singular()
        } else {
            self.plural()
        }
    }

    /// Length of one unit in minutes.
    pub fn minutes(self) -> i64 {
        match self {
            TimeUnit::Minutes => 1,
            TimeUnit::Hours => 60,
            TimeUnit::Days => 24 * 60,
        }
    }
}

/// A validated rate: `value` >= 1 of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rate {
    pub(crate) value: u32,
    pub(crate) unit: TimeUnit,
}

impl Rate {
    /// Checks a typed rate (the only rule left is `value >= 1`).
    pub(crate) fn new(value: u32, unit: TimeUnit) -> Result<Rate, ScheduleError> {
        if value == 0 {
            return Err(ScheduleError::Rate {
                expression: format!("rate(0 {})", unit.plural()),
                problem: "the value must be >= 1".to_string(),
                fix: format!(
                    "use a positive whole number, e.g. `rate(1 {})`",
                    unit.singular()
                ),
            });
        }
        Ok(Rate { value, unit })
    }

    /// Parses the text between `rate(` and `)`.
    pub(crate) fn parse(body: &str) -> Result<Rate, ScheduleError> {
        let expression = format!("rate({})", body.trim());
        let err = |problem: String, fix: String| ScheduleError::Rate {
            expression: expression.clone(),
            problem,
            fix,
        };
        let parts: Vec<&str> = body.split_whitespace().collect();
        let (value_text, unit_text) = match parts.as_slice() {
            [value, unit] => (*value, *unit),
            [] => {
                return Err(err(
                    "the value and unit are missing".to_string(),
                    "write a value and a unit, rate(value unit), e.g. `rate(5 minutes)`"
                        .to_string(),
                ))
            }
            [value] => {
                return Err(err(
                    format!("`{value}` has no unit"),
                    format!("add one of minute(s), hour(s), day(s), e.g. `rate({value} minutes)`"),
                ))
            }
            _ => {
                return Err(err(
                    format!("expected two words (value and unit), found {}", parts.len()),
                    "write a value and a unit, rate(value unit), e.g. `rate(5 minutes)`"
                        .to_string(),
                ))
            }
        };
        if value_text.is_empty() || !value_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                format!("the value `{value_text}` is not a positive whole number"),
                "use digits only, e.g. `rate(5 minutes)`; for fractions use a smaller unit, e.g. `rate(90 minutes)`".to_string(),
            ));
        }
        let Ok(value) = value_text.parse::<u32>() else {
            return Err(err(
                format!("the value `{value_text}` is too large"),
                format!("use a value up to {} or a larger unit", u32::MAX),
            ));
        };
        let unit = parse_unit(unit_text, value).map_err(|(problem, fix)| err(problem, fix))?;
        if value == 0 {
            return Err(err(
                "the value must be >= 1".to_string(),
                format!(
                    "use a positive whole number, e.g. `rate(1 {})`",
                    unit.singular()
                ),
            ));
        }
        let expected = unit.label(value);
        if unit_text != expected {
            let problem = if value == 1 {
                format!("a value of 1 takes the singular unit `{expected}`, not `{unit_text}`")
            } else {
                format!("a value of {value} takes the plural unit `{expected}`, not `{unit_text}`")
            };
            return Err(err(problem, format!("write `rate({value} {expected})`")));
        }
        Ok(Rate { value, unit })
    }

    /// The canonical AWS text, e.g. `rate(1 hour)`.
    pub(crate) fn expression(&self) -> String {
        format!("rate({} {})", self.value, self.unit.label(self.value))
    }

    /// The interval between two runs.
    pub(crate) fn interval(&self) -> Option<TimeDelta> {
        TimeDelta::try_minutes(i64::from(self.value).checked_mul(self.unit.minutes())?)
    }

    /// `after + k * interval` for k = 1..=n: a rate has no calendar anchor, so the
    /// sequence starts from `after` as if the schedule had been created then.
    pub(crate) fn next_fire_times(
        &self,
        tz: &Tz,
        after: DateTime<Utc>,
        n: usize,
    ) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n.min(1024));
        let Some(step) = self.interval() else {
            return out;
        };
        let mut t = after;
        while out.len() < n {
            match t.checked_add_signed(step) {
                Some(next) => {
                    t = next;
                    out.push(next.with_timezone(tz));
                }
                None => break,
            }
        }
        out
    }
}

/// Maps a unit word to a [`TimeUnit`]; number agreement is checked by the caller.
fn parse_unit(text: &str, value: u32) -> Result<TimeUnit, (String, String)> {
    let unit = match text {
        "minute" | "minutes" => return Ok(TimeUnit::Minutes),
        "hour" | "hours" => return Ok(TimeUnit::Hours),
        "day" | "days" => return Ok(TimeUnit::Days),
        _ => text.to_ascii_lowercase(),
    };
    let known = match unit.as_str() {
        "minute" | "minutes" => Some(TimeUnit::Minutes),
        "hour" | "hours" => Some(TimeUnit::Hours),
        "day" | "days" => Some(TimeUnit::Days),
        _ => None,
    };
    if let Some(unit) = known {
        return Err((
            format!("the unit `{text}` must be lowercase"),
            format!("write `rate({value} {})`", unit.label(value)),
        ));
    }
    let fix = match unit.as_str() {
        "second" | "seconds" | "sec" | "secs" | "s" => {
            "EventBridge Scheduler runs at most once a minute: use `rate(1 minute)` or more"
                .to_string()
        }
        "week" | "weeks" => match value.checked_mul(7) {
            Some(days) if days > 0 => format!("write weeks as days: `rate({days} days)`"),
            _ => "write weeks as days, e.g. `rate(7 days)`".to_string(),
        },
        "min" | "mins" | "m" => format!("write `rate({value} {})`", TimeUnit::Minutes.label(value)),
        "hr" | "hrs" | "h" => format!("write `rate({value} {})`", TimeUnit::Hours.label(value)),
        "d" => format!("write `rate({value} {})`", TimeUnit::Days.label(value)),
        _ => "use one of minute, minutes, hour, hours, day, days".to_string(),
    };
    Err((format!("`{text}` is not a rate unit"), fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_rate_renders_singular_and_plural() {
        for (value, unit, text) in [
            (1, TimeUnit::Minutes, "rate(1 minute)"),
            (5, TimeUnit::Minutes, "rate(5 minutes)"),
            (1, TimeUnit::Hours, "rate(1 hour)"),
            (3, TimeUnit::Hours, "rate(3 hours)"),
            (1, TimeUnit::Days, "rate(1 day)"),
            (30, TimeUnit::Days, "rate(30 days)"),
        ] {
            assert_eq!(Rate { value, unit }.expression(), text);
        }
    }

    #[test]
    fn interval_of_largest_value_does_not_overflow() {
        let rate = Rate {
            value: u32::MAX,
            unit: TimeUnit::Days,
        };
        assert!(rate.interval().is_some());
    }
}
