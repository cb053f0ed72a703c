//! What started a run: the events a scheduled function understands.
//!
//! - the EventBridge Scheduler input cloud-cron templates carry (the
//!   [`SchedulerInput`] contract);
//! - a one-off schedule's input (`cloud-cron-scheduler`, the
//!   [`OneOffInput`](contract::one_off::OneOffInput) contract), when a
//!   function is a `OneOffSchedules` target: its payload is the run's input;
//! - an EventBridge rule's `Scheduled Event` (older stacks);
//! - a manual invoke (`{}`, or `{"scheduledTime": "2026-11-28T09:00:00Z"}`
//!   to replay one run; add `"job"` and `"input"` to run one job by hand).
//!
//! Anything else is an [`EventError`] that says which shapes are accepted.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::contract::{self, SchedulerInput};

/// Which kind of event started the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// EventBridge Scheduler, with cloud-cron's input.
    Scheduler,
    /// EventBridge Scheduler firing a one-off schedule, with its one-off input.
    OneOff,
    /// An EventBridge rule's scheduled event.
    EventBridgeRule,
    /// Invoked by hand.
    Manual,
}

/// One run of a scheduled task, as identified across retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledRun {
    /// What started it.
    pub trigger: Trigger,
    /// The schedule's (or rule's) ARN; `manual` for manual invokes.
    pub schedule_arn: String,
    /// The time the run was scheduled for (not when it started).
    pub scheduled_time: DateTime<Utc>,
    /// Unique per attempt.
    pub execution_id: String,
    /// 1 on the first attempt (always 1 when the trigger does not say).
    pub attempt: u32,
    /// The job this run is for (`.job(name, ..)` on the function), if any.
    pub job: Option<String>,
    /// The job's input as the schedule carries it (JSON), if any; for a
    /// one-off schedule, its payload.
    pub input: Option<Value>,
    /// The caller's key of the one-off schedule that started the run.
    pub one_off_key: Option<String>,
}

impl ScheduledRun {
    /// The scheduled time as the contract writes it: RFC 3339, UTC, seconds.
    pub fn scheduled_time_text(&self) -> String {
        self.scheduled_time
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The deduplication id of the `ordinal`-th message to `topic_key`
    /// ([`contract::job_dedup_id`] for a job's run, so two jobs firing at
    /// the same instant publish distinct messages).
    pub fn dedup_id(&self, topic_key: &str, ordinal: u32) -> String {
        let time = self.scheduled_time_text();
        match &self.job {
            Some(job) => contract::job_dedup_id(&self.schedule_arn, &time, job, topic_key, ordinal),
            None => contract::dedup_id(&self.schedule_arn, &time, topic_key, ordinal),
        }
    }
}

/// The event is not one a scheduled function understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// No accepted shape matched.
    #[error("unrecognised event (top-level keys: {keys}); a scheduled function accepts the EventBridge Scheduler input of a cloud-cron template or of a one-off schedule, an EventBridge rule's \"Scheduled Event\", or a manual invoke: {{}} or {{\"scheduledTime\": \"2026-11-28T09:00:00Z\"}}")]
    Unrecognised {
        /// The keys the event had.
        keys: String,
    },
    /// A recognised shape with a bad field.
    #[error("{shape} event: field `{field}` is {problem}")]
    BadField {
        /// Which shape was recognised.
        shape: &'static str,
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

fn bad(shape: &'static str, field: &'static str, problem: impl Into<String>) -> EventError {
    EventError::BadField {
        shape,
        field,
        problem: problem.into(),
    }
}

fn parse_time(
    shape: &'static str,
    field: &'static str,
    text: &str,
) -> Result<DateTime<Utc>, EventError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            bad(
                shape,
                field,
                format!("`{text}`, not an RFC 3339 time ({e})"),
            )
        })
}

