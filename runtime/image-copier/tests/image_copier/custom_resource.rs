//! The custom-resource protocol against a local HTTP server standing in for the presigned
//! ResponseURL: every request gets exactly one well-formed answer. The copy itself is a
//! test double here (see `handler_registries.rs` for the real copier).

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{Recorded, RecordingServer, Reply};
use cloud_cron_image_copier::copy::{CopyError, CopyOutcome, CopyReport, CopyRequest};
use cloud_cron_image_copier::custom_resource::{
    handle, HandleError, HandlerConfig, ImageCopier, ImageCopyProperties, Invocation,
    RESPONSE_BODY_LIMIT,
};
use cloud_cron_image_copier::registry::sha256_digest;
use serde_json::{json, Value};

const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/CloudCronExample/1b2c";
const TARGET: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cloudcronexample-mylambdaimage";

#[derive(Clone, Copy)]
enum Behaviour {
    /// Digest derived from SourceImage (+ RefreshToken is ignored, like a real copy).
    Succeed,
    Panic,
    Hang,
}

struct FakeCopier {
    behaviour: Behaviour,
    calls: AtomicUsize,
}

impl FakeCopier {
    fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour,
            calls: AtomicUsize::new(0),
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ImageCopier for FakeCopier {
    async fn copy(&self, properties: ImageCopyProperties) -> Result<CopyOutcome, CopyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let request = CopyRequest::from_properties(&properties)?;
        match self.behaviour {
            Behaviour::Succeed => {
                let digest = sha256_digest(properties.source_image.as_bytes());
                Ok(CopyOutcome {
                    image_uri: request.target.image_uri(&digest),
                    digest,
                    media_type: common::OCI_MANIFEST.to_owned(),
                    tag: request.target_tag,
                    report: CopyReport::default(),
                })
            }
            Behaviour::Panic => panic!("forced panic in the copier"),
            Behaviour::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                unreachable!("the handler aborts the copy long before")
            }
        }
    }
}

fn properties(source: &str) -> Value {
    json!({
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:image-copier",
        "SourceImage": source,
        "TargetRepositoryUri": TARGET,
    })
}

fn event(
    request_type: &str,
    url: &str,
    props: Value,
    physical: Option<&str>,
    old: Option<Value>,
) -> Value {
    let mut e = json!({
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:image-copier",
        "ResponseURL": url,
        "StackId": STACK_ID,
        "RequestId": format!("req-{:08x}", fastrand::u32(..)),
        "ResourceType": "Custom::ImageRepublish",
        "LogicalResourceId": "MyLambdaImage",
        "ResourceProperties": props,
    });
    if let Some(physical) = physical {
        e["PhysicalResourceId"] = json!(physical);
    }
    if let Some(old) = old {
        e["OldResourceProperties"] = old;
    }
    e
}

fn invocation(seconds: u64) -> Invocation {
    Invocation {
        deadline: SystemTime::now() + Duration::from_secs(seconds),
        log_stream: Some("2026/11/28/[$LATEST]0123456789abcdef".to_owned()),
    }
}

fn config() -> HandlerConfig {
    HandlerConfig {
        answer_margin: Duration::from_secs(1),
        response_attempts: 3,
        response_attempt_timeout: Duration::from_secs(2),
        response_retry_pause: Duration::from_millis(50),
    }
}

/// Exactly one PUT, to the presigned path, with a well-formed body that echoes the
/// request; returns the body.
fn the_one_answer(requests: &[Recorded], event: &Value) -> Value {
    assert_eq!(requests.len(), 1, "exactly one answer: {requests:#?}");
    let put = &requests[0];
    assert_eq!(put.method, "PUT");
    assert!(put.path.starts_with("/presigned?"), "{}", put.path);
    let content_type = put
        .headers
        .get("content-type")
        .map(String::as_str)
        .unwrap_or("");
    assert_eq!(
        content_type, "",
        "a presigned S3 URL is signed without a content type"
    );
    assert_eq!(
        put.headers.get("content-length").map(String::as_str),
        Some(put.body.len().to_string().as_str())
    );
    assert!(put.body.len() <= RESPONSE_BODY_LIMIT);
    let body: Value = serde_json::from_slice(&put.body).expect("the answer is JSON");
    for key in ["StackId", "RequestId", "LogicalResourceId"] {
        assert_eq!(body[key], event[key], "{key} is echoed");
    }
    let status = body["Status"].as_str().expect("Status");
    assert!(status == "SUCCESS" || status == "FAILED", "{status}");
    let physical = body["PhysicalResourceId"]
        .as_str()
        .expect("PhysicalResourceId");
    assert!(!physical.is_empty() && physical.len() <= 1024);
    if status == "FAILED" {
        let reason = body["Reason"]
            .as_str()
            .expect("a FAILED answer has a Reason");
        assert!(!reason.is_empty());
        assert!(body.get("Data").is_none());
    }
    let known = [
        "Status",
        "Reason",
        "PhysicalResourceId",
        "StackId",
        "RequestId",
        "LogicalResourceId",
        "Data",
    ];
    for key in body.as_object().expect("object").keys() {
        assert!(known.contains(&key.as_str()), "unexpected key {key}");
    }
    body
}

