//! The verifying stream a blob copy is fed through: bytes pass while they are
//! hashed, and the last chunk is held back until size and digest match.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use oci_client::errors::OciDistributionError;
use sha2::{Digest as _, Sha256};

use super::{error_chain, Descriptor, RegistryError};

pub(super) fn take_failure(failure: &Arc<Mutex<Option<RegistryError>>>) -> Option<RegistryError> {
    failure
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// Passes a blob's bytes through while hashing them, and holds back the last chunk until
/// the stream has ended and the size and SHA-256 match the descriptor. On a mismatch it
/// yields an error instead of the last chunk, so an upload fed by it never completes; the
/// typed error is left in `failure` for the caller.
pub(super) struct VerifiedBlobStream {
    inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
    hasher: Sha256,
    read: u64,
    expected_size: u64,
    expected_digest: String,
    what: String,
    held: Option<Bytes>,
    finished: bool,
    pub(super) failure: Arc<Mutex<Option<RegistryError>>>,
}

impl VerifiedBlobStream {
    pub(super) fn new(
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
    use crate::registry::sha256_digest;
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
}
