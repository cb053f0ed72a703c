//! `large_app`: the synth command for one stack of many jobs
//! (`cloud_cron_stacks::large_app`), split into nested stacks. The job count
//! is `LARGE_APP_JOBS` (default 1,000); the options are synth's (`--help`).
//!
//! ```sh
//! cargo run -p cloud-cron-stacks --example large_app -- --out-dir out/large
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let jobs = std::env::var("LARGE_APP_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    cloud_cron_cli::main(&cloud_cron_stacks::large_app::app(jobs))
}
