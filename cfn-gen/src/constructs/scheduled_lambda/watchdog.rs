//! The stack's missed-run watchdog: one per stack, deployed when any of its
//! tasks expects runs on a `cron(..)` or `at(..)` schedule (or a rate with a
//! start date), or has `.job(..)`s (each job is watched on its own, through
//! the per-job run metrics the runtime emits). It is itself a scheduled task (`MissedRunWatchdog`, every
//! 15 minutes, cloud-cron's `watchdog` function from the app's
//! [`BuiltinFunctions`](crate::BuiltinFunctions)), so it has the alarms
//! every task has, including the `rate(..)` missed-run alarm: the watchdog
//! is watched too.
//!
//! Its configuration is the contract's `WatchdogConfig`, as JSON in
//! `CLOUDCRON_WATCHDOG` (an `Fn::Sub` that fills in the watched functions'
//! names); findings go to the stack's alarm topic (`SNS_TOPIC_ARN_OPS`).
//! Its role may read metrics (`cloudwatch:GetMetricData`, which names no
//! resource: the one statement on `*`), publish to exactly that topic, and
//! use its KMS key.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use cloud_cron_contract::watchdog::{
    WatchdogConfig, WatchdogSchedule, WatchedJob, DEFAULT_LATE_AFTER_SECONDS,
    DEFAULT_SETTLE_SECONDS, WATCHDOG_CONFIG_ENV, WATCHDOG_CONFIG_VERSION,
};
use cloud_cron_contract::TOPIC_ARN_ENV_PREFIX;

use super::missed_runs::{detection, job_detection, Detection};
use super::{Inner, ScheduledLambda};
use crate::builtin_functions::{Builtin, BuiltinCode};
use crate::construct::Stack;
use crate::constructs::code::Code;
use crate::constructs::grant::RolePolicy;
use crate::constructs::Topic;
use crate::resources::iam::Statement;
use crate::schedule::{FlexibleWindow, Schedule, TimeUnit};
use crate::validate::Report;
use crate::value::Value;

/// The construct id of the stack's watchdog task.
pub(crate) const ID: &str = "MissedRunWatchdog";

/// How often the watchdog runs, in minutes.
const EVERY_MINUTES: u32 = 15;

/// The suffix of the variable holding the ops topic's ARN.
const OPS_TOPIC_KEY: &str = "OPS";

/// One schedule the watchdog checks: a task's own, or one of its jobs.
struct Watched {
    task: Rc<Inner>,
    grace: u32,
    /// The job's name and schedule; `None` for the task's own schedule.
    job: Option<(String, Schedule)>,
}

impl Watched {
    fn path(&self) -> String {
        match &self.job {
            Some((name, _)) => format!("{}/{name}", self.task.node.path()),
            None => self.task.node.path(),
        }
    }
}

/// A stack's watchdog: the task that runs it and the tasks it may watch.
pub(crate) struct Watchdog {
    task: ScheduledLambda,
    code: BuiltinCode,
    tasks: RefCell<Vec<Rc<Inner>>>,
}

impl Watchdog {
    /// The watchdog of `stack`, created (not yet deployed) on first use.
    pub(super) fn of(stack: &Stack) -> Rc<Watchdog> {
        stack.singleton(ID, |stack| {
            Rc::new_cyclic(|me: &Weak<Watchdog>| {
                let code = stack.builtin_code(Builtin::Watchdog);
                let function_code = Code::Builtin(code.clone());
                let task = ScheduledLambda::create(stack, ID, Some(me.clone()))
                    .description("cloud-cron missed-run watchdog: checks that every expected run of this stack's cron and at schedules happened")
                    .schedule(Schedule::rate(EVERY_MINUTES, TimeUnit::Minutes))
                    .function_settings(|s| s.code = Some(function_code))
                    // A missed watchdog run is reported by its own rate alarm;
                    // a late retry would judge an old window again.
                    .function_retries(0, Duration::from_secs(900));
                Watchdog {
                    task,
                    code,
                    tasks: RefCell::new(Vec::new()),
                }
            })
        })
    }

    /// Consider `task` (watched if its schedule needs the watchdog).
    pub(super) fn watch(&self, task: Rc<Inner>) {
        self.tasks.borrow_mut().push(task);
    }

    /// What the watchdog checks: each task's own schedule and each of its
    /// jobs that the watchdog watches.
    fn jobs(&self) -> Vec<Watched> {
        let mut out = Vec::new();
        for task in self.tasks.borrow().iter() {
            let p = task.props.borrow();
            let timeout = task.function.settings().timeout;
            if let Detection::Watchdog { grace } = detection(&p, timeout) {
                out.push(Watched {
                    task: task.clone(),
                    grace,
                    job: None,
                });
            }
            for (name, schedule) in task.jobs.borrow().schedules() {
                if let Detection::Watchdog { grace } = job_detection(&p, &schedule, timeout) {
                    out.push(Watched {
                        task: task.clone(),
                        grace,
                        job: Some((name, schedule)),
                    });
                }
            }
        }
        out
    }

    /// The topic findings go to: the stack's alarm topic.
    fn topic(&self) -> Option<Topic> {
        self.task.0.node.stack_alarm_topic()
    }

