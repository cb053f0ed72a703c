//! Secret values at run time: [`SecretReader`] reads one
//! [`SecretRef`] from SSM Parameter Store (SecureString, decrypted) or
//! Secrets Manager; [`TaskSecrets`] is what `RunContext::secret` uses: a
//! task's secrets by name, found through `CLOUDCRON_SECRET_<NAME>` (see
//! [`contract::task_secret`](crate::contract::task_secret)), read on first
//! use and cached per container for a TTL (5 minutes by default).
//!
//! Values are [`SecretString`]s (redacted `Debug`); errors name the secret
//! and its reference, never a value. The notifiers read their channel
//! secrets with the same [`SecretReader`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use secrecy::SecretString;

use crate::contract::notifier::{InvalidSecretRef, SecretRef};
use crate::contract::task_secret::secret_env_var;
use crate::env::Environment;
use crate::sdk_error::{error_chain, is_local_configuration};

/// How long a read secret is used before it is read again.
pub const DEFAULT_SECRET_TTL: Duration = Duration::from_secs(300);

/// Why a store read failed: AWS's code and message (never a value), what to
/// do, and whether a later attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    /// What failed.
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// Whether a later attempt may succeed.
    pub transient: bool,
}

/// Reads secret values from SSM Parameter Store and Secrets Manager.
#[derive(Debug, Clone)]
pub struct SecretReader {
    ssm: aws_sdk_ssm::Client,
    secrets_manager: aws_sdk_secretsmanager::Client,
}

impl SecretReader {
    /// A reader with clients from `sdk`.
    pub fn new(sdk: &SdkConfig) -> SecretReader {
        SecretReader {
            ssm: aws_sdk_ssm::Client::new(sdk),
            secrets_manager: aws_sdk_secretsmanager::Client::new(sdk),
        }
    }

    /// The value `reference` points at.
    ///
    /// # Errors
    ///
    /// A [`ReadFailure`] when the store refuses or fails, or holds no string.
    pub async fn read(&self, reference: &SecretRef) -> Result<SecretString, ReadFailure> {
        match reference {
            SecretRef::Ssm { name } => {
                let output = self
                    .ssm
                    .get_parameter()
                    .name(name)
                    .with_decryption(true)
                    .send()
                    .await
                    .map_err(|e| {
                        classify(
                            &e,
                            "ssm:GetParameter (and kms:Decrypt on the parameter's key)",
                        )
                    })?;
                let value = output
                    .parameter
                    .and_then(|p| p.value)
                    .ok_or_else(|| ReadFailure {
                        message: "the parameter has no value".into(),
                        hint: "give the parameter a value".into(),
                        transient: false,
                    })?;
                Ok(SecretString::from(value))
            }
            SecretRef::SecretsManager { id } => {
                let output = self
                    .secrets_manager
                    .get_secret_value()
                    .secret_id(id)
                    .send()
                    .await
                    .map_err(|e| {
                        classify(
                            &e,
                            "secretsmanager:GetSecretValue (and kms:Decrypt on the secret's key)",
                        )
                    })?;
                let value = output.secret_string.ok_or_else(|| ReadFailure {
                    message: "the secret has no SecretString (a binary secret)".into(),
                    hint: "store the value as a string secret".into(),
                    transient: false,
                })?;
                Ok(SecretString::from(value))
            }
        }
    }
}

/// What an SDK failure means for a secret read.
fn classify<E, R>(error: &SdkError<E, R>, permission: &str) -> ReadFailure
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
                "ThrottlingException"
                    | "InternalServerError"
                    | "InternalServiceError"
                    | "ServiceUnavailable"
            );
            let hint = match code {
                "ParameterNotFound" | "ResourceNotFoundException" => {
                    "create it, or fix the reference".to_owned()
                }
                "AccessDeniedException" => format!("grant the function's role {permission}"),
                _ if transient => "a later attempt may succeed".to_owned(),
                _ => "check the reference and the function's permissions".to_owned(),
            };
            ReadFailure {
                message,
                hint,
                transient,
            }
        }
        _ if is_local_configuration(error) => ReadFailure {
            message: error_chain(error),
            hint: "check the AWS configuration (region, credentials, endpoint URL)".to_owned(),
            transient: false,
        },
        _ => ReadFailure {
            message: error_chain(error),
            hint: "the store could not be reached: check the network (VPC endpoints or NAT); a later attempt may succeed".to_owned(),
            transient: true,
        },
    }
}

/// Where [`TaskSecrets`] reads values: a [`SecretReader`], or a stand-in in tests.
pub trait SecretSource: Send + Sync + 'static {
    /// The value `reference` points at.
    fn read<'a>(
        &'a self,
        reference: &'a SecretRef,
    ) -> Pin<Box<dyn Future<Output = Result<SecretString, ReadFailure>> + Send + 'a>>;
}

