//! The watchdog against moto: Lambda metrics put into CloudWatch's `AWS/Lambda`
//! namespace, the handler run at fixed scheduled times, and the findings read
//! back from an SQS queue subscribed to the ops topic. Needs the moto server
//! `scripts/test` starts (`CLOUDCRON_MOTO_ENDPOINT`).
//!
//! moto serves CloudWatch in the JSON and query protocols only, not the
//! Smithy RPC v2 CBOR protocol the Rust SDK's CloudWatch client uses, so
//! metrics go through `moto_cloudwatch` (see there); SNS and SQS go through
//! the SDK, as in the Lambda.

mod moto_cloudwatch;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use chrono::{DateTime, Duration, TimeZone, Utc};
use cloud_cron_contract::run_metrics::RunOutcome;
use cloud_cron_contract::watchdog::{
    WatchdogConfig, WatchdogFinding, WatchdogSchedule, WatchedJob,
};
use cloud_cron_contract::{SchedulerInput, DEDUP_ID_ATTRIBUTE};
use cloud_cron_test_support::inbox::Inbox;
use cloud_cron_test_support::{moto_endpoint, sdk_config};
use cloud_cron_watchdog::cloudwatch::CloudWatchMetrics;
use cloud_cron_watchdog::error::WatchdogError;
use cloud_cron_watchdog::handler::{handle, FixedClock, Plan};
use cloud_cron_watchdog::metrics::{MetricsRequest, MetricsSource, RunSource};
use cloud_cron_watchdog::publish::SnsPublisher;
use moto_cloudwatch::MotoCloudWatch;
use serde_json::Value;

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    // Monday 29 March 2027, the first weekday after London's spring-forward.
    Utc.with_ymd_and_hms(2027, 3, 29, h, m, 0)
        .single()
        .expect("valid instant")
}

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}-{nanos}")
}

fn scheduler_event(at: DateTime<Utc>) -> Value {
    serde_json::to_value(SchedulerInput {
        schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/watchdog".into(),
        scheduled_time: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        execution_id: unique("exec"),
        attempt_number: "1".into(),
        ..SchedulerInput::template()
    })
    .expect("json")
}

/// The ops topic with a queue subscribed that receives SNS's JSON envelope
/// (subject and message attributes included), as an email subscription does.
async fn ops_topic(aws: &SdkConfig) -> Inbox {
    Inbox::builder("ops").raw_delivery(false).create(aws).await
}

/// One notification read from the queue: subject, dedup-id attribute, finding.
#[derive(Debug, Clone)]
struct Received {
    subject: String,
    dedup_id: String,
    finding: WatchdogFinding,
}

