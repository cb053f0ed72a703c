//! `synth`, `validate` and `schema` for a `cloud-cron.yaml`: the spec loaded
//! with `cloud-cron-spec`, then the same synth as `cargo run --bin synth`
//! (cloud-cron-cli), each problem named by where the spec declares it.

use std::io::Write;
use std::path::Path;

use cloud_cron_cli::{Frontend, SynthArgs};
use cloud_cron_spec::LoadedSpec;

use crate::exit::Exit;
use crate::source::DEFAULT_SPEC;

/// The spec at `path`, or its errors written to `err` (each with file, line,
/// column, path and fix) and `Exit::Invalid`.
fn load(path: &Path, err: &mut dyn Write) -> std::io::Result<Result<LoadedSpec, Exit>> {
    match cloud_cron_spec::load(path) {
        Ok(spec) => Ok(Ok(spec)),
        Err(errors) => {
            write!(err, "{errors}")?;
            if !errors.to_string().ends_with('\n') {
                writeln!(err)?;
            }
            Ok(Err(Exit::Invalid))
        }
    }
}

/// The command that reruns synth on `path`: `cloud-cron synth`, with `-f` when
/// it is not the default file.
fn rerun_command(path: &Path) -> String {
    if path == Path::new(DEFAULT_SPEC) {
        "cloud-cron synth".to_owned()
    } else {
        format!("cloud-cron synth -f {}", path.display())
    }
}

/// Runs `f` with the front end of the spec at `path`: each problem shown as
/// the spec's own errors are, at the file, line and column that declare its
/// construct (`cloud-cron.yaml:12:5 (stacks.Jobs.tasks.NightlySync): error: ..`).
fn with_frontend<T>(path: &Path, spec: &LoadedSpec, f: impl FnOnce(&Frontend<'_>) -> T) -> T {
    let render = |problem: &cfn_gen::Problem| spec.locate_problem(problem).to_string();
    let frontend = Frontend {
        command: rerun_command(path),
        options_after_separator: false,
        render: Some(&render),
    };
    f(&frontend)
}

/// `cloud-cron synth` of the spec at `path`.
pub fn synth(
    path: &Path,
    args: &SynthArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Exit> {
    let spec = match load(path, err)? {
        Ok(spec) => spec,
        Err(exit) => return Ok(exit),
    };
    let code = with_frontend(path, &spec, |frontend| {
        cloud_cron_cli::synth_app(spec.app(), args, frontend, out, err)
    });
    Ok(exit_of(code))
}

/// `cloud-cron validate` of the spec at `path`.
pub fn validate(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Exit> {
    let spec = match load(path, err)? {
        Ok(spec) => spec,
        Err(exit) => return Ok(exit),
    };
    let code = with_frontend(path, &spec, |frontend| {
        cloud_cron_cli::validate_app(spec.app(), frontend, out, err)
    });
    Ok(exit_of(code))
}

/// The spec's JSON Schema, for `cloud-cron schema` and `init`.
pub fn json_schema() -> String {
    let mut schema = cloud_cron_spec::json_schema();
    if !schema.ends_with('\n') {
        schema.push('\n');
    }
    schema
}

/// cloud-cron-cli's exit code as an [`Exit`] (`ExitCode` cannot be compared).
fn exit_of(code: std::process::ExitCode) -> Exit {
    if code == std::process::ExitCode::SUCCESS {
        Exit::Success
    } else if code == std::process::ExitCode::from(2) {
        Exit::Usage
    } else {
        Exit::Invalid
    }
}
