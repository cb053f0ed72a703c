//! The whole Lambda handler with the real copier, against the local registries and a
//! local stand-in for the ResponseURL: successes carry the pinned image, failures reach
//! CloudFormation as FAILED with a reason that says what is wrong.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::common::*;
use cloud_cron_image_copier::auth::RegistryAuthenticator;
use cloud_cron_image_copier::custom_resource::{handle, HandlerConfig, Invocation, OciImageCopier};
use cloud_cron_image_copier::registry::RegistryOptions;
use serde_json::{json, Value};

async fn answer(source: &str, target: &str, request_type: &str, extra: Value) -> Value {
    let server = RecordingServer::ok().await;
    let mut props =
        json!({"ServiceToken": "arn", "SourceImage": source, "TargetRepositoryUri": target});
    if let (Some(props), Some(extra)) = (props.as_object_mut(), extra.as_object()) {
        props.extend(extra.clone());
    }
    let mut event = json!({
        "RequestType": request_type,
        "ResponseURL": server.url("/presigned?X-Amz-Signature=abc"),
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "req-1",
        "ResourceType": "Custom::ImageRepublish",
        "LogicalResourceId": "MyLambdaImage",
        "ResourceProperties": props,
    });
    if request_type == "Update" {
        event["PhysicalResourceId"] = json!("previous-id");
        event["OldResourceProperties"] = json!({});
    }
    let copier = Arc::new(OciImageCopier::new(
        RegistryAuthenticator::anonymous(),
        RegistryOptions::default(),
    ));
    let invocation = Invocation {
        deadline: SystemTime::now() + Duration::from_secs(120),
        log_stream: None,
    };
    handle(
        event,
        &invocation,
        copier,
        &reqwest::Client::new(),
        &HandlerConfig::default(),
    )
    .await
    .expect("answered");
    let requests = server.settled_requests().await;
    assert_eq!(requests.len(), 1, "exactly one answer");
    serde_json::from_slice(&requests[0].body).expect("JSON answer")
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn create_copies_and_answers_with_the_pinned_image() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/handler"), unique_repo("dst/handler"));
    let index = TestIndex::new(
        vec![TestImage::random("amd64", 2), TestImage::random("arm64", 2)],
        vec![],
    );
    index.push(&push_client(), &a, &src, Some("latest")).await;

    let body = answer(
        &format!("{a}/{src}:latest"),
        &format!("{b}/{dst}"),
        "Create",
        json!({}),
    )
    .await;
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    let uri = format!("{b}/{dst}@{}", index.digest);
    assert_eq!(body["PhysicalResourceId"], uri);
    assert_eq!(
        body["Data"],
        json!({"ImageUri": uri, "Digest": index.digest})
    );

    let arm64 = &index.images[1];
    let body = answer(
        &format!("{a}/{src}:latest"),
        &format!("{b}/{dst}"),
        "Update",
        json!({"Architecture": "arm64", "RefreshToken": "7"}),
    )
    .await;
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    assert_eq!(body["Data"]["Digest"], arm64.digest);
    assert_eq!(
        body["PhysicalResourceId"],
        format!("{b}/{dst}@{}", arm64.digest)
    );
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn missing_tag_wrong_digest_and_unreachable_registry_are_answered_failed_with_reasons() {
    let (a, b) = (registry("A"), registry("B"));
    let src = unique_repo("src/handler-err");
    TestImage::random("amd64", 1)
        .push(&push_client(), &a, &src, Some("v1"))
        .await;
    let target = format!("{b}/{}", unique_repo("dst/handler-err"));
    let wrong = format!("sha256:{}", "cd".repeat(32));
    let down = closed_port_addr();

    let cases = [
        (
            format!("{a}/{src}:v2"),
            "Create",
            vec!["was not found".to_owned(), "tag `v2`".to_owned()],
        ),
        (
            format!("{a}/{src}@{wrong}"),
            "Create",
            vec!["was not found".to_owned(), wrong.clone()],
        ),
        (
            format!("{down}/app:v1"),
            "Update",
            vec![
                format!("cannot reach registry {down}"),
                "Connection refused".to_owned(),
            ],
        ),
    ];
    for (source, request_type, expected) in cases {
        let body = answer(&source, &target, request_type, json!({})).await;
        assert_eq!(body["Status"], "FAILED", "{source}: {body}");
        let reason = body["Reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with(&format!("{request_type} of MyLambdaImage failed: ")),
            "{reason}"
        );
        for needle in expected {
            assert!(
                reason.contains(&needle),
                "{source}: `{needle}` not in: {reason}"
            );
        }
        let physical = body["PhysicalResourceId"].as_str().unwrap_or_default();
        if request_type == "Update" {
            assert_eq!(physical, "previous-id");
        } else {
            assert_eq!(physical, "MyLambdaImage-create-failed-req-1");
        }
    }
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn the_construct_properties_tag_each_copy_with_its_digest() {
    // What ImageRepublish emits: one platform, and a tag per digest so the
    // repository's tags can stay immutable.
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/tagged"), unique_repo("dst/tagged"));
    let index = TestIndex::new(
        vec![TestImage::random("amd64", 2), TestImage::random("arm64", 1)],
        vec![],
    );
    index.push(&push_client(), &a, &src, Some("latest")).await;
    let props = json!({"Architecture": "amd64", "TargetTag": "cloudcron-{digest}", "RefreshToken": "2026-11-28"});
    let body = answer(
        &format!("{a}/{src}:latest"),
        &format!("{b}/{dst}"),
        "Create",
        props.clone(),
    )
    .await;
    assert_eq!(body["Status"], "SUCCESS", "{body}");
    let amd64 = &index.images[0];
    assert_eq!(body["Data"]["Digest"], amd64.digest);

    let tag = format!("cloudcron-{}", amd64.digest.replace(':', "-"));
    let served = reqwest::Client::new()
        .head(format!("http://{b}/v2/{dst}/manifests/{tag}"))
        .header(
            "Accept",
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
        )
        .send()
        .await
        .expect("registry answers");
    assert_eq!(served.status(), 200, "tag {tag} exists");
    assert_eq!(
        served.headers()["docker-content-digest"]
            .to_str()
            .expect("header"),
        amd64.digest
    );

    // The same properties again (an Update after a rollback): same digest, same tag, success.
    let again = answer(
        &format!("{a}/{src}:latest"),
        &format!("{b}/{dst}"),
        "Update",
        props,
    )
    .await;
    assert_eq!(again["Status"], "SUCCESS", "{again}");
    assert_eq!(again["PhysicalResourceId"], body["PhysicalResourceId"]);
}
