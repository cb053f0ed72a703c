//! The receiver with API Gateway v2 events and an in-memory queue: what the
//! provider is answered, what is queued, and what is logged.

use cloud_cron_contract::webhook::{
    attributes, HmacSettings, ReceiverSettings, TokenSettings, ValueSource, Verification,
};
use cloud_cron_webhook::{
    sha256_hex, sign_timestamped, FixedClock, Receiver, SecretError, SecretSet, SecretSource,
    StaticSecrets,
};

use crate::support::{event, Logs, Recorder, NOW};

const SECRET: &str = "whsec_handler_7d2e91";
const BODY: &str = r#"{"id":"te_1001","event":"timesheet.entry.created","entry":{"user":"u-42","hours":3.25,"note":"client call"}}"#;

fn settings() -> ReceiverSettings {
    let mut s = ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped(
        "Stripe-Signature",
    )));
    s.event_id = Some(ValueSource::JsonPointer("/id".into()));
    s
}

fn receiver(settings: ReceiverSettings, queue: Recorder) -> Receiver<Recorder, StaticSecrets> {
    Receiver::new(
        settings,
        queue,
        StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
    )
    .expect("valid settings")
    .with_clock(FixedClock::at_unix(NOW))
}

fn signed(body: &str) -> String {
    sign_timestamped(SECRET, NOW, body.as_bytes())
}

fn response_json(
    response: &aws_lambda_events::apigw::ApiGatewayV2httpResponse,
) -> serde_json::Value {
    match &response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => {
            serde_json::from_str(text).expect("a JSON response")
        }
        other => panic!("unexpected body {other:?}"),
    }
}

#[tokio::test]
async fn a_verified_event_is_queued_and_answered_202() {
    let queue = Recorder::default();
    let receiver = receiver(settings(), queue.clone());
    let sig = signed(BODY);
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &sig)],
        BODY.as_bytes(),
        false,
    );

    let (logs, _guard) = Logs::capture();
    let response = receiver.handle(&request).await;

    assert_eq!(response.status_code, 202);
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(
        response_json(&response),
        serde_json::json!({"status": "accepted", "eventId": "te_1001"})
    );
    let sent = queue.sent();
    assert_eq!(sent.len(), 1);
    let message = &sent[0];
    assert_eq!(message.body, BODY);
    assert_eq!(message.attributes[attributes::PATH], "/hooks/timesheets");
    assert_eq!(message.attributes[attributes::EVENT_ID], "te_1001");
    assert_eq!(
        message.attributes[attributes::RECEIVED_AT],
        "2025-12-03T08:20:00.000Z"
    );
    assert!(!message.attributes.contains_key(attributes::BODY_ENCODING));
    assert_eq!(message.group_id, None);
    assert_eq!(message.dedup_id, None);

    let lines = logs.lines();
    let queued = lines
        .iter()
        .find(|l| l["message"] == "webhook queued")
        .unwrap_or_else(|| panic!("no `webhook queued` line: {lines:?}"));
    assert_eq!(queued["event_id"], "te_1001");
    assert_eq!(queued["level"], "INFO");
    logs.assert_free_of(&[SECRET, &sig, &sig[sig.len() - 20..], "client call"]);
}

#[tokio::test]
async fn a_base64_body_is_decoded_before_it_is_verified() {
    let queue = Recorder::default();
    let receiver = receiver(settings(), queue.clone());
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &signed(BODY))],
        BODY.as_bytes(),
        true,
    );
    assert!(request.is_base64_encoded);
    assert_ne!(request.body.as_deref(), Some(BODY));
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 202);
    assert_eq!(queue.sent()[0].body, BODY);
}

#[tokio::test]
async fn a_binary_body_is_queued_as_base64_and_marked() {
    let mut settings = settings();
    settings.event_id = None;
    let queue = Recorder::default();
    let receiver = receiver(settings, queue.clone());
    let body: &[u8] = &[0x00, 0xff, 0xfe, b'x', 0x80];
    let sig = sign_timestamped(SECRET, NOW, body);
    let request = event("/hooks/files", &[("Stripe-Signature", &sig)], body, true);
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 202);
    let message = &queue.sent()[0];
    assert_eq!(message.body, "AP/+eIA=");
    assert_eq!(message.attributes[attributes::BODY_ENCODING], "base64");
    // Without a configured event id, the body's SHA-256 identifies the event.
    assert_eq!(message.attributes[attributes::EVENT_ID], sha256_hex(body));
}

