//! [`RegistryClient`]: one copy's connection to its registries: credentials per
//! registry, and every operation the copier needs (manifests, blob checks,
//! mounts, reads, verified copies, pushes).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use futures_util::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

use super::blob_stream::{take_failure, VerifiedBlobStream};
use super::error::Op;
use super::{
    check_sha256_digest, describe_manifest, error_chain, is_loopback_registry, repository_name,
    Descriptor, Manifest, RegistryError, RegistryOptions, ACCEPTED_MANIFEST_TYPES,
};

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

    /// Logs in for pulling from `reference`'s repository now, with the credentials
    /// given to [`Self::authenticate`]: where the registry asks for a bearer token, the
    /// token service is asked (with the credentials as basic auth) and the token kept
    /// for later requests. Without this, a refused token request would only show up
    /// as a bare `401` on the first pull; with it, the token service's answer is the
    /// error ([`RegistryError::Denied`]).
    pub async fn login(&self, reference: &Reference) -> Result<(), RegistryError> {
        let op = Op {
            operation: "logging in to pull".to_owned(),
            reference,
            what: "credentials".to_owned(),
        };
        self.client
            .auth(
                reference,
                &self.auth_for(reference),
                RegistryOperation::Pull,
            )
            .await
            .map(|_| ())
            .map_err(|e| op.classify(e))
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
