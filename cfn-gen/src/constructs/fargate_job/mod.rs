//! `FargateJob`: a container run on ECS Fargate by EventBridge Scheduler,
//! for work longer than Lambda's 15 minutes.
//!
//! Resources, all named from the construct path: an ECS cluster (unless one
//! is given), a task definition (one container, `awsvpc`, read-only root
//! file system), its log group, an execution role (pull exactly the image's
//! repository, write exactly the log group, read exactly the secrets) and a
//! task role (what the job's code does: its topics and grants), the schedule
//! with an ECS target and its role (`ecs:RunTask` on the task definition's
//! family in the cluster, `iam:PassRole` on the two roles only), a
//! dead-letter queue with its alarm, and an EventBridge rule that sends the
//! stop event of every task of the family that fails (non-zero exit or
//! failed start) to the same queue, so one alarm covers both.
//!
//! Modules: [`sizes`] (Fargate's CPU/memory combinations), [`checks`]
//! (synth-time checks), [`synthesis`] (the resources).

mod checks;
mod sizes;
mod synthesis;

use crate::constructs::stack_schedules::StackSchedules;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::notifier::SecretRef;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Architecture, ImageSource};
use crate::constructs::dead_letter::DeadLetterQueue;
use crate::constructs::network::{NetworkIds, VpcClient, VpcPlacement, VpcUser};
use crate::constructs::Topic;
use crate::resources::iam::Statement;
use crate::schedule::Schedule;
use crate::synth::{ScheduleSummary, SynthContext};
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// One secret ECS passes to the container as a variable.
#[derive(Debug, Clone)]
struct JobSecret {
    name: String,
    reference: SecretRef,
    kms_key_arn: Option<String>,
}

struct Props {
    image: Option<ImageSource>,
    schedule: Option<Schedule>,
    cpu: u32,
    memory_mib: u32,
    architecture: Architecture,
    vpc: Option<VpcPlacement>,
    assign_public_ip: bool,
    cluster_arn: Option<Value>,
    command: Vec<String>,
    env: Vec<(String, String)>,
    secrets: Vec<JobSecret>,
    publishes: Vec<(String, Topic)>,
    grants: Vec<Statement>,
    log_retention_days: u32,
    retry_attempts: u32,
    max_event_age: Duration,
    description: Option<String>,
    enabled: bool,
    served_by: Option<String>,
}

struct Inner {
    node: Node,
    dead_letter: DeadLetterQueue,
    /// The stack's schedule group, whose delivery alarms cover this job.
    group: Rc<StackSchedules>,
    props: RefCell<Props>,
}

/// A container that EventBridge Scheduler runs as an ECS Fargate task: for
/// jobs that may run longer than Lambda's 15 minutes.
///
/// ```
/// use cfn_gen::{App, FargateJob, Schedule, SecretRef, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Erp");
/// FargateJob::new(&stack, "MonthEnd")
///     .image("123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs:v1")
///     .schedule(Schedule::cron("0 2 L * ? *").in_time_zone("Europe/London"))
///     .cpu_memory(1024, 4096)
///     .vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"])
///     .command(["month-end-close"])
///     .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"));
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::ECS::TaskDefinition"));
/// assert!(text.contains("EcsParameters"));
/// ```
///
/// Defaults: 1 vCPU (1024 units) and 2 GiB, `x86_64`, no public IP, logs
/// kept 30 days, the Scheduler retrying a failed `RunTask` 185 times for
/// up to 24 hours. A task that fails is not retried (it may have done part
/// of its work): its stop event lands in the dead-letter queue, whose alarm
/// fires on the first message.
///
/// The task runs in the subnets given with [`vpc`](FargateJob::vpc); from
/// private subnets it needs a NAT gateway or VPC endpoints (ECR, S3, Logs,
/// and what its grants call): synth warns until a
/// [`VpcEndpoints`](crate::VpcEndpoints) serves it.
#[derive(Clone)]
pub struct FargateJob(Rc<Inner>);

