//! `cloud-cron`: the command line for cloud-cron apps.
//!
//! - `init` scaffolds a repository (a `cloud-cron.yaml`, or with `--rust` a
//!   Rust stacks crate) with the Cargo package `sam build` compiles the
//!   notifiers and other built-in functions from;
//! - `synth` writes the templates of a `cloud-cron.yaml` through the same code
//!   as `cargo run --bin synth` (or runs that command in a Rust app);
//! - `validate` runs every synth-time check and writes nothing;
//! - `next` prints the fire times of any schedule expression;
//! - `schema` prints the spec's JSON Schema.
//!
//! Exit status, as synth's: 0 success, 1 validation errors (or drift with
//! `--check`), 2 usage errors. Nothing here compiles an AWS SDK, an async
//! runtime or an HTTP client (scripts/check-synth-deps checks it).

mod exit;
mod init;
mod next;
mod source;
mod spec;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cloud_cron_cli::SynthArgs;

use crate::exit::Exit;
use crate::source::AppSource;

/// Reliable scheduled work on AWS: declare jobs and notification channels in
/// cloud-cron.yaml (or in Rust), synthesize AWS SAM templates, deploy with
/// `sam build` and `sam deploy`.
#[derive(Parser, Debug)]
#[command(name = "cloud-cron", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Init(init::InitArgs),
    Synth(SynthCommand),
    Validate(ValidateCommand),
    Next(next::NextArgs),
    Schema(SchemaCommand),
}

/// Write every stack's template (AWS SAM) and a summary.
///
/// The summary: resources, size, each schedule's next fire times, where
/// alarms go.
///
/// Reads cloud-cron.yaml (or the -f file). Without one, in a Cargo project
/// (a Rust app with a `synth` binary), runs `cargo run --bin synth -- OPTIONS`
/// there and passes its exit status through.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 success, 1 validation errors or (with --check) drift, 2 usage errors."
)]
struct SynthCommand {
    /// The spec to read [default: cloud-cron.yaml, if it exists]
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    synth: SynthArgs,
}

/// Load the spec and run every synth-time validation; write nothing.
///
/// Errors name the file, line and column, the path in the spec and a fix.
/// In a Rust app (no cloud-cron.yaml), runs its synth into a scratch
/// directory instead.
#[derive(clap::Args, Debug)]
#[command(after_help = "Exit status: 0 valid (warnings allowed), 1 errors, 2 usage errors.")]
struct ValidateCommand {
    /// The spec to read [default: cloud-cron.yaml, if it exists]
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Print the JSON Schema of cloud-cron.yaml.
///
/// For editors: the YAML language server's `# yaml-language-server:
/// $schema=FILE` comment at the top of the spec points at it.
#[derive(clap::Args, Debug)]
struct SchemaCommand {
    /// Write the schema to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and succeed.
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = e.print();
            return code.into();
        }
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match run(cli.command, &mut out, &mut err) {
        Ok(exit) => exit.into(),
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            Exit::Invalid.into()
        }
    }
}

fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Exit> {
    match command {
        Command::Init(args) => init::run(&args, out, err),
        Command::Next(args) => next::run(&args, out, err),
        Command::Schema(args) => schema(&args, out),
        Command::Synth(args) => match find_app(args.file.as_deref(), err)? {
            Ok(AppSource::Spec(path)) => spec::synth(&path, &args.synth, out, err),
            Ok(AppSource::Rust(dir)) => cargo_synth(&dir, &args.synth.to_args(), err),
            Err(exit) => Ok(exit),
        },
        Command::Validate(args) => match find_app(args.file.as_deref(), err)? {
            Ok(AppSource::Spec(path)) => spec::validate(&path, out, err),
            Ok(AppSource::Rust(dir)) => {
                let scratch = std::env::temp_dir()
                    .join(format!("cloud-cron-validate-{}", std::process::id()));
                let args = SynthArgs {
                    out_dir: scratch.clone(),
                    ..SynthArgs::default()
                };
                let exit = cargo_synth(&dir, &args.to_args(), err);
                let _ = std::fs::remove_dir_all(&scratch);
                exit
            }
            Err(exit) => Ok(exit),
        },
    }
}

/// The app `synth` or `validate` works on, or the usage error written to `err`.
fn find_app(file: Option<&Path>, err: &mut dyn Write) -> std::io::Result<Result<AppSource, Exit>> {
    let here = std::env::current_dir()?;
    match source::find(&here, file) {
        Ok(found) => Ok(Ok(found)),
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(Err(Exit::Usage))
        }
    }
}

/// A Rust app's `cargo run --bin synth -- args`, its exit status passed through.
fn cargo_synth(dir: &Path, args: &[String], err: &mut dyn Write) -> std::io::Result<Exit> {
    let mut command = source::cargo_synth(args);
    let status = match command.status() {
        Ok(status) => status,
        Err(e) => {
            writeln!(
                err,
                "error: could not run `cargo run --bin synth` in {} ({e}); is cargo on the PATH?",
                dir.display()
            )?;
            return Ok(Exit::Usage);
        }
    };
    // Killed by a signal: no status to pass on, so a failure.
    Ok(match status.code().map(u8::try_from) {
        Some(Ok(code)) => Exit::Passed(code),
        _ => Exit::Invalid,
    })
}

/// `cloud-cron schema`.
fn schema(args: &SchemaCommand, out: &mut dyn Write) -> std::io::Result<Exit> {
    let schema = spec::json_schema();
    match &args.out {
        Some(path) => std::fs::write(path, schema).map_err(|e| {
            std::io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
        })?,
        None => out.write_all(schema.as_bytes())?,
    }
    Ok(Exit::Success)
}
