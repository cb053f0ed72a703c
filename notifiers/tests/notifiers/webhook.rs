//! The generic webhook channel against a local receiver.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::http_support::*;
use cloud_cron_contract::notifier::{TemplatePart, WebhookSettings};
use cloud_cron_notifiers::channels::webhook::{
    Webhook, DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use cloud_cron_notifiers::channels::{ChannelConfigError, REQUEST_TIMEOUT};
use cloud_cron_notifiers::{Channel, DeliveryError};
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;
use wiremock::ResponseTemplate;

const PATH: &str = "/hooks/cloud-cron/pAtHsEcReT0123456789";
const KEY: &str = "whsec-SIGNING-KEY-0001";

fn webhook(base: &str, key: Option<&str>) -> Webhook {
    Webhook::new(
        WebhookSettings {
            signed: key.is_some(),
        },
        SecretString::from(format!("{base}{PATH}")),
        key.map(|k| SecretString::from(k.to_owned())),
        reqwest::Client::new(),
    )
    .expect("valid settings")
}

#[tokio::test]
async fn posts_the_rendered_json_body_as_is() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let envelope = envelope();
    let text = "{ \"status\": \"ok\",\n  \"count\": 3 }";
    let rendered = rendered(&[(TemplatePart::Body, text)]);
    webhook(&server.uri(), None)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_common_headers(&request, "application/json");
    assert_eq!(request.url.path(), PATH);
    assert_eq!(header(&request, DELIVERY_HEADER), ID);
    assert_eq!(body(&request), text);
    assert!(request.headers.get(SIGNATURE_HEADER).is_none());
    assert!(request.headers.get(TIMESTAMP_HEADER).is_none());
}

#[tokio::test]
async fn without_a_body_template_posts_the_envelope() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let envelope = envelope();
    let rendered = rendered(&[]);
    webhook(&server.uri(), None)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        body(&request),
        format!(
            concat!(
                r#"{{"cloudCron":1,"id":"{}","task":"Report","topic":"alerts","#,
                r#""scheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/default/report","#,
                r#""scheduledTime":"2026-11-28T09:00:00Z","ordinal":0,"payload":{{"status":"ok","count":3}}}}"#
            ),
            ID
        )
    );
}

#[tokio::test]
async fn signed_bodies_verify_with_the_documented_recipe() {
    let server = server_answering(ResponseTemplate::new(202)).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, r#"{"text":"héllo"}"#)]);
    webhook(&server.uri(), Some(KEY))
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    let timestamp = header(&request, TIMESTAMP_HEADER);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sent: u64 = timestamp.parse().unwrap();
    assert!(now.abs_diff(sent) <= 60, "timestamp {sent} vs now {now}");

    // Recompute independently: HMAC-SHA256(key, "<timestamp>.<raw body>").
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&request.body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header(&request, SIGNATURE_HEADER), format!("sha256={hex}"));
    assert_eq!(
        Webhook::signature(KEY.as_bytes(), sent, &request.body),
        format!("sha256={hex}")
    );
    // A different key or body does not verify.
    assert_ne!(
        Webhook::signature(b"other key", sent, &request.body),
        format!("sha256={hex}")
    );
    assert_ne!(
        Webhook::signature(KEY.as_bytes(), sent, b"{}"),
        format!("sha256={hex}")
    );
    assert_eq!(header(&request, DELIVERY_HEADER), ID);
}

#[tokio::test]
async fn invalid_json_is_permanent_and_sends_nothing() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "{\"status\": ok}")]);
    let err = webhook(&server.uri(), None)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn classifies_receiver_errors() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let channel = webhook(&server.uri(), Some(KEY));
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "{}")]);
    assert_error_classification(&server, &[PATH, "pAtHsEcReT0123456789", KEY], || {
        channel.deliver(delivery(&envelope, &rendered))
    })
    .await;
    // Beyond the shared cases: 408 is transient, other 4xx permanent.
    for (code, transient) in [(408, true), (410, false), (422, false), (502, true)] {
        server.reset().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(code))
            .mount(&server)
            .await;
        let err = channel
            .deliver(delivery(&envelope, &rendered))
            .await
            .unwrap_err();
        assert_eq!(err.is_transient(), transient, "{code}: {err:?}");
    }
}

#[tokio::test]
async fn connection_failures_are_transient_and_hide_the_url() {
    let channel = webhook(&closed_port().await, None);
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "{}")]);
    let err = channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("pAtHsEcReT") && !shown.contains("/hooks/"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_transiently() {
    let server = server_answering(
        ResponseTemplate::new(200).set_delay(REQUEST_TIMEOUT + Duration::from_secs(2)),
    )
    .await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "{}")]);
    let started = std::time::Instant::now();
    let err = webhook(&server.uri(), None)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(
        err.to_string().contains("did not answer within 10s"),
        "{err}"
    );
    assert!(started.elapsed() < REQUEST_TIMEOUT + Duration::from_secs(2));
    assert!(!format!("{err:?}").contains("pAtHsEcReT"));
}

#[test]
fn secrets_are_checked_and_never_shown() {
    let shown = format!("{:?}", webhook("https://example.com", Some(KEY)));
    assert!(
        !shown.contains("pAtHsEcReT") && !shown.contains(KEY),
        "{shown}"
    );
    let new = |signed: bool, key: Option<&str>| {
        Webhook::new(
            WebhookSettings { signed },
            SecretString::from(format!("https://example.com{PATH}")),
            key.map(|k| SecretString::from(k.to_owned())),
            reqwest::Client::new(),
        )
    };
    assert_eq!(
        new(true, None).unwrap_err(),
        ChannelConfigError::MissingSigningKey
    );
    assert_eq!(
        new(false, Some(KEY)).unwrap_err(),
        ChannelConfigError::UnexpectedSigningKey
    );
    assert!(matches!(
        new(true, Some("")).unwrap_err(),
        ChannelConfigError::EmptySecret { .. }
    ));
    let err = Webhook::new(
        WebhookSettings::default(),
        SecretString::from(format!("http://10.0.0.8{PATH}")),
        None,
        reqwest::Client::new(),
    )
    .unwrap_err();
    assert!(matches!(err, ChannelConfigError::InsecureUrl { .. }));
    assert!(!err.to_string().contains("pAtHsEcReT"));
}
