//! The ready ERP job: one Lambda function that runs several Odoo cron jobs.
//!
//! Each `.job(name, schedule, input)` of the function passes a [`JobInput`],
//! `{"model": .., "method": .., "args": [..], "kwargs": {..}}`; a run calls
//! `model.method(*args, **kwargs)` on the configured Odoo through
//! [`cloud_cron_odoo`], publishes an [`Outcome`] (job, duration, a summary
//! of the result, or the error) to the topic under key `results`, and fails
//! the run when Odoo faults, so the function's retries, dead-letter queue and
//! alarms apply. With the function's idempotency guard, a run that completed
//! is not called again however often it is retried or invoked.
//!
//! Configuration, from the function's environment ([`OdooSettings`]):
//!
//! | variable | meaning |
//! |---|---|
//! | `ODOO_URL` | the server root, e.g. `https://erp.example.com` |
//! | `ODOO_DB` | the database |
//! | `ODOO_LOGIN` | the user the jobs run as |
//! | `ODOO_PROTOCOL` | `xmlrpc` (default), `xmlrpc-legacy` (Odoo 7) or `jsonrpc` |
//! | `ODOO_TIMEOUT_SECS` | per-request timeout (default 120) |
//!
//! The password (or API key) is the task secret `ODOO_PASSWORD`
//! (`.secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))`), read
//! with `ctx.secret` and never logged or published.

use std::time::{Duration, Instant};

use cloud_cron_odoo::{OdooClient, OdooConfig, OdooError, Protocol, SecretString};
use cloud_cron_runtime::{Environment, InputError, RunContext, Task, TaskError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The task secret that holds the Odoo password or API key.
pub const PASSWORD_SECRET: &str = "ODOO_PASSWORD";

/// The topic key outcomes are published under (`SNS_TOPIC_ARN_RESULTS`).
pub const RESULTS_TOPIC: &str = "results";

/// The longest result summary an [`Outcome`] carries, in characters.
pub const SUMMARY_CHARS: usize = 2_000;

/// What one job calls: `model.method(*args, **kwargs)`.
///
/// ```
/// let input: cloud_cron_odoo_job::JobInput = serde_json::from_value(serde_json::json!({
///     "model": "ir.cron", "method": "method_direct_trigger", "args": [[5]]
/// })).unwrap();
/// assert!(input.kwargs.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    /// The Odoo model, e.g. `ir.cron` or `account.move`.
    pub model: String,
    /// The method, e.g. `method_direct_trigger`.
    pub method: String,
    /// Positional arguments (often a list of record ids first).
    #[serde(default)]
    pub args: Vec<Value>,
    /// Keyword arguments.
    #[serde(default)]
    pub kwargs: Map<String, Value>,
}

/// What a run published: `status` is `ok` or `failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The job's name.
    pub job: String,
    /// The model called.
    pub model: String,
    /// The method called.
    pub method: String,
    /// The run's scheduled time, RFC 3339 UTC.
    pub scheduled_time: String,
    /// The attempt (1 on the first).
    pub attempt: u32,
    /// `ok` or `failed`.
    pub status: String,
    /// How long the Odoo call took, in milliseconds.
    pub duration_ms: u64,
    /// The result as JSON, cut to [`SUMMARY_CHARS`] characters (on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The error (on failure); never holds the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether a retry may help (on failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transient: Option<bool>,
}

/// The job's configuration is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{0} is not set; set it on the function with .env(\"{0}\", ..)")]
    Missing(&'static str),
    /// A variable has a value the job cannot use.
    #[error("{var} is {problem}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// A run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The job's input is not a [`JobInput`], or the run has no job.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The password could not be read.
    #[error(transparent)]
    Secret(#[from] cloud_cron_runtime::secrets::SecretError),
    /// Odoo refused or failed the call.
    #[error("job `{job}`: {source}")]
    Odoo {
        /// The job.
        job: String,
        /// What Odoo said (classified transient or permanent).
        #[source]
        source: OdooError,
    },
}

/// Where the Odoo server is and how to talk to it (all but the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OdooSettings {
    /// `ODOO_URL`.
    pub url: String,
    /// `ODOO_DB`.
    pub database: String,
    /// `ODOO_LOGIN`.
    pub login: String,
    /// `ODOO_PROTOCOL`.
    pub protocol: Protocol,
    /// `ODOO_TIMEOUT_SECS`.
    pub timeout: Duration,
}

impl OdooSettings {
    /// Read the settings from `env`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the missing or malformed variable.
    pub fn from_env(env: &Environment) -> Result<OdooSettings, ConfigError> {
        let required = |var: &'static str| {
            env.get(var)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
                .ok_or(ConfigError::Missing(var))
        };
        let protocol = match env.get("ODOO_PROTOCOL").unwrap_or("xmlrpc") {
            "xmlrpc" => Protocol::XmlRpc2,
            "xmlrpc-legacy" => Protocol::XmlRpcLegacy,
            "jsonrpc" => Protocol::JsonRpc,
            other => {
                return Err(ConfigError::Invalid {
                    var: "ODOO_PROTOCOL",
                    problem: format!("`{other}`; use xmlrpc, xmlrpc-legacy or jsonrpc"),
                })
            }
        };
        let timeout = match env.get("ODOO_TIMEOUT_SECS") {
            None => OdooConfig::DEFAULT_REQUEST_TIMEOUT,
            Some(text) => match text.parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => {
                    return Err(ConfigError::Invalid {
                        var: "ODOO_TIMEOUT_SECS",
                        problem: format!("`{text}`, not a positive number of seconds"),
                    })
                }
            },
        };
        Ok(OdooSettings {
            url: required("ODOO_URL")?,
            database: required("ODOO_DB")?,
            login: required("ODOO_LOGIN")?,
            protocol,
            timeout,
        })
    }
}

