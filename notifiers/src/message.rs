//! Parsing an SQS record's body (a raw SNS delivery) into a [`Message`]: the
//! runtime's [`Envelope`] of a task's message, a one-off schedule's input
//! (a topic is a `OneOffSchedules` target: the Scheduler publishes the
//! contract's [`OneOffInput`] itself, read as the envelope
//! [`OneOffInput::into_envelope`] makes), or an alarm message
//! ([`AlarmMessage`]: a CloudWatch alarm notification or a watchdog finding
//! published to the ops topic). Anything else is a [`MalformedMessage`].
//!
//! Errors describe what is wrong with the body's *shape* (not JSON, a missing
//! or mistyped field, another envelope version, an SNS notification wrapper)
//! and never quote its content: message bodies can hold personal data.

use cloud_cron_contract::one_off::{OneOffInput, ONE_OFF_INPUT_VERSION};
use cloud_cron_contract::{Envelope, ENVELOPE_VERSION};
use serde_json::{Map, Value};

use crate::alarm::{self, AlarmMessage};

/// A body that is not a message a notifier reads. Permanent: retrying cannot fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the message is not one a notifier reads (a cloud-cron envelope, a one-off schedule's \
     input, a CloudWatch alarm notification or a watchdog finding): {reason}"
)]
pub struct MalformedMessage {
    /// What is wrong (never the body's content).
    pub reason: String,
}

fn malformed(reason: impl Into<String>) -> MalformedMessage {
    MalformedMessage {
        reason: reason.into(),
    }
}

/// A message a notifier reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A task's message, or a one-off schedule's input read as one
    /// ([`OneOffInput::into_envelope`]: the whole input is the payload).
    Task(Envelope<Value>),
    /// A CloudWatch alarm notification or a watchdog finding.
    Alarm(Box<AlarmMessage>),
}

impl Message {
    /// The envelope the channels and the dedup use (for an alarm, its
    /// stand-in: see [`AlarmMessage::envelope`]).
    pub fn envelope(&self) -> &Envelope<Value> {
        match self {
            Message::Task(envelope) => envelope,
            Message::Alarm(alarm) => &alarm.envelope,
        }
    }
}

/// Parses `body`: a cloud-cron envelope (it has `cloudCron` and `id`), a
/// one-off schedule's input (`cloudCron`, `key` and `scheduledFor`, no
/// `id`), a CloudWatch alarm notification (`AlarmName` and
/// `NewStateValue`) or a watchdog finding (`version`, `kind`, `job`,
/// `expectedUtc`).
///
/// ```
/// use cloud_cron_notifiers::message::{parse_message, Message};
/// let body = r#"{"AlarmName":"a","AlarmDescription":null,"NewStateValue":"ALARM",
///               "AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"}"#;
/// let Ok(Message::Alarm(alarm)) = parse_message(body) else { panic!() };
/// assert_eq!(alarm.alarm.region, "eu-west-1");
/// let err = parse_message(r#"{"name": "Jane Doe"}"#).unwrap_err();
/// assert!(err.to_string().contains("neither a CloudWatch alarm notification"), "{err}");
/// ```
///
/// # Errors
///
/// [`MalformedMessage`] saying what is wrong, without the body's content.
pub fn parse_message(body: &str) -> Result<Message, MalformedMessage> {
    let object = parse_object(body)?;
    if is_one_off_input(&object) {
        return one_off_from(object).map(Message::Task);
    }
    if object.contains_key("cloudCron") {
        return envelope_from(object).map(Message::Task);
    }
    if alarm::is_cloudwatch_alarm(&object) {
        return alarm::cloudwatch_alarm(Value::Object(object))
            .map(|a| Message::Alarm(Box::new(a)))
            .map_err(|reason| {
                malformed(format!(
                    "it looks like a CloudWatch alarm notification but does not read as one: {reason}"
                ))
            });
    }
    if alarm::is_watchdog_finding(&object) {
        return alarm::watchdog_finding(Value::Object(object))
            .map(|a| Message::Alarm(Box::new(a)))
            .map_err(|reason| {
                malformed(format!(
                    "it looks like a watchdog finding but does not read as one: {reason}"
                ))
            });
    }
    Err(malformed(
        "the field `cloudCron` (the envelope version) is missing, and the body is neither a \
         CloudWatch alarm notification (`AlarmName`, `NewStateValue`) nor a watchdog finding \
         (`version`, `kind`, `job`, `expectedUtc`)",
    ))
}

