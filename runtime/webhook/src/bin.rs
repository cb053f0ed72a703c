//! The whole `main` of the `webhook-receiver` Lambda in one call, so a
//! project's own functions package needs no async runtime, AWS or Lambda
//! crate of its own (see `cfn_gen::BuiltinFunctions`):
//!
//! ```no_run
//! // src/bin/webhook-receiver.rs
//! fn main() -> Result<(), cloud_cron_webhook::bin::Error> {
//!     cloud_cron_webhook::bin::main()
//! }
//! ```

/// What the receiver's `main` returns on failure: `lambda_runtime::Error`.
pub use lambda_runtime::Error;

/// Start a multi-threaded tokio runtime and serve
/// [`lambda::run`](crate::lambda::run) until Lambda stops the container.
///
/// # Errors
///
/// As [`lambda::run`](crate::lambda::run).
pub fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(crate::lambda::run())
}
