//! Notifier Lambda bodies, one per notification channel.
//!
//! A channel's notifier reads SQS batches of raw SNS deliveries (the
//! runtime's message envelope), renders the channel's templates with
//! minijinja, delivers through one [`Channel`] and reports partial batch
//! failures. The contract with the template `cfn-gen` writes (env var names,
//! channel settings, secret references) is
//! [`cloud_cron_runtime::contract::notifier`].

pub mod channels;
pub mod delivery;

pub use delivery::{Channel, Delivery, DeliveryError, Rendered};
