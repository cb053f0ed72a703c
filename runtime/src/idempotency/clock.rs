//! Where the store reads the current time, and how times are written.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the store reads the current time: the system clock unless replaced
/// with [`IdempotencyStore::with_clock`](super::IdempotencyStore::with_clock) (tests use a manual clock to let
/// leases and records expire without sleeping).
///
/// Any `Fn() -> SystemTime + Send + Sync` is a clock:
///
/// ```
/// use cloud_cron_runtime::idempotency::Clock;
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// let fixed = || UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// assert_eq!(Clock::now(&fixed), UNIX_EPOCH + Duration::from_secs(1_800_000_000));
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

impl fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// Milliseconds since the Unix epoch; times before it count as the epoch.
pub(super) fn epoch_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// `time` as RFC 3339 in UTC with milliseconds (`2026-11-28T09:00:00.000Z`):
/// how times appear in messages and logs.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_written_as_rfc3339_utc() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_856_400_250);
        assert_eq!(rfc3339(time), "2026-11-28T09:00:00.250Z");
        assert_eq!(epoch_millis(time), 1_795_856_400_250);
        assert_eq!(epoch_millis(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
