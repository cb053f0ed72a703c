//! `ScheduledLambda`: a Lambda function run by EventBridge Scheduler, with
//! both retry layers, a dead-letter queue and an alarm.
//!
//! Resources, all named from the construct path: the function, its execution
//! role and log group, the schedule and the role the Scheduler assumes, one
//! standard SQS dead-letter queue shared by both retry layers (Scheduler
//! delivery failures and function errors), and an alarm on that queue.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use cloud_cron_contract::{self as contract, SchedulerInput};
use serde_json::json;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::dead_letter::depth_alarm;
use crate::constructs::function::{
    function_setters, synthesize_function, FunctionIds, FunctionParts, FunctionSettings,
};
use crate::constructs::record_table::record_table;
use crate::constructs::Topic;
use crate::resources::{iam, scheduler, serverless, sqs};
use crate::schedule::{FlexibleWindow, Schedule};
use crate::synth::{ScheduleSummary, SynthContext};
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::validate::{names, schedules, Report};
use crate::value::{Pseudo, Value};

#[derive(Debug, Clone)]
struct Props {
    function: FunctionSettings,
    schedule: Option<Schedule>,
    start_date: Option<String>,
    end_date: Option<String>,
    flexible_window: FlexibleWindow,
    enabled: bool,
    publishes: Vec<(String, Topic)>,
    schedule_retry_attempts: u32,
    schedule_max_event_age: Duration,
    function_retry_attempts: u32,
    function_max_event_age: Duration,
    schedule_name: Option<String>,
    alarm_topic: Option<Topic>,
    idempotency: bool,
}

impl std::fmt::Debug for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Topic({})", self.node().path())
    }
}

struct Inner {
    node: Node,
    props: RefCell<Props>,
}

/// A Lambda function that EventBridge Scheduler runs on a schedule.
///
/// ```
/// use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit, Topic};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let alerts = Topic::fifo(&stack, "Alerts");
/// ScheduledLambda::new(&stack, "Report")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest")
///     .schedule(Schedule::rate(5, TimeUnit::Minutes))
///     .publishes_to("alerts", &alerts);
/// let out = app.synth().expect("valid");
/// assert!(out.stacks[0].text.contains("SNS_TOPIC_ARN_ALERTS"));
/// ```
///
/// Defaults: 60 s timeout, 256 MB, `x86_64`, logs kept 30 days, the
/// Scheduler retrying delivery 185 times for up to 24 hours, Lambda retrying
/// a failed run twice within 6 hours, and anything that still fails kept 14
/// days in the dead-letter queue, whose alarm fires on the first message.
#[derive(Clone)]
pub struct ScheduledLambda(Rc<Inner>);

