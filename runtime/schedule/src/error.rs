//! Owns [`ScheduleError`], the one error type of the schedule module, and [`CronField`],
//! which names the cron field an error points at.
//!
//! Every message says what is wrong, where (the expression, and the field and value when
//! there is one) and how to fix it, because the builders are infallible and the error is
//! often read long after the schedule was written.

use std::fmt;

/// One of the six fields of an AWS cron expression, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Field 1, `0-59`.
    Minutes,
    /// Field 2, `0-23`.
    Hours,
    /// Field 3, `1-31`, plus `?`, `L`, `LW` and `nW`.
    DayOfMonth,
    /// Field 4, `1-12` or `JAN-DEC`.
    Month,
    /// Field 5, `1-7` or `SUN-SAT` (1 = Sunday), plus `?`, `L`, `nL` and `n#k`.
    DayOfWeek,
    /// Field 6, `1970-2199`.
    Year,
}

impl CronField {
    /// The six fields in the order AWS expects them.
    pub const ALL: [CronField; 6] = [
        CronField::Minutes,
        CronField::Hours,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
        CronField::Year,
    ];

    /// The field's name as the AWS documentation writes it, e.g. `day-of-week`.
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minutes => "minutes",
            CronField::Hours => "hours",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        }
    }

    /// The field's 1-based position in the expression.
    pub fn position(self) -> usize {
        match self {
            CronField::Minutes => 1,
            CronField::Hours => 2,
            CronField::DayOfMonth => 3,
            CronField::Month => 4,
            CronField::DayOfWeek => 5,
            CronField::Year => 6,
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a [`Schedule`](super::Schedule) or [`FlexibleWindow`](super::FlexibleWindow) is not
/// accepted by EventBridge Scheduler.
///
/// `Display` gives the whole story in one line: the offending expression, the problem, and
/// a `Fix:` with a corrected expression where one can be derived.
///
/// ```
/// use cloud_cron_schedule::{CronField, Schedule, ScheduleError};
///
/// let err = Schedule::cron("0 9 * * MON *").validate().unwrap_err();
/// assert!(err.to_string().contains("cron(0 9 ? * MON *)"));
/// assert!(matches!(
///     err,
///     ScheduleError::Cron { field: Some(CronField::DayOfMonth), .. }
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The text is none of `rate(...)`, `cron(...)` or `at(...)`.
    #[error("unrecognised schedule expression `{expression}`: {problem}. Fix: {fix}")]
    Syntax {
        /// The text as given.
        expression: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A `rate(value unit)` expression breaks an AWS rule.
    #[error("invalid rate expression `{expression}`: {problem}. Fix: {fix}")]
    Rate {
        /// The expression, e.g. `rate(1 minutes)`.
        expression: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A `cron(...)` expression breaks an AWS rule.
    #[error("invalid cron expression `{expression}`: {problem}. Fix: {fix}")]
    Cron {
        /// The expression, e.g. `cron(0 9 * * * *)`.
        expression: String,
        /// The field at fault; `None` when the problem is the field count.
        field: Option<CronField>,
        /// What is wrong, naming the field and value.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// An `at(yyyy-mm-ddThh:mm:ss)` expression is malformed or can never run.
    #[error("invalid at expression `{expression}`: {problem}. Fix: {fix}")]
    At {
        /// The expression, e.g. `at(2027-01-01 09:00)`.
        expression: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// The schedule's time zone is not an IANA time zone name.
    #[error("unknown time zone `{zone}`: ScheduleExpressionTimezone must be an IANA time zone name. Fix: {fix}")]
    TimeZone {
        /// The zone as given.
        zone: String,
        /// How to fix it (with a close match when there is one).
        fix: String,
    },
    /// A flexible time window outside 1-1440 minutes.
    #[error("flexible time window of {maximum_minutes} minutes is out of range: MaximumWindowInMinutes must be 1-1440. Fix: {fix}")]
    FlexibleWindow {
        /// The window as given.
        maximum_minutes: u32,
        /// How to fix it.
        fix: String,
    },
}

impl ScheduleError {
    /// How to fix it.
    pub fn fix(&self) -> &str {
        match self {
            ScheduleError::Syntax { fix, .. }
            | ScheduleError::Rate { fix, .. }
            | ScheduleError::Cron { fix, .. }
            | ScheduleError::At { fix, .. }
            | ScheduleError::TimeZone { fix, .. }
            | ScheduleError::FlexibleWindow { fix, .. } => fix,
        }
    }

    /// What is wrong, without the fix.
    pub fn problem(&self) -> String {
        let text = self.to_string();
        match text.split_once(". Fix: ") {
            Some((problem, _)) => problem.to_owned(),
            None => text,
        }
    }

    /// The cron field the error points at, if any.
    pub fn cron_field(&self) -> Option<CronField> {
        match self {
            ScheduleError::Cron { field, .. } => *field,
            _ => None,
        }
    }
}
