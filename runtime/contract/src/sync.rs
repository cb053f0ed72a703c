//! The `SyncPipeline` contract: the variables `cfn-gen` gives the pipeline's three
//! functions (dispatcher, worker, status), the engine settings they carry, and the queue
//! message that names a tenant with work.
//!
//! One binary may serve all three functions: [`ROLE_ENV`] says which one it is.

use serde_derive::{Deserialize, Serialize};

/// Which function of the pipeline this is: [`ROLE_DISPATCHER`], [`ROLE_WORKER`] or
/// [`ROLE_STATUS`].
pub const ROLE_ENV: &str = "CLOUDCRON_SYNC_ROLE";
/// The scheduled dispatcher: enqueues one message per tenant with work.
pub const ROLE_DISPATCHER: &str = "dispatcher";
/// The queue's consumer: runs a tenant's next batches and re-enqueues it while work remains.
pub const ROLE_WORKER: &str = "worker";
/// The status endpoint's handler.
pub const ROLE_STATUS: &str = "status";

/// URL of the FIFO queue of tenant messages (dispatcher, worker).
pub const QUEUE_URL_ENV: &str = "CLOUDCRON_SYNC_QUEUE_URL";
/// Name of the checkpoint table (all three).
pub const CHECKPOINT_TABLE_ENV: &str = "CLOUDCRON_SYNC_CHECKPOINT_TABLE";
/// Name of the record (sink) table (worker).
pub const RECORD_TABLE_ENV: &str = "CLOUDCRON_SYNC_RECORD_TABLE";
/// JSON array of the tenants to sync (dispatcher, worker).
pub const TENANTS_ENV: &str = "CLOUDCRON_SYNC_TENANTS";
/// JSON array of the streams every tenant syncs (all three).
pub const STREAMS_ENV: &str = "CLOUDCRON_SYNC_STREAMS";
/// The [`SyncSettings`] as JSON (all three).
pub const SETTINGS_ENV: &str = "CLOUDCRON_SYNC_SETTINGS";
/// The JWT claim that names the caller's tenant (status).
pub const TENANT_CLAIM_ENV: &str = "CLOUDCRON_SYNC_TENANT_CLAIM";

/// The longest tenant id: a FIFO message group id allows 128 characters, the
/// deduplication id (tenant, `:`, a number) the same.
pub const MAX_TENANT_LEN: usize = 64;

/// Whether `tenant` can be a message group id and a key: 1 to [`MAX_TENANT_LEN`] ASCII
/// letters, digits, `-` and `_`.
///
/// ```
/// assert!(cloud_cron_contract::sync::valid_tenant("acme-eu_1"));
/// assert!(!cloud_cron_contract::sync::valid_tenant("acme/eu"));
/// ```
pub fn valid_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant.len() <= MAX_TENANT_LEN
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The sync engine's knobs, in whole seconds (the runtime's `SyncConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncSettings {
    /// How far back a tenant's first sync starts.
    pub initial_range_secs: u64,
    /// Most records per batch and per page.
    pub batch_limit: u64,
    /// Narrowest window.
    pub min_window_secs: u64,
    /// Widest window.
    pub max_window_secs: u64,
    /// Attempts of a batch before it is permanently failed.
    pub max_attempts: u32,
    /// Windows end this long before now.
    pub settle_lag_secs: u64,
    /// How long a worker's claim on a tenant + stream lasts.
    pub lease_secs: u64,
}

impl Default for SyncSettings {
    /// The defaults of the Odoo sync engine: 90 days, 200 records, 30 min to 24 h windows,
    /// 4 attempts, 60 s settle lag, 5 min leases.
    fn default() -> Self {
        SyncSettings {
            initial_range_secs: 90 * 86_400,
            batch_limit: 200,
            min_window_secs: 30 * 60,
            max_window_secs: 86_400,
            max_attempts: 4,
            settle_lag_secs: 60,
            lease_secs: 300,
        }
    }
}

/// The queue message: a tenant with work. Its group id is the tenant (one batch at a
/// time per tenant); its deduplication id is `tenant:fingerprint` (see
/// [`dedup_id`]), so a dispatcher tick and a worker's own continuation that see the same
/// checkpoint state send one message, not two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncMessage {
    /// The tenant.
    pub tenant: String,
    /// Queue the tenant's permanently failed ranges (every stream) for another try before
    /// running its next batches: what an operator sends once the cause is fixed
    /// (`{"tenant":"acme","retryFailed":true}`). Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retry_failed: bool,
}

/// The deduplication id of a message for `tenant` whose checkpoints sum to `fingerprint`
/// (the sum of their versions: every write bumps one).
///
/// ```
/// assert_eq!(cloud_cron_contract::sync::dedup_id("acme", 42), "acme:42");
/// ```
pub fn dedup_id(tenant: &str, fingerprint: u64) -> String {
    format!("{tenant}:{fingerprint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_message_round_trip_in_camel_case() {
        let text = serde_json::to_string(&SyncSettings::default()).unwrap();
        assert!(text.contains("\"minWindowSecs\":1800"), "{text}");
        assert_eq!(
            serde_json::from_str::<SyncSettings>(&text).unwrap(),
            SyncSettings::default()
        );
        let message: SyncMessage = serde_json::from_str(r#"{"tenant":"acme"}"#).unwrap();
        assert_eq!(message.tenant, "acme");
        assert!(!message.retry_failed);
        assert_eq!(
            serde_json::to_string(&message).unwrap(),
            r#"{"tenant":"acme"}"#
        );
        let retry: SyncMessage =
            serde_json::from_str(r#"{"tenant":"acme","retryFailed":true}"#).unwrap();
        assert!(retry.retry_failed);
        assert!(serde_json::from_str::<SyncMessage>(r#"{"tenant":"a","x":1}"#).is_err());
    }

    #[test]
    fn tenants_fit_group_and_dedup_ids() {
        assert!(valid_tenant(&"a".repeat(MAX_TENANT_LEN)));
        assert!(!valid_tenant(&"a".repeat(MAX_TENANT_LEN + 1)));
        assert!(!valid_tenant(""));
        assert!(dedup_id(&"a".repeat(MAX_TENANT_LEN), u64::MAX).len() <= 128);
    }
}
