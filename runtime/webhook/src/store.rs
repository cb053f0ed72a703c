//! [`StoreSecrets`]: the signing secrets read from SSM Parameter Store
//! (SecureString, decrypted) or Secrets Manager, from the references in
//! `CLOUDCRON_WEBHOOK_SECRETS` (see [`cloud_cron_contract::webhook`]).

use aws_config::SdkConfig;
use aws_sdk_ssm::error::DisplayErrorContext;
use cloud_cron_contract::notifier::{InvalidSecretRef, SecretRef};
use secrecy::SecretString;

use crate::secrets::{SecretError, SecretSet, SecretSource};

/// Secrets in SSM parameters and Secrets Manager secrets. Each stored value
/// holds one secret per line; all of them are active.
#[derive(Debug, Clone)]
pub struct StoreSecrets {
    references: Vec<SecretRef>,
    ssm: aws_sdk_ssm::Client,
    secretsmanager: aws_sdk_secretsmanager::Client,
}

impl StoreSecrets {
    /// Secrets at `references`, read with clients built from `sdk`.
    pub fn new(references: Vec<SecretRef>, sdk: &SdkConfig) -> StoreSecrets {
        StoreSecrets {
            references,
            ssm: aws_sdk_ssm::Client::new(sdk),
            secretsmanager: aws_sdk_secretsmanager::Client::new(sdk),
        }
    }

    /// The references in a `CLOUDCRON_WEBHOOK_SECRETS` value: comma-separated.
    ///
    /// # Errors
    ///
    /// The first reference that does not parse (the error shows its scheme only).
    ///
    /// ```
    /// let refs = cloud_cron_webhook::StoreSecrets::parse_references("ssm:/hooks/a, secretsmanager:hooks-b").unwrap();
    /// assert_eq!(refs.len(), 2);
    /// assert!(cloud_cron_webhook::StoreSecrets::parse_references("hunter2").is_err());
    /// ```
    pub fn parse_references(text: &str) -> Result<Vec<SecretRef>, InvalidSecretRef> {
        text.split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::parse)
            .collect()
    }

    async fn fetch(&self, reference: &SecretRef) -> Result<SecretString, SecretError> {
        let unavailable = |message: String| SecretError::Unavailable {
            reference: reference.to_string(),
            message,
        };
        let value = match reference {
            SecretRef::Ssm { name } => self
                .ssm
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| unavailable(DisplayErrorContext(&e).to_string()))?
                .parameter
                .and_then(|p| p.value),
            SecretRef::SecretsManager { id } => {
                self.secretsmanager
                    .get_secret_value()
                    .secret_id(id)
                    .send()
                    .await
                    .map_err(|e| unavailable(DisplayErrorContext(&e).to_string()))?
                    .secret_string
            }
        };
        value
            .map(SecretString::from)
            .ok_or_else(|| SecretError::Empty {
                reference: reference.to_string(),
            })
    }
}

impl SecretSource for StoreSecrets {
    async fn load(&self) -> Result<SecretSet, SecretError> {
        let mut all: Option<SecretSet> = None;
        for reference in &self.references {
            let value = self.fetch(reference).await?;
            let set = secrecy::ExposeSecret::expose_secret(&value);
            let set = SecretSet::from_lines(set).ok_or_else(|| SecretError::Empty {
                reference: reference.to_string(),
            })?;
            tracing::info!(secret = %reference, count = set.len(), "webhook secret read");
            all = Some(match all {
                Some(all) => all.merge(set),
                None => set,
            });
        }
        all.ok_or_else(|| SecretError::Empty {
            reference: "(no references)".to_owned(),
        })
    }
}
