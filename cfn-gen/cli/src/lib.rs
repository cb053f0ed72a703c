//! The `synth` command line: write every stack's template, or check that the
//! files on disk are current.
//!
//! Exit status: 0 on success, 1 on validation errors or (with `--check`)
//! drift, 2 on usage errors. Any app can use it: a crate with its own stacks
//! calls [`main`] with its [`App`]. Another front end (the `cloud-cron`
//! command line, which builds the [`App`] from a `cloud-cron.yaml`) parses
//! [`SynthArgs`] itself and calls [`synth_app`] or [`validate_app`] with a
//! [`Frontend`] that says how to rerun it and how to show a problem (where
//! the file declares its construct).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfn_gen::Problem;
use cfn_gen::{App, Format, Severity, SynthOptions, SynthesizedStack};
use chrono::Utc;
use similar::TextDiff;

/// A template format on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum OutputFormat {
    /// YAML (the default).
    Yaml,
    /// JSON.
    Json,
}

mod args;

/// synth's options, for a front end that embeds them in its own command line
/// (`#[command(flatten)]`, with this crate's `clap` feature). The help texts
/// below are the ones `cloud-cron synth --help` shows; synth's own `--help`
/// is written out in `args.rs` with the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SynthArgs {
    /// Where to write `<Stack>.template.<yaml|json>`.
    #[cfg_attr(feature = "clap", arg(long, default_value = DEFAULT_OUT_DIR))]
    pub out_dir: PathBuf,
    /// Template format.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = OutputFormat::Yaml))]
    pub format: OutputFormat,
    /// Only this stack (repeatable).
    #[cfg_attr(feature = "clap", arg(long = "stack", value_name = "NAME"))]
    pub stacks: Vec<String>,
    /// Write nothing; exit 1 and show a diff when a file on disk differs from
    /// what would be written.
    #[cfg_attr(feature = "clap", arg(long))]
    pub check: bool,
}

impl Default for SynthArgs {
    fn default() -> Self {
        SynthArgs {
            out_dir: PathBuf::from(DEFAULT_OUT_DIR),
            format: OutputFormat::Yaml,
            stacks: Vec::new(),
            check: false,
        }
    }
}

impl SynthArgs {
    /// The options as command-line arguments, defaults left out, e.g.
    /// `["--out-dir", "build", "--check"]`: what to pass on to another
    /// program's synth (`cargo run --bin synth -- ..`).
    pub fn to_args(&self) -> Vec<String> {
        let mut options = Vec::new();
        if self.out_dir != Path::new(DEFAULT_OUT_DIR) {
            options.push("--out-dir".to_owned());
            options.push(self.out_dir.display().to_string());
        }
        if self.format == OutputFormat::Json {
            options.push("--format".to_owned());
            options.push("json".to_owned());
        }
        for stack in &self.stacks {
            options.push("--stack".to_owned());
            options.push(stack.clone());
        }
        if self.check {
            options.push("--check".to_owned());
        }
        options
    }
}

/// How a front end other than `cargo run --bin synth` presents synth: the
/// command that reruns it (named in `--check`'s hint) and, for an app built
/// from a file, how a problem is shown (where the file declares it).
pub struct Frontend<'a> {
    /// The command that writes the templates, e.g. `cloud-cron synth`; synth's
    /// options are appended to it.
    pub command: String,
    /// Whether the options follow `--` (as after `cargo run --bin synth`).
    pub options_after_separator: bool,
    /// How an error or warning is printed, e.g. with the file, line and
    /// column that declare its construct; `None`: as [`Problem`] displays.
    pub render: Option<&'a Render<'a>>,
}

/// Renders a problem (see [`Frontend::render`]).
pub type Render<'a> = dyn Fn(&Problem) -> String + 'a;

impl Default for Frontend<'_> {
    /// `cargo run --bin synth`, with problems as [`Problem`] displays them.
    fn default() -> Self {
        Frontend {
            command: "cargo run --bin synth".to_owned(),
            options_after_separator: true,
            render: None,
        }
    }
}

impl Frontend<'_> {
    /// `problem` as this front end prints it.
    pub fn render(&self, problem: &Problem) -> String {
        match self.render {
            Some(render) => render(problem),
            None => problem.to_string(),
        }
    }

    fn rerun(&self, args: &SynthArgs) -> String {
        let mut command = self.command.clone();
        let options = SynthArgs {
            check: false,
            ..args.clone()
        }
        .to_args();
        if !options.is_empty() {
            if self.options_after_separator {
                command.push_str(" --");
            }
            command.push(' ');
            command.push_str(&options.join(" "));
        }
        command
    }
}

