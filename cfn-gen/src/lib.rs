//! cfn-gen: typed Rust builders that compile into deterministic AWS SAM /
//! CloudFormation templates.
//!
//! ```
//! use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit, Topic};
//!
//! let app = App::new();
//! let stack = Stack::new(&app, "CloudCronExample");
//! let alerts = Topic::fifo(&stack, "Alerts");
//! ScheduledLambda::new(&stack, "Report")
//!     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest")
//!     .schedule(Schedule::rate(5, TimeUnit::Minutes))
//!     .publishes_to("example", &alerts);
//! let synthesis = app.synth().expect("the example is valid");
//! assert!(synthesis.stacks[0].text.contains("AWS::Scheduler::Schedule"));
//! ```
//!
//! Layers, bottom up: [`value`] (literals and intrinsics), [`json_path`]
//! (dotted override paths), [`template`] (the model), [`resources`] (typed
//! properties), [`writer`] (YAML and JSON), [`logical_id`] and [`suggest`]
//! (names), [`context`] (what constructs see while synthesizing), [`passes`]
//! (stack-wide tags, permissions boundary, overrides and the
//! dangling-reference check), [`construct`] (the tree, raw resources and
//! parameters), [`constructs`] (what users build with), [`schedule`] (AWS
//! schedule expressions), [`validate`] (synth-time checks), [`split`] (nested
//! stacks for templates past CloudFormation's limits) and [`synth`]
//! (putting it together). No two modules import each other.

/// Schedule expressions: [`cloud_cron_schedule`], re-exported.
pub use cloud_cron_schedule as schedule;

pub mod builtin_functions;
pub mod construct;
pub mod constructs;
pub mod context;
pub mod json_path;
pub mod logical_id;
pub mod passes;
pub mod paths;
pub mod resources;
pub mod split;
pub mod suggest;
pub mod synth;
pub mod template;
pub mod validate;
pub mod value;
pub mod writer;

pub use builtin_functions::BuiltinFunctions;
pub use cloud_cron_contract::notifier::{SecretRef, TemplatePart};
pub use cloud_cron_contract::sync::SyncSettings;
pub use cloud_cron_contract::webhook::{HmacSettings, SignedPayload, ValueSource};
pub use construct::{
    AlarmDestination, AlarmTarget, App, CfnResource, Construct, Node, Stack, StackParameter,
};
pub use constructs::UNSCOPED_ACTIONS;
pub use constructs::{
    Architecture, AttributeType, ChatbotLogging, DeadLetterQueue, Email, EndpointService,
    FargateJob, Function, GlobalIndex, Grantee, ImageBuild, ImageRepublish, ImageSource,
    InboundWebhook, MessageTemplate, NetworkIds, NotificationChannel, OneOffSchedules,
    OneOffTarget, OpsTopic, Projection, QueueRef, RecordTable, RolePolicy, RustBinary,
    ScheduleGroup, ScheduledLambda, SchedulesApi, SecretGrants, Slack, SlackChannel, Sms,
    StatusAuth, StreamView, SyncPipeline, Table, TableEncryption, Teams, Topic, TopicEncryption,
    VpcClient, VpcEndpoints, Webhook, WebhookRoute, WorkQueue,
};
pub use schedule::{Schedule, TimeUnit};
pub use synth::{
    SynthContext, SynthError, SynthOptions, Synthesis, SynthesizedNested, SynthesizedStack,
};
pub use template::{DeletionPolicy, Output, Parameter, Resource, ResourceProperties, Template};
pub use validate::{Problem, Severity};
pub use value::{Pseudo, Value};
pub use writer::Format;
