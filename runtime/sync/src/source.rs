//! Where records come from: the [`Source`] trait, records and pages.

use std::future::Future;

use serde_json::Value;

use crate::window::Window;

/// Any error a [`Source`] or [`Sink`](crate::Sink) returns. Its text is stored in the
/// checkpoint (`last_error`), so it must not carry secrets.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One record of a stream: its id (unique within tenant + stream) and its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The record's id in the source system.
    pub id: String,
    /// The record as the source returned it.
    pub data: Value,
}

/// One page of a window.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// At most the requested number of records, in the source's stable order.
    pub records: Vec<Record>,
    /// Where the next page starts (opaque to the engine), or `None` after the last page.
    pub next: Option<String>,
}

/// A system records are pulled from, per tenant and stream, in windows of modification time.
///
/// Contract: `count` and `fetch_page` see the records whose modification time is in the
/// half-open window; pages come in one stable total order (e.g. modification time, then id)
/// and hold at most `limit` records; `next` resumes right after the last record returned,
/// so a record that is not modified between pages is returned exactly once.
pub trait Source: Send + Sync {
    /// The streams this source serves (e.g. `sales_orders`, `contacts`).
    fn streams(&self) -> Vec<String>;

    /// How many records of `stream` changed within `window`.
    fn count(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
    ) -> impl Future<Output = Result<u64, BoxError>> + Send;

    /// The page of `window` after `cursor` (`None`: the first page), at most `limit` records.
    fn fetch_page(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Page, BoxError>> + Send;
}

/// A shared source (e.g. one Odoo connection pool for several workers).
impl<T: Source + ?Sized> Source for std::sync::Arc<T> {
    fn streams(&self) -> Vec<String> {
        (**self).streams()
    }

    fn count(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
    ) -> impl Future<Output = Result<u64, BoxError>> + Send {
        (**self).count(tenant, stream, window)
    }

    fn fetch_page(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Page, BoxError>> + Send {
        (**self).fetch_page(tenant, stream, window, cursor, limit)
    }
}