    /// Whether the stack deploys it: some task needs it, there is a topic
    /// to report to, and the app names the package that builds it.
    pub(super) fn active(&self) -> bool {
        !self.jobs().is_empty() && self.topic().is_some() && self.code.resolve().is_some()
    }

    /// Warn when tasks need the watchdog but it cannot be deployed: the
    /// stack has no alarm topic, or the app does not name the watchdog's
    /// package (existing apps stay valid, and are told).
    pub(crate) fn check(&self, report: &mut Report) {
        let jobs = self.jobs();
        if jobs.is_empty() {
            return;
        }
        let paths: Vec<String> = jobs.iter().map(Watched::path).collect();
        let path = self.task.0.node.path();
        if self.topic().is_none() {
            report.warning(
                &path,
                format!(
                    "missed runs of {} are not detected: the watchdog that checks cron and at schedules reports to the stack's alarm topic, and the stack has none",
                    paths.join(", ")
                ),
                "let ops = OpsTopic::new(&stack, \"Ops\"); stack.alarms_to(&ops); (or call .no_missed_run_alarm() on those tasks)",
            );
        } else if self.code.resolve().is_none() {
            report.warning(
                &path,
                format!(
                    "missed runs of {} are not detected: the app does not say which package of your workspace builds cloud-cron's watchdog (binary `watchdog`)",
                    paths.join(", ")
                ),
                "add src/bin/watchdog.rs to your functions package: `fn main() -> Result<(), cloud_cron_watchdog::bin::Error> { cloud_cron_watchdog::bin::main() }` (with cloud-cron-watchdog in its [dependencies]), and name it: App::new().builtin_functions(BuiltinFunctions::package(dir)) or BuiltinFunctions::default().watchdog(dir); or call .no_missed_run_alarm() on those tasks",
            );
        }
    }

    /// The configuration, as an `Fn::Sub` filling in the function names.
    fn config(&self) -> Value {
        let jobs: Vec<WatchedJob> = self
            .jobs()
            .iter()
            .map(|watched| {
                let task = &watched.task;
                let p = task.props.borrow();
                let schedule = match &watched.job {
                    Some((_, schedule)) => Some(schedule),
                    None => p.schedule.as_ref(),
                };
                let flexible = match p.flexible_window {
                    FlexibleWindow::Off => 0,
                    FlexibleWindow::Flexible { maximum_minutes } => maximum_minutes * 60,
                };
                WatchedJob {
                    path: watched.path(),
                    function_name: format!("${{{}}}", task.function.logical_id()),
                    job: watched.job.as_ref().map(|(name, _)| name.clone()),
                    expression: schedule.map(Schedule::expression).unwrap_or_default(),
                    time_zone: schedule.and_then(|s| s.time_zone()).map(str::to_owned),
                    start_date: p.start_date.clone(),
                    end_date: p.end_date.clone(),
                    grace_seconds: watched.grace,
                    late_after_seconds: Some(flexible + DEFAULT_LATE_AFTER_SECONDS),
                    expected_duration_seconds: None,
                }
            })
            .collect();
        let longest_grace = jobs.iter().map(|j| j.grace_seconds).max().unwrap_or(0);
        let config = WatchdogConfig {
            version: WATCHDOG_CONFIG_VERSION,
            ops_topic_env: format!("{TOPIC_ARN_ENV_PREFIX}{OPS_TOPIC_KEY}"),
            schedule: WatchdogSchedule {
                expression: format!("rate({EVERY_MINUTES} minutes)"),
                time_zone: None,
            },
            // One watchdog interval, the longest grace, the settle time, and
            // a margin of one more interval.
            lookback_seconds: 2 * EVERY_MINUTES * 60
                + longest_grace.saturating_add(DEFAULT_SETTLE_SECONDS),
            settle_seconds: DEFAULT_SETTLE_SECONDS,
            jobs,
        };
        // Paths, expressions and zones hold no `${`: the only substitutions
        // are the function names.
        Value::sub(serde_json::to_string(&config).unwrap_or_default())
    }
}

impl Inner {
    /// The watchdog's variables and permissions, when this task runs it.
    pub(super) fn watchdog_parts(
        &self,
        env: &mut std::collections::BTreeMap<String, Value>,
        grants: &RolePolicy,
    ) {
        let Some(watchdog) = self.watchdog_of.as_ref().and_then(Weak::upgrade) else {
            return;
        };
        env.insert(WATCHDOG_CONFIG_ENV.to_owned(), watchdog.config());
        if let Some(topic) = watchdog.topic() {
            env.insert(
                format!("{TOPIC_ARN_ENV_PREFIX}{OPS_TOPIC_KEY}"),
                topic.arn(),
            );
            topic.grant_publish(grants);
        }
        use crate::constructs::grant::Grantee;
        grants.add_to_role_policy(
            Statement::allow(["cloudwatch:GetMetricData"], vec![Value::from("*")])
                .sid("MetricReadsHaveNoResource"),
        );
    }

    /// The watchdog's own checks, when this task runs it.
    pub(super) fn check_watchdog(&self, report: &mut Report) {
        if let Some(watchdog) = self.watchdog_of.as_ref().and_then(Weak::upgrade) {
            watchdog.check(report);
        }
    }
}
