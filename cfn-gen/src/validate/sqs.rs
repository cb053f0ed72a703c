//! The SQS and Lambda event-source bounds every construct that owns a queue
//! and its consumer checks ([`NotificationChannel`](crate::NotificationChannel)
//! and [`WorkQueue`](crate::WorkQueue)): redrive receive count, retention,
//! visibility timeout and the event source's maximum concurrency.

use std::time::Duration;

use super::Report;

/// SQS's longest visibility timeout, in seconds (12 hours).
pub const MAX_VISIBILITY_SECS: u64 = 43_200;

/// A queue's settings, as its construct resolved them.
pub(crate) struct QueueBounds {
    /// The redrive policy's `maxReceiveCount`.
    pub max_receive_count: u32,
    /// `MessageRetentionPeriod`.
    pub retention: Duration,
    /// The event source mapping's `ScalingConfig.MaximumConcurrency`.
    pub maximum_concurrency: Option<u32>,
}

impl QueueBounds {
    /// Reports each setting outside what SQS and Lambda accept, at `path`.
    pub(crate) fn check(&self, path: &str, report: &mut Report) {
        if !(1..=1_000).contains(&self.max_receive_count) {
            report.error(
                path,
                format!(
                    "max receive count {} is outside 1 to 1,000",
                    self.max_receive_count
                ),
                "pass 1 to 1,000 to .max_receive_count()",
            );
        }
        let retention = self.retention.as_secs();
        if !(60..=1_209_600).contains(&retention) {
            report.error(
                path,
                format!("queue retention of {retention} s is outside 60 s to 14 days"),
                "pass 60 s to 14 days (Duration::from_secs(1_209_600)) to .retention()",
            );
        }
        if let Some(n) = self.maximum_concurrency {
            if !(2..=1_000).contains(&n) {
                report.error(
                    path,
                    format!("maximum concurrency {n} is outside 2 to 1,000"),
                    "pass 2 to 1,000 to .maximum_concurrency()",
                );
            }
        }
    }
}
