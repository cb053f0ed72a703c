//! Copying one image reference into a target repository.
//!
//! [`copy_image`] resolves the source reference (a tag is resolved to a digest once, at
//! the start) and copies what it points at:
//!
//! - an **image manifest**: its config and layer blobs, then the manifest by digest;
//! - an **image index** without an [`Architecture`]: every manifest it lists (each one as
//!   above, nested indexes too), then the index itself by digest, so the copy is the whole
//!   multi-architecture image with the same digest;
//! - an **image index** with an [`Architecture`]: only the `linux/<arch>` image manifest,
//!   whose digest is then the result;
//! - an **image manifest** with an [`Architecture`]: checked against its config's
//!   `architecture`, so a wrong pick fails at deploy rather than at the first invocation.
//!
//! Only what the target lacks is transferred: a manifest the target already has (by
//! digest) is not walked again, a blob it already has (HEAD) is skipped, a blob in another
//! repository of the same registry is mounted, and only the rest is uploaded, as a
//! verified stream (see [`crate::registry`]). Manifests go up as the exact bytes fetched,
//! so digests are preserved; the tag goes last, once everything it points at is in place,
//! and the result is read back to check the target serves the digest.
//!
//! Running the same copy twice transfers nothing the second time ([`CopyReport`] says
//! what was done), which is what makes CloudFormation's Create/Update retries safe.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use oci_client::secrets::RegistryAuth;
use oci_client::Reference;
use serde::Deserialize;

use cloud_cron_contract::image_republish::{props, ImageRepublishProperties};

use crate::auth::{AuthError, EcrRegistry, RegistryAuthenticator};
use crate::registry::{
    check_sha256_digest, Descriptor, Manifest, ManifestBody, RegistryClient, RegistryError,
    RegistryOptions,
};

/// Index nesting the copier follows (an index of indexes is legal, if rare).
const MAX_INDEX_DEPTH: usize = 3;

/// A CPU architecture to pick from an image index (the contract's, shared with the
/// `ImageRepublish` construct): Lambda runs `x86_64` (`amd64`) and `arm64` functions;
/// the OS is always `linux`.
pub use cloud_cron_contract::image_republish::{Architecture, UnknownArchitecture};

/// A repository to copy into: a registry host and a repository name, without tag or digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetRepository {
    /// `host[:port]`.
    pub registry: String,
    /// The repository path, e.g. `my-stack/my-lambda`.
    pub repository: String,
}

impl TargetRepository {
    /// A reference into this repository by tag.
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            tag.to_owned(),
        )
    }

    /// A reference into this repository by digest.
    pub fn with_digest(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            digest.to_owned(),
        )
    }

    /// `registry/repository@digest`: the pinned image URI Lambda takes.
    pub fn image_uri(&self, digest: &str) -> String {
        format!("{self}@{digest}")
    }
}

impl fmt::Display for TargetRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

impl FromStr for TargetRepository {
    type Err = String;

    /// Parses `host[:port]/path`: the registry host must be explicit, and there must be
    /// no tag or digest.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (registry, path) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not `registry-host/repository`"))?;
        let explicit_host =
            registry.contains('.') || registry.contains(':') || registry == "localhost";
        if !explicit_host {
            return Err(format!(
                "`{s}` does not start with a registry host (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo)"
            ));
        }
        let last = path.rsplit('/').next().unwrap_or(path);
        if last.contains(':') || last.contains('@') {
            return Err(format!(
                "`{s}` has a tag or digest; give the repository only (the copy is tagged like its source)"
            ));
        }
        let reference: Reference = s
            .parse()
            .map_err(|e| format!("`{s}` is not a valid repository: {e}"))?;
        if reference.registry() != registry {
            return Err(format!("`{s}` is not a valid repository name"));
        }
        Ok(Self {
            registry: reference.registry().to_owned(),
            repository: reference.repository().to_owned(),
        })
    }
}

