//! [`OdooSource`]: Odoo models as sync streams, in `write_date` windows.
//!
//! A window `[start, end)` is the domain `write_date >= start AND write_date < end` (UTC,
//! `YYYY-MM-DD HH:MM:SS`, Odoo's format) ANDed with the stream's own domain. `count` is
//! `search_count`; pages are `search_read` with `order: "id asc"` and `limit`, and pages after
//! the first add `id > last id returned` to the window's domain (the page cursor is that id).
//!
//! Why by id: Odoo stores `write_date` with microseconds but returns it to the second, so a
//! cursor built from a returned `write_date` does not match what the database compares
//! (`write_date > '10:00:00'` holds for a stored `10:00:00.3` already read): pages would repeat
//! and, with more such records in one second than a page holds, never advance. A window's
//! bounds are fixed, so its records ordered by id, continued after the last id, are each read
//! exactly once. Nor is it an `offset`: a record of the window modified between two pages
//! leaves the window and would shift every later record one place up (one skipped); after an
//! id nothing shifts (the modified record reappears in a later window anyway).
//!
//! Page cursors only live while one window is fetched (the worker never stores them in a
//! checkpoint), so no cursor of the former `write_date|id` form can be presented again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cloud_cron_odoo::{Domain, OdooClient, SearchReadOptions};
use serde_json::Value;

use crate::source::{BoxError, Page, Record, Source};
use crate::window::Window;

/// The timestamp format of Odoo's datetime fields.
const ODOO_DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// One stream: an Odoo model, an extra domain, the fields to read.
#[derive(Clone, Debug, PartialEq)]
pub struct OdooStream {
    /// The model, e.g. `sale.order`.
    pub model: String,
    /// Extra conditions (e.g. invoices only among `account.move`).
    pub domain: Domain,
    /// Fields to read (`id` and `write_date` are always read); empty: every field.
    pub fields: Vec<String>,
}

impl OdooStream {
    /// A stream of `model`, every record, every field.
    pub fn new(model: impl Into<String>) -> Self {
        OdooStream {
            model: model.into(),
            domain: Domain::new(),
            fields: Vec::new(),
        }
    }

    /// Only records matching `domain` too.
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// Reads only `fields` (plus `id` and `write_date`).
    pub fn fields<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// `sale.order`.
    pub fn sales_orders() -> Self {
        OdooStream::new("sale.order").fields([
            "name",
            "partner_id",
            "amount_total",
            "state",
            "date_order",
        ])
    }

    /// `account.move` restricted to customer and vendor invoices and credit notes.
    pub fn invoices() -> Self {
        OdooStream::new("account.move")
            .domain(Domain::new().filter(
                "move_type",
                "in",
                serde_json::json!(["out_invoice", "out_refund", "in_invoice", "in_refund"]),
            ))
            .fields([
                "name",
                "partner_id",
                "move_type",
                "state",
                "invoice_date",
                "amount_total",
                "payment_state",
            ])
    }

    /// `res.partner`.
    pub fn contacts() -> Self {
        OdooStream::new("res.partner").fields(["name", "email", "phone", "is_company", "city"])
    }

    /// `hr.employee`.
    pub fn employees() -> Self {
        OdooStream::new("hr.employee").fields(["name", "work_email", "department_id", "job_title"])
    }

    fn read_fields(&self) -> Vec<String> {
        let mut fields = self.fields.clone();
        if !fields.is_empty() && !fields.iter().any(|field| field == "write_date") {
            fields.push("write_date".to_owned());
        }
        fields
    }
}

