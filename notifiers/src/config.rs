//! Reading a notifier's configuration at cold start, per the contract in
//! [`contract::notifier`](cloud_cron_contract::notifier):
//!
//! - `CLOUDCRON_CHANNEL`: the [`ChannelConfig`] JSON; its kind must be the
//!   binary's;
//! - `CLOUDCRON_TEMPLATE_<PART>`: a template source per part
//!   (`env:NAME`, `ssm:NAME`, `file:PATH`, `https://...`, `s3://BUCKET/KEY`).
//!   `env:NAME` reads `NAME` from the same environment snapshot (the inline
//!   `CLOUDCRON_TEMPLATE_<PART>_TEXT` case); the other sources go through the
//!   runtime's [`TemplateLoader`]. Every part is loaded and compiled once per
//!   container, concurrently, so a bad template stops the function before it
//!   takes a message;
//! - `CLOUDCRON_TEMPLATE_ALARM_<PART>`: optional, the same for alarm messages
//!   (CloudWatch alarm notifications, watchdog findings); when none is set,
//!   the kind's default alarm templates
//!   ([`cloud_cron_templates::default_alarm_templates`]) are used;
//! - `CLOUDCRON_SECRET_<NAME>`: the references of the secrets the kind needs
//!   ([`ChannelConfig::secrets`]), read into [`Secrets`];
//! - `CLOUDCRON_DEDUP_TABLE`: optional, the DynamoDB table for durable
//!   delivery dedup.
//!
//! Every error says which variable to fix; none contains a secret value.

use std::collections::BTreeMap;

use crate::template_source::{TemplateError, TemplateLoader, TemplateSource};
use aws_config::SdkConfig;
use cloud_cron_contract::notifier::{
    ChannelConfig, ChannelKind, TemplatePart, CHANNEL_ENV, DEDUP_TABLE_ENV,
};
use cloud_cron_runtime::diagnostic::NOTIFIER_CONFIG;
use cloud_cron_runtime::Environment;

use crate::render::{RenderError, Templates};
use crate::secrets::{SecretError, Secrets};
use cloud_cron_templates::MessageKind;

/// Why a notifier cannot start. The function fails its cold start with this
/// error (Lambda reports it and retries the init on the next invocation).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `CLOUDCRON_CHANNEL` is unset or empty.
    #[error(
        "environment variable {CHANNEL_ENV} is not set; it holds the channel's settings as JSON \
         (the NotificationChannel construct sets it)"
    )]
    ChannelMissing,
    /// `CLOUDCRON_CHANNEL` is not a channel configuration.
    #[error("environment variable {CHANNEL_ENV} is not a valid channel configuration: {reason}")]
    ChannelInvalid {
        /// What is wrong (serde's message: settings only, never secrets).
        reason: String,
    },
    /// The configuration is for another kind of channel than this binary's.
    #[error(
        "this is the {expected} notifier but {CHANNEL_ENV} configures a {found} channel; \
         deploy notifier-{found} for it"
    )]
    WrongKind {
        /// The binary's kind.
        expected: ChannelKind,
        /// The configuration's kind.
        found: ChannelKind,
    },
    /// A required template part has no source.
    #[error("{kind} channels need a `{part}` template: set {var} to its template source")]
    TemplateMissing {
        /// The channel kind.
        kind: ChannelKind,
        /// The missing part.
        part: TemplatePart,
        /// The variable to set.
        var: String,
    },
    /// A template part is set that the kind does not use.
    #[error("{var} is set but {kind} channels have no `{part}` template; remove it")]
    TemplateUnexpected {
        /// The channel kind.
        kind: ChannelKind,
        /// The part.
        part: TemplatePart,
        /// The variable.
        var: String,
    },
    /// An email channel has neither an HTML nor a text body.
    #[error(
        "email channels need an HTML or a text body template (or both): set \
         CLOUDCRON_TEMPLATE_HTML or CLOUDCRON_TEMPLATE_TEXT"
    )]
    EmailBodyMissing,
    /// A template could not be loaded.
    #[error("{var}: {source}")]
    TemplateSource {
        /// The variable naming the source.
        var: String,
        /// Why it could not be loaded (see [`TemplateError::is_transient`]).
        #[source]
        source: Box<TemplateError>,
    },
    /// A template does not compile.
    #[error("{var}: {source}")]
    TemplateSyntax {
        /// The variable naming the template's source.
        var: String,
        /// The syntax error.
        #[source]
        source: Box<RenderError>,
    },
    /// A secret could not be read (unset, malformed or unreadable reference).
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The channel refused its settings or secrets (never quoted).
    #[error("the {kind} channel cannot be built: {source}")]
    Channel {
        /// The channel kind.
        kind: ChannelKind,
        /// What the channel refused.
        #[source]
        source: crate::channels::ChannelConfigError,
    },
    /// A channel setting is unusable.
    #[error("invalid {kind} channel setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The channel kind.
        kind: ChannelKind,
        /// The setting (`from`, `to`, ...).
        setting: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },
}

