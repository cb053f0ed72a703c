//! [`Clock`]: where the runtime crates read "now", so what depends on it (the
//! one-off scheduler's not-in-the-past check, the watchdog's check window, the
//! webhook receiver's replay window) can be tested at any instant.
//!
//! ```
//! use cloud_cron_clock::{Clock, FixedClock, SystemClock};
//!
//! fn is_past(clock: &dyn Clock, unix: i64) -> bool {
//!     clock.now().timestamp() > unix
//! }
//! assert!(is_past(&FixedClock::at_unix(1_700_000_001), 1_700_000_000));
//! assert!(is_past(&SystemClock, 1_700_000_000));
//! ```

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant, in UTC.
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

/// A clock stopped at one instant (tests, benchmarks).
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
