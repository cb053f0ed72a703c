//! What the integration tests share: AWS configuration for the moto server
//! `scripts/test` starts, with dummy credentials, so nothing read from the
//! environment can send a test to a real AWS account.

#![allow(dead_code)] // each test binary uses a different part

pub use cloud_cron_test_support::{moto_endpoint, sdk_config};