/// Work out which run `event` starts. `request_id` (the Lambda request id)
/// and `now` stand in for what a manual invoke does not carry.
pub fn parse(
    event: &Value,
    request_id: &str,
    now: DateTime<Utc>,
) -> Result<ScheduledRun, EventError> {
    let Some(object) = event.as_object() else {
        return Err(EventError::Unrecognised {
            keys: format!("none: the event is not a JSON object but {}", kind(event)),
        });
    };
    let source = object.get("source").and_then(Value::as_str);
    if source == Some(contract::SCHEDULER_INPUT_SOURCE) {
        return scheduler(event);
    }
    if object.contains_key("cloudCron") && object.contains_key("key") {
        return one_off(event, request_id);
    }
    if source == Some("aws.events")
        && object.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event")
    {
        return rule(event);
    }
    let manual_keys = object
        .keys()
        .all(|k| matches!(k.as_str(), "scheduledTime" | "job" | "input"));
    if manual_keys {
        let job = match object.get("job") {
            None => None,
            Some(Value::String(job)) => Some(checked_job("manual", job)?),
            Some(other) => {
                return Err(bad(
                    "manual",
                    "job",
                    format!("{}, not a string", kind(other)),
                ))
            }
        };
        if job.is_none() && object.contains_key("input") {
            return Err(bad(
                "manual",
                "input",
                "given without `job`; name the job the input is for",
            ));
        }
        let scheduled_time = match object.get("scheduledTime") {
            None => now,
            Some(Value::String(t)) => parse_time("manual", "scheduledTime", t)?,
            Some(other) => {
                return Err(bad(
                    "manual",
                    "scheduledTime",
                    format!("{}, not a string", kind(other)),
                ))
            }
        };
        return Ok(ScheduledRun {
            trigger: Trigger::Manual,
            schedule_arn: "manual".into(),
            scheduled_time: truncate_to_seconds(scheduled_time),
            execution_id: request_id.to_owned(),
            attempt: 1,
            job,
            input: object.get("input").cloned(),
            one_off_key: None,
        });
    }
    Err(EventError::Unrecognised {
        keys: object.keys().cloned().collect::<Vec<_>>().join(", "),
    })
}

fn scheduler(event: &Value) -> Result<ScheduledRun, EventError> {
    const SHAPE: &str = "EventBridge Scheduler";
    let input: SchedulerInput = serde_json::from_value(event.clone()).map_err(|e| {
        bad(
            SHAPE,
            "input",
            format!("not the cloud-cron scheduler input: {e}"),
        )
    })?;
    if !(contract::SCHEDULER_INPUT_VERSION_NO_JOB..=contract::SCHEDULER_INPUT_VERSION)
        .contains(&input.version)
    {
        return Err(bad(
            SHAPE,
            "version",
            format!("{}, but this runtime reads versions {} to {}; deploy the template and the function from the same cloud-cron release", input.version, contract::SCHEDULER_INPUT_VERSION_NO_JOB, contract::SCHEDULER_INPUT_VERSION),
        ));
    }
    let job = match &input.job {
        Some(job) => Some(checked_job(SHAPE, job)?),
        None => None,
    };
    for (field, value) in [
        ("scheduleArn", &input.schedule_arn),
        ("scheduledTime", &input.scheduled_time),
        ("executionId", &input.execution_id),
    ] {
        if value.starts_with("<aws.scheduler.") {
            return Err(bad(SHAPE, field_name(field), format!("the unsubstituted placeholder `{value}`; only the Scheduler fills it in (invoke by hand with {{}} instead)")));
        }
    }
    let attempt = input.attempt().ok_or_else(|| {
        bad(
            SHAPE,
            "attemptNumber",
            format!("`{}`, not a number", input.attempt_number),
        )
    })?;
    Ok(ScheduledRun {
        trigger: Trigger::Scheduler,
        scheduled_time: truncate_to_seconds(parse_time(
            SHAPE,
            "scheduledTime",
            &input.scheduled_time,
        )?),
        schedule_arn: input.schedule_arn,
        execution_id: input.execution_id,
        attempt,
        job,
        input: input.input,
        one_off_key: None,
    })
}

/// A one-off schedule's input. Serde's own message is left out: it can
/// quote the payload.
fn one_off(event: &Value, request_id: &str) -> Result<ScheduledRun, EventError> {
    use contract::one_off::{OneOffInput, ONE_OFF_INPUT_VERSION};
    const SHAPE: &str = "one-off schedule";
    let input: OneOffInput<Value> = serde_json::from_value(event.clone()).map_err(|_| {
        bad(
            SHAPE,
            "input",
            "not a one-off input (cloudCron, key, scheduledFor, timeZone, scheduleArn, scheduledTime and payload, as cloud-cron-scheduler writes them)",
        )
    })?;
    if input.cloud_cron != ONE_OFF_INPUT_VERSION {
        return Err(bad(
            SHAPE,
            "cloudCron",
            format!(
                "{}, but this runtime reads version {ONE_OFF_INPUT_VERSION}; schedule with the same cloud-cron release as the function",
                input.cloud_cron
            ),
        ));
    }
    if let Some(field) = input.unsubstituted_field() {
        return Err(bad(SHAPE, field, "an unsubstituted `<aws.scheduler.…>` placeholder; only the Scheduler fills it in, so the run could not be told apart from other firings"));
    }
    Ok(ScheduledRun {
        trigger: Trigger::OneOff,
        scheduled_time: truncate_to_seconds(parse_time(
            SHAPE,
            "scheduledTime",
            &input.scheduled_time,
        )?),
        schedule_arn: input.schedule_arn,
        execution_id: request_id.to_owned(),
        attempt: 1,
        job: None,
        input: Some(input.payload),
        one_off_key: Some(input.key),
    })
}

