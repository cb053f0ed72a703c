//! Owns [`AwsScheduleStore`]: [`ScheduleStore`] on EventBridge Scheduler,
//! through [`OneOffScheduler`] for create, reschedule, get and cancel.
//!
//! Listing is done here: the API pages with a caller-chosen `limit` and
//! returns keys and payloads, while `OneOffScheduler::list_page` has a fixed
//! page size and returns names only (keys cannot be recovered from names).
//! So this module calls `ListSchedules` itself and reads each listed schedule
//! by name. Both belong in `cloud-cron-scheduler` (a page size argument and
//! a read by name), where they would share its retry policy; until then this
//! client uses the SDK's standard retries.

use aws_config::SdkConfig;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use chrono::{NaiveDateTime, TimeZone, Utc};
use cloud_cron_contract::one_off::OneOffInput;
use cloud_cron_scheduler::name::{schedule_name, tenant_prefix};
use cloud_cron_scheduler::{
    OneOffScheduler, OneOffSettings, ScheduleHandle, ScheduledItem, SchedulerError,
};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::store::{ScheduleStore, StorePage};

/// The local date-time format of one-off inputs (`scheduledFor`).
pub const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
/// Schedules read at once while filling a page.
const READS_IN_FLIGHT: usize = 8;

/// [`ScheduleStore`] on EventBridge Scheduler.
#[derive(Clone)]
pub struct AwsScheduleStore {
    scheduler: OneOffScheduler,
    client: aws_sdk_scheduler::Client,
}

impl AwsScheduleStore {
    /// A store for `settings`, on the Scheduler endpoint of `config`.
    pub fn new(config: &SdkConfig, settings: OneOffSettings) -> AwsScheduleStore {
        AwsScheduleStore {
            scheduler: OneOffScheduler::new(config, settings),
            client: aws_sdk_scheduler::Client::new(config),
        }
    }

    /// A store on `scheduler` (its clock and backoff kept).
    pub fn with_scheduler(config: &SdkConfig, scheduler: OneOffScheduler) -> AwsScheduleStore {
        AwsScheduleStore {
            scheduler,
            client: aws_sdk_scheduler::Client::new(config),
        }
    }

    /// The scheduler client.
    pub fn scheduler(&self) -> &OneOffScheduler {
        &self.scheduler
    }

    fn group(&self) -> &str {
        &self.scheduler.settings().group
    }

    /// The schedule named `name` if it is a one-off schedule of `namespace`.
    async fn read_named(
        &self,
        name: String,
        namespace: &str,
    ) -> Result<Option<ScheduledItem<Value>>, SchedulerError> {
        let result = self
            .client
            .get_schedule()
            .group_name(self.group())
            .name(&name)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(e) => {
                let service = e.as_service_error();
                if service.is_some_and(|s| s.is_resource_not_found_exception()) {
                    // Fired (and deleted) or cancelled since it was listed.
                    return Ok(None);
                }
                let throttled = service.is_some_and(|s| s.is_throttling_exception());
                let message = aws_sdk_scheduler::error::DisplayErrorContext(&e).to_string();
                return Err(if throttled {
                    SchedulerError::Throttled {
                        operation: "GetSchedule",
                        attempts: 1,
                        message,
                    }
                } else {
                    SchedulerError::Unavailable {
                        operation: "GetSchedule",
                        attempts: 1,
                        message,
                    }
                });
            }
        };
        Ok(item_from_output(name, output).filter(|item| {
            item.tenant.as_deref() == Some(namespace) && schedule_name(&item.key) == item.name
        }))
    }
}

/// A stored schedule as a one-off item, or `None` if its input is not a
/// one-off input.
pub fn item_from_output(name: String, output: GetScheduleOutput) -> Option<ScheduledItem<Value>> {
    let input_text = output.target.as_ref()?.input.as_deref()?;
    let input: OneOffInput<Value> = serde_json::from_str(input_text).ok()?;
    let at = NaiveDateTime::parse_from_str(&input.scheduled_for, AT_FORMAT).ok()?;
    let fires_at = cloud_cron_schedule::Tz::named(&input.time_zone)
        .and_then(|tz| tz.from_local_datetime(&at).earliest())
        .map(|t| t.with_timezone(&Utc));
    Some(ScheduledItem {
        key: input.key,
        tenant: input.tenant,
        name,
        arn: output.arn.unwrap_or_default(),
        at,
        time_zone: input.time_zone,
        fires_at,
        state: output
            .state
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        action_after_completion: output
            .action_after_completion
            .map(|a| a.as_str().to_owned()),
        payload: input.payload,
    })
}

// The scheduler's futures are boxed: nested in the handler's, their types
// are otherwise deep enough to exceed the compiler's query depth limit.
impl ScheduleStore for AwsScheduleStore {
    async fn create(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        Box::pin(self.scheduler.schedule_once(key, at, time_zone, payload)).await
    }

    async fn reschedule(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        Box::pin(self.scheduler.reschedule(key, at, time_zone, payload)).await
    }

    async fn get(&self, key: &str) -> Result<Option<ScheduledItem<Value>>, SchedulerError> {
        Box::pin(self.scheduler.get(key)).await
    }

    async fn cancel(&self, key: &str) -> Result<bool, SchedulerError> {
        Box::pin(self.scheduler.cancel(key)).await
    }

    async fn list_page(
        &self,
        namespace: &str,
        limit: usize,
        next_token: Option<&str>,
    ) -> Result<StorePage, SchedulerError> {
        let listed = self
            .client
            .list_schedules()
            .group_name(self.group())
            .name_prefix(tenant_prefix(Some(namespace)))
            .max_results(i32::try_from(limit).unwrap_or(100))
            .set_next_token(next_token.map(str::to_owned))
            .send()
            .await
            .map_err(|e| {
                let message = aws_sdk_scheduler::error::DisplayErrorContext(&e).to_string();
                match e.as_service_error() {
                    Some(s) if s.is_throttling_exception() => SchedulerError::Throttled {
                        operation: "ListSchedules",
                        attempts: 1,
                        message,
                    },
                    Some(s) if s.is_validation_exception() => SchedulerError::Rejected {
                        operation: "ListSchedules",
                        code: "ValidationException".to_owned(),
                        message,
                    },
                    _ => SchedulerError::Unavailable {
                        operation: "ListSchedules",
                        attempts: 1,
                        message,
                    },
                }
            })?;
        let names: Vec<String> = listed
            .schedules
            .into_iter()
            .filter_map(|s| s.name)
            .collect();
        let schedules: Vec<ScheduledItem<Value>> = futures_util::stream::iter(names)
            .map(|name| self.read_named(name, namespace))
            .buffered(READS_IN_FLIGHT)
            .try_filter_map(|item| async move { Ok(item) })
            .try_collect()
            .await?;
        Ok(StorePage {
            schedules,
            next_token: listed.next_token.filter(|t| !t.is_empty()),
        })
    }
}
