//! The slack notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Slack`](cloud_cron_notifiers::channels::slack::Slack).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_notifiers::run::<cloud_cron_notifiers::channels::slack::Slack>().await
}
