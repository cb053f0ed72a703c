//! One-off schedules created at run time (`cloud-cron-scheduler`): the
//! variables that configure the client, and the versioned input every such
//! schedule hands its target.
//!
//! The target (a Lambda, a queue consumer, code in any language) reads
//! [`OneOffInput`]; `scheduleArn` and `scheduledTime` hold the Scheduler's
//! context attributes, substituted on delivery, so retries of one delivery
//! carry the same pair and can be deduplicated the way scheduled runs are.

use serde_derive::{Deserialize, Serialize};

use crate::context;

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
