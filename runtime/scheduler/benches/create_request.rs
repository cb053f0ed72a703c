//! Client-side cost of one-off schedules, without AWS calls: validating and
//! building the `CreateSchedule` request (name derivation, envelope JSON,
//! time-zone and DST checks, client token) for 10,000 schedules, and name
//! derivation alone. Run with `cargo bench -p cloud-cron-scheduler`.

use std::hint::black_box;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use cloud_cron_scheduler::name::schedule_name;
use cloud_cron_scheduler::{PreparedSchedule, MAX_INPUT_BYTES};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::Serialize;

#[derive(Serialize)]
struct Reminder {
    invoice: u32,
    customer: String,
    amount_cents: u64,
    text: &'static str,
}

const SCHEDULES: u64 = 10_000;
const ZONES: [&str; 4] = ["Europe/London", "America/New_York", "Asia/Tokyo", "UTC"];

fn prepare_10k(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid instant");
    let start = NaiveDate::from_ymd_opt(2027, 2, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid date-time");
    let keys: Vec<String> = (0..SCHEDULES)
        .map(|i| format!("tenant-{}/invoice-{i}", i % 50))
        .collect();
    let mut group = c.benchmark_group("one_off");
    group.throughput(Throughput::Elements(SCHEDULES));
    group.bench_function("prepare 10,000 CreateSchedule requests", |b| {
        b.iter(|| {
            for (i, key) in keys.iter().enumerate() {
                let payload = Reminder {
                    invoice: i as u32,
                    customer: format!("customer-{i}"),
                    amount_cents: 12_345,
                    text: "your invoice is due",
                };
                let at = start + Duration::minutes(i as i64);
                let prepared = PreparedSchedule::new(
                    key,
                    at,
                    ZONES[i % ZONES.len()],
                    &payload,
                    now,
                    MAX_INPUT_BYTES,
                );
                black_box(prepared.expect("valid"));
            }
        })
    });
    group.bench_function("derive 10,000 schedule names", |b| {
        b.iter(|| {
            for key in &keys {
                black_box(schedule_name(key));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, prepare_10k);
criterion_main!(benches);