impl SecretSource for SecretReader {
    fn read<'a>(
        &'a self,
        reference: &'a SecretRef,
    ) -> Pin<Box<dyn Future<Output = Result<SecretString, ReadFailure>> + Send + 'a>> {
        Box::pin(SecretReader::read(self, reference))
    }
}

/// The time a cache entry is judged by (injectable for tests).
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Instant;
}

/// [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A task secret could not be had. Messages name the secret, its variable
/// or its reference, never a value.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// No reference for the secret in the environment.
    #[error(
        "secret {name} is not declared: {var} is not set (declare it on the function with .secret(\"{name}\", SecretRef::ssm(\"/PARAMETER/NAME\")))"
    )]
    NotDeclared {
        /// The secret asked for.
        name: String,
        /// The variable that should point at it.
        var: String,
    },
    /// The name cannot be a secret name.
    #[error("{0}")]
    InvalidName(#[from] cloud_cron_contract::task_secret::InvalidSecretName),
    /// The variable does not hold a reference.
    #[error("secret {name}: {var}: {source}")]
    RefInvalid {
        /// The secret.
        name: String,
        /// The variable.
        var: String,
        /// Why (never echoes a value).
        #[source]
        source: InvalidSecretRef,
    },
    /// The store refused or failed.
    #[error("secret {name} (`{reference}`) could not be read: {}; {}", failure.message, failure.hint)]
    Unavailable {
        /// The secret.
        name: String,
        /// Its reference (`ssm:/...`), never its value.
        reference: String,
        /// What failed.
        failure: ReadFailure,
    },
}

impl SecretError {
    /// Whether a later attempt may succeed without a configuration change.
    pub fn is_transient(&self) -> bool {
        matches!(self, SecretError::Unavailable { failure, .. } if failure.transient)
    }
}

/// A task's secrets by name, read on first use and cached for a TTL.
///
/// ```
/// use std::time::Duration;
/// use cloud_cron_runtime::secrets::{ReadFailure, SecretSource, TaskSecrets};
/// use cloud_cron_runtime::contract::notifier::SecretRef;
/// use cloud_cron_runtime::Environment;
/// use secrecy::{ExposeSecret, SecretString};
///
/// struct Fixed;
/// impl SecretSource for Fixed {
///     fn read<'a>(&'a self, _: &'a SecretRef) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<SecretString, ReadFailure>> + Send + 'a>> {
///         Box::pin(async { Ok(SecretString::from("hunter2")) })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let env = Environment::from_pairs([("CLOUDCRON_SECRET_ODOO_PASSWORD", "ssm:/erp/odoo/password")]);
/// let secrets = TaskSecrets::with_source(Fixed, &env).ttl(Duration::from_secs(60));
/// let password = secrets.get("ODOO_PASSWORD").await.unwrap();
/// assert_eq!(password.expose_secret(), "hunter2");
/// assert!(!format!("{password:?}").contains("hunter2"));
/// # });
/// ```
pub struct TaskSecrets {
    refs: BTreeMap<String, String>,
    source: Box<dyn SecretSource>,
    clock: Box<dyn Clock>,
    ttl: Duration,
    cache: tokio::sync::Mutex<BTreeMap<String, (SecretString, Instant)>>,
}

impl TaskSecrets {
    /// The secrets whose references are in `env`, read from AWS with `sdk`.
    pub fn new(sdk: &SdkConfig, env: &Environment) -> TaskSecrets {
        TaskSecrets::with_source(SecretReader::new(sdk), env)
    }

    /// The secrets whose references are in `env`, read from `source`.
    pub fn with_source(source: impl SecretSource, env: &Environment) -> TaskSecrets {
        let prefix = crate::contract::task_secret::SECRET_ENV_PREFIX;
        TaskSecrets {
            refs: env
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            source: Box::new(source),
            clock: Box::new(SystemClock),
            ttl: DEFAULT_SECRET_TTL,
            cache: tokio::sync::Mutex::default(),
        }
    }

    /// Read a secret again once it is older than `ttl` (default 5 minutes).
    pub fn ttl(mut self, ttl: Duration) -> TaskSecrets {
        self.ttl = ttl;
        self
    }

    /// Judge ages by `clock` (tests).
    pub fn clock(mut self, clock: impl Clock) -> TaskSecrets {
        self.clock = Box::new(clock);
        self
    }

