//! Integration tests of cloud-cron-odoo against `tests/odoo_server.py`, a local server that
//! speaks Odoo's external API (XML-RPC `/xmlrpc/2`, Odoo 7 `/xmlrpc`, JSON-RPC `/jsonrpc`)
//! and records every request it receives.

mod auth;
mod faults;
mod helpers;
mod secrets;
mod server;
mod transport;
