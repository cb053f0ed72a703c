//! Where an init'd project takes cloud-cron's packages from: git (the URL
//! this command line was built from, or `--git URL`), or `path` dependencies
//! on a local checkout (`--path DIR` or `CLOUDCRON_CHECKOUT`, which the
//! tests use to build offline).

use std::path::{Path, PathBuf};

/// The git URL of this repository (the workspace's `repository`).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The environment variable naming a local checkout when `--path` is not given.
pub const CHECKOUT_VAR: &str = "CLOUDCRON_CHECKOUT";

/// How a manifest names cloud-cron's packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `{ git = "URL" }`.
    Git(String),
    /// `{ path = "CHECKOUT/dir" }`, the checkout as an absolute path.
    Checkout(PathBuf),
}

/// A `--path` that is not a cloud-cron checkout.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not a cloud-cron checkout (it has no notifiers/Cargo.toml); pass the directory you cloned cloud-cron into, or leave out --path (and {CHECKOUT_VAR}) to depend on it through git")]
pub struct NotACheckout(PathBuf);

impl Origin {
    /// The checkout `path` (made absolute from `cwd`), after checking it is one.
    pub fn checkout(cwd: &Path, path: &Path) -> Result<Origin, NotACheckout> {
        let dir = cwd.join(path);
        let dir = dir.canonicalize().unwrap_or(dir);
        if dir.join("notifiers/Cargo.toml").is_file() {
            Ok(Origin::Checkout(dir))
        } else {
            Err(NotACheckout(dir))
        }
    }

    /// The dependency line of `package` in a Cargo manifest.
    pub fn dependency(&self, package: &str) -> String {
        match self {
            Origin::Git(url) => format!("{package} = {{ git = {} }}", toml_string(url)),
            Origin::Checkout(dir) => {
                let path = dir.join(package_dir(package));
                format!(
                    "{package} = {{ path = {} }}",
                    toml_string(&path.display().to_string())
                )
            }
        }
    }
}

/// Where a cloud-cron checkout keeps `package`.
fn package_dir(package: &str) -> &'static str {
    match package {
        "cfn-gen" => "cfn-gen",
        "cloud-cron-cli" => "cfn-gen/cli",
        "cloud-cron-notifiers" => "notifiers",
        "cloud-cron-image-copier" => "runtime/image-copier",
        "cloud-cron-watchdog" => "runtime/watchdog",
        _ => ".",
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_and_path_dependencies() {
        let git = Origin::Git("https://example.invalid/cloud-cron".to_owned());
        assert_eq!(
            git.dependency("cfn-gen"),
            r#"cfn-gen = { git = "https://example.invalid/cloud-cron" }"#
        );
        let local = Origin::Checkout(PathBuf::from("/src/cloud \"cron\""));
        assert_eq!(
            local.dependency("cloud-cron-cli"),
            r#"cloud-cron-cli = { path = "/src/cloud \"cron\"/cfn-gen/cli" }"#
        );
    }
}
