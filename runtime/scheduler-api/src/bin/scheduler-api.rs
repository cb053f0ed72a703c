//! The `scheduler-api` Lambda: [`cloud_cron_scheduler_api::bin::main`].

fn main() -> Result<(), cloud_cron_scheduler_api::bin::Error> {
    cloud_cron_scheduler_api::bin::main()
}