    /// The secret `name` (`ODOO_PASSWORD`), from the cache while it is
    /// fresh. A refresh that fails transiently keeps the cached value
    /// (with a warning) until the store answers again.
    ///
    /// # Errors
    ///
    /// [`SecretError`] naming the secret: not declared, not a reference,
    /// or the store refused or failed.
    pub async fn get(&self, name: &str) -> Result<SecretString, SecretError> {
        let var = secret_env_var(name)?;
        let text = self
            .refs
            .get(&var)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SecretError::NotDeclared {
                name: name.to_owned(),
                var: var.clone(),
            })?;
        let reference = text
            .parse::<SecretRef>()
            .map_err(|source| SecretError::RefInvalid {
                name: name.to_owned(),
                var: var.clone(),
                source,
            })?;
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        let cached = cache.get(name);
        if let Some((value, read_at)) = cached {
            if now.saturating_duration_since(*read_at) < self.ttl {
                return Ok(value.clone());
            }
        }
        match self.source.read(&reference).await {
            Ok(value) => {
                tracing::info!(secret = name, reference = %reference, "secret read");
                cache.insert(name.to_owned(), (value.clone(), now));
                Ok(value)
            }
            Err(failure) => match cached {
                Some((value, _)) if failure.transient => {
                    tracing::warn!(secret = name, reference = %reference, error = %failure.message, "secret refresh failed; using the value read before");
                    Ok(value.clone())
                }
                _ => Err(SecretError::Unavailable {
                    name: name.to_owned(),
                    reference: reference.to_string(),
                    failure,
                }),
            },
        }
    }
}

impl fmt::Debug for TaskSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskSecrets")
            .field("declared", &self.refs.keys().collect::<Vec<_>>())
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use secrecy::ExposeSecret;

    use super::*;

    /// Counts reads; answers `value-N` for the N-th, or fails.
    #[derive(Clone, Default)]
    struct Counting {
        reads: Arc<AtomicU32>,
        fail: Arc<Mutex<Option<ReadFailure>>>,
    }

    impl SecretSource for Counting {
        fn read<'a>(
            &'a self,
            _: &'a SecretRef,
        ) -> Pin<Box<dyn Future<Output = Result<SecretString, ReadFailure>> + Send + 'a>> {
            Box::pin(async move {
                if let Some(f) = self.fail.lock().expect("lock").clone() {
                    return Err(f);
                }
                let n = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(SecretString::from(format!("value-{n}")))
            })
        }
    }

    #[derive(Clone)]
    struct Manual(Arc<Mutex<Instant>>);

    impl Clock for Manual {
        fn now(&self) -> Instant {
            *self.0.lock().expect("lock")
        }
    }

    fn env() -> Environment {
        Environment::from_pairs([
            ("CLOUDCRON_SECRET_ODOO_PASSWORD", "ssm:/erp/odoo/password"),
            ("CLOUDCRON_SECRET_BROKEN", "hunter2"),
        ])
    }

    #[tokio::test]
    async fn values_are_cached_for_the_ttl_then_read_again() {
        let source = Counting::default();
        let start = Instant::now();
        let clock = Manual(Arc::new(Mutex::new(start)));
        let secrets = TaskSecrets::with_source(source.clone(), &env()).clock(clock.clone());
        let first = secrets.get("ODOO_PASSWORD").await.expect("read");
        assert_eq!(first.expose_secret(), "value-1");
        *clock.0.lock().expect("lock") = start + Duration::from_secs(299);
        let cached = secrets.get("ODOO_PASSWORD").await.expect("cached");
        assert_eq!(cached.expose_secret(), "value-1");
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
        *clock.0.lock().expect("lock") = start + Duration::from_secs(300);
        let refreshed = secrets.get("ODOO_PASSWORD").await.expect("refreshed");
        assert_eq!(refreshed.expose_secret(), "value-2");

        // A transient refresh failure keeps the value; a permanent one fails.
        *clock.0.lock().expect("lock") = start + Duration::from_secs(700);
        *source.fail.lock().expect("lock") = Some(ReadFailure {
            message: "ThrottlingException".into(),
            hint: "later".into(),
            transient: true,
        });
        let stale = secrets.get("ODOO_PASSWORD").await.expect("stale");
        assert_eq!(stale.expose_secret(), "value-2");
        *source.fail.lock().expect("lock") = Some(ReadFailure {
            message: "AccessDeniedException: no".into(),
            hint: "grant it".into(),
            transient: false,
        });
        let err = secrets.get("ODOO_PASSWORD").await.expect_err("denied");
        let text = err.to_string();
        assert!(
            text.contains("secret ODOO_PASSWORD (`ssm:/erp/odoo/password`)"),
            "{text}"
        );
        assert!(!text.contains("value-"), "{text}");
    }

    #[tokio::test]
    async fn errors_name_the_secret_and_never_a_value() {
        let secrets = TaskSecrets::with_source(Counting::default(), &env());
        let missing = secrets.get("API_KEY").await.expect_err("undeclared");
        assert!(matches!(missing, SecretError::NotDeclared { .. }));
        assert!(
            missing
                .to_string()
                .contains("secret API_KEY is not declared: CLOUDCRON_SECRET_API_KEY"),
            "{missing}"
        );
        let broken = secrets.get("BROKEN").await.expect_err("not a reference");
        let text = format!("{broken} {broken:?}");
        assert!(text.contains("BROKEN"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(secrets.get("lower-case").await.is_err());
        let ok = secrets.get("ODOO_PASSWORD").await.expect("read");
        assert!(!format!("{ok:?} {secrets:?}").contains("value-1"));
    }
}
