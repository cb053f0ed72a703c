//! Owns [`WatchdogError`], the one error type of the watchdog: configuration
//! that cannot work, an event without a usable time, and AWS calls that failed.
//! Every configuration message names the job (construct path) and a fix.

/// What stopped the watchdog, or one job's check.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WatchdogError {
    /// The configuration variable is missing or not a valid configuration.
    #[error("watchdog configuration `{env}`: {problem}; fix: {fix}")]
    Config {
        /// The variable read.
        env: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// One watched job's settings cannot be checked.
    #[error("watched job `{job}`: {problem}; fix: {fix}")]
    Job {
        /// The job's construct path.
        job: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// The invocation event carries no usable scheduled time.
    #[error("watchdog event: {0}")]
    Event(String),
    /// Reading the metrics failed.
    #[error("CloudWatch GetMetricData failed: {0}")]
    Metrics(String),
    /// Publishing a finding failed.
    #[error("publishing finding {id} to the ops topic failed: {message}")]
    Publish {
        /// The finding's id.
        id: String,
        /// The SDK's error chain.
        message: String,
    },
    /// Some jobs could not be checked; the others were (their findings were published).
    #[error("{} watched job(s) could not be checked: {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Jobs(Vec<WatchdogError>),
}
