//! The construct library: what users build stacks from.

mod code;
mod scheduled_lambda;
mod topic;

pub use code::{ImageBuild, ImageSource, RustBinary};
pub use scheduled_lambda::{Architecture, ScheduledLambda};
pub use topic::{Topic, TopicEncryption};
