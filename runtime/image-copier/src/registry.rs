//! The OCI distribution API, as the copier uses it.
//!
//! [`RegistryClient`] wraps an [`oci_client::Client`] (the `oci-client` crate of the ORAS
//! project, formerly `oci-distribution`) and adds what a copier needs on top:
//!
//! - manifests are fetched and pushed as **raw bytes** ([`Manifest`]), so a copy has the
//!   same digest as its source; every manifest's SHA-256 is recomputed and compared;
//! - blobs are copied as a **stream** from the source registry into a monolithic upload
//!   (POST, then one PUT with the whole body) to the target, through a verifier that
//!   holds back the last chunk until the blob's size and SHA-256 match its descriptor:
//!   a blob that fails verification never completes its upload;
//! - blob existence checks (HEAD) and cross-repository mounts;
//! - errors are classified into [`RegistryError`], whose messages name the registry,
//!   the repository and what was asked for, for a CloudFormation `Reason`.
//!
//! Registries are reached over HTTPS, except loopback registries (`127.0.0.0/8`,
//! `localhost`, `[::1]`), which are reached over plain HTTP when
//! [`RegistryOptions::allow_loopback_http`] is set (the default), as the tests' local
//! registries are.
//!
//! Two registry quirks shape the choices here: ECR silently drops the data of chunked
//! (multi-PATCH) uploads after the first chunk, hence monolithic uploads; and ECR answers
//! a manifest PUT without a `Location` header, which `oci-client` handles only for
//! references that carry a tag, hence [`RegistryClient::push_manifest`] gives a push by
//! digest the digest as its tag too.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// Media type of an OCI image manifest.
pub const OCI_MANIFEST: &str = OCI_IMAGE_MEDIA_TYPE;
/// Media type of an OCI image index.
pub const OCI_INDEX: &str = OCI_IMAGE_INDEX_MEDIA_TYPE;
/// Media type of a Docker image manifest (schema 2).
pub const DOCKER_MANIFEST: &str = IMAGE_MANIFEST_MEDIA_TYPE;
/// Media type of a Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = IMAGE_MANIFEST_LIST_MEDIA_TYPE;

/// The manifest media types the copier asks for and understands.
pub const ACCEPTED_MANIFEST_TYPES: [&str; 4] = [
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST,
];

/// How the client talks to registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryOptions {
    /// Use plain HTTP for loopback registries (`127.0.0.0/8`, `localhost`, `[::1]`).
    /// Every other registry is always reached over HTTPS.
    pub allow_loopback_http: bool,
    /// Time allowed for opening a connection.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of a response.
    pub read_timeout: Duration,
    /// Largest manifest accepted, in bytes (ECR's own limit is 4 MiB).
    pub max_manifest_bytes: usize,
    /// Largest image config read into memory to check an image's architecture.
    pub max_config_bytes: usize,
    /// How many blobs of one image are copied at the same time.
    pub blob_concurrency: usize,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            allow_loopback_http: true,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_manifest_bytes: 4 * 1024 * 1024,
            max_config_bytes: 8 * 1024 * 1024,
            blob_concurrency: 4,
        }
    }
}

/// Whether `registry` (`host` or `host:port`) is a loopback address.
///
/// ```
/// use cloud_cron_image_copier::registry::is_loopback_registry;
/// assert!(is_loopback_registry("127.0.0.1:5000"));
/// assert!(is_loopback_registry("localhost:5000"));
/// assert!(is_loopback_registry("[::1]:5000"));
/// assert!(!is_loopback_registry("123456789012.dkr.ecr.us-east-1.amazonaws.com"));
/// ```
pub fn is_loopback_registry(registry: &str) -> bool {
    let host = registry_host(registry);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host part of `host`, `host:port`, `[v6]` or `[v6]:port`.
fn registry_host(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => registry,
    }
}

