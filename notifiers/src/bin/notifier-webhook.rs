//! The webhook notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Webhook`](cloud_cron_notifiers::channels::webhook::Webhook).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_notifiers::run::<cloud_cron_notifiers::channels::webhook::Webhook>().await
}
