//! [`Secrets`]: the channel's secret values, read once at cold start from SSM
//! Parameter Store (SecureString, with decryption) or Secrets Manager, and
//! held as [`SecretString`]s whose `Debug` is redacted.
//!
//! Only references (`ssm:NAME`, `secretsmanager:ID`) are in the environment
//! (`CLOUDCRON_SECRET_<NAME>`, see
//! [`contract::notifier`](cloud_cron_contract::notifier)); values are
//! never logged, and errors name the reference, never a value.

use std::collections::BTreeMap;
use std::fmt;

use aws_config::SdkConfig;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use cloud_cron_contract::notifier::{ChannelKind, InvalidSecretRef, SecretName, SecretRef};
use cloud_cron_runtime::sdk_error::{error_chain, is_local_configuration};
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
        let mut ssm = None;
        let mut secretsmanager = None;
        let fetches = refs.iter().map(|(name, reference)| {
            let client = match reference {
                SecretRef::Ssm { .. } => Store::Ssm(
                    ssm.get_or_insert_with(|| aws_sdk_ssm::Client::new(sdk))
                        .clone(),
                ),
                SecretRef::SecretsManager { .. } => Store::SecretsManager(
                    secretsmanager
                        .get_or_insert_with(|| aws_sdk_secretsmanager::Client::new(sdk))
                        .clone(),
                ),
            };
            async move {
                let value = fetch(&client, *name, reference).await?;
                tracing::info!(
                    secret = name.as_str(),
                    store = client.label(),
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

enum Store {
    Ssm(aws_sdk_ssm::Client),
    SecretsManager(aws_sdk_secretsmanager::Client),
}

impl Store {
    fn label(&self) -> &'static str {
        match self {
            Store::Ssm(_) => "ssm",
            Store::SecretsManager(_) => "secretsmanager",
        }
    }
}

async fn fetch(
    store: &Store,
    name: SecretName,
    reference: &SecretRef,
) -> Result<SecretString, SecretError> {
    let unavailable = |message: String, hint: String, transient: bool| SecretError::Unavailable {
        name: name.as_str(),
        reference: reference.to_string(),
        message,
        hint,
        transient,
    };
    match (store, reference) {
        (Store::Ssm(client), SecretRef::Ssm { name: parameter }) => {
            let output = client
                .get_parameter()
                .name(parameter)
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| {
                    let (message, hint, transient) = classify(
                        &e,
                        "ssm:GetParameter (and kms:Decrypt on the parameter's key)",
                    );
                    unavailable(message, hint, transient)
                })?;
            let value = output.parameter.and_then(|p| p.value).ok_or_else(|| {
                unavailable(
                    "the parameter has no value".into(),
                    "give the parameter a value".into(),
                    false,
                )
            })?;
            Ok(SecretString::from(value))
        }
        (Store::SecretsManager(client), SecretRef::SecretsManager { id }) => {
            let output = client
                .get_secret_value()
                .secret_id(id)
                .send()
                .await
                .map_err(|e| {
                    let (message, hint, transient) = classify(
                        &e,
                        "secretsmanager:GetSecretValue (and kms:Decrypt on the secret's key)",
                    );
                    unavailable(message, hint, transient)
                })?;
            let value = output.secret_string.ok_or_else(|| {
                unavailable(
                    "the secret has no SecretString (a binary secret)".into(),
                    "store the value as a string secret".into(),
                    false,
                )
            })?;
            Ok(SecretString::from(value))
        }
        // `resolve` pairs each reference with its own store.
        _ => Err(unavailable(
            "internal error: reference and store differ".into(),
            "report this".into(),
            false,
        )),
    }
}

/// What an SDK failure means for a secret read: message (code and AWS's
/// message, never a value), hint, transient.
fn classify<E, R>(error: &SdkError<E, R>, permission: &str) -> (String, String, bool)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    match error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("error");
            let message = match err.message() {
                Some(m) => format!("{code}: {m}"),
                None => code.to_owned(),
            };
            let transient = matches!(
                code,
                "ThrottlingException" | "InternalServerError" | "InternalServiceError" | "ServiceUnavailable"
            );
            let hint = match code {
                "ParameterNotFound" | "ResourceNotFoundException" => {
                    "create it, or fix the reference in the channel's settings".to_owned()
                }
                "AccessDeniedException" => format!("grant the function's role {permission}"),
                _ if transient => "a later cold start may succeed".to_owned(),
                _ => "check the reference and the function's permissions".to_owned(),
            };
            (message, hint, transient)
        }
        _ if is_local_configuration(error) => (
            error_chain(error),
            "check the AWS configuration (region, credentials, endpoint URL)".to_owned(),
            false,
        ),
        _ => (
            error_chain(error),
            "the store could not be reached: check the network (VPC endpoints or NAT); a later cold start may succeed".to_owned(),
            true,
        ),
    }
}
