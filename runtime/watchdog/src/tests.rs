//! Unit tests of the watchdog's judgement: expected times (rate, weekday
//! cron across both 2027 London DST changes, month-end `L`, `at`), the
//! classification of single runs, the non-overlapping windows of consecutive
//! watchdog runs, and one run end to end with recording fakes.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloud_cron_contract::watchdog::{
    FindingKind, WatchdogConfig, WatchdogFinding, WatchdogSchedule, WatchedJob,
};
use cloud_cron_contract::SchedulerInput;

use crate::cadence::Cadence;
use crate::error::WatchdogError;
use crate::finding::{findings, subject};
use crate::handler::{check, run_instant, FixedClock, Plan};
use crate::jobs::{load_job, Job};
use crate::metrics::{FunctionMetrics, MetricsRequest, MetricsSource, RunSource};
use crate::publish::Publisher;
use crate::window::{check_job, CheckWindow};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid instant")
}

fn spec(expression: &str, zone: Option<&str>) -> WatchedJob {
    WatchedJob {
        path: "Jobs/NightlySync".into(),
        function_name: "app-NightlySync".into(),
        job: None,
        expression: expression.into(),
        time_zone: zone.map(Into::into),
        start_date: None,
        end_date: None,
        grace_seconds: 900,
        late_after_seconds: None,
        expected_duration_seconds: None,
    }
}

fn job(spec: &WatchedJob) -> Job {
    load_job(spec).expect("valid job")
}

/// A 15-minute watchdog with no settle time and a 2 h look-back, run at `now`.
fn window_at(now: DateTime<Utc>) -> CheckWindow {
    CheckWindow {
        now,
        previous: now - Duration::minutes(15),
        settle: Duration::zero(),
        lookback: Duration::hours(2),
    }
}

/// Every watchdog run (every 15 minutes) in `[from, to)`: the expected runs
/// each judged, with their verdicts.
fn sweep(
    job: &Job,
    metrics: &FunctionMetrics,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, Vec<FindingKind>)> {
    let mut out = Vec::new();
    let mut now = from;
    while now < to {
        for run in check_job(job, &window_at(now), metrics) {
            out.push((now, run.expected, run.kinds));
        }
        now += Duration::minutes(15);
    }
    out
}

/// Metrics where every expected run of `job` in `[from, to)` succeeded on
/// time, except those in `skip`.
fn on_time(
    job: &Job,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    skip: &[DateTime<Utc>],
) -> FunctionMetrics {
    let mut metrics = FunctionMetrics::new();
    for t in job.expected_between(from - Duration::seconds(1), to) {
        if !skip.contains(&t) {
            metrics.record(t, 1.0, 0.0);
        }
    }
    metrics
}