/// Parses `body` into an envelope with a JSON payload.
///
/// ```
/// use cloud_cron_notifiers::message::parse_envelope;
/// let body = r#"{"cloudCron":1,"id":"ab","task":"t","topic":"alerts","scheduleArn":"manual",
///               "scheduledTime":"2026-11-28T06:00:00Z","ordinal":0,"payload":{"text":"hi"}}"#;
/// assert_eq!(parse_envelope(body).unwrap().payload["text"], "hi");
/// let err = parse_envelope(r#"{"name": "Jane Doe"}"#).unwrap_err();
/// assert!(!err.to_string().contains("Jane"));
/// ```
///
/// # Errors
///
/// [`MalformedMessage`] saying what is wrong.
pub fn parse_envelope(body: &str) -> Result<Envelope<Value>, MalformedMessage> {
    envelope_from(parse_object(body)?)
}

/// The body as a JSON object.
fn parse_object(body: &str) -> Result<Map<String, Value>, MalformedMessage> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        if body.trim().is_empty() {
            malformed("the body is empty")
        } else {
            // Line and column only: serde's messages can quote the input.
            malformed(format!(
                "the body is not JSON (syntax error at line {} column {})",
                e.line(),
                e.column()
            ))
        }
    })?;
    let Value::Object(object) = value else {
        return Err(malformed(format!(
            "the body is JSON {}, not an object",
            json_type(&value)
        )));
    };
    if object.get("Type").and_then(Value::as_str) == Some("Notification")
        && object.contains_key("Message")
        && !object.contains_key("cloudCron")
    {
        return Err(malformed(
            "the body is an SNS notification wrapper: enable raw message delivery \
             (RawMessageDelivery=true) on the topic's subscription to this queue",
        ));
    }
    Ok(object)
}

/// The envelope in `object`.
fn envelope_from(mut object: Map<String, Value>) -> Result<Envelope<Value>, MalformedMessage> {
    let version = object
        .get("cloudCron")
        .ok_or_else(|| malformed("the field `cloudCron` (the envelope version) is missing"))?;
    if version.as_u64() != Some(u64::from(ENVELOPE_VERSION)) {
        return Err(malformed(match version.as_u64() {
            Some(v) => format!(
                "envelope version {v} is not supported (this notifier reads version {ENVELOPE_VERSION})"
            ),
            None => format!("the field `cloudCron` is {}, not a number", json_type(version)),
        }));
    }
    let ordinal = match object.get("ordinal") {
        None => return Err(malformed("the field `ordinal` is missing")),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                malformed("the field `ordinal` is not a whole number from 0 to 4294967295")
            })?,
    };
    Ok(Envelope {
        cloud_cron: ENVELOPE_VERSION,
        id: string_field(&mut object, "id")?,
        task: string_field(&mut object, "task")?,
        topic: string_field(&mut object, "topic")?,
        schedule_arn: string_field(&mut object, "scheduleArn")?,
        scheduled_time: string_field(&mut object, "scheduledTime")?,
        ordinal,
        payload: object
            .remove("payload")
            .ok_or_else(|| malformed("the field `payload` is missing"))?,
    })
}

/// A one-off input has the envelope's `cloudCron` but no `id`, and the
/// input's own `key` and `scheduledFor`.
fn is_one_off_input(object: &Map<String, Value>) -> bool {
    object.contains_key("cloudCron")
        && !object.contains_key("id")
        && object.contains_key("key")
        && object.contains_key("scheduledFor")
}

