//! `TaskSecrets` / `SecretReader` against moto's SSM Parameter Store and
//! Secrets Manager: values read by reference, errors that name the secret
//! and never a value.

use cloud_cron_runtime::contract::notifier::SecretRef;
use cloud_cron_runtime::secrets::{SecretError, SecretReader, TaskSecrets};
use cloud_cron_runtime::Environment;
use secrecy::ExposeSecret;

use crate::support::{moto_endpoint, sdk_config};

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", fastrand::u64(..))
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn reads_ssm_and_secrets_manager_values_by_reference() {
    let sdk = sdk_config(&moto_endpoint()).await;
    let parameter = format!("/erp/{}/password", unique("odoo"));
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .value("ssm-value-1")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put parameter");
    let secret = unique("erp/odoo-api-key");
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(&secret)
        .secret_string("sm-value-1")
        .send()
        .await
        .expect("create secret");

    let reader = SecretReader::new(&sdk);
    let value = reader
        .read(&SecretRef::ssm(&parameter))
        .await
        .expect("read parameter");
    assert_eq!(value.expose_secret(), "ssm-value-1");

    let env = Environment::from_pairs([
        ("CLOUDCRON_SECRET_ODOO_PASSWORD", format!("ssm:{parameter}")),
        (
            "CLOUDCRON_SECRET_ODOO_API_KEY",
            format!("secretsmanager:{secret}"),
        ),
    ]);
    let secrets = TaskSecrets::new(&sdk, &env);
    let password = secrets.get("ODOO_PASSWORD").await.expect("password");
    assert_eq!(password.expose_secret(), "ssm-value-1");
    let key = secrets.get("ODOO_API_KEY").await.expect("api key");
    assert_eq!(key.expose_secret(), "sm-value-1");
    assert!(!format!("{password:?} {key:?} {secrets:?}").contains("value-1"));
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_missing_secret_is_named_in_the_error() {
    let sdk = sdk_config(&moto_endpoint()).await;
    let parameter = format!("/erp/{}/missing", unique("odoo"));
    let env = Environment::from_pairs([
        ("CLOUDCRON_SECRET_ODOO_PASSWORD", format!("ssm:{parameter}")),
        (
            "CLOUDCRON_SECRET_ODOO_API_KEY",
            format!("secretsmanager:{}", unique("erp/missing")),
        ),
    ]);
    let secrets = TaskSecrets::new(&sdk, &env);
    let err = secrets.get("ODOO_PASSWORD").await.expect_err("missing");
    let text = err.to_string();
    assert!(matches!(err, SecretError::Unavailable { .. }), "{text}");
    assert!(
        text.contains(&format!(
            "secret ODOO_PASSWORD (`ssm:{parameter}`) could not be read"
        )),
        "{text}"
    );
    assert!(text.contains("ParameterNotFound"), "{text}");
    assert!(!err.is_transient());
    let err = secrets.get("ODOO_API_KEY").await.expect_err("missing");
    assert!(
        err.to_string().contains("ResourceNotFoundException"),
        "{err}"
    );
}
