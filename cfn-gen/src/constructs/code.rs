//! Where a function's code comes from and what it runs on: a container
//! image (by URI, built by `sam build` from a local Dockerfile, or
//! republished into the stack by `ImageRepublish`), or a Rust binary of this
//! workspace that `sam build` compiles with cargo-lambda; and the
//! [`Architecture`] both are built for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};

use crate::construct::Node;
use crate::synth::SynthContext;
use crate::validate::Report;
use crate::value::Value;

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

/// A container image that `sam build` builds from a local Dockerfile and
/// `sam deploy --resolve-image-repos` (or `--image-repository`) pushes.
///
/// ```
/// use cfn_gen::ImageBuild;
/// let image = ImageBuild::new("notifiers")
///     .dockerfile("email.Dockerfile")
///     .build_arg("PROFILE", "release");
/// assert_eq!(image.context_dir().to_str(), Some("notifiers"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBuild {
    context: PathBuf,
    dockerfile: String,
    tag: String,
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    platform: Option<Architecture>,
}

impl ImageBuild {
    /// Build with `context_dir` as the Docker build context and its
    /// `Dockerfile`.
    pub fn new(context_dir: impl Into<PathBuf>) -> ImageBuild {
        ImageBuild {
            context: context_dir.into(),
            dockerfile: "Dockerfile".into(),
            tag: "latest".into(),
            build_args: BTreeMap::new(),
            target: None,
            platform: None,
        }
    }

    /// The Dockerfile, relative to the context directory.
    pub fn dockerfile(mut self, path: impl Into<String>) -> ImageBuild {
        self.dockerfile = path.into();
        self
    }

    /// A build argument. Never a secret: build arguments stay in the image's history.
    pub fn build_arg(mut self, name: impl Into<String>, value: impl Into<String>) -> ImageBuild {
        self.build_args.insert(name.into(), value.into());
        self
    }

    /// Build this stage of a multi-stage Dockerfile.
    pub fn target(mut self, stage: impl Into<String>) -> ImageBuild {
        self.target = Some(stage.into());
        self
    }

    /// The platform the image is for; synth checks it matches the function.
    pub fn platform(mut self, architecture: Architecture) -> ImageBuild {
        self.platform = Some(architecture);
        self
    }

    /// The local tag `sam build` gives the image (default `latest`).
    pub fn tag(mut self, tag: impl Into<String>) -> ImageBuild {
        self.tag = tag.into();
        self
    }

    /// The build context directory.
    pub fn context_dir(&self) -> &Path {
        &self.context
    }

    /// What is wrong with the build for a function on `architecture`:
    /// (message, fix) pairs.
    pub(crate) fn problems(&self, architecture: Architecture) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.context.is_dir() {
            out.push((
                format!(
                    "image build context {} is not a directory",
                    self.context.display()
                ),
                "pass the directory that holds the Dockerfile and what it copies".into(),
            ));
            return out;
        }
        let dockerfile = self.context.join(&self.dockerfile);
        let text = match std::fs::read_to_string(&dockerfile) {
            Ok(text) => text,
            Err(e) => {
                out.push((
                    format!("cannot read Dockerfile {}: {e}", dockerfile.display()),
                    "fix the path given to .dockerfile() (it is relative to the context directory)"
                        .into(),
                ));
                return out;
            }
        };
        if let Some(platform) = self.platform {
            if platform != architecture {
                out.push((
                    format!(
                        "the image is built for {} but the function runs on {}",
                        platform.lambda_name(),
                        architecture.lambda_name()
                    ),
                    "make .platform() and the function's .architecture() agree".into(),
                ));
            }
        }
        if let Some(found) = final_stage_platform(&text) {
            let wanted = match architecture {
                Architecture::X86_64 => "linux/amd64",
                Architecture::Arm64 => "linux/arm64",
            };
            if found != wanted {
                out.push((
                    format!("the Dockerfile's final stage is FROM --platform={found} but the function runs on {}", architecture.lambda_name()),
                    format!("use --platform={wanted} (or $TARGETPLATFORM) in the last FROM, or change the function's .architecture()"),
                ));
            }
        }
        if let Some(target) = &self.target {
            let has_stage = text.lines().any(|line| {
                let words: Vec<String> = line
                    .split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect();
                words.first().is_some_and(|w| w == "from")
                    && words.iter().rev().nth(1).is_some_and(|w| w == "as")
                    && words.last() == Some(&target.to_ascii_lowercase())
            });
            if !has_stage {
                out.push((
                    format!("the Dockerfile has no stage named `{target}`"),
                    "name the stage with `FROM ... AS NAME`, or fix .target()".into(),
                ));
            }
        }
        for (name, value) in &self.build_args {
            if let Some(kind) = crate::validate::secrets::find_secret(name, value) {
                out.push((
                    format!("build argument {name} holds a value that looks like {kind}; build arguments stay readable in the image history"),
                    "read secrets at run time from SSM Parameter Store or Secrets Manager instead".into(),
                ));
            } else if crate::validate::secrets::is_secret_name(name) {
                out.push((
                    format!("build argument {name} looks like a secret; build arguments stay readable in the image history"),
                    "read secrets at run time from SSM Parameter Store or Secrets Manager instead".into(),
                ));
            }
        }
        out
    }

    /// SAM's build metadata for the function resource.
    pub(crate) fn metadata(&self, ctx: &SynthContext) -> Vec<(&'static str, Json)> {
        let mut out = vec![
            ("Dockerfile", json!(self.dockerfile)),
            ("DockerContext", json!(ctx.template_relative(&self.context))),
            ("DockerTag", json!(self.tag)),
        ];
        if !self.build_args.is_empty() {
            out.push(("DockerBuildArgs", json!(self.build_args)));
        }
        if let Some(target) = &self.target {
            out.push(("DockerBuildTarget", json!(target)));
        }
        out
    }
}