/// What to copy where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyRequest {
    /// The source image, by tag or digest.
    pub source: Reference,
    /// The repository to copy into.
    pub target: TargetRepository,
    /// The tag the copy gets in the target; `None` leaves it untagged (by digest only).
    /// [`DIGEST_PLACEHOLDER`] in it stands for the copied digest as a tag
    /// (`sha256-<hex>`), so a repository with immutable tags gets one tag per digest.
    pub target_tag: Option<String>,
    /// Pick one architecture from an index; `None` copies the index whole.
    pub architecture: Option<Architecture>,
    /// The Secrets Manager secret (name or ARN) with the source registry's
    /// credentials; `None`: anonymous, or ECR's own login for an ECR source.
    pub source_credentials: Option<String>,
}

impl CopyRequest {
    /// The copy the resource properties ask for; blank optional properties count as
    /// absent.
    ///
    /// # Errors
    ///
    /// [`CopyError::InvalidInput`] naming the property at fault.
    pub fn from_properties(properties: &ImageRepublishProperties) -> Result<Self, CopyError> {
        let non_empty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if properties.source_image.trim().is_empty() {
            return Err(CopyError::InvalidInput {
                property: props::SOURCE_IMAGE,
                reason: "it is empty".to_owned(),
            });
        }
        Ok(Self::parse(
            &properties.source_image,
            &properties.target_repository_uri,
            non_empty(&properties.architecture).as_deref(),
            non_empty(&properties.target_tag).as_deref(),
        )?
        .with_source_credentials(non_empty(&properties.source_credentials)))
    }

    /// Reads the source registry's credentials from Secrets Manager secret `secret`
    /// (name or ARN) at copy time.
    pub fn with_source_credentials(mut self, secret: Option<String>) -> Self {
        self.source_credentials = secret;
        self
    }

    /// Parses and checks the inputs. `target_tag` defaults to the source's tag (`latest`
    /// when the source names neither tag nor digest; none when it names only a digest).
    pub fn parse(
        source: &str,
        target: &str,
        architecture: Option<&str>,
        target_tag: Option<&str>,
    ) -> Result<Self, CopyError> {
        let source_text = source.trim();
        if let Some((_, digest)) = source_text.rsplit_once('@') {
            check_sha256_digest(digest).map_err(|e| CopyError::InvalidInput {
                property: props::SOURCE_IMAGE,
                reason: format!("`{source_text}`: {e}"),
            })?;
        }
        let source_ref: Reference =
            source_text
                .parse()
                .map_err(|e: oci_client::ParseError| CopyError::InvalidInput {
                    property: props::SOURCE_IMAGE,
                    reason: format!("`{source_text}` is not an image reference: {e}"),
                })?;
        if let Some(digest) = source_ref.digest() {
            check_sha256_digest(digest).map_err(|e| CopyError::InvalidInput {
                property: props::SOURCE_IMAGE,
                reason: e.to_string(),
            })?;
        }
        let target =
            target
                .parse::<TargetRepository>()
                .map_err(|reason| CopyError::InvalidInput {
                    property: props::TARGET_REPOSITORY_URI,
                    reason,
                })?;
        let architecture = architecture
            .map(str::parse::<Architecture>)
            .transpose()
            .map_err(|e| CopyError::InvalidInput {
                property: props::ARCHITECTURE,
                reason: e.to_string(),
            })?;
        let target_tag = match target_tag {
            Some(tag) => Some(valid_tag(tag)?),
            None => source_ref.tag().map(str::to_owned),
        };
        Ok(Self {
            source: source_ref,
            target,
            target_tag,
            architecture,
            source_credentials: None,
        })
    }
}

/// Stands for the copied digest in `TargetTag` (`{digest}` becomes `sha256-<hex>`).
pub const DIGEST_PLACEHOLDER: &str = "{digest}";

/// The digest as a tag: `sha256:<hex>` becomes `sha256-<hex>`.
fn digest_tag(digest: &str) -> String {
    digest.replace(':', "-")
}

