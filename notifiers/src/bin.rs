//! One call per notifier binary: the whole `main` of `notifier-email`,
//! `notifier-sms`, `notifier-slack`, `notifier-teams` and `notifier-webhook`,
//! so a project's own functions package needs no async runtime or Lambda
//! crate of its own (see `cfn_gen::BuiltinFunctions`):
//!
//! ```no_run
//! // src/bin/notifier-email.rs
//! fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
//!     cloud_cron_notifiers::bin::email()
//! }
//! ```
//!
//! Each starts a multi-threaded tokio runtime and runs [`run`](crate::run)
//! with its channel until Lambda stops the container.

use crate::channels::{
    email::Email, slack::Slack, teams::Teams, twilio::TwilioSms, webhook::Webhook,
};
use crate::lambda::{run, FromConfig};

/// What a notifier's `main` returns on failure: `lambda_runtime::Error`.
pub use lambda_runtime::Error;

fn block_on<C: FromConfig>() -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run::<C>())
}

/// The email notifier (SES v2).
///
/// # Errors
///
/// As [`run`]: a configuration error at cold start, or a Lambda runtime failure.
pub fn email() -> Result<(), Error> {
    block_on::<Email>()
}

/// The SMS notifier (Twilio).
///
/// # Errors
///
/// As [`run`].
pub fn sms() -> Result<(), Error> {
    block_on::<TwilioSms>()
}

/// The Slack notifier (incoming webhook).
///
/// # Errors
///
/// As [`run`].
pub fn slack() -> Result<(), Error> {
    block_on::<Slack>()
}

/// The Microsoft Teams notifier (Workflows webhook).
///
/// # Errors
///
/// As [`run`].
pub fn teams() -> Result<(), Error> {
    block_on::<Teams>()
}

/// The generic webhook notifier.
///
/// # Errors
///
/// As [`run`].
pub fn webhook() -> Result<(), Error> {
    block_on::<Webhook>()
}
