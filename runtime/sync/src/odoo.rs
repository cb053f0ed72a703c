//! [`OdooSource`]: Odoo models as sync streams, in `write_date` windows.
//!
//! A window `[start, end)` is the domain `write_date >= start AND write_date < end` (UTC,
//! `YYYY-MM-DD HH:MM:SS`, Odoo's format and resolution) ANDed with the stream's own domain.
//! `count` is `search_count`; pages are `search_read` with `order: "write_date asc, id asc"`
//! and `limit`. Pages after the first continue **after the last (write_date, id) returned**
//! (`write_date > t OR (write_date = t AND id > i)`) rather than at an `offset`: with an
//! offset, a record of the window modified between two pages leaves the window and shifts
//! every later record one place up, so one would be skipped; the keyset keeps paging stable
//! (a modified record reappears in a later window anyway).

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
            let (write_date, id) = cursor
                .rsplit_once('|')
                .ok_or("malformed Odoo page cursor")?;
            let id: i64 = id.parse()?;
            let after = Domain::new()
                .filter("write_date", ">", write_date)
                .or(Domain::new()
                    .filter("write_date", "=", write_date)
                    .filter("id", ">", id));
            domain = domain.and(after);
        }
        let options = SearchReadOptions::default()
            .fields(stream.read_fields())
            .order("write_date asc, id asc")
            .limit(limit);
        let rows: Vec<Value> = client.search_read(&stream.model, &domain, &options).await?;
        let mut last = None;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row
                .get("id")
                .and_then(Value::as_i64)
                .ok_or("an Odoo record without an integer id")?;
            let write_date = row
                .get("write_date")
                .and_then(Value::as_str)
                .ok_or("an Odoo record without write_date")?
                .to_owned();
            last = Some(format!("{write_date}|{id}"));
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
