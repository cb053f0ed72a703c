//! The teams notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Teams`](cloud_cron_notifiers::channels::teams::Teams).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_notifiers::run::<cloud_cron_notifiers::channels::teams::Teams>().await
}
