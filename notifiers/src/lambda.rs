//! The Lambda entry point of every notifier binary, and how a channel plugs
//! into it.
//!
//! A channel type implements [`Channel`] (deliver one rendered message) and
//! [`FromConfig`] (build it from its settings and secrets); its binary is
//! then one line:
//!
//! ```no_run
//! # use cloud_cron_notifiers::channels::email::Email;
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_runtime::Error> {
//!     cloud_cron_notifiers::run::<Email>().await
//! }
//! ```
//!
//! [`run`] sets up JSON-capable `tracing` logs (honouring the function's log
//! format and level), loads the AWS configuration (`AWS_ENDPOINT_URL` is
//! honoured), reads the contract's environment once
//! ([`NotifierConfig::load`]), builds the channel, and serves
//! `SqsEvent -> SqsBatchResponse` invocations with [`Notifier::handle`]. A
//! configuration error fails the cold start with a message naming the
//! variable to fix.

use std::sync::Arc;

use crate::template_source::TemplateLoader;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use cloud_cron_contract::notifier::{ChannelConfig, ChannelKind};
use cloud_cron_runtime::diagnostic::NOTIFIER_CONFIG;
use cloud_cron_runtime::idempotency::IdempotencyStore;
use cloud_cron_runtime::init_error::fail_init;
use cloud_cron_runtime::Environment;

use crate::config::{ConfigError, NotifierConfig};
use crate::delivery::Channel;
use crate::processor::Notifier;
use crate::secrets::Secrets;

/// How a channel is built from its configuration: the one thing besides
/// [`Channel`] a channel implements to get a notifier binary.
///
/// `from_config` is called once per container, after the settings, templates
/// and secrets ([`ChannelConfig::secrets`] of its kind) were read; it should
/// check its settings and fail with [`ConfigError::InvalidSetting`] (or
/// [`Secrets::require`]'s error) rather than at the first message.
///
/// ```
/// use aws_config::SdkConfig;
/// use cloud_cron_notifiers::{Channel, ConfigError, Delivery, DeliveryError, FromConfig, Secrets};
/// use cloud_cron_contract::notifier::{ChannelConfig, ChannelKind, SecretName};
/// use secrecy::SecretString;
///
/// struct Slack { webhook_url: SecretString }
///
/// impl Channel for Slack {
///     async fn deliver(&self, _delivery: Delivery<'_>) -> Result<(), DeliveryError> {
///         Ok(()) // POST the rendered body to the webhook URL
///     }
/// }
///
/// impl FromConfig for Slack {
///     const KIND: ChannelKind = ChannelKind::Slack;
///     fn from_config(config: &ChannelConfig, secrets: &Secrets, _aws: &SdkConfig) -> Result<Self, ConfigError> {
///         let ChannelConfig::Slack(_settings) = config else {
///             return Err(ConfigError::WrongKind { expected: Self::KIND, found: config.kind() });
///         };
///         Ok(Slack { webhook_url: secrets.require(Self::KIND, SecretName::WebhookUrl)?.clone() })
///     }
/// }
/// ```
pub trait FromConfig: Channel + Sized + 'static {
    /// The kind of channel; `CLOUDCRON_CHANNEL` must configure this kind.
    const KIND: ChannelKind;

    /// Builds the channel from its settings (always of kind [`Self::KIND`]),
    /// its secrets, and the AWS configuration (for AWS-backed channels).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the setting or secret to fix.
    fn from_config(
        config: &ChannelConfig,
        secrets: &Secrets,
        aws: &SdkConfig,
    ) -> Result<Self, ConfigError>;
}

impl<C: FromConfig> Notifier<C> {
    /// Reads the contract's environment `env` (see [`NotifierConfig::load`]),
    /// builds the channel with [`FromConfig::from_config`] and, when
    /// `CLOUDCRON_DEDUP_TABLE` is set, the durable dedup store, all with
    /// clients from `sdk`.
    ///
    /// # Errors
    ///
    /// The first [`ConfigError`].
    pub async fn from_env(env: &Environment, sdk: &SdkConfig) -> Result<Notifier<C>, ConfigError> {
        let loader = TemplateLoader::from_sdk_config(sdk);
        // Boxed: the SDK futures nest too deeply for a binary's default recursion limit.
        let config = Box::pin(NotifierConfig::load(C::KIND, env, sdk, &loader)).await?;
        let channel = C::from_config(&config.channel, &config.secrets, sdk)?;
        let notifier =
            Notifier::new(channel, config.templates).with_alarm_templates(config.alarm_templates);
        Ok(match config.dedup_table {
            Some(table) => notifier.with_dedup_store(IdempotencyStore::new(
                aws_sdk_dynamodb::Client::new(sdk),
                table,
            )),
            None => notifier,
        })
    }
}

/// Runs the notifier of channel `C` as a Lambda function: the whole `main`
/// of a notifier binary.
///
/// # Errors
///
/// A configuration error at cold start (logged, reported to Lambda's init
/// error endpoint as `cloud_cron::NotifierConfig`, then returned so the
/// process exits non-zero), or a Lambda runtime failure.
pub async fn run<C: FromConfig>() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let env = Environment::from_process();
    let started = std::time::Instant::now();
    let notifier = match Notifier::<C>::from_env(&env, &sdk).await {
        Ok(notifier) => Arc::new(notifier),
        Err(e) => {
            tracing::error!(channel = %C::KIND, error = %e, error_type = NOTIFIER_CONFIG, transient = e.is_transient(), "configuration error: the notifier cannot start");
            let e = fail_init(e, NOTIFIER_CONFIG).await;
            return Err(e.into());
        }
    };
    tracing::info!(
        channel = %C::KIND,
        parts = ?notifier.templates().parts().map(|p| p.as_str()).collect::<Vec<_>>(),
        alarm_parts = ?notifier.alarm_templates().map(|t| t.parts().map(|p| p.as_str()).collect::<Vec<_>>()),
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "notifier ready"
    );
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<SqsEvent>| {
            let notifier = Arc::clone(&notifier);
            async move {
                Ok::<SqsBatchResponse, lambda_runtime::Error>(
                    notifier
                        .handle(&event.payload, Some(event.context.deadline()))
                        .await,
                )
            }
        },
    ))
    .await
}
