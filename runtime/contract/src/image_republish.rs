//! The `Custom::ImageRepublish` resource: the properties the `ImageRepublish`
//! construct writes, the attributes the image copier answers with, and the
//! architectures it can pick from an image index.
//!
//! ```
//! use cloud_cron_contract::image_republish::{props, Architecture, ImageRepublishProperties};
//!
//! let properties: ImageRepublishProperties = serde_json::from_value(serde_json::json!({
//!     "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:copier",
//!     (props::SOURCE_IMAGE): "ghcr.io/vendor/app:v1",
//!     (props::TARGET_REPOSITORY_URI): "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
//!     (props::ARCHITECTURE): "arm64",
//! }))?;
//! assert_eq!(properties.architecture()?, Some(Architecture::Arm64));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde_derive::{Deserialize, Serialize};

/// The CloudFormation resource type.
pub const RESOURCE_TYPE: &str = "Custom::ImageRepublish";

/// The resource property names.
pub mod props {
    /// The image to copy: `registry/repo:tag`, `registry/repo@sha256:HEX` or both.
    pub const SOURCE_IMAGE: &str = "SourceImage";
    /// The stack's ECR repository URI, without tag or digest.
    pub const TARGET_REPOSITORY_URI: &str = "TargetRepositoryUri";
    /// `x86_64` or `arm64` (see [`Architecture`](super::Architecture)): copy only
    /// that image out of an index. Absent: the whole index.
    pub const ARCHITECTURE: &str = "Architecture";
    /// The copy's tag in the target; `{digest}` in it stands for the digest.
    pub const TARGET_TAG: &str = "TargetTag";
    /// Not read; changing it makes CloudFormation send an Update, which
    /// re-resolves a moving tag.
    pub const REFRESH_TOKEN: &str = "RefreshToken";
    /// A Secrets Manager secret (name or ARN) holding [`RegistryCredentials`](super::RegistryCredentials)
    /// for the source registry; absent: anonymous (or ECR's own login for ECR sources).
    pub const SOURCE_CREDENTIALS: &str = "SourceCredentials";
    /// CloudFormation's function ARN.
    pub const SERVICE_TOKEN: &str = "ServiceToken";
    /// CloudFormation's wait limit for the answer, in seconds.
    pub const SERVICE_TIMEOUT: &str = "ServiceTimeout";
}

/// The attribute names of a successful copy (`Fn::GetAtt Resource.<NAME>`).
pub mod data {
    /// `<TargetRepositoryUri>@sha256:<digest>`: what a function's `ImageUri` takes.
    pub const IMAGE_URI: &str = "ImageUri";
    /// `sha256:<digest>` of the copied manifest or index.
    pub const DIGEST: &str = "Digest";
}

/// The resource's properties, as CloudFormation passes them. Unknown
/// properties are an error (a misspelt `Architecure` must not silently copy
/// the whole index).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImageRepublishProperties {
    /// CloudFormation's function ARN; ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_token: Option<String>,
    /// CloudFormation's own wait limit for the answer (1-3600 s), which it
    /// also passes along in the properties (as a string or a number); ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_timeout: Option<serde_json::Value>,
    /// The image to copy, by tag or digest.
    pub source_image: String,
    /// The target repository URI (no tag, no digest).
    pub target_repository_uri: String,
    /// An [`Architecture`] name; absent or empty: the whole index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Tag for the copy; absent: the source's tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tag: Option<String>,
    /// Bump to force an Update (re-resolve a moving tag); not otherwise read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The Secrets Manager secret (name or ARN) with the source registry's
    /// [`RegistryCredentials`]; the copier reads it at run time. Absent or blank:
    /// no credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_credentials: Option<String>,
}

/// What the secret named by [`props::SOURCE_CREDENTIALS`] holds: a JSON object
/// `{"username": "...", "password": "..."}`, the password being a password or an
/// access token (a GitHub personal access token with `read:packages` for GHCR, a
/// Docker Hub access token). `Debug` never shows the password.
///
/// ```
/// use cloud_cron_contract::image_republish::RegistryCredentials;
/// let creds: RegistryCredentials =
///     serde_json::from_str(r#"{"username": "ci-bot", "password": "not-shown"}"#)?;
/// assert_eq!(creds.username, "ci-bot");
/// assert!(!format!("{creds:?}").contains("not-shown"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RegistryCredentials {
    /// The registry user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl fmt::Debug for RegistryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl ImageRepublishProperties {
    /// The architecture to pick, `None` when the property is absent or blank.
    ///
    /// # Errors
    ///
    /// [`UnknownArchitecture`] for any other name.
    pub fn architecture(&self) -> Result<Option<Architecture>, UnknownArchitecture> {
        self.architecture
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::parse)
            .transpose()
    }
}