async fn drain(ops: &Inbox) -> Vec<Received> {
    ops.drain()
        .await
        .iter()
        .map(|message| {
            let body: Value =
                serde_json::from_str(message.body().unwrap_or_default()).expect("SNS envelope");
            let finding: WatchdogFinding =
                serde_json::from_str(body["Message"].as_str().unwrap_or_default())
                    .expect("finding JSON");
            Received {
                subject: body["Subject"].as_str().unwrap_or_default().to_owned(),
                dedup_id: body["MessageAttributes"][DEDUP_ID_ATTRIBUTE]["Value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                finding,
            }
        })
        .collect()
}

/// The watchdog's plan as the stacks deploy it (every 15 minutes, two hours
/// back, alarms to `SNS_TOPIC_ARN_OPS`), over `jobs`.
fn plan(jobs: Vec<WatchedJob>) -> Result<Plan, WatchdogError> {
    Plan::new(
        "CLOUDCRON_WATCHDOG",
        WatchdogConfig {
            version: 1,
            ops_topic_env: "SNS_TOPIC_ARN_OPS".into(),
            schedule: WatchdogSchedule {
                expression: "rate(15 minutes)".into(),
                time_zone: None,
            },
            lookback_seconds: 7200,
            settle_seconds: 0,
            jobs,
        },
    )
}

fn job(path: &str, function: &str, expression: &str, zone: Option<&str>, grace: u32) -> WatchedJob {
    WatchedJob {
        path: path.into(),
        function_name: function.into(),
        job: None,
        expression: expression.into(),
        time_zone: zone.map(Into::into),
        start_date: None,
        end_date: None,
        grace_seconds: grace,
        late_after_seconds: None,
        expected_duration_seconds: None,
    }
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn reports_each_problem_run_once_across_consecutive_watchdog_runs() {
    let endpoint = moto_endpoint();
    let aws = sdk_config(&endpoint).await;
    let cloudwatch = MotoCloudWatch::new(&endpoint);
    let ops = ops_topic(&aws).await;
    let nightly = unique("nightly-sync");
    let report = unique("report");

    // Jobs/NightlySync (09:00 London on weekdays = 08:00 UTC that Monday): no metrics at all.
    // Jobs/Report every 10 minutes (UTC), grace 5 min, late after 2 min, expected 60 s:
    for (at, invocations, errors) in [
        (utc(7, 50), 1.0, 0.0), // fine
        (utc(8, 0), 1.0, 1.0),  // 08:00 fails, and both retries fail
        (utc(8, 1), 1.0, 1.0),
        (utc(8, 3), 1.0, 1.0),
        (utc(8, 13), 1.0, 0.0), // 08:10 starts at 08:13: late
        (utc(8, 20), 1.0, 0.0), // 08:20 runs 90 s: overran
        (utc(8, 30), 1.0, 1.0), // 08:30 fails, the retry at 08:32 succeeds: fine
        (utc(8, 32), 1.0, 0.0),
        // 08:40: nothing: missed
    ] {
        cloudwatch
            .put(&report, "Invocations", at, invocations)
            .await;
        if errors > 0.0 {
            cloudwatch.put(&report, "Errors", at, errors).await;
        }
        let duration = if at == utc(8, 20) { 90_000.0 } else { 2_000.0 };
        cloudwatch.put(&report, "Duration", at, duration).await;
    }

    let mut report_job = job("Jobs/Report", &report, "cron(0/10 * * * ? *)", None, 300);
    report_job.late_after_seconds = Some(120);
    report_job.expected_duration_seconds = Some(60);
    let plan = plan(vec![
        job(
            "Jobs/NightlySync",
            &nightly,
            "cron(0 9 ? * MON-FRI *)",
            Some("Europe/London"),
            900,
        ),
        report_job,
    ])
    .expect("valid plan");
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&aws), &ops.topic_arn);
    // The clock is far off: the scheduled time in the event is what counts.
    let clock = FixedClock(
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
            .single()
            .expect("valid"),
    );

    let mut published = 0;
    for check_at in [utc(8, 0), utc(8, 15), utc(8, 30), utc(8, 45)] {
        let summary = handle(
            &plan,
            &scheduler_event(check_at),
            &clock,
            "us-east-1",
            &cloudwatch,
            &publisher,
        )
        .await
        .expect("watchdog run");
        published += summary.findings.len();
    }
    let received = drain(&ops).await;
    let got: BTreeSet<(String, String, String)> = received
        .iter()
        .map(|r| {
            (
                r.finding.kind.as_str().to_owned(),
                r.finding.job.clone(),
                r.finding.expected_utc.clone(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        ("missed", "Jobs/NightlySync", "2027-03-29T08:00:00Z"),
        ("failed", "Jobs/Report", "2027-03-29T08:00:00Z"),
        ("late", "Jobs/Report", "2027-03-29T08:10:00Z"),
        ("overran", "Jobs/Report", "2027-03-29T08:20:00Z"),
        ("missed", "Jobs/Report", "2027-03-29T08:40:00Z"),
    ]
    .into_iter()
    .map(|(k, j, t)| (k.to_owned(), j.to_owned(), t.to_owned()))
    .collect();
    assert_eq!(got, want, "{received:#?}");
    assert_eq!(received.len(), 5, "each reported once: {received:#?}");
    assert_eq!(published, 5);

    let subjects: BTreeMap<String, String> = received
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.finding.kind.as_str(), r.finding.expected_utc),
                r.subject.clone(),
            )
        })
        .collect();
    assert_eq!(
        subjects["missed 2027-03-29T08:00:00Z"],
        "Missed run: Jobs/NightlySync at 2027-03-29 09:00 BST"
    );
    assert_eq!(
        subjects["failed 2027-03-29T08:00:00Z"],
        "Failed run: Jobs/Report at 2027-03-29 08:00 UTC"
    );
    for r in &received {
        assert_eq!(
            r.dedup_id, r.finding.id,
            "the dedup attribute is the finding id"
        );
        assert_eq!(r.finding.version, 1);
    }
    let late = received
        .iter()
        .find(|r| r.finding.kind.as_str() == "late")
        .expect("late");
    assert_eq!(
        late.finding.observed_utc.as_deref(),
        Some("2027-03-29T08:13:00Z")
    );
    let nightly_missed = received
        .iter()
        .find(|r| r.finding.job == "Jobs/NightlySync")
        .expect("nightly");
    assert_eq!(
        nightly_missed.finding.expected_local,
        "2027-03-29T09:00:00+01:00"
    );
    assert_eq!(nightly_missed.finding.checked_at, "2027-03-29T08:15:00Z");

    // A retry of the 08:15 run (same scheduled time) judges the same runs and
    // publishes the same ids, which consumers drop.
    handle(
        &plan,
        &scheduler_event(utc(8, 15)),
        &clock,
        "us-east-1",
        &cloudwatch,
        &publisher,
    )
    .await
    .expect("retry");
    let again = drain(&ops).await;
    let first_ids: BTreeSet<&str> = received
        .iter()
        .filter(|r| r.finding.checked_at == "2027-03-29T08:15:00Z")
        .map(|r| r.finding.id.as_str())
        .collect();
    let retry_ids: BTreeSet<&str> = again.iter().map(|r| r.finding.id.as_str()).collect();
    assert_eq!(first_ids.len(), 3);
    assert_eq!(retry_ids, first_ids);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn the_sdk_client_speaks_a_protocol_moto_does_not_serve() {
    // If this starts passing, moto learned Smithy RPC v2 CBOR for CloudWatch:
    // switch the test above to `CloudWatchMetrics` and drop `moto_cloudwatch`.
    let endpoint = moto_endpoint();
    let aws = sdk_config(&endpoint).await;
    let metrics = CloudWatchMetrics::new(aws_sdk_cloudwatch::Client::new(&aws));
    let request = MetricsRequest {
        sources: vec![(RunSource::Function("any".into()), false)],
        start: utc(7, 0),
        end: utc(8, 0),
    };
    let err = metrics
        .fetch(&request)
        .await
        .expect_err("moto 5.2.5 answers 404");
    // moto's 404 page is not CBOR: "service error: unhandled error: unexpected type 0x3c".
    assert!(
        err.to_string()
            .contains("GetMetricData failed: service error"),
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn moto_keeps_lambda_metrics_per_function_and_minute() {
    let endpoint = moto_endpoint();
    let cloudwatch = MotoCloudWatch::new(&endpoint);
    let a = unique("fn-a");
    let b = unique("fn-b");
    cloudwatch
        .put(&a, "Invocations", utc(6, 0) + Duration::seconds(10), 1.0)
        .await;
    cloudwatch
        .put(&a, "Invocations", utc(6, 0) + Duration::seconds(50), 1.0)
        .await;
    cloudwatch.put(&a, "Errors", utc(6, 1), 1.0).await;
    cloudwatch.put(&b, "Invocations", utc(6, 2), 3.0).await;
    let fetched = cloudwatch
        .fetch(&MetricsRequest {
            sources: vec![
                (RunSource::Function(a.clone()), false),
                (RunSource::Function(b.clone()), false),
            ],
            start: utc(5, 55),
            end: utc(6, 5),
        })
        .await
        .expect("fetch");
    let (a, b) = (RunSource::Function(a), RunSource::Function(b));
    assert_eq!(
        fetched[&a].at(utc(6, 0)).invocations,
        2.0,
        "summed per minute"
    );
    assert_eq!(fetched[&a].at(utc(6, 1)).errors, 1.0);
    assert_eq!(
        fetched[&a].at(utc(6, 2)).invocations,
        0.0,
        "b's datapoint is not a's"
    );
    assert_eq!(fetched[&b].at(utc(6, 2)).invocations, 3.0);
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid instant")
}

/// The schedules whose fire times vary, against moto's metrics, around
/// London's fall-back (Sunday 31 October 2027, also the month's last day):
/// a `rate(..)` counted from its start date, an end-of-month `L` cron, and a
/// weekday cron in Europe/London on both sides of the change.
#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn rate_month_end_and_london_fall_back_against_moto() {
    let endpoint = moto_endpoint();
    let aws = sdk_config(&endpoint).await;
    let cloudwatch = MotoCloudWatch::new(&endpoint);
    let ops = ops_topic(&aws).await;
    let hourly = unique("hourly");
    let month_end = unique("month-end");
    let london = unique("london");

    // Jobs/Hourly, rate(1 hour) from 00:30 UTC: 05:30 starts at 05:38 (late), 06:30 on time.
    cloudwatch
        .put(&hourly, "Invocations", at(2027, 10, 31, 5, 38), 1.0)
        .await;
    cloudwatch
        .put(&hourly, "Invocations", at(2027, 10, 31, 6, 30), 1.0)
        .await;
    // Jobs/MonthEnd, cron(0 6 L * ? *): the 31st's run fails, with its retry.
    for minute in [0, 2] {
        let t = at(2027, 10, 31, 6, minute);
        cloudwatch.put(&month_end, "Invocations", t, 1.0).await;
        cloudwatch.put(&month_end, "Errors", t, 1.0).await;
    }
    // Jobs/London, 09:00 London on weekdays: Friday 09:00 BST (08:00 UTC) ran;
    // Monday 09:00 GMT (09:00 UTC) did not. A run at 08:00 UTC on Monday, an
    // hour early, is not the expected one.
    cloudwatch
        .put(&london, "Invocations", at(2027, 10, 29, 8, 0), 1.0)
        .await;
    cloudwatch
        .put(&london, "Invocations", at(2027, 11, 1, 8, 0), 1.0)
        .await;

    let mut hourly_job = job("Jobs/Hourly", &hourly, "rate(1 hour)", None, 1200);
    hourly_job.start_date = Some("2027-10-31T00:30:00Z".into());
    hourly_job.late_after_seconds = Some(300);
    let plan = plan(vec![
        hourly_job,
        job("Jobs/MonthEnd", &month_end, "cron(0 6 L * ? *)", None, 600),
        job(
            "Jobs/London",
            &london,
            "cron(0 9 ? * MON-FRI *)",
            Some("Europe/London"),
            900,
        ),
    ])
    .expect("valid plan");
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&aws), &ops.topic_arn);
    let clock = FixedClock(at(2030, 1, 1, 0, 0));

    // Each watchdog run judges (previous - grace, now - grace].
    let mut by_run = Vec::new();
    for check_at in [
        at(2027, 10, 29, 8, 15), // London, Friday 08:00 UTC: ran
        at(2027, 10, 30, 6, 15), // the 30th is not the month's last day
        at(2027, 10, 31, 6, 0),  // Hourly 05:30: late
        at(2027, 10, 31, 6, 15), // MonthEnd 06:00: failed
        at(2027, 10, 31, 7, 0),  // Hourly 06:30: fine
        at(2027, 11, 1, 8, 15),  // London Monday 08:00 UTC is not a fire time any more
        at(2027, 11, 1, 9, 15),  // London Monday 09:00 GMT: missed
    ] {
        let summary = handle(
            &plan,
            &scheduler_event(check_at),
            &clock,
            "us-east-1",
            &cloudwatch,
            &publisher,
        )
        .await
        .expect("watchdog run");
        by_run.push(
            summary
                .findings
                .iter()
                .map(|f| format!("{} {} {}", f.kind.as_str(), f.job, f.expected_utc))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        by_run,
        [
            vec![],
            vec![],
            vec!["late Jobs/Hourly 2027-10-31T05:30:00Z".to_owned()],
            vec!["failed Jobs/MonthEnd 2027-10-31T06:00:00Z".to_owned()],
            vec![],
            vec![],
            vec!["missed Jobs/London 2027-11-01T09:00:00Z".to_owned()],
        ]
    );
    let received = drain(&ops).await;
    assert_eq!(received.len(), 3, "{received:#?}");
    let missed = received
        .iter()
        .find(|r| r.finding.job == "Jobs/London")
        .expect("the London finding");
    // GMT is a zero offset, which RFC 3339 writes as `Z`.
    assert_eq!(missed.finding.expected_local, "2027-11-01T09:00:00Z");
    assert_eq!(
        missed.subject,
        "Missed run: Jobs/London at 2027-11-01 09:00 GMT"
    );
}

