//! Every channel kind builds from its contract settings and secrets, the
//! way its notifier binary does at cold start, and refuses the wrong kind,
//! a missing secret or a bad setting with an error that quotes no secret.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use cloud_cron_contract::notifier::{ChannelConfig, SecretName};
use cloud_cron_notifiers::channels::{
    email::Email, slack::Slack, teams::Teams, twilio::TwilioSms, webhook::Webhook,
};
use cloud_cron_notifiers::{ConfigError, FromConfig, Secrets};

fn sdk() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build()
}

fn config(json: &str) -> ChannelConfig {
    serde_json::from_str(json).expect("contract JSON")
}

const SMS: &str = r#"{"kind":"sms","accountSid":"AC0123456789abcdef0123456789abcdef","sender":{"from":"+15550001111"},"to":["+15550002222"],"auth":{"type":"authToken"}}"#;

#[test]
fn every_kind_builds_from_its_settings_and_secrets() {
    let hook = Secrets::from_values([(
        SecretName::WebhookUrl,
        "https://hooks.example.com/T/B/secret-path",
    )]);
    let twilio = Secrets::from_values([(SecretName::TwilioCredential, "auth-token-value")]);
    let signed = Secrets::from_values([
        (SecretName::WebhookUrl, "https://erp.example.com/hook"),
        (SecretName::SigningKey, "signing-key-value"),
    ]);
    let none = Secrets::from_values::<_, String>([]);
    Email::from_config(
        &config(r#"{"kind":"email","from":"me@example.com","to":["a@example.com"]}"#),
        &none,
        &sdk(),
    )
    .expect("email");
    TwilioSms::from_config(&config(SMS), &twilio, &sdk()).expect("sms");
    Slack::from_config(&config(r#"{"kind":"slack"}"#), &hook, &sdk()).expect("slack");
    Teams::from_config(&config(r#"{"kind":"teams"}"#), &hook, &sdk()).expect("teams");
    Webhook::from_config(
        &config(r#"{"kind":"webhook","signed":true}"#),
        &signed,
        &sdk(),
    )
    .expect("webhook");
}

#[test]
fn the_wrong_kind_a_missing_secret_and_a_bad_setting_are_refused_without_quoting_secrets() {
    let hook = Secrets::from_values([(
        SecretName::WebhookUrl,
        "http://hooks.example.com/T/B/secret-path",
    )]);
    let err = Slack::from_config(&config(SMS), &hook, &sdk()).unwrap_err();
    assert!(matches!(err, ConfigError::WrongKind { .. }), "{err}");

    let none = Secrets::from_values::<_, String>([]);
    let err = TwilioSms::from_config(&config(SMS), &none, &sdk()).unwrap_err();
    assert!(
        err.to_string()
            .contains("CLOUDCRON_SECRET_TWILIO_CREDENTIAL"),
        "{err}"
    );

    // Plain http to a public host is refused, and the URL's secret path is not echoed.
    let err = Slack::from_config(&config(r#"{"kind":"slack"}"#), &hook, &sdk()).unwrap_err();
    assert!(matches!(err, ConfigError::Channel { .. }), "{err}");
    assert!(!err.to_string().contains("secret-path"), "{err}");
}