/// The one-off input in `object`, as its envelope. Checked field by field
/// (serde's own messages can quote the input), and refused while a context
/// attribute is unsubstituted: such an input was not delivered by the
/// Scheduler, and every copy of it would share one dedup id.
fn one_off_from(mut object: Map<String, Value>) -> Result<Envelope<Value>, MalformedMessage> {
    let version = object.get("cloudCron").and_then(Value::as_u64);
    if version != Some(u64::from(ONE_OFF_INPUT_VERSION)) {
        return Err(malformed(match version {
            Some(v) => format!(
                "one-off input version {v} is not supported (this notifier reads version \
                 {ONE_OFF_INPUT_VERSION})"
            ),
            None => "the one-off input's field `cloudCron` is not a whole number".to_owned(),
        }));
    }
    let tenant = match object.remove("tenant") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t),
        Some(other) => {
            return Err(malformed(format!(
                "the one-off input's field `tenant` is {}, not a string",
                json_type(&other)
            )))
        }
    };
    let input = OneOffInput {
        cloud_cron: ONE_OFF_INPUT_VERSION,
        key: string_field(&mut object, "key")?,
        tenant,
        scheduled_for: string_field(&mut object, "scheduledFor")?,
        time_zone: string_field(&mut object, "timeZone")?,
        schedule_arn: string_field(&mut object, "scheduleArn")?,
        scheduled_time: string_field(&mut object, "scheduledTime")?,
        payload: object
            .remove("payload")
            .ok_or_else(|| malformed("the one-off input's field `payload` is missing"))?,
    };
    if let Some(field) = input.unsubstituted_field() {
        return Err(malformed(format!(
            "the one-off input's field `{field}` holds an unsubstituted `<aws.scheduler.…>` \
             placeholder: only EventBridge Scheduler delivering to its target fills it in, \
             and without it copies of one firing cannot be told apart from other firings"
        )));
    }
    let envelope = input.into_envelope();
    let payload = serde_json::to_value(&envelope.payload)
        .map_err(|_| malformed("the one-off input could not be re-encoded as JSON"))?;
    Ok(Envelope {
        cloud_cron: envelope.cloud_cron,
        id: envelope.id,
        task: envelope.task,
        topic: envelope.topic,
        schedule_arn: envelope.schedule_arn,
        scheduled_time: envelope.scheduled_time,
        ordinal: envelope.ordinal,
        payload,
    })
}

