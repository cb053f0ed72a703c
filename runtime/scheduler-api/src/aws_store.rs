//! Owns [`AwsScheduleStore`]: [`ScheduleStore`] on EventBridge Scheduler,
//! through [`OneOffScheduler`] for every call (its retries and decoding
//! included); what is left here is the API's tenant check on listed
//! schedules.

use aws_config::SdkConfig;
use chrono::NaiveDateTime;
use cloud_cron_scheduler::name::schedule_name;
use cloud_cron_scheduler::{
    ListScope, OneOffScheduler, OneOffSettings, ScheduleHandle, ScheduledItem, SchedulerError,
};
use serde_json::Value;

use crate::store::{ScheduleStore, StorePage};

/// The local date-time format of one-off inputs (`scheduledFor`).
pub use cloud_cron_scheduler::AT_FORMAT;

/// [`ScheduleStore`] on EventBridge Scheduler.
#[derive(Clone)]
pub struct AwsScheduleStore {
    scheduler: OneOffScheduler,
}

impl AwsScheduleStore {
    /// A store for `settings`, on the Scheduler endpoint of `config`.
    pub fn new(config: &SdkConfig, settings: OneOffSettings) -> AwsScheduleStore {
        AwsScheduleStore {
            scheduler: OneOffScheduler::new(config, settings),
        }
    }

    /// A store on `scheduler` (its clock and backoff kept).
    pub fn with_scheduler(scheduler: OneOffScheduler) -> AwsScheduleStore {
        AwsScheduleStore { scheduler }
    }

    /// The scheduler client.
    pub fn scheduler(&self) -> &OneOffScheduler {
        &self.scheduler
    }
}

/// Whether a listed schedule belongs to `namespace`: its input names the
/// namespace as tenant, and its name is the one its key maps to (so no
/// schedule made outside the API under a look-alike name is shown).
fn in_namespace(item: &ScheduledItem<Value>, namespace: &str) -> bool {
    item.tenant.as_deref() == Some(namespace) && schedule_name(&item.key) == item.name
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
        let page = Box::pin(self.scheduler.list_items_page::<Value>(
            ListScope::Tenant(namespace),
            limit,
            next_token,
        ))
        .await?;
        Ok(StorePage {
            schedules: page
                .items
                .into_iter()
                .filter(|item| in_namespace(item, namespace))
                .collect(),
            next_token: page.next_token,
        })
    }
}
