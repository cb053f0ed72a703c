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
//!
//! | module | owns |
//! |---|---|
//! | `options` | [`RegistryOptions`] and which registries are loopback |
//! | `manifest` | media types, [`Descriptor`], [`Manifest`]: parsing and verifying manifests |
//! | `digest` | computing and checking `sha256:` digests |
//! | `error` | [`RegistryError`] and how `oci-client` errors are classified into it |
//! | `client` | [`RegistryClient`]: credentials per registry and every registry operation |
//! | `blob_stream` | the verifying stream a blob copy is fed through |

mod blob_stream;
mod client;
mod digest;
mod error;
mod manifest;
mod options;

pub use client::RegistryClient;
pub use digest::{check_sha256_digest, sha256_digest};
pub use error::{describe_manifest, error_chain, repository_name, RegistryError};
pub use manifest::{
    Descriptor, Manifest, ManifestBody, Platform, ACCEPTED_MANIFEST_TYPES, DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST,
};
pub use options::{is_loopback_registry, RegistryOptions};