#[test]
fn weekday_cron_follows_london_across_spring_forward() {
    let job = job(&spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London")));
    // Friday 26 March 2027 is GMT, Monday 29 March BST (clocks went forward on the 28th).
    let times = job.expected_between(utc(2027, 3, 25, 12, 0), utc(2027, 3, 30, 12, 0));
    assert_eq!(
        times,
        [
            utc(2027, 3, 26, 9, 0),
            utc(2027, 3, 29, 8, 0),
            utc(2027, 3, 30, 8, 0)
        ]
    );
}

#[test]
fn weekday_cron_follows_london_across_fall_back() {
    let job = job(&spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London")));
    // Friday 29 October 2027 is BST, Monday 1 November GMT (clocks went back on the 31st).
    let times = job.expected_between(utc(2027, 10, 28, 12, 0), utc(2027, 11, 1, 12, 0));
    assert_eq!(times, [utc(2027, 10, 29, 8, 0), utc(2027, 11, 1, 9, 0)]);
}

#[test]
fn a_run_missed_on_the_monday_after_spring_forward_is_reported_at_the_right_instant() {
    let job = job(&spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London")));
    let from = utc(2027, 3, 25, 0, 0);
    let to = utc(2027, 3, 31, 0, 0);
    let missed = utc(2027, 3, 29, 8, 0); // 09:00 BST
    let metrics = on_time(&job, from, to, &[missed]);
    let judged = sweep(&job, &metrics, from, to);
    // Every weekday run judged exactly once, by the first watchdog run after its grace.
    let expected: Vec<DateTime<Utc>> = judged.iter().map(|(_, t, _)| *t).collect();
    assert_eq!(
        expected,
        [
            utc(2027, 3, 25, 9, 0),
            utc(2027, 3, 26, 9, 0),
            utc(2027, 3, 29, 8, 0),
            utc(2027, 3, 30, 8, 0),
        ]
    );
    let problems: Vec<_> = judged.iter().filter(|(_, _, k)| !k.is_empty()).collect();
    assert_eq!(problems.len(), 1, "{judged:?}");
    let (reported_at, t, kinds) = problems[0];
    assert_eq!(*t, missed);
    assert_eq!(
        *reported_at,
        utc(2027, 3, 29, 8, 15),
        "grace 15 min after 08:00 UTC"
    );
    assert_eq!(kinds, &[FindingKind::Missed]);
    // The subject speaks the schedule's own time.
    let run = check_job(&job, &window_at(*reported_at), &metrics);
    let finding = &findings(&job, &run[0], *reported_at, "eu-west-2")[0];
    assert_eq!(
        subject(finding, job.tz()),
        "Missed run: Jobs/NightlySync at 2027-03-29 09:00 BST"
    );
    assert_eq!(finding.expected_utc, "2027-03-29T08:00:00Z");
    assert_eq!(finding.expected_local, "2027-03-29T09:00:00+01:00");
    assert_eq!(finding.observed_utc, None);
    assert_eq!(finding.checked_at, "2027-03-29T08:15:00Z");
    assert!(finding
        .console_url
        .starts_with("https://eu-west-2.console.aws.amazon.com/lambda/home?region=eu-west-2#/functions/app-NightlySync"));
}

#[test]
fn a_run_missed_on_the_monday_after_fall_back_is_reported_an_hour_later_in_utc() {
    let job = job(&spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London")));
    let from = utc(2027, 10, 28, 0, 0);
    let to = utc(2027, 11, 2, 0, 0);
    let missed = utc(2027, 11, 1, 9, 0); // 09:00 GMT
    let metrics = on_time(&job, from, to, &[missed]);
    let problems: Vec<_> = sweep(&job, &metrics, from, to)
        .into_iter()
        .filter(|(_, _, k)| !k.is_empty())
        .collect();
    assert_eq!(
        problems,
        [(utc(2027, 11, 1, 9, 15), missed, vec![FindingKind::Missed])]
    );
    let run = &check_job(&job, &window_at(utc(2027, 11, 1, 9, 15)), &metrics)[0];
    let finding = &findings(&job, run, utc(2027, 11, 1, 9, 15), "eu-west-2")[0];
    assert_eq!(
        subject(finding, job.tz()),
        "Missed run: Jobs/NightlySync at 2027-11-01 09:00 GMT"
    );
}

#[test]
fn month_end_cron_expects_only_the_last_day() {
    let job = job(&spec("cron(0 18 L * ? *)", Some("Europe/London")));
    let times = job.expected_between(utc(2027, 1, 1, 0, 0), utc(2027, 5, 1, 0, 0));
    assert_eq!(
        times,
        [
            utc(2027, 1, 31, 18, 0),
            utc(2027, 2, 28, 18, 0),
            utc(2027, 3, 31, 17, 0), // 18:00 BST
            utc(2027, 4, 30, 17, 0),
        ]
    );
    // February's run never happened: reported once, at 18:15 UTC on the 28th.
    let metrics = on_time(
        &job,
        utc(2027, 1, 1, 0, 0),
        utc(2027, 5, 1, 0, 0),
        &[utc(2027, 2, 28, 18, 0)],
    );
    let problems: Vec<_> = sweep(
        &job,
        &metrics,
        utc(2027, 2, 27, 0, 0),
        utc(2027, 3, 2, 0, 0),
    )
    .into_iter()
    .filter(|(_, _, k)| !k.is_empty())
    .collect();
    assert_eq!(
        problems,
        [(
            utc(2027, 2, 28, 18, 15),
            utc(2027, 2, 28, 18, 0),
            vec![FindingKind::Missed]
        )]
    );
}

#[test]
fn rate_counts_from_its_start_date() {
    let mut s = spec("rate(2 hours)", None);
    s.start_date = Some("2027-03-01T00:30:00Z".into());
    s.end_date = Some("2027-03-01T08:30:00Z".into());
    let job = job(&s);
    let times = job.expected_between(utc(2027, 2, 28, 0, 0), utc(2027, 3, 2, 0, 0));
    assert_eq!(
        times,
        [
            utc(2027, 3, 1, 0, 30),
            utc(2027, 3, 1, 2, 30),
            utc(2027, 3, 1, 4, 30),
            utc(2027, 3, 1, 6, 30),
        ],
        "from the start date, and none at or after the end date"
    );
    // The 04:30 run never came.
    let metrics = on_time(
        &job,
        utc(2027, 3, 1, 0, 0),
        utc(2027, 3, 2, 0, 0),
        &[utc(2027, 3, 1, 4, 30)],
    );
    let problems: Vec<_> = sweep(
        &job,
        &metrics,
        utc(2027, 3, 1, 0, 0),
        utc(2027, 3, 1, 12, 0),
    )
    .into_iter()
    .filter(|(_, _, k)| !k.is_empty())
    .collect();
    assert_eq!(
        problems,
        [(
            utc(2027, 3, 1, 4, 45),
            utc(2027, 3, 1, 4, 30),
            vec![FindingKind::Missed]
        )]
    );
}

#[test]
fn a_rate_without_start_date_is_refused_with_a_fix() {
    let err = load_job(&spec("rate(1 hour)", None)).expect_err("no anchor");
    let text = err.to_string();
    assert!(text.contains("Jobs/NightlySync"), "{text}");
    assert!(text.contains("startDate"), "{text}");
}

#[test]
fn at_expects_its_one_time_in_its_zone() {
    let job = job(&spec("at(2027-03-29T09:00:00)", Some("Europe/London")));
    assert_eq!(
        job.expected_between(utc(2027, 3, 1, 0, 0), utc(2027, 4, 1, 0, 0)),
        [utc(2027, 3, 29, 8, 0)]
    );
}

fn assess_one(job: &Job, metrics: &FunctionMetrics, t: DateTime<Utc>) -> Vec<FindingKind> {
    let now = t + job.grace + Duration::minutes(1);
    check_job(job, &window_at(now), metrics)
        .into_iter()
        .find(|r| r.expected == t)
        .map(|r| r.kinds)
        .expect("run judged")
}

#[test]
fn classification_of_single_runs() {
    let daily = job(&spec("cron(0 9 * * ? *)", None));
    let t = utc(2027, 5, 3, 9, 0);
    let at = |m: i64| t + Duration::minutes(m);

    // Never happened.
    assert_eq!(
        assess_one(&daily, &FunctionMetrics::new(), t),
        [FindingKind::Missed]
    );
    // Only an invocation after the grace period: still missed.
    let mut m = FunctionMetrics::new();
    m.record(at(16), 1.0, 0.0);
    assert_eq!(assess_one(&daily, &m, t), [FindingKind::Missed]);
    // On time and clean.
    let mut m = FunctionMetrics::new();
    m.record(at(0), 1.0, 0.0);
    assert!(assess_one(&daily, &m, t).is_empty());
    // Failed, and Lambda's two retries failed too.
    let mut m = FunctionMetrics::new();
    m.record(at(0), 1.0, 1.0)
        .record(at(1), 1.0, 1.0)
        .record(at(3), 1.0, 1.0);
    assert_eq!(assess_one(&daily, &m, t), [FindingKind::Failed]);
    // Failed once, the retry succeeded: OK.
    let mut m = FunctionMetrics::new();
    m.record(at(0), 1.0, 1.0).record(at(2), 1.0, 0.0);
    assert!(assess_one(&daily, &m, t).is_empty());
    // Succeeded late (first invocation at 09:08, threshold 5 min).
    let mut m = FunctionMetrics::new();
    m.record(at(8), 1.0, 0.0);
    assert_eq!(assess_one(&daily, &m, t), [FindingKind::Late]);
    // At the threshold is not late.
    let mut m = FunctionMetrics::new();
    m.record(at(5), 1.0, 0.0);
    assert!(assess_one(&daily, &m, t).is_empty());
}

#[test]
fn overran_needs_an_expected_duration() {
    let mut s = spec("cron(0 9 * * ? *)", None);
    let t = utc(2027, 5, 3, 9, 0);
    let mut m = FunctionMetrics::new();
    m.record(t, 1.0, 0.0).record_duration(t, 95_000.0);
    assert!(
        assess_one(&job(&s), &m, t).is_empty(),
        "no expectation, no finding"
    );
    s.expected_duration_seconds = Some(60);
    assert_eq!(assess_one(&job(&s), &m, t), [FindingKind::Overran]);
    s.expected_duration_seconds = Some(120);
    assert!(assess_one(&job(&s), &m, t).is_empty());
}

#[test]
fn close_runs_own_their_minutes_until_the_next_run() {
    // Every 5 minutes with a 10-minute grace: each run owns 5 minutes.
    let mut s = spec("cron(0/5 * * * ? *)", None);
    s.grace_seconds = 600;
    let job = job(&s);
    let t0 = utc(2027, 5, 3, 9, 0);
    let t1 = utc(2027, 5, 3, 9, 5);
    let mut m = FunctionMetrics::new();
    m.record(t0, 1.0, 0.0); // 09:00 fine
    m.record(t1 + Duration::minutes(1), 1.0, 1.0); // 09:05 run fails at 09:06
    let runs: BTreeMap<DateTime<Utc>, Vec<FindingKind>> =
        check_job(&job, &window_at(utc(2027, 5, 3, 9, 15)), &m)
            .into_iter()
            .chain(check_job(&job, &window_at(utc(2027, 5, 3, 9, 30)), &m))
            .map(|r| (r.expected, r.kinds))
            .collect();
    assert_eq!(
        runs.get(&t0),
        Some(&vec![]),
        "the 09:06 error is not the 09:00 run's"
    );
    assert_eq!(runs.get(&t1), Some(&vec![FindingKind::Failed]));
    assert_eq!(
        runs.get(&utc(2027, 5, 3, 9, 10)),
        Some(&vec![FindingKind::Missed])
    );
}

#[test]
fn consecutive_watchdog_runs_judge_every_expected_run_once() {
    // A minutely job over a day, watchdog every 15 minutes: 1,440 runs, each judged once.
    let mut s = spec("cron(* * * * ? *)", None);
    s.grace_seconds = 420;
    let job = job(&s);
    let from = utc(2027, 3, 28, 0, 0);
    let judged = sweep(
        &job,
        &FunctionMetrics::new(),
        from,
        from + Duration::days(1),
    );
    let mut expected: Vec<DateTime<Utc>> = judged.iter().map(|(_, t, _)| *t).collect();
    let total = expected.len();
    expected.dedup();
    assert_eq!(expected.len(), total, "no run judged twice");
    // From the first window's start to the last one's end, nothing skipped.
    assert_eq!(total, 24 * 4 * 15);
    assert_eq!(
        expected[0],
        from - Duration::minutes(15 + 7) + Duration::minutes(1)
    );
}

#[test]
fn a_cron_watchdog_finds_its_previous_run() {
    let cadence = Cadence::from_config(
        &WatchdogSchedule {
            expression: "cron(0/20 8-17 ? * MON-FRI *)".into(),
            time_zone: None,
        },
        "CLOUDCRON_WATCHDOG",
    )
    .expect("valid");
    assert_eq!(
        cadence.previous(utc(2027, 5, 3, 9, 20)),
        Some(utc(2027, 5, 3, 9, 0))
    );
    // Monday 08:00: the previous run was Friday 17:40.
    assert_eq!(
        cadence.previous(utc(2027, 5, 3, 8, 0)),
        Some(utc(2027, 4, 30, 17, 40))
    );
    let one_off = Cadence::from_config(
        &WatchdogSchedule {
            expression: "at(2027-01-01T00:00:00)".into(),
            time_zone: None,
        },
        "CLOUDCRON_WATCHDOG",
    );
    assert!(one_off
        .expect_err("must recur")
        .to_string()
        .contains("must recur"));
}

#[test]
fn a_lookback_that_leaves_a_gap_is_an_error() {
    let job = job(&spec("cron(0 9 * * ? *)", None));
    let mut window = window_at(utc(2027, 5, 3, 9, 15));
    window.lookback = Duration::minutes(20); // needs 15 + 15
    let err = window.covers(&job).expect_err("gap");
    let text = err.to_string();
    assert!(
        text.contains("Jobs/NightlySync") && text.contains("set lookbackSeconds to at least 1800"),
        "{text}"
    );
}

fn config(jobs: Vec<WatchedJob>) -> WatchdogConfig {
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
    }
}

struct FakeMetrics(
    BTreeMap<RunSource, FunctionMetrics>,
    Mutex<Vec<MetricsRequest>>,
);

impl MetricsSource for FakeMetrics {
    async fn fetch(
        &self,
        request: &MetricsRequest,
    ) -> Result<BTreeMap<RunSource, FunctionMetrics>, WatchdogError> {
        self.1.lock().expect("lock").push(request.clone());
        Ok(self.0.clone())
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<(String, WatchdogFinding)>>);

impl Publisher for Recorder {
    async fn publish(&self, finding: &WatchdogFinding, subject: &str) -> Result<(), WatchdogError> {
        self.0
            .lock()
            .expect("lock")
            .push((subject.to_owned(), finding.clone()));
        Ok(())
    }
}

#[tokio::test]
async fn one_run_publishes_its_findings_then_reports_bad_jobs() {
    let good = spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London"));
    let mut bad = spec("rate(1 hour)", None);
    bad.path = "Jobs/Hourly".into();
    let plan = Plan::new("CLOUDCRON_WATCHDOG", config(vec![good, bad])).expect("plan");
    assert_eq!(plan.jobs.len(), 1);
    let metrics = FakeMetrics(BTreeMap::new(), Mutex::new(Vec::new()));
    let recorder = Recorder::default();
    let input = SchedulerInput {
        scheduled_time: "2027-03-29T08:15:00Z".into(),
        ..SchedulerInput::template()
    };
    let event = serde_json::to_value(&input).expect("json");
    let now = run_instant(&event, &FixedClock(utc(2030, 1, 1, 0, 0))).expect("instant");
    assert_eq!(
        now,
        utc(2027, 3, 29, 8, 15),
        "the scheduled time, not the clock"
    );
    let err = check(&plan, now, "eu-west-2", &metrics, &recorder)
        .await
        .expect_err("the bad job is reported");
    assert!(err.to_string().contains("Jobs/Hourly"), "{err}");
    let published = recorder.0.lock().expect("lock").clone();
    assert_eq!(published.len(), 1, "the good job was still checked");
    assert_eq!(
        published[0].0,
        "Missed run: Jobs/NightlySync at 2027-03-29 09:00 BST"
    );
    let requests = metrics.1.lock().expect("lock").clone();
    assert_eq!(
        requests,
        [MetricsRequest {
            sources: vec![(RunSource::Function("app-NightlySync".into()), false)],
            start: utc(2027, 3, 29, 6, 15),
            end: utc(2027, 3, 29, 8, 16),
        }]
    );
    // A manual invoke without the scheduler input uses the clock, to the minute.
    let manual = run_instant(
        &serde_json::json!({}),
        &FixedClock(
            Utc.with_ymd_and_hms(2027, 3, 29, 8, 15, 42)
                .single()
                .expect("valid"),
        ),
    )
    .expect("instant");
    assert_eq!(manual, utc(2027, 3, 29, 8, 15));
    // A scheduler input whose time was never substituted is an error.
    let raw = serde_json::to_value(SchedulerInput::template()).expect("json");
    assert!(run_instant(&raw, &FixedClock(now)).is_err());
}

#[test]
fn findings_match_the_committed_schema() {
    // The contract crate checks the schema is current; this side checks that
    // what the watchdog publishes has exactly the schema's properties.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../contract/schema/watchdog-finding.v1.schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
            .expect("schema JSON");
    let job = job(&spec("cron(0 9 ? * MON-FRI *)", Some("Europe/London")));
    let t = utc(2027, 3, 29, 8, 0);
    let mut metrics = FunctionMetrics::new();
    metrics.record(t + Duration::minutes(8), 1.0, 0.0);
    let now = utc(2027, 3, 29, 8, 15);
    let run = &check_job(&job, &window_at(now), &metrics)[0];
    let finding = &findings(&job, run, now, "eu-west-2")[0];
    assert_eq!(finding.kind, FindingKind::Late);
    let value = serde_json::to_value(finding).expect("json");
    let object = value.as_object().expect("object");
    let properties = schema["properties"].as_object().expect("properties");
    for key in object.keys() {
        assert!(properties.contains_key(key), "`{key}` is not in the schema");
    }
    for required in schema["required"].as_array().expect("required") {
        let key = required.as_str().expect("name");
        assert!(
            object.contains_key(key),
            "`{key}` is required by the schema"
        );
    }
    assert_eq!(value["kind"], "late");
    assert_eq!(value["observedLocal"], "2027-03-29T09:08:00+01:00");
}
