//! An example scheduled task: every day it announces the report on the
//! `alerts` topic and publishes the report's rows to the `reports` topic.
//!
//! `stacks::task_example` deploys it as a Rust zip function; `sam build`
//! compiles `src/bin/example-task.rs` with cargo-lambda.

use chrono::{Datelike, Duration};
use cloud_cron_runtime::{RunContext, Task, TaskError};
use serde::Serialize;

/// An announcement on the `alerts` topic.
#[derive(Debug, Serialize)]
pub struct Alert {
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// What happened.
    pub text: String,
}

/// One row of the report on the `reports` topic.
#[derive(Debug, Serialize)]
pub struct ReportRow {
    /// The day the row covers, `YYYY-MM-DD`.
    pub day: String,
    /// The metric.
    pub metric: &'static str,
    /// Its value.
    pub value: u64,
}

/// The daily report task.
pub struct DailyReport;

impl Task for DailyReport {
    const NAME: &'static str = "daily-report";
    const TOPICS: &'static [&'static str] = &["alerts", "reports"];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        let day = (ctx.scheduled_time() - Duration::days(1)).date_naive();
        // Stand-in numbers: a real task would query its system of record here.
        let seed = u64::from(day.ordinal());
        let rows = [
            ("orders", seed * 7 % 100),
            ("refunds", seed % 5),
            ("signups", seed * 3 % 40),
        ];
        let messages = rows
            .iter()
            .map(|(metric, value)| {
                ctx.message(
                    "reports",
                    &ReportRow {
                        day: day.to_string(),
                        metric,
                        value: *value,
                    },
                )
                .map(|m| m.attribute("metric", *metric))
            })
            .collect::<Result<Vec<_>, _>>()?;
        ctx.send_batch(messages).await?;
        ctx.send(
            ctx.message(
                "alerts",
                &Alert {
                    level: "info",
                    text: format!("The daily report for {day} is ready ({} rows)", rows.len()),
                },
            )?
            .subject(format!("Daily report {day}")),
        )
        .await?;
        Ok(())
    }
}
