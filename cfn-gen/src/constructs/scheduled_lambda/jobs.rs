//! A scheduled function's jobs: `.job(name, schedule, input)`, repeatable.
//!
//! Each job is one `AWS::Scheduler::Schedule` in a schedule group (the
//! stack's own group, as the function's schedule, unless a [`ScheduleGroup`]
//! is given), targeting the
//! function with the scheduler input (version 2) that carries the job's
//! name and JSON input. Every job shares the function's one Scheduler role
//! and one dead-letter queue, and the function's retry, window, state and
//! date settings. Synth checks: job names (alphabet, length, duplicates),
//! each input's size against the Scheduler's limit, secrets in inputs, each
//! job's schedule, and the optional customer managed key for inputs.

use chrono::{DateTime, Utc};
use cloud_cron_contract::{self as contract, SchedulerInput};
use serde::Serialize;
use serde_json::{json, Value as Json};

use super::missed_runs::{job_detection, Detection};
use super::{Inner, Props, ScheduledLambda};
use crate::constructs::schedule_group::ScheduleGroup;
use crate::logical_id;
use crate::resources::scheduler;
use crate::schedule::Schedule;
use crate::synth::ScheduleSummary;
use crate::template::{Resource, Template};
use crate::validate::{schedules, secrets, Report};
use crate::value::Value;

/// The largest scheduler input a job may carry, in bytes: 256 KB, the
/// limit on a Lambda asynchronous invocation's event (which is how the
/// Scheduler invokes the function) and on a Scheduler target's input.
pub const MAX_JOB_INPUT_BYTES: usize = 262_144;

/// Room left in [`MAX_JOB_INPUT_BYTES`] for what the Scheduler substitutes
/// into the placeholders: a schedule ARN (at most 1,224 characters), the
/// scheduled time, the execution id and the attempt number.
const SUBSTITUTION_ROOM: usize = 1_400;

