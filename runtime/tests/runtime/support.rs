//! What the integration tests share: AWS configuration for the moto server
//! `scripts/test` starts, with dummy credentials, so nothing read from the
//! environment can send a test to a real AWS account.

#![allow(dead_code)] // each test binary uses a different part

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sns::config::Credentials;

/// The moto server's URL; panics with how to get one.
pub fn moto_endpoint() -> String {
    std::env::var("CLOUDCRON_MOTO_ENDPOINT")
        .expect("CLOUDCRON_MOTO_ENDPOINT is not set: run these tests with scripts/test")
}

/// moto's dummy credentials.
pub fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "cloud-cron-tests")
}

/// SDK configuration for `endpoint` in us-east-1 with moto's dummy credentials.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
        .load()
        .await
}
