//! The Lambda function: [`ReceiverConfig`] read from the environment
//! ([`cloud_cron_contract::webhook`]), an [`SqsReceiver`] built from it with
//! secrets read at cold start, and [`run`], the `webhook-receiver` binary's
//! body, with JSON logs.

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use cloud_cron_contract::notifier::{InvalidSecretRef, SecretRef};
use cloud_cron_contract::webhook::{
    InvalidSettings, ReceiverSettings, QUEUE_URL_ENV, SECRETS_ENV, SETTINGS_ENV,
};
use lambda_runtime::{service_fn, LambdaEvent};

use crate::handler::Receiver;
use crate::queue::SqsQueue;
use crate::secrets::SecretError;
use crate::store::StoreSecrets;

/// A receiver on an SQS queue with secrets from SSM or Secrets Manager.
pub type SqsReceiver = Receiver<SqsQueue, StoreSecrets>;

/// The receiver's environment is incomplete or wrong. Never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable is unset or empty.
    #[error("{var} is not set; see cloud_cron_contract::webhook for what it holds")]
    Missing {
        /// The variable.
        var: &'static str,
    },
    /// The settings variable is not settings JSON.
    #[error("{var} is not webhook settings JSON: {message}")]
    Json {
        /// The variable.
        var: &'static str,
        /// serde's message.
        message: String,
    },
    /// The settings do not validate.
    #[error(transparent)]
    Settings(#[from] InvalidSettings),
    /// A secret reference does not parse.
    #[error("{var}: {source}")]
    SecretRef {
        /// The variable.
        var: &'static str,
        /// What is wrong.
        source: InvalidSecretRef,
    },
    /// The secrets could not be read at cold start.
    #[error(transparent)]
    Secrets(#[from] SecretError),
}

/// What the environment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// From `CLOUDCRON_WEBHOOK`.
    pub settings: ReceiverSettings,
    /// From `CLOUDCRON_WEBHOOK_QUEUE_URL`.
    pub queue_url: String,
    /// From `CLOUDCRON_WEBHOOK_SECRETS`.
    pub secrets: Vec<SecretRef>,
}

impl ReceiverConfig {
    /// Reads the configuration through `var` (`|name| std::env::var(name).ok()`).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the variable at fault.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<ReceiverConfig, ConfigError> {
        let get = |name: &'static str| {
            var(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError::Missing { var: name })
        };
        let settings: ReceiverSettings =
            serde_json::from_str(&get(SETTINGS_ENV)?).map_err(|e| ConfigError::Json {
                var: SETTINGS_ENV,
                message: e.to_string(),
            })?;
        settings.validate()?;
        let secrets = StoreSecrets::parse_references(&get(SECRETS_ENV)?).map_err(|source| {
            ConfigError::SecretRef {
                var: SECRETS_ENV,
                source,
            }
        })?;
        if secrets.is_empty() {
            return Err(ConfigError::Missing { var: SECRETS_ENV });
        }
        Ok(ReceiverConfig {
            settings,
            queue_url: get(QUEUE_URL_ENV)?.trim().to_owned(),
            secrets,
        })
    }

    /// The receiver this configuration describes, secrets read once already.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Settings`] or [`ConfigError::Secrets`].
    pub async fn receiver(self, sdk: &SdkConfig) -> Result<SqsReceiver, ConfigError> {
        let receiver = Receiver::new(
            self.settings,
            SqsQueue::new(self.queue_url, sdk),
            StoreSecrets::new(self.secrets, sdk),
        )?;
        receiver.warm_up().await?;
        Ok(receiver)
    }
}

/// The `webhook-receiver` function: JSON logs (level from
/// `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG`, default INFO), configuration from
/// the environment, secrets read at cold start, then one response per
/// request.
///
/// # Errors
///
/// A configuration error at cold start, or the Lambda runtime's.
pub async fn run() -> Result<(), lambda_runtime::Error> {
    use lambda_runtime::tracing::subscriber::filter::LevelFilter;
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    lambda_runtime::tracing::subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_target(false)
        .with_max_level(level)
        .init();

    let config = ReceiverConfig::from_env(|name| std::env::var(name).ok())?;
    // API Gateway gives up after 30 s: answer 503 (retry) well before that.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_timeout(Duration::from_secs(10))
        .build();
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .load()
        .await;
    let receiver = Arc::new(config.receiver(&sdk).await?);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let receiver = Arc::clone(&receiver);
            async move { Ok::<_, std::convert::Infallible>(receiver.handle(&event.payload).await) }
        },
    ))
    .await
}
