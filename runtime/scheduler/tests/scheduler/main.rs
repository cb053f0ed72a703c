//! Integration tests of `cloud-cron-scheduler`: validation needs nothing;
//! the lifecycle, idempotency and listing tests need the moto server that
//! `scripts/test` starts (`CLOUDCRON_MOTO_ENDPOINT`).

mod idempotency;
mod lifecycle;
mod listing;
mod support;
mod validation;
