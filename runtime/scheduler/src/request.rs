//! Owns [`PreparedSchedule`]: everything a `CreateSchedule` / `UpdateSchedule`
//! request carries that the client works out itself (name, `at()` expression,
//! zone, input envelope, client token), validated before anything is sent:
//! an IANA zone, a local time that exists, an instant in the future, an input
//! within the size limit.

use chrono::{DateTime, NaiveDateTime, TimeZone, Timelike, Utc};
use cloud_cron_contract::one_off::OneOffInput;
use cloud_cron_schedule::Tz;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, SchedulerError};
use crate::name::{schedule_name, tenant_of};

/// The format of `at()` expressions and of `scheduledFor`.
pub const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// A validated one-off schedule, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedSchedule {
    key: String,
    name: String,
    at: NaiveDateTime,
    time_zone: String,
    instant: DateTime<Utc>,
    expression: String,
    input: String,
    client_token: String,
}

impl PreparedSchedule {
    /// Validates and builds the request for `key` at local time `at` in
    /// `time_zone` (fractions of a second are dropped: `at()` takes whole
    /// seconds). A local time repeated by a fall-back transition means its
    /// first instant, as the Scheduler reads it.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use cloud_cron_scheduler::PreparedSchedule;
    ///
    /// let at = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap().and_hms_opt(14, 32, 0).unwrap();
    /// let now = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
    /// let prepared = PreparedSchedule::new("tenant-42/invoice-7", at, "Europe/London", &serde_json::json!({"amount": 12}), now, 262_144)?;
    /// assert_eq!(prepared.expression(), "at(2027-03-09T14:32:00)");
    /// assert_eq!(prepared.instant().to_rfc3339(), "2027-03-09T14:32:00+00:00");
    /// assert!(prepared.name().starts_with("tenant-42.invoice-7."));
    /// # Ok::<(), cloud_cron_scheduler::SchedulerError>(())
    /// ```
    pub fn new<T: Serialize + ?Sized>(
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &T,
        now: DateTime<Utc>,
        max_input_bytes: usize,
    ) -> Result<PreparedSchedule> {
        let tz = Tz::named(time_zone).ok_or_else(|| SchedulerError::UnknownTimeZone {
            time_zone: time_zone.to_owned(),
        })?;
        let at = at.with_nanosecond(0).unwrap_or(at);
        let instant = tz
            .from_local_datetime(&at)
            .earliest()
            .ok_or_else(|| SchedulerError::NonexistentLocalTime {
                at,
                time_zone: time_zone.to_owned(),
            })?
            .with_timezone(&Utc);
        if instant <= now {
            return Err(SchedulerError::InThePast {
                at,
                time_zone: time_zone.to_owned(),
                instant,
                now,
            });
        }
        let scheduled_for = at.format(AT_FORMAT).to_string();
        let envelope =
            OneOffInput::template(key, tenant_of(key), &scheduled_for, time_zone, payload);
        let input = serde_json::to_string(&envelope).map_err(|source| SchedulerError::Payload {
            key: key.to_owned(),
            source,
        })?;
        if input.len() > max_input_bytes {
            return Err(SchedulerError::InputTooLarge {
                key: key.to_owned(),
                actual: input.len(),
                max: max_input_bytes,
            });
        }
        let name = schedule_name(key);
        let expression = format!("at({scheduled_for})");
        let client_token = client_token(&name, &expression, time_zone, &input);
        Ok(PreparedSchedule {
            key: key.to_owned(),
            name,
            at,
            time_zone: time_zone.to_owned(),
            instant,
            expression,
            input,
            client_token,
        })
    }

    /// The caller's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The schedule name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local date-time.
    pub fn at(&self) -> NaiveDateTime {
        self.at
    }

    /// The IANA zone.
    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }

    /// The instant it fires.
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// `at(yyyy-mm-ddThh:mm:ss)`.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The target's input: the payload in a `OneOffInput` envelope, as JSON.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The client token: hex SHA-256 of name, expression, zone and input, so a
    /// retried request is recognised as the same one.
    pub fn client_token(&self) -> &str {
        &self.client_token
    }
}