/// Checks a tag against the OCI grammar `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, with any
/// [`DIGEST_PLACEHOLDER`] counted as the 71 characters it becomes.
fn valid_tag(tag: &str) -> Result<String, CopyError> {
    let expanded = tag.replace(
        DIGEST_PLACEHOLDER,
        &digest_tag(&format!("sha256:{}", "0".repeat(64))),
    );
    let ok = expanded.len() <= 128
        && expanded.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_alphanumeric() || b == b'_' || (i > 0 && (b == b'.' || b == b'-'))
        })
        && !expanded.is_empty();
    if ok {
        Ok(tag.to_owned())
    } else {
        Err(CopyError::InvalidInput {
            property: props::TARGET_TAG,
            reason: format!(
                "`{tag}` is not a valid tag (1-128 characters of A-Z a-z 0-9 _ . -, not starting with . or -)"
            ),
        })
    }
}

/// What a copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Blobs the target already had.
    pub blobs_skipped: usize,
    /// Blobs mounted from another repository of the same registry.
    pub blobs_mounted: usize,
    /// Blobs uploaded.
    pub blobs_uploaded: usize,
    /// Bytes uploaded.
    pub bytes_uploaded: u64,
    /// Manifests pushed (by digest).
    pub manifests_pushed: usize,
    /// Manifests the target already had (their blobs and children were not looked at).
    pub manifests_skipped: usize,
    /// Whether the tag was pushed (false: absent, or it already pointed at the digest).
    pub tag_pushed: bool,
}

impl CopyReport {
    /// Whether anything was written to the target.
    pub fn wrote_anything(&self) -> bool {
        self.blobs_mounted > 0
            || self.blobs_uploaded > 0
            || self.manifests_pushed > 0
            || self.tag_pushed
    }
}

/// A finished copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    /// `target-registry/repository@sha256:...`.
    pub image_uri: String,
    /// `sha256:...` of the copied manifest or index.
    pub digest: String,
    /// Media type of the copied manifest or index.
    pub media_type: String,
    /// The tag the copy has in the target, if any.
    pub tag: Option<String>,
    /// What was transferred.
    pub report: CopyReport,
}

