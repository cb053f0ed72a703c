//! The runtime crate's integration tests, one binary (each test binary links
//! the AWS SDK): one module per concern, `support` shared.

mod diagnostic;
mod errors;
mod idempotency;
mod init_error;
mod run_metrics;
mod secrets;
mod support;
