//! `one_off_schedules:` and `schedules_apis:` of a stack: point-in-time
//! schedules created at run time ([`cfn_gen::OneOffSchedules`]: a schedule
//! group, its delivery role and dead-letter queue; tasks allowed to manage
//! them) and the signed HTTP API over them ([`cfn_gen::SchedulesApi`]).

use std::time::Duration;

use cfn_gen::{OneOffSchedules, SchedulesApi};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;
use crate::refs::resolve;
use crate::task::RetrySpec;

/// One-off schedules: each fires once, at a time asked for at run time,
/// and delivers its input to `target`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOffSchedulesSpec {
    /// Where every schedule delivers its input: a topic or a task of this
    /// stack, by id.
    pub target: OneOffTargetSpec,
    /// A fixed schedule group name (1 to 64 of letters, digits, `-`, `_`,
    /// `.`); otherwise CloudFormation generates one.
    #[schemars(example = &"reminders")]
    pub group_name: Option<String>,
    /// How the Scheduler retries a delivery the target refused (attempts 0
    /// to 185, max age 60 s to 24 h; default 185 attempts, 24 h).
    pub delivery_retries: Option<RetrySpec>,
    /// Send the dead-letter alarm to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
    /// Tasks of this stack allowed to create, reschedule, cancel and list
    /// these schedules (`OneOffScheduler::from_env`), by id.
    #[serde(default)]
    #[schemars(example = vec!["FollowUps"])]
    pub managed_by: Vec<String>,
}

/// Exactly one of `topic`, `task` and `queue`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOffTargetSpec {
    /// A standard topic of this stack, by id: the input is the message.
    #[schemars(example = &"DueReminders")]
    pub topic: Option<String>,
    /// A task of this stack, by id: its function is invoked with the input.
    #[schemars(example = &"SendReminder")]
    pub task: Option<String>,
    /// A standard work queue of this stack, by id (declared above the
    /// one-off schedules): the input is the message body.
    #[schemars(example = &"Reminders")]
    pub queue: Option<String>,
}

/// An HTTP API (`POST /schedules`, ...) over one-off schedules.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulesApiSpec {
    /// The id of the one-off schedules it manages (under `one_off_schedules:`).
    #[schemars(example = &"Reminders")]
    pub schedules: String,
    /// Authenticate callers with JWTs instead of IAM (SigV4) signatures.
    pub jwt: Option<JwtSpec>,
    /// With IAM authorization (the default): the caller value that is its
    /// tenant: `accountId` (default), `principalOrgId`, `userArn`, `userId`
    /// or `callerId`.
    #[schemars(example = &"principalOrgId")]
    pub iam_tenant: Option<String>,
    /// Throttling of every route (default burst 50, 20 requests a second).
    pub throttle: Option<ThrottleSpec>,
    /// Keep access logs this many days (a value CloudWatch Logs accepts, default 90).
    #[schemars(example = 30)]
    pub access_log_retention_days: Option<u32>,
}

/// JWT authorization.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtSpec {
    /// The issuer, an `https://` URL (Cognito:
    /// `https://cognito-idp.REGION.amazonaws.com/POOL_ID`).
    #[schemars(example = &"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE")]
    pub issuer: String,
    /// Accepted audiences (`aud`, or Cognito's `client_id`).
    #[schemars(example = vec!["dashboard-client-id"])]
    pub audiences: Vec<String>,
    /// The claim naming the caller's tenant (default `tenant`).
    #[schemars(example = &"custom:tenant")]
    pub tenant_claim: Option<String>,
}

/// Throttling.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// Burst size, in requests.
    #[schemars(example = 20)]
    pub burst: u32,
    /// Sustained requests a second.
    #[schemars(example = 10.0)]
    pub rate_per_second: f64,
}

