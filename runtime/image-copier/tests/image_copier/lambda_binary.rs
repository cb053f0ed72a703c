//! The `image-copier` binary under a stand-in for the Lambda Runtime API: it takes
//! invocations from `/invocation/next`, answers CloudFormation at the ResponseURL once per
//! request, and reports each invocation's result back to the runtime API.

use crate::common;

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{RecordingServer, Reply};
use serde_json::{json, Value};

fn event(
    request_type: &str,
    response_url: &str,
    properties: Value,
    physical: Option<&str>,
) -> Value {
    let mut e = json!({
        "RequestType": request_type,
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": format!("cfn-{request_type}"),
        "ResourceType": "Custom::ImageRepublish",
        "LogicalResourceId": "MyLambdaImage",
        "ResourceProperties": properties,
    });
    if let Some(physical) = physical {
        e["PhysicalResourceId"] = json!(physical);
    }
    e
}

#[tokio::test]
async fn the_binary_answers_cloudformation_and_reports_to_the_runtime_api() {
    let cfn = RecordingServer::ok().await;
    let down = common::closed_port_addr();
    let events = Arc::new(vec![
        event(
            "Delete",
            &cfn.url("/presigned?n=1"),
            json!({}),
            Some("some-id"),
        ),
        event(
            "Create",
            &cfn.url("/presigned?n=2"),
            json!({"ServiceToken": "arn", "SourceImage": format!("{down}/app:v1"), "TargetRepositoryUri": format!("{down}/dst")}),
            None,
        ),
    ]);
    let served = Arc::new(AtomicUsize::new(0));
    let runtime = {
        let events = Arc::clone(&events);
        let served = Arc::clone(&served);
        RecordingServer::start(move |request, _| {
            if request.method == "GET" && request.path.ends_with("/invocation/next") {
                let i = served.fetch_add(1, Ordering::SeqCst);
                let Some(event) = events.get(i) else {
                    return Reply::status(500);
                };
                let deadline = SystemTime::now() + Duration::from_secs(60);
                let deadline_ms = deadline
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                let mut reply = Reply::status(200)
                    .header("Lambda-Runtime-Aws-Request-Id", &format!("invocation-{i}"))
                    .header("Lambda-Runtime-Deadline-Ms", &deadline_ms.to_string())
                    .header(
                        "Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:image-copier",
                    )
                    .header("Content-Type", "application/json");
                reply.body = serde_json::to_vec(event).unwrap_or_default();
                reply
            } else {
                Reply::status(202)
            }
        })
        .await
    };

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_image-copier"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "image-copier")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/28/[$LATEST]abc")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/image-copier")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start image-copier");

    // Wait for both invocation results to be posted back.
    let posted = |runtime: &RecordingServer| {
        runtime
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.contains("/invocation/"))
            .collect::<Vec<_>>()
    };
    let started = std::time::Instant::now();
    while posted(&runtime).len() < 2 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.start_kill();
    let results = posted(&runtime);
    assert_eq!(results.len(), 2, "{:#?}", runtime.requests());

    let answers = cfn.settled_requests().await;
    assert_eq!(answers.len(), 2, "one answer per request: {answers:#?}");
    let by_path = |p: &str| -> Value {
        let put = answers
            .iter()
            .find(|r| r.path == p)
            .expect("answer for each request");
        assert_eq!(put.method, "PUT");
        serde_json::from_slice(&put.body).expect("JSON")
    };
    let delete = by_path("/presigned?n=1");
    assert_eq!(delete["Status"], "SUCCESS");
    assert_eq!(delete["PhysicalResourceId"], "some-id");
    assert_eq!(delete["RequestId"], "cfn-Delete");
    let create = by_path("/presigned?n=2");
    assert_eq!(create["Status"], "FAILED");
    let reason = create["Reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&format!("cannot reach registry {down}")),
        "{reason}"
    );
    assert!(
        reason.contains("log stream 2026/11/28/[$LATEST]abc"),
        "{reason}"
    );

    // The runtime API hears the outcome of each invocation as a success.
    for (i, status) in [(0, "SUCCESS"), (1, "FAILED")] {
        let result = results
            .iter()
            .find(|r| {
                r.path
                    .ends_with(&format!("/invocation/invocation-{i}/response"))
            })
            .unwrap_or_else(|| panic!("no response for invocation {i}: {results:#?}"));
        let body: Value = serde_json::from_slice(&result.body).expect("JSON");
        assert_eq!(body["Status"], status);
        assert_eq!(body["Attempts"], 1);
    }
}
