//! The `synth` command line: write every stack's template, or check that the
//! files on disk are current.
//!
//! Exit status: 0 on success, 1 on validation errors or (with `--check`)
//! drift, 2 on usage errors. Any app can use it: a crate with its own stacks
//! calls [`main`] with its [`App`].

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use cfn_gen::{App, Format, Severity, SynthOptions, SynthesizedStack};
use chrono::Utc;
use clap::{Parser, ValueEnum};
use similar::TextDiff;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputFormat {
    Yaml,
    Json,
}

/// Synthesize cloud-cron stacks into AWS SAM templates.
#[derive(Parser, Debug)]
#[command(name = "synth", version)]
struct Args {
    /// Where to write `<Stack>.template.<yaml|json>`.
    #[arg(long, default_value = DEFAULT_OUT_DIR)]
    out_dir: PathBuf,
    /// Template format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    format: OutputFormat,
    /// Only this stack (repeatable).
    #[arg(long = "stack", value_name = "NAME")]
    stacks: Vec<String>,
    /// Write nothing; exit 1 and show a diff when a file on disk differs from
    /// what would be written.
    #[arg(long)]
    check: bool,
}

const DEFAULT_OUT_DIR: &str = "out";
const VALIDATION_FAILED: u8 = 1;
const USAGE: u8 = 2;

/// Parse the process arguments and run synth on `app`.
///
/// ```no_run
/// use cfn_gen::{App, Stack, Topic};
///
/// fn main() -> std::process::ExitCode {
///     let app = App::new();
///     let stack = Stack::new(&app, "Jobs");
///     Topic::standard(&stack, "Reports");
///     cloud_cron_cli::main(&app)
/// }
/// ```
pub fn main(app: &App) -> ExitCode {
    run(
        app,
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}

/// Run synth on `app` with `args` (the first is the program name), writing
/// the summary to `out` and problems to `err`.
pub fn run<I, T>(app: &App, args: I, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // --help and --version are "errors" that go to stdout and succeed.
            if e.use_stderr() {
                let _ = write!(err, "{}", e.render());
                return ExitCode::from(USAGE);
            }
            let _ = write!(out, "{}", e.render());
            return ExitCode::SUCCESS;
        }
    };
    match synth(app, &args, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            ExitCode::from(VALIDATION_FAILED)
        }
    }
}

