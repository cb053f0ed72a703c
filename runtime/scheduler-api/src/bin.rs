//! The whole `main` of the `scheduler-api` Lambda in one call, so a
//! project's own functions package needs no async runtime, AWS or Lambda
//! crate of its own (see `cfn_gen::BuiltinFunctions`):
//!
//! ```no_run
//! // src/bin/scheduler-api.rs
//! fn main() -> Result<(), cloud_cron_scheduler_api::bin::Error> {
//!     cloud_cron_scheduler_api::bin::main()
//! }
//! ```
//!
//! API Gateway HTTP API (payload format 2.0) requests in, one-off schedules
//! created, read, listed, moved or cancelled in EventBridge Scheduler out.
//! Configuration: the `CLOUDCRON_ONE_OFF_*` variables of the scheduler
//! client and the `CLOUDCRON_API_*` variables of [`ApiSettings`]. Logs go to
//! CloudWatch through `tracing` (`RUST_LOG` to tune); bodies and payloads are
//! never logged.

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use cloud_cron_scheduler::OneOffSettings;
use lambda_runtime::{service_fn, LambdaEvent};

use crate::{handle, ApiSettings, AwsScheduleStore};

/// What the API's `main` returns on failure: `lambda_runtime::Error`.
pub use lambda_runtime::Error;

/// Start a multi-threaded tokio runtime and serve [`run`] until Lambda stops
/// the container.
///
/// # Errors
///
/// As [`run`].
pub fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// Serve API requests with [`handle`] over an [`AwsScheduleStore`].
///
/// # Errors
///
/// A variable is missing or invalid, or the Lambda runtime fails.
pub async fn run() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let settings = Arc::new(ApiSettings::from_env()?);
    let store = Arc::new(AwsScheduleStore::new(&config, OneOffSettings::from_env()?));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let store = Arc::clone(&store);
            let settings = Arc::clone(&settings);
            async move {
                Ok::<ApiGatewayV2httpResponse, Error>(
                    handle(store.as_ref(), &settings, &event.payload).await,
                )
            }
        },
    ))
    .await
}
