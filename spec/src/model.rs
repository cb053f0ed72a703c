//! The document root of `cloud-cron.yaml` and a stack: the types serde reads
//! and schemars describes. Each construct family's own types live in its
//! module ([`crate::topic`], [`crate::task`], [`crate::channel`],
//! [`crate::alarms`]).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::alarms::AlarmsSpec;
use crate::channel::ChannelSpec;
use crate::fargate::FargateJobSpec;
use crate::functions::FunctionSpec;
use crate::image::ImageSpec;
use crate::network::VpcEndpointsSpec;
use crate::one_off::{OneOffSchedulesSpec, SchedulesApiSpec};
use crate::sync_pipeline::SyncPipelineSpec;
use crate::table::TableSpec;
use crate::task::TaskSpec;
use crate::topic::TopicSpec;
use crate::webhook::InboundWebhookSpec;
use crate::work_queue::WorkQueueSpec;

/// A cloud-cron app: the stacks it deploys, and where cloud-cron's own
/// functions (notifiers, missed-run watchdog) are built from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cloud-cron.yaml")]
pub struct Spec {
    /// Where the functions cloud-cron provides are built from: packages of
    /// your repository, paths relative to this file.
    #[serde(default)]
    pub functions: Option<FunctionsSpec>,
    /// The stacks, by name (the CloudFormation stack name; letters, digits
    /// and `-`). Each is one template.
    #[schemars(example = stacks_example())]
    pub stacks: IndexMap<String, StackSpec>,
}

fn stacks_example() -> serde_json::Value {
    serde_json::json!({"Jobs": {"region": "eu-west-2"}})
}

/// The packages that build cloud-cron's own functions, relative to the spec
/// file. `package` holds every binary; the others override it per kind.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionsSpec {
    /// One package holding every binary (`notifier-email`, ...,
    /// `watchdog`, `image-copier`, `scheduler-api`, `webhook-receiver`).
    #[schemars(example = &"functions")]
    pub package: Option<String>,
    /// The package holding the `notifier-<kind>` binaries.
    #[schemars(example = &"../notifiers")]
    pub notifiers: Option<String>,
    /// The package holding the `watchdog` binary (missed runs of cron/at schedules).
    #[schemars(example = &"../runtime/watchdog")]
    pub watchdog: Option<String>,
    /// The package holding the `image-copier` binary.
    #[schemars(example = &"../runtime/image-copier")]
    pub image_copier: Option<String>,
    /// The package holding the `scheduler-api` binary.
    #[schemars(example = &"../runtime/scheduler-api")]
    pub scheduler_api: Option<String>,
    /// The package holding the `webhook-receiver` binary.
    #[schemars(example = &"../runtime/webhook")]
    pub webhook_receiver: Option<String>,
}

/// One stack (one CloudFormation template). The alarm routing is created
/// first, then the sections (`topics`, `tables`, `images`, `tasks`, ...) in
/// the order they appear in the file, each in its own order: a reference
/// must come after what it names. Ids are unique within the stack across
/// all of them.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackSpec {
    /// The template's description.
    #[schemars(example = &"ERP jobs: nightly sync and reports")]
    pub description: Option<String>,
    /// The region the stack is meant for (checked against what the
    /// constructs need, e.g. SES and image registries).
    #[schemars(example = &"eu-west-2")]
    pub region: Option<String>,
    /// Tags on every resource of the stack that takes tags.
    #[serde(default)]
    #[schemars(example = tags_example())]
    pub tags: IndexMap<String, String>,
    /// A managed policy ARN set as the permissions boundary of every role.
    #[schemars(example = &"arn:aws:iam::123456789012:policy/Boundary")]
    pub permissions_boundary: Option<String>,
    /// The alarms on the stack's schedule group (failed deliveries of its
    /// schedules) fire at this many failures in five minutes (default 1);
    /// `0` switches them off.
    #[schemars(example = 3)]
    pub schedule_delivery_alarm_threshold: Option<u32>,
    /// Template parameters given at deploy (`sam deploy --parameter-overrides
    /// NAME=VALUE`), referenced as `{ parameter: NAME }`.
    #[serde(default)]
    pub parameters: IndexMap<String, ParameterSpec>,
    /// Where every alarm of the stack goes.
    pub alarms: Option<AlarmsSpec>,
    /// SNS topics tasks publish to and channels deliver, by id.
    #[serde(default)]
    pub topics: IndexMap<String, TopicSpec>,
    /// DynamoDB tables, by id; tasks get access with their `tables`.
    #[serde(default)]
    pub tables: IndexMap<String, TableSpec>,
    /// Images copied into the stack's own ECR repository, by id; tasks and
    /// channels run one with `republished_image: ID`.
    #[serde(default)]
    pub images: IndexMap<String, ImageSpec>,
    /// Scheduled tasks (Lambda functions run by EventBridge Scheduler), by id.
    #[serde(default)]
    pub tasks: IndexMap<String, TaskSpec>,
    /// Notification channels (email, SMS, Slack, Teams, webhook) delivering
    /// a topic, by id.
    #[serde(default)]
    pub channels: IndexMap<String, ChannelSpec>,
    /// Point-in-time schedules created at run time, by id.
    #[serde(default)]
    pub one_off_schedules: IndexMap<String, OneOffSchedulesSpec>,
    /// Signed HTTP APIs over one-off schedules, by id.
    #[serde(default)]
    pub schedules_apis: IndexMap<String, SchedulesApiSpec>,
    /// Per-tenant incremental sync pipelines, by id.
    #[serde(default)]
    pub sync_pipelines: IndexMap<String, SyncPipelineSpec>,
    /// Containers run on ECS Fargate on a schedule (work longer than 15
    /// minutes), by id.
    #[serde(default)]
    pub fargate_jobs: IndexMap<String, FargateJobSpec>,
    /// VPC endpoints serving tasks and Fargate jobs in private subnets, by id.
    #[serde(default)]
    pub vpc_endpoints: IndexMap<String, VpcEndpointsSpec>,
    /// Lambda functions with no schedule of their own (e.g. work queue
    /// consumers), by id.
    #[serde(default)]
    pub functions: IndexMap<String, FunctionSpec>,
    /// SQS work queues, each drained by a function of the stack, by id.
    #[serde(default)]
    pub work_queues: IndexMap<String, WorkQueueSpec>,
    /// HTTP APIs receiving webhooks into work queues, by id.
    #[serde(default)]
    pub inbound_webhooks: IndexMap<String, InboundWebhookSpec>,
}

fn tags_example() -> serde_json::Value {
    serde_json::json!({"team": "erp", "cost-center": "1234"})
}

/// A template parameter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// The CloudFormation parameter type (default `String`).
    #[serde(default = "string_type", rename = "type")]
    #[schemars(example = &"String")]
    pub parameter_type: String,
    /// What to give, shown by `sam deploy --guided`.
    #[schemars(example = &"Slack workspace id authorized in the AWS Chatbot console, e.g. T07EA123LEP")]
    pub description: Option<String>,
    /// The value when none is given at deploy.
    #[schemars(example = &"T07EA123LEP")]
    pub default: Option<String>,
    /// The only values accepted.
    #[serde(default)]
    #[schemars(example = vec!["dev", "prod"])]
    pub allowed_values: Vec<String>,
    /// Hide the value in the console and in `describe-stacks`.
    #[serde(default)]
    #[schemars(example = false)]
    pub no_echo: bool,
}

fn string_type() -> String {
    "String".to_owned()
}
