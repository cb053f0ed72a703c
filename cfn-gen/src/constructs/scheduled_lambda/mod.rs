//! `ScheduledLambda`: a Lambda function run by EventBridge Scheduler, with
//! both retry layers, a dead-letter queue and an alarm.
//!
//! Resources, all named from the construct path: the function, its execution
//! role and log group, the schedule and the role the Scheduler assumes, one
//! standard SQS dead-letter queue shared by both retry layers (Scheduler
//! delivery failures and function errors), and the alarms: that queue's
//! depth, the function's errors, throttles and duration, and (for a
//! `rate(..)` schedule) missed runs. The schedule goes into the stack's
//! schedule group (`StackSchedules`); cron and at schedules are watched by
//! the stack's [`watchdog`].
//!
//! It composes the building blocks: a [`Function`], a [`DeadLetterQueue`]
//! and, with `.idempotency()`, a [`RecordTable`]. Modules: [`checks`]
//! (synth-time checks), [`synthesis`] (the schedule, its role, and wiring),
//! [`missed_runs`] (how a missed run is detected, and the metric-math alarm
//! of `rate(..)` schedules), [`watchdog`] (the stack's missed-run watchdog
//! for `cron(..)`/`at(..)` schedules), [`jobs`] (`.job(..)`: one schedule per
//! job, sharing the role and queue).

mod checks;
mod jobs;
mod missed_runs;
mod synthesis;
mod watchdog;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::alarms;
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::function::{function_setters, Function, FunctionIds, FunctionSettings};
use crate::constructs::network::{NetworkIds, VpcClient, VpcPlacement};
use crate::constructs::record_table::RecordTable;
use crate::constructs::stack_schedules::StackSchedules;
use crate::constructs::Topic;
use crate::resources::iam::Statement;
use crate::schedule::{FlexibleWindow, Schedule};
use crate::synth::{ScheduleSummary, SynthContext};
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;
use cloud_cron_contract::notifier::SecretRef;

#[derive(Debug, Clone)]
struct Props {
    schedule: Option<Schedule>,
    start_date: Option<String>,
    end_date: Option<String>,
    flexible_window: FlexibleWindow,
    enabled: bool,
    schedule_retry_attempts: u32,
    schedule_max_event_age: Duration,
    function_retry_attempts: u32,
    function_max_event_age: Duration,
    schedule_name: Option<String>,
    idempotency: bool,
    duration_alarm: Option<u32>,
    missed_runs: MissedRuns,
}

/// Whether and how patiently missed runs are detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MissedRuns {
    /// Detect them; the grace period (default: see [`missed_runs`]).
    Expect(Option<Duration>),
    /// Do not.
    Off,
}

