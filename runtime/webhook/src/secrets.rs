//! [`SecretSet`], the active signing secrets (several during a rotation), and
//! [`SecretCache`], which reads them from a [`SecretSource`] and reads them
//! again after a TTL, so a rotated secret is picked up without a redeploy.
//!
//! Values are [`SecretString`]s: `Debug` is redacted, and nothing here logs
//! or formats one.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// One or more active secrets. `Debug` shows how many, never a value.
#[derive(Clone)]
pub struct SecretSet {
    secrets: Vec<SecretString>,
}

impl SecretSet {
    /// The secrets in `text`, one per line (blank lines and surrounding white
    /// space ignored): how a stored value holds the old and the new secret
    /// during a rotation. `None` when there is none.
    pub fn from_lines(text: &str) -> Option<SecretSet> {
        SecretSet::from_values(text.lines().map(str::trim).filter(|l| !l.is_empty()))
    }

    /// These values. `None` when there is none.
    pub fn from_values<I, V>(values: I) -> Option<SecretSet>
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        let secrets: Vec<SecretString> = values
            .into_iter()
            .map(|v| SecretString::from(v.into()))
            .collect();
        (!secrets.is_empty()).then_some(SecretSet { secrets })
    }

    /// The secrets of both sets.
    pub fn merge(mut self, other: SecretSet) -> SecretSet {
        self.secrets.extend(other.secrets);
        self
    }

    /// The secrets, in order.
    pub fn iter(&self) -> impl Iterator<Item = &SecretString> {
        self.secrets.iter()
    }

    /// How many there are (at least one).
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Always false: a set holds at least one secret.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

impl fmt::Debug for SecretSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretSet")
            .field("count", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

/// Secrets could not be read. Names the reference, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The store refused or failed.
    #[error("secret `{reference}` could not be read: {message}")]
    Unavailable {
        /// Where the secret lives (`ssm:/NAME`).
        reference: String,
        /// The store's error (no value in it).
        message: String,
    },
    /// The stored value has no secret in it.
    #[error("secret `{reference}` is empty; store one secret per line")]
    Empty {
        /// Where the secret lives.
        reference: String,
    },
}

/// Where secrets are read from.
pub trait SecretSource: Send + Sync {
    /// Reads the active secrets.
    fn load(&self) -> impl Future<Output = Result<SecretSet, SecretError>> + Send;
}

/// Secrets given by hand (tests, and receivers built in code).
#[derive(Debug, Clone)]
pub struct StaticSecrets(pub SecretSet);

impl SecretSource for StaticSecrets {
    async fn load(&self) -> Result<SecretSet, SecretError> {
        Ok(self.0.clone())
    }
}

/// Secrets from a [`SecretSource`], read again once `ttl` has passed. When
/// a re-read fails, the secrets read before stay in use (and a warning is
/// logged), so a store outage does not turn into refused webhooks.
pub struct SecretCache<S> {
    source: S,
    ttl: Duration,
    state: Mutex<Option<(Instant, Arc<SecretSet>)>>,
}

impl<S: SecretSource> SecretCache<S> {
    /// A cache over `source`, empty until the first [`get`](Self::get).
    pub fn new(source: S, ttl: Duration) -> SecretCache<S> {
        SecretCache {
            source,
            ttl,
            state: Mutex::new(None),
        }
    }

    /// The secrets, read from the source when there are none yet or they
    /// are older than the TTL.
    ///
    /// # Errors
    ///
    /// The source's [`SecretError`] when nothing was ever read.
    pub async fn get(&self) -> Result<Arc<SecretSet>, SecretError> {
        let mut state = self.state.lock().await;
        if let Some((read_at, secrets)) = state.as_ref() {
            if read_at.elapsed() < self.ttl {
                return Ok(Arc::clone(secrets));
            }
        }
        match self.source.load().await {
            Ok(secrets) => {
                tracing::debug!(count = secrets.len(), "webhook secrets read");
                let secrets = Arc::new(secrets);
                *state = Some((Instant::now(), Arc::clone(&secrets)));
                Ok(secrets)
            }
            Err(error) => match state.as_mut() {
                Some((read_at, secrets)) => {
                    tracing::warn!(%error, "webhook secrets could not be re-read; keeping the ones read before");
                    // Try again after another TTL rather than on every request.
                    *read_at = Instant::now();
                    Ok(Arc::clone(secrets))
                }
                None => Err(error),
            },
        }
    }
}

impl<S> fmt::Debug for SecretCache<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}
