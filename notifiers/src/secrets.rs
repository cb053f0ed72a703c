//! [`Secrets`]: the channel's secret values, read once at cold start from SSM
//! Parameter Store (SecureString, with decryption) or Secrets Manager, and
//! held as [`SecretString`]s whose `Debug` is redacted.
//!
//! Only references (`ssm:NAME`, `secretsmanager:ID`) are in the environment
//! (`CLOUDCRON_SECRET_<NAME>`, see
//! [`contract::notifier`](cloud_cron_contract::notifier)); values are
//! never logged, and errors name the reference, never a value. The reading
//! itself is the runtime's [`SecretReader`], which tasks use too.

use std::collections::BTreeMap;
use std::fmt;

use aws_config::SdkConfig;
use cloud_cron_contract::notifier::{ChannelKind, InvalidSecretRef, SecretName, SecretRef};
use cloud_cron_runtime::secrets::SecretReader;
use cloud_cron_runtime::Environment;
use secrecy::SecretString;

/// Why a channel's secrets could not be read. Messages name the variable or
/// the reference, never a value. [`ConfigError`](crate::ConfigError) wraps it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// A secret the channel needs has no reference.
    #[error(
        "{kind} channels read secret {name} from the store named in {var}, which is not set \
         (write ssm:/PARAMETER/NAME or secretsmanager:NAME-OR-ARN)"
    )]
    NotConfigured {
        /// The channel kind.
        kind: ChannelKind,
        /// The secret (`WEBHOOK_URL`, ...).
        name: &'static str,
        /// The variable to set.
        var: String,
    },
    /// A secret reference does not parse.
    #[error("{var}: {source}")]
    RefInvalid {
        /// The variable.
        var: String,
        /// Why (never echoes a value).
        #[source]
        source: InvalidSecretRef,
    },
    /// The secret store refused or failed.
    #[error("secret {name} (`{reference}`) could not be read: {message}; {hint}")]
    Unavailable {
        /// The secret (`WEBHOOK_URL`, ...).
        name: &'static str,
        /// Its reference (`ssm:/...`), never its value.
        reference: String,
        /// What failed.
        message: String,
        /// What to do about it.
        hint: String,
        /// Whether a later attempt may succeed.
        transient: bool,
    },
}

impl SecretError {
    /// Whether a later cold start may succeed without a configuration change
    /// (the store was unreachable or throttled).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SecretError::Unavailable {
                transient: true,
                ..
            }
        )
    }
}

/// A channel's secret values by name. `Debug` shows the names only.
///
/// ```
/// use cloud_cron_notifiers::Secrets;
/// use cloud_cron_contract::notifier::SecretName;
/// use secrecy::ExposeSecret;
///
/// let secrets = Secrets::from_values([(SecretName::WebhookUrl, "https://hooks.example/T/B/x")]);
/// assert_eq!(secrets.get(SecretName::WebhookUrl).unwrap().expose_secret(), "https://hooks.example/T/B/x");
/// assert!(!format!("{secrets:?}").contains("hooks.example"));
/// ```
#[derive(Default)]
pub struct Secrets {
    values: BTreeMap<SecretName, SecretString>,
}

impl Secrets {
    /// No secrets (an email channel needs none).
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// These values (for tests, and channels built by hand).
    pub fn from_values<I, V>(values: I) -> Secrets
    where
        I: IntoIterator<Item = (SecretName, V)>,
        V: Into<String>,
    {
        Secrets {
            values: values
                .into_iter()
                .map(|(name, value)| (name, SecretString::from(value.into())))
                .collect(),
        }
    }

    /// The secret `name`, when it was read.
    pub fn get(&self, name: SecretName) -> Option<&SecretString> {
        self.values.get(&name)
    }

    /// The secret `name`, or [`SecretError::NotConfigured`] naming the
    /// variable that should point at it: what a channel's
    /// [`FromConfig`](crate::FromConfig) calls for each secret it needs.
    pub fn require(
        &self,
        kind: ChannelKind,
        name: SecretName,
    ) -> Result<&SecretString, SecretError> {
        self.get(name).ok_or_else(|| SecretError::NotConfigured {
            kind,
            name: name.as_str(),
            var: name.env_var(),
        })
    }

    /// Reads every secret in `names` from where `CLOUDCRON_SECRET_<NAME>` in
    /// `env` points, concurrently.
    ///
    /// # Errors
    ///
    /// [`SecretError::NotConfigured`] when a variable is unset,
    /// [`SecretError::RefInvalid`] when it is not a reference,
    /// [`SecretError::Unavailable`] when the store refuses or fails.
    pub async fn resolve(
        kind: ChannelKind,
        names: &[SecretName],
        env: &Environment,
        sdk: &SdkConfig,
    ) -> Result<Secrets, SecretError> {
        let mut refs = Vec::with_capacity(names.len());
        for &name in names {
            let var = name.env_var();
            let text = env
                .get(&var)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| SecretError::NotConfigured {
                    kind,
                    name: name.as_str(),
                    var: var.clone(),
                })?;
            let reference = text
                .trim()
                .parse::<SecretRef>()
                .map_err(|source| SecretError::RefInvalid { var, source })?;
            refs.push((name, reference));
        }
        let reader = SecretReader::new(sdk);
        let fetches =
            refs.iter().map(|(name, reference)| {
                let reader = &reader;
                async move {
                    let value = reader.read(reference).await.map_err(|failure| {
                        SecretError::Unavailable {
                            name: name.as_str(),
                            reference: reference.to_string(),
                            message: failure.message,
                            hint: failure.hint,
                            transient: failure.transient,
                        }
                    })?;
                    tracing::info!(
                        secret = name.as_str(),
                        store = store_label(reference),
                        "secret read"
                    );
                    Ok::<_, SecretError>((*name, value))
                }
            });
        let values = futures_util::future::try_join_all(fetches).await?;
        Ok(Secrets {
            values: values.into_iter().collect(),
        })
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field(
                "names",
                &self.values.keys().map(|n| n.as_str()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn store_label(reference: &SecretRef) -> &'static str {
    match reference {
        SecretRef::Ssm { .. } => "ssm",
        SecretRef::SecretsManager { .. } => "secretsmanager",
    }
}
