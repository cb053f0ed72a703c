//! Owns [`OneOffSettings`]: where one-off schedules go (group, target, role,
//! dead-letter queue, KMS key) and how the Scheduler retries deliveries, read
//! from the environment variables `cloud_cron_contract::one_off` names.

use cloud_cron_contract::one_off::{
    ONE_OFF_DLQ_ARN_ENV, ONE_OFF_GROUP_ENV, ONE_OFF_KMS_KEY_ARN_ENV, ONE_OFF_MAX_EVENT_AGE_ENV,
    ONE_OFF_MAX_RETRY_ATTEMPTS_ENV, ONE_OFF_ROLE_ARN_ENV, ONE_OFF_TARGET_ARN_ENV,
};

use crate::error::{Result, SchedulerError};

/// The largest `Target.Input` this client sends, in bytes (256 KiB); see the
/// README ("Limits") for where the figure comes from.
pub const MAX_INPUT_BYTES: usize = 262_144;

/// How the Scheduler retries a delivery the target failed (`Target.RetryPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRetry {
    /// Retries after the first attempt, 0-185 (the Scheduler's default: 185).
    pub max_retry_attempts: u32,
    /// How long to keep retrying, 60-86400 seconds (default: 86400).
    pub max_event_age_seconds: u32,
}

impl Default for DeliveryRetry {
    fn default() -> Self {
        DeliveryRetry {
            max_retry_attempts: 185,
            max_event_age_seconds: 86_400,
        }
    }
}

/// Where one-off schedules are created and what they invoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOffSettings {
    /// The schedule group (it must exist; the template creates it).
    pub group: String,
    /// The target's ARN.
    pub target_arn: String,
    /// The role the Scheduler assumes to invoke the target.
    pub role_arn: String,
    /// The SQS queue for deliveries that fail every retry.
    pub dead_letter_arn: Option<String>,
    /// The customer managed KMS key the schedules are encrypted with.
    pub kms_key_arn: Option<String>,
    /// The delivery retry policy.
    pub retry: DeliveryRetry,
    /// The largest input sent, in bytes ([`MAX_INPUT_BYTES`] by default).
    pub max_input_bytes: usize,
}

impl OneOffSettings {
    /// Settings with the required values, no dead-letter queue, no KMS key and
    /// the Scheduler's default retry policy.
    pub fn new(
        group: impl Into<String>,
        target_arn: impl Into<String>,
        role_arn: impl Into<String>,
    ) -> OneOffSettings {
        OneOffSettings {
            group: group.into(),
            target_arn: target_arn.into(),
            role_arn: role_arn.into(),
            dead_letter_arn: None,
            kms_key_arn: None,
            retry: DeliveryRetry::default(),
            max_input_bytes: MAX_INPUT_BYTES,
        }
    }

    /// Reads the settings from the process environment; the error names the
    /// first missing or invalid variable.
    pub fn from_env() -> Result<OneOffSettings> {
        OneOffSettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (a variable's value, if set).
    ///
    /// ```
    /// use cloud_cron_scheduler::OneOffSettings;
    /// let err = OneOffSettings::from_lookup(|name| match name {
    ///     "CLOUDCRON_ONE_OFF_GROUP" => Some("reminders".to_owned()),
    ///     _ => None,
    /// }).unwrap_err();
    /// assert!(err.to_string().contains("CLOUDCRON_ONE_OFF_TARGET_ARN"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<OneOffSettings> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str, what: &'static str| {
            get(name).ok_or(SchedulerError::MissingVariable { name, what })
        };
        let group = required(ONE_OFF_GROUP_ENV, "the schedule group's name")?;
        let target_arn = required(ONE_OFF_TARGET_ARN_ENV, "the target's ARN")?;
        let role_arn = required(
            ONE_OFF_ROLE_ARN_ENV,
            "the ARN of the role EventBridge Scheduler assumes",
        )?;
        let number = |name: &'static str, range: std::ops::RangeInclusive<u32>, default: u32| {
            match get(name) {
                None => Ok(default),
                Some(value) => match value.trim().parse::<u32>() {
                    Ok(n) if range.contains(&n) => Ok(n),
                    _ => Err(SchedulerError::InvalidVariable {
                        name,
                        value,
                        problem: format!(
                            "it must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    }),
                },
            }
        };
        let defaults = DeliveryRetry::default();
        Ok(OneOffSettings {
            group,
            target_arn,
            role_arn,
            dead_letter_arn: get(ONE_OFF_DLQ_ARN_ENV),
            kms_key_arn: get(ONE_OFF_KMS_KEY_ARN_ENV),
            retry: DeliveryRetry {
                max_retry_attempts: number(
                    ONE_OFF_MAX_RETRY_ATTEMPTS_ENV,
                    0..=185,
                    defaults.max_retry_attempts,
                )?,
                max_event_age_seconds: number(
                    ONE_OFF_MAX_EVENT_AGE_ENV,
                    60..=86_400,
                    defaults.max_event_age_seconds,
                )?,
            },
            max_input_bytes: MAX_INPUT_BYTES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const REQUIRED: [(&str, &str); 3] = [
        (ONE_OFF_GROUP_ENV, "reminders"),
        (
            ONE_OFF_TARGET_ARN_ENV,
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ),
        (ONE_OFF_ROLE_ARN_ENV, "arn:aws:iam::123456789012:role/r"),
    ];

    #[test]
    fn each_missing_variable_is_named() {
        for (missing, (missing_name, _)) in REQUIRED.iter().enumerate() {
            let vars: Vec<_> = REQUIRED
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != missing)
                .map(|(_, v)| *v)
                .collect();
            let err = OneOffSettings::from_lookup(lookup(&vars)).unwrap_err();
            assert!(
                matches!(err, SchedulerError::MissingVariable { name, .. } if name == *missing_name),
                "{err}"
            );
            assert!(err.to_string().contains(missing_name));
        }
    }

    #[test]
    fn optional_values_are_read() {
        let mut vars = REQUIRED.to_vec();
        vars.push((
            ONE_OFF_DLQ_ARN_ENV,
            "arn:aws:sqs:us-east-1:123456789012:dlq",
        ));
        vars.push((ONE_OFF_MAX_RETRY_ATTEMPTS_ENV, "3"));
        let settings = OneOffSettings::from_lookup(lookup(&vars)).expect("valid");
        assert_eq!(settings.group, "reminders");
        assert_eq!(
            settings.dead_letter_arn.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:dlq")
        );
        assert_eq!(settings.kms_key_arn, None);
        assert_eq!(settings.retry.max_retry_attempts, 3);
        assert_eq!(settings.retry.max_event_age_seconds, 86_400);
    }

    #[test]
    fn out_of_range_retry_values_are_rejected() {
        let mut vars = REQUIRED.to_vec();
        vars.push((ONE_OFF_MAX_EVENT_AGE_ENV, "30"));
        let err = OneOffSettings::from_lookup(lookup(&vars)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(ONE_OFF_MAX_EVENT_AGE_ENV) && text.contains("60 to 86400"),
            "{text}"
        );
    }
}
