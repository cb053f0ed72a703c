//! Manifests as the copier handles them: media types, descriptors, and
//! [`Manifest`], the raw bytes with their verified digest and parsed content.

use bytes::Bytes;
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};
use serde::Deserialize;

use super::{check_sha256_digest, sha256_digest, RegistryError};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
