//! The sync engine's knobs, with the defaults of the Odoo sync it was built for.

use std::time::Duration;

use crate::window::WindowSizer;

/// Every parameter of a [`SyncWorker`](crate::SyncWorker).
///
/// | knob | default | meaning |
/// |---|---|---|
/// | `initial_range` | 90 days | how far back the first sync of a tenant+stream starts |
/// | `batch_limit` | 200 | most records per batch (and per page of a paged batch) |
/// | `min_window` | 30 min | narrowest window; a fuller one is paged |
/// | `max_window` | 24 h | widest window |
/// | `max_attempts` | 4 | attempts of a batch before it is permanently failed |
/// | `settle_lag` | 60 s | windows end this long before now, so rows still being committed with an earlier `write_date` are not skipped |
/// | `lease_duration` | 5 min | how long a claim on a tenant+stream lasts; longer than a batch takes |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    /// How far back the first sync starts.
    pub initial_range: Duration,
    /// Most records per batch and per page.
    pub batch_limit: u64,
    /// Narrowest window.
    pub min_window: Duration,
    /// Widest window.
    pub max_window: Duration,
    /// Attempts of one batch before it is permanently failed.
    pub max_attempts: u32,
    /// Windows end this long before now.
    pub settle_lag: Duration,
    /// How long a claim lasts.
    pub lease_duration: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            initial_range: Duration::from_secs(90 * 24 * 3600),
            batch_limit: 200,
            min_window: Duration::from_secs(30 * 60),
            max_window: Duration::from_secs(24 * 3600),
            max_attempts: 4,
            settle_lag: Duration::from_secs(60),
            lease_duration: Duration::from_secs(5 * 60),
        }
    }
}

/// A [`SyncConfig`] that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A knob is out of range.
    #[error("sync config: {knob} {problem}; fix: {fix}")]
    Invalid {
        /// The knob.
        knob: &'static str,
        /// What is wrong.
        problem: String,
        /// What to set instead.
        fix: &'static str,
    },
}

impl SyncConfig {
    /// Sets [`initial_range`](Self::initial_range).
    pub fn initial_range(mut self, range: Duration) -> Self {
        self.initial_range = range;
        self
    }
    /// Sets [`batch_limit`](Self::batch_limit).
    pub fn batch_limit(mut self, limit: u64) -> Self {
        self.batch_limit = limit;
        self
    }
    /// Sets [`min_window`](Self::min_window).
    pub fn min_window(mut self, width: Duration) -> Self {
        self.min_window = width;
        self
    }
    /// Sets [`max_window`](Self::max_window).
    pub fn max_window(mut self, width: Duration) -> Self {
        self.max_window = width;
        self
    }
    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }
    /// Sets [`settle_lag`](Self::settle_lag).
    pub fn settle_lag(mut self, lag: Duration) -> Self {
        self.settle_lag = lag;
        self
    }
    /// Sets [`lease_duration`](Self::lease_duration).
    pub fn lease_duration(mut self, lease: Duration) -> Self {
        self.lease_duration = lease;
        self
    }

    /// Checks the knobs work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |knob, problem: String, fix| Err(ConfigError::Invalid { knob, problem, fix });
        if self.batch_limit == 0 || self.batch_limit > u64::from(u32::MAX) {
            return invalid(
                "batch_limit",
                format!("is {}", self.batch_limit),
                "use 1..=4294967295 (default 200)",
            );
        }
        if self.min_window.as_secs() == 0 {
            return invalid(
                "min_window",
                format!("is {:?}", self.min_window),
                "use at least 1 s (default 30 min)",
            );
        }
        if self.max_window < self.min_window {
            return invalid(
                "max_window",
                format!(
                    "({:?}) is below min_window ({:?})",
                    self.max_window, self.min_window
                ),
                "make max_window at least min_window (defaults 24 h and 30 min)",
            );
        }
        if self.max_attempts == 0 {
            return invalid("max_attempts", "is 0".into(), "use at least 1 (default 4)");
        }
        if self.initial_range.as_secs() == 0 {
            return invalid(
                "initial_range",
                "is 0".into(),
                "use at least 1 s (default 90 days)",
            );
        }
        if self.lease_duration.as_secs() == 0 {
            return invalid(
                "lease_duration",
                "is 0".into(),
                "use longer than one batch takes (default 5 min)",
            );
        }
        Ok(())
    }

    /// The window sizer these knobs describe.
    pub fn sizer(&self) -> WindowSizer {
        WindowSizer {
            limit: self.batch_limit,
            min_secs: secs(self.min_window),
            max_secs: secs(self.max_window),
        }
    }
}

/// Whole seconds of `duration`, saturating.
pub(crate) fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds() {
        let config = SyncConfig::default();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(
            config.sizer(),
            WindowSizer {
                limit: 200,
                min_secs: 1800,
                max_secs: 86_400
            }
        );
        assert_eq!(config.initial_range.as_secs(), 7_776_000);
        assert_eq!(config.max_attempts, 4);
    }

    #[test]
    fn rejects_knobs_that_cannot_work_and_names_a_fix() {
        let error = SyncConfig::default()
            .min_window(Duration::from_secs(7200))
            .max_window(Duration::from_secs(3600))
            .validate()
            .expect_err("max below min");
        assert!(error.to_string().contains("max_window"), "{error}");
        assert!(error.to_string().contains("fix:"), "{error}");
        assert!(SyncConfig::default().batch_limit(0).validate().is_err());
        assert!(SyncConfig::default().max_attempts(0).validate().is_err());
        assert!(SyncConfig::default()
            .min_window(Duration::from_millis(500))
            .validate()
            .is_err());
    }
}
