//! The email notifier: SQS batches of cloud-cron envelopes rendered and sent
//! through Amazon SES v2 (see `cloud_cron_notifiers::channels::email`).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_notifiers::run::<cloud_cron_notifiers::channels::email::Email>().await
}