/// A job name as the contract allows it (it goes into ids and logs as is).
fn checked_job(shape: &'static str, job: &str) -> Result<String, EventError> {
    match contract::job_name_problem(job) {
        None => Ok(job.to_owned()),
        Some(problem) => Err(bad(shape, "job", format!("{job:?}: {problem}"))),
    }
}

fn field_name(field: &str) -> &'static str {
    match field {
        "scheduleArn" => "scheduleArn",
        "scheduledTime" => "scheduledTime",
        _ => "executionId",
    }
}

fn rule(event: &Value) -> Result<ScheduledRun, EventError> {
    const SHAPE: &str = "EventBridge rule";
    let parsed: EventBridgeEvent<Value> = serde_json::from_value(event.clone())
        .map_err(|e| bad(SHAPE, "event", format!("not an EventBridge event: {e}")))?;
    let arn = parsed
        .resources
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| bad(SHAPE, "resources", "empty; it should name the rule"))?;
    Ok(ScheduledRun {
        trigger: Trigger::EventBridgeRule,
        schedule_arn: arn,
        scheduled_time: truncate_to_seconds(
            parsed
                .time
                .ok_or_else(|| bad(SHAPE, "time", "missing; it carries the scheduled time"))?,
        ),
        execution_id: parsed.id.unwrap_or_default(),
        attempt: 1,
        job: None,
        input: None,
        one_off_key: None,
    })
}

