//! The `watchdog` Lambda: everything is in [`cloud_cron_watchdog::bin`].

fn main() -> Result<(), cloud_cron_watchdog::bin::Error> {
    cloud_cron_watchdog::bin::main()
}
