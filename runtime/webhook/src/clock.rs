//! [`Clock`]: where the receiver reads the time, so tests can fix it (the
//! replay window and the `received-at` attribute both depend on it).

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time.
///
/// ```
/// use cloud_cron_webhook::{Clock, FixedClock};
/// let clock = FixedClock::at_unix(1_700_000_000);
/// assert_eq!(clock.now().timestamp(), 1_700_000_000);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// The clock stopped at `seconds` since the Unix epoch (the epoch itself
    /// when out of range).
    pub fn at_unix(seconds: i64) -> FixedClock {
        FixedClock(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