struct Inner {
    node: Node,
    function: Function,
    dead_letter: DeadLetterQueue,
    table: RecordTable,
    group: Rc<StackSchedules>,
    /// Set on the stack's watchdog task: the watchdog it runs.
    watchdog_of: Option<Weak<watchdog::Watchdog>>,
    props: RefCell<Props>,
    jobs: RefCell<jobs::Jobs>,
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
        let task = ScheduledLambda::create(stack, id, None);
        watchdog::Watchdog::of(stack).watch(task.0.clone());
        task
    }

    /// A scheduled function; `watchdog_of` is set for the stack's watchdog.
    fn create(
        stack: &Stack,
        id: &str,
        watchdog_of: Option<Weak<watchdog::Watchdog>>,
    ) -> ScheduledLambda {
        let node = stack.claim(id);
        let function = Function::within(
            &node,
            FunctionIds::children(&node, "Function", ""),
            FunctionSettings::new(Duration::from_secs(60), 256),
            "call .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG\") or .rust_binary(RustBinary::new(env!(\"CARGO_MANIFEST_DIR\"), \"NAME\"))",
            Some("failed asynchronous runs go to the dead-letter queue through EventInvokeConfig's OnFailure destination, which records the request and the error (a DeadLetterConfig would duplicate it)"),
        );
        let dead_letter = DeadLetterQueue::within(
            &node,
            format!("{}: a scheduled run failed after every retry; its event is in the dead-letter queue", node.path()),
        );
        let group = StackSchedules::of(stack);
        if watchdog_of.is_none() {
            group.add_task(node.path());
        }
        let inner = Rc::new(Inner {
            table: RecordTable::within(&node, "IdempotencyTable"),
            group,
            watchdog_of,
            jobs: RefCell::new(jobs::Jobs::new()),
            function,
            dead_letter,
            node,
            props: RefCell::new(Props {
                schedule: None,
                start_date: None,
                end_date: None,
                flexible_window: FlexibleWindow::Off,
                enabled: true,
                schedule_retry_attempts: 185,
                schedule_max_event_age: Duration::from_secs(86_400),
                function_retry_attempts: 2,
                function_max_event_age: Duration::from_secs(21_600),
                schedule_name: None,
                idempotency: false,
                duration_alarm: Some(alarms::DEFAULT_DURATION_PERCENT),
                missed_runs: MissedRuns::Expect(None),
            }),
        });
        stack.add(inner.clone());
        ScheduledLambda(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> ScheduledLambda {
        f(&mut self.0.props.borrow_mut());
        self
    }

    fn function_settings(self, f: impl FnOnce(&mut FunctionSettings)) -> ScheduledLambda {
        self.0.function.update_settings(f);
        self
    }

    /// Run a container image: a private ECR image in the stack's region
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `...@sha256:DIGEST`),
    /// or an [`ImageBuild`](crate::ImageBuild) that `sam build` builds.
    pub fn image(self, image: impl Into<ImageSource>) -> ScheduledLambda {
        let image = image.into();
        self.function_settings(|s| s.code = Some(Code::Image(image)))
    }

    /// Run a Rust binary of this workspace, built by `sam build` with
    /// cargo-lambda for the function's architecture.
    pub fn rust_binary(self, code: RustBinary) -> ScheduledLambda {
        self.function_settings(|s| s.code = Some(Code::Rust(code)))
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
        self.0.function.publish(key, topic);
        self
    }

    /// Let the task read secret `name` with `ctx.secret(name)`: see
    /// [`Function::secret`]. Only the reference is in the environment
    /// (`CLOUDCRON_SECRET_<NAME>`); the role may read exactly that
    /// parameter or secret.
    ///
    /// ```
    /// use cfn_gen::{App, Schedule, ScheduledLambda, SecretRef, Stack, TimeUnit};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Erp");
    /// ScheduledLambda::new(&stack, "Sync")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
    ///     .schedule(Schedule::rate(1, TimeUnit::Hours))
    ///     .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))
    ///     .secret("ODOO_API_KEY", SecretRef::secrets_manager("erp/odoo-api-key"));
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("secretsmanager:GetSecretValue"));
    /// ```
    pub fn secret(self, name: &str, secret: SecretRef) -> ScheduledLambda {
        self.0.function.add_secret(name, secret, None);
        self
    }

    /// [`secret`](ScheduledLambda::secret) encrypted with a customer
    /// managed KMS key: the role may also `kms:Decrypt` with `key_arn`.
    pub fn secret_with_key(self, name: &str, secret: SecretRef, key_arn: &str) -> ScheduledLambda {
        self.0
            .function
            .add_secret(name, secret, Some(key_arn.to_owned()));
        self
    }

    /// Grant the function's role an extra statement, checked at synth like
    /// [`Function::grant`]: exact actions on exact ARNs.
    pub fn grant(self, statement: Statement) -> ScheduledLambda {
        self.0.function.add_grant(statement);
        self
    }

    /// Run the function in a VPC: see [`Function::vpc`]. Synth warns,
    /// naming the VPC endpoints its calls need (SNS for its topics, SSM or
    /// Secrets Manager for its secrets, DynamoDB for `.idempotency()`, ...),
    /// until a [`VpcEndpoints`](crate::VpcEndpoints) serves it.
    ///
    /// ```
    /// use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit, VpcEndpoints};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Erp");
    /// let sync = ScheduledLambda::new(&stack, "Sync")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
    ///     .schedule(Schedule::rate(1, TimeUnit::Hours))
    ///     .idempotency()
    ///     .vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"]);
    /// let warnings = app.synth().expect("valid").warnings;
    /// assert!(warnings.iter().any(|w| w.message.contains("dynamodb")), "{warnings:?}");
    /// ```
    pub fn vpc(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> ScheduledLambda {
        self.0.function.set_vpc(VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: false,
        });
        self
    }

    /// [`vpc`](ScheduledLambda::vpc) in subnets with a NAT gateway: no
    /// endpoints needed, no warning.
    pub fn vpc_behind_nat(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> ScheduledLambda {
        self.0.function.set_vpc(VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: true,
        });
        self
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
        self.function_settings(|s| s.description = Some(text))
    }

    /// Send this construct's alarms (dead-letter depth, function errors,
    /// throttles and duration) to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> ScheduledLambda {
        // The queue is a shared handle: its builder changes it in place.
        self.0.dead_letter.clone().alarm_to(topic);
        self
    }

    /// When the `Duration` alarm fires: a run longer than `percent` (1 to
    /// 99) percent of the function's timeout, default 80; `None` switches
    /// it off.
    pub fn duration_alarm(self, percent: Option<u32>) -> ScheduledLambda {
        self.update(|p| p.duration_alarm = percent)
    }

    /// Raise the alarm when a run that should have happened did not succeed
    /// within `grace` of its scheduled time (default: 15 minutes, plus the
    /// flexible window, plus the time Lambda's retries of a failed run may
    /// take). On by default; this sets the grace period.
    ///
    /// A `rate(..)` schedule gets a CloudWatch metric-math alarm on the
    /// function's `Invocations` minus `Errors` over one interval plus the
    /// grace; `cron(..)` and `at(..)` schedules (and a rate with a
    /// `.start_date(..)`) are checked by the stack's missed-run watchdog,
    /// which publishes `missed`, `failed`, `late` and `overran` findings to
    /// the stack's [`alarms_to`](crate::Stack::alarms_to) topic.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cfn_gen::{App, BuiltinFunctions, OpsTopic, Schedule, ScheduledLambda, Stack};
    /// # let functions = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/watchdog");
    /// let app = App::new().builtin_functions(BuiltinFunctions::default().watchdog(functions));
    /// let stack = Stack::new(&app, "Erp");
    /// stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    /// ScheduledLambda::new(&stack, "NightlySync")
    ///     .image("123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp:v1")
    ///     .schedule(Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London"))
    ///     .expect_runs(Duration::from_secs(30 * 60));
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("CLOUDCRON_WATCHDOG"));
    /// ```
    pub fn expect_runs(self, grace: Duration) -> ScheduledLambda {
        self.update(|p| p.missed_runs = MissedRuns::Expect(Some(grace)))
    }

    /// Do not detect missed runs of this task (e.g. a task that is meant
    /// to be switched on and off by hand).
    pub fn no_missed_run_alarm(self) -> ScheduledLambda {
        self.update(|p| p.missed_runs = MissedRuns::Off)
    }

    /// Guard each scheduled run with a DynamoDB record so that it runs to
    /// completion at most once, however late a retry arrives (SNS FIFO
    /// deduplicates for five minutes only). Creates the table and lets the
    /// function put, update and delete its items; the runtime finds it in
    /// `CLOUDCRON_IDEMPOTENCY_TABLE`.
    pub fn idempotency(self) -> ScheduledLambda {
        if !self.0.props.borrow().idempotency {
            self.0.function.note_call(Statement::allow(
                [
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                vec![self.0.table.arn()],
            ));
        }
        self.update(|p| p.idempotency = true)
    }

    function_setters!();

    /// Where the function sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The function it runs: add permissions, variables or grants to it
    /// (`queue.grant_send(scheduled.function())`,
    /// `scheduled.function().add_to_role_policy(..)`).
    pub fn function(&self) -> &Function {
        &self.0.function
    }

    /// The dead-letter queue of failed runs (e.g. to let a redrive tool
    /// consume it).
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        &self.0.dead_letter
    }

    /// The function's ARN.
    pub fn function_arn(&self) -> Value {
        self.0.function.arn()
    }

    /// The dead-letter queue's ARN.
    pub fn dead_letter_queue_arn(&self) -> Value {
        self.0.dead_letter.arn()
    }
}

impl Inner {
    /// Whether the task is part of the stack: always, except the stack's
    /// watchdog when no task needs it.
    fn deployed(&self) -> bool {
        match &self.watchdog_of {
            None => true,
            Some(w) => w.upgrade().is_some_and(|w| w.active()),
        }
    }
}

impl From<&ScheduledLambda> for VpcClient {
    fn from(scheduled: &ScheduledLambda) -> Self {
        VpcClient::from(&scheduled.0.function)
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        self.check_watchdog(report);
        if !self.deployed() {
            return;
        }
        self.check(report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        if !self.deployed() {
            return;
        }
        self.emit(ctx, template);
    }

    fn schedules(&self) -> Vec<ScheduleSummary> {
        if !self.deployed() {
            return Vec::new();
        }
        let own = self.props.borrow().schedule.clone();
        own.into_iter()
            .map(|s| ScheduleSummary {
                path: self.node.path(),
                schedule: s,
            })
            .chain(self.job_summaries())
            .collect()
    }
}