fn truncate_to_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T10:11:12.345Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn scheduler_input_is_read() {
        let e = json!({"source":"cloud-cron.scheduler","version":1,"scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/default/r","scheduledTime":"2026-11-28T09:00:00Z","executionId":"e-1","attemptNumber":"3"});
        let run = parse(&e, "req", now()).expect("parses");
        assert_eq!(run.trigger, Trigger::Scheduler);
        assert_eq!(run.attempt, 3);
        assert_eq!(run.scheduled_time_text(), "2026-11-28T09:00:00Z");
    }

    #[test]
    fn rule_events_are_read() {
        let e = json!({"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-28T09:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/nightly"],"detail":{}});
        let run = parse(&e, "req", now()).expect("parses");
        assert_eq!(run.trigger, Trigger::EventBridgeRule);
        assert_eq!(
            run.schedule_arn,
            "arn:aws:events:us-east-1:123456789012:rule/nightly"
        );
        assert_eq!(run.execution_id, "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
    }

    #[test]
    fn manual_invokes_use_now_or_the_given_time() {
        let run = parse(&json!({}), "req-1", now()).expect("parses");
        assert_eq!(run.trigger, Trigger::Manual);
        assert_eq!(run.scheduled_time_text(), "2026-11-28T10:11:12Z");
        assert_eq!(run.execution_id, "req-1");
        let replay = parse(
            &json!({"scheduledTime":"2026-11-27T09:00:00+01:00"}),
            "req-2",
            now(),
        )
        .expect("parses");
        assert_eq!(replay.scheduled_time_text(), "2026-11-27T08:00:00Z");
    }

    #[test]
    fn bad_events_say_what_is_accepted() {
        let err = parse(&json!({"key1":"value1"}), "r", now()).expect_err("rejected");
        let text = err.to_string();
        assert!(
            text.contains("key1") && text.contains("Scheduled Event") && text.contains("{}"),
            "{text}"
        );
        let err = parse(&json!([1]), "r", now()).expect_err("rejected");
        assert!(err.to_string().contains("not a JSON object but an array"));
        let err = parse(&json!({"scheduledTime":"yesterday"}), "r", now()).expect_err("rejected");
        assert!(err
            .to_string()
            .contains("`yesterday`, not an RFC 3339 time"));
        let raw = contract::SchedulerInput::template_json();
        let err =
            parse(&serde_json::from_str(&raw).expect("json"), "r", now()).expect_err("rejected");
        assert!(
            err.to_string().contains("unsubstituted placeholder"),
            "{err}"
        );
        let err = parse(&json!({"source":"cloud-cron.scheduler","version":3,"scheduleArn":"a","scheduledTime":"2026-11-28T09:00:00Z","executionId":"e","attemptNumber":"1"}), "r", now()).expect_err("rejected");
        assert!(err.to_string().contains("field `version` is 3"), "{err}");
        let err = parse(&json!({"source":"cloud-cron.scheduler","version":2,"scheduleArn":"a","scheduledTime":"2026-11-28T09:00:00Z","executionId":"e","attemptNumber":"1","job":"a b"}), "r", now()).expect_err("rejected");
        assert!(err.to_string().contains("field `job` is \"a b\""), "{err}");
        let err = parse(&json!({"input":{}}), "r", now()).expect_err("rejected");
        assert!(err.to_string().contains("without `job`"), "{err}");
    }

    #[test]
    fn job_runs_carry_their_name_and_input() {
        let e = json!({"source":"cloud-cron.scheduler","version":2,"scheduleArn":"arn:s","scheduledTime":"2026-11-28T09:00:00Z","executionId":"e-1","attemptNumber":"1","job":"close","input":{"model":"account.move"}});
        let run = parse(&e, "req", now()).expect("parses");
        assert_eq!(run.job.as_deref(), Some("close"));
        assert_eq!(run.input, Some(json!({"model":"account.move"})));
        let manual = parse(&json!({"job":"close","input":[1]}), "req", now()).expect("parses");
        assert_eq!(manual.trigger, Trigger::Manual);
        assert_eq!(manual.job.as_deref(), Some("close"));
        assert_eq!(manual.input, Some(json!([1])));
    }

    #[test]
    fn one_off_inputs_are_runs_of_their_schedule() {
        let e = json!({"cloudCron":1,"key":"acme/invoice-7","tenant":"acme","scheduledFor":"2027-03-09T14:32:00","timeZone":"Europe/London","scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/r/acme.invoice-7.0f","scheduledTime":"2027-03-09T14:32:00Z","payload":{"title":"Pay"}});
        let run = parse(&e, "req-7", now()).expect("parses");
        assert_eq!(run.trigger, Trigger::OneOff);
        assert_eq!(
            run.schedule_arn,
            "arn:aws:scheduler:us-east-1:123456789012:schedule/r/acme.invoice-7.0f"
        );
        assert_eq!(run.scheduled_time_text(), "2027-03-09T14:32:00Z");
        assert_eq!(run.execution_id, "req-7");
        assert_eq!(run.job, None);
        assert_eq!(run.input, Some(json!({"title":"Pay"})));
        assert_eq!(run.one_off_key.as_deref(), Some("acme/invoice-7"));
        // A second delivery of the firing is the same run.
        let again = parse(&e, "req-8", now()).expect("parses");
        assert_eq!(again.dedup_id("alerts", 0), run.dedup_id("alerts", 0));

        let mut raw = e.clone();
        raw["scheduledTime"] = json!("<aws.scheduler.scheduled-time>");
        let err = parse(&raw, "r", now()).expect_err("placeholder");
        assert!(
            err.to_string()
                .contains("field `scheduledTime` is an unsubstituted"),
            "{err}"
        );
        let mut v2 = e.clone();
        v2["cloudCron"] = json!(2);
        let err = parse(&v2, "r", now()).expect_err("version");
        assert!(err.to_string().contains("field `cloudCron` is 2"), "{err}");
        let mut bad_shape = e;
        bad_shape["timeZone"] = json!("Pay");
        bad_shape.as_object_mut().expect("object").remove("payload");
        let err = parse(&bad_shape, "r", now()).expect_err("shape");
        assert!(!err.to_string().contains("Pay"), "{err}");
    }

    #[test]
    fn two_jobs_at_one_instant_get_distinct_dedup_ids() {
        let mut a = parse(&json!({"job":"a"}), "req", now()).expect("parses");
        let plain = ScheduledRun {
            job: None,
            ..a.clone()
        };
        let a_id = a.dedup_id("results", 0);
        a.job = Some("b".into());
        assert_ne!(a_id, a.dedup_id("results", 0));
        assert_ne!(a_id, plain.dedup_id("results", 0));
        assert_eq!(
            plain.dedup_id("results", 0),
            contract::dedup_id("manual", "2026-11-28T10:11:12Z", "results", 0),
            "runs without a job keep the version 1 ids"
        );
    }
}
