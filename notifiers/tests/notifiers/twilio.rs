//! The Twilio SMS channel against a local server standing in for Twilio.

use std::time::Duration;

use crate::http_support::*;
use cloud_cron_contract::notifier::{
    SmsSender, SmsSettings, TemplatePart, TwilioAuth, SMS_MAX_CHARS,
};
use cloud_cron_notifiers::channels::twilio::TwilioSms;
use cloud_cron_notifiers::channels::ChannelConfigError;
use cloud_cron_notifiers::{Channel, DeliveryError};
use secrecy::SecretString;
use wiremock::matchers::{any, body_string_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "tok-SECRET-1234";
const KEY_SID: &str = "SKfedcba9876543210fedcba9876543210";
const KEY_SECRET: &str = "keysecret-SECRET-5678";
const MESSAGING_SERVICE: &str = "MG00112233445566778899aabbccddeeff";
const ALICE: &str = "+15550002222";
const BOB: &str = "+447700900123";

fn settings(to: &[&str]) -> SmsSettings {
    SmsSettings {
        account_sid: ACCOUNT.to_owned(),
        sender: SmsSender::From("+15550001111".to_owned()),
        to: to.iter().map(|s| (*s).to_owned()).collect(),
        auth: TwilioAuth::AuthToken,
    }
}

fn sms(settings: SmsSettings, secret: &str, server: &MockServer) -> TwilioSms {
    TwilioSms::new(
        settings,
        SecretString::from(secret.to_owned()),
        reqwest::Client::new(),
    )
    .expect("valid settings")
    .with_base_url(&server.uri())
    .expect("a loopback URL")
}

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_string(r#"{"sid":"SM0123","status":"queued"}"#)
}

#[tokio::test]
async fn posts_one_form_per_recipient_with_auth_token() {
    let server = server_answering(created()).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "Report: 3 items & 1 warning ✓")]);
    sms(settings(&[ALICE, BOB]), TOKEN, &server)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for (request, to) in requests.iter().zip(["%2B15550002222", "%2B447700900123"]) {
        assert_common_headers(request, "application/x-www-form-urlencoded");
        assert_eq!(
            request.url.path(),
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        );
        // base64("AC0123456789abcdef0123456789abcdef:tok-SECRET-1234")
        assert_eq!(
            header(request, "authorization"),
            "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0b2stU0VDUkVULTEyMzQ="
        );
        assert_eq!(
            body(request),
            format!("To={to}&From=%2B15550001111&Body=Report%3A+3+items+%26+1+warning+%E2%9C%93")
        );
    }
}

#[tokio::test]
async fn api_key_and_messaging_service() {
    let server = server_answering(created()).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    let settings = SmsSettings {
        sender: SmsSender::MessagingService(MESSAGING_SERVICE.to_owned()),
        auth: TwilioAuth::ApiKey {
            sid: KEY_SID.to_owned(),
        },
        ..settings(&[ALICE])
    };
    sms(settings, KEY_SECRET, &server)
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    // The account is still in the path; the key authenticates.
    assert_eq!(
        request.url.path(),
        "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
    );
    // base64("SKfedcba9876543210fedcba9876543210:keysecret-SECRET-5678")
    assert_eq!(
        header(&request, "authorization"),
        "Basic U0tmZWRjYmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMDprZXlzZWNyZXQtU0VDUkVULTU2Nzg="
    );
    assert_eq!(
        body(&request),
        "To=%2B15550002222&MessagingServiceSid=MG00112233445566778899aabbccddeeff&Body=hi"
    );
}

#[tokio::test]
async fn classifies_twilio_errors() {
    let server = server_answering(created()).await;
    let channel = sms(settings(&[ALICE]), TOKEN, &server);
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    assert_error_classification(&server, &[TOKEN], || {
        channel.deliver(delivery(&envelope, &rendered))
    })
    .await;
}

