//! The sms notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`TwilioSms`](cloud_cron_notifiers::channels::twilio::TwilioSms).

fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {
    cloud_cron_notifiers::bin::sms()
}
