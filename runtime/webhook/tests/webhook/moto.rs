//! The receiver against moto's SQS and SSM (`scripts/test` starts moto), and
//! against a queue endpoint that refuses connections.

use aws_sdk_sqs::types::QueueAttributeName;
use cloud_cron_contract::notifier::SecretRef;
use cloud_cron_contract::webhook::{
    attributes, HmacSettings, ReceiverSettings, ValueSource, Verification,
};
use cloud_cron_webhook::lambda::ReceiverConfig;
use cloud_cron_webhook::{
    sign_timestamped, FixedClock, Receiver, SecretSet, SqsQueue, StaticSecrets,
};

use crate::support::{event, moto_endpoint, sdk_config, unique, Logs, NOW};

const SECRET: &str = "whsec_moto_4c1d";
const BODY: &str =
    r#"{"id":"te_2002","event":"timesheet.entry.updated","entry":{"hours":1.5,"note":"standup"}}"#;

fn settings() -> ReceiverSettings {
    let mut s = ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped(
        "Stripe-Signature",
    )));
    s.event_id = Some(ValueSource::JsonPointer("/id".into()));
    s
}

async fn put_secret(sdk: &aws_config::SdkConfig, value: &str) -> String {
    let name = format!("/cloudcron/tests/{}", unique("webhook"));
    aws_sdk_ssm::Client::new(sdk)
        .put_parameter()
        .name(&name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put parameter");
    name
}

async fn create_queue(sdk: &aws_config::SdkConfig, fifo: bool) -> String {
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut request = client.create_queue();
    if fifo {
        request = request
            .queue_name(format!("{}.fifo", unique("webhook")))
            .attributes(QueueAttributeName::FifoQueue, "true");
    } else {
        request = request.queue_name(unique("webhook"));
    }
    request
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue url")
}

async fn receive_all(sdk: &aws_config::SdkConfig, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    aws_sdk_sqs::Client::new(sdk)
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .wait_time_seconds(1)
        .send()
        .await
        .expect("receive")
        .messages
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_verified_event_lands_in_the_queue_with_its_attributes() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let parameter = put_secret(&sdk, &format!("whsec_retired\n{SECRET}\n")).await;
    let url = create_queue(&sdk, false).await;
    let config = ReceiverConfig {
        settings: settings(),
        queue_url: url.clone(),
        secrets: vec![SecretRef::ssm(&parameter)],
    };
    let (logs, _guard) = Logs::capture();
    let receiver = config
        .receiver(&sdk)
        .await
        .expect("secrets read at cold start")
        .with_clock(FixedClock::at_unix(NOW));
    let sig = sign_timestamped(SECRET, NOW, BODY.as_bytes());
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &sig)],
        BODY.as_bytes(),
        false,
    );
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 202);

    let messages = receive_all(&sdk, &url).await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.body(), Some(BODY));
    let attrs = message.message_attributes().expect("attributes");
    let attr = |name: &str| {
        let value = attrs
            .get(name)
            .unwrap_or_else(|| panic!("no {name}: {attrs:?}"));
        assert_eq!(value.data_type(), "String");
        value.string_value().unwrap_or_default().to_owned()
    };
    assert_eq!(attr(attributes::PATH), "/hooks/timesheets");
    assert_eq!(attr(attributes::EVENT_ID), "te_2002");
    assert_eq!(attr(attributes::RECEIVED_AT), "2025-12-03T08:20:00.000Z");
    logs.assert_free_of(&[SECRET, "whsec_retired", &sig[sig.len() - 20..], "standup"]);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn the_same_event_twice_on_a_fifo_queue_is_delivered_once() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let url = create_queue(&sdk, true).await;
    let receiver = Receiver::new(
        settings(),
        SqsQueue::new(&url, &sdk),
        StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
    )
    .expect("valid")
    .with_clock(FixedClock::at_unix(NOW));
    let request = event(
        "/hooks/timesheets",
        &[(
            "Stripe-Signature",
            &sign_timestamped(SECRET, NOW, BODY.as_bytes()),
        )],
        BODY.as_bytes(),
        false,
    );
    // The provider retries (its first attempt timed out on its side).
    assert_eq!(receiver.handle(&request).await.status_code, 202);
    assert_eq!(receiver.handle(&request).await.status_code, 202);

    let messages = receive_all(&sdk, &url).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let attrs = messages[0].message_attributes().expect("attributes");
    assert_eq!(attrs[attributes::EVENT_ID].string_value(), Some("te_2002"));
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_bad_signature_sends_nothing() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let parameter = put_secret(&sdk, SECRET).await;
    let url = create_queue(&sdk, false).await;
    let receiver = ReceiverConfig {
        settings: settings(),
        queue_url: url.clone(),
        secrets: vec![SecretRef::ssm(&parameter)],
    }
    .receiver(&sdk)
    .await
    .expect("receiver")
    .with_clock(FixedClock::at_unix(NOW));
    let forged = sign_timestamped("whsec_guess", NOW, BODY.as_bytes());
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &forged)],
        BODY.as_bytes(),
        false,
    );
    assert_eq!(receiver.handle(&request).await.status_code, 401);
    assert!(receive_all(&sdk, &url).await.is_empty());
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn a_rotated_secret_is_picked_up_after_the_ttl() {
    let sdk = sdk_config(&moto_endpoint(), 3).await;
    let parameter = put_secret(&sdk, "whsec_before").await;
    let url = create_queue(&sdk, false).await;
    let mut settings = settings();
    settings.secret_ttl_seconds = 0;
    let receiver = ReceiverConfig {
        settings,
        queue_url: url.clone(),
        secrets: vec![SecretRef::ssm(&parameter)],
    }
    .receiver(&sdk)
    .await
    .expect("receiver")
    .with_clock(FixedClock::at_unix(NOW));
    let signed_with = |secret: &str| {
        event(
            "/hooks/timesheets",
            &[(
                "Stripe-Signature",
                &sign_timestamped(secret, NOW, BODY.as_bytes()),
            )],
            BODY.as_bytes(),
            false,
        )
    };
    assert_eq!(
        receiver
            .handle(&signed_with("whsec_after"))
            .await
            .status_code,
        401
    );
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .value("whsec_after")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .expect("rotate");
    assert_eq!(
        receiver
            .handle(&signed_with("whsec_after"))
            .await
            .status_code,
        202
    );
    assert_eq!(
        receiver
            .handle(&signed_with("whsec_before"))
            .await
            .status_code,
        401
    );
}

#[tokio::test]
async fn an_unavailable_queue_is_answered_503() {
    // A port that was just free: nothing listens there.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let sdk = sdk_config(&format!("http://127.0.0.1:{port}"), 1).await;
    let receiver = Receiver::new(
        settings(),
        SqsQueue::new(format!("http://127.0.0.1:{port}/123456789012/work"), &sdk),
        StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
    )
    .expect("valid")
    .with_clock(FixedClock::at_unix(NOW));
    let request = event(
        "/hooks/timesheets",
        &[(
            "Stripe-Signature",
            &sign_timestamped(SECRET, NOW, BODY.as_bytes()),
        )],
        BODY.as_bytes(),
        false,
    );
    let (logs, _guard) = Logs::capture();
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 503);
    logs.assert_free_of(&[SECRET, "standup"]);
    assert!(logs.text().contains("queue_unavailable"), "{}", logs.text());
}
