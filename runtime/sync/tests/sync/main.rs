//! Integration tests of cloud-cron-sync: the engine against the in-memory implementations
//! (windows, faults, progress), against the Odoo stand-in (`runtime/odoo/tests/odoo_server.py`,
//! seeded with bursts and empty stretches), and against moto's DynamoDB (leases, sink).
//! The moto tests are `#[ignore]`d: run them with `scripts/test -p cloud-cron-sync`.

mod boundaries;
mod dynamo;
mod faults;
mod odoo_sync;
mod pipeline;
mod support;
mod windows;