/// The ERP job task: see the crate docs.
#[derive(Debug, Clone)]
pub struct OdooJob {
    settings: OdooSettings,
}

impl OdooJob {
    /// A job calling the Odoo `settings` name.
    pub fn new(settings: OdooSettings) -> OdooJob {
        OdooJob { settings }
    }

    /// A job configured from the process environment.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the missing or malformed variable.
    pub fn from_process() -> Result<OdooJob, ConfigError> {
        OdooSettings::from_env(&Environment::from_process()).map(OdooJob::new)
    }

    async fn call(&self, password: SecretString, input: &JobInput) -> Result<Value, OdooError> {
        let config = OdooConfig::new(
            &self.settings.url,
            self.settings.database.clone(),
            self.settings.login.clone(),
            password,
        )?
        .protocol(self.settings.protocol)
        .request_timeout(self.settings.timeout);
        OdooClient::new(config)?
            .call(
                &input.model,
                &input.method,
                input.args.clone(),
                input.kwargs.clone(),
            )
            .await
    }
}

impl Task for OdooJob {
    const NAME: &'static str = "odoo-job";
    const TOPICS: &'static [&'static str] = &[RESULTS_TOPIC];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        let input: JobInput = ctx.input().map_err(JobError::Input)?;
        let job = ctx.job().unwrap_or_default().to_owned();
        tracing::info!(job = %job, model = %input.model, method = %input.method, "calling Odoo");
        // A SecretError names the secret, never its value.
        let password = ctx
            .secret(PASSWORD_SECRET)
            .await
            .map_err(JobError::Secret)?;
        let started = Instant::now();
        let result = self.call(password, &input).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut outcome = Outcome {
            job: job.clone(),
            model: input.model.clone(),
            method: input.method.clone(),
            scheduled_time: ctx.run().scheduled_time_text(),
            attempt: ctx.attempt(),
            status: "ok".into(),
            duration_ms,
            result: None,
            error: None,
            transient: None,
        };
        match result {
            Ok(value) => {
                outcome.result = Some(summary(&value));
                ctx.publish(RESULTS_TOPIC, &outcome).await?;
                tracing::info!(job = %job, duration_ms, "Odoo call succeeded");
                Ok(())
            }
            Err(source) => {
                outcome.status = "failed".into();
                outcome.error = Some(source.to_string());
                outcome.transient = Some(source.is_transient());
                // Report the failure even if publishing it fails too.
                if let Err(publish) = ctx.publish(RESULTS_TOPIC, &outcome).await {
                    tracing::warn!(job = %job, error = %publish, "could not publish the failed outcome");
                }
                Err(JobError::Odoo { job, source }.into())
            }
        }
    }
}

/// The result as compact JSON, cut to [`SUMMARY_CHARS`] characters.
fn summary(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= SUMMARY_CHARS {
        return text;
    }
    let cut: String = text.chars().take(SUMMARY_CHARS).collect();
    format!("{cut}... ({} characters in all)", text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn settings_come_from_the_environment() {
        let base = [
            ("ODOO_URL", "https://erp.example.com"),
            ("ODOO_DB", "acme"),
            ("ODOO_LOGIN", "cron-bot"),
        ];
        let s = OdooSettings::from_env(&env(&base)).expect("valid");
        assert_eq!(s.protocol, Protocol::XmlRpc2);
        assert_eq!(s.timeout, OdooConfig::DEFAULT_REQUEST_TIMEOUT);
        let mut more = base.to_vec();
        more.extend([("ODOO_PROTOCOL", "jsonrpc"), ("ODOO_TIMEOUT_SECS", "30")]);
        let s = OdooSettings::from_env(&env(&more)).expect("valid");
        assert_eq!(
            (s.protocol, s.timeout),
            (Protocol::JsonRpc, Duration::from_secs(30))
        );
    }

    #[test]
    fn configuration_errors_name_the_variable() {
        let err = OdooSettings::from_env(&env(&[("ODOO_URL", "https://x")])).expect_err("db");
        assert!(err.to_string().contains("ODOO_DB is not set"), "{err}");
        let err = OdooSettings::from_env(&env(&[
            ("ODOO_URL", "https://x"),
            ("ODOO_DB", "d"),
            ("ODOO_LOGIN", "l"),
            ("ODOO_PROTOCOL", "soap"),
        ]))
        .expect_err("protocol");
        assert!(err.to_string().contains("ODOO_PROTOCOL is `soap`"), "{err}");
    }

    #[test]
    fn inputs_reject_unknown_fields() {
        let bad =
            serde_json::from_value::<JobInput>(json!({"model": "m", "method": "x", "arg": []}));
        assert!(bad
            .expect_err("unknown")
            .to_string()
            .contains("unknown field `arg`"));
    }

    #[test]
    fn long_results_are_cut() {
        assert_eq!(summary(&json!(true)), "true");
        let long = summary(&json!("x".repeat(5_000)));
        assert!(
            long.ends_with("(5002 characters in all)"),
            "{}",
            &long[long.len() - 40..]
        );
        assert!(long.chars().count() < SUMMARY_CHARS + 40);
    }
}
