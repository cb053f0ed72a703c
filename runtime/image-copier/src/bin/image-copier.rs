//! The `image-copier` Lambda: CloudFormation custom-resource requests in, images copied
//! into the stack's ECR repository, exactly one answer to the `ResponseURL` out.
//!
//! Built for `provided.al2023` by `sam build` (`BuildMethod: rust-cargolambda`). AWS
//! credentials and region come from the Lambda environment; ECR tokens are asked of each
//! registry's own region. Logs go to CloudWatch through `tracing` (`RUST_LOG` to tune).

use std::sync::Arc;

use aws_config::BehaviorVersion;
use cloud_cron_image_copier::auth::RegistryAuthenticator;
use cloud_cron_image_copier::custom_resource::{handle, HandlerConfig, Invocation, OciImageCopier};
use cloud_cron_image_copier::registry::RegistryOptions;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
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
