//! The slack notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`Slack`](cloud_cron_notifiers::channels::slack::Slack).

fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
    cloud_cron_notifiers::bin::slack()
}