/// Why a copy failed; every message reads as a sentence a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A property is missing or malformed.
    #[error("invalid {property}: {reason}")]
    InvalidInput {
        /// The resource property.
        property: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The source reference does not resolve (missing tag, wrong digest, no repository).
    #[error("source image {reference} was not found: {cause}")]
    SourceNotFound {
        /// The source as given.
        reference: String,
        /// What the registry said.
        #[source]
        cause: RegistryError,
    },
    /// An index without the wanted architecture.
    #[error("source image {reference} is an image index without a linux/{} image (it has: {available})", wanted.oci_name())]
    PlatformNotFound {
        /// The source.
        reference: String,
        /// The wanted architecture.
        wanted: Architecture,
        /// The platforms it has.
        available: String,
    },
    /// A single-architecture image of another architecture.
    #[error("source image {reference} is a single-architecture {actual} image, but Architecture is {wanted} (linux/{})", wanted.oci_name())]
    ArchitectureMismatch {
        /// The source.
        reference: String,
        /// The wanted architecture.
        wanted: Architecture,
        /// The image's `os/architecture`.
        actual: String,
    },
    /// The index entry chosen for an architecture is itself an index, or indexes nest too deep.
    #[error("source image {reference}: {detail}")]
    UnsupportedLayout {
        /// The source.
        reference: String,
        /// What was found.
        detail: String,
    },
    /// Credentials for a registry could not be had.
    #[error("cannot get credentials for {registry}: {cause}")]
    Auth {
        /// The registry host.
        registry: String,
        /// Why.
        #[source]
        cause: AuthError,
    },
    /// The source registry (or its token service) refused the credentials from the
    /// secret. The detail never contains the password.
    #[error("registry {registry} refused the credentials from secret `{secret}`: {detail}; check the username and password (or access token) stored in the secret, and that the user may pull the repository")]
    CredentialsRefused {
        /// The registry host.
        registry: String,
        /// The secret's name or ARN.
        secret: String,
        /// What the registry said, with the password redacted.
        detail: String,
    },
    /// The source registry refused an anonymous pull.
    #[error("source image {reference} cannot be pulled anonymously: {cause}; if the repository is private, store {{\"username\": \"...\", \"password\": \"...\"}} in a Secrets Manager secret and name it with ImageRepublish's .credentials(..)")]
    SourceDenied {
        /// The source as given.
        reference: String,
        /// What the registry said.
        #[source]
        cause: RegistryError,
    },
    /// A registry operation failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// `text` with every occurrence of the password in `auth` replaced by `<redacted>`.
fn redact(text: String, auth: &RegistryAuth) -> String {
    match auth {
        RegistryAuth::Basic(_, password) if password.len() >= 3 => {
            text.replace(password.as_str(), "<redacted>")
        }
        RegistryAuth::Bearer(token) if token.len() >= 3 => {
            text.replace(token.as_str(), "<redacted>")
        }
        _ => text,
    }
}

/// Copies `request.source` into `request.target`, with credentials from `authenticator`.
pub async fn copy_image(
    request: &CopyRequest,
    options: &RegistryOptions,
    authenticator: &RegistryAuthenticator,
) -> Result<CopyOutcome, CopyError> {
    let source_registry = request.source.resolve_registry().to_owned();
    let target_registry = request.target.registry.clone();
    let client = RegistryClient::new(options.clone(), &[&source_registry, &target_registry])?;
    let auth_error = |registry: &String| {
        let registry = registry.clone();
        move |cause| CopyError::Auth { registry, cause }
    };
    let source_auth = match &request.source_credentials {
        Some(secret) => authenticator
            .secret_credentials(secret)
            .await
            .map_err(auth_error(&source_registry))?,
        None => authenticator
            .credentials_for(&source_registry)
            .await
            .map_err(auth_error(&source_registry))?,
    };
    client
        .authenticate(&source_registry, source_auth.clone())
        .await;
    if target_registry != source_registry {
        let auth = authenticator
            .credentials_for(&target_registry)
            .await
            .map_err(auth_error(&target_registry))?;
        client.authenticate(&target_registry, auth).await;
    }
    if let Some(secret) = &request.source_credentials {
        client.login(&request.source).await.map_err(|e| match e {
            RegistryError::Denied { detail, .. } => CopyError::CredentialsRefused {
                registry: source_registry.clone(),
                secret: secret.clone(),
                detail: redact(detail, &source_auth),
            },
            e => CopyError::Registry(e),
        })?;
    }
    copy_with_client(&client, request)
        .await
        .map_err(|e| match e {
            CopyError::CredentialsRefused {
                registry,
                secret,
                detail,
            } => CopyError::CredentialsRefused {
                registry,
                secret,
                detail: redact(detail, &source_auth),
            },
            e => e,
        })
}

/// Copies with an already authenticated client.
pub async fn copy_with_client(
    client: &RegistryClient,
    request: &CopyRequest,
) -> Result<CopyOutcome, CopyError> {
    let source_text = request.source.whole();
    let top = client
        .fetch_manifest(&request.source)
        .await
        .map_err(|e| match e {
            e if e.is_not_found() => CopyError::SourceNotFound {
                reference: source_text.clone(),
                cause: e,
            },
            RegistryError::Denied { detail, .. } if request.source_credentials.is_some() => {
                CopyError::CredentialsRefused {
                    registry: request.source.resolve_registry().to_owned(),
                    secret: request.source_credentials.clone().unwrap_or_default(),
                    detail,
                }
            }
            e @ RegistryError::Denied { .. }
                if EcrRegistry::parse(request.source.resolve_registry()).is_err() =>
            {
                CopyError::SourceDenied {
                    reference: source_text.clone(),
                    cause: e,
                }
            }
            e => CopyError::Registry(e),
        })?;
    tracing::info!(source = %source_text, digest = %top.digest, media_type = %top.media_type, "resolved source");

    let job = Job {
        client,
        source: request.source.clone(),
        target: &request.target,
        target_any: request.target.with_tag("latest"),
        source_text: source_text.clone(),
        same_registry: request.source.resolve_registry() == request.target.registry
            && request.source.repository() != request.target.repository,
        report: Mutex::new(CopyReport::default()),
    };

    let chosen = match request.architecture {
        Some(wanted) => job.pick_architecture(top, wanted).await?,
        None => top,
    };
    job.copy_manifest(&chosen, 0).await?;

    let target_tag = request
        .target_tag
        .as_ref()
        .map(|t| t.replace(DIGEST_PLACEHOLDER, &digest_tag(&chosen.digest)));
    let mut tag_pushed = false;
    if let Some(tag) = &target_tag {
        let current = client
            .manifest_digest(&request.target.with_tag(tag))
            .await?;
        if current.as_deref() != Some(chosen.digest.as_str()) {
            client
                .push_manifest(&job.target_any, &chosen, Some(tag))
                .await?;
            tag_pushed = true;
        }
    }

    // Read back: the target must serve the digest we computed.
    let served = client
        .manifest_digest(&request.target.with_digest(&chosen.digest))
        .await?;
    if served.as_deref() != Some(chosen.digest.as_str()) {
        return Err(RegistryError::DigestMismatch {
            what: format!("the copy in {}", request.target),
            expected: chosen.digest.clone(),
            actual: served.unwrap_or_else(|| "nothing (manifest missing after push)".to_owned()),
        }
        .into());
    }

    let mut report = job
        .report
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    report.tag_pushed = tag_pushed;
    tracing::info!(?report, digest = %chosen.digest, "copy complete");
    Ok(CopyOutcome {
        image_uri: request.target.image_uri(&chosen.digest),
        digest: chosen.digest,
        media_type: chosen.media_type,
        tag: target_tag,
        report,
    })
}

/// The state of one copy.
struct Job<'a> {
    client: &'a RegistryClient,
    source: Reference,
    target: &'a TargetRepository,
    /// A reference into the target repository, for repository-level operations.
    target_any: Reference,
    source_text: String,
    /// Source and target are different repositories of one registry: mounts may work.
    same_registry: bool,
    report: Mutex<CopyReport>,
}

