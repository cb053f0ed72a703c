//! The copier against a registry with token auth (registry `T` of
//! `scripts/oci-registries`: `auth: token`, its realm a local token server), as
//! Docker Hub, GHCR and public ECR work: anonymous pull tokens for public
//! repositories, and for `private/...` only with the right basic credentials, which
//! the copier reads from a Secrets Manager secret (moto here).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::common::*;
use cloud_cron_image_copier::auth::RegistryAuthenticator;
use cloud_cron_image_copier::copy::{copy_image, CopyError, CopyRequest};
use cloud_cron_image_copier::custom_resource::{handle, HandlerConfig, Invocation, OciImageCopier};
use cloud_cron_image_copier::registry::RegistryOptions;
use oci_client::secrets::RegistryAuth;
use serde_json::{json, Value};

/// `(user, password)` of a user of registry T (`PUSHER` or `READER`).
fn user(which: &str) -> (String, String) {
    let var = format!("CLOUDCRON_REGISTRY_T_{which}");
    let value = std::env::var(&var)
        .unwrap_or_else(|_| panic!("{var} is not set: run these tests with scripts/test"));
    let (user, password) = value.split_once(':').expect("user:password");
    (user.to_owned(), password.to_owned())
}

/// Pushes a fresh one-layer image to `T/repo:v1` as the pusher (the token
/// server gives it push rights; the push itself goes through the token dance).
async fn seed(repo: &str) -> TestImage {
    let t = registry("T");
    let client = push_client();
    let (name, password) = user("PUSHER");
    client
        .store_auth_if_needed(&t, &RegistryAuth::Basic(name, password))
        .await;
    let image = TestImage::random("amd64", 1);
    image.push(&client, &t, repo, Some("v1")).await;
    image
}

/// The token server's log lines (JSON) about repository `repo`.
fn token_requests(repo: &str) -> Vec<Value> {
    let log = std::fs::read_to_string(registry_path("T", "TOKEN_LOG")).expect("token log");
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            e["scopes"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|s| s.as_str().is_some_and(|s| s.contains(repo)))
            })
        })
        .collect()
}

/// A secret in moto holding `{"username": .., "password": ..}`; returns its name.
async fn credentials_secret(username: &str, password: &str) -> String {
    let aws = moto_config().await;
    let client = aws_sdk_secretsmanager::Client::new(&aws);
    let name = format!("cloud-cron/registry-{:08x}", fastrand::u32(..));
    client
        .create_secret()
        .name(&name)
        .secret_string(json!({"username": username, "password": password}).to_string())
        .send()
        .await
        .expect("CreateSecret in moto");
    name
}

async fn copy_from_t(
    source_repo: &str,
    secret: Option<String>,
    authenticator: &RegistryAuthenticator,
) -> Result<cloud_cron_image_copier::CopyOutcome, CopyError> {
    let request = CopyRequest::parse(
        &format!("{}/{source_repo}:v1", registry("T")),
        &format!("{}/{}", registry("B"), unique_repo("dst/from-token")),
        None,
        None,
    )?
    .with_source_credentials(secret);
    copy_image(&request, &RegistryOptions::default(), authenticator).await
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn a_public_repository_is_copied_with_an_anonymous_token() {
    let repo = unique_repo("public/app");
    let image = seed(&repo).await;
    let outcome = copy_from_t(&repo, None, &RegistryAuthenticator::anonymous())
        .await
        .expect("anonymous copy");
    assert_eq!(outcome.digest, image.digest);
    assert_eq!(outcome.report.blobs_uploaded, 2, "{:?}", outcome.report);

    let requests = token_requests(&repo);
    let anonymous: Vec<&Value> = requests
        .iter()
        .filter(|e| e["user"] == "anonymous")
        .collect();
    assert!(
        !anonymous.is_empty(),
        "the copier asked for a token: {requests:?}"
    );
    for entry in anonymous {
        assert_eq!(entry["result"], "issued", "{entry}");
        assert_eq!(entry["access"][0]["actions"], json!(["pull"]), "{entry}");
    }
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn a_private_repository_refuses_an_anonymous_copy_with_a_hint() {
    let repo = unique_repo("private/app");
    seed(&repo).await;
    let err = copy_from_t(&repo, None, &RegistryAuthenticator::anonymous())
        .await
        .unwrap_err();
    assert!(matches!(err, CopyError::SourceDenied { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("cannot be pulled anonymously"),
        "{message}"
    );
    assert!(message.contains(".credentials("), "{message}");
}

#[tokio::test]
#[ignore = "needs local OCI registries and moto: run scripts/test"]
async fn a_private_repository_is_copied_with_credentials_from_secrets_manager() {
    let repo = unique_repo("private/app");
    let image = seed(&repo).await;
    let (name, password) = user("READER");
    let secret = credentials_secret(&name, &password).await;
    let authenticator = RegistryAuthenticator::with_aws(moto_config().await);
    let outcome = copy_from_t(&repo, Some(secret), &authenticator)
        .await
        .expect("copy with the reader's credentials");
    assert_eq!(outcome.digest, image.digest);

    // The token came from the reader's credentials, and was good for pull only.
    let reader: Vec<Value> = token_requests(&repo)
        .into_iter()
        .filter(|e| e["user"] == "reader")
        .collect();
    assert!(!reader.is_empty(), "no token request as reader");
    assert!(reader.iter().all(|e| e["result"] == "issued"), "{reader:?}");
    assert_eq!(reader[0]["access"][0]["actions"], json!(["pull"]));
}

#[tokio::test]
#[ignore = "needs local OCI registries and moto: run scripts/test"]
async fn wrong_credentials_are_a_failed_answer_that_does_not_echo_the_secret() {
    let repo = unique_repo("private/app");
    seed(&repo).await;
    let (name, _) = user("READER");
    let wrong_password = format!("wrong-{:016x}", fastrand::u64(..));
    let secret = credentials_secret(&name, &wrong_password).await;

    let server = RecordingServer::ok().await;
    let event = json!({
        "RequestType": "Create",
        "ResponseURL": server.url("/presigned?X-Amz-Signature=abc"),
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "req-1",
        "ResourceType": "Custom::ImageRepublish",
        "LogicalResourceId": "VendorImageCopy",
        "ResourceProperties": {
            "ServiceToken": "arn",
            "SourceImage": format!("{}/{repo}:v1", registry("T")),
            "TargetRepositoryUri": format!("{}/{}", registry("B"), unique_repo("dst/refused")),
            "SourceCredentials": secret,
        },
    });
    let copier = Arc::new(OciImageCopier::new(
        RegistryAuthenticator::with_aws(moto_config().await),
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
    let body: Value = serde_json::from_slice(&requests[0].body).expect("JSON answer");
    assert_eq!(body["Status"], "FAILED", "{body}");
    let reason = body["Reason"].as_str().unwrap_or_default();
    for needle in [
        "refused the credentials from secret".to_owned(),
        format!("`{secret}`"),
        "invalid username or password".to_owned(),
    ] {
        assert!(reason.contains(&needle), "`{needle}` not in: {reason}");
    }
    let whole = String::from_utf8_lossy(&requests[0].body);
    assert!(
        !whole.contains(&wrong_password),
        "the password leaked: {whole}"
    );
    let refused = token_requests(&repo)
        .into_iter()
        .filter(|e| e["user"] == "reader")
        .collect::<Vec<_>>();
    assert!(
        refused.iter().any(|e| e["result"] == "refused"),
        "{refused:?}"
    );
}
