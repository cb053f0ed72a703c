//! The teams notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Teams`](cloud_cron_notifiers::channels::teams::Teams).

fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
    cloud_cron_notifiers::bin::teams()
}