async fn run(
    copier: &Arc<FakeCopier>,
    server: &RecordingServer,
    event: &Value,
    seconds: u64,
) -> Value {
    let http = reqwest::Client::new();
    let answered = handle(
        event.clone(),
        &invocation(seconds),
        Arc::clone(copier),
        &http,
        &config(),
    )
    .await
    .expect("answered");
    let body = the_one_answer(&server.settled_requests().await, event);
    assert_eq!(body["Status"], json!(answered.status));
    assert_eq!(
        body["PhysicalResourceId"],
        json!(answered.physical_resource_id)
    );
    assert_eq!(answered.attempts, 1);
    body
}

#[tokio::test]
async fn create_answers_success_with_the_pinned_image_as_physical_id_and_data() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Succeed);
    let source = "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest";
    let e = event(
        "Create",
        &server.url("/presigned?sig=1"),
        properties(source),
        None,
        None,
    );
    let body = run(&copier, &server, &e, 60).await;

    let digest = sha256_digest(source.as_bytes());
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], format!("{TARGET}@{digest}"));
    assert_eq!(
        body["Data"],
        json!({"ImageUri": format!("{TARGET}@{digest}"), "Digest": digest})
    );
    assert!(body.get("Reason").is_none());
    assert_eq!(copier.calls(), 1);
}

#[tokio::test]
async fn update_with_the_same_source_keeps_the_id_and_a_changed_source_replaces_it() {
    let copier = FakeCopier::new(Behaviour::Succeed);
    let v1 = "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:v1";
    let v2 = "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:v2";
    let id_v1 = format!("{TARGET}@{}", sha256_digest(v1.as_bytes()));

    // Same source, new RefreshToken: copied again, same digest, same physical id.
    let server = RecordingServer::ok().await;
    let mut bumped = properties(v1);
    bumped["RefreshToken"] = json!("2");
    let e = event(
        "Update",
        &server.url("/presigned?u=1"),
        bumped,
        Some(&id_v1),
        Some(properties(v1)),
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], id_v1);

    // Changed source: a new digest, so a new physical id (CloudFormation's replacement).
    let server = RecordingServer::ok().await;
    let e = event(
        "Update",
        &server.url("/presigned?u=2"),
        properties(v2),
        Some(&id_v1),
        Some(properties(v1)),
    );
    let body = run(&copier, &server, &e, 60).await;
    let id_v2 = format!("{TARGET}@{}", sha256_digest(v2.as_bytes()));
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(body["PhysicalResourceId"], id_v2);
    assert_ne!(id_v1, id_v2);
    assert_eq!(body["Data"]["ImageUri"], id_v2);
    assert_eq!(copier.calls(), 2);
}

#[tokio::test]
async fn delete_answers_success_with_the_same_id_and_copies_nothing() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Succeed);
    // Even properties that would not parse must not block a delete (e.g. a rollback).
    let e = event(
        "Delete",
        &server.url("/presigned?d=1"),
        json!({"ServiceToken": "x", "Nonsense": true}),
        Some("MyLambdaImage-create-failed-req-1"),
        None,
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "SUCCESS");
    assert_eq!(
        body["PhysicalResourceId"],
        "MyLambdaImage-create-failed-req-1"
    );
    assert!(body.get("Data").is_none());
    assert_eq!(copier.calls(), 0);
}

#[tokio::test]
async fn a_panicking_copy_is_answered_failed_once() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Panic);
    let e = event(
        "Create",
        &server.url("/presigned?p=1"),
        properties("127.0.0.1:1/a:v1"),
        None,
        None,
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "FAILED");
    let reason = body["Reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("panicked") && reason.contains("forced panic in the copier"),
        "{reason}"
    );
    assert!(
        reason.contains("log stream 2026/11/28/[$LATEST]0123456789abcdef"),
        "{reason}"
    );
    assert_eq!(
        body["PhysicalResourceId"],
        format!(
            "MyLambdaImage-create-failed-{}",
            e["RequestId"].as_str().unwrap_or_default()
        )
    );

    // A failed Update keeps the existing id, so CloudFormation rolls back cleanly.
    let server = RecordingServer::ok().await;
    let e = event(
        "Update",
        &server.url("/presigned?p=2"),
        properties("127.0.0.1:1/a:v2"),
        Some("old-id"),
        Some(properties("127.0.0.1:1/a:v1")),
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "FAILED");
    assert_eq!(body["PhysicalResourceId"], "old-id");
}

