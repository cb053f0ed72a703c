//! The webhook receiver Lambda: API Gateway HTTP API requests verified and
//! queued on SQS (see [`cloud_cron_webhook::bin`]).

fn main() -> Result<(), cloud_cron_webhook::bin::Error> {
    cloud_cron_webhook::bin::main()
}