/// The default `--out-dir`.
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
    T: Into<std::ffi::OsString>,
{
    let args = match args::parse(args) {
        Ok(args) => args,
        // --help and --version go to stdout and succeed.
        Err(args::Stop::Help(text) | args::Stop::Version(text)) => {
            let _ = write!(out, "{text}");
            return ExitCode::SUCCESS;
        }
        Err(args::Stop::Usage(text)) => {
            let _ = write!(err, "{text}");
            return ExitCode::from(USAGE);
        }
    };
    synth_app(app, &args, &Frontend::default(), out, err)
}

/// Run synth on `app` with options parsed by the caller, presented as
/// `frontend` says: write the templates and a summary, or with `--check`
/// compare them with the files on disk. Exit status as [`run`]'s.
///
/// ```
/// use cfn_gen::{App, Problem, Stack, Topic};
/// use cloud_cron_cli::{Frontend, SynthArgs};
///
/// let app = App::new();
/// Topic::standard(&Stack::new(&app, "Jobs"), "Reports");
/// let dir = tempfile::tempdir()?;
/// let args = SynthArgs { out_dir: dir.path().join("out"), ..SynthArgs::default() };
/// // Show each problem where the app's source file declares it.
/// let render = |p: &Problem| format!("jobs.yaml: {}: {}", p.path, p.message);
/// let frontend = Frontend {
///     command: "jobs synth".to_owned(),
///     options_after_separator: false,
///     render: Some(&render),
/// };
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let code = cloud_cron_cli::synth_app(&app, &args, &frontend, &mut out, &mut err);
/// assert_eq!(code, std::process::ExitCode::SUCCESS);
/// assert!(String::from_utf8(out)?.starts_with("Jobs: "));
/// assert!(dir.path().join("out/Jobs.template.yaml").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn synth_app(
    app: &App,
    args: &SynthArgs,
    frontend: &Frontend<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    match synth(app, args, frontend, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(VALIDATION_FAILED)
        }
    }
}

