//! The sms notifier Lambda: SQS batches of cloud-cron messages, rendered and
//! delivered through [`TwilioSms`](cloud_cron_notifiers::channels::twilio::TwilioSms).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_notifiers::run::<cloud_cron_notifiers::channels::twilio::TwilioSms>().await
}
