//! The whole `main` of the `image-copier` Lambda in one call, so a project's
//! own functions package needs no async runtime, AWS or Lambda crate of its
//! own (see `cfn_gen::BuiltinFunctions`):
//!
//! ```no_run
//! // src/bin/image-copier.rs
//! fn main() -> Result<(), cloud_cron_image_copier::bin::Error> {
//!     cloud_cron_image_copier::bin::main()
//! }
//! ```
//!
//! CloudFormation custom-resource requests in, images copied into the
//! stack's ECR repository, exactly one answer to the `ResponseURL` out. AWS
//! credentials and region come from the Lambda environment; ECR tokens are
//! asked of each registry's own region. Logs go to CloudWatch through
//! `tracing` (`RUST_LOG` to tune).

use std::sync::Arc;

use aws_config::BehaviorVersion;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

use crate::auth::RegistryAuthenticator;
use crate::custom_resource::{handle, HandlerConfig, Invocation, OciImageCopier};
use crate::registry::RegistryOptions;

/// What the copier's `main` returns on failure: `lambda_runtime::Error`.
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

/// Serve custom-resource requests with [`handle`] and the [`OciImageCopier`].
///
/// # Errors
///
/// The HTTP client cannot be built, or the Lambda runtime fails.
pub async fn run() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let copier = Arc::new(OciImageCopier::new(
        RegistryAuthenticator::with_aws(aws),
        RegistryOptions {
            // Lambda never talks to a loopback registry.
            allow_loopback_http: false,
            ..RegistryOptions::default()
        },
    ));
    let http = reqwest::Client::builder().build()?;
    let config = HandlerConfig::default();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let copier = Arc::clone(&copier);
        let http = http.clone();
        let config = config.clone();
        async move {
            let invocation = Invocation {
                deadline: event.context.deadline(),
                log_stream: Some(event.context.env_config.log_stream.clone()),
            };
            let answered = handle(event.payload, &invocation, copier, &http, &config).await?;
            Ok::<Value, Error>(serde_json::to_value(answered)?)
        }
    }))
    .await
}
