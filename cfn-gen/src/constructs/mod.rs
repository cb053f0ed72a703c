//! The construct library: what users build stacks from.

mod channel;
mod code;
mod dead_letter;
mod function;
mod image_republish;
mod record_table;
mod scheduled_lambda;
mod topic;

pub use channel::{Email, MessageTemplate, NotificationChannel, Slack, Sms, Teams, Webhook};
pub use code::{ImageBuild, ImageSource, RustBinary};
pub use function::Architecture;
pub use image_republish::ImageRepublish;
pub use scheduled_lambda::ScheduledLambda;
pub use topic::{Topic, TopicEncryption};