impl FargateJob {
    /// A new job in `stack`.
    pub fn new(stack: &Stack, id: &str) -> FargateJob {
        let node = stack.claim(id);
        let dead_letter = DeadLetterQueue::within(
            &node,
            format!(
                "{}: a scheduled task failed (non-zero exit or failed start) or could not be started after every retry; the event is in the dead-letter queue",
                node.path()
            ),
        )
        // EventBridge cannot send to a queue under the AWS managed KMS key.
        .sqs_managed_encryption();
        let group = StackSchedules::of(stack);
        group.add_task(node.path());
        let inner = Rc::new(Inner {
            node,
            dead_letter,
            group,
            props: RefCell::new(Props {
                image: None,
                schedule: None,
                cpu: 1024,
                memory_mib: 2048,
                architecture: Architecture::X86_64,
                vpc: None,
                assign_public_ip: false,
                cluster_arn: None,
                command: Vec::new(),
                env: Vec::new(),
                secrets: Vec::new(),
                publishes: Vec::new(),
                grants: Vec::new(),
                log_retention_days: 30,
                retry_attempts: 185,
                max_event_age: Duration::from_secs(86_400),
                description: None,
                enabled: true,
                served_by: None,
            }),
        });
        stack.add(inner.clone());
        FargateJob(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> FargateJob {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// The container image: a private ECR image
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `...@sha256:DIGEST`)
    /// or an [`ImageRepublish`](crate::ImageRepublish). The execution role
    /// may pull exactly that repository.
    pub fn image(self, image: impl Into<ImageSource>) -> FargateJob {
        let image = image.into();
        self.update(|p| p.image = Some(image))
    }

    /// When to run: [`Schedule::rate`], [`Schedule::cron`] or [`Schedule::at`].
    pub fn schedule(self, schedule: Schedule) -> FargateJob {
        self.update(|p| p.schedule = Some(schedule))
    }

    /// CPU units (256, 512, 1024, 2048, 4096, 8192, 16384) and memory in
    /// MiB, a combination Fargate accepts (e.g. 1024 with 2048 to 8192).
    pub fn cpu_memory(self, cpu: u32, memory_mib: u32) -> FargateJob {
        self.update(|p| {
            p.cpu = cpu;
            p.memory_mib = memory_mib;
        })
    }

    /// The instruction set; it must match the image's.
    pub fn architecture(self, architecture: Architecture) -> FargateJob {
        self.update(|p| p.architecture = architecture)
    }

    /// The subnets (1 to 16) and security groups (1 to 5) of the task's
    /// network interface: literals, parameters or imports ([`NetworkIds`]).
    pub fn vpc(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> FargateJob {
        let placement = VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: false,
        };
        self.update(|p| p.vpc = Some(placement))
    }

    /// [`vpc`](FargateJob::vpc) in subnets with a NAT gateway: no endpoints
    /// needed, no warning.
    pub fn vpc_behind_nat(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> FargateJob {
        let placement = VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: true,
        };
        self.update(|p| p.vpc = Some(placement))
    }

    /// Give the task a public IP (public subnets without a NAT gateway).
    pub fn assign_public_ip(self) -> FargateJob {
        self.update(|p| p.assign_public_ip = true)
    }

    /// Run in an existing cluster (its ARN) instead of one of its own.
    pub fn cluster(self, cluster_arn: impl Into<Value>) -> FargateJob {
        let arn = cluster_arn.into();
        self.update(|p| p.cluster_arn = Some(arn))
    }

    /// The container's command, instead of the image's.
    pub fn command<I, S>(self, command: I) -> FargateJob
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let command = command.into_iter().map(Into::into).collect();
        self.update(|p| p.command = command)
    }

    /// Set an environment variable. Never a secret: use
    /// [`secret`](FargateJob::secret).
    pub fn env(self, name: impl Into<String>, value: impl Into<String>) -> FargateJob {
        let entry = (name.into(), value.into());
        self.update(|p| p.env.push(entry))
    }

    /// Pass secret `name` (`ODOO_PASSWORD`) to the container: ECS reads the
    /// SSM parameter or Secrets Manager secret when the task starts and sets
    /// the variable `name` to its value. The template holds only the ARN;
    /// the execution role may read exactly that parameter or secret.
    pub fn secret(self, name: &str, secret: SecretRef) -> FargateJob {
        let s = JobSecret {
            name: name.to_owned(),
            reference: secret,
            kms_key_arn: None,
        };
        self.update(|p| p.secrets.push(s))
    }

    /// [`secret`](FargateJob::secret) encrypted with a customer managed
    /// KMS key: the execution role may also `kms:Decrypt` with `key_arn`.
    pub fn secret_with_key(self, name: &str, secret: SecretRef, key_arn: &str) -> FargateJob {
        let s = JobSecret {
            name: name.to_owned(),
            reference: secret,
            kms_key_arn: Some(key_arn.to_owned()),
        };
        self.update(|p| p.secrets.push(s))
    }

    /// Let the task publish to `topic`: its ARN arrives in
    /// `SNS_TOPIC_ARN_<KEY>` and the task role may `sns:Publish` to it.
    pub fn publishes_to(self, key: &str, topic: &Topic) -> FargateJob {
        let entry = (key.to_owned(), topic.clone());
        self.update(|p| p.publishes.push(entry))
    }

    /// Grant the task role an extra statement, checked at synth like
    /// [`Function::grant`](crate::Function::grant).
    pub fn grant(self, statement: Statement) -> FargateJob {
        self.update(|p| p.grants.push(statement))
    }

    /// Keep logs this many days (a value CloudWatch Logs accepts).
    pub fn log_retention_days(self, days: u32) -> FargateJob {
        self.update(|p| p.log_retention_days = days)
    }

    /// How the Scheduler retries starting a run: up to `attempts` (0 to
    /// 185) retries, for at most `max_age` (60 s to 24 h).
    pub fn schedule_retries(self, attempts: u32, max_age: Duration) -> FargateJob {
        self.update(|p| {
            p.retry_attempts = attempts;
            p.max_event_age = max_age;
        })
    }

    /// What the job does.
    pub fn description(self, text: impl Into<String>) -> FargateJob {
        let text = text.into();
        self.update(|p| p.description = Some(text))
    }

    /// Deploy the schedule switched off.
    pub fn disabled(self) -> FargateJob {
        self.update(|p| p.enabled = false)
    }

    /// Send this job's alarms to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> FargateJob {
        self.0.dead_letter.clone().alarm_to(topic);
        self
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The dead-letter queue of failed runs.
    pub fn dead_letter_queue(&self) -> &DeadLetterQueue {
        &self.0.dead_letter
    }

    /// The task definition (`Ref`: the current revision's ARN).
    pub fn task_definition_arn(&self) -> Value {
        Value::reference(self.0.node.child_logical_id("TaskDefinition"))
    }
}

impl From<&FargateJob> for VpcClient {
    fn from(job: &FargateJob) -> Self {
        VpcClient(job.0.clone())
    }
}

impl VpcUser for Inner {
    fn user_node(&self) -> Node {
        self.node.clone()
    }

    fn placement(&self) -> Option<VpcPlacement> {
        self.props.borrow().vpc.clone()
    }

    fn called_statements(&self) -> Vec<Statement> {
        let mut statements = self.execution_policy().statements();
        statements.extend(self.task_policy().statements());
        statements
    }

    fn set_served_by(&self, endpoints: String) {
        self.props.borrow_mut().served_by = Some(endpoints);
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        self.check(report);
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        self.emit(template);
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
