//! The identity of a scheduled run and the record key derived from it.

use sha2::{Digest, Sha256};

use super::IdempotencyError;

/// The record key of the scheduled run `(schedule_arn, scheduled_time)`:
/// `run#` followed by the lowercase hex SHA-256 of
/// `"<schedule_arn>\n<scheduled_time>"`.
///
/// The strings are hashed exactly as the Scheduler passes them (no
/// normalisation), so every retry of a run maps to the same key and other
/// languages can compute it with any SHA-256.
///
/// ```
/// use cloud_cron_runtime::idempotency::idempotency_key;
/// let key = idempotency_key(
///     "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
///     "2026-11-28T09:00:00Z",
/// );
/// assert_eq!(
///     key,
///     "run#662076ebd97f804006cbe7a4bbf8e35eb539c5b7d01d3764878395b936b35188"
/// );
/// ```
pub fn idempotency_key(schedule_arn: &str, scheduled_time: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::new()
        .chain_update(schedule_arn.as_bytes())
        .chain_update(b"\n")
        .chain_update(scheduled_time.as_bytes())
        .finalize();
    let mut key = String::with_capacity(4 + 2 * digest.len());
    key.push_str("run#");
    for byte in digest {
        key.push(char::from(HEX[usize::from(byte >> 4)]));
        key.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    key
}

/// The record key of a run of job `job` (`.job(name, ..)` on the function):
/// `run#` followed by the lowercase hex SHA-256 of
/// `"<schedule_arn>\n<scheduled_time>\n<job>"`. Two jobs of one function
/// that fire at the same instant are two runs, even invoked by hand.
///
/// ```
/// use cloud_cron_runtime::idempotency::{idempotency_key, job_idempotency_key};
/// let (arn, time) = ("manual", "2026-11-28T09:00:00Z");
/// assert_ne!(job_idempotency_key(arn, time, "a"), job_idempotency_key(arn, time, "b"));
/// assert_ne!(job_idempotency_key(arn, time, "a"), idempotency_key(arn, time));
/// ```
pub fn job_idempotency_key(schedule_arn: &str, scheduled_time: &str, job: &str) -> String {
    idempotency_key(schedule_arn, &format!("{scheduled_time}\n{job}"))
}

/// One attempt of one scheduled run, as the Scheduler's input describes it
/// (`scheduleArn`, `scheduledTime`, `job`, `executionId`, `attemptNumber`).
///
/// `schedule_arn`, `scheduled_time` and `job` identify the run; the other two
/// are written to the record for debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledRun<'a> {
    /// The schedule's ARN.
    pub schedule_arn: &'a str,
    /// The time the run was scheduled for, exactly as the Scheduler passed it.
    pub scheduled_time: &'a str,
    /// The Scheduler's id of this attempt (not unique across Lambda's own retries).
    pub execution_id: &'a str,
    /// The Scheduler's attempt number as text; may be empty.
    pub attempt_number: &'a str,
    /// The job the run is for, when the function runs jobs.
    pub job: Option<&'a str>,
}

impl ScheduledRun<'_> {
    /// The run's record key: [`idempotency_key`](super::idempotency_key) of
    /// its ARN and scheduled time, or [`job_idempotency_key`] with its job.
    ///
    /// ```
    /// use cloud_cron_runtime::idempotency::{idempotency_key, ScheduledRun};
    /// let run = ScheduledRun {
    ///     schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Report",
    ///     scheduled_time: "2026-11-28T09:00:00Z",
    ///     execution_id: "e1",
    ///     attempt_number: "1",
    ///     job: None,
    /// };
    /// let retry = ScheduledRun { execution_id: "e2", attempt_number: "2", ..run };
    /// assert_eq!(run.key(), retry.key());
    /// assert_eq!(run.key(), idempotency_key(run.schedule_arn, run.scheduled_time));
    /// ```
    pub fn key(&self) -> String {
        match self.job {
            Some(job) => job_idempotency_key(self.schedule_arn, self.scheduled_time, job),
            None => idempotency_key(self.schedule_arn, self.scheduled_time),
        }
    }

    /// Rejects identities that would merge unrelated runs under one key.
    pub(super) fn validate(&self) -> Result<(), IdempotencyError> {
        for (field, value) in [
            ("scheduleArn", self.schedule_arn),
            ("scheduledTime", self.scheduled_time),
        ] {
            let problem = if value.trim().is_empty() {
                "is empty"
            } else if value.contains('\n') {
                "contains a line break"
            } else if value.starts_with("<aws.scheduler.") {
                "holds an unsubstituted Scheduler placeholder (the function was not invoked by EventBridge Scheduler)"
            } else {
                continue;
            };
            return Err(IdempotencyError::InvalidRun { field, problem });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(schedule_arn: &'a str, scheduled_time: &'a str) -> ScheduledRun<'a> {
        ScheduledRun {
            schedule_arn,
            scheduled_time,
            execution_id: "e",
            attempt_number: "1",
            job: None,
        }
    }

    #[test]
    fn the_job_is_part_of_the_key() {
        // printf 'a\nb\nclose' | sha256sum
        assert_eq!(
            job_idempotency_key("a", "b", "close"),
            "run#4b638491b3d0f6b45f25ddce4004bfc23db807a90d137cec3daa5036fb03b09f"
        );
        let plain = run("arn:x", "2026-11-28T09:00:00Z");
        let close = ScheduledRun {
            job: Some("close"),
            ..plain
        };
        let open = ScheduledRun {
            job: Some("open"),
            ..plain
        };
        assert_ne!(close.key(), open.key());
        assert_ne!(close.key(), plain.key());
    }

    #[test]
    fn key_is_run_prefix_and_sha256_hex() {
        // printf 'a\nb' | sha256sum
        assert_eq!(
            idempotency_key("a", "b"),
            "run#7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78"
        );
    }

    #[test]
    fn line_break_separates_the_fields() {
        assert_ne!(idempotency_key("ab", "c"), idempotency_key("a", "bc"));
    }

    #[test]
    fn unsafe_identities_are_rejected() {
        for (arn, time, field) in [
            ("", "2026-11-28T09:00:00Z", "scheduleArn"),
            ("arn:x", " ", "scheduledTime"),
            ("arn:x\n", "t", "scheduleArn"),
            ("arn:x", "<aws.scheduler.scheduled-time>", "scheduledTime"),
        ] {
            match run(arn, time).validate() {
                Err(IdempotencyError::InvalidRun { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{arn:?}/{time:?}: {other:?}"),
            }
        }
        assert!(run("arn:x", "2026-11-28T09:00:00Z").validate().is_ok());
    }
}
