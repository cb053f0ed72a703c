//! Secrets and SSM-held templates against moto (`CLOUDCRON_MOTO_ENDPOINT`):
//! SSM SecureString and Secrets Manager values are read at start-up, held
//! redacted, and errors name references, never values.

use crate::support;

use crate::support::sdk_config;
use aws_sdk_ssm::types::ParameterType;
use cloud_cron_contract::notifier::{ChannelKind, SecretName, TemplatePart};
use cloud_cron_notifiers::template_source::TemplateLoader;
use cloud_cron_notifiers::{NotifierConfig, SecretError, Secrets};
use cloud_cron_runtime::Environment;
use secrecy::ExposeSecret;

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn secrets_come_from_ssm_and_secrets_manager() {
    let sdk = sdk_config(&support::moto_endpoint()).await;
    let unique = std::process::id();
    let parameter = format!("/cloudcron-tests/{unique}/webhook");
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .r#type(ParameterType::SecureString)
        .value("https://hooks.example/T000/B000/XXXX")
        .send()
        .await
        .expect("PutParameter");
    let secret = format!("cloudcron-tests-{unique}-signing");
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(&secret)
        .secret_string("s3cr3t-signing-key")
        .send()
        .await
        .expect("CreateSecret");
    let env = Environment::from_pairs([
        ("CLOUDCRON_SECRET_WEBHOOK_URL", format!("ssm:{parameter}")),
        (
            "CLOUDCRON_SECRET_SIGNING_KEY",
            format!("secretsmanager:{secret}"),
        ),
    ]);
    let secrets = Secrets::resolve(
        ChannelKind::Webhook,
        &[SecretName::WebhookUrl, SecretName::SigningKey],
        &env,
        &sdk,
    )
    .await
    .expect("secrets read");
    assert_eq!(
        secrets
            .get(SecretName::WebhookUrl)
            .expect("url")
            .expose_secret(),
        "https://hooks.example/T000/B000/XXXX"
    );
    assert_eq!(
        secrets
            .get(SecretName::SigningKey)
            .expect("key")
            .expose_secret(),
        "s3cr3t-signing-key"
    );
    let debug = format!("{secrets:?}");
    assert!(
        !debug.contains("hooks.example") && !debug.contains("s3cr3t"),
        "{debug}"
    );

    // A reference to nothing: a permanent error naming the reference.
    let missing = Environment::from_pairs([(
        "CLOUDCRON_SECRET_WEBHOOK_URL",
        format!("ssm:{parameter}-missing"),
    )]);
    let e = Secrets::resolve(
        ChannelKind::Slack,
        &[SecretName::WebhookUrl],
        &missing,
        &sdk,
    )
    .await
    .expect_err("missing parameter");
    assert!(
        matches!(
            e,
            SecretError::Unavailable {
                transient: false,
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!("`ssm:{parameter}-missing`")) && text.contains("ParameterNotFound"),
        "{text}"
    );
}

#[tokio::test]
async fn secret_references_are_checked_without_echoing_values() {
    let sdk = sdk_config("http://127.0.0.1:9").await;
    let e = Secrets::resolve(
        ChannelKind::Slack,
        &[SecretName::WebhookUrl],
        &Environment::default(),
        &sdk,
    )
    .await
    .expect_err("unset");
    assert!(
        e.to_string()
            .contains("CLOUDCRON_SECRET_WEBHOOK_URL, which is not set"),
        "{e}"
    );
    // Someone pasted the URL itself instead of a reference.
    let env = Environment::from_pairs([(
        "CLOUDCRON_SECRET_WEBHOOK_URL",
        "https://hooks.slack.com/services/T0/B0/SECRETTOKEN",
    )]);
    let e = Secrets::resolve(ChannelKind::Slack, &[SecretName::WebhookUrl], &env, &sdk)
        .await
        .expect_err("not a reference");
    let text = e.to_string();
    assert!(
        text.starts_with("CLOUDCRON_SECRET_WEBHOOK_URL: secret reference"),
        "{text}"
    );
    assert!(!text.contains("SECRETTOKEN"), "{text}");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn templates_can_live_in_ssm() {
    let sdk = sdk_config(&support::moto_endpoint()).await;
    let name = format!("/cloudcron-tests/{}/alert-html", std::process::id());
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&name)
        .r#type(ParameterType::String)
        .value("<p>{{ payload.text }}</p>")
        .send()
        .await
        .expect("PutParameter");
    let env = Environment::from_pairs([
        (
            "CLOUDCRON_CHANNEL",
            r#"{"kind":"email","from":"a@example.com","to":["b@example.com"]}"#.to_owned(),
        ),
        ("CLOUDCRON_TEMPLATE_SUBJECT", "env:SUBJECT".to_owned()),
        ("SUBJECT", "s".to_owned()),
        ("CLOUDCRON_TEMPLATE_HTML", format!("ssm:{name}")),
        ("CLOUDCRON_DEDUP_TABLE", "deliveries".to_owned()),
    ]);
    let config = NotifierConfig::load(
        ChannelKind::Email,
        &env,
        &sdk,
        &TemplateLoader::from_sdk_config(&sdk),
    )
    .await
    .expect("configured");
    assert_eq!(
        config.templates.parts().collect::<Vec<_>>(),
        [TemplatePart::Subject, TemplatePart::Html]
    );
    assert_eq!(config.dedup_table.as_deref(), Some("deliveries"));
    let rendered = config
        .templates
        .render(&support::envelope(
            "2026-11-28T06:00:00Z",
            0,
            serde_json::json!({"text": "<hi>"}),
        ))
        .expect("renders");
    assert_eq!(rendered.get(TemplatePart::Html), Some("<p>&lt;hi&gt;</p>"));
}
