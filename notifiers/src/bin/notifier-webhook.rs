//! The webhook notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Webhook`](cloud_cron_notifiers::channels::webhook::Webhook).

fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
    cloud_cron_notifiers::bin::webhook()
}
