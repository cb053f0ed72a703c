//! One-off schedules created at run time (`cloud-cron-scheduler`): the
//! variables that configure the client, and the versioned input every such
//! schedule hands its target.
//!
//! The target (a Lambda, a queue consumer, code in any language) reads
//! [`OneOffInput`]; `scheduleArn` and `scheduledTime` hold the Scheduler's
//! context attributes, substituted on delivery, so retries of one delivery
//! carry the same pair and can be deduplicated the way scheduled runs are.
//!
//! A topic target's subscribers (the notification channels) read the input
//! as a message envelope ([`OneOffInput::into_envelope`]): task and topic
//! [`ONE_OFF_TASK`], the whole input as the payload, and an id
//! ([`one_off_dedup_id`]) that is the same for every copy of one firing.

use serde_derive::{Deserialize, Serialize};

use crate::{context, sha256_hex, Envelope, ENVELOPE_VERSION};

/// The schedule group one-off schedules are created in (required).
pub const ONE_OFF_GROUP_ENV: &str = "CLOUDCRON_ONE_OFF_GROUP";
/// The ARN of the target every one-off schedule invokes (required).
pub const ONE_OFF_TARGET_ARN_ENV: &str = "CLOUDCRON_ONE_OFF_TARGET_ARN";
/// The ARN of the role the Scheduler assumes to invoke the target (required).
pub const ONE_OFF_ROLE_ARN_ENV: &str = "CLOUDCRON_ONE_OFF_ROLE_ARN";
/// The ARN of the SQS queue undeliverable invocations go to (optional).
pub const ONE_OFF_DLQ_ARN_ENV: &str = "CLOUDCRON_ONE_OFF_DLQ_ARN";
/// The ARN of the KMS key the Scheduler encrypts schedules with (optional).
pub const ONE_OFF_KMS_KEY_ARN_ENV: &str = "CLOUDCRON_ONE_OFF_KMS_KEY_ARN";
/// How many times the Scheduler retries a failed delivery, 0-185 (optional).
pub const ONE_OFF_MAX_RETRY_ATTEMPTS_ENV: &str = "CLOUDCRON_ONE_OFF_MAX_RETRY_ATTEMPTS";
/// How long, in seconds, the Scheduler keeps retrying, 60-86400 (optional).
pub const ONE_OFF_MAX_EVENT_AGE_ENV: &str = "CLOUDCRON_ONE_OFF_MAX_EVENT_AGE_SECONDS";

/// The version of the one-off input shape.
pub const ONE_OFF_INPUT_VERSION: u32 = 1;

/// The `task` and `topic` of the envelope a delivered one-off input is read
/// as ([`OneOffInput::into_envelope`]).
pub const ONE_OFF_TASK: &str = "one-off";

/// The deduplication id of one firing of a one-off schedule: the lower-case
/// hex SHA-256 of `one-off`, the schedule's ARN, the scheduled time and the
/// caller's key, joined by newlines. Every copy the Scheduler delivers of
/// one firing (its retries, an at-least-once duplicate) carries the same
/// ARN and scheduled time, so it gets the same id; a schedule moved to
/// another time, or another key, gets another.
///
/// ```
/// use cloud_cron_contract::one_off::one_off_dedup_id;
/// let arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/reminders/acme.invoice-7.0f";
/// let id = one_off_dedup_id(arn, "2027-03-09T14:32:00Z", "acme/invoice-7");
/// assert_eq!(id.len(), 64);
/// assert_ne!(id, one_off_dedup_id(arn, "2027-03-09T14:33:00Z", "acme/invoice-7"));
/// ```
pub fn one_off_dedup_id(schedule_arn: &str, scheduled_time: &str, key: &str) -> String {
    sha256_hex(&format!(
        "{ONE_OFF_TASK}\n{schedule_arn}\n{scheduled_time}\n{key}"
    ))
}