/// A failed registry operation, classified so that the message alone tells a person what
/// went wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry has no such manifest or blob (HTTP 404, `MANIFEST_UNKNOWN`, ...).
    #[error("{what} does not exist in {repository}")]
    NotFound {
        /// What was asked for, e.g. "manifest with tag `latest`".
        what: String,
        /// `registry/repository`.
        repository: String,
    },
    /// The registry does not know the repository (`NAME_UNKNOWN`).
    #[error("repository {repository} does not exist")]
    RepositoryNotFound {
        /// `registry/repository`.
        repository: String,
    },
    /// No connection could be made, or the registry stopped answering.
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable {
        /// The registry host.
        registry: String,
        /// The transport error, with its causes.
        detail: String,
    },
    /// The registry refused the credentials or the permission.
    #[error("registry {registry} denied {operation} on {repository}: {detail}")]
    Denied {
        /// The registry host.
        registry: String,
        /// `registry/repository`.
        repository: String,
        /// What was attempted, e.g. "pull".
        operation: String,
        /// What the registry said.
        detail: String,
    },
    /// Content did not hash to the digest it was fetched or pushed by.
    #[error("{what} failed verification: expected digest {expected}, got {actual}")]
    DigestMismatch {
        /// What was verified, e.g. "blob sha256:... of 127.0.0.1:5000/app".
        what: String,
        /// The digest the content was asked for by.
        expected: String,
        /// The digest of the content received.
        actual: String,
    },
    /// Content did not have the size its descriptor gives.
    #[error("{what} has the wrong size: its descriptor says {expected} bytes, {actual} were read")]
    SizeMismatch {
        /// What was verified.
        what: String,
        /// The size in the descriptor.
        expected: u64,
        /// The bytes read (when larger, the count at which reading stopped).
        actual: u64,
    },
    /// Content larger than the copier reads into memory.
    #[error("{what} is {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// What was refused.
        what: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A digest that is not `sha256:` followed by 64 lowercase hex digits.
    #[error("unsupported digest `{digest}`: {reason}")]
    InvalidDigest {
        /// The digest as given.
        digest: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A manifest that could not be understood.
    #[error("{what} is not a valid image manifest or index: {detail}")]
    InvalidManifest {
        /// Which manifest.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A manifest of a kind the copier does not copy (e.g. Docker schema 1).
    #[error("{what} has media type `{media_type}`; only OCI and Docker schema 2 manifests and indexes can be copied")]
    UnsupportedMediaType {
        /// Which manifest.
        what: String,
        /// Its media type.
        media_type: String,
    },
    /// Anything else the registry or the transport reported.
    #[error("{operation} failed at {registry}: {detail}")]
    Protocol {
        /// What was attempted, e.g. "upload of blob sha256:...".
        operation: String,
        /// The registry host.
        registry: String,
        /// The error, with its causes.
        detail: String,
    },
}

impl RegistryError {
    /// Whether the error means "no such manifest, blob or repository".
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::NotFound { .. } | Self::RepositoryNotFound { .. }
        )
    }
}

/// A descriptor: a typed, sized pointer to content by digest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the content.
    pub media_type: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Platform of an image index entry.
    #[serde(default)]
    pub platform: Option<Platform>,
}

/// The platform of an image index entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Platform {
    /// CPU architecture, as Go's `GOARCH` (`amd64`, `arm64`).
    pub architecture: String,
    /// Operating system, as Go's `GOOS` (`linux`).
    pub os: String,
    /// CPU variant (`v8`), if given.
    #[serde(default)]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// What a manifest points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestBody {
    /// An image manifest: a config blob and layer blobs.
    Image {
        /// The image config.
        config: Descriptor,
        /// The layers, in order.
        layers: Vec<Descriptor>,
    },
    /// An image index (manifest list): manifests, usually one per platform.
    Index {
        /// The entries.
        manifests: Vec<Descriptor>,
    },
}

/// A manifest exactly as the registry served it, with its verified digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The raw bytes; pushing them unchanged keeps the digest.
    pub bytes: Bytes,
    /// `sha256:<hex>` of [`Manifest::bytes`].
    pub digest: String,
    /// The manifest's media type (from its `mediaType`, or its shape when absent).
    pub media_type: String,
    /// The parsed content.
    pub body: ManifestBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<i64>,
    media_type: Option<String>,
    config: Option<Descriptor>,
    layers: Option<Vec<Descriptor>>,
    manifests: Option<Vec<Descriptor>>,
}