/// The attributes of a successful copy (`Data` of the answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageRepublishData {
    /// `<TargetRepositoryUri>@sha256:<digest>`.
    pub image_uri: String,
    /// `sha256:<digest>` of the copied manifest or index.
    pub digest: String,
}

/// A CPU architecture Lambda runs: `x86_64` or `arm64` (the OS is always linux).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize,
)]
pub enum Architecture {
    /// `x86_64` (Lambda's name; `amd64` in OCI image indexes). The default:
    /// most published images are built for it.
    #[default]
    #[serde(rename = "x86_64", alias = "amd64")]
    X86_64,
    /// `arm64` (`aarch64` in some tools).
    #[serde(rename = "arm64", alias = "aarch64")]
    Arm64,
}

impl Architecture {
    /// Both, in a stable order.
    pub const ALL: [Architecture; 2] = [Architecture::X86_64, Architecture::Arm64];

    /// Lambda's name (`Architectures` property): `x86_64` or `arm64`.
    pub fn lambda_name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }

    /// The OCI / Go name, as in image indexes: `amd64` or `arm64`.
    pub fn oci_name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "amd64",
            Architecture::Arm64 => "arm64",
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.lambda_name())
    }
}

/// An architecture name that is none of `x86_64`/`amd64`/`x86-64` and `arm64`/`aarch64`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown architecture `{0}`: use x86_64 (or amd64) or arm64 (or aarch64)")]
pub struct UnknownArchitecture(pub String);

impl FromStr for Architecture {
    type Err = UnknownArchitecture;

    /// Lambda's and OCI's names, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x86_64" | "amd64" | "x86-64" => Ok(Architecture::X86_64),
            "arm64" | "aarch64" => Ok(Architecture::Arm64),
            _ => Err(UnknownArchitecture(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_names_are_the_serialized_names() {
        let properties = ImageRepublishProperties {
            service_token: Some("arn".into()),
            service_timeout: Some(json!("960")),
            source_image: "s".into(),
            target_repository_uri: "t".into(),
            architecture: Some("arm64".into()),
            target_tag: Some("v".into()),
            refresh_token: Some("1".into()),
            source_credentials: Some("registry/ghcr".into()),
        };
        let value = serde_json::to_value(&properties).expect("serializes");
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut expected = [
            props::SERVICE_TOKEN,
            props::SERVICE_TIMEOUT,
            props::SOURCE_IMAGE,
            props::TARGET_REPOSITORY_URI,
            props::ARCHITECTURE,
            props::TARGET_TAG,
            props::REFRESH_TOKEN,
            props::SOURCE_CREDENTIALS,
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected);

        let data = serde_json::to_value(ImageRepublishData {
            image_uri: "u".into(),
            digest: "d".into(),
        })
        .expect("serializes");
        assert_eq!(data, json!({(data::IMAGE_URI): "u", (data::DIGEST): "d"}));
    }

    #[test]
    fn unknown_properties_are_refused() {
        let err = serde_json::from_value::<ImageRepublishProperties>(json!({
            "SourceImage": "s", "TargetRepositoryUri": "t", "Architecure": "arm64"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("Architecure"), "{err}");
    }

    #[test]
    fn architectures_parse_from_lambda_and_oci_names() {
        for (name, arch) in [
            ("x86_64", Architecture::X86_64),
            ("X86_64", Architecture::X86_64),
            ("amd64", Architecture::X86_64),
            ("x86-64", Architecture::X86_64),
            ("arm64", Architecture::Arm64),
            ("aarch64", Architecture::Arm64),
        ] {
            assert_eq!(name.parse(), Ok(arch), "{name}");
        }
        assert!("riscv64".parse::<Architecture>().is_err());
        assert_eq!(Architecture::X86_64.oci_name(), "amd64");
        assert_eq!(Architecture::Arm64.to_string(), "arm64");
        assert_eq!(
            serde_json::to_value(Architecture::ALL).expect("serializes"),
            json!(["x86_64", "arm64"])
        );
        assert_eq!(
            serde_json::from_value::<Architecture>(json!("amd64")).expect("alias"),
            Architecture::X86_64
        );
    }

    #[test]
    fn a_blank_architecture_means_the_whole_index() {
        let mut properties: ImageRepublishProperties = serde_json::from_value(
            json!({"SourceImage": "s", "TargetRepositoryUri": "t", "Architecture": " "}),
        )
        .expect("parses");
        assert_eq!(properties.architecture(), Ok(None));
        properties.architecture = Some("sparc".into());
        assert!(properties.architecture().is_err());
    }
}
