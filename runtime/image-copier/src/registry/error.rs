//! [`RegistryError`]: failed registry operations, classified so a person can
//! read what went wrong and where, and the classification of `oci-client`'s errors.

use std::error::Error as StdError;

use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::Reference;

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
pub(super) struct Op<'a> {
    pub(super) operation: String,
    pub(super) reference: &'a Reference,
    pub(super) what: String,
}

impl Op<'_> {
    pub(super) fn classify(&self, err: OciDistributionError) -> RegistryError {
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
                denied(format!("the token service refused: {}", short(&message)))
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
