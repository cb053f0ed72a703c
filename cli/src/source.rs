//! Where `synth` and `validate` get the app from: a `cloud-cron.yaml` (the
//! `-f` file, or the one in the current directory), or else a Rust app (a
//! Cargo project with a `synth` binary, run with `cargo run --bin synth`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The spec file `synth` and `validate` read when no `-f` is given.
pub const DEFAULT_SPEC: &str = "cloud-cron.yaml";

/// What a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppSource {
    /// A spec file.
    Spec(PathBuf),
    /// A Cargo project (its directory): its `synth` binary builds the app.
    Rust(PathBuf),
}

/// Why there is no app to work on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// `-f FILE` names a file that does not exist.
    #[error(
        "{0} does not exist; pass the spec with -f FILE, or create one with `cloud-cron init`"
    )]
    NoSuchSpec(PathBuf),
    /// Neither a spec nor a Cargo project in the current directory.
    #[error("no {DEFAULT_SPEC} and no Cargo.toml in {0}; pass the spec with -f FILE, run in the directory that has one, or create a project with `cloud-cron init`")]
    NothingHere(PathBuf),
}

/// The app in `dir`: the spec `file` when given (relative to `dir`),
/// else `dir/cloud-cron.yaml`, else the Cargo project `dir` is in.
pub fn find(dir: &Path, file: Option<&Path>) -> Result<AppSource, SourceError> {
    if let Some(file) = file {
        let path = dir.join(file);
        return if path.is_file() {
            Ok(AppSource::Spec(file.to_path_buf()))
        } else {
            Err(SourceError::NoSuchSpec(file.to_path_buf()))
        };
    }
    if dir.join(DEFAULT_SPEC).is_file() {
        return Ok(AppSource::Spec(PathBuf::from(DEFAULT_SPEC)));
    }
    dir.ancestors()
        .find(|d| d.join("Cargo.toml").is_file())
        .map(|d| AppSource::Rust(d.to_path_buf()))
        .ok_or_else(|| SourceError::NothingHere(dir.to_path_buf()))
}

/// `cargo run --bin synth -- args` in the current directory (cargo finds the
/// project from there): the command that builds and runs a Rust app's synth.
/// Its output goes straight to the terminal; the caller passes its exit
/// status through.
pub fn cargo_synth(args: &[String]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["run", "--quiet", "--bin", "synth", "--"])
        .args(args);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_in_the_directory_wins_over_the_cargo_project() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("Cargo.toml"), "").expect("write");
        assert_eq!(
            find(dir.path(), None).expect("found"),
            AppSource::Rust(dir.path().to_path_buf())
        );
        std::fs::write(dir.path().join(DEFAULT_SPEC), "").expect("write");
        assert_eq!(
            find(dir.path(), None).expect("found"),
            AppSource::Spec(PathBuf::from(DEFAULT_SPEC))
        );
        let missing = find(dir.path(), Some(Path::new("other.yaml"))).unwrap_err();
        assert!(missing.to_string().contains("other.yaml does not exist"));
    }
}
