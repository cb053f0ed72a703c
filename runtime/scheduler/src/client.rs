//! Owns [`OneOffScheduler`]: the EventBridge Scheduler calls behind one-off
//! schedules (create, reschedule, cancel, get, list, and pages of decoded
//! schedules), with idempotent creation and bounded retries; and decoding a
//! stored schedule back into the one-off input it was created with.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_scheduler::config::retry::RetryConfig;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, ScheduleState, Target,
};
use aws_sdk_scheduler::Client;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use cloud_cron_contract::one_off::OneOffInput;
use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::backoff::{classify, error_code, retrying, Backoff, Failure};
use crate::error::{Result, SchedulerError};
use crate::name::{schedule_name, tenant_prefix};
use crate::request::{PreparedSchedule, AT_FORMAT};
use crate::settings::OneOffSettings;
use cloud_cron_clock::{Clock, SystemClock};

/// Page size of `ListSchedules` (the API's maximum).
const LIST_PAGE_SIZE: i32 = 100;
/// Schedules read at once while filling a page of items.
const READS_IN_FLIGHT: usize = 8;

/// Creates, changes, cancels, reads and lists one-off schedules in one
/// schedule group. Cheap to clone; share one per process.
///
/// ```no_run
/// use chrono::NaiveDate;
/// use cloud_cron_scheduler::OneOffScheduler;
///
/// # async fn run() -> Result<(), cloud_cron_scheduler::SchedulerError> {
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let scheduler = OneOffScheduler::from_env(&config)?;
/// let at = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap().and_hms_opt(14, 32, 0).unwrap();
/// let handle = scheduler
///     .schedule_once("tenant-42/invoice-7", at, "Europe/London", &serde_json::json!({"invoice": 7}))
///     .await?;
/// println!("{} fires at {}", handle.name, handle.fires_at);
/// scheduler.cancel("tenant-42/invoice-7").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OneOffScheduler {
    client: Client,
    settings: Arc<OneOffSettings>,
    clock: Arc<dyn Clock>,
    backoff: Backoff,
}

/// A schedule that exists: what [`OneOffScheduler::schedule_once`] and
/// [`OneOffScheduler::reschedule`] return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleHandle {
    /// The caller's key.
    pub key: String,
    /// The schedule's name.
    pub name: String,
    /// The schedule's ARN.
    pub arn: String,
    /// The instant it fires.
    pub fires_at: DateTime<Utc>,
    /// False when an identical schedule already existed (an idempotent repeat).
    pub created: bool,
}

/// A one-off schedule read back by [`OneOffScheduler::get`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledItem<T> {
    /// The caller's key.
    pub key: String,
    /// The key's tenant, if any.
    pub tenant: Option<String>,
    /// The schedule's name.
    pub name: String,
    /// The schedule's ARN.
    pub arn: String,
    /// The local date-time.
    pub at: NaiveDateTime,
    /// The IANA zone.
    pub time_zone: String,
    /// The instant it fires (the first, for a repeated local time).
    pub fires_at: Option<DateTime<Utc>>,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// What happens after it fired (`DELETE` for schedules made here).
    pub action_after_completion: Option<String>,
    /// The payload.
    pub payload: T,
}

/// Which schedules [`OneOffScheduler::list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope<'a> {
    /// Every schedule of the group.
    All,
    /// The schedules whose keys have this tenant (`tenant/...`).
    Tenant(&'a str),
    /// The schedules whose keys have no tenant.
    NoTenant,
}

impl ListScope<'_> {
    /// The `NamePrefix` this scope lists with.
    pub fn name_prefix(&self) -> Option<String> {
        match self {
            ListScope::All => None,
            ListScope::Tenant(tenant) => Some(tenant_prefix(Some(tenant))),
            ListScope::NoTenant => Some(tenant_prefix(None)),
        }
    }
}

/// One schedule in a listing (the listing does not carry inputs: read one
/// with [`OneOffScheduler::get`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSchedule {
    /// The schedule's name.
    pub name: String,
    /// The schedule's ARN.
    pub arn: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
}

/// One page of decoded schedules ([`OneOffScheduler::list_items_page`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemPage<T> {
    /// The schedules, payloads decoded.
    pub items: Vec<ScheduledItem<T>>,
    /// The token of the next page, if there is one.
    pub next_token: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// The schedules on this page.
    pub schedules: Vec<ListedSchedule>,
    /// The token of the next page, if there is one.
    pub next_token: Option<String>,
}

