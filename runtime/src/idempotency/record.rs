//! The DynamoDB item behind a run: attribute names, status values, and
//! reading back an item DynamoDB returned.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;

use super::RecordState;

pub(super) const STATUS_IN_PROGRESS: &str = "IN_PROGRESS";
pub(super) const STATUS_COMPLETED: &str = "COMPLETED";

/// Attribute names other than the key and the TTL.
pub(super) mod attr {
    pub const STATUS: &str = "status";
    pub const IN_PROGRESS_UNTIL: &str = "inProgressUntil";
    pub const TOKEN: &str = "token";
    pub const SCHEDULE_ARN: &str = "scheduleArn";
    pub const SCHEDULED_TIME: &str = "scheduledTime";
    /// The job of a job's run.
    pub const JOB: &str = "job";
    pub const EXECUTION_ID: &str = "executionId";
    pub const ATTEMPT_NUMBER: &str = "attemptNumber";
    pub const STARTED_AT: &str = "startedAt";
    pub const COMPLETED_AT: &str = "completedAt";
}

/// The value of attribute `name` among `extra`, or `""`.
pub(super) fn lookup<'a>(extra: &[(&str, &'a str)], name: &str) -> &'a str {
    extra
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_default()
}

/// What a record returned by a failed conditional write holds.
pub(super) fn record_state(
    item: Option<&HashMap<String, AttributeValue>>,
) -> Result<RecordState, &'static str> {
    let Some(item) = item.filter(|item| !item.is_empty()) else {
        return Ok(RecordState::Missing);
    };
    match string_attr(item, attr::STATUS).as_deref() {
        Some(STATUS_COMPLETED) => Ok(RecordState::Completed),
        Some(STATUS_IN_PROGRESS) => {
            let until_ms = match item.get(attr::IN_PROGRESS_UNTIL) {
                Some(AttributeValue::N(value)) => value
                    .parse::<u64>()
                    .map_err(|_| "inProgressUntil is not a whole number of milliseconds")?,
                _ => return Err("an IN_PROGRESS record has no numeric inProgressUntil"),
            };
            Ok(RecordState::InProgress {
                until: UNIX_EPOCH + Duration::from_millis(until_ms),
                execution_id: string_attr(item, attr::EXECUTION_ID),
            })
        }
        _ => Err("status is neither IN_PROGRESS nor COMPLETED"),
    }
}

pub(super) fn string_attr(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    }
}

/// 128 random bits as hex. Only uniqueness among the attempts of one run
/// matters (the token is no secret): fastrand is seeded per thread from the
/// OS-randomised std hasher.
pub(super) fn new_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

pub(super) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub(super) fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_states_are_read() {
        assert_eq!(record_state(None), Ok(RecordState::Missing));
        let completed = HashMap::from([(attr::STATUS.to_owned(), s(STATUS_COMPLETED))]);
        assert_eq!(record_state(Some(&completed)), Ok(RecordState::Completed));
        let in_progress = HashMap::from([
            (attr::STATUS.to_owned(), s(STATUS_IN_PROGRESS)),
            (attr::IN_PROGRESS_UNTIL.to_owned(), n(1_500)),
        ]);
        assert_eq!(
            record_state(Some(&in_progress)),
            Ok(RecordState::InProgress {
                until: UNIX_EPOCH + Duration::from_millis(1_500),
                execution_id: None
            })
        );
        let unknown_status = HashMap::from([(attr::STATUS.to_owned(), s("DONE"))]);
        assert!(record_state(Some(&unknown_status)).is_err());
        let no_lease = HashMap::from([(attr::STATUS.to_owned(), s(STATUS_IN_PROGRESS))]);
        assert!(record_state(Some(&no_lease)).is_err());
    }

    #[test]
    fn tokens_differ() {
        let a = new_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_token());
    }
}
