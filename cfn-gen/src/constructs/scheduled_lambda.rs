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
use cloud_cron_runtime::contract::{self, SchedulerInput};
use serde_json::json;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::Topic;
use crate::resources::{cloudwatch, dynamodb, iam, logs, scheduler, serverless, sqs};
use crate::schedule::{FlexibleWindow, Schedule};
use crate::synth::{ScheduleSummary, SynthContext};
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::validate::{limits, names, Report};
use crate::value::{Pseudo, Value};

/// The instruction set a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// `x86_64` (the default; most published images are built for it).
    #[default]
    X86_64,
    /// `arm64` (Graviton: cheaper per GB-second).
    Arm64,
}

impl Architecture {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Days CloudWatch Logs accepts as a retention period.
const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Variables Lambda sets itself; a function may not define them.
const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

/// Words in a variable name that mark a secret.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "PRIVATE_KEY",
    "API_KEY",
];

#[derive(Debug, Clone)]
struct Props {
    code: Option<Code>,
    schedule: Option<Schedule>,
    start_date: Option<String>,
    end_date: Option<String>,
    flexible_window: FlexibleWindow,
    enabled: bool,
    publishes: Vec<(String, Topic)>,
    env: BTreeMap<String, String>,
    timeout: Duration,
    memory_mb: u32,
    architecture: Architecture,
    reserved_concurrency: Option<u32>,
    log_retention_days: u32,
    schedule_retry_attempts: u32,
    schedule_max_event_age: Duration,
    function_retry_attempts: u32,
    function_max_event_age: Duration,
    function_name: Option<String>,
    schedule_name: Option<String>,
    description: Option<String>,
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
                code: None,
                schedule: None,
                start_date: None,
                end_date: None,
                flexible_window: FlexibleWindow::Off,
                enabled: true,
                publishes: Vec::new(),
                env: BTreeMap::new(),
                timeout: Duration::from_secs(60),
                memory_mb: 256,
                architecture: Architecture::X86_64,
                reserved_concurrency: None,
                log_retention_days: 30,
                schedule_retry_attempts: 185,
                schedule_max_event_age: Duration::from_secs(86_400),
                function_retry_attempts: 2,
                function_max_event_age: Duration::from_secs(21_600),
                function_name: None,
                schedule_name: None,
                description: None,
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
        self.update(|p| p.code = Some(Code::Image(image)))
    }

    /// Run a Rust binary of this workspace, built by `sam build` with
    /// cargo-lambda for the function's architecture.
    pub fn rust_binary(self, code: RustBinary) -> ScheduledLambda {
        self.update(|p| p.code = Some(Code::Rust(code)))
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

    /// Set an environment variable. Never a secret: keep secrets in SSM
    /// Parameter Store (SecureString) or Secrets Manager and pass their names.
    pub fn env(self, name: impl Into<String>, value: impl Into<String>) -> ScheduledLambda {
        let (name, value) = (name.into(), value.into());
        self.update(|p| {
            p.env.insert(name, value);
        })
    }

    /// The function timeout, 1 to 900 whole seconds.
    pub fn timeout(self, timeout: Duration) -> ScheduledLambda {
        self.update(|p| p.timeout = timeout)
    }

    /// Memory in MB, 128 to 10,240.
    pub fn memory_mb(self, mb: u32) -> ScheduledLambda {
        self.update(|p| p.memory_mb = mb)
    }

    /// The instruction set; it must match the image's.
    pub fn architecture(self, architecture: Architecture) -> ScheduledLambda {
        self.update(|p| p.architecture = architecture)
    }

    /// Reserve concurrency for the function (and cap it there).
    pub fn reserved_concurrency(self, n: u32) -> ScheduledLambda {
        self.update(|p| p.reserved_concurrency = Some(n))
    }

    /// Keep logs this many days (a value CloudWatch Logs accepts, e.g. 30).
    pub fn log_retention_days(self, days: u32) -> ScheduledLambda {
        self.update(|p| p.log_retention_days = days)
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

    /// A fixed function name (otherwise CloudFormation generates one).
    pub fn function_name(self, name: impl Into<String>) -> ScheduledLambda {
        let name = name.into();
        self.update(|p| p.function_name = Some(name))
    }

    /// A fixed schedule name (otherwise CloudFormation generates one).
    pub fn schedule_name(self, name: impl Into<String>) -> ScheduledLambda {
        let name = name.into();
        self.update(|p| p.schedule_name = Some(name))
    }

    /// What the task does (the function's and schedule's description).
    pub fn description(self, text: impl Into<String>) -> ScheduledLambda {
        let text = text.into();
        self.update(|p| p.description = Some(text))
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
    fn env_bytes(&self, p: &Props) -> usize {
        let user: usize = p.env.iter().map(|(k, v)| k.len() + v.len()).sum();
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
        user + topics + table
    }
}

#[derive(Default)]
struct CodeProps {
    package_type: Option<&'static str>,
    image_uri: Option<Value>,
    code_uri: Option<String>,
    handler: Option<String>,
    runtime: Option<String>,
    binary: Option<String>,
    metadata: Vec<(&'static str, serde_json::Value)>,
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

fn check_image_uri(path: &str, uri: &str, report: &mut Report) {
    let fix = "use a private ECR image in the stack's region: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG or REPO@sha256:DIGEST (copy a public image into your ECR first)";
    let Some((host, rest)) = uri.split_once('/') else {
        report.error(path, format!("image `{uri}` has no repository"), fix);
        return;
    };
    let host_parts: Vec<&str> = host.split('.').collect();
    let ecr_host = host_parts.len() >= 6
        && host_parts[0].len() == 12
        && host_parts[0].chars().all(|c| c.is_ascii_digit())
        && host_parts[1] == "dkr"
        && host_parts[2] == "ecr"
        && host_parts[4] == "amazonaws"
        && matches!(&host_parts[5..], ["com"] | ["com", "cn"]);
    if !ecr_host {
        report.error(
            path,
            format!("image `{uri}` is not in a private ECR registry; Lambda runs only private ECR images"),
            fix,
        );
        return;
    }
    let (repo, reference) = match rest.split_once('@') {
        Some((repo, digest)) => {
            let hex = digest.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64
                || !hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            {
                report.error(
                    path,
                    format!("image `{uri}` has a malformed digest"),
                    "a digest is `sha256:` and 64 lower-case hex digits",
                );
            }
            (repo, None)
        }
        None => match rest.rsplit_once(':') {
            Some((repo, tag)) => (repo, Some(tag)),
            None => (rest, None),
        },
    };
    let repo_ok = !repo.is_empty()
        && repo.len() <= 256
        && repo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
    if !repo_ok {
        report.error(
            path,
            format!("image `{uri}` has an invalid repository name `{repo}`"),
            "ECR repository names are lower-case letters, digits, `.`, `_`, `-` and `/`",
        );
    }
    match reference {
        Some(tag) if tag.is_empty() || tag.len() > 128 => {
            report.error(path, format!("image `{uri}` has an invalid tag"), "tags are 1 to 128 characters");
        }
        Some(tag) => report.warning(
            path,
            format!("image `{uri}` is referenced by tag `{tag}`; Lambda resolves a tag once, at deploy, so pushing a new image under the same tag changes nothing until the next deploy"),
            "pin the image by digest (REPO@sha256:DIGEST) so every update is an explicit template change",
        ),
        None if !rest.contains('@') => report.error(
            path,
            format!("image `{uri}` has neither a tag nor a digest"),
            "add `:TAG` or `@sha256:DIGEST`",
        ),
        None => {}
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();

        match &p.code {
            None => report.error(
                path,
                "the function has no code",
                "call .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG\") or .rust_binary(RustBinary::new(env!(\"CARGO_MANIFEST_DIR\"), \"NAME\"))",
            ),
            Some(Code::Image(ImageSource::Uri(uri))) => check_image_uri(path, uri, report),
            Some(Code::Image(ImageSource::Build(build))) => {
                for (message, fix) in build.problems(p.architecture) {
                    report.error(path, message, fix);
                }
            }
            Some(Code::Rust(bin)) => {
                if let Some((message, fix)) = bin.problem() {
                    report.error(path, message, fix);
                }
            }
        }

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
                            if gap >= 0 && (gap as u64) < p.timeout.as_secs() {
                                report.warning(
                                    path,
                                    format!("runs can start every {gap} s but the timeout is {} s, so runs can overlap", p.timeout.as_secs()),
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

        for (name, value) in &p.env {
            if let Err(message) = names::ENV_VAR.check(name) {
                report.error(path, message, "rename the variable passed to .env()");
            }
            if RESERVED_ENV.contains(&name.as_str()) {
                report.error(
                    path,
                    format!("environment variable {name} is reserved by Lambda"),
                    "choose another name",
                );
            }
            if name.starts_with(contract::TOPIC_ARN_ENV_PREFIX) {
                report.error(
                    path,
                    format!("environment variable {name} uses the prefix reserved for topic ARNs"),
                    "use .publishes_to(KEY, &topic) to pass a topic, or another name",
                );
            }
            let upper = name.to_ascii_uppercase();
            let looks_secret = SECRET_WORDS.iter().any(|w| upper.contains(w));
            let is_reference = value.starts_with('/') || value.starts_with("arn:");
            if looks_secret && !is_reference {
                report.error(
                    path,
                    format!("environment variable {name} looks like a secret with a literal value; secrets must never be in a template or an environment variable"),
                    "store the secret in SSM Parameter Store (SecureString) or Secrets Manager and pass its name or ARN instead (e.g. /myapp/api-token)",
                );
            }
        }
        let env_bytes = self.env_bytes(&p);
        if env_bytes > limits::MAX_ENVIRONMENT_BYTES {
            report.error(
                path,
                format!(
                    "environment variables take up to {env_bytes} bytes; Lambda allows {} in total",
                    limits::MAX_ENVIRONMENT_BYTES
                ),
                "move large settings to SSM Parameter Store or S3 and pass their names",
            );
        }

        let timeout = p.timeout.as_secs();
        if p.timeout.subsec_nanos() != 0 || !(1..=900).contains(&timeout) {
            report.error(
                path,
                format!(
                    "timeout {:?} is not a whole number of seconds from 1 to 900",
                    p.timeout
                ),
                "pass e.g. Duration::from_secs(60) to .timeout()",
            );
        }
        if !(128..=10_240).contains(&p.memory_mb) {
            report.error(
                path,
                format!("memory of {} MB is outside 128 to 10,240 MB", p.memory_mb),
                "pass a value in range to .memory_mb()",
            );
        }
        if p.reserved_concurrency == Some(0) {
            report.error(
                path,
                "reserved concurrency 0 stops the function from ever running",
                "use .disabled() to pause the schedule, or reserve at least 1",
            );
        }
        if !RETENTION_DAYS.contains(&p.log_retention_days) {
            report.error(
                path,
                format!(
                    "log retention of {} days is not one CloudWatch Logs accepts",
                    p.log_retention_days
                ),
                format!("use one of {RETENTION_DAYS:?}"),
            );
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
        if let Some(name) = &p.function_name {
            if let Err(message) = names::FUNCTION.check(name) {
                report.error(
                    path,
                    message,
                    "fix the name given to .function_name(), or leave it out",
                );
            }
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
        if let Some(d) = &p.description {
            if d.chars().count() > 256 {
                report.error(
                    path,
                    "the description is longer than Lambda's 256 characters",
                    "shorten the text given to .description()",
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
            Resource::new(cloudwatch::Alarm {
                alarm_description: Some(format!(
                    "{path}: a scheduled run failed after every retry; its event is in the dead-letter queue"
                )),
                namespace: "AWS/SQS".into(),
                metric_name: "ApproximateNumberOfMessagesVisible".into(),
                dimensions: vec![cloudwatch::Dimension {
                    name: "QueueName".into(),
                    value: Value::get_att(&ids.dlq, "QueueName"),
                }],
                statistic: "Maximum".into(),
                period: 60,
                evaluation_periods: 1,
                threshold: 0.0,
                comparison_operator: "GreaterThanThreshold".into(),
                treat_missing_data: Some("notBreaching".into()),
                alarm_actions: p.alarm_topic.iter().map(Topic::arn).collect(),
                ok_actions: Vec::new(),
            }),
        );

        template.add_resource(
            &ids.log_group,
            Resource::new(logs::LogGroup {
                retention_in_days: Some(p.log_retention_days),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .skip_check(
                "CKV_AWS_158",
                "CloudWatch Logs encrypts log data at rest with its own keys; a customer managed key would need a key policy for the logs service and adds cost without protecting more here",
            ),
        );

        let mut statements = vec![iam::Statement::allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![Value::get_att(&ids.log_group, "Arn")],
        )];
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
        if p.idempotency {
            statements.push(iam::Statement::allow(
                [
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                vec![Value::get_att(&ids.table, "Arn")],
            ));
            template.add_resource(
                &ids.table,
                Resource::new(dynamodb::Table {
                    billing_mode: "PAY_PER_REQUEST",
                    attribute_definitions: vec![dynamodb::AttributeDefinition {
                        attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
                        attribute_type: "S",
                    }],
                    key_schema: vec![dynamodb::KeySchemaElement {
                        attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
                        key_type: "HASH",
                    }],
                    time_to_live_specification: Some(dynamodb::TimeToLiveSpecification {
                        attribute_name: contract::IDEMPOTENCY_TTL_ATTRIBUTE.into(),
                        enabled: true,
                    }),
                    point_in_time_recovery_specification: Some(
                        dynamodb::PointInTimeRecoverySpecification {
                            point_in_time_recovery_enabled: true,
                        },
                    ),
                    sse_specification: Some(dynamodb::SseSpecification { sse_enabled: true }),
                })
                // Records expire within days; they belong to the stack.
                .deletion_policy(DeletionPolicy::Delete)
                .update_replace_policy(DeletionPolicy::Delete)
                .skip_check(
                    "CKV_AWS_119",
                    "the table holds only run ids and status, encrypted with the AWS managed key; a customer managed key would add cost and a key policy without protecting more",
                ),
            );
        }
        template.add_resource(
            &ids.role,
            Resource::new(iam::Role {
                assume_role_policy_document: iam::PolicyDocument::new(vec![
                    iam::Statement::assume_by_service("lambda.amazonaws.com"),
                ]),
                description: Some(format!("Execution role of {path}")),
                policies: vec![iam::Policy {
                    policy_name: "run".into(),
                    policy_document: iam::PolicyDocument::new(statements),
                }],
                role_name: None,
            }),
        );

        let mut variables: BTreeMap<String, Value> = p
            .env
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        variables.extend(self.topic_env(&p));
        if p.idempotency {
            variables.insert(
                contract::IDEMPOTENCY_TABLE_ENV.to_owned(),
                Value::reference(&ids.table),
            );
        }
        let mut code = CodeProps::default();
        match &p.code {
            Some(Code::Image(ImageSource::Uri(uri))) => {
                code.package_type = Some("Image");
                code.image_uri = Some(Value::String(uri.clone()));
            }
            Some(Code::Image(ImageSource::Build(build))) => {
                // No ImageUri: `sam build` builds the image, `sam deploy` pushes it.
                code.package_type = Some("Image");
                code.metadata = build.metadata(ctx);
            }
            Some(Code::Rust(bin)) => {
                code.code_uri = Some(ctx.template_relative(bin.package_dir()));
                code.handler = Some("bootstrap".into());
                code.runtime = Some("provided.al2023".into());
                code.binary = Some(bin.binary().to_owned());
            }
            None => {}
        }
        let mut function = Resource::new(serverless::Function {
            function_name: p.function_name.clone().map(Value::String),
            description: p.description.clone(),
            package_type: code.package_type,
            image_uri: code.image_uri,
            architectures: vec![p.architecture.as_str()],
            memory_size: p.memory_mb,
            timeout: u32::try_from(p.timeout.as_secs()).unwrap_or(u32::MAX),
            role: Value::get_att(&ids.role, "Arn"),
            reserved_concurrent_executions: p.reserved_concurrency,
            environment: (!variables.is_empty()).then_some(serverless::Environment { variables }),
            logging_config: Some(serverless::LoggingConfig {
                log_format: "JSON",
                log_group: Value::reference(&ids.log_group),
                application_log_level: None,
                system_log_level: None,
            }),
            code_uri: code.code_uri,
            handler: code.handler,
            runtime: code.runtime,
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
        })
        .skip_check(
            "CKV_AWS_116",
            "failed asynchronous runs go to the dead-letter queue through EventInvokeConfig's OnFailure destination, which records the request and the error (a DeadLetterConfig would duplicate it)",
        )
        .skip_check(
            "CKV_AWS_117",
            "the function calls only public AWS APIs (SNS, SQS); a VPC would need NAT or endpoints and adds no isolation here",
        )
        .skip_check(
            "CKV_AWS_173",
            "environment variables hold only topic ARNs and non-secret settings (synth rejects secret-looking values); Lambda encrypts them at rest",
        );
        for (key, value) in code.metadata {
            function = function.metadata(key, value);
        }
        if let Some(binary) = code.binary {
            function = function
                .metadata("BuildMethod", json!("rust-cargolambda"))
                .metadata("BuildProperties", json!({ "Binary": binary }));
        }
        if p.reserved_concurrency.is_none() {
            function = function.skip_check(
                "CKV_AWS_115",
                "no reserved concurrency by default: a reservation carves capacity out of the account pool and fails to deploy in accounts with low limits; opt in with .reserved_concurrency(n)",
            );
        }
        template.add_resource(&ids.function, function);

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
                    p.description
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
