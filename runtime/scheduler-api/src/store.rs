//! Owns [`ScheduleStore`]: the operations the HTTP API needs from the one-off
//! scheduler, as a trait so the handler runs against an in-memory store in
//! tests and [`crate::aws_store::AwsScheduleStore`] in the Lambda.
//!
//! Every key here is a client key (`<tenant namespace>/<caller key>`,
//! [`crate::tenant::Tenant::scoped_key`]); the handler never passes a key
//! it did not scope to the caller's tenant.

use std::future::Future;

use chrono::NaiveDateTime;
use cloud_cron_scheduler::{ScheduleHandle, ScheduledItem, SchedulerError};
use serde_json::Value;

/// One page of a tenant's schedules.
#[derive(Debug, Clone, PartialEq)]
pub struct StorePage {
    /// The schedules, payloads decoded.
    pub schedules: Vec<ScheduledItem<Value>>,
    /// The store's token for the next page, if there is one.
    pub next_token: Option<String>,
}

/// The one-off schedule operations behind the API; the semantics are
/// [`cloud_cron_scheduler::OneOffScheduler`]'s.
pub trait ScheduleStore: Send + Sync {
    /// Creates the schedule of `key` (idempotent: `created: false` when the
    /// same time, zone and payload exist; [`SchedulerError::AlreadyScheduled`]
    /// when different ones do).
    fn create(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> impl Future<Output = Result<ScheduleHandle, SchedulerError>> + Send;

    /// Replaces the schedule of `key`; [`SchedulerError::NotScheduled`] if
    /// there is none.
    fn reschedule(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> impl Future<Output = Result<ScheduleHandle, SchedulerError>> + Send;

    /// The schedule of `key`, if there is one.
    fn get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ScheduledItem<Value>>, SchedulerError>> + Send;

    /// Deletes the schedule of `key`: whether there was one.
    fn cancel(&self, key: &str) -> impl Future<Output = Result<bool, SchedulerError>> + Send;

    /// Up to `limit` schedules whose keys are in `namespace`, after
    /// `next_token`.
    fn list_page(
        &self,
        namespace: &str,
        limit: usize,
        next_token: Option<&str>,
    ) -> impl Future<Output = Result<StorePage, SchedulerError>> + Send;
}
