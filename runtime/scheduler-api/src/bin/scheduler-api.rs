//! The `scheduler-api` Lambda: API Gateway HTTP API (payload format 2.0)
//! requests in, one-off schedules created, read, listed, moved or cancelled
//! in EventBridge Scheduler (see `cloud_cron_scheduler_api`).
//!
//! Configuration: the `CLOUDCRON_ONE_OFF_*` variables of the scheduler client
//! and the `CLOUDCRON_API_*` variables of `ApiSettings`. Logs go to
//! CloudWatch through `tracing` (`RUST_LOG` to tune); bodies and payloads are
//! never logged.

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use cloud_cron_scheduler::OneOffSettings;
use cloud_cron_scheduler_api::{handle, ApiSettings, AwsScheduleStore};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
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