/// Create the one-off schedules `id` of `scope` and register them.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &OneOffSchedulesSpec) {
    let path = join(&join(&scope.path, "one_off_schedules"), id);
    let at = |key: &str| join(&path, key);
    let t = &spec.target;
    let target = match (&t.topic, &t.task, &t.queue) {
        (Some(topic), None, None) => scope
            .topic(b, &join(&at("target"), "topic"), topic)
            .map(|t| cfn_gen::OneOffTarget::from(&t)),
        (None, Some(task), None) => resolve(
            b,
            &scope.tasks,
            &join(&at("target"), "task"),
            task,
            "task",
            "tasks",
            scope,
        )
        .map(|t| cfn_gen::OneOffTarget::from(&t)),
        (None, None, Some(queue)) => resolve(
            b,
            &scope.work_queues,
            &join(&at("target"), "queue"),
            queue,
            "work queue",
            "work_queues",
            scope,
        )
        .map(|q| cfn_gen::OneOffTarget::from(&q.queue())),
        _ => {
            b.error(
                &at("target"),
                format!(
                    "one-off schedules `{id}` need exactly one of `target.topic`, `target.task` and `target.queue`"
                ),
                "write `target: { topic: TOPIC-ID }`, `target: { task: TASK-ID }` or `target: { queue: WORK-QUEUE-ID }`",
            );
            None
        }
    };
    let Some(target) = target else { return };
    let mut schedules = OneOffSchedules::new(&scope.stack, id, target);
    b.construct(schedules.node().path(), &path);
    if let Some(n) = &spec.group_name {
        schedules = schedules.group_name(n);
    }
    if let Some(r) = &spec.delivery_retries {
        schedules = schedules.delivery_retries(r.attempts, Duration::from_secs(r.max_age_seconds));
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &at("alarm_to"), to) {
            schedules = schedules.alarm_to(&t);
        }
    }
    scope.one_offs.insert(id.to_owned(), schedules);
}

/// Grant the tasks of `managed_by` (built by now) management of the
/// one-off schedules `id`.
pub(crate) fn grant_managers(
    b: &mut Build,
    scope: &StackScope,
    id: &str,
    spec: &OneOffSchedulesSpec,
) {
    let Some(schedules) = scope.one_offs.get(id) else {
        return;
    };
    let path = join(&join(&scope.path, "one_off_schedules"), id);
    for (i, task_id) in spec.managed_by.iter().enumerate() {
        let at = format!("{}[{i}]", join(&path, "managed_by"));
        if let Some(task) = scope.tasks.get(task_id) {
            schedules.grant_manage(task.function());
        } else {
            let ids: Vec<&str> = scope.tasks.keys().map(String::as_str).collect();
            b.error(
                &at,
                format!(
                    "no task `{task_id}` in stack {}; its tasks are: {}",
                    scope.stack.name(),
                    crate::build::list(&ids)
                ),
                crate::build::fix_from(task_id, &ids, "declare it under `tasks:` of this stack"),
            );
        }
    }
}

/// Create the schedules API `id` of `scope`.
pub(crate) fn build_api(b: &mut Build, scope: &StackScope, id: &str, spec: &SchedulesApiSpec) {
    let path = join(&join(&scope.path, "schedules_apis"), id);
    let at = |key: &str| join(&path, key);
    let Some(schedules) = resolve(
        b,
        &scope.one_offs,
        &at("schedules"),
        &spec.schedules,
        "one-off schedules",
        "one_off_schedules",
        scope,
    ) else {
        return;
    };
    if spec.jwt.is_some() && spec.iam_tenant.is_some() {
        b.error(
            &at("iam_tenant"),
            format!("schedules API `{id}` uses JWTs (`jwt`) and also sets `iam_tenant`"),
            "remove `iam_tenant` (the JWT's `tenant_claim` names the tenant), or remove `jwt`",
        );
    }
    let mut api = SchedulesApi::new(&scope.stack, id, &schedules);
    b.construct(api.node().path(), &path);
    if let Some(j) = &spec.jwt {
        api = api.jwt(j.issuer.as_str(), j.audiences.iter().cloned());
        if let Some(c) = &j.tenant_claim {
            api = api.tenant_claim(c);
        }
    }
    if let Some(f) = &spec.iam_tenant {
        api = api.iam_tenant(f);
    }
    if let Some(t) = &spec.throttle {
        api = api.throttle(t.burst, t.rate_per_second);
    }
    if let Some(d) = spec.access_log_retention_days {
        api.access_log_retention_days(d);
    }
}