impl Manifest {
    /// Parses `bytes`, verifying that they hash to `digest`. `what` names the manifest in
    /// errors.
    pub fn parse(bytes: Bytes, digest: &str, what: &str) -> Result<Self, RegistryError> {
        check_sha256_digest(digest)?;
        let actual = sha256_digest(&bytes);
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                what: what.to_owned(),
                expected: digest.to_owned(),
                actual,
            });
        }
        let invalid = |detail: String| RegistryError::InvalidManifest {
            what: what.to_owned(),
            detail,
        };
        let raw: RawManifest =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
        if raw.schema_version != Some(2) {
            let media_type = raw.media_type.unwrap_or_else(|| {
                format!(
                    "schemaVersion {}",
                    raw.schema_version
                        .map_or_else(|| "missing".to_owned(), |v| v.to_string())
                )
            });
            return Err(RegistryError::UnsupportedMediaType {
                what: what.to_owned(),
                media_type,
            });
        }
        let media_type = match raw.media_type {
            Some(media_type) if ACCEPTED_MANIFEST_TYPES.contains(&media_type.as_str()) => {
                media_type
            }
            Some(media_type) => {
                return Err(RegistryError::UnsupportedMediaType {
                    what: what.to_owned(),
                    media_type,
                })
            }
            None if raw.manifests.is_some() => OCI_INDEX.to_owned(),
            None if raw.config.is_some() => OCI_MANIFEST.to_owned(),
            None => {
                return Err(invalid(
                    "it has no mediaType, no config and no manifests".to_owned(),
                ))
            }
        };
        let body = if media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST {
            ManifestBody::Index {
                manifests: raw
                    .manifests
                    .ok_or_else(|| invalid("an index without `manifests`".to_owned()))?,
            }
        } else {
            ManifestBody::Image {
                config: raw
                    .config
                    .ok_or_else(|| invalid("an image manifest without `config`".to_owned()))?,
                layers: raw.layers.unwrap_or_default(),
            }
        };
        Ok(Self {
            bytes,
            digest: digest.to_owned(),
            media_type,
            body,
        })
    }

    /// Whether this is an image index (or Docker manifest list).
    pub fn is_index(&self) -> bool {
        matches!(self.body, ManifestBody::Index { .. })
    }
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(data))
}

/// Checks that `digest` is `sha256:` followed by 64 lowercase hex digits, the only digest
/// form the copier handles (and the only one ECR produces).
pub fn check_sha256_digest(digest: &str) -> Result<(), RegistryError> {
    let invalid = |reason| RegistryError::InvalidDigest {
        digest: digest.to_owned(),
        reason,
    };
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| invalid("only sha256 digests are supported"))?;
    if hex.len() != 64 {
        return Err(invalid("a sha256 digest has 64 hex digits"));
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(invalid("a sha256 digest has lowercase hex digits only"));
    }
    Ok(())
}

/// `registry/repository` of a reference.
pub fn repository_name(reference: &Reference) -> String {
    format!("{}/{}", reference.registry(), reference.repository())
}

/// Describes the manifest a reference points at, e.g. "manifest with tag `latest`".
pub fn describe_manifest(reference: &Reference) -> String {
    match (reference.digest(), reference.tag()) {
        (Some(digest), _) => format!("manifest with digest {digest}"),
        (None, Some(tag)) => format!("manifest with tag `{tag}`"),
        (None, None) => "manifest with tag `latest`".to_owned(),
    }
}

/// Context for turning an [`OciDistributionError`] into a [`RegistryError`].
struct Op<'a> {
    operation: String,
    reference: &'a Reference,
    what: String,
}

