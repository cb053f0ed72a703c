//! The webhook receiver Lambda: API Gateway HTTP API requests verified and
//! queued on SQS (see [`cloud_cron_webhook::lambda::run`]).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_webhook::lambda::run().await
}
