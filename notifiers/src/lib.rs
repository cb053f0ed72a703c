//! Notifier Lambda bodies, one per notification channel.
//!
//! A channel's notifier reads SQS batches of raw SNS deliveries (the
//! runtime's message envelope), renders the channel's templates with
//! minijinja, delivers through one [`Channel`] and reports partial batch
//! failures. The contract with the template `cfn-gen` writes (env var names,
//! channel settings, secret references) is
//! [`cloud_cron_contract::notifier`].
//!
//! | module | owns |
//! |---|---|
//! | [`delivery`] | the [`Channel`] trait every channel implements, [`Delivery`], [`Rendered`], [`DeliveryError`] |
//! | [`config`] | reading the contract's environment at cold start: [`ChannelConfig`](cloud_cron_contract::notifier::ChannelConfig), templates, secrets, the dedup table |
//! | [`secrets`] | [`Secrets`]: values from SSM SecureString parameters or Secrets Manager, held as [`secrecy::SecretString`] |
//! | [`render`] | [`Templates`]: the channel's template parts compiled once, rendered per message |
//! | [`message`] | parsing an SQS record's body into a [`Message`](message::Message): a task's envelope or an alarm |
//! | [`alarm`] | CloudWatch alarm notifications and watchdog findings: typed parsing, the alarm template view, console links |
//! | [`processor`] | [`Notifier`]: the SQS batch processor (FIFO groups, dedup, partial batch failures) |
//! | [`lambda`] | [`FromConfig`] (how a channel is built from its settings) and [`run`], the whole `main` of a notifier binary |
//! | [`channels`] | the channel implementations |
//! | [`bin`] | the whole `main` of each notifier binary, one call each |
//! | [`template_source`] | where template text comes from (env, file, HTTPS, S3, SSM), cached per container |

pub mod alarm;
pub mod bin;
pub mod channels;
pub mod config;
pub mod delivery;
pub mod lambda;
pub mod message;
pub mod processor;
pub mod render;
pub mod secrets;
pub mod template_source;

pub use config::{ConfigError, NotifierConfig};
pub use delivery::{Channel, Delivery, DeliveryError, Rendered};
pub use lambda::{run, FromConfig};
pub use processor::{BatchReport, Notifier};
pub use render::{RenderError, Templates};
pub use secrets::{SecretError, Secrets};
