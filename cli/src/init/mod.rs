//! `cloud-cron init`: scaffold a repository. By default a `cloud-cron.yaml`
//! (a nightly job and an email channel) with its JSON Schema; with `--rust`
//! a Rust stacks crate (as the README's "Use cloud-cron in your own
//! repository" section builds it). Both get the functions package
//! `sam build` needs, a README section and a .gitignore. Existing files are
//! never overwritten: init refuses and names them (an existing README.md or
//! .gitignore is appended to instead).

mod deps;
mod files;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::Exit;
use deps::{Origin, CHECKOUT_VAR, REPOSITORY};

/// Scaffold a new repository: cloud-cron.yaml, or with --rust a Rust stacks crate.
///
/// Writes cloud-cron.yaml (a nightly job and an email channel, alarms to
/// operators by email) and its JSON Schema, or with --rust a Rust stacks
/// crate declaring the same; the functions package `sam build` compiles the
/// notifiers and the missed-run watchdog from; a README section and a
/// .gitignore (both appended to when they exist).
///
/// cloud-cron's packages are git dependencies on the repository this command
/// line was built from (--git to choose another URL), or path dependencies
/// on a local checkout (--path, or the CLOUDCRON_CHECKOUT environment
/// variable). Existing files are never overwritten.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  cloud-cron init jobs && cd jobs && cloud-cron synth
  cloud-cron init --rust jobs
  cloud-cron init --path ~/src/cloud-cron jobs")]
pub struct InitArgs {
    /// The directory to scaffold (created when missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// A Rust stacks crate (`cargo run --bin synth`) instead of cloud-cron.yaml.
    #[arg(long)]
    pub rust: bool,
    /// The git URL of cloud-cron for the manifests' dependencies.
    #[arg(long, value_name = "URL", default_value = REPOSITORY, conflicts_with = "path")]
    pub git: String,
    /// Depend on a local cloud-cron checkout (`path` dependencies) instead of git.
    #[arg(long, value_name = "CHECKOUT")]
    pub path: Option<PathBuf>,
}

/// One file to write.
struct Planned {
    path: String,
    text: String,
    existing: Existing,
}

/// What to do when a planned file exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Existing {
    /// Refuse (init writes nothing).
    Refuse,
    /// Append the text, unless the file already has its first line (then refuse).
    AppendSection,
    /// Append the lines the file does not have yet (a .gitignore).
    AddLines,
}

/// Runs `init`: writes the files (or nothing when one would be overwritten)
/// and lists them on `out`.
pub fn run(args: &InitArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Exit> {
    let cwd = std::env::current_dir()?;
    let checkout = args.path.clone().or_else(|| {
        std::env::var_os(CHECKOUT_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let origin = match checkout {
        Some(path) => match Origin::checkout(&cwd, &path) {
            Ok(origin) => origin,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(Exit::Usage);
            }
        },
        None => Origin::Git(args.git.clone()),
    };
    let dir = if args.dir == Path::new(".") {
        cwd.clone()
    } else {
        cwd.join(&args.dir)
    };
    let plan = plan(args.rust, &origin);
    let conflicts = conflicts(&dir, &plan);
    if !conflicts.is_empty() {
        writeln!(
            err,
            "error: {} already has {}; init writes nothing over existing files: run it in a new or empty directory (`cloud-cron init DIR`), or move them away",
            dir.display(),
            conflicts.join(", ")
        )?;
        return Ok(Exit::Usage);
    }
    for file in &plan {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| with_path(e, "creating", parent))?;
        }
        if path.exists() {
            let mut text = fs::read_to_string(&path).map_err(|e| with_path(e, "reading", &path))?;
            let added = appended(&text, file);
            if added.is_empty() {
                continue;
            }
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            if !text.is_empty() && file.existing == Existing::AppendSection {
                text.push('\n');
            }
            text.push_str(&added);
            fs::write(&path, text).map_err(|e| with_path(e, "writing", &path))?;
            writeln!(out, "  appended to {}", file.path)?;
        } else {
            fs::write(&path, &file.text).map_err(|e| with_path(e, "writing", &path))?;
            writeln!(out, "  wrote {}", file.path)?;
        }
    }
    let cd = if args.dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", args.dir.display())
    };
    writeln!(
        out,
        "Scaffolded {}. Next: `{cd}cloud-cron synth`, then `sam build --template-file out/{}.template.yaml` and `sam deploy --guided` (see README.md).",
        dir.display(),
        files::STACK
    )?;
    Ok(Exit::Success)
}

/// The files of the scaffold.
fn plan(rust: bool, origin: &Origin) -> Vec<Planned> {
    let new = |path: &str, text: String| Planned {
        path: path.to_owned(),
        text,
        existing: Existing::Refuse,
    };
    let mut plan = Vec::new();
    if rust {
        plan.push(new("Cargo.toml", files::rust_workspace()));
        plan.push(new(
            "stacks/Cargo.toml",
            files::rust_stacks_manifest(origin),
        ));
        plan.push(new("stacks/src/bin/synth.rs", files::rust_synth()));
    } else {
        plan.push(new("cloud-cron.yaml", files::spec()));
        plan.push(new(files::SCHEMA_FILE, crate::spec::json_schema()));
    }
    plan.push(new(
        "functions/Cargo.toml",
        files::functions_manifest(origin, !rust),
    ));
    for (path, text) in files::function_binaries() {
        plan.push(new(&path, text));
    }
    plan.push(Planned {
        path: "README.md".to_owned(),
        text: files::readme_section(rust),
        existing: Existing::AppendSection,
    });
    plan.push(Planned {
        path: ".gitignore".to_owned(),
        text: files::GITIGNORE.to_owned(),
        existing: Existing::AddLines,
    });
    plan
}

/// The planned files that exist and must not be overwritten: every file
/// init would refuse to touch, and a README that already has the section
/// (init ran there before).
fn conflicts(dir: &Path, plan: &[Planned]) -> Vec<String> {
    plan.iter()
        .filter(|file| {
            let path = dir.join(&file.path);
            match file.existing {
                _ if !path.exists() => false,
                Existing::Refuse => true,
                Existing::AddLines => false,
                Existing::AppendSection => {
                    let heading = file.text.lines().next().unwrap_or_default();
                    fs::read_to_string(&path).map_or(true, |old| old.contains(heading))
                }
            }
        })
        .map(|file| file.path.clone())
        .collect()
}

/// What to append to `old`, the text of an existing `file`.
fn appended(old: &str, file: &Planned) -> String {
    match file.existing {
        Existing::AddLines => file
            .text
            .lines()
            .filter(|line| !old.lines().any(|l| l.trim() == *line))
            .map(|line| format!("{line}\n"))
            .collect(),
        Existing::AppendSection | Existing::Refuse => file.text.clone(),
    }
}

fn with_path(e: std::io::Error, doing: &str, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{doing} {}: {e}", path.display()))
}