#[derive(Deserialize)]
struct ImageConfigPlatform {
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    os: Option<String>,
}

enum BlobAction {
    Skipped,
    Mounted,
    Uploaded(u64),
}

impl Job<'_> {
    fn record(&self, f: impl FnOnce(&mut CopyReport)) {
        f(&mut self.report.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Fetches the child manifest `descriptor` of the source, checking digest and size.
    async fn fetch_child(&self, descriptor: &Descriptor) -> Result<Manifest, CopyError> {
        check_sha256_digest(&descriptor.digest)?;
        let reference = self.source.clone_with_digest(descriptor.digest.clone());
        let child = self.client.fetch_manifest(&reference).await?;
        if child.bytes.len() as u64 != descriptor.size {
            return Err(RegistryError::SizeMismatch {
                what: format!("manifest {} of {}", descriptor.digest, self.source_text),
                expected: descriptor.size,
                actual: child.bytes.len() as u64,
            }
            .into());
        }
        Ok(child)
    }

    /// From an index, the `linux/<wanted>` image manifest; a single image is checked.
    async fn pick_architecture(
        &self,
        top: Manifest,
        wanted: Architecture,
    ) -> Result<Manifest, CopyError> {
        match &top.body {
            ManifestBody::Index { manifests } => {
                let entry = manifests.iter().find(|m| {
                    m.platform
                        .as_ref()
                        .is_some_and(|p| p.os == "linux" && p.architecture == wanted.oci_name())
                });
                let Some(entry) = entry else {
                    let available = manifests
                        .iter()
                        .map(|m| {
                            m.platform
                                .as_ref()
                                .map_or_else(|| "unspecified".to_owned(), ToString::to_string)
                        })
                        .collect::<Vec<_>>();
                    return Err(CopyError::PlatformNotFound {
                        reference: self.source_text.clone(),
                        wanted,
                        available: if available.is_empty() {
                            "no manifests".to_owned()
                        } else {
                            available.join(", ")
                        },
                    });
                };
                let child = self.fetch_child(entry).await?;
                if child.is_index() {
                    return Err(CopyError::UnsupportedLayout {
                        reference: self.source_text.clone(),
                        detail: format!(
                            "the linux/{} entry {} is itself an index",
                            wanted.oci_name(),
                            entry.digest
                        ),
                    });
                }
                Ok(child)
            }
            ManifestBody::Image { config, .. } => {
                let data = self.client.read_blob(&self.source, config).await?;
                let platform: ImageConfigPlatform =
                    serde_json::from_slice(&data).map_err(|e| RegistryError::InvalidManifest {
                        what: format!("image config {} of {}", config.digest, self.source_text),
                        detail: e.to_string(),
                    })?;
                match platform.architecture.as_deref() {
                    Some(arch) if arch != wanted.oci_name() => {
                        Err(CopyError::ArchitectureMismatch {
                            reference: self.source_text.clone(),
                            wanted,
                            actual: format!(
                                "{}/{arch}",
                                platform.os.as_deref().unwrap_or("unknown")
                            ),
                        })
                    }
                    _ => Ok(top),
                }
            }
        }
    }

    /// Copies `manifest` and everything it points at, unless the target has it already.
    fn copy_manifest<'s>(
        &'s self,
        manifest: &'s Manifest,
        depth: usize,
    ) -> BoxFuture<'s, Result<(), CopyError>> {
        async move {
            let existing = self
                .client
                .manifest_digest(&self.target.with_digest(&manifest.digest))
                .await?;
            if existing.as_deref() == Some(manifest.digest.as_str()) {
                tracing::debug!(digest = %manifest.digest, "target has the manifest already");
                self.record(|r| r.manifests_skipped += 1);
                return Ok(());
            }
            match &manifest.body {
                ManifestBody::Image { config, layers } => {
                    let mut seen = HashSet::new();
                    // Boxed up front: a closure producing the futures inside this boxed
                    // future trips rustc's higher-ranked Send check.
                    let copies: Vec<BoxFuture<'_, Result<(), CopyError>>> = std::iter::once(config)
                        .chain(layers)
                        .filter(|d| seen.insert(d.digest.clone()))
                        .map(|d| self.copy_blob(d).boxed())
                        .collect();
                    futures_util::stream::iter(copies)
                        .buffer_unordered(self.client.options().blob_concurrency.max(1))
                        .try_collect::<Vec<()>>()
                        .await?;
                }
                ManifestBody::Index { manifests } => {
                    if depth + 1 >= MAX_INDEX_DEPTH {
                        return Err(CopyError::UnsupportedLayout {
                            reference: self.source_text.clone(),
                            detail: format!(
                                "image indexes nest deeper than {MAX_INDEX_DEPTH} levels"
                            ),
                        });
                    }
                    for entry in manifests {
                        let child = self.fetch_child(entry).await?;
                        self.copy_manifest(&child, depth + 1).await?;
                    }
                }
            }
            self.client
                .push_manifest(&self.target_any, manifest, None)
                .await?;
            self.record(|r| r.manifests_pushed += 1);
            Ok(())
        }
        .boxed()
    }

    async fn copy_blob(&self, descriptor: &Descriptor) -> Result<(), CopyError> {
        check_sha256_digest(&descriptor.digest)?;
        let digest = descriptor.digest.as_str();
        let action = if self.client.blob_exists(&self.target_any, digest).await? {
            BlobAction::Skipped
        } else if self.same_registry
            && self
                .client
                .mount_blob(&self.target_any, &self.source, digest)
                .await?
        {
            BlobAction::Mounted
        } else {
            let bytes = self
                .client
                .copy_blob(&self.source, &self.target_any, descriptor)
                .await?;
            BlobAction::Uploaded(bytes)
        };
        match action {
            BlobAction::Skipped => {
                tracing::debug!(%digest, "blob present");
                self.record(|r| r.blobs_skipped += 1);
            }
            BlobAction::Mounted => {
                tracing::debug!(%digest, "blob mounted");
                self.record(|r| r.blobs_mounted += 1);
            }
            BlobAction::Uploaded(bytes) => {
                tracing::debug!(%digest, bytes, "blob uploaded");
                self.record(|r| {
                    r.blobs_uploaded += 1;
                    r.bytes_uploaded += bytes;
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architectures_accept_oci_and_lambda_names() {
        assert_eq!("amd64".parse(), Ok(Architecture::X86_64));
        assert_eq!("X86_64".parse(), Ok(Architecture::X86_64));
        assert_eq!("arm64".parse(), Ok(Architecture::Arm64));
        assert_eq!("aarch64".parse(), Ok(Architecture::Arm64));
        assert!("riscv64".parse::<Architecture>().is_err());
    }

    #[test]
    fn target_repository_must_be_host_and_path_only() {
        let t: TargetRepository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/stack/app"
            .parse()
            .unwrap();
        assert_eq!(t.registry, "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assert_eq!(t.repository, "stack/app");
        assert_eq!(
            t.image_uri("sha256:ab"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/stack/app@sha256:ab"
        );
        let local: TargetRepository = "127.0.0.1:5000/app".parse().unwrap();
        assert_eq!(local.registry, "127.0.0.1:5000");
        for bad in [
            "app",
            "library/app",
            "127.0.0.1:5000/app:latest",
            "127.0.0.1:5000/app@sha256:00",
            "127.0.0.1:5000/App",
            "127.0.0.1:5000/",
        ] {
            assert!(bad.parse::<TargetRepository>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_digest_placeholder_counts_at_its_expanded_length() {
        let ok = CopyRequest::parse(
            "127.0.0.1:1/a:v1",
            "127.0.0.1:2/b",
            None,
            Some("cc-{digest}"),
        );
        assert_eq!(ok.unwrap().target_tag.as_deref(), Some("cc-{digest}"));
        let long = format!("{}-{{digest}}", "x".repeat(60));
        assert!(
            CopyRequest::parse("127.0.0.1:1/a:v1", "127.0.0.1:2/b", None, Some(&long)).is_err()
        );
        assert_eq!(digest_tag("sha256:ab"), "sha256-ab");
    }

    #[test]
    fn request_defaults_the_target_tag_to_the_source_tag() {
        let r = CopyRequest::parse("127.0.0.1:1/a:v1", "127.0.0.1:2/b", None, None).unwrap();
        assert_eq!(r.target_tag.as_deref(), Some("v1"));
        let r = CopyRequest::parse("127.0.0.1:1/a", "127.0.0.1:2/b", None, None).unwrap();
        assert_eq!(r.target_tag.as_deref(), Some("latest"));
        let digest = crate::registry::sha256_digest(b"x");
        let r = CopyRequest::parse(
            &format!("127.0.0.1:1/a@{digest}"),
            "127.0.0.1:2/b",
            None,
            None,
        )
        .unwrap();
        assert_eq!(r.target_tag, None);
        let r = CopyRequest::parse(
            "127.0.0.1:1/a:v1",
            "127.0.0.1:2/b",
            Some("arm64"),
            Some("pinned"),
        )
        .unwrap();
        assert_eq!(r.target_tag.as_deref(), Some("pinned"));
        assert_eq!(r.architecture, Some(Architecture::Arm64));
    }

    #[test]
    fn request_errors_name_the_property() {
        let cases = [
            (
                ("no spaces allowed", "127.0.0.1:2/b", None, None),
                "SourceImage",
            ),
            (
                ("127.0.0.1:1/a@sha256:abc", "127.0.0.1:2/b", None, None),
                "SourceImage",
            ),
            (("127.0.0.1:1/a", "b", None, None), "TargetRepositoryUri"),
            (
                ("127.0.0.1:1/a", "127.0.0.1:2/b", Some("s390x"), None),
                "Architecture",
            ),
            (
                ("127.0.0.1:1/a", "127.0.0.1:2/b", None, Some("-bad")),
                "TargetTag",
            ),
        ];
        for ((source, target, arch, tag), property) in cases {
            match CopyRequest::parse(source, target, arch, tag) {
                Err(CopyError::InvalidInput {
                    property: p,
                    reason,
                }) => {
                    assert_eq!(p, property, "{source} {target}: {reason}");
                }
                other => panic!("{source} {target}: expected invalid {property}, got {other:?}"),
            }
        }
    }
}