impl ConfigError {
    /// Whether a later cold start may succeed without a configuration change
    /// (a template or secret store that was unreachable or throttled).
    pub fn is_transient(&self) -> bool {
        match self {
            ConfigError::TemplateSource { source, .. } => source.is_transient(),
            ConfigError::Secret(source) => source.is_transient(),
            _ => false,
        }
    }
}

/// A failed cold start reports `cloud_cron::NotifierConfig`
/// ([`NOTIFIER_CONFIG`]) as Lambda's `errorType`.
///
/// ```
/// use cloud_cron_notifiers::ConfigError;
/// let diagnostic = lambda_runtime::Diagnostic::from(ConfigError::ChannelMissing);
/// assert_eq!(diagnostic.error_type, "cloud_cron::NotifierConfig");
/// ```
impl From<ConfigError> for lambda_runtime::Diagnostic {
    fn from(error: ConfigError) -> lambda_runtime::Diagnostic {
        lambda_runtime::Diagnostic {
            error_type: NOTIFIER_CONFIG.to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// Everything a notifier reads at cold start.
#[derive(Debug)]
pub struct NotifierConfig {
    /// The channel's settings.
    pub channel: ChannelConfig,
    /// The compiled templates.
    pub templates: Templates,
    /// The compiled alarm templates: the channel's own, else the kind's defaults.
    pub alarm_templates: Templates,
    /// The secrets the channel kind needs.
    pub secrets: Secrets,
    /// The DynamoDB table for durable delivery dedup, when set.
    pub dedup_table: Option<String>,
}

impl NotifierConfig {
    /// Reads and checks the configuration of a `kind` notifier from `env`:
    /// settings, templates (loaded with `loader` and compiled) and secrets
    /// (read with clients from `sdk`), templates and secrets concurrently.
    ///
    /// # Errors
    ///
    /// The first [`ConfigError`] found, naming the variable to fix.
    pub async fn load(
        kind: ChannelKind,
        env: &Environment,
        sdk: &SdkConfig,
        loader: &TemplateLoader,
    ) -> Result<NotifierConfig, ConfigError> {
        let channel = channel_config(kind, env)?;
        let sources = template_sources(kind, env)?;
        let alarm_sources = alarm_template_sources(kind, env)?;
        let secret_names = channel.secrets();
        let (texts, alarm_texts, secrets) = tokio::try_join!(
            load_templates(MessageKind::Task, &sources, env, loader),
            async {
                match &alarm_sources {
                    Some(sources) => load_templates(MessageKind::Alarm, sources, env, loader)
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            },
            async { Ok(Secrets::resolve(kind, &secret_names, env, sdk).await?) },
        )?;
        let templates = compile(MessageKind::Task, &texts)?;
        let alarm_templates = match alarm_texts {
            Some(texts) => compile(MessageKind::Alarm, &texts)?,
            None => {
                Templates::default_alarm(kind).map_err(|source| ConfigError::TemplateSyntax {
                    var: part_var(MessageKind::Alarm, source.part()),
                    source: Box::new(source),
                })?
            }
        };
        let dedup_table = env
            .get(DEDUP_TABLE_ENV)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        Ok(NotifierConfig {
            channel,
            templates,
            alarm_templates,
            secrets,
            dedup_table,
        })
    }
}

/// `CLOUDCRON_CHANNEL`, parsed, of the expected kind.
pub fn channel_config(kind: ChannelKind, env: &Environment) -> Result<ChannelConfig, ConfigError> {
    let json = env
        .get(CHANNEL_ENV)
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConfigError::ChannelMissing)?;
    let channel: ChannelConfig =
        serde_json::from_str(json).map_err(|e| ConfigError::ChannelInvalid {
            reason: e.to_string(),
        })?;
    if channel.kind() != kind {
        return Err(ConfigError::WrongKind {
            expected: kind,
            found: channel.kind(),
        });
    }
    Ok(channel)
}

/// The template source of each part `env` sets, checked against what `kind` needs.
pub fn template_sources(
    kind: ChannelKind,
    env: &Environment,
) -> Result<BTreeMap<TemplatePart, TemplateSource>, ConfigError> {
    sources_for(MessageKind::Task, kind, env)
}

/// The template source of each alarm part `env` sets
/// (`CLOUDCRON_TEMPLATE_ALARM_<PART>`), checked against what `kind` needs,
/// or `None` when it sets none (the kind's defaults apply).
pub fn alarm_template_sources(
    kind: ChannelKind,
    env: &Environment,
) -> Result<Option<BTreeMap<TemplatePart, TemplateSource>>, ConfigError> {
    let any = TemplatePart::ALL.iter().any(|part| {
        env.get(&part.alarm_env_var())
            .is_some_and(|v| !v.trim().is_empty())
    });
    if !any {
        return Ok(None);
    }
    sources_for(MessageKind::Alarm, kind, env).map(Some)
}

/// The variable naming the template source of `part` for `message` kind.
fn part_var(message: MessageKind, part: TemplatePart) -> String {
    match message {
        MessageKind::Task => part.env_var(),
        MessageKind::Alarm => part.alarm_env_var(),
    }
}

fn sources_for(
    message: MessageKind,
    kind: ChannelKind,
    env: &Environment,
) -> Result<BTreeMap<TemplatePart, TemplateSource>, ConfigError> {
    let mut sources = BTreeMap::new();
    for part in TemplatePart::ALL {
        let var = part_var(message, part);
        let Some(spec) = env.get(&var).filter(|v| !v.trim().is_empty()) else {
            if kind.required_parts().contains(&part) {
                return Err(ConfigError::TemplateMissing { kind, part, var });
            }
            continue;
        };
        if !kind.required_parts().contains(&part) && !kind.optional_parts().contains(&part) {
            return Err(ConfigError::TemplateUnexpected { kind, part, var });
        }
        let source = TemplateSource::parse(spec).map_err(|source| ConfigError::TemplateSource {
            var,
            source: Box::new(source),
        })?;
        sources.insert(part, source);
    }
    if kind == ChannelKind::Email
        && !sources.contains_key(&TemplatePart::Html)
        && !sources.contains_key(&TemplatePart::Text)
    {
        return Err(match message {
            MessageKind::Task => ConfigError::EmailBodyMissing,
            MessageKind::Alarm => ConfigError::TemplateMissing {
                kind,
                part: TemplatePart::Text,
                var: TemplatePart::Text.alarm_env_var(),
            },
        });
    }
    Ok(sources)
}

/// The text of every part: `env:` sources from `env`, the rest through `loader`.
async fn load_templates(
    message: MessageKind,
    sources: &BTreeMap<TemplatePart, TemplateSource>,
    env: &Environment,
    loader: &TemplateLoader,
) -> Result<Vec<(TemplatePart, String)>, ConfigError> {
    let loads = sources.iter().map(|(&part, source)| async move {
        let text = match source {
            TemplateSource::Env { var } => {
                env.get(var)
                    .map(str::to_owned)
                    .ok_or_else(|| TemplateError::EnvVarMissing {
                        location: source.to_string(),
                        var: var.clone(),
                    })
            }
            _ => loader.load(source).await.map(|text| text.to_string()),
        };
        text.map(|text| (part, text))
            .map_err(|source| ConfigError::TemplateSource {
                var: part_var(message, part),
                source: Box::new(source),
            })
    });
    futures_util::future::try_join_all(loads).await
}

fn compile(
    message: MessageKind,
    texts: &[(TemplatePart, String)],
) -> Result<Templates, ConfigError> {
    Templates::compile_for(
        message,
        texts.iter().map(|(part, text)| (*part, text.as_str())),
    )
    .map_err(|source| ConfigError::TemplateSyntax {
        var: part_var(message, source.part()),
        source: Box::new(source),
    })
}