impl OneOffScheduler {
    /// A scheduler for `settings`, talking to the Scheduler endpoint of
    /// `config` (`AWS_ENDPOINT_URL` and friends apply). The SDK's own retries
    /// are off: this client retries (see [`Backoff`]).
    pub fn new(config: &SdkConfig, settings: OneOffSettings) -> OneOffScheduler {
        let conf = aws_sdk_scheduler::config::Builder::from(config)
            .retry_config(RetryConfig::disabled())
            .build();
        OneOffScheduler {
            client: Client::from_conf(conf),
            settings: Arc::new(settings),
            clock: Arc::new(SystemClock),
            backoff: Backoff::default(),
        }
    }

    /// A scheduler with settings from the environment
    /// ([`OneOffSettings::from_env`]).
    pub fn from_env(config: &SdkConfig) -> Result<OneOffScheduler> {
        Ok(OneOffScheduler::new(config, OneOffSettings::from_env()?))
    }

    /// Uses `clock` for "now" (the not-in-the-past check).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> OneOffScheduler {
        self.clock = Arc::new(clock);
        self
    }

    /// Retries throttled and failed calls with `backoff`.
    pub fn with_backoff(mut self, backoff: Backoff) -> OneOffScheduler {
        self.backoff = backoff;
        self
    }

    /// The settings.
    pub fn settings(&self) -> &OneOffSettings {
        &self.settings
    }

    /// Validates and builds the request for `key` without sending it.
    pub fn prepare<T: Serialize + ?Sized>(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &T,
    ) -> Result<PreparedSchedule> {
        PreparedSchedule::new(
            key,
            at,
            time_zone,
            payload,
            self.clock.now(),
            self.settings.max_input_bytes,
        )
    }

    /// Schedules `payload` for delivery to the target at local time `at` in
    /// `time_zone`, once; the schedule deletes itself after it fired.
    ///
    /// Scheduling the same key with the same payload and time again is a
    /// no-op (`created: false`); with a different payload or time it fails
    /// with [`SchedulerError::AlreadyScheduled`] (use [`reschedule`](Self::reschedule)).
    pub async fn schedule_once<T: Serialize + ?Sized>(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &T,
    ) -> Result<ScheduleHandle> {
        let prepared = self.prepare(key, at, time_zone, payload)?;
        self.create(&prepared).await
    }

    /// Sends a prepared `CreateSchedule`; see [`schedule_once`](Self::schedule_once).
    pub async fn create(&self, prepared: &PreparedSchedule) -> Result<ScheduleHandle> {
        let target = self.target(prepared)?;
        let created = retrying(&self.backoff, "CreateSchedule", || async {
            let result = self
                .client
                .create_schedule()
                .name(prepared.name())
                .group_name(&self.settings.group)
                .schedule_expression(prepared.expression())
                .schedule_expression_timezone(prepared.time_zone())
                .flexible_time_window(flexible_off()?)
                .action_after_completion(ActionAfterCompletion::Delete)
                .state(ScheduleState::Enabled)
                .client_token(prepared.client_token())
                .set_kms_key_arn(self.settings.kms_key_arn.clone())
                .target(target.clone())
                .send()
                .await;
            match result {
                Ok(output) => Ok(Some(output.schedule_arn)),
                Err(e) if error_code(&e) == Some("ConflictException") => Ok(None),
                Err(e) => Err(classify("CreateSchedule", e)),
            }
        })
        .await?;
        if let Some(arn) = created {
            return Ok(self.handle(prepared, arn, true));
        }
        // The name is taken: the same request again is fine, anything else is not.
        let existing = self.get_raw(prepared.name()).await?;
        match existing {
            Some(existing)
                if existing.schedule_expression.as_deref() == Some(prepared.expression())
                    && existing.schedule_expression_timezone.as_deref()
                        == Some(prepared.time_zone())
                    && existing.target.as_ref().and_then(|t| t.input.as_deref())
                        == Some(prepared.input()) =>
            {
                let arn = existing.arn.unwrap_or_default();
                Ok(self.handle(prepared, arn, false))
            }
            _ => Err(SchedulerError::AlreadyScheduled {
                key: prepared.key().to_owned(),
                name: prepared.name().to_owned(),
            }),
        }
    }

    /// Moves the schedule of `key` to `at` in `time_zone` with `payload`
    /// (`UpdateSchedule` replaces the whole definition, so every field is
    /// sent). Fails with [`SchedulerError::NotScheduled`] if there is none.
    pub async fn reschedule<T: Serialize + ?Sized>(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &T,
    ) -> Result<ScheduleHandle> {
        let prepared = self.prepare(key, at, time_zone, payload)?;
        let target = self.target(&prepared)?;
        let updated = retrying(&self.backoff, "UpdateSchedule", || async {
            let result = self
                .client
                .update_schedule()
                .name(prepared.name())
                .group_name(&self.settings.group)
                .schedule_expression(prepared.expression())
                .schedule_expression_timezone(prepared.time_zone())
                .flexible_time_window(flexible_off()?)
                .action_after_completion(ActionAfterCompletion::Delete)
                .state(ScheduleState::Enabled)
                .client_token(prepared.client_token())
                .set_kms_key_arn(self.settings.kms_key_arn.clone())
                .target(target.clone())
                .send()
                .await;
            match result {
                Ok(output) => Ok(Some(output.schedule_arn)),
                Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(classify("UpdateSchedule", e)),
            }
        })
        .await?;
        match updated {
            Some(arn) => Ok(self.handle(&prepared, arn, false)),
            None => Err(SchedulerError::NotScheduled {
                key: key.to_owned(),
                name: prepared.name().to_owned(),
            }),
        }
    }

    /// Cancels the schedule of `key`: `Ok(true)` if one was deleted,
    /// `Ok(false)` if there was none (never made, cancelled, or already fired).
    pub async fn cancel(&self, key: &str) -> Result<bool> {
        let name = schedule_name(key);
        retrying(&self.backoff, "DeleteSchedule", || async {
            let result = self
                .client
                .delete_schedule()
                .name(&name)
                .group_name(&self.settings.group)
                .send()
                .await;
            match result {
                Ok(_) => Ok(true),
                Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(false),
                Err(e) => Err(classify("DeleteSchedule", e)),
            }
        })
        .await
    }

    /// The schedule of `key` with its payload decoded, if there is one.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<ScheduledItem<T>>> {
        let name = schedule_name(key);
        let Some(item) = self.get_named::<T>(&name).await? else {
            return Ok(None);
        };
        if item.key != key {
            return Err(SchedulerError::Foreign {
                name,
                problem: format!("it was scheduled for key `{}`, not `{key}`", item.key),
            });
        }
        Ok(Some(item))
    }

    /// The schedule named `name` with its payload decoded, if there is one
    /// (e.g. a name from [`list_page`](Self::list_page)); a schedule of the
    /// group that is not a one-off input of this client is
    /// [`SchedulerError::Foreign`].
    pub async fn get_named<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<ScheduledItem<T>>> {
        match self.get_raw(name).await? {
            None => Ok(None),
            Some(output) => decode(name, output).map(Some),
        }
    }

    /// One page of up to `limit` (1 to 100) schedules in `scope`, each read
    /// and decoded (up to 8 reads at once), after `next_token`. Schedules
    /// that fired or were cancelled since they were listed, and schedules
    /// of the group that are not one-off inputs, are left out, so a page may
    /// hold fewer than `limit` while more follow.
    pub async fn list_items_page<T: DeserializeOwned + Send>(
        &self,
        scope: ListScope<'_>,
        limit: usize,
        next_token: Option<&str>,
    ) -> Result<ItemPage<T>> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let page = self.list_page_of(scope, limit, next_token).await?;
        let items: Vec<ScheduledItem<T>> = stream::iter(page.schedules)
            .map(|listed| async move {
                match self.get_named::<T>(&listed.name).await {
                    Err(SchedulerError::Foreign { .. }) => Ok(None),
                    other => other,
                }
            })
            .buffered(READS_IN_FLIGHT)
            .try_filter_map(|item| async move { Ok(item) })
            .try_collect()
            .await?;
        Ok(ItemPage {
            items,
            next_token: page.next_token,
        })
    }

    /// One page of the schedules in `scope`; pass the previous page's
    /// `next_token` to get the next.
    pub async fn list_page(
        &self,
        scope: ListScope<'_>,
        next_token: Option<&str>,
    ) -> Result<ListPage> {
        self.list_page_of(scope, LIST_PAGE_SIZE as usize, next_token)
            .await
    }

    /// [`list_page`](Self::list_page) with up to `limit` (1 to 100)
    /// schedules a page.
    pub async fn list_page_of(
        &self,
        scope: ListScope<'_>,
        limit: usize,
        next_token: Option<&str>,
    ) -> Result<ListPage> {
        let prefix = scope.name_prefix();
        let limit = i32::try_from(limit.clamp(1, 100)).unwrap_or(LIST_PAGE_SIZE);
        retrying(&self.backoff, "ListSchedules", || async {
            let result = self
                .client
                .list_schedules()
                .group_name(&self.settings.group)
                .set_name_prefix(prefix.clone())
                .max_results(limit)
                .set_next_token(next_token.map(str::to_owned))
                .send()
                .await;
            match result {
                Ok(output) => Ok(ListPage {
                    schedules: output
                        .schedules
                        .into_iter()
                        .map(|s| ListedSchedule {
                            name: s.name.unwrap_or_default(),
                            arn: s.arn.unwrap_or_default(),
                            state: s.state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                        })
                        .collect(),
                    next_token: output.next_token.filter(|t| !t.is_empty()),
                }),
                Err(e) => Err(classify("ListSchedules", e)),
            }
        })
        .await
    }

    /// Every schedule in `scope`, page by page (following `NextToken`).
    pub fn list<'a>(
        &'a self,
        scope: ListScope<'a>,
    ) -> impl Stream<Item = Result<ListedSchedule>> + 'a {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        // State: None = done; Some(token) = fetch the page after `token` (None: the first).
        stream::try_unfold(Some(None::<String>), move |state| async move {
            let Some(token) = state else {
                return Ok(None);
            };
            let page = self.list_page(scope, token.as_deref()).await?;
            let next = page.next_token.map(Some);
            Ok(Some((
                stream::iter(page.schedules.into_iter().map(Ok)),
                next,
            )))
        })
        .try_flatten()
        .boxed()
    }

    async fn get_raw(&self, name: &str) -> Result<Option<GetScheduleOutput>> {
        retrying(&self.backoff, "GetSchedule", || async {
            let result = self
                .client
                .get_schedule()
                .name(name)
                .group_name(&self.settings.group)
                .send()
                .await;
            match result {
                Ok(output) => Ok(Some(output)),
                Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(classify("GetSchedule", e)),
            }
        })
        .await
    }

    fn target(&self, prepared: &PreparedSchedule) -> Result<Target> {
        let settings = &self.settings;
        Target::builder()
            .arn(&settings.target_arn)
            .role_arn(&settings.role_arn)
            .input(prepared.input())
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_retry_attempts(
                        i32::try_from(settings.retry.max_retry_attempts).unwrap_or(185),
                    )
                    .maximum_event_age_in_seconds(
                        i32::try_from(settings.retry.max_event_age_seconds).unwrap_or(86_400),
                    )
                    .build(),
            )
            .set_dead_letter_config(
                settings
                    .dead_letter_arn
                    .as_ref()
                    .map(|arn| DeadLetterConfig::builder().arn(arn).build()),
            )
            .build()
            .map_err(|e| SchedulerError::Rejected {
                operation: "CreateSchedule",
                code: "RequestNotBuilt".to_owned(),
                message: e.to_string(),
            })
    }

    fn handle(&self, prepared: &PreparedSchedule, arn: String, created: bool) -> ScheduleHandle {
        ScheduleHandle {
            key: prepared.key().to_owned(),
            name: prepared.name().to_owned(),
            arn,
            fires_at: prepared.instant(),
            created,
        }
    }
}

