//! The `errorType` names cloud-cron reports to Lambda, one per kind of
//! failure. Re-exported by [`crate::diagnostic`], which maps errors to them;
//! kept apart so the task runner can name a cold-start failure without
//! importing the mapping (which imports the runner's error type).

/// The task's `run` failed or panicked.
pub const TASK_FAILED: &str = "cloud_cron::TaskFailed";
/// The task's `run` failed publishing a message.
pub const PUBLISH_FAILED: &str = "cloud_cron::PublishFailed";
/// The event is not one a scheduled task understands.
pub const INVALID_EVENT: &str = "cloud_cron::InvalidEvent";
/// The idempotency guard could not be consulted or updated.
pub const IDEMPOTENCY_FAILED: &str = "cloud_cron::IdempotencyFailed";
/// Another attempt of the run holds the idempotency guard.
pub const RUN_IN_PROGRESS: &str = "cloud_cron::RunInProgress";
/// A task's configuration (its topic variables) is unusable: a cold-start error.
pub const TASK_CONFIG: &str = "cloud_cron::TaskConfig";
/// A notifier's configuration (channel, templates, secrets) is unusable: a
/// cold-start error (the notifiers crate reports it).
pub const NOTIFIER_CONFIG: &str = "cloud_cron::NotifierConfig";