fn client_token(name: &str, expression: &str, time_zone: &str, input: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [name, expression, time_zone, input] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("a valid date")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn prepare(at: NaiveDateTime, tz: &str, payload: &str) -> Result<PreparedSchedule> {
        PreparedSchedule::new("tenant-42/invoice-7", at, tz, payload, now(), 262_144)
    }

    #[test]
    fn a_local_time_in_a_dst_gap_is_rejected() {
        // London skips 01:00-02:00 on 2027-03-28.
        let err = prepare(local(2027, 3, 28, 1, 30), "Europe/London", "p").unwrap_err();
        assert!(
            matches!(err, SchedulerError::NonexistentLocalTime { .. }),
            "{err}"
        );
        assert!(err
            .to_string()
            .contains("2027-03-28 01:30:00 does not exist in Europe/London"));
        assert!(prepare(local(2027, 3, 28, 2, 30), "Europe/London", "p").is_ok());
    }

    #[test]
    fn a_repeated_local_time_means_its_first_instant() {
        // London repeats 01:00-02:00 on 2027-10-31: 01:30 BST is 00:30 UTC.
        let prepared = prepare(local(2027, 10, 31, 1, 30), "Europe/London", "p").expect("valid");
        assert_eq!(prepared.instant().to_rfc3339(), "2027-10-31T00:30:00+00:00");
        assert_eq!(prepared.expression(), "at(2027-10-31T01:30:00)");
    }

    #[test]
    fn past_and_present_times_are_rejected() {
        let err = prepare(local(2026, 12, 31, 23, 0), "UTC", "p").unwrap_err();
        assert!(matches!(err, SchedulerError::InThePast { .. }), "{err}");
        assert!(
            prepare(local(2027, 1, 1, 0, 0), "UTC", "p").is_err(),
            "now is not the future"
        );
        // 2027-01-01T00:30 in New York is 05:30 UTC: in the future.
        assert!(prepare(local(2027, 1, 1, 0, 30), "America/New_York", "p").is_ok());
        // 2027-01-01T00:30 in Tokyo is the day before in UTC: past.
        assert!(prepare(local(2027, 1, 1, 0, 30), "Asia/Tokyo", "p").is_err());
    }

    #[test]
    fn unknown_zones_are_rejected() {
        let err = prepare(local(2027, 6, 1, 9, 0), "Europe/Londn", "p").unwrap_err();
        assert!(err.to_string().contains("unknown time zone `Europe/Londn`"));
        assert!(prepare(local(2027, 6, 1, 9, 0), "europe/london", "p").is_err());
    }

    #[test]
    fn oversized_inputs_are_rejected_with_both_sizes() {
        let big = "x".repeat(262_144);
        let err = prepare(local(2027, 6, 1, 9, 0), "UTC", &big).unwrap_err();
        let SchedulerError::InputTooLarge { actual, max, .. } = err else {
            panic!("expected InputTooLarge, got {err}");
        };
        assert_eq!(max, 262_144);
        assert!(actual > 262_144);
        let text = prepare(local(2027, 6, 1, 9, 0), "UTC", &big)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains(&format!(
                "is {actual} bytes, over the maximum of 262144 bytes"
            )),
            "{text}"
        );
        // Just under the limit passes: the envelope's overhead is counted.
        let overhead = prepare(local(2027, 6, 1, 9, 0), "UTC", "")
            .expect("valid")
            .input()
            .len();
        let fits = "x".repeat(262_144 - overhead);
        assert_eq!(
            prepare(local(2027, 6, 1, 9, 0), "UTC", &fits)
                .expect("fits")
                .input()
                .len(),
            262_144
        );
    }

    #[test]
    fn the_input_is_the_versioned_envelope() {
        let prepared = prepare(local(2027, 6, 1, 9, 0), "Europe/London", "hello").expect("valid");
        let input: OneOffInput<String> = serde_json::from_str(prepared.input()).expect("parses");
        assert_eq!(input.cloud_cron, 1);
        assert_eq!(input.key, "tenant-42/invoice-7");
        assert_eq!(input.tenant.as_deref(), Some("tenant-42"));
        assert_eq!(input.scheduled_for, "2027-06-01T09:00:00");
        assert_eq!(input.time_zone, "Europe/London");
        assert_eq!(input.scheduled_time, "<aws.scheduler.scheduled-time>");
        assert_eq!(input.payload, "hello");
    }

    #[test]
    fn client_tokens_follow_payload_and_time() {
        let a = prepare(local(2027, 6, 1, 9, 0), "UTC", "a").expect("valid");
        assert_eq!(
            a.client_token(),
            prepare(local(2027, 6, 1, 9, 0), "UTC", "a")
                .expect("valid")
                .client_token()
        );
        assert_ne!(
            a.client_token(),
            prepare(local(2027, 6, 1, 9, 0), "UTC", "b")
                .expect("valid")
                .client_token()
        );
        assert_ne!(
            a.client_token(),
            prepare(local(2027, 6, 1, 9, 1), "UTC", "a")
                .expect("valid")
                .client_token()
        );
        assert_eq!(a.client_token().len(), 64);
    }
}
