//! `ssm:` sources against a moto server (`CLOUDCRON_MOTO_ENDPOINT`, started by
//! `scripts/test`): String and SecureString parameters, a missing parameter,
//! and the cache.

use aws_sdk_ssm::types::ParameterType;
use cloud_cron_notifiers::template_source::{TemplateError, TemplateLoader, TemplateSource};

use crate::support::{moto_endpoint, sdk_config};

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn ssm_parameters_are_read_with_decryption_and_cached() {
    let config = sdk_config(&moto_endpoint()).await;
    let ssm = aws_sdk_ssm::Client::new(&config);
    let prefix = format!("/cloudcron-tests/{}", std::process::id());
    let plain = format!("{prefix}/plain");
    let secure = format!("{prefix}/secure");
    for (name, kind, value) in [
        (&plain, ParameterType::String, "Hello {{ name }}"),
        (
            &secure,
            ParameterType::SecureString,
            "<p>{{ payload.text }}</p>",
        ),
    ] {
        ssm.put_parameter()
            .name(name)
            .r#type(kind)
            .value(value)
            .overwrite(true)
            .send()
            .await
            .expect("PutParameter on moto");
    }
    let loader = TemplateLoader::from_sdk_config(&config);
    let source: TemplateSource = format!("ssm:{plain}").parse().unwrap();
    assert_eq!(&*loader.load(&source).await.unwrap(), "Hello {{ name }}");
    let secure_source: TemplateSource = format!("ssm:{secure}").parse().unwrap();
    assert_eq!(
        &*loader.load(&secure_source).await.unwrap(),
        "<p>{{ payload.text }}</p>",
        "a SecureString is decrypted"
    );

    // Served from the cache after the parameter is gone.
    ssm.delete_parameter().name(&plain).send().await.unwrap();
    assert_eq!(&*loader.load(&source).await.unwrap(), "Hello {{ name }}");

    // A fresh loader sees that it is missing: a permanent error naming it.
    let err = TemplateLoader::from_sdk_config(&config)
        .load(&source)
        .await
        .unwrap_err();
    match &err {
        TemplateError::Ssm { code, .. } => {
            assert_eq!(code.as_deref(), Some("ParameterNotFound"), "{err}")
        }
        other => panic!("expected an SSM error, got {other:?}"),
    }
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(text.contains(&format!("ssm:{plain}")), "{text}");
    assert!(text.contains("create it or fix the name"), "{text}");
}

#[tokio::test]
async fn an_unreachable_ssm_endpoint_is_transient() {
    // Nothing listens on port 9 of the loopback interface.
    let config = sdk_config("http://127.0.0.1:9").await;
    let loader = TemplateLoader::from_sdk_config(&config)
        .with_limits(std::time::Duration::from_secs(20), 1024);
    let err = loader
        .load(&"ssm:/cloudcron/none".parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("ssm:/cloudcron/none"), "{err}");
}