/// What a one-off schedule passes to its target: the caller's payload with
/// the key it was scheduled under and when.
///
/// ```
/// use cloud_cron_contract::one_off::OneOffInput;
///
/// let input = OneOffInput::template("tenant-42/invoice-7", Some("tenant-42"), "2027-03-09T14:32:00", "Europe/London", 7);
/// let json = serde_json::to_string(&input)?;
/// assert!(json.starts_with(r#"{"cloudCron":1,"key":"tenant-42/invoice-7","tenant":"tenant-42""#));
/// assert!(json.contains(r#""scheduledTime":"<aws.scheduler.scheduled-time>""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneOffInput<T> {
    /// The shape's version, [`ONE_OFF_INPUT_VERSION`].
    pub cloud_cron: u32,
    /// The caller's key, as given.
    pub key: String,
    /// The tenant: the part of the key before its first `/`, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The local date-time asked for, `yyyy-mm-ddThh:mm:ss`.
    pub scheduled_for: String,
    /// The IANA time zone `scheduled_for` is read in.
    pub time_zone: String,
    /// The schedule's ARN (substituted by the Scheduler on delivery).
    pub schedule_arn: String,
    /// The instant of the delivery, RFC 3339 UTC (substituted on delivery).
    pub scheduled_time: String,
    /// The caller's payload.
    pub payload: T,
}

impl<T> OneOffInput<T> {
    /// The input written into a schedule, with context attribute placeholders
    /// for `scheduleArn` and `scheduledTime`.
    pub fn template(
        key: &str,
        tenant: Option<&str>,
        scheduled_for: &str,
        time_zone: &str,
        payload: T,
    ) -> OneOffInput<T> {
        OneOffInput {
            cloud_cron: ONE_OFF_INPUT_VERSION,
            key: key.to_owned(),
            tenant: tenant.map(str::to_owned),
            scheduled_for: scheduled_for.to_owned(),
            time_zone: time_zone.to_owned(),
            schedule_arn: context::SCHEDULE_ARN.to_owned(),
            scheduled_time: context::SCHEDULED_TIME.to_owned(),
            payload,
        }
    }

