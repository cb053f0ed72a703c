//! Owns turning a judged run into the [`WatchdogFinding`]s the ops topic gets:
//! the JSON body, its stable id, a one-line subject that says what happened
//! in the schedule's own time (`Missed run: Jobs/NightlySync at 2027-03-29
//! 09:00 BST`), and a link to the function's monitoring page.

use chrono::{DateTime, SecondsFormat, Utc};
use cloud_cron_contract::watchdog::{
    finding_id, FindingKind, WatchdogFinding, WATCHDOG_FINDING_VERSION,
};
use cloud_cron_schedule::Tz;

use crate::classify::RunAssessment;
use crate::jobs::Job;

/// SNS's limit on a subject, in characters.
const SUBJECT_MAX: usize = 100;

/// RFC 3339 in UTC with a `Z`, second precision.
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn local_text(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The findings of one judged run (none when it is OK).
pub fn findings(
    job: &Job,
    run: &RunAssessment,
    checked_at: DateTime<Utc>,
    region: &str,
) -> Vec<WatchdogFinding> {
    let tz = job.tz();
    let expected_utc = utc_text(run.expected);
    run.kinds
        .iter()
        .map(|kind| WatchdogFinding {
            version: WATCHDOG_FINDING_VERSION,
            id: finding_id(
                &job.spec.path,
                &job.spec.function_name,
                &expected_utc,
                *kind,
            ),
            kind: *kind,
            job: job.spec.path.clone(),
            function: job.spec.function_name.clone(),
            expression: job.schedule.expression().to_owned(),
            time_zone: tz.name().to_owned(),
            expected_utc: expected_utc.clone(),
            expected_local: local_text(run.expected, tz),
            observed_utc: run.first_invocation.map(utc_text),
            observed_local: run.first_invocation.map(|t| local_text(t, tz)),
            detail: detail(job, run, *kind, tz),
            console_url: console_url(region, &job.spec.function_name),
            checked_at: utc_text(checked_at),
        })
        .collect()
}

fn minute_text(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

fn detail(job: &Job, run: &RunAssessment, kind: FindingKind, tz: Tz) -> String {
    let grace = job.grace.num_seconds();
    let until = minute_text(run.window_end, tz);
    match kind {
        FindingKind::Missed => format!(
            "no invocation of {} between {} and {until} (grace {grace} s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler's dead-letter queue and the function's Throttles metric",
            job.spec.function_name,
            minute_text(run.window_start, tz),
        ),
        FindingKind::Failed => format!(
            "{} error(s) in {} invocation(s), the last in the minute from {}, and no success after it by {until}: see the function's logs",
            run.errors,
            run.invocations,
            run.last_error.map_or_else(String::new, |t| minute_text(t, tz)),
        ),
        FindingKind::Late => format!(
            "first invoked in the minute from {}, more than {} s after the fire time: check the flexible window and the Scheduler's retries",
            run.first_invocation.map_or_else(String::new, |t| minute_text(t, tz)),
            job.late_after.num_seconds(),
        ),
        FindingKind::Overran => format!(
            "the longest invocation took {} ms, above the expected {} s",
            run.max_duration_ms.unwrap_or_default(),
            job.expected_duration.map_or(0, |d| d.num_seconds()),
        ),
    }
}

/// The function's monitoring tab in the Lambda console.
pub fn console_url(region: &str, function: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/lambda/home?region={region}#/functions/{function}?tab=monitoring"
    )
}

/// The SNS subject: what happened, to which job, when (schedule's zone), at
/// most 100 printable ASCII characters.
pub fn subject(finding: &WatchdogFinding, tz: Tz) -> String {
    let what = match finding.kind {
        FindingKind::Missed => "Missed run",
        FindingKind::Failed => "Failed run",
        FindingKind::Late => "Late run",
        FindingKind::Overran => "Overran",
    };
    let when = DateTime::parse_from_rfc3339(&finding.expected_utc)
        .map(|t| minute_text(t.with_timezone(&Utc), tz))
        .unwrap_or_else(|_| finding.expected_utc.clone());
    let text = format!("{what}: {} at {when}", finding.job);
    text.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .take(SUBJECT_MAX)
        .collect()
}