/// Odoo as a [`Source`]: one [`OdooClient`] per tenant, one [`OdooStream`] per stream name.
///
/// ```no_run
/// use cloud_cron_odoo::{OdooClient, OdooConfig, SecretString};
/// use cloud_cron_sync::odoo::{OdooSource, OdooStream};
///
/// # fn example() -> Result<(), cloud_cron_odoo::OdooError> {
/// let password = SecretString::from(std::env::var("ODOO_PASSWORD").unwrap_or_default());
/// let acme = OdooClient::new(OdooConfig::new("https://erp.example.com", "acme", "sync-bot", password)?)?;
/// let source = OdooSource::standard().tenant("acme", acme).stream("vendors", OdooStream::new("res.partner"));
/// # let _ = source;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
pub struct OdooSource {
    tenants: BTreeMap<String, OdooClient>,
    streams: BTreeMap<String, OdooStream>,
}

impl OdooSource {
    /// No streams, no tenants.
    pub fn new() -> Self {
        OdooSource::default()
    }

    /// The four standard streams: `sales_orders`, `invoices`, `contacts`, `employees`.
    pub fn standard() -> Self {
        OdooSource::new()
            .stream("sales_orders", OdooStream::sales_orders())
            .stream("invoices", OdooStream::invoices())
            .stream("contacts", OdooStream::contacts())
            .stream("employees", OdooStream::employees())
    }

    /// Adds (or replaces) stream `name`.
    pub fn stream(mut self, name: impl Into<String>, stream: OdooStream) -> Self {
        self.streams.insert(name.into(), stream);
        self
    }

    /// Adds (or replaces) `tenant`'s Odoo connection.
    pub fn tenant(mut self, tenant: impl Into<String>, client: OdooClient) -> Self {
        self.tenants.insert(tenant.into(), client);
        self
    }

    fn lookup(&self, tenant: &str, stream: &str) -> Result<(&OdooClient, &OdooStream), BoxError> {
        let client = self
            .tenants
            .get(tenant)
            .ok_or_else(|| format!("no Odoo connection for tenant {tenant:?}"))?;
        let stream = self
            .streams
            .get(stream)
            .ok_or_else(|| format!("no Odoo stream {stream:?}"))?;
        Ok((client, stream))
    }
}

/// Odoo's text for `instant`.
pub fn odoo_datetime(instant: DateTime<Utc>) -> String {
    instant.format(ODOO_DATETIME).to_string()
}

fn window_domain(stream: &OdooStream, window: Window) -> Domain {
    stream.domain.clone().and(
        Domain::new()
            .filter("write_date", ">=", odoo_datetime(window.start))
            .filter("write_date", "<", odoo_datetime(window.end)),
    )
}

impl Source for OdooSource {
    fn streams(&self) -> Vec<String> {
        self.streams.keys().cloned().collect()
    }

    async fn count(&self, tenant: &str, stream: &str, window: Window) -> Result<u64, BoxError> {
        let (client, stream) = self.lookup(tenant, stream)?;
        Ok(client
            .search_count(&stream.model, &window_domain(stream, window))
            .await?)
    }

    async fn fetch_page(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page, BoxError> {
        let (client, stream) = self.lookup(tenant, stream)?;
        let mut domain = window_domain(stream, window);
        if let Some(cursor) = cursor {
            let last_id: i64 = cursor.parse().map_err(|_| {
                format!("malformed Odoo page cursor {cursor:?} (expected a record id)")
            })?;
            domain = domain.and(Domain::new().filter("id", ">", last_id));
        }
        let options = SearchReadOptions::default()
            .fields(stream.read_fields())
            .order("id asc")
            .limit(limit);
        let rows: Vec<Value> = client.search_read(&stream.model, &domain, &options).await?;
        let mut last = None;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row
                .get("id")
                .and_then(Value::as_i64)
                .ok_or("an Odoo record without an integer id")?;
            if row.get("write_date").and_then(Value::as_str).is_none() {
                return Err("an Odoo record without write_date".into());
            }
            last = Some(id.to_string());
            records.push(Record {
                id: id.to_string(),
                data: row,
            });
        }
        let full = u32::try_from(records.len()).is_ok_and(|len| len == limit);
        Ok(Page {
            records,
            next: if full { last } else { None },
        })
    }
}
