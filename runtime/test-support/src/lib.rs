//! What the workspace's integration tests share to reach moto: the URL of the
//! moto server `scripts/test` starts (`CLOUDCRON_MOTO_ENDPOINT`), moto's dummy
//! credentials, and SDK configuration built from both. The credentials and
//! region are always set here, so nothing read from the environment can send a
//! test to a real AWS account. [`odoo_server`] starts the local Odoo stand-in;
//! `fire_now` (feature `fire-now`) delivers a stored one-off schedule to its
//! target the way EventBridge Scheduler would; `idempotency` (feature
//! `idempotency`) creates an idempotency table as the stacks declare it;
//! `inbox` (feature `inbox`) creates an SNS topic with an SQS queue subscribed
//! and reads the queue back; `logs` (feature `logs`) captures every log line
//! of a test binary.
//!
//! Test-only: crates take it as a dev-dependency, never as a normal one.
//!
//! ```no_run
//! # async fn example() {
//! let config = cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await;
//! let _ = config.region();
//! # }
//! ```

#[cfg(feature = "fire-now")]
pub mod fire_now;
#[cfg(feature = "idempotency")]
pub mod idempotency;
#[cfg(feature = "inbox")]
pub mod inbox;
#[cfg(feature = "logs")]
pub mod logs;
pub mod odoo_server;

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The environment variable `scripts/test` sets to the moto server's URL.
pub const MOTO_ENDPOINT_VAR: &str = "CLOUDCRON_MOTO_ENDPOINT";

/// The moto server's URL; panics with how to get one (run the tests with
/// `scripts/test`, which starts moto and sets `CLOUDCRON_MOTO_ENDPOINT`).
pub fn moto_endpoint() -> String {
    std::env::var(MOTO_ENDPOINT_VAR)
        .expect("CLOUDCRON_MOTO_ENDPOINT is not set: run these tests with scripts/test")
}

/// moto's dummy credentials.
pub fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "cloud-cron-tests")
}

/// A configuration loader for `endpoint` in us-east-1 with moto's dummy
/// credentials, for tests that set more (retries, timeouts) before loading.
pub fn sdk_config_loader(endpoint: &str) -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
}

/// SDK configuration for `endpoint` in us-east-1 with moto's dummy credentials.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    sdk_config_loader(endpoint).load().await
}
