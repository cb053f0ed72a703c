//! The `cloud-cron` command line as a user runs it: `next` for known
//! expressions, `schema` against the committed schema, `validate` and
//! `synth` on good and bad specs with their exit codes, `init` in a
//! temporary directory then its `synth` (and, ignored unless `scripts/test`
//! runs them, the validators on the output and `sam build` of the project).

mod init;
mod next;
mod spec;
#[path = "../../../stacks/tests/support/mod.rs"]
mod support;
mod tools;

use std::path::Path;
use std::process::{Command, Output};

/// `cloud-cron args` run in `dir`.
pub fn cloud_cron_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloud-cron"))
        .args(args)
        .current_dir(dir)
        .env_remove("CLOUDCRON_CHECKOUT")
        .output()
        .expect("cloud-cron runs")
}

/// `cloud-cron args` in this package's directory.
pub fn cloud_cron(args: &[&str]) -> Output {
    cloud_cron_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The checkout this test runs in.
pub fn checkout() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the checkout")
}

/// The fenced block of `kind` (`sh`, `text`) that follows the first line
/// containing `after` in the README's command-line section.
pub fn readme_block(after: &str, kind: &str) -> String {
    let readme = std::fs::read_to_string(checkout().join("README.md")).expect("README.md");
    let start = readme
        .find("## The cloud-cron command line")
        .expect("the README has the section");
    let section = &readme[start..];
    let from = section
        .find(after)
        .unwrap_or_else(|| panic!("README: no `{after}`"));
    let fence = format!("```{kind}\n");
    let open = from + section[from..].find(&fence).expect("a block follows") + fence.len();
    let close = open + section[open..].find("```").expect("the block ends");
    section[open..close].to_owned()
}
