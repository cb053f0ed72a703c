//! Where a function's code comes from: a container image, or a Rust binary
//! of this workspace that `sam build` compiles with cargo-lambda.

use std::path::{Path, PathBuf};

/// A Rust binary built by `sam build` with cargo-lambda (`provided.al2023`,
/// handler `bootstrap`).
///
/// ```
/// use cfn_gen::RustBinary;
/// // the package that holds the binary, and the binary's name
/// let code = RustBinary::new(env!("CARGO_MANIFEST_DIR"), "example-task");
/// assert_eq!(code.binary(), "example-task");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustBinary {
    package_dir: PathBuf,
    binary: String,
}

impl RustBinary {
    /// The binary `binary` of the Cargo package in `package_dir` (pass
    /// `env!("CARGO_MANIFEST_DIR")` from that package's own code).
    pub fn new(package_dir: impl Into<PathBuf>, binary: &str) -> RustBinary {
        RustBinary {
            package_dir: package_dir.into(),
            binary: binary.to_owned(),
        }
    }

    /// The package directory.
    pub fn package_dir(&self) -> &Path {
        &self.package_dir
    }

    /// The binary's name.
    pub fn binary(&self) -> &str {
        &self.binary
    }

    /// What is wrong with the package or binary, if anything.
    pub(crate) fn problem(&self) -> Option<(String, String)> {
        let manifest = self.package_dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            return Some((
                format!("no Cargo package at {}", self.package_dir.display()),
                "pass the directory that holds the binary's Cargo.toml, e.g. env!(\"CARGO_MANIFEST_DIR\")".into(),
            ));
        };
        let bin_file = self
            .package_dir
            .join("src/bin")
            .join(format!("{}.rs", self.binary));
        let bin_dir = self
            .package_dir
            .join("src/bin")
            .join(&self.binary)
            .join("main.rs");
        let declared = text.contains(&format!("name = \"{}\"", self.binary));
        if bin_file.is_file() || bin_dir.is_file() || declared {
            None
        } else {
            Some((
                format!(
                    "package {} has no binary named `{}`",
                    self.package_dir.display(),
                    self.binary
                ),
                format!(
                    "add src/bin/{}.rs (or a [[bin]] entry) to the package, or fix the name",
                    self.binary
                ),
            ))
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Code {
    Image(String),
    Rust(RustBinary),
}
