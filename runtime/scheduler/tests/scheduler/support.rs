//! What the tests share: AWS configuration for the moto server `scripts/test`
//! starts, with dummy credentials (nothing here can reach a real account), and
//! a fresh schedule group per test so tests running at once do not meet.

use chrono::{NaiveDate, NaiveDateTime};
use cloud_cron_scheduler::{OneOffScheduler, OneOffSettings};

pub use cloud_cron_test_support::{moto_endpoint, sdk_config};

/// Settings for `group` with a dummy target and role.
pub fn settings(group: &str) -> OneOffSettings {
    OneOffSettings::new(
        group,
        "arn:aws:lambda:us-east-1:123456789012:function:deliver",
        "arn:aws:iam::123456789012:role/one-off-scheduler",
    )
}

/// A scheduler on moto with a new schedule group of its own, and a raw
/// client to inspect what it wrote.
pub async fn moto_scheduler(label: &str) -> (OneOffScheduler, aws_sdk_scheduler::Client, String) {
    let config = sdk_config(&moto_endpoint()).await;
    let raw = aws_sdk_scheduler::Client::new(&config);
    let group = format!("{label}-{:016x}", fastrand::u64(..));
    raw.create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("create the schedule group");
    (OneOffScheduler::new(&config, settings(&group)), raw, group)
}

/// A local date-time.
pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(h, min, 0))
        .expect("a valid date-time")
}