impl ScheduledLambda {
    /// A new scheduled function in `stack`.
    pub fn new(stack: &Stack, id: &str) -> ScheduledLambda {
        let inner = Rc::new(Inner {
            node: stack.claim(id),
            props: RefCell::new(Props {
                function: FunctionSettings::new(Duration::from_secs(60), 256),
                schedule: None,
                start_date: None,
                end_date: None,
                flexible_window: FlexibleWindow::Off,
                enabled: true,
                publishes: Vec::new(),
                schedule_retry_attempts: 185,
                schedule_max_event_age: Duration::from_secs(86_400),
                function_retry_attempts: 2,
                function_max_event_age: Duration::from_secs(21_600),
                schedule_name: None,
                alarm_topic: None,
                idempotency: false,
            }),
        });
        stack.add(inner.clone());
        ScheduledLambda(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> ScheduledLambda {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// Run a container image: a private ECR image in the stack's region
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `...@sha256:DIGEST`),
    /// or an [`ImageBuild`](crate::ImageBuild) that `sam build` builds.
    pub fn image(self, image: impl Into<ImageSource>) -> ScheduledLambda {
        let image = image.into();
        self.update(|p| p.function.code = Some(Code::Image(image)))
    }

    /// Run a Rust binary of this workspace, built by `sam build` with
    /// cargo-lambda for the function's architecture.
    pub fn rust_binary(self, code: RustBinary) -> ScheduledLambda {
        self.update(|p| p.function.code = Some(Code::Rust(code)))
    }

    /// When to run: [`Schedule::rate`], [`Schedule::cron`] or [`Schedule::at`],
    /// optionally in a time zone.
    pub fn schedule(self, schedule: Schedule) -> ScheduledLambda {
        self.update(|p| p.schedule = Some(schedule))
    }

    /// Do not run before this instant (RFC 3339, e.g. `2027-01-01T00:00:00Z`).
    pub fn start_date(self, rfc3339: impl Into<String>) -> ScheduledLambda {
        let s = rfc3339.into();
        self.update(|p| p.start_date = Some(s))
    }

    /// Do not run after this instant (RFC 3339).
    pub fn end_date(self, rfc3339: impl Into<String>) -> ScheduledLambda {
        let s = rfc3339.into();
        self.update(|p| p.end_date = Some(s))
    }

    /// Let the Scheduler start each run up to `minutes` (1 to 1,440) late,
    /// to spread load.
    pub fn flexible_window(self, minutes: u32) -> ScheduledLambda {
        self.update(|p| {
            p.flexible_window = FlexibleWindow::Flexible {
                maximum_minutes: minutes,
            }
        })
    }

    /// Deploy the schedule switched off.
    pub fn disabled(self) -> ScheduledLambda {
        self.update(|p| p.enabled = false)
    }

    /// Let the function publish to `topic`. Its ARN arrives in
    /// `SNS_TOPIC_ARN_<KEY>` (`key` upper-cased, `-` as `_`), and the role
    /// may `sns:Publish` to exactly that topic.
    pub fn publishes_to(self, key: &str, topic: &Topic) -> ScheduledLambda {
        let entry = (key.to_owned(), topic.clone());
        self.update(|p| p.publishes.push(entry))
    }

    /// How the Scheduler retries delivering a run to the function: up to
    /// `attempts` (0 to 185) retries, for at most `max_age` (60 s to 24 h).
    pub fn schedule_retries(self, attempts: u32, max_age: Duration) -> ScheduledLambda {
        self.update(|p| {
            p.schedule_retry_attempts = attempts;
            p.schedule_max_event_age = max_age;
        })
    }

    /// How Lambda retries a run that failed: up to `attempts` (0 to 2)
    /// retries, for at most `max_age` (60 s to 6 h).
    pub fn function_retries(self, attempts: u32, max_age: Duration) -> ScheduledLambda {
        self.update(|p| {
            p.function_retry_attempts = attempts;
            p.function_max_event_age = max_age;
        })
    }

    /// A fixed schedule name (otherwise CloudFormation generates one).
    pub fn schedule_name(self, name: impl Into<String>) -> ScheduledLambda {
        let name = name.into();
        self.update(|p| p.schedule_name = Some(name))
    }

    /// What the task does (the function's and schedule's description).
    pub fn description(self, text: impl Into<String>) -> ScheduledLambda {
        let text = text.into();
        self.update(|p| p.function.description = Some(text))
    }

    /// Send the dead-letter alarm to this topic (e.g. an operators' topic).
    pub fn alarm_to(self, topic: &Topic) -> ScheduledLambda {
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
    }

    /// Guard each scheduled run with a DynamoDB record so that it runs to
    /// completion at most once, however late a retry arrives (SNS FIFO
    /// deduplicates for five minutes only). Creates the table and lets the
    /// function put, update and delete its items; the runtime finds it in
    /// `CLOUDCRON_IDEMPOTENCY_TABLE`.
    pub fn idempotency(self) -> ScheduledLambda {
        self.update(|p| p.idempotency = true)
    }

    function_setters!();

    /// Where the function sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The function's ARN.
    pub fn function_arn(&self) -> Value {
        Value::get_att(self.0.node.child_logical_id("Function"), "Arn")
    }

    /// The dead-letter queue's ARN.
    pub fn dead_letter_queue_arn(&self) -> Value {
        Value::get_att(self.0.node.child_logical_id("DeadLetterQueue"), "Arn")
    }
}

impl Inner {
    fn ids(&self) -> Ids {
        let n = &self.node;
        Ids {
            function: n.child_logical_id("Function"),
            role: n.child_logical_id("Role"),
            log_group: n.child_logical_id("LogGroup"),
            dlq: n.child_logical_id("DeadLetterQueue"),
            alarm: n.child_logical_id("DeadLetterAlarm"),
            schedule: n.child_logical_id("Schedule"),
            schedule_role: n.child_logical_id("ScheduleRole"),
            table: n.child_logical_id("IdempotencyTable"),
        }
    }

    fn topic_env(&self, p: &Props) -> Vec<(String, Value)> {
        p.publishes
            .iter()
            .filter_map(|(key, topic)| {
                contract::topic_env_var(key)
                    .ok()
                    .map(|var| (var, topic.arn()))
            })
            .collect()
    }

    /// Bytes the environment takes in the worst case: topic ARNs generated
    /// by CloudFormation are estimated at their longest.
    fn contract_env_bytes(&self, p: &Props) -> usize {
        let topics: usize = p
            .publishes
            .iter()
            .filter_map(|(key, topic)| {
                let var = contract::topic_env_var(key).ok()?;
                Some(var.len() + estimated_arn_len(topic))
            })
            .sum();
        // A generated table name is at most 255 characters.
        let table = if p.idempotency {
            contract::IDEMPOTENCY_TABLE_ENV.len() + 255
        } else {
            0
        };
        topics + table
    }
}

struct Ids {
    function: String,
    role: String,
    log_group: String,
    dlq: String,
    alarm: String,
    schedule: String,
    schedule_role: String,
    table: String,
}

/// The longest an SNS topic ARN can be once deployed.
fn estimated_arn_len(topic: &Topic) -> usize {
    // arn:aws-us-gov:sns:ap-southeast-2:123456789012: is the longest prefix.
    const PREFIX: usize = 48;
    match topic.arn() {
        Value::String(arn) => arn.len(),
        // A generated name is `<stack>-<logical id>-<13 random>`, capped at 256.
        Value::Ref(id) => PREFIX + (topic.node().stack_name().len() + id.len() + 15 + 5).min(256),
        _ => PREFIX + 256,
    }
}

fn parse_instant(path: &str, what: &str, text: &str, report: &mut Report) -> Option<DateTime<Utc>> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            report.error(
                path,
                format!("{what} `{text}` is not an RFC 3339 instant ({e})"),
                "write it like 2027-01-01T00:00:00Z",
            );
            None
        }
    }
}

