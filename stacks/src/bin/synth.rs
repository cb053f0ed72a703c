//! `synth`: write the example stacks' templates to `out/` (see `--help`).

use std::process::ExitCode;

fn main() -> ExitCode {
    cloud_cron_cli::main(&cloud_cron_stacks::app())
}