#[tokio::test]
async fn a_copy_that_outlives_the_deadline_is_answered_failed_before_it() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Hang);
    let e = event(
        "Create",
        &server.url("/presigned?t=1"),
        properties("127.0.0.1:1/a:v1"),
        None,
        None,
    );
    let started = Instant::now();
    // 3 s to the deadline, 1 s margin: the copy gets 2 s.
    let body = run(&copier, &server, &e, 3).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(2900),
        "answered before the deadline: {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(1500),
        "the copy had its time: {elapsed:?}"
    );
    assert_eq!(body["Status"], "FAILED");
    let reason = body["Reason"].as_str().unwrap_or_default();
    assert!(reason.contains("did not finish within"), "{reason}");

    // With less time left than the margin, the answer is immediate.
    let server = RecordingServer::ok().await;
    let e = event(
        "Create",
        &server.url("/presigned?t=2"),
        properties("127.0.0.1:1/a:v1"),
        None,
        None,
    );
    let started = Instant::now();
    let body = run(&copier, &server, &e, 1).await;
    assert!(started.elapsed() < Duration::from_millis(900));
    assert!(
        body["Reason"]
            .as_str()
            .unwrap_or_default()
            .contains("remaining time"),
        "{body}"
    );
    assert_eq!(copier.calls(), 1, "no copy is started without time for it");
}

#[tokio::test]
async fn invalid_properties_are_answered_failed_naming_the_property() {
    let copier = FakeCopier::new(Behaviour::Succeed);
    let cases = [
        (
            json!({"ServiceToken": "x", "TargetRepositoryUri": TARGET}),
            "SourceImage",
        ),
        (
            json!({"ServiceToken": "x", "SourceImage": "127.0.0.1:1/a:v1", "TargetRepositoryUri": "not-a-repo"}),
            "TargetRepositoryUri",
        ),
        (
            json!({"ServiceToken": "x", "SourceImage": "127.0.0.1:1/a:v1", "TargetRepositoryUri": TARGET, "Architecture": "mips"}),
            "Architecture",
        ),
        (
            json!({"ServiceToken": "x", "SourceImage": "127.0.0.1:1/a:v1", "TargetRepositoryUri": TARGET, "Architecure": "arm64"}),
            "Architecure",
        ),
        (
            json!({"ServiceToken": "x", "SourceImage": "127.0.0.1:1/a@sha256:12", "TargetRepositoryUri": TARGET}),
            "SourceImage",
        ),
    ];
    for (props, property) in cases {
        let server = RecordingServer::ok().await;
        let e = event("Create", &server.url("/presigned?i=1"), props, None, None);
        let body = run(&copier, &server, &e, 60).await;
        assert_eq!(body["Status"], "FAILED");
        let reason = body["Reason"].as_str().unwrap_or_default();
        assert!(reason.contains(property), "{property}: {reason}");
    }
}

#[tokio::test]
async fn a_malformed_request_with_a_response_url_is_still_answered() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Succeed);
    let e = event(
        "Reboot",
        &server.url("/presigned?m=1"),
        properties("127.0.0.1:1/a:v1"),
        None,
        None,
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"]
            .as_str()
            .unwrap_or_default()
            .contains("Reboot"),
        "{body}"
    );
    assert_eq!(copier.calls(), 0);
}

#[tokio::test]
async fn an_event_without_response_url_is_an_error_and_sends_nothing() {
    let copier = FakeCopier::new(Behaviour::Succeed);
    let err = handle(
        json!({"RequestType": "Create", "Foo": 1}),
        &invocation(60),
        copier,
        &reqwest::Client::new(),
        &config(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, HandleError::NotACustomResourceRequest { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Foo"), "{err}");
}

#[tokio::test]
async fn the_answer_is_retried_after_a_server_error_and_not_after_a_client_error() {
    let copier = FakeCopier::new(Behaviour::Succeed);
    let http = reqwest::Client::new();

    let flaky = RecordingServer::start(|_, i| Reply::status(if i == 0 { 503 } else { 200 })).await;
    let e = event(
        "Delete",
        &flaky.url("/presigned?r=1"),
        json!({}),
        Some("id-1"),
        None,
    );
    let answered = handle(e, &invocation(60), Arc::clone(&copier), &http, &config())
        .await
        .expect("answered");
    assert_eq!(answered.attempts, 2);
    let requests = flaky.settled_requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the retry sends the same answer"
    );

    let expired = RecordingServer::start(|_, _| Reply::status(403)).await;
    let e = event(
        "Delete",
        &expired.url("/presigned?r=2"),
        json!({}),
        Some("id-1"),
        None,
    );
    let err = handle(e, &invocation(60), copier, &http, &config())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    assert_eq!(expired.settled_requests().await.len(), 1, "a 4xx is final");
}

#[tokio::test]
async fn a_huge_reason_is_cut_to_fit_cloudformations_limit() {
    let server = RecordingServer::ok().await;
    let copier = FakeCopier::new(Behaviour::Succeed);
    let long_target = format!("127.0.0.1:1/{}", "a/".repeat(3000));
    let e = event(
        "Create",
        &server.url("/presigned?h=1"),
        json!({"ServiceToken": "x", "SourceImage": "127.0.0.1:1/a:v1", "TargetRepositoryUri": long_target}),
        None,
        None,
    );
    let body = run(&copier, &server, &e, 60).await;
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"].as_str().unwrap_or_default().ends_with("..."),
        "{body}"
    );
}