fn string_field(object: &mut Map<String, Value>, name: &str) -> Result<String, MalformedMessage> {
    match object.remove(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(malformed(format!("the field `{name}` is empty"))),
        Some(other) => Err(malformed(format!(
            "the field `{name}` is {}, not a string",
            json_type(&other)
        ))),
        None => Err(malformed(format!("the field `{name}` is missing"))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
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

    fn valid() -> Value {
        json!({
            "cloudCron": 1, "id": "ab12", "task": "daily-report", "topic": "alerts",
            "scheduleArn": "manual", "scheduledTime": "2026-11-28T06:00:00Z", "ordinal": 3,
            "payload": {"text": "secret-ish"}
        })
    }

    fn reason(body: &str) -> String {
        let reason = parse_envelope(body).unwrap_err().reason;
        assert!(
            !reason.contains("secret-ish") && !reason.contains("Jane"),
            "{reason}"
        );
        reason
    }

    #[test]
    fn the_published_envelope_parses() {
        let published = Envelope {
            cloud_cron: 1,
            id: "ab12".into(),
            task: "daily-report".into(),
            topic: "alerts".into(),
            schedule_arn: "manual".into(),
            scheduled_time: "2026-11-28T06:00:00Z".into(),
            ordinal: 3,
            payload: json!({"text": "secret-ish"}),
        };
        let body = serde_json::to_string(&published).unwrap();
        assert_eq!(parse_envelope(&body).unwrap(), published);
        assert_eq!(serde_json::to_value(&published).unwrap(), valid());
    }

    fn one_off() -> Value {
        json!({
            "cloudCron": 1, "key": "acme/invoice-7", "tenant": "acme",
            "scheduledFor": "2027-03-09T14:32:00", "timeZone": "Europe/London",
            "scheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/r/acme.invoice-7.0f",
            "scheduledTime": "2027-03-09T14:32:00Z",
            "payload": {"title": "secret-ish"}
        })
    }

    #[test]
    fn a_delivered_one_off_input_reads_as_its_envelope() {
        let Ok(Message::Task(envelope)) = parse_message(&one_off().to_string()) else {
            panic!("a one-off input is a task message");
        };
        let input: OneOffInput<Value> = serde_json::from_value(one_off()).expect("input");
        assert_eq!(envelope.id, input.dedup_id());
        assert_eq!(envelope.task, "one-off");
        assert_eq!(envelope.topic, "one-off");
        assert_eq!(
            envelope.schedule_arn,
            "arn:aws:scheduler:us-east-1:123456789012:schedule/r/acme.invoice-7.0f"
        );
        assert_eq!(envelope.scheduled_time, "2027-03-09T14:32:00Z");
        assert_eq!(
            envelope.payload,
            one_off(),
            "the whole input is the payload"
        );
        // Without a tenant, too.
        let mut no_tenant = one_off();
        no_tenant.as_object_mut().unwrap().remove("tenant");
        assert!(parse_message(&no_tenant.to_string()).is_ok());
    }

    #[test]
    fn one_off_shape_errors_say_what_is_wrong_without_content() {
        let reason = |v: Value| {
            let reason = parse_message(&v.to_string()).unwrap_err().reason;
            assert!(
                !reason.contains("secret-ish") && !reason.contains("acme"),
                "{reason}"
            );
            reason
        };
        let mut v = one_off();
        v["scheduledTime"] = json!("<aws.scheduler.scheduled-time>");
        assert!(reason(v).contains("`scheduledTime` holds an unsubstituted"));
        let mut v = one_off();
        v["scheduleArn"] = json!("<aws.scheduler.schedule-arn>");
        assert!(reason(v).contains("`scheduleArn` holds an unsubstituted"));
        let mut v = one_off();
        v["cloudCron"] = json!(2);
        assert!(reason(v).contains("one-off input version 2 is not supported"));
        let mut v = one_off();
        v["tenant"] = json!(["acme"]);
        assert!(reason(v).contains("`tenant` is an array"));
        let mut v = one_off();
        v.as_object_mut().unwrap().remove("payload");
        assert!(reason(v).contains("`payload` is missing"));
        let mut v = one_off();
        v["timeZone"] = json!(1);
        assert!(reason(v).contains("`timeZone` is a number"));
    }

    #[test]
    fn shape_errors_say_what_is_wrong_without_content() {
        assert!(reason("").contains("empty"));
        assert!(reason("{\"text\": \"Jane").contains("not JSON"));
        assert!(reason("[\"Jane\"]").contains("an array, not an object"));
        assert!(
            reason(r#"{"Type":"Notification","Message":"Jane"}"#).contains("raw message delivery")
        );
        let mut v = valid();
        v["cloudCron"] = json!(2);
        assert!(reason(&v.to_string()).contains("version 2 is not supported"));
        let mut v = valid();
        v["task"] = json!({"name": "Jane"});
        assert!(reason(&v.to_string()).contains("`task` is an object, not a string"));
        let mut v = valid();
        v.as_object_mut().unwrap().remove("payload");
        assert!(reason(&v.to_string()).contains("`payload` is missing"));
        let mut v = valid();
        v["ordinal"] = json!(-1);
        assert!(reason(&v.to_string()).contains("`ordinal`"));
        let mut v = valid();
        v["id"] = json!("");
        assert!(reason(&v.to_string()).contains("`id` is empty"));
    }
}
