//! The construct library: what users build stacks from.
//!
//! Building blocks: [`Function`], [`DeadLetterQueue`], [`RecordTable`], [`Table`],
//! [`Topic`] and the grants between them ([`Grantee`], [`RolePolicy`],
//! [`QueueRef`], [`SecretGrants`]). Composed from them: [`ScheduledLambda`],
//! [`NotificationChannel`], [`ImageRepublish`], [`OneOffSchedules`] with
//! [`SchedulesApi`], and [`OpsTopic`] (where
//! alarms go; the alarms themselves are written by [`alarms`]).

mod alarms;
mod channel;
mod code;
mod dead_letter;
mod ecr_uri;
mod function;
mod grant;
mod image_republish;
mod one_off;
mod ops_topic;
mod queue;
mod record_table;
mod scheduled_lambda;
mod schedules_api;
mod secret;
mod table;
mod topic;

pub use channel::{Email, MessageTemplate, NotificationChannel, Slack, Sms, Teams, Webhook};
pub use code::{Architecture, ImageBuild, ImageSource, RustBinary};
pub use dead_letter::DeadLetterQueue;
pub use function::Function;
pub use function::UNSCOPED_ACTIONS;
pub use grant::{Grantee, RolePolicy};
pub use image_republish::ImageRepublish;
pub use one_off::{OneOffSchedules, OneOffTarget};
pub use ops_topic::OpsTopic;
pub use queue::QueueRef;
pub use record_table::RecordTable;
pub use scheduled_lambda::ScheduledLambda;
pub use schedules_api::SchedulesApi;
pub use secret::SecretGrants;
pub use table::{
    AttributeType, GlobalIndex, Projection, StreamView, Table, TableEncryption, MAX_GLOBAL_INDEXES,
    MAX_PROJECTED_ATTRIBUTES,
};
pub use topic::{Topic, TopicEncryption};
