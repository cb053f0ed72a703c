//! Owns the run-outcome metric a job's run emits when it ends: one
//! CloudWatch Embedded Metric Format line on standard output
//! (`CloudCron` `RunSucceeded`/`RunFailed`, dimensions `FunctionName` and
//! `Job`; the contract is [`crate::contract::run_metrics`]). The stack's
//! missed-run watchdog reads it to tell a function's jobs apart.
//!
//! The line is written straight to standard output, not through `tracing`:
//! EMF must be the log event's top-level JSON object.

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::contract::run_metrics::emf_line;
pub use crate::contract::run_metrics::RunOutcome;

/// Where EMF lines go: standard output in Lambda, a buffer in tests.
pub type MetricSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Writes each line, with a newline, to standard output and flushes it.
pub fn stdout_sink() -> MetricSink {
    Arc::new(|line: &str| {
        let mut out = std::io::stdout().lock();
        // Nothing useful can be done when stdout is gone: the run's own
        // outcome stands, the watchdog then reports the run.
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    })
}

/// Emits the outcome of a run of `job` of `function` that started at `started`.
pub(crate) fn emit(
    sink: &MetricSink,
    function: &str,
    job: &str,
    outcome: RunOutcome,
    started: DateTime<Utc>,
) {
    sink(&emf_line(
        function,
        job,
        outcome,
        started.timestamp_millis(),
    ));
}