fn scheduler_date(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        })
        .unwrap_or_else(|_| text.to_owned())
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();

        p.function.validate(
            &self.node,
            self.contract_env_bytes(&p),
            "call .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG\") or .rust_binary(RustBinary::new(env!(\"CARGO_MANIFEST_DIR\"), \"NAME\"))",
            report,
        );

        let mut schedule_is_at = false;
        match &p.schedule {
            None => report.error(
                path,
                "the function has no schedule",
                "call .schedule(Schedule::rate(5, TimeUnit::Minutes)) or .schedule(Schedule::cron(\"0 9 ? * MON-FRI *\"))",
            ),
            Some(schedule) => match schedule.validate() {
                Err(e) => report.error(path, format!("invalid schedule: {}", e.problem()), e.fix()),
                Ok(valid) => {
                    schedule_is_at = schedule.expression().starts_with("at(");
                    let reference = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).single();
                    if let Some(reference) = reference {
                        let times = valid.next_fire_times(reference, 5);
                        let gap = times
                            .windows(2)
                            .map(|w| (w[1] - w[0]).num_seconds())
                            .min();
                        if let Some(gap) = gap {
                            if gap >= 0 && (gap as u64) < p.function.timeout.as_secs() {
                                report.warning(
                                    path,
                                    format!("runs can start every {gap} s but the timeout is {} s, so runs can overlap", p.function.timeout.as_secs()),
                                    "make the task finish within the interval (lower .timeout) or cap overlap with .reserved_concurrency(1)",
                                );
                            }
                        }
                    }
                }
            },
        }

        let start = p
            .start_date
            .as_deref()
            .and_then(|s| parse_instant(path, "start date", s, report));
        let end = p
            .end_date
            .as_deref()
            .and_then(|s| parse_instant(path, "end date", s, report));
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                report.error(
                    path,
                    format!("end date {e} is not after start date {s}"),
                    "move the end date after the start date",
                );
            }
        }
        if let (Some(Ok(valid)), false) = (
            p.schedule.as_ref().map(Schedule::validate),
            matches!((start, end), (Some(s), Some(e)) if e <= s),
        ) {
            schedules::check_schedule(path, &valid, start, end, Utc::now(), report);
        }
        if schedule_is_at && (p.start_date.is_some() || p.end_date.is_some()) {
            report.error(
                path,
                "start and end dates apply to rate and cron schedules, not to a one-time at(...) schedule",
                "drop .start_date()/.end_date(), or use a rate or cron schedule",
            );
        }

        if let Err(e) = p.flexible_window.validate() {
            report.error(path, e.problem(), e.fix());
        }

        let mut vars: BTreeMap<String, &str> = BTreeMap::new();
        for (key, topic) in &p.publishes {
            match contract::topic_env_var(key) {
                Err(e) => report.error(
                    path,
                    e.to_string(),
                    "use a key of letters, digits, `-` and `_`, e.g. \"alerts\"",
                ),
                Ok(var) => {
                    if let Some(first) = vars.insert(var.clone(), key) {
                        report.error(
                            path,
                            format!("topic keys `{first}` and `{key}` both map to {var}"),
                            "give each publishes_to a distinct key",
                        );
                    }
                }
            }
            if !self.node.same_stack(topic.node()) {
                report.error(
                    path,
                    format!(
                        "publishes to topic {} from another stack; a template can only reference resources of its own stack",
                        topic.node().path()
                    ),
                    format!(
                        "export it with .export_arn(\"NAME\") on the topic and import it in {} with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
                        self.node.stack_name()
                    ),
                );
            }
        }
        if let Some(topic) = &p.alarm_topic {
            if !self.node.same_stack(topic.node()) {
                report.error(
                    path,
                    format!(
                        "sends its alarm to topic {} from another stack",
                        topic.node().path()
                    ),
                    "export the topic's ARN and import it in this stack with Topic::from_arn",
                );
            }
        }

        if p.schedule_retry_attempts > 185 {
            report.error(
                path,
                format!(
                    "{} schedule retry attempts is over the Scheduler's 185",
                    p.schedule_retry_attempts
                ),
                "pass 0 to 185 to .schedule_retries()",
            );
        }
        let age = p.schedule_max_event_age.as_secs();
        if !(60..=86_400).contains(&age) {
            report.error(
                path,
                format!("schedule retry age of {age} s is outside 60 to 86,400 s"),
                "pass 60 s to 24 h to .schedule_retries()",
            );
        }
        if p.function_retry_attempts > 2 {
            report.error(
                path,
                format!(
                    "{} function retries is over Lambda's 2",
                    p.function_retry_attempts
                ),
                "pass 0 to 2 to .function_retries()",
            );
        }
        let age = p.function_max_event_age.as_secs();
        if !(60..=21_600).contains(&age) {
            report.error(
                path,
                format!("function event age of {age} s is outside 60 to 21,600 s"),
                "pass 60 s to 6 h to .function_retries()",
            );
        }
        if let Some(name) = &p.schedule_name {
            if let Err(message) = names::SCHEDULE.check(name) {
                report.error(
                    path,
                    message,
                    "fix the name given to .schedule_name(), or leave it out",
                );
            }
        }
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let ids = self.ids();
        let path = self.node.path();
        let dlq_arn = Value::get_att(&ids.dlq, "Arn");
        let function_arn = Value::get_att(&ids.function, "Arn");

        template.add_resource(
            &ids.dlq,
            Resource::new(sqs::Queue {
                kms_master_key_id: Some("alias/aws/sqs".into()),
                message_retention_period: Some(1_209_600),
                ..Default::default()
            })
            // Failed events are only worth keeping while the stack that
            // produces them exists; say so explicitly.
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete),
        );

        template.add_resource(
            &ids.alarm,
            depth_alarm(
                format!("{path}: a scheduled run failed after every retry; its event is in the dead-letter queue"),
                &ids.dlq,
                p.alarm_topic.iter().map(Topic::arn).collect(),
            ),
        );

        let mut statements = Vec::new();
        let topic_arns: Vec<Value> = p.publishes.iter().map(|(_, t)| t.arn()).collect();
        if !topic_arns.is_empty() {
            statements.push(iam::Statement::allow(["sns:Publish"], dedup(topic_arns)));
        }
        let keys: Vec<Value> = p
            .publishes
            .iter()
            .filter_map(|(_, t)| t.kms_key_arn())
            .collect();
        if !keys.is_empty() {
            statements.push(iam::Statement::allow(
                ["kms:Decrypt", "kms:GenerateDataKey*"],
                dedup(keys),
            ));
        }
        statements.push(iam::Statement::allow(
            ["sqs:SendMessage"],
            vec![dlq_arn.clone()],
        ));
        let mut env: BTreeMap<String, Value> = self.topic_env(&p).into_iter().collect();
        if p.idempotency {
            statements.push(iam::Statement::allow(
                [
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                vec![Value::get_att(&ids.table, "Arn")],
            ));
            env.insert(
                contract::IDEMPOTENCY_TABLE_ENV.to_owned(),
                Value::reference(&ids.table),
            );
            template.add_resource(&ids.table, record_table());
        }
        synthesize_function(
            ctx,
            template,
            &path,
            &FunctionIds {
                function: ids.function.clone(),
                role: ids.role.clone(),
                log_group: ids.log_group.clone(),
            },
            &p.function,
            FunctionParts {
                statements,
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
                dead_letter_reason: "failed asynchronous runs go to the dead-letter queue through EventInvokeConfig's OnFailure destination, which records the request and the error (a DeadLetterConfig would duplicate it)",
            },
        );

        let mut schedule_statements = vec![iam::Statement::allow(
            ["lambda:InvokeFunction"],
            vec![function_arn.clone()],
        )];
        schedule_statements.push(iam::Statement::allow(
            ["sqs:SendMessage"],
            vec![dlq_arn.clone()],
        ));
        template.add_resource(
            &ids.schedule_role,
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
                    policy_document: iam::PolicyDocument::new(schedule_statements),
                }],
                role_name: None,
            }),
        );

        let (expression, time_zone) = match &p.schedule {
            Some(s) => (s.expression(), s.time_zone().unwrap_or("UTC").to_owned()),
            None => (String::new(), "UTC".to_owned()),
        };
        template.add_resource(
            &ids.schedule,
            Resource::new(scheduler::Schedule {
                name: p.schedule_name.clone().map(Value::String),
                description: Some(
                    p.function
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("Runs {path}")),
                ),
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
                    arn: function_arn.clone(),
                    role_arn: Value::get_att(&ids.schedule_role, "Arn"),
                    input: Some(SchedulerInput::template_json()),
                    retry_policy: Some(scheduler::RetryPolicy {
                        maximum_event_age_in_seconds: secs(p.schedule_max_event_age),
                        maximum_retry_attempts: p.schedule_retry_attempts,
                    }),
                    dead_letter_config: Some(scheduler::DeadLetterConfig { arn: dlq_arn }),
                },
            })
            .metadata("cloudCron", json!({ "path": path })),
        );

        template.add_output(
            format!("{}Name", ids.function),
            Output::new(
                Value::reference(&ids.function),
                format!("Function of {path}"),
            ),
        );
        template.add_output(
            format!("{}Url", ids.dlq),
            Output::new(
                Value::reference(&ids.dlq),
                format!("Dead-letter queue of {path}: runs that failed after every retry"),
            ),
        );
    }

    fn schedules(&self) -> Vec<ScheduleSummary> {
        self.props
            .borrow()
            .schedule
            .iter()
            .map(|s| ScheduleSummary {
                path: self.node.path(),
                schedule: s.clone(),
            })
            .collect()
    }
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

fn dedup(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}
