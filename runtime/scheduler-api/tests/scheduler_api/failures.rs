//! Store failures: throttling and outages are 429 and 503 with
//! `Retry-After`; anything else is a 500 that tells the caller nothing
//! internal (no ARN, account, group or role).

use chrono::NaiveDateTime;
use cloud_cron_scheduler::{ScheduleHandle, ScheduledItem, SchedulerError};
use cloud_cron_scheduler_api::{ApiSettings, ScheduleStore, StorePage};
use serde_json::{json, Value};

use crate::support::{call_with, create_body, event, jwt};

/// Makes the error a store fails with.
type MakeError = fn() -> SchedulerError;

/// A store whose every call fails with `make()`.
struct FailingStore(MakeError);

impl ScheduleStore for FailingStore {
    async fn create(
        &self,
        _: &str,
        _: NaiveDateTime,
        _: &str,
        _: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        Err((self.0)())
    }
    async fn reschedule(
        &self,
        _: &str,
        _: NaiveDateTime,
        _: &str,
        _: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        Err((self.0)())
    }
    async fn get(&self, _: &str) -> Result<Option<ScheduledItem<Value>>, SchedulerError> {
        Err((self.0)())
    }
    async fn cancel(&self, _: &str) -> Result<bool, SchedulerError> {
        Err((self.0)())
    }
    async fn list_page(
        &self,
        _: &str,
        _: usize,
        _: Option<&str>,
    ) -> Result<StorePage, SchedulerError> {
        Err((self.0)())
    }
}

const SECRET_ARN: &str = "arn:aws:iam::999988887777:role/internal-scheduler";

fn rejected() -> SchedulerError {
    SchedulerError::Rejected {
        operation: "CreateSchedule",
        code: "AccessDeniedException".to_owned(),
        message: format!("{SECRET_ARN} is not authorized to perform iam:PassRole"),
    }
}

fn throttled() -> SchedulerError {
    SchedulerError::Throttled {
        operation: "GetSchedule",
        attempts: 8,
        message: SECRET_ARN.to_owned(),
    }
}

fn unavailable() -> SchedulerError {
    SchedulerError::Unavailable {
        operation: "ListSchedules",
        attempts: 8,
        message: SECRET_ARN.to_owned(),
    }
}

#[tokio::test]
async fn failures_map_to_statuses_without_internals() {
    let body = create_body("k", "2031-03-11T14:32:00", json!(1));
    let moved = json!({"at": "2031-03-11T14:32:00", "timeZone": "UTC", "payload": 1});
    let requests = [
        event(&jwt("acme"), "POST", "/schedules", "", Some(&body)),
        event(&jwt("acme"), "GET", "/schedules/k", "", None),
        event(&jwt("acme"), "GET", "/schedules", "", None),
        event(&jwt("acme"), "PUT", "/schedules/k", "", Some(&moved)),
        event(&jwt("acme"), "DELETE", "/schedules/k", "", None),
    ];
    let cases: [(MakeError, i64, Option<&str>); 3] = [
        (rejected, 500, None),
        (throttled, 429, Some("1")),
        (unavailable, 503, Some("5")),
    ];
    for (make, status, retry_after) in cases {
        let store = FailingStore(make);
        for request in &requests {
            let answer = call_with(&store, &ApiSettings::default(), request).await;
            assert_eq!(answer.status, status, "{:?}: {}", make(), answer.body);
            assert_eq!(
                answer
                    .headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()),
                retry_after
            );
            let text = answer.body.to_string();
            assert!(
                !text.contains("999988887777") && !text.contains("internal-scheduler"),
                "{text}"
            );
        }
    }
}
