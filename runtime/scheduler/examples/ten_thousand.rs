//! Creates and lists many one-off schedules against a moto server (or any
//! Scheduler endpoint), reporting the time taken and the process's peak memory.
//!
//! ```text
//! CLOUDCRON_MOTO_ENDPOINT=http://127.0.0.1:5000 \
//!   cargo run --release -p cloud-cron-scheduler --example ten_thousand -- 10000 32
//! ```
//! Arguments: how many schedules (10,000), how many requests at once (32).
//! It uses moto's dummy credentials and a new schedule group each run.

use std::time::Instant;

use anyhow::{Context, Result};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_scheduler::config::Credentials;
use chrono::{Duration, NaiveDate};
use cloud_cron_scheduler::{ListScope, OneOffScheduler, OneOffSettings};
use futures_util::{stream, StreamExt, TryStreamExt};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);
    let endpoint = std::env::var("CLOUDCRON_MOTO_ENDPOINT")
        .context("set CLOUDCRON_MOTO_ENDPOINT to a moto server's URL")?;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
        .load()
        .await;
    let group = format!("bench-{:08x}", fastrand::u32(..));
    aws_sdk_scheduler::Client::new(&config)
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .context("create the schedule group")?;
    let scheduler = OneOffScheduler::new(
        &config,
        OneOffSettings::new(
            &group,
            "arn:aws:lambda:us-east-1:123456789012:function:deliver",
            "arn:aws:iam::123456789012:role/one-off-scheduler",
        ),
    );
    let start = NaiveDate::from_ymd_opt(2031, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .context("start date")?;

    let t0 = Instant::now();
    stream::iter(0..count)
        .map(|i| {
            let scheduler = &scheduler;
            async move {
                let key = format!("tenant-{}/reminder-{i}", i % 100);
                let payload = serde_json::json!({ "reminder": i, "text": "your invoice is due" });
                scheduler
                    .schedule_once(
                        &key,
                        start + Duration::minutes(i as i64),
                        "Europe/London",
                        &payload,
                    )
                    .await
            }
        })
        .buffer_unordered(concurrency)
        .try_for_each(|_| async { Ok(()) })
        .await?;
    let created = t0.elapsed();

    let t1 = Instant::now();
    let listed = scheduler
        .list(ListScope::All)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    let listed_in = t1.elapsed();
    let t2 = Instant::now();
    let one_tenant = scheduler
        .list(ListScope::Tenant("tenant-7"))
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    let tenant_in = t2.elapsed();

    println!(
        "created {count} schedules in {created:.2?} ({:.0}/s, {concurrency} at once)",
        count as f64 / created.as_secs_f64()
    );
    println!(
        "listed {listed} schedules in {listed_in:.2?} ({} pages)",
        listed.div_ceil(100)
    );
    println!("listed tenant-7's {one_tenant} schedules in {tenant_in:.2?}");
    println!(
        "peak resident memory: {}",
        peak_rss().unwrap_or_else(|| "unknown (no /proc)".to_owned())
    );
    anyhow::ensure!(listed == count, "listed {listed}, expected {count}");
    Ok(())
}

/// `VmHWM` from /proc/self/status (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_owned())
}