#[tokio::test]
async fn the_body_limit_counts_characters_not_bytes() {
    let server = server_answering(created()).await;
    let channel = sms(settings(&[ALICE]), TOKEN, &server);
    let envelope = envelope();

    let too_long = "a".repeat(SMS_MAX_CHARS + 1);
    let rendered_long = rendered(&[(TemplatePart::Body, too_long.as_str())]);
    let err = channel
        .deliver(delivery(&envelope, &rendered_long))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("1601 characters") && text.contains("1600"),
        "{text}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // 1,600 two-byte characters are 3,200 bytes but within the limit.
    let at_limit = "é".repeat(SMS_MAX_CHARS);
    let rendered_ok = rendered(&[(TemplatePart::Body, at_limit.as_str())]);
    channel
        .deliver(delivery(&envelope, &rendered_ok))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_retry_skips_recipients_already_accepted() {
    let server = MockServer::start().await;
    // Alice is accepted; Bob fails once with a 503, then is accepted.
    Mock::given(body_string_contains("To=%2B15550002222"))
        .respond_with(created())
        .mount(&server)
        .await;
    Mock::given(body_string_contains("To=%2B447700900123"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(created())
        .mount(&server)
        .await;

    let channel = sms(settings(&[ALICE, BOB]), TOKEN, &server);
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    let err = channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::Transient { retry_after: Some(d), .. } if *d == Duration::from_secs(3)
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("1 of 2 recipients") && text.contains(BOB),
        "{text}"
    );

    channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let to: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| body(r).split('&').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        to,
        [
            "To=%2B15550002222",
            "To=%2B447700900123",
            "To=%2B447700900123"
        ],
        "Alice must get the message once"
    );

    // A duplicate delivery of the delivered message sends nothing.
    channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A different message goes to both again.
    let mut other = envelope.clone();
    other.id = "another-message".to_owned();
    channel.deliver(delivery(&other, &rendered)).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_permanent_failure_for_one_recipient_still_sends_to_the_others() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("To=%2B15550002222"))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(created())
        .mount(&server)
        .await;
    let channel = sms(settings(&[ALICE, BOB]), TOKEN, &server);
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    let err = channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    assert!(err.to_string().contains("21211"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[test]
fn settings_are_checked_and_the_credential_never_shown() {
    let new = |settings: SmsSettings, secret: &str| {
        TwilioSms::new(
            settings,
            SecretString::from(secret.to_owned()),
            reqwest::Client::new(),
        )
    };
    let channel = new(settings(&[ALICE]), TOKEN).unwrap();
    let shown = format!("{channel:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(
        shown.contains("[REDACTED]") && shown.contains(ACCOUNT),
        "{shown}"
    );
    let keyed = new(
        SmsSettings {
            auth: TwilioAuth::ApiKey {
                sid: KEY_SID.to_owned(),
            },
            ..settings(&[ALICE])
        },
        KEY_SECRET,
    )
    .unwrap();
    assert!(!format!("{keyed:?}").contains(KEY_SECRET));

    let setting_of = |err: ChannelConfigError| match err {
        ChannelConfigError::InvalidSetting { setting, .. } => setting,
        other => panic!("{other:?}"),
    };
    let bad_account = SmsSettings {
        account_sid: "AC123".to_owned(),
        ..settings(&[ALICE])
    };
    assert_eq!(
        setting_of(new(bad_account, TOKEN).unwrap_err()),
        "accountSid"
    );
    assert_eq!(setting_of(new(settings(&[]), TOKEN).unwrap_err()), "to");
    assert_eq!(
        setting_of(new(settings(&["555-0100"]), TOKEN).unwrap_err()),
        "to"
    );
    let bad_service = SmsSettings {
        sender: SmsSender::MessagingService("MG1".to_owned()),
        ..settings(&[ALICE])
    };
    assert_eq!(
        setting_of(new(bad_service, TOKEN).unwrap_err()),
        "sender.messagingService"
    );
    assert!(matches!(
        new(settings(&[ALICE]), " ").unwrap_err(),
        ChannelConfigError::EmptySecret { .. }
    ));
    let err = new(settings(&[ALICE]), TOKEN)
        .unwrap()
        .with_base_url("http://api.twilio.com")
        .unwrap_err();
    assert!(
        matches!(err, ChannelConfigError::InsecureUrl { .. }),
        "{err:?}"
    );
}