fn synth(
    app: &App,
    args: &Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Json => Format::Json,
    };
    let known: Vec<String> = app.stacks().iter().map(|s| s.name().to_owned()).collect();
    if let Some(unknown) = args.stacks.iter().find(|s| !known.contains(s)) {
        writeln!(
            err,
            "error: no stack named `{unknown}`; the stacks are: {}",
            known.join(", ")
        )?;
        return Ok(ExitCode::from(USAGE));
    }

    let options = SynthOptions {
        format,
        out_dir: args.out_dir.clone(),
    };
    let synthesis = match app.synth_with(&options) {
        Ok(s) => s,
        Err(e) => {
            write!(err, "{e}")?;
            return Ok(ExitCode::from(VALIDATION_FAILED));
        }
    };
    for warning in &synthesis.warnings {
        debug_assert_eq!(warning.severity, Severity::Warning);
        writeln!(err, "{warning}")?;
    }
    let selected: Vec<&SynthesizedStack> = synthesis
        .stacks
        .iter()
        .filter(|s| args.stacks.is_empty() || args.stacks.contains(&s.name))
        .collect();

    if args.check {
        return check(args, &selected, out, err);
    }
    fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    for stack in selected {
        let path = args.out_dir.join(stack.file_name());
        fs::write(&path, &stack.text).with_context(|| format!("writing {}", path.display()))?;
        for child in &stack.nested {
            let child_path = args.out_dir.join(child.file_name());
            fs::write(&child_path, &child.text)
                .with_context(|| format!("writing {}", child_path.display()))?;
        }
        write_summary(stack, &path, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(
    args: &Args,
    stacks: &[&SynthesizedStack],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let out_dir = &args.out_dir;
    if !out_dir.is_dir() {
        writeln!(
            err,
            "error: {} does not exist, so there is nothing to check: {}",
            out_dir.display(),
            update_hint(args)
        )?;
        return Ok(ExitCode::from(VALIDATION_FAILED));
    }
    let mut drifted = 0;
    let files = stacks.iter().flat_map(|stack| {
        std::iter::once((stack.file_name(), &stack.text)).chain(
            stack
                .nested
                .iter()
                .map(|child| (child.file_name(), &child.text)),
        )
    });
    for (file_name, text) in files {
        let path = out_dir.join(file_name);
        let on_disk = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drifted += 1;
                writeln!(out, "{}: missing", path.display())?;
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        if on_disk == *text {
            writeln!(out, "{}: up to date", path.display())?;
            continue;
        }
        drifted += 1;
        writeln!(
            out,
            "{}: differs from what synth would write",
            path.display()
        )?;
        let diff = TextDiff::from_lines(&on_disk, text);
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("{} (on disk)", path.display()), "synthesized")
        )?;
    }
    if drifted > 0 {
        writeln!(
            err,
            "{drifted} template(s) out of date: {}",
            update_hint(args)
        )?;
        return Ok(ExitCode::from(VALIDATION_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// How to write the templates `--check` compared against: the same command
/// without `--check`, and "commit" only when git tracks the directory (never
/// for one it ignores, such as a build output directory).
fn update_hint(args: &Args) -> String {
    let mut command = String::from("cargo run --bin synth");
    let mut options = Vec::new();
    if args.out_dir != Path::new(DEFAULT_OUT_DIR) {
        options.push(format!("--out-dir {}", args.out_dir.display()));
    }
    if matches!(args.format, OutputFormat::Json) {
        options.push("--format json".to_owned());
    }
    for stack in &args.stacks {
        options.push(format!("--stack {stack}"));
    }
    if !options.is_empty() {
        command.push_str(" -- ");
        command.push_str(&options.join(" "));
    }
    match git_ignores(&args.out_dir) {
        Some(false) => format!("run `{command}` and commit the result"),
        Some(true) | None => format!("run `{command}` to write them"),
    }
}

/// Whether git ignores `dir`: `None` outside a git work tree or without git.
fn git_ignores(dir: &Path) -> Option<bool> {
    let status = std::process::Command::new("git")
        .arg("check-ignore")
        .arg("--quiet")
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    match status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}

/// The summary `synth` prints for a stack written to `path`: resource count
/// (before and after the SAM transform), size, the nested stacks it was
/// split into (each with its constructs, resources and file), each schedule's next
/// three fire times in its own time zone, and where its alarms go (the
/// alarm actions' logical IDs, with how many alarms notify each).
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_summary(
    stack: &SynthesizedStack,
    path: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let template = &stack.template;
    writeln!(
        out,
        "{}: {} resources ({} after the SAM transform), {} bytes -> {}",
        stack.name,
        template.resources.len(),
        template.resource_count_after_transform(),
        stack.text.len(),
        path.display()
    )?;
    if !stack.nested.is_empty() {
        writeln!(
            out,
            "  split into {} nested stacks (CloudFormation allows 500 resources a stack), written next to it:",
            stack.nested.len()
        )?;
        for child in &stack.nested {
            writeln!(
                out,
                "    {}: {} constructs, {} resources after the SAM transform, {} bytes -> {}",
                child.logical_id,
                child.constructs.len(),
                child.template.resource_count_after_transform(),
                child.text.len(),
                child.file_name()
            )?;
        }
    }
    let now = Utc::now();
    for summary in &stack.schedules {
        let zone = summary.schedule.time_zone().unwrap_or("UTC");
        let next = match summary.next_fire_times(now, 3) {
            Ok(times) if times.is_empty() => "no future runs".to_owned(),
            Ok(times) => times
                .iter()
                .map(|t| t.format("%Y-%m-%d %H:%M %Z").to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("invalid: {e}"),
        };
        writeln!(
            out,
            "  {}  {} ({zone})  next: {next}",
            summary.path,
            summary.schedule.expression()
        )?;
    }
    for (to, count) in cfn_gen::validate::alarms::routes(template) {
        if to.is_empty() {
            writeln!(
                out,
                "  alarms: {count} -> nobody (no action: see stack.alarms_to)"
            )?;
        } else {
            writeln!(out, "  alarms: {count} -> {to}")?;
        }
    }
    Ok(())
}