/// The `--platform=` of the last `FROM` line, unless it is a build variable.
fn final_stage_platform(dockerfile: &str) -> Option<String> {
    let last_from = dockerfile
        .lines()
        .map(str::trim)
        .rfind(|l| l.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("from ")))?;
    let platform = last_from
        .split_whitespace()
        .find_map(|w| w.strip_prefix("--platform="))?;
    (!platform.contains('$')).then(|| platform.to_owned())
}

/// Where a function's image comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageSource {
    /// A private ECR image URI.
    Uri(String),
    /// Built by `sam build` from a Dockerfile.
    Build(ImageBuild),
    /// Copied into the stack by an [`ImageRepublish`](crate::ImageRepublish),
    /// pinned by digest.
    Republished(Republished),
}

impl From<&str> for ImageSource {
    fn from(uri: &str) -> Self {
        ImageSource::Uri(uri.to_owned())
    }
}

impl From<String> for ImageSource {
    fn from(uri: String) -> Self {
        ImageSource::Uri(uri)
    }
}

impl From<ImageBuild> for ImageSource {
    fn from(build: ImageBuild) -> Self {
        ImageSource::Build(build)
    }
}

impl From<&ImageBuild> for ImageSource {
    fn from(build: &ImageBuild) -> Self {
        ImageSource::Build(build.clone())
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Code {
    Image(ImageSource),
    Rust(RustBinary),
    /// One of cloud-cron's functions, from the app's [`BuiltinFunctions`](crate::BuiltinFunctions).
    Builtin(crate::builtin_functions::BuiltinCode),
}

impl Code {
    /// The code to write: built-in code as the binary the app names (none
    /// while the app names no package; validation reports that).
    pub(crate) fn resolved(&self) -> Option<Code> {
        match self {
            Code::Builtin(builtin) => builtin.resolve().map(Code::Rust),
            other => Some(other.clone()),
        }
    }
}

/// The instruction set a function runs on (`x86_64`, the default, or
/// `arm64`): the contract's definition, which the image copier reads too.
pub use cloud_cron_contract::image_republish::Architecture;

/// What a function needs to know of a republished image.
#[derive(Debug, Clone, PartialEq)]
pub struct Republished {
    pub(crate) node: Node,
    pub(crate) image_uri: Value,
    pub(crate) repository_arn: Value,
    pub(crate) architecture: Option<Architecture>,
}

impl Republished {
    /// Checks its use by a function of `user` running on `architecture`.
    pub(crate) fn check_use(&self, user: &Node, architecture: Architecture, report: &mut Report) {
        let path = user.path();
        if !user.same_stack(&self.node) {
            report.error(
                &path,
                format!(
                    "uses the image republished by {} in another stack",
                    self.node.path()
                ),
                "republish the image in this stack too (copies of one digest share storage in ECR)",
            );
        }
        match self.architecture {
            None => report.error(
                &path,
                format!("uses {}, a whole multi-architecture index, which Lambda cannot run", self.node.path()),
                format!("call .architecture(Architecture::{architecture:?}) on the ImageRepublish instead of .whole_index()"),
            ),
            Some(a) if a != architecture => report.error(
                &path,
                format!("runs on {} but {} copies the {} image", architecture.lambda_name(), self.node.path(), a.lambda_name()),
                "make the function's .architecture() and the ImageRepublish's .architecture() the same",
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_stage_decides_the_platform() {
        let two_stage = "FROM --platform=$BUILDPLATFORM rust:1 AS build\nRUN cargo build\nFROM --platform=linux/arm64 public.ecr.aws/lambda/provided:al2023\n";
        assert_eq!(
            final_stage_platform(two_stage).as_deref(),
            Some("linux/arm64")
        );
        assert_eq!(
            final_stage_platform("from --platform=$TARGETPLATFORM x\n"),
            None
        );
        assert_eq!(final_stage_platform("FROM scratch\n"), None);
        assert_eq!(
            final_stage_platform("FRÖM x\nécrit\n"),
            None,
            "no panic on non-ASCII"
        );
    }
}