/// Run every synth-time validation of `app` and write nothing: problems to
/// `err` (as `frontend` renders them), and on success one line per stack to
/// `out`. Exit status 0 when there is no error (warnings allowed), 1 otherwise.
pub fn validate_app(
    app: &App,
    frontend: &Frontend<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let result = match app.synth_with(&SynthOptions::default()) {
        Ok(synthesis) => report_warnings(&synthesis.warnings, frontend, err).and_then(|()| {
            for stack in &synthesis.stacks {
                writeln!(
                    out,
                    "{}: valid, {} resources ({} after the SAM transform)",
                    stack.name,
                    stack.template.resources.len(),
                    stack.template.resource_count_after_transform()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Err(e) => report_errors(&e, frontend, err).map(|()| ExitCode::from(VALIDATION_FAILED)),
    };
    result.unwrap_or_else(|_| ExitCode::from(VALIDATION_FAILED))
}

/// The errors of a failed synth, as [`cfn_gen::SynthError`] displays them
/// (the problems rendered by `frontend`).
fn report_errors(
    e: &cfn_gen::SynthError,
    frontend: &Frontend<'_>,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    if frontend.render.is_none() {
        return write!(err, "{e}");
    }
    writeln!(err, "synth found {} error(s):", e.errors().count())?;
    for problem in &e.problems {
        writeln!(err, "{}", frontend.render(problem))?;
    }
    Ok(())
}

fn report_warnings(
    warnings: &[Problem],
    frontend: &Frontend<'_>,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    for warning in warnings {
        debug_assert_eq!(warning.severity, Severity::Warning);
        writeln!(err, "{}", frontend.render(warning))?;
    }
    Ok(())
}

/// Why synth could not finish writing or checking: a template file it could
/// not create, write or read, or a stream it could not print to.
#[derive(Debug, thiserror::Error)]
enum OutputError {
    #[error("{action} {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Print(#[from] std::io::Error),
}

impl OutputError {
    /// The error of `action` ("writing", ...) on `path`, for `map_err`.
    fn on(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
        let path = path.to_owned();
        move |source| OutputError::File {
            action,
            path,
            source,
        }
    }
}

fn synth(
    app: &App,
    args: &SynthArgs,
    frontend: &Frontend<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, OutputError> {
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
            report_errors(&e, frontend, err)?;
            return Ok(ExitCode::from(VALIDATION_FAILED));
        }
    };
    report_warnings(&synthesis.warnings, frontend, err)?;
    let selected: Vec<&SynthesizedStack> = synthesis
        .stacks
        .iter()
        .filter(|s| args.stacks.is_empty() || args.stacks.contains(&s.name))
        .collect();

    if args.check {
        return check(args, frontend, &selected, out, err);
    }
    fs::create_dir_all(&args.out_dir).map_err(OutputError::on("creating", &args.out_dir))?;
    for stack in selected {
        let path = args.out_dir.join(stack.file_name());
        fs::write(&path, &stack.text).map_err(OutputError::on("writing", &path))?;
        for child in &stack.nested {
            let child_path = args.out_dir.join(child.file_name());
            fs::write(&child_path, &child.text).map_err(OutputError::on("writing", &child_path))?;
        }
        write_summary(stack, &path, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(
    args: &SynthArgs,
    frontend: &Frontend<'_>,
    stacks: &[&SynthesizedStack],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, OutputError> {
    let out_dir = &args.out_dir;
    if !out_dir.is_dir() {
        writeln!(
            err,
            "error: {} does not exist, so there is nothing to check: {}",
            out_dir.display(),
            update_hint(args, frontend)
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
            Err(e) => return Err(OutputError::on("reading", &path)(e)),
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
            update_hint(args, frontend)
        )?;
        return Ok(ExitCode::from(VALIDATION_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// How to write the templates `--check` compared against: the same command
/// without `--check`, and "commit" only when git tracks the directory (never
/// for one it ignores, such as a build output directory).
fn update_hint(args: &SynthArgs, frontend: &Frontend<'_>) -> String {
    let command = frontend.rerun(args);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(path: &str) -> Problem {
        Problem {
            severity: Severity::Error,
            path: path.to_owned(),
            message: "the function has no schedule".to_owned(),
            fix: "add a schedule".to_owned(),
        }
    }

    #[test]
    fn a_file_synth_cannot_write_is_named_with_the_os_reason() {
        let app = App::new();
        let stack = cfn_gen::Stack::new(&app, "Jobs");
        cfn_gen::Topic::standard(&stack, "Reports");
        let dir = tempfile::tempdir().expect("tempdir");
        let taken = dir.path().join("out");
        fs::write(&taken, "a file, not a directory").expect("write");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            &app,
            ["synth", "--out-dir", taken.to_str().expect("utf-8")],
            &mut out,
            &mut err,
        );
        assert_eq!(code, ExitCode::from(VALIDATION_FAILED));
        let err = String::from_utf8(err).expect("utf-8");
        assert!(
            err.starts_with(&format!("error: creating {}: ", taken.display())),
            "{err}"
        );
        assert!(err.contains("os error"), "{err}");
    }

    #[test]
    fn a_frontend_renders_problems_its_own_way() {
        let render = |p: &Problem| format!("cloud-cron.yaml:7:7: {}", p.message);
        let frontend = Frontend {
            command: "cloud-cron synth".to_owned(),
            options_after_separator: false,
            render: Some(&render),
        };
        assert_eq!(
            frontend.render(&problem("Jobs/Nightly")),
            "cloud-cron.yaml:7:7: the function has no schedule"
        );
        assert_eq!(
            Frontend::default().render(&problem("Jobs/Nightly")),
            "error: Jobs/Nightly: the function has no schedule\n  fix: add a schedule"
        );
    }

    #[test]
    fn the_rerun_command_carries_every_option_but_check() {
        let args = SynthArgs {
            out_dir: PathBuf::from("build"),
            format: OutputFormat::Json,
            stacks: vec!["Jobs".to_owned()],
            check: true,
        };
        assert_eq!(
            args.to_args(),
            [
                "--out-dir",
                "build",
                "--format",
                "json",
                "--stack",
                "Jobs",
                "--check"
            ]
        );
        assert_eq!(
            Frontend::default().rerun(&args),
            "cargo run --bin synth -- --out-dir build --format json --stack Jobs"
        );
        let frontend = Frontend {
            command: "cloud-cron synth".to_owned(),
            options_after_separator: false,
            render: None,
        };
        assert_eq!(frontend.rerun(&SynthArgs::default()), "cloud-cron synth");
        assert_eq!(
            frontend.rerun(&args),
            "cloud-cron synth --out-dir build --format json --stack Jobs"
        );
    }
}
