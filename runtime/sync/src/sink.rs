//! Where records go: the [`Sink`] trait.

use std::future::Future;

use crate::source::{BoxError, Record};

/// A store records are written to, keyed by tenant + stream + record id.
///
/// Contract: `upsert` is idempotent (writing the same records again leaves the same state)
/// and all-or-nothing per call as far as it can be (see
/// [`DynamoSink`](crate::DynamoSink) for a store whose transactions are smaller than a
/// batch). The engine calls it once per batch, with ids unique within the call, and only
/// advances its watermark after it succeeds; a failed call is repeated with the same records.
pub trait Sink: Send + Sync {
    /// Inserts or replaces `records` of `tenant`'s `stream`.
    fn upsert(
        &self,
        tenant: &str,
        stream: &str,
        records: &[Record],
    ) -> impl Future<Output = Result<(), BoxError>> + Send;
}

/// A shared sink.
impl<T: Sink + ?Sized> Sink for std::sync::Arc<T> {
    fn upsert(
        &self,
        tenant: &str,
        stream: &str,
        records: &[Record],
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        (**self).upsert(tenant, stream, records)
    }
}