/// Three `.job(..)`s of one function, weekdays in Europe/London, across the
/// spring-forward of Sunday 28 March 2027 (Friday's 09:00 is 09:00 UTC,
/// Monday's is 08:00 UTC): `ran` ran both days, `never` never ran, `broken`
/// failed with its retry. The function's own `AWS/Lambda` metrics show an
/// invocation at every fire time (it was invoked), so only the per-job run
/// metrics (`CloudCron` `RunSucceeded`/`RunFailed`, dimensions `FunctionName`
/// and `Job`, put as the runtime's EMF lines produce them) can tell them apart.
#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn jobs_of_one_function_are_judged_by_their_own_run_metrics_across_dst() {
    let endpoint = moto_endpoint();
    let aws = sdk_config(&endpoint).await;
    let cloudwatch = MotoCloudWatch::new(&endpoint);
    let ops = ops_topic(&aws).await;
    let function = unique("erp-OdooJobs");
    let friday = |h, m| at(2027, 3, 26, h, m);
    let monday = |h, m| at(2027, 3, 29, h, m);

    for t in [
        friday(9, 0),
        friday(9, 30),
        friday(10, 0),
        monday(8, 0),
        monday(8, 30),
        monday(9, 0),
    ] {
        cloudwatch.put(&function, "Invocations", t, 1.0).await;
    }
    // `ran`, 09:00 London: GMT on Friday, BST on Monday.
    cloudwatch
        .put_run(&function, "ran", RunOutcome::Succeeded, friday(9, 0))
        .await;
    cloudwatch
        .put_run(&function, "ran", RunOutcome::Succeeded, monday(8, 1))
        .await;
    // `broken`, 10:00 London: each run fails, and so does its retry.
    for t in [friday(10, 0), friday(10, 3), monday(9, 0), monday(9, 3)] {
        cloudwatch
            .put_run(&function, "broken", RunOutcome::Failed, t)
            .await;
    }

    let entry = |name: &str, time: &str| {
        let mut spec = job(
            &format!("ErpSchedules/OdooJobs/{name}"),
            &function,
            &format!("cron({time} ? * MON-FRI *)"),
            Some("Europe/London"),
            900,
        );
        spec.job = Some(name.to_owned());
        spec
    };
    let plan = plan(vec![
        entry("ran", "0 9"),
        entry("never", "30 9"),
        entry("broken", "0 10"),
    ])
    .expect("valid plan");
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&aws), &ops.topic_arn);
    let clock = FixedClock(at(2030, 1, 1, 0, 0));

    // Every watchdog run from before the first fire time to after the last
    // one's grace, on both days: each expected run is judged exactly once.
    let mut findings = Vec::new();
    let mut judged = 0;
    for start in [friday(9, 0), monday(8, 0)] {
        for step in 0..6 {
            let check_at = start + Duration::minutes(15 * step);
            let summary = handle(
                &plan,
                &scheduler_event(check_at),
                &clock,
                "eu-west-2",
                &cloudwatch,
                &publisher,
            )
            .await
            .expect("watchdog run");
            judged += summary.runs_judged;
            findings.extend(
                summary
                    .findings
                    .iter()
                    .map(|f| format!("{} {} {}", f.kind.as_str(), f.job, f.expected_local)),
            );
        }
    }
    assert_eq!(judged, 6, "three jobs, two weekdays");
    assert_eq!(
        findings,
        [
            "missed ErpSchedules/OdooJobs/never 2027-03-26T09:30:00Z",
            "failed ErpSchedules/OdooJobs/broken 2027-03-26T10:00:00Z",
            "missed ErpSchedules/OdooJobs/never 2027-03-29T09:30:00+01:00",
            "failed ErpSchedules/OdooJobs/broken 2027-03-29T10:00:00+01:00",
        ]
    );
    let received = drain(&ops).await;
    assert_eq!(received.len(), 4, "{received:#?}");
    let subjects: BTreeSet<&str> = received.iter().map(|r| r.subject.as_str()).collect();
    assert!(
        subjects.contains("Missed run: ErpSchedules/OdooJobs/never at 2027-03-29 09:30 BST"),
        "{subjects:?}"
    );
    assert!(received.iter().all(|r| r.finding.function == function));
}
