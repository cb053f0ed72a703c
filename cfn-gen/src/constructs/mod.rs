//! The construct library: what users build stacks from.
//!
//! Building blocks: [`Function`], [`DeadLetterQueue`], [`RecordTable`], [`Table`],
//! [`Topic`] and the grants between them ([`Grantee`], [`RolePolicy`],
//! [`QueueRef`], [`SecretGrants`]). Composed from them: [`ScheduledLambda`], [`FargateJob`],
//! [`NotificationChannel`], [`WorkQueue`], [`InboundWebhook`], [`ImageRepublish`],
//! [`SyncPipeline`], [`OneOffSchedules`] with [`SchedulesApi`], [`ScheduleGroup`]
//! (where jobs' schedules go) and [`OpsTopic`] (where alarms go; the alarms
//! themselves are written by [`alarms`]). Private networking: [`NetworkIds`],
//! [`VpcEndpoints`].

mod alarms;
mod channel;
mod chatbot;
mod code;
mod dead_letter;
mod ecr_uri;
mod fargate_job;
mod function;
mod grant;
mod image_republish;
mod image_source;
mod image_uri_check;
mod inbound_webhook;
mod network;
mod one_off;
mod ops_topic;
mod queue;
mod record_table;
mod schedule_group;
mod scheduled_lambda;
mod schedules_api;
mod secret;
mod stack_schedules;
mod sync_pipeline;
mod table;
mod topic;
mod work_queue;

pub use channel::{Email, MessageTemplate, NotificationChannel, Slack, Sms, Teams, Webhook};
pub use chatbot::{ChatbotLogging, SlackChannel};
pub use code::{Architecture, ImageBuild, ImageSource, RustBinary};
pub use dead_letter::DeadLetterQueue;
pub use fargate_job::FargateJob;
pub use function::Function;
pub use function::UNSCOPED_ACTIONS;
pub use grant::{Grantee, RolePolicy};
pub use image_republish::ImageRepublish;
pub use inbound_webhook::{InboundWebhook, WebhookRoute};
pub use network::{EndpointService, NetworkIds, VpcClient, VpcEndpoints};
pub use one_off::{OneOffSchedules, OneOffTarget};
pub use ops_topic::OpsTopic;
pub use queue::QueueRef;
pub use record_table::RecordTable;
pub use schedule_group::ScheduleGroup;
pub use scheduled_lambda::ScheduledLambda;
pub use schedules_api::SchedulesApi;
pub use secret::SecretGrants;
pub(crate) use stack_schedules::StackSchedules;
pub use sync_pipeline::{StatusAuth, SyncPipeline};
pub use table::{
    AttributeType, GlobalIndex, Projection, StreamView, Table, TableEncryption, MAX_GLOBAL_INDEXES,
    MAX_PROJECTED_ATTRIBUTES,
};
pub use topic::{Topic, TopicEncryption};
pub use work_queue::WorkQueue;
