//! A scheduled function's resources, in template order: the dead-letter
//! queue and the alarms (its depth, the function's errors, throttles and
//! duration, missed runs),
//! the idempotency table, the function (with its
//! grants and asynchronous retries), the role the Scheduler assumes, the
//! schedule (and the jobs' schedules, [`super::jobs`]), and the outputs.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cloud_cron_contract::{self as contract, SchedulerInput};
use serde_json::json;

use super::Inner;
use crate::constructs::alarms::{FunctionRole, WatchedFunction};
use crate::constructs::function::FunctionParts;
use crate::constructs::grant::{Grantee, RolePolicy};
use crate::resources::{iam, scheduler, serverless};
use crate::synth::SynthContext;
use crate::template::{Output, Resource, Template};
use crate::value::{Pseudo, Value};

impl Inner {
    pub(super) fn emit(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let dlq_arn = self.dead_letter.arn();

        self.dead_letter.emit_queue(template);
        self.dead_letter.emit_alarm(template);
        self.dead_letter.emit_function_alarms(
            template,
            &WatchedFunction {
                id: self.function.logical_id(),
                timeout: self.function.settings().timeout,
                duration_percent: p.duration_alarm,
            },
            FunctionRole::Task,
        );
        self.emit_missed_run_alarm(&p, template);

        let grants = RolePolicy::new();
        self.dead_letter.grant_send(&grants);
        let mut env = BTreeMap::new();
        if p.idempotency {
            self.table.grant_read_write(&grants);
            env.insert(
                contract::IDEMPOTENCY_TABLE_ENV.to_owned(),
                self.table.name(),
            );
            self.table.emit(template);
        }
        self.watchdog_parts(&mut env, &grants);
        self.function.synthesize(
            ctx,
            template,
            FunctionParts {
                grants,
                env,
                event_invoke_config: Some(serverless::EventInvokeConfig {
                    maximum_event_age_in_seconds: secs(p.function_max_event_age),
                    maximum_retry_attempts: p.function_retry_attempts,
                    destination_config: serverless::DestinationConfig {
                        on_failure: serverless::Destination {
                            destination_type: "SQS",
                            destination: dlq_arn.clone(),
                        },
                    },
                }),
            },
        );

        let schedule_role = self.node.child_logical_id("ScheduleRole");
        let invoke = RolePolicy::new();
        self.function.grant_invoke(&invoke);
        self.dead_letter.grant_send(&invoke);
        if let Some(key) = self.jobs.borrow().input_key() {
            invoke.add_to_role_policy(iam::Statement::allow(["kms:Decrypt"], vec![key]));
        }
        template.add_resource(
            &schedule_role,
            Resource::new(iam::Role {
                assume_role_policy_document: iam::PolicyDocument::new(vec![
                    iam::Statement::assume_by_service("scheduler.amazonaws.com").when(
                        "StringEquals",
                        "aws:SourceAccount",
                        Pseudo::AccountId.into(),
                    ),
                ]),
                description: Some(format!("Role EventBridge Scheduler assumes to run {path}")),
                policies: vec![iam::Policy {
                    policy_name: "invoke".into(),
                    policy_document: iam::PolicyDocument::new(invoke.statements()),
                }],
                role_name: None,
            }),
        );

        let description = self
            .function
            .settings()
            .description
            .clone()
            .unwrap_or_else(|| format!("Runs {path}"));
        self.emit_jobs(&p, &schedule_role, &description, template);
        // A function that runs only jobs has no schedule of its own.
        let (expression, time_zone) = match &p.schedule {
            Some(s) => (s.expression(), s.time_zone().unwrap_or("UTC").to_owned()),
            None if self.jobs.borrow().any() => return self.emit_outputs(template),
            None => (String::new(), "UTC".to_owned()),
        };
        template.add_resource(
            self.node.child_logical_id("Schedule"),
            Resource::new(scheduler::Schedule {
                name: p.schedule_name.clone().map(Value::String),
                group_name: Some(self.group.name()),
                kms_key_arn: self.jobs.borrow().input_key(),
                description: Some(description),
                schedule_expression: expression,
                schedule_expression_timezone: Some(time_zone),
                start_date: p.start_date.as_deref().map(scheduler_date),
                end_date: p.end_date.as_deref().map(scheduler_date),
                flexible_time_window: scheduler::FlexibleTimeWindow {
                    mode: p.flexible_window.mode(),
                    maximum_window_in_minutes: p.flexible_window.maximum_window_in_minutes(),
                },
                state: if p.enabled { "ENABLED" } else { "DISABLED" },
                target: scheduler::Target {
                    arn: self.function.arn(),
                    role_arn: Value::get_att(&schedule_role, "Arn"),
                    input: Some(SchedulerInput::template_json()),
                    retry_policy: Some(scheduler::RetryPolicy {
                        maximum_event_age_in_seconds: secs(p.schedule_max_event_age),
                        maximum_retry_attempts: p.schedule_retry_attempts,
                    }),
                    dead_letter_config: Some(scheduler::DeadLetterConfig { arn: dlq_arn }),
                    ecs_parameters: None,
                },
            })
            .metadata("cloudCron", json!({ "path": path })),
        );
        self.emit_outputs(template);
    }

    /// The function's name and the dead-letter queue's URL.
    fn emit_outputs(&self, template: &mut Template) {
        let path = self.node.path();
        let function_id = self.function.logical_id();
        template.add_output(
            format!("{function_id}Name"),
            Output::new(self.function.name(), format!("Function of {path}")),
        );
        let dlq_id = self.dead_letter.queue_id();
        template.add_output(
            format!("{dlq_id}Url"),
            Output::new(
                self.dead_letter.url(),
                format!("Dead-letter queue of {path}: runs that failed after every retry"),
            ),
        );
    }
}

pub(super) fn scheduler_date(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        })
        .unwrap_or_else(|_| text.to_owned())
}

pub(super) fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}
