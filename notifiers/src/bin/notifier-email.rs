//! The email notifier: SQS batches of cloud-cron envelopes rendered and sent
//! through Amazon SES v2 (see `cloud_cron_notifiers::channels::email`).

fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
    cloud_cron_notifiers::bin::email()
}