#[tokio::test]
async fn a_text_body_sqs_cannot_carry_is_queued_as_base64() {
    let mut settings = settings();
    settings.event_id = None;
    let queue = Recorder::default();
    let receiver = receiver(settings, queue.clone());
    let body = "entry\u{1}\u{fffe}";
    let request = event(
        "/h",
        &[("Stripe-Signature", &signed(body))],
        body.as_bytes(),
        false,
    );
    assert_eq!(receiver.handle(&request).await.status_code, 202);
    let message = &queue.sent()[0];
    assert_eq!(message.attributes[attributes::BODY_ENCODING], "base64");
    assert_eq!(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &message.body)
            .expect("base64"),
        body.as_bytes()
    );
}

#[tokio::test]
async fn a_bad_signature_queues_nothing_and_logs_no_secret() {
    let queue = Recorder::default();
    let receiver = receiver(settings(), queue.clone());
    let forged = sign_timestamped("whsec_guess", NOW, BODY.as_bytes());
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &forged)],
        BODY.as_bytes(),
        false,
    );

    let (logs, _guard) = Logs::capture();
    let response = receiver.handle(&request).await;

    assert_eq!(response.status_code, 401);
    assert_eq!(
        response_json(&response),
        serde_json::json!({"error": "bad_signature"})
    );
    assert!(queue.sent().is_empty());
    let lines = logs.lines();
    let rejected = lines
        .iter()
        .find(|l| l["message"] == "webhook rejected")
        .unwrap_or_else(|| panic!("no `webhook rejected` line: {lines:?}"));
    assert_eq!(rejected["reason"], "bad_signature");
    assert_eq!(rejected["status"], 401);
    logs.assert_free_of(&[
        SECRET,
        "whsec_guess",
        &forged[forged.len() - 20..],
        "client call",
    ]);
}

#[tokio::test]
async fn each_refusal_has_its_status() {
    let queue = Recorder::default();
    let receiver = receiver(settings(), queue.clone());
    let stale = sign_timestamped(SECRET, NOW - 3600, BODY.as_bytes());
    let cases: Vec<(aws_lambda_events::apigw::ApiGatewayV2httpRequest, i64, &str)> = vec![
        (
            event("/h", &[], BODY.as_bytes(), false),
            401,
            "missing_header",
        ),
        (
            event(
                "/h",
                &[("Stripe-Signature", "v1=abc")],
                BODY.as_bytes(),
                false,
            ),
            400,
            "malformed_header",
        ),
        (
            event(
                "/h",
                &[("Stripe-Signature", &stale)],
                BODY.as_bytes(),
                false,
            ),
            401,
            "stale_timestamp",
        ),
        (
            event(
                "/h",
                &[("Stripe-Signature", &signed(r#"{"no":"id"}"#))],
                br#"{"no":"id"}"#,
                false,
            ),
            400,
            "event_id_missing",
        ),
        (
            event(
                "/h",
                &[("Stripe-Signature", &signed("not json"))],
                b"not json",
                false,
            ),
            400,
            "event_id_missing",
        ),
    ];
    let (logs, _guard) = Logs::capture();
    for (request, status, kind) in cases {
        let response = receiver.handle(&request).await;
        assert_eq!(response.status_code, status, "{kind}");
        assert_eq!(response_json(&response)["error"], kind);
    }
    let mut malformed = event("/h", &[("Stripe-Signature", &signed(BODY))], b"", false);
    malformed.body = Some("***not base64***".into());
    malformed.is_base64_encoded = true;
    let response = receiver.handle(&malformed).await;
    assert_eq!(response.status_code, 400);
    assert_eq!(response_json(&response)["error"], "malformed_body");
    assert!(queue.sent().is_empty());
    logs.assert_free_of(&[SECRET, &stale[stale.len() - 20..], "client call"]);
}

#[tokio::test]
async fn an_oversized_body_is_answered_413() {
    let mut settings = settings();
    settings.max_body_bytes = 64;
    let queue = Recorder::default();
    let receiver = receiver(settings, queue.clone());
    for base64 in [false, true] {
        let request = event(
            "/h",
            &[("Stripe-Signature", &signed(BODY))],
            BODY.as_bytes(),
            base64,
        );
        let response = receiver.handle(&request).await;
        assert_eq!(response.status_code, 413, "base64: {base64}");
        assert_eq!(response_json(&response)["error"], "body_too_large");
    }
    // Far beyond the limit, the base64 text is refused before it is decoded.
    let big = "A".repeat(100_000);
    let mut request = event("/h", &[("Stripe-Signature", &signed(BODY))], b"", false);
    request.body = Some(big);
    request.is_base64_encoded = true;
    assert_eq!(receiver.handle(&request).await.status_code, 413);
    assert!(queue.sent().is_empty());
}

#[tokio::test]
async fn a_fifo_queue_gets_a_group_and_the_event_id_as_dedup_id() {
    let mut settings = settings();
    settings.event_id = Some(ValueSource::Header("X-Event-Id".into()));
    settings.message_group = Some(ValueSource::JsonPointer("/entry/user".into()));
    let queue = Recorder {
        fifo: true,
        ..Recorder::default()
    };
    let first = receiver(settings.clone(), queue.clone());
    let request = event(
        "/hooks/timesheets",
        &[
            ("Stripe-Signature", &signed(BODY)),
            ("X-Event-Id", "evt-9f8e"),
        ],
        BODY.as_bytes(),
        false,
    );
    assert_eq!(first.handle(&request).await.status_code, 202);
    let message = &queue.sent()[0];
    assert_eq!(message.group_id.as_deref(), Some("u-42"));
    assert_eq!(message.dedup_id.as_deref(), Some("evt-9f8e"));
    assert_eq!(message.attributes[attributes::EVENT_ID], "evt-9f8e");

    // By default the group is the path.
    settings.message_group = None;
    let queue = Recorder {
        fifo: true,
        ..Recorder::default()
    };
    let second = receiver(settings, queue.clone());
    assert_eq!(second.handle(&request).await.status_code, 202);
    assert_eq!(
        queue.sent()[0].group_id.as_deref(),
        Some("/hooks/timesheets")
    );
}

#[tokio::test]
async fn a_queue_failure_is_answered_503_so_the_provider_retries() {
    let queue = Recorder {
        fail: true,
        ..Recorder::default()
    };
    let receiver = receiver(settings(), queue);
    let request = event(
        "/hooks/timesheets",
        &[("Stripe-Signature", &signed(BODY))],
        BODY.as_bytes(),
        false,
    );
    let (logs, _guard) = Logs::capture();
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 503);
    assert_eq!(response.headers["retry-after"], "30");
    assert_eq!(
        response_json(&response),
        serde_json::json!({"error": "queue_unavailable"})
    );
    let lines = logs.lines();
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "ERROR" && l["reason"] == "queue_unavailable"),
        "{lines:?}"
    );
    logs.assert_free_of(&[SECRET, "client call"]);
}

