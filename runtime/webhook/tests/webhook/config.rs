//! The receiver's environment: what is read, and the errors that name the
//! variable at fault without echoing a secret.

use std::collections::HashMap;

use cloud_cron_contract::notifier::SecretRef;
use cloud_cron_contract::webhook::{QUEUE_URL_ENV, SECRETS_ENV, SETTINGS_ENV};
use cloud_cron_webhook::lambda::{ConfigError, ReceiverConfig};

const SETTINGS: &str = r#"{"verification":{"mode":"hmac","header":"Stripe-Signature","format":"timestamped"},"eventId":{"jsonPointer":"/id"}}"#;

fn read(vars: &[(&str, &str)]) -> Result<ReceiverConfig, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ReceiverConfig::from_env(|name| map.get(name).cloned())
}

#[test]
fn a_complete_environment_is_read() {
    let config = read(&[
        (SETTINGS_ENV, SETTINGS),
        (
            QUEUE_URL_ENV,
            "https://sqs.us-east-1.amazonaws.com/123456789012/work.fifo ",
        ),
        (
            SECRETS_ENV,
            "ssm:/hooks/provider, secretsmanager:hooks/provider-next",
        ),
    ])
    .expect("complete");
    assert_eq!(
        config.queue_url,
        "https://sqs.us-east-1.amazonaws.com/123456789012/work.fifo"
    );
    assert_eq!(
        config.secrets,
        vec![
            SecretRef::ssm("/hooks/provider"),
            SecretRef::secrets_manager("hooks/provider-next")
        ]
    );
}

#[test]
fn each_missing_variable_is_named() {
    for (missing, vars) in [
        (
            SETTINGS_ENV,
            vec![(QUEUE_URL_ENV, "q"), (SECRETS_ENV, "ssm:/a")],
        ),
        (
            QUEUE_URL_ENV,
            vec![(SETTINGS_ENV, SETTINGS), (SECRETS_ENV, "ssm:/a")],
        ),
        (
            SECRETS_ENV,
            vec![(SETTINGS_ENV, SETTINGS), (QUEUE_URL_ENV, "q")],
        ),
        (
            SECRETS_ENV,
            vec![
                (SETTINGS_ENV, SETTINGS),
                (QUEUE_URL_ENV, "q"),
                (SECRETS_ENV, " , "),
            ],
        ),
    ] {
        let err = read(&vars).expect_err("incomplete");
        assert!(
            matches!(err, ConfigError::Missing { var } if var == missing),
            "{err}"
        );
        assert!(err.to_string().starts_with(missing), "{err}");
    }
}

#[test]
fn a_secret_value_in_place_of_a_reference_is_not_echoed() {
    let err = read(&[
        (SETTINGS_ENV, SETTINGS),
        (QUEUE_URL_ENV, "q"),
        (SECRETS_ENV, "whsec_pasted_by_mistake"),
    ])
    .expect_err("not a reference");
    let text = err.to_string();
    assert!(text.contains(SECRETS_ENV), "{text}");
    assert!(!text.contains("whsec_pasted_by_mistake"), "{text}");
}

#[test]
fn bad_settings_are_named() {
    let err = read(&[
        (SETTINGS_ENV, "{}"),
        (QUEUE_URL_ENV, "q"),
        (SECRETS_ENV, "ssm:/a"),
    ])
    .expect_err("no verification");
    assert!(matches!(err, ConfigError::Json { .. }), "{err}");
    assert!(err.to_string().contains("verification"), "{err}");
    let err = read(&[
        (
            SETTINGS_ENV,
            r#"{"verification":{"mode":"token","header":"X Token"}}"#,
        ),
        (QUEUE_URL_ENV, "q"),
        (SECRETS_ENV, "ssm:/a"),
    ])
    .expect_err("bad header");
    assert!(
        matches!(err, ConfigError::Settings(ref e) if e.field == "verification.header"),
        "{err}"
    );
}