/// A stored schedule as a one-off item: its target input must be a
/// [`OneOffInput`] whose local time parses, else [`SchedulerError::Foreign`].
fn decode<T: DeserializeOwned>(name: &str, output: GetScheduleOutput) -> Result<ScheduledItem<T>> {
    let foreign = |problem: String| SchedulerError::Foreign {
        name: name.to_owned(),
        problem,
    };
    let input_text = output
        .target
        .as_ref()
        .and_then(|t| t.input.as_deref())
        .ok_or_else(|| foreign("its target has no input".to_owned()))?;
    let input: OneOffInput<T> = serde_json::from_str(input_text)
        .map_err(|e| foreign(format!("its input is not a one-off input: {e}")))?;
    let at = NaiveDateTime::parse_from_str(&input.scheduled_for, AT_FORMAT)
        .map_err(|e| foreign(format!("scheduledFor `{}`: {e}", input.scheduled_for)))?;
    let fires_at = cloud_cron_schedule::Tz::named(&input.time_zone)
        .and_then(|tz| tz.from_local_datetime(&at).earliest())
        .map(|t| t.with_timezone(&Utc));
    Ok(ScheduledItem {
        key: input.key,
        tenant: input.tenant,
        name: name.to_owned(),
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

fn flexible_off() -> Result<FlexibleTimeWindow, Failure> {
    FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()
        .map_err(|e| {
            Failure::Permanent(SchedulerError::Rejected {
                operation: "CreateSchedule",
                code: "RequestNotBuilt".to_owned(),
                message: e.to_string(),
            })
        })
}