struct Unreachable;

impl SecretSource for Unreachable {
    async fn load(&self) -> Result<SecretSet, SecretError> {
        Err(SecretError::Unavailable {
            reference: "ssm:/hooks/secret".into(),
            message: "dispatch failure".into(),
        })
    }
}

#[tokio::test]
async fn unreadable_secrets_are_answered_503() {
    let receiver = Receiver::new(settings(), Recorder::default(), Unreachable)
        .expect("valid")
        .with_clock(FixedClock::at_unix(NOW));
    assert!(receiver.warm_up().await.is_err());
    let request = event(
        "/h",
        &[("Stripe-Signature", &signed(BODY))],
        BODY.as_bytes(),
        false,
    );
    let response = receiver.handle(&request).await;
    assert_eq!(response.status_code, 503);
    assert_eq!(response_json(&response)["error"], "secrets_unavailable");
}

#[tokio::test]
async fn token_mode_end_to_end() {
    let mut settings = ReceiverSettings::new(Verification::Token(TokenSettings {
        header: "X-Webhook-Token".into(),
    }));
    settings.event_id = Some(ValueSource::JsonPointer("/id".into()));
    let queue = Recorder::default();
    let receiver = receiver(settings, queue.clone());
    let (logs, _guard) = Logs::capture();
    let ok = event("/t", &[("X-Webhook-Token", SECRET)], BODY.as_bytes(), false);
    assert_eq!(receiver.handle(&ok).await.status_code, 202);
    let bad = event(
        "/t",
        &[("X-Webhook-Token", "tok_wrong")],
        BODY.as_bytes(),
        false,
    );
    assert_eq!(receiver.handle(&bad).await.status_code, 401);
    assert_eq!(queue.sent().len(), 1);
    logs.assert_free_of(&[SECRET, "tok_wrong", "client call"]);
}

#[test]
fn invalid_settings_are_refused_at_construction() {
    let mut settings = settings();
    settings.event_id = Some(ValueSource::JsonPointer("id".into()));
    let err = Receiver::new(
        settings,
        Recorder::default(),
        StaticSecrets(SecretSet::from_lines(SECRET).expect("secret")),
    )
    .err()
    .expect("refused");
    assert_eq!(err.field, "eventId");
}