/// A key ARN as EventBridge Scheduler's `KmsKeyArn` pattern accepts it,
/// without its alias form: the Scheduler role's `kms:Decrypt` grant must
/// name the key itself (an IAM grant on an alias ARN does not cover the key).
fn is_kms_key_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return false;
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, "kms", region, account, resource] = parts.as_slice() else {
        return false;
    };
    let partition_ok = *partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    let resource_ok = resource.strip_prefix("key/").is_some_and(|id| {
        id.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    partition_ok && region_ok && account_ok && resource_ok
}

#[derive(Debug, Clone)]
struct Job {
    name: String,
    schedule: Schedule,
    /// The input as JSON, or why it did not serialize.
    input: Result<Json, String>,
}

/// The jobs of one scheduled function, and where their schedules go.
pub(super) struct Jobs {
    list: Vec<Job>,
    group: Option<ScheduleGroup>,
    input_key: Option<Value>,
}

impl Jobs {
    pub(super) fn new() -> Jobs {
        Jobs {
            list: Vec::new(),
            group: None,
            input_key: None,
        }
    }

    /// Whether the function runs jobs.
    pub(super) fn any(&self) -> bool {
        !self.list.is_empty()
    }

    /// Each job's name and schedule, without duplicate names.
    pub(super) fn schedules(&self) -> Vec<(String, Schedule)> {
        let mut out: Vec<(String, Schedule)> = Vec::new();
        for job in &self.list {
            if !out.iter().any(|(name, _)| *name == job.name) {
                out.push((job.name.clone(), job.schedule.clone()));
            }
        }
        out
    }

    /// The customer managed key for schedule inputs, if one was given.
    pub(super) fn input_key(&self) -> Option<Value> {
        self.input_key.clone()
    }
}

impl ScheduledLambda {
    /// Run the function as job `name` on `schedule`, passing `input`
    /// (anything serde serializes, stored as JSON in the schedule). Call it
    /// once per job: each job gets its own `AWS::Scheduler::Schedule`, and
    /// all share the function's Scheduler role, dead-letter queue, retries
    /// and alarms. The task reads the job with `ctx.job()` and its input
    /// with `ctx.input::<T>()`; idempotency and deduplication ids include
    /// the job, so two jobs firing at the same instant are two runs.
    ///
    /// Names are 1 to 64 ASCII letters, digits, `-`, `_` and `.`, unique
    /// per function. Schedules go into the stack's own schedule group (with
    /// its delivery alarms) unless
    /// [`schedule_group`](ScheduledLambda::schedule_group) names another. A function with jobs needs no `.schedule(..)` (when
    /// it has one too, that schedule runs it without a job).
    ///
    /// ```
    /// use cfn_gen::{App, Schedule, ScheduledLambda, Stack};
    /// use serde_json::json;
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Erp");
    /// ScheduledLambda::new(&stack, "Odoo")
    ///     .image("123456789012.dkr.ecr.eu-west-2.amazonaws.com/odoo-job:v1")
    ///     .job(
    ///         "invoice-reminders",
    ///         Schedule::cron("0 8 ? * MON-FRI *").in_time_zone("Europe/London"),
    ///         json!({"model": "account.move", "method": "send_reminders"}),
    ///     )
    ///     .job(
    ///         "stock-sync",
    ///         Schedule::cron("*/30 6-20 * * ? *").in_time_zone("Europe/London"),
    ///         json!({"model": "stock.warehouse", "method": "sync"}),
    ///     );
    /// let template = app.synth().expect("valid").stacks[0].template.to_json();
    /// let schedules = template["Resources"]
    ///     .as_object()
    ///     .expect("resources")
    ///     .values()
    ///     .filter(|r| r["Type"] == "AWS::Scheduler::Schedule")
    ///     .count();
    /// assert_eq!(schedules, 2);
    /// ```
    pub fn job<T: Serialize>(self, name: &str, schedule: Schedule, input: T) -> ScheduledLambda {
        let input = serde_json::to_value(&input).map_err(|e| e.to_string());
        self.0.jobs.borrow_mut().list.push(Job {
            name: name.to_owned(),
            schedule,
            input,
        });
        self
    }

    /// Put the jobs' schedules into `group` instead of the stack's own
    /// group (whose delivery alarms then do not cover them).
    pub fn schedule_group(self, group: &ScheduleGroup) -> ScheduledLambda {
        self.0.jobs.borrow_mut().group = Some(group.clone());
        self
    }

    /// Encrypt the inputs of the function's schedules with a customer
    /// managed KMS key (`arn:aws:kms:REGION:ACCOUNT:key/ID`, or a parameter
    /// holding one) instead of an AWS owned key. The Scheduler role may
    /// `kms:Decrypt` with it; the key's policy must let that role use it.
    pub fn schedule_input_key(self, key_arn: impl Into<Value>) -> ScheduledLambda {
        self.0.jobs.borrow_mut().input_key = Some(key_arn.into());
        self
    }
}

impl Inner {
    fn job_path(&self, name: &str) -> String {
        format!("{}/{name}", self.node.path())
    }

    /// Job names, inputs, schedules and the input key.
    pub(super) fn check_jobs(&self, p: &Props, report: &mut Report) {
        let jobs = self.jobs.borrow();
        let path = self.node.path();
        if let Some(Value::String(arn)) = &jobs.input_key {
            if !is_kms_key_arn(arn) {
                report.error(
                    &path,
                    format!("schedule input key `{arn}` is not a KMS key ARN"),
                    "pass the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID, to .schedule_input_key() (not an alias: the Scheduler role's kms:Decrypt grant must name the key)",
                );
            }
        }
        if let (Some(group), false) = (&jobs.group, jobs.list.is_empty()) {
            if !group.node().same_stack(&self.node) {
                report.error(
                    &path,
                    format!("schedule group {} is in another stack", group.node().path()),
                    "pass a ScheduleGroup of this function's stack to .schedule_group()",
                );
            }
        }
        let start = p.start_date.as_deref().and_then(instant);
        let end = p.end_date.as_deref().and_then(instant);
        let now = Utc::now();
        let timeout = self.function.settings().timeout;
        for (name, schedule) in jobs.schedules() {
            if let Detection::RateTooLong { .. } = job_detection(p, &schedule, timeout) {
                report.warning(
                    &self.job_path(&name),
                    "missed runs of this job are not detected: the stack's watchdog counts a rate job's fire times from the function's start date, and it has none (the function's own metrics cannot tell its jobs apart)",
                    "give the function a .start_date(\"2027-01-01T00:00:00Z\"), or write the job's schedule as a cron (rate(1 hour) is Schedule::cron(\"0 * * * ? *\")), or call .no_missed_run_alarm()",
                );
            }
        }
        for (index, job) in jobs.list.iter().enumerate() {
            let job_path = self.job_path(&job.name);
            if let Some(problem) = contract::job_name_problem(&job.name) {
                report.error(
                    &path,
                    format!("job name {:?} is invalid: {problem}", job.name),
                    "name the job with 1 to 64 ASCII letters, digits, `-`, `_` or `.`, e.g. .job(\"month-end-close\", ..)",
                );
            }
            if let Some(first) = jobs.list[..index].iter().position(|j| j.name == job.name) {
                report.error(
                    &job_path,
                    format!(
                        "job `{}` is defined twice on {path}: by its .job(..) calls #{} and #{}",
                        job.name,
                        first + 1,
                        index + 1
                    ),
                    "give each .job(..) of a function a different name",
                );
            }
            match job.schedule.validate() {
                Err(e) => report.error(
                    &job_path,
                    format!("invalid schedule: {}", e.problem()),
                    e.fix(),
                ),
                Ok(valid) => {
                    if !(job.schedule.expression().starts_with("at(")
                        && (start.is_some() || end.is_some()))
                    {
                        schedules::check_schedule(&job_path, &valid, start, end, now, report);
                    }
                }
            }
            match &job.input {
                Err(e) => report.error(
                    &job_path,
                    format!("the job's input does not serialize to JSON: {e}"),
                    "pass a value serde_json can serialize (maps need string keys), e.g. serde_json::json!({..})",
                ),
                Ok(input) => {
                    let bytes = SchedulerInput::job_template_json(&job.name, input.clone()).len()
                        + SUBSTITUTION_ROOM;
                    if bytes > MAX_JOB_INPUT_BYTES {
                        report.error(
                            &job_path,
                            format!("the job's scheduler input is about {bytes} bytes, over the {MAX_JOB_INPUT_BYTES} the Scheduler and Lambda accept"),
                            "pass a smaller input: put bulky data in S3 or DynamoDB and pass its key",
                        );
                    }
                    check_input_secrets(&job_path, "", input, report);
                }
            }
        }
    }

    /// One schedule per job, sharing `schedule_role` and the dead-letter queue.
    pub(super) fn emit_jobs(
        &self,
        p: &Props,
        schedule_role: &str,
        description: &str,
        template: &mut Template,
    ) {
        let jobs = self.jobs.borrow();
        let path = self.node.path();
        let flexible = scheduler::FlexibleTimeWindow {
            mode: p.flexible_window.mode(),
            maximum_window_in_minutes: p.flexible_window.maximum_window_in_minutes(),
        };
        for (index, job) in jobs.list.iter().enumerate() {
            // A duplicate name is one error (from the checks), not a second
            // schedule under the same logical id.
            if jobs.list[..index].iter().any(|j| j.name == job.name) {
                continue;
            }
            let input = job.input.clone().unwrap_or(Json::Null);
            template.add_resource(
                logical_id::from_path(&[self.node.id(), "Job", &job.name]),
                Resource::new(scheduler::Schedule {
                    name: None,
                    group_name: Some(
                        jobs.group
                            .as_ref()
                            .map_or_else(|| self.group.name(), ScheduleGroup::group_name),
                    ),
                    kms_key_arn: jobs.input_key.clone(),
                    description: Some(format!("{description}: job {}", job.name)),
                    schedule_expression: job.schedule.expression(),
                    schedule_expression_timezone: Some(
                        job.schedule.time_zone().unwrap_or("UTC").to_owned(),
                    ),
                    start_date: p
                        .start_date
                        .as_deref()
                        .map(super::synthesis::scheduler_date),
                    end_date: p.end_date.as_deref().map(super::synthesis::scheduler_date),
                    flexible_time_window: flexible.clone(),
                    state: if p.enabled { "ENABLED" } else { "DISABLED" },
                    target: scheduler::Target {
                        arn: self.function.arn(),
                        role_arn: Value::get_att(schedule_role, "Arn"),
                        input: Some(SchedulerInput::job_template_json(&job.name, input)),
                        retry_policy: Some(scheduler::RetryPolicy {
                            maximum_event_age_in_seconds: super::synthesis::secs(
                                p.schedule_max_event_age,
                            ),
                            maximum_retry_attempts: p.schedule_retry_attempts,
                        }),
                        dead_letter_config: Some(scheduler::DeadLetterConfig {
                            arn: self.dead_letter.arn(),
                        }),
                        ecs_parameters: None,
                    },
                })
                .metadata("cloudCron", json!({ "path": path, "job": job.name })),
            );
        }
    }

    /// Each job's schedule for the synth summary, at `STACK/FUNCTION/JOB`.
    pub(super) fn job_summaries(&self) -> Vec<ScheduleSummary> {
        self.jobs
            .borrow()
            .list
            .iter()
            .map(|job| ScheduleSummary {
                path: self.job_path(&job.name),
                schedule: job.schedule.clone(),
            })
            .collect()
    }
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Every string in a job's input that looks like a secret, by the key it
/// sits under (inputs are stored in plain text in the schedule).
fn check_input_secrets(path: &str, key: &str, value: &Json, report: &mut Report) {
    match value {
        Json::String(text) => {
            if let Some(kind) = secrets::find_secret(key, text) {
                let at = if key.is_empty() {
                    String::new()
                } else {
                    format!(" under `{key}`")
                };
                report.error(
                    path,
                    format!("the job's input holds {kind}{at}; inputs are stored in plain text in the schedule"),
                    "keep the secret in SSM or Secrets Manager, declare it with .secret(\"NAME\", SecretRef::ssm(\"/path\")) and read it with ctx.secret(\"NAME\")",
                );
            }
        }
        Json::Array(items) => {
            for item in items {
                check_input_secrets(path, key, item, report);
            }
        }
        Json::Object(map) => {
            for (k, v) in map {
                check_input_secrets(path, k, v, report);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_key_arns_follow_the_scheduler_pattern() {
        for ok in [
            "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd",
        ] {
            assert!(is_kms_key_arn(ok), "{ok}");
        }
        for bad in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-2:12345:key/x",
            "arn:aws:s3:eu-west-2:123456789012:key/x",
            "arn:aws:kms:eu-west-2:123456789012:secret/x",
            "arn:aws:kms:eu-west-2:123456789012:key/a b",
            "arn:aws:kms:eu-west-2:123456789012:alias/erp",
        ] {
            assert!(!is_kms_key_arn(bad), "{bad}");
        }
    }
}