impl Op<'_> {
    fn classify(&self, err: OciDistributionError) -> RegistryError {
        let registry = self.reference.registry().to_owned();
        let repository = repository_name(self.reference);
        let denied = |detail: String| RegistryError::Denied {
            registry: registry.clone(),
            repository: repository.clone(),
            operation: self.operation.clone(),
            detail,
        };
        let not_found = || RegistryError::NotFound {
            what: self.what.clone(),
            repository: repository.clone(),
        };
        let protocol = |detail: String| RegistryError::Protocol {
            operation: self.operation.clone(),
            registry: registry.clone(),
            detail,
        };
        match err {
            OciDistributionError::RequestError(e) => {
                if e.is_connect() || e.is_timeout() {
                    RegistryError::Unreachable {
                        registry,
                        detail: error_chain(&e),
                    }
                } else {
                    match e.status().map(|s| s.as_u16()) {
                        Some(401 | 403) => denied(error_chain(&e)),
                        Some(404) => not_found(),
                        _ => protocol(error_chain(&e)),
                    }
                }
            }
            OciDistributionError::UnauthorizedError { url } => {
                denied(format!("HTTP 401 Unauthorized for {url}"))
            }
            OciDistributionError::AuthenticationFailure(message) => {
                denied(format!("authentication failed: {message}"))
            }
            OciDistributionError::RegistryError { envelope, .. } => {
                let first = envelope.errors.first().map(|e| &e.code);
                let messages = envelope
                    .errors
                    .iter()
                    .map(|e| {
                        let code = serde_json::to_value(&e.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_else(|| format!("{:?}", e.code));
                        if e.message.is_empty() {
                            code
                        } else {
                            format!("{code}: {}", e.message)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                match first {
                    Some(
                        OciErrorCode::ManifestUnknown
                        | OciErrorCode::NotFound
                        | OciErrorCode::BlobUnknown,
                    ) => not_found(),
                    Some(OciErrorCode::NameUnknown) => {
                        RegistryError::RepositoryNotFound { repository }
                    }
                    Some(OciErrorCode::Unauthorized | OciErrorCode::Denied) => denied(messages),
                    _ => protocol(messages),
                }
            }
            OciDistributionError::ServerError { code, message, .. } => match code {
                404 => not_found(),
                401 | 403 => denied(format!("HTTP {code}: {}", short(&message))),
                _ => protocol(format!("HTTP {code}: {}", short(&message))),
            },
            OciDistributionError::DigestError(
                oci_client::errors::DigestError::VerificationError { expected, actual },
            ) => RegistryError::DigestMismatch {
                what: format!("{} of {repository}", self.what),
                expected,
                actual,
            },
            other => protocol(error_chain(&other)),
        }
    }
}

/// An error and all its causes, joined with `: ` (what `reqwest` errors need to be useful).
pub fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// At most 300 characters of a registry's error body, on one line.
fn short(message: &str) -> String {
    let line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        let mut cut: String = line.chars().take(300).collect();
        cut.push_str("...");
        cut
    } else {
        line
    }
}

/// An OCI distribution client for one copy: the source and target registries, their
/// credentials, and the operations the copier needs.
pub struct RegistryClient {
    client: Client,
    auth: Mutex<HashMap<String, RegistryAuth>>,
    options: RegistryOptions,
}

impl RegistryClient {
    /// A client for `registries` (the `host[:port]` of every registry it will talk to;
    /// loopback ones use HTTP if the options allow it).
    pub fn new(options: RegistryOptions, registries: &[&str]) -> Result<Self, RegistryError> {
        let protocol = if options.allow_loopback_http {
            ClientProtocol::HttpsExcept(
                registries
                    .iter()
                    .filter(|r| is_loopback_registry(r))
                    .map(|r| (*r).to_owned())
                    .collect(),
            )
        } else {
            ClientProtocol::Https
        };
        let config = ClientConfig {
            protocol,
            // ECR drops the data of every PATCH after the first in a chunked upload.
            use_monolithic_push: true,
            // Indexes are walked here, never resolved to one platform by the client.
            platform_resolver: None,
            connect_timeout: Some(options.connect_timeout),
            read_timeout: Some(options.read_timeout),
            user_agent: concat!("cloud-cron-image-copier/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        let client = Client::try_from(config).map_err(|e| RegistryError::Protocol {
            operation: "creating the HTTP client".to_owned(),
            registry: registries.join(", "),
            detail: error_chain(&e),
        })?;
        Ok(Self {
            client,
            auth: Mutex::new(HashMap::new()),
            options,
        })
    }

    /// The options this client was made with.
    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// Uses `auth` for every request to `registry` (`host[:port]`). Registries without
    /// credentials are accessed anonymously.
    pub async fn authenticate(&self, registry: &str, auth: RegistryAuth) {
        self.client.store_auth_if_needed(registry, &auth).await;
        self.auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(registry.to_owned(), auth);
    }

    fn auth_for(&self, reference: &Reference) -> RegistryAuth {
        self.auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(reference.resolve_registry())
            .cloned()
            .unwrap_or(RegistryAuth::Anonymous)
    }

    /// Fetches the manifest `reference` points at (by tag or digest), verifies its digest
    /// (against the reference's digest when it has one, and the registry's
    /// `Docker-Content-Digest`) and parses it.
    pub async fn fetch_manifest(&self, reference: &Reference) -> Result<Manifest, RegistryError> {
        let op = Op {
            operation: format!("fetching the {}", describe_manifest(reference)),
            reference,
            what: describe_manifest(reference),
        };
        let (bytes, digest) = self
            .client
            .pull_manifest_raw(
                reference,
                &self.auth_for(reference),
                &ACCEPTED_MANIFEST_TYPES,
            )
            .await
            .map_err(|e| op.classify(e))?;
        let what = format!(
            "{} of {}",
            describe_manifest(reference),
            repository_name(reference)
        );
        if bytes.len() > self.options.max_manifest_bytes {
            return Err(RegistryError::TooLarge {
                what,
                size: bytes.len() as u64,
                limit: self.options.max_manifest_bytes as u64,
            });
        }
        if let Some(wanted) = reference.digest() {
            if wanted != digest {
                return Err(RegistryError::DigestMismatch {
                    what,
                    expected: wanted.to_owned(),
                    actual: digest,
                });
            }
        }
        Manifest::parse(bytes, &digest, &what)
    }

    /// The digest of the manifest `reference` points at, or `None` when the registry has
    /// no such manifest (or no such repository).
    pub async fn manifest_digest(
        &self,
        reference: &Reference,
    ) -> Result<Option<String>, RegistryError> {
        let op = Op {
            operation: format!("checking for the {}", describe_manifest(reference)),
            reference,
            what: describe_manifest(reference),
        };
        match self
            .client
            .fetch_manifest_digest(reference, &self.auth_for(reference))
            .await
        {
            Ok(digest) => Ok(Some(digest)),
            Err(e) => match op.classify(e) {
                e if e.is_not_found() => Ok(None),
                e => Err(e),
            },
        }
    }

    /// Whether the repository of `repository` has the blob `digest`.
    pub async fn blob_exists(
        &self,
        repository: &Reference,
        digest: &str,
    ) -> Result<bool, RegistryError> {
        let op = Op {
            operation: format!("checking for blob {digest}"),
            reference: repository,
            what: format!("blob {digest}"),
        };
        self.client
            .store_auth_if_needed(repository.resolve_registry(), &self.auth_for(repository))
            .await;
        match self.client.blob_exists(repository, digest).await {
            Ok(exists) => Ok(exists),
            Err(e) => match op.classify(e) {
                RegistryError::RepositoryNotFound { .. } => Ok(false),
                e => Err(e),
            },
        }
    }

    /// Asks the registry to mount blob `digest` from `source`'s repository into
    /// `target`'s (same registry only). Returns whether the target has the blob afterwards;
    /// a refused mount is not an error, the caller uploads instead.
    pub async fn mount_blob(
        &self,
        target: &Reference,
        source: &Reference,
        digest: &str,
    ) -> Result<bool, RegistryError> {
        self.client
            .store_auth_if_needed(target.resolve_registry(), &self.auth_for(target))
            .await;
        if let Err(e) = self.client.mount_blob(target, source, digest).await {
            // 202 Accepted (mount refused, upload session opened instead), a missing
            // Location header (ECR) or a permission problem: the HEAD below decides.
            tracing::debug!(%digest, error = %error_chain(&e), "blob mount not confirmed");
        }
        self.blob_exists(target, digest).await
    }

    /// Reads a small blob (an image config) into memory, verified against its descriptor.
    pub async fn read_blob(
        &self,
        repository: &Reference,
        descriptor: &Descriptor,
    ) -> Result<Bytes, RegistryError> {
        check_sha256_digest(&descriptor.digest)?;
        let what = format!(
            "blob {} of {}",
            descriptor.digest,
            repository_name(repository)
        );
        let limit = self.options.max_config_bytes as u64;
        if descriptor.size > limit {
            return Err(RegistryError::TooLarge {
                what,
                size: descriptor.size,
                limit,
            });
        }
        let op = Op {
            operation: format!("downloading blob {}", descriptor.digest),
            reference: repository,
            what: format!("blob {}", descriptor.digest),
        };
        self.client
            .store_auth_if_needed(repository.resolve_registry(), &self.auth_for(repository))
            .await;
        let sized = self
            .client
            .pull_blob_stream(repository, descriptor.digest.as_str())
            .await
            .map_err(|e| op.classify(e))?;
        let mut verified = VerifiedBlobStream::new(sized.stream, descriptor, what.clone());
        let failure = verified.failure.clone();
        let mut data = Vec::with_capacity(usize::try_from(descriptor.size).unwrap_or(0));
        while let Some(chunk) = verified.next().await {
            match chunk {
                Ok(chunk) => data.extend_from_slice(&chunk),
                Err(e) => {
                    return Err(take_failure(&failure).unwrap_or_else(|| op.classify(e)));
                }
            }
        }
        Ok(Bytes::from(data))
    }

    /// Streams blob `descriptor` from `source`'s repository to `target`'s, verifying its
    /// size and SHA-256 on the way; the upload completes only if both match. Returns the
    /// bytes copied.
    pub async fn copy_blob(
        &self,
        source: &Reference,
        target: &Reference,
        descriptor: &Descriptor,
    ) -> Result<u64, RegistryError> {
        check_sha256_digest(&descriptor.digest)?;
        let digest = descriptor.digest.as_str();
        let download = Op {
            operation: format!("downloading blob {digest}"),
            reference: source,
            what: format!("blob {digest}"),
        };
        let upload = Op {
            operation: format!("uploading blob {digest}"),
            reference: target,
            what: format!("blob {digest}"),
        };
        for reference in [source, target] {
            self.client
                .store_auth_if_needed(reference.resolve_registry(), &self.auth_for(reference))
                .await;
        }
        let sized = self
            .client
            .pull_blob_stream(source, digest)
            .await
            .map_err(|e| download.classify(e))?;
        let what = format!("blob {digest} of {}", repository_name(source));
        if let Some(length) = sized.content_length {
            if length != descriptor.size {
                return Err(RegistryError::SizeMismatch {
                    what,
                    expected: descriptor.size,
                    actual: length,
                });
            }
        }
        let verified = VerifiedBlobStream::new(sized.stream, descriptor, what);
        let failure = verified.failure.clone();
        let result = self
            .client
            .push_blob_stream(target, verified, digest, Some(descriptor.size))
            .await;
        if let Some(failure) = take_failure(&failure) {
            return Err(failure);
        }
        match result {
            Ok(_) => Ok(descriptor.size),
            // A registry that answers the final PUT without a Location header: the
            // blob is there if a HEAD says so.
            Err(OciDistributionError::RegistryNoLocationError)
                if self.blob_exists(target, digest).await? =>
            {
                Ok(descriptor.size)
            }
            Err(e) => Err(upload.classify(e)),
        }
    }

    /// Pushes `manifest` (its raw bytes, so its digest is kept) to `repository`'s
    /// repository, under `tag` or, without one, by its digest.
    pub async fn push_manifest(
        &self,
        repository: &Reference,
        manifest: &Manifest,
        tag: Option<&str>,
    ) -> Result<(), RegistryError> {
        let registry = repository.registry().to_owned();
        let name = repository.repository().to_owned();
        let reference = match tag {
            Some(tag) => Reference::with_tag(registry, name, tag.to_owned()),
            // The digest doubles as the tag: oci-client's workaround for registries that
            // answer without a Location header (ECR) strips the tag from the URL and
            // panics when the URL does not end with it.
            None => Reference::with_tag_and_digest(
                registry,
                name,
                manifest.digest.clone(),
                manifest.digest.clone(),
            ),
        };
        let op = Op {
            operation: match tag {
                Some(tag) => format!("pushing manifest {} as tag `{tag}`", manifest.digest),
                None => format!("pushing manifest {}", manifest.digest),
            },
            reference: &reference,
            what: format!("manifest {}", manifest.digest),
        };
        let content_type =
            reqwest::header::HeaderValue::from_str(&manifest.media_type).map_err(|e| {
                RegistryError::InvalidManifest {
                    what: format!("manifest {}", manifest.digest),
                    detail: format!("media type is not a valid header value: {e}"),
                }
            })?;
        self.client
            .store_auth_if_needed(reference.resolve_registry(), &self.auth_for(&reference))
            .await;
        self.client
            .push_manifest_raw(&reference, manifest.bytes.clone(), content_type)
            .await
            .map_err(|e| op.classify(e))?;
        Ok(())
    }
}

fn take_failure(failure: &Arc<Mutex<Option<RegistryError>>>) -> Option<RegistryError> {
    failure
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// Passes a blob's bytes through while hashing them, and holds back the last chunk until
/// the stream has ended and the size and SHA-256 match the descriptor. On a mismatch it
/// yields an error instead of the last chunk, so an upload fed by it never completes; the
/// typed error is left in `failure` for the caller.
struct VerifiedBlobStream {
    inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
    hasher: Sha256,
    read: u64,
    expected_size: u64,
    expected_digest: String,
    what: String,
    held: Option<Bytes>,
    finished: bool,
    failure: Arc<Mutex<Option<RegistryError>>>,
}

impl VerifiedBlobStream {
    fn new(
        inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
        descriptor: &Descriptor,
        what: String,
    ) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            read: 0,
            expected_size: descriptor.size,
            expected_digest: descriptor.digest.clone(),
            what,
            held: None,
            finished: false,
            failure: Arc::new(Mutex::new(None)),
        }
    }

    fn fail(&mut self, error: RegistryError) -> Poll<Option<oci_client::errors::Result<Bytes>>> {
        self.finished = true;
        self.held = None;
        let message = error.to_string();
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
        Poll::Ready(Some(Err(OciDistributionError::GenericError(Some(message)))))
    }

    fn digest_so_far(&self) -> String {
        format!("sha256:{:x}", self.hasher.clone().finalize())
    }
}

impl Stream for VerifiedBlobStream {
    type Item = oci_client::errors::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(this.held.take().map(Ok));
        }
        loop {
            match this.inner.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    if chunk.is_empty() {
                        continue;
                    }
                    this.read += chunk.len() as u64;
                    if this.read > this.expected_size {
                        let error = RegistryError::SizeMismatch {
                            what: this.what.clone(),
                            expected: this.expected_size,
                            actual: this.read,
                        };
                        return this.fail(error);
                    }
                    this.hasher.update(&chunk);
                    if let Some(previous) = this.held.replace(chunk) {
                        return Poll::Ready(Some(Ok(previous)));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    // oci-client's own verifier reports a digest mismatch as a read error
                    // after the last byte; report it as the mismatch it is.
                    let error = if this.read == this.expected_size
                        && this.digest_so_far() != this.expected_digest
                    {
                        RegistryError::DigestMismatch {
                            what: this.what.clone(),
                            expected: this.expected_digest.clone(),
                            actual: this.digest_so_far(),
                        }
                    } else {
                        RegistryError::Protocol {
                            operation: format!("reading {}", this.what),
                            registry: String::from("the source registry"),
                            detail: error_chain(&e),
                        }
                    };
                    return this.fail(error);
                }
                Poll::Ready(None) => {
                    if this.read != this.expected_size {
                        let error = RegistryError::SizeMismatch {
                            what: this.what.clone(),
                            expected: this.expected_size,
                            actual: this.read,
                        };
                        return this.fail(error);
                    }
                    let actual = this.digest_so_far();
                    if actual != this.expected_digest {
                        let error = RegistryError::DigestMismatch {
                            what: this.what.clone(),
                            expected: this.expected_digest.clone(),
                            actual,
                        };
                        return this.fail(error);
                    }
                    this.finished = true;
                    return Poll::Ready(this.held.take().map(Ok));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn descriptor_for(data: &[u8]) -> Descriptor {
        Descriptor {
            media_type: "application/octet-stream".to_owned(),
            digest: sha256_digest(data),
            size: data.len() as u64,
            platform: None,
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> BoxStream<'static, Result<Bytes, std::io::Error>> {
        stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
        .boxed()
    }

    async fn drain(mut s: VerifiedBlobStream) -> (Vec<u8>, Option<RegistryError>, bool) {
        let failure = s.failure.clone();
        let mut out = Vec::new();
        let mut errored = false;
        while let Some(item) = s.next().await {
            match item {
                Ok(b) => out.extend_from_slice(&b),
                Err(_) => errored = true,
            }
        }
        (out, take_failure(&failure), errored)
    }

    #[tokio::test]
    async fn verified_stream_passes_matching_content_through() {
        let d = descriptor_for(b"hello world");
        let s = VerifiedBlobStream::new(chunks(&[b"hello", b" ", b"world"]), &d, "blob".into());
        let (out, failure, errored) = drain(s).await;
        assert_eq!(out, b"hello world");
        assert!(failure.is_none());
        assert!(!errored);
    }

    #[tokio::test]
    async fn verified_stream_withholds_last_chunk_on_digest_mismatch() {
        let d = descriptor_for(b"hello world");
        let s = VerifiedBlobStream::new(chunks(&[b"hello", b" ", b"WORLD"]), &d, "blob".into());
        let (out, failure, errored) = drain(s).await;
        assert!(errored);
        assert_eq!(out, b"hello ", "the last chunk must never be released");
        match failure {
            Some(RegistryError::DigestMismatch {
                expected, actual, ..
            }) => {
                assert_eq!(expected, d.digest);
                assert_eq!(actual, sha256_digest(b"hello WORLD"));
            }
            other => panic!("expected a digest mismatch, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn verified_stream_stops_at_oversize_and_reports_short_content() {
        let d = descriptor_for(b"hello");
        let s = VerifiedBlobStream::new(chunks(&[b"hel", b"lo!!"]), &d, "blob".into());
        let (_, failure, errored) = drain(s).await;
        assert!(errored);
        assert!(matches!(
            failure,
            Some(RegistryError::SizeMismatch {
                expected: 5,
                actual: 7,
                ..
            })
        ));

        let s = VerifiedBlobStream::new(chunks(&[b"hel"]), &d, "blob".into());
        let (out, failure, _) = drain(s).await;
        assert!(out.is_empty());
        assert!(matches!(
            failure,
            Some(RegistryError::SizeMismatch {
                expected: 5,
                actual: 3,
                ..
            })
        ));
    }

    #[test]
    fn manifest_parse_checks_digest_type_and_shape() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":7,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}"#;
        let digest = sha256_digest(index);
        let m = Manifest::parse(Bytes::from_static(index), &digest, "m").unwrap();
        assert!(m.is_index());
        let ManifestBody::Index { manifests } = &m.body else {
            panic!("not an index")
        };
        assert_eq!(
            manifests[0]
                .platform
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("linux/arm64/v8")
        );

        let wrong = sha256_digest(b"other");
        assert!(matches!(
            Manifest::parse(Bytes::from_static(index), &wrong, "m"),
            Err(RegistryError::DigestMismatch { .. })
        ));

        let schema1 = br#"{"schemaVersion":1,"name":"x","fsLayers":[]}"#;
        let err =
            Manifest::parse(Bytes::from_static(schema1), &sha256_digest(schema1), "m").unwrap_err();
        assert!(
            matches!(err, RegistryError::UnsupportedMediaType { .. }),
            "{err}"
        );

        let no_type = br#"{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}"#;
        let m = Manifest::parse(Bytes::from_static(no_type), &sha256_digest(no_type), "m").unwrap();
        assert_eq!(m.media_type, OCI_MANIFEST);
    }

    #[test]
    fn digests_must_be_lowercase_sha256() {
        assert!(check_sha256_digest(&sha256_digest(b"x")).is_ok());
        assert!(check_sha256_digest("sha512:abcd").is_err());
        assert!(check_sha256_digest("sha256:abcd").is_err());
        assert!(
            check_sha256_digest(&sha256_digest(b"x").to_uppercase().replace("SHA", "sha")).is_err()
        );
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_registry("127.0.0.1"));
        assert!(is_loopback_registry("127.1.2.3:443"));
        assert!(is_loopback_registry("LOCALHOST"));
        assert!(is_loopback_registry("[::1]"));
        assert!(!is_loopback_registry("10.0.0.1:5000"));
        assert!(!is_loopback_registry("localhost.example.com"));
        assert!(!is_loopback_registry("public.ecr.aws"));
    }
}
