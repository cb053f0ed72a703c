//! [`PipelineEnv`]: what cfn-gen's `SyncPipeline` hands its functions, read from the
//! environment (names in `cloud_cron_contract::sync`).

use std::time::Duration;

use cloud_cron_contract::sync::{self as contract, SyncSettings};

use crate::config::SyncConfig;

/// A missing or malformed pipeline variable.
#[derive(Debug, thiserror::Error)]
#[error("sync pipeline variable {name}: {problem} (set by cfn-gen's SyncPipeline; deploy the function through it)")]
pub struct EnvError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// The pipeline's settings, as its functions see them.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineEnv {
    /// `dispatcher`, `worker` or `status`.
    pub role: String,
    /// The checkpoint table.
    pub checkpoint_table: String,
    /// The record table (worker).
    pub record_table: Option<String>,
    /// The work queue's URL (dispatcher, worker).
    pub queue_url: Option<String>,
    /// The tenants (dispatcher).
    pub tenants: Vec<String>,
    /// The streams every tenant syncs.
    pub streams: Vec<String>,
    /// The engine's knobs.
    pub config: SyncConfig,
    /// The JWT claim naming the caller's tenant (status).
    pub tenant_claim: String,
}

/// The engine's [`SyncConfig`] from the contract's [`SyncSettings`].
pub fn config_from(settings: &SyncSettings) -> SyncConfig {
    SyncConfig {
        initial_range: Duration::from_secs(settings.initial_range_secs),
        batch_limit: settings.batch_limit,
        min_window: Duration::from_secs(settings.min_window_secs),
        max_window: Duration::from_secs(settings.max_window_secs),
        max_attempts: settings.max_attempts,
        settle_lag: Duration::from_secs(settings.settle_lag_secs),
        lease_duration: Duration::from_secs(settings.lease_secs),
    }
}

impl PipelineEnv {
    /// Reads the process environment.
    pub fn from_env() -> Result<PipelineEnv, EnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<PipelineEnv, EnvError> {
        let required = |name: &'static str| {
            lookup(name).ok_or(EnvError {
                name,
                problem: "is not set".into(),
            })
        };
        let json_list = |name: &'static str| -> Result<Vec<String>, EnvError> {
            match lookup(name) {
                None => Ok(Vec::new()),
                Some(text) => serde_json::from_str(&text).map_err(|e| EnvError {
                    name,
                    problem: format!("is not a JSON array of strings: {e}"),
                }),
            }
        };
        let settings: SyncSettings = match lookup(contract::SETTINGS_ENV) {
            None => SyncSettings::default(),
            Some(text) => serde_json::from_str(&text).map_err(|e| EnvError {
                name: contract::SETTINGS_ENV,
                problem: format!("is not the settings JSON: {e}"),
            })?,
        };
        let config = config_from(&settings);
        config.validate().map_err(|e| EnvError {
            name: contract::SETTINGS_ENV,
            problem: e.to_string(),
        })?;
        Ok(PipelineEnv {
            role: required(contract::ROLE_ENV)?,
            checkpoint_table: required(contract::CHECKPOINT_TABLE_ENV)?,
            record_table: lookup(contract::RECORD_TABLE_ENV),
            queue_url: lookup(contract::QUEUE_URL_ENV),
            tenants: json_list(contract::TENANTS_ENV)?,
            streams: json_list(contract::STREAMS_ENV)?,
            config,
            tenant_claim: lookup(contract::TENANT_CLAIM_ENV).unwrap_or_else(|| "tenant".into()),
        })
    }

    /// The queue URL, required by the dispatcher and the worker.
    pub fn require_queue_url(&self) -> Result<&str, EnvError> {
        self.queue_url.as_deref().ok_or(EnvError {
            name: contract::QUEUE_URL_ENV,
            problem: "is not set".into(),
        })
    }

    /// The record table, required by the worker.
    pub fn require_record_table(&self) -> Result<&str, EnvError> {
        self.record_table.as_deref().ok_or(EnvError {
            name: contract::RECORD_TABLE_ENV,
            problem: "is not set".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reads_what_cfn_gen_writes_and_names_what_is_missing() {
        let vars: HashMap<&str, String> = HashMap::from([
            (contract::ROLE_ENV, "worker".to_owned()),
            (contract::CHECKPOINT_TABLE_ENV, "cp".to_owned()),
            (contract::STREAMS_ENV, r#"["contacts"]"#.to_owned()),
            (
                contract::SETTINGS_ENV,
                serde_json::to_string(&SyncSettings {
                    batch_limit: 50,
                    ..SyncSettings::default()
                })
                .unwrap(),
            ),
        ]);
        let env = PipelineEnv::from_lookup(|name| vars.get(name).cloned()).unwrap();
        assert_eq!(env.streams, ["contacts"]);
        assert_eq!(env.config.batch_limit, 50);
        assert_eq!(env.tenant_claim, "tenant");
        let error = env.require_queue_url().unwrap_err();
        assert!(
            error.to_string().contains(contract::QUEUE_URL_ENV),
            "{error}"
        );

        let error = PipelineEnv::from_lookup(|name| {
            (name != contract::ROLE_ENV)
                .then(|| vars.get(name).cloned())
                .flatten()
        })
        .unwrap_err();
        assert_eq!(error.name, contract::ROLE_ENV);
        let bad = PipelineEnv::from_lookup(|name| match name {
            contract::SETTINGS_ENV => serde_json::to_string(&SyncSettings {
                batch_limit: 0,
                ..SyncSettings::default()
            })
            .ok(),
            _ => vars.get(name).cloned(),
        })
        .unwrap_err();
        assert_eq!(bad.name, contract::SETTINGS_ENV);
        assert!(bad.problem.contains("batch_limit"), "{bad}");
    }
}