    /// The first of `scheduleArn` and `scheduledTime` that still holds a
    /// context attribute placeholder (the input was not delivered by the
    /// Scheduler to a templated target), if any. Such an input has no
    /// firing to identify, so it cannot be deduplicated.
    pub fn unsubstituted_field(&self) -> Option<&'static str> {
        if context::is_placeholder(&self.schedule_arn) {
            Some("scheduleArn")
        } else if context::is_placeholder(&self.scheduled_time) {
            Some("scheduledTime")
        } else {
            None
        }
    }

    /// The deduplication id of the firing that delivered this input
    /// ([`one_off_dedup_id`]).
    pub fn dedup_id(&self) -> String {
        one_off_dedup_id(&self.schedule_arn, &self.scheduled_time, &self.key)
    }

    /// The input as the message envelope notification channels read: `id`
    /// [`dedup_id`](Self::dedup_id), `task` and `topic` [`ONE_OFF_TASK`],
    /// the schedule's ARN and scheduled time, ordinal 0, and the whole
    /// input as the payload (a template reads `payload.key`,
    /// `payload.scheduledFor`, `payload.timeZone`, `payload.payload.<field>`).
    ///
    /// ```
    /// use cloud_cron_contract::one_off::{OneOffInput, ONE_OFF_TASK};
    /// let mut input = OneOffInput::template("acme/invoice-7", Some("acme"), "2027-03-09T14:32:00", "Europe/London", "pay");
    /// input.schedule_arn = "arn:aws:scheduler:eu-west-2:123456789012:schedule/r/n".into();
    /// input.scheduled_time = "2027-03-09T14:32:00Z".into();
    /// let envelope = input.clone().into_envelope();
    /// assert_eq!(envelope.id, input.dedup_id());
    /// assert_eq!(envelope.task, ONE_OFF_TASK);
    /// assert_eq!(envelope.payload.payload, "pay");
    /// ```
    pub fn into_envelope(self) -> Envelope<OneOffInput<T>> {
        Envelope {
            cloud_cron: ENVELOPE_VERSION,
            id: self.dedup_id(),
            task: ONE_OFF_TASK.to_owned(),
            topic: ONE_OFF_TASK.to_owned(),
            schedule_arn: self.schedule_arn.clone(),
            scheduled_time: self.scheduled_time.clone(),
            ordinal: 0,
            payload: self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivered_input_parses() {
        let delivered = r#"{"cloudCron":1,"key":"invoice-7","scheduledFor":"2027-03-09T14:32:00","timeZone":"Europe/London","scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/g/n","scheduledTime":"2027-03-09T14:32:00Z","payload":{"amount":12}}"#;
        let input: OneOffInput<serde_json::Value> =
            serde_json::from_str(delivered).expect("parses");
        assert_eq!(input.tenant, None);
        assert_eq!(input.payload["amount"], 12);
        assert_eq!(input.scheduled_time, "2027-03-09T14:32:00Z");
    }

    #[test]
    fn one_firing_has_one_id_and_reads_as_an_envelope() {
        let delivered = r#"{"cloudCron":1,"key":"acme/invoice-7","tenant":"acme","scheduledFor":"2027-03-09T14:32:00","timeZone":"Europe/London","scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/g/n","scheduledTime":"2027-03-09T14:32:00Z","payload":{"title":"Pay"}}"#;
        let input: OneOffInput<serde_json::Value> =
            serde_json::from_str(delivered).expect("parses");
        assert_eq!(input.unsubstituted_field(), None);
        assert_eq!(
            input.dedup_id(),
            crate::sha256_hex("one-off\narn:aws:scheduler:us-east-1:123456789012:schedule/g/n\n2027-03-09T14:32:00Z\nacme/invoice-7")
        );
        let mut other_key = input.clone();
        other_key.key = "acme/invoice-8".into();
        assert_ne!(input.dedup_id(), other_key.dedup_id());

        let envelope = serde_json::to_value(input.clone().into_envelope()).expect("serializes");
        assert_eq!(envelope["cloudCron"], 1);
        assert_eq!(envelope["task"], "one-off");
        assert_eq!(envelope["topic"], "one-off");
        assert_eq!(envelope["ordinal"], 0);
        assert_eq!(envelope["scheduledTime"], "2027-03-09T14:32:00Z");
        assert_eq!(envelope["payload"]["payload"]["title"], "Pay");
        assert_eq!(envelope["payload"]["scheduledFor"], "2027-03-09T14:32:00");
    }

    #[test]
    fn placeholders_are_named_until_substituted() {
        let template = OneOffInput::template("k", None, "2027-01-01T00:00:00", "UTC", 1);
        assert_eq!(template.unsubstituted_field(), Some("scheduleArn"));
        let text = serde_json::to_string(&template).expect("serializes");
        let mut half: OneOffInput<u32> = serde_json::from_str(&text).expect("parses");
        half.schedule_arn = "arn".into();
        assert_eq!(half.unsubstituted_field(), Some("scheduledTime"));
        let delivered: OneOffInput<u32> = serde_json::from_str(&context::substitute(
            &text,
            "arn:s",
            "2027-01-01T00:00:00Z",
            "e",
            2,
        ))
        .expect("parses");
        assert_eq!(delivered.unsubstituted_field(), None);
        assert_eq!(delivered.schedule_arn, "arn:s");
        assert_eq!(delivered.scheduled_time, "2027-01-01T00:00:00Z");
    }

    #[test]
    fn the_template_carries_placeholders_and_omits_a_missing_tenant() {
        let json = serde_json::to_string(&OneOffInput::template(
            "k",
            None,
            "2027-01-01T00:00:00",
            "UTC",
            "p",
        ))
        .expect("serializes");
        assert_eq!(
            json,
            r#"{"cloudCron":1,"key":"k","scheduledFor":"2027-01-01T00:00:00","timeZone":"UTC","scheduleArn":"<aws.scheduler.schedule-arn>","scheduledTime":"<aws.scheduler.scheduled-time>","payload":"p"}"#
        );
    }
}
