//! Integration tests of `cloud-cron-scheduler-api`: API Gateway HTTP API
//! events (payload format 2.0, shaped as in the AWS documentation) through
//! the handler over an in-memory store; the `moto` module needs the moto
//! server `scripts/test` starts (`CLOUDCRON_MOTO_ENDPOINT`).

mod auth;
mod failures;
mod idempotency;
mod moto;
mod openapi;
mod routes;
mod support;
mod validation;
