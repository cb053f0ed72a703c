//! Receive webhooks from SaaS providers behind an API Gateway HTTP API
//! (payload format 2.0): verify the sender, acknowledge fast, and hand the
//! body to an SQS work queue, so a slow or failing consumer never loses an
//! event.
//!
//! - [`Verifier`] (pure): HMAC-SHA256 signatures (`t=<unix>,v1=<hex>` or
//!   `sha256=<hex>`) or a shared token, constant-time, with a replay window
//!   and several active secrets during a rotation.
//! - [`Receiver`]: one request in, one response out (202, 4xx, or 503 so the
//!   provider retries), the body queued with its path, event id and receive
//!   time as message attributes.
//! - [`SecretCache`] over [`StoreSecrets`]: secrets from SSM SecureString or
//!   Secrets Manager, read at cold start and again after a TTL.
//! - [`lambda::run`]: the `webhook-receiver` binary ([`bin::main`] for a
//!   functions package of your own).
//!
//! Deduplication: a FIFO queue drops a repeat of the same event id for five
//! minutes (`MessageDeduplicationId`); on a standard queue consumers
//! deduplicate on the `cloudcron.webhook.event-id` attribute.
//!
//! The environment and settings JSON are defined in
//! [`cloud_cron_contract::webhook`]. See [`Receiver`] for an example.

pub mod bin;
mod event_id;
mod handler;
pub mod lambda;
mod queue;
mod secrets;
mod store;
mod verify;

pub use cloud_cron_clock::{Clock, FixedClock, SystemClock};
pub use event_id::{extract, sha256_hex, sqs_token, ExtractError};
pub use handler::{Accepted, Receiver, Rejection};
pub use queue::{Queue, QueueError, QueueMessage, SqsQueue};
pub use secrets::{SecretCache, SecretError, SecretSet, SecretSource, StaticSecrets};
pub use store::StoreSecrets;
pub use verify::{hmac_hex, sign_hex, sign_timestamped, Verifier, VerifyError};
