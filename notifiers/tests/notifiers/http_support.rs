//! What the HTTP channel tests share: messages to deliver, a local HTTP server
//! standing in for the provider, and the status-classification checks every
//! channel must pass.

#![allow(dead_code, missing_docs)]

use std::future::Future;
use std::time::Duration;

use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_contract::Envelope;
use cloud_cron_notifiers::channels::USER_AGENT;
use cloud_cron_notifiers::{Delivery, DeliveryError, Rendered};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The envelope id every test message carries.
pub const ID: &str = "3f1c9a0b7e5d4c2a1908f7e6d5c4b3a291807f6e5d4c3b2a1908f7e6d5c4b3a2";

pub fn envelope() -> Envelope<serde_json::Value> {
    Envelope {
        cloud_cron: 1,
        id: ID.to_owned(),
        task: "Report".to_owned(),
        topic: "alerts".to_owned(),
        schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/report".to_owned(),
        scheduled_time: "2026-11-28T09:00:00Z".to_owned(),
        ordinal: 0,
        payload: serde_json::json!({ "status": "ok", "count": 3 }),
    }
}

pub fn rendered(parts: &[(TemplatePart, &str)]) -> Rendered {
    let mut rendered = Rendered::new();
    for (part, text) in parts {
        rendered.insert(*part, *text);
    }
    rendered
}

pub fn delivery<'a>(
    envelope: &'a Envelope<serde_json::Value>,
    rendered: &'a Rendered,
) -> Delivery<'a> {
    Delivery { envelope, rendered }
}

/// A server answering every request with `template`.
pub async fn server_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// The one request `server` received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

pub fn header<'r>(request: &'r Request, name: &str) -> &'r str {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("a text header")
}

pub fn body(request: &Request) -> String {
    String::from_utf8(request.body.clone()).expect("a UTF-8 body")
}

/// The headers every channel sends.
pub fn assert_common_headers(request: &Request, content_type: &str) {
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(header(request, "content-type"), content_type);
    assert_eq!(header(request, "user-agent"), USER_AGENT);
    assert_eq!(request.headers.get_all("user-agent").iter().count(), 1);
    assert_eq!(request.headers.get_all("content-type").iter().count(), 1);
    assert!(USER_AGENT.starts_with("cloud-cron-notifier/0."));
}

/// Every channel classifies a provider's answers the same way: 429 with
/// `Retry-After` is transient with that delay, 500 transient without one,
/// 400 permanent quoting the provider's error text, and a refused
/// connection transient. `deliver` delivers one message to `server`'s URI;
/// `secrets` must appear in no error message, even when the provider echoes
/// them.
pub async fn assert_error_classification<F, Fut>(server: &MockServer, secrets: &[&str], deliver: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), DeliveryError>>,
{
    let echo = format!("invalid_payload {}", secrets.join(" "));
    let cases = [
        (
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_string("rate_limited"),
            "429",
        ),
        (ResponseTemplate::new(500).set_body_string("boom"), "500"),
        (
            ResponseTemplate::new(503).set_body_string(echo.clone()),
            "503",
        ),
        (
            ResponseTemplate::new(400).set_body_string(echo.clone()),
            "400",
        ),
        (
            ResponseTemplate::new(404).set_body_string("no_service"),
            "404",
        ),
    ];
    for (template, code) in cases {
        server.reset().await;
        Mock::given(any())
            .respond_with(template)
            .mount(server)
            .await;
        let err = deliver().await.expect_err(code);
        let text = err.to_string();
        assert!(text.contains(code), "{text}");
        for secret in secrets {
            assert!(!text.contains(secret), "secret in error: {text}");
            assert!(
                !format!("{err:?}").contains(secret),
                "secret in error: {err:?}"
            );
        }
        match code {
            "429" => {
                assert!(
                    matches!(
                        err,
                        DeliveryError::Transient { retry_after: Some(delay), .. }
                            if delay == Duration::from_secs(7)
                    ),
                    "429 should be transient after 7 s: {err:?}"
                );
                assert!(text.contains("rate_limited"), "{text}");
            }
            "500" | "503" => assert!(
                matches!(
                    err,
                    DeliveryError::Transient {
                        retry_after: None,
                        ..
                    }
                ),
                "{code} should be transient: {err:?}"
            ),
            _ => {
                assert!(
                    matches!(err, DeliveryError::Permanent { .. }),
                    "{code} should be permanent: {err:?}"
                );
                let said = if code == "400" {
                    "invalid_payload"
                } else {
                    "no_service"
                };
                assert!(
                    text.contains(said),
                    "the provider's error text is quoted: {text}"
                );
            }
        }
    }
    server.reset().await;
}

/// A loopback address with nothing listening on it.
pub async fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("its address");
    drop(listener);
    format!("http://{address}")
}
