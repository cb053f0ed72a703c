//! A client for Odoo's external API, for scheduled ERP jobs and sync engines.
//!
//! [`OdooClient`] speaks the [`Protocol`] its [`OdooConfig`] names: XML-RPC
//! (`/xmlrpc/2/common` `authenticate`, `/xmlrpc/2/object` `execute_kw`), Odoo 7's XML-RPC
//! (`/xmlrpc/common` `login`, `/xmlrpc/object` `execute`) or JSON-RPC (`/jsonrpc`). It
//! authenticates once and caches the user id, and offers typed helpers ([`search_count`],
//! [`search_read`], [`read`], [`create`], [`write`], [`run_cron`]) plus [`call`] for any model
//! method.
//!
//! Failures are [`OdooError`]s that say whether a retry can help
//! ([`OdooError::is_transient`]): timeouts, connection errors, HTTP 429/502/503/504 and
//! database serialization conflicts are transient; refused credentials, access rules,
//! validation errors and missing records are permanent. Server exceptions arrive as a
//! classified [`Fault`] ([`FaultKind`]), whether Odoo sent an integer `faultCode`
//! (`/xmlrpc/2`), a string one (Odoo 7), or a JSON-RPC error.
//!
//! The password is a [`SecretString`]: it goes into request bodies and nowhere else. Tracing
//! spans carry the model and method only, and server text quoted in errors is redacted.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use cloud_cron_odoo::{Domain, OdooClient, OdooConfig, OdooError, Protocol, SearchReadOptions, SecretString};
//! use serde_json::json;
//!
//! #[derive(serde::Deserialize)]
//! struct Partner {
//!     id: i64,
//!     name: String,
//!     write_date: String,
//! }
//!
//! # async fn example() -> Result<(), OdooError> {
//! let password = SecretString::from(std::env::var("ODOO_PASSWORD").unwrap_or_default());
//! let odoo = OdooClient::new(
//!     OdooConfig::new("https://erp.example.com", "acme", "sync-bot", password)?
//!         .protocol(Protocol::XmlRpc2)
//!         .request_timeout(Duration::from_secs(30)),
//! )?;
//!
//! let changed = Domain::new().filter("write_date", ">", "2026-12-01 00:00:00");
//! let total = odoo.search_count("res.partner", &changed).await?;
//! let page: Vec<Partner> = odoo
//!     .search_read(
//!         "res.partner",
//!         &changed,
//!         &SearchReadOptions::default().fields(["name", "write_date"]).order("write_date asc, id asc").limit(100),
//!     )
//!     .await?;
//! println!("{total} changed, first page: {:?}", page.iter().map(|p| (p.id, &p.name, &p.write_date)).collect::<Vec<_>>());
//!
//! let id = odoo.create("res.partner", &json!({"name": "New customer"})).await?;
//! odoo.write("res.partner", &[id], &json!({"city": "London"})).await?;
//! odoo.run_cron(42).await?;
//!
//! match odoo.call("sale.order", "action_confirm", vec![json!([7])], Default::default()).await {
//!     Ok(_) => {}
//!     Err(error) if error.is_transient() => { /* try again later */ }
//!     Err(error) => return Err(error),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`search_count`]: OdooClient::search_count
//! [`search_read`]: OdooClient::search_read
//! [`read`]: OdooClient::read
//! [`create`]: OdooClient::create
//! [`write`]: OdooClient::write
//! [`run_cron`]: OdooClient::run_cron
//! [`call`]: OdooClient::call

mod client;
mod config;
mod domain;
mod error;
mod jsonrpc;
mod transport;
mod xmlrpc;

pub use client::{OdooClient, SearchReadOptions, ServerVersion};
pub use config::{OdooConfig, Protocol};
pub use domain::Domain;
pub use error::{Fault, FaultCode, FaultKind, OdooError};
/// The password type [`OdooConfig::new`] takes.
pub use secrecy::SecretString;
