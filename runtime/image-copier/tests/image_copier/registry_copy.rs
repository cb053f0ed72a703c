//! The copier against two real local OCI registries (Debian's `docker-registry`, the CNCF
//! distribution server), started by `scripts/oci-registries`:
//!
//! ```sh
//! scripts/oci-registries cargo test --test registry_copy -- --include-ignored
//! ```

use std::time::Duration;

use crate::common::*;
use cloud_cron_image_copier::auth::RegistryAuthenticator;
use cloud_cron_image_copier::copy::{copy_image, CopyError, CopyOutcome, CopyRequest};
use cloud_cron_image_copier::registry::{RegistryClient, RegistryError, RegistryOptions};
use oci_client::Reference;

async fn copy(
    source: &str,
    target: &str,
    architecture: Option<&str>,
) -> Result<CopyOutcome, CopyError> {
    let request = CopyRequest::parse(source, target, architecture, None)?;
    copy_image(
        &request,
        &RegistryOptions::default(),
        &RegistryAuthenticator::anonymous(),
    )
    .await
}

/// A client for asserting on the target (manifest HEADs, blob HEADs).
fn check_client() -> RegistryClient {
    RegistryClient::new(
        RegistryOptions::default(),
        &[&registry("A"), &registry("B")],
    )
    .expect("client")
}

fn repo_ref(registry: &str, repo: &str) -> Reference {
    Reference::with_tag(registry.into(), repo.into(), "unused".into())
}

async fn settle() {
    // The registry writes its access-log line after the response.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn copies_a_multi_layer_image_verbatim_and_a_second_copy_uploads_nothing() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/app"), unique_repo("dst/app"));
    let pusher = push_client();
    let image = TestImage::random("amd64", 3);
    image.push(&pusher, &a, &src, Some("v1")).await;

    let outcome = copy(&format!("{a}/{src}:v1"), &format!("{b}/{dst}"), None)
        .await
        .expect("copy");
    assert_eq!(outcome.digest, image.digest);
    assert_eq!(outcome.image_uri, format!("{b}/{dst}@{}", image.digest));
    assert_eq!(outcome.tag.as_deref(), Some("v1"));
    assert_eq!(outcome.report.blobs_uploaded, 4, "{:?}", outcome.report);
    assert_eq!(
        outcome.report.blobs_skipped + outcome.report.blobs_mounted,
        0
    );
    assert_eq!(outcome.report.manifests_pushed, 1);
    assert!(outcome.report.tag_pushed);
    let expected_bytes: u64 = image.blobs().iter().map(|b| b.data.len() as u64).sum();
    assert_eq!(outcome.report.bytes_uploaded, expected_bytes);

    // Same manifest bytes under the tag and the digest, same blobs.
    let (source_manifest, source_digest) = fetch_raw(&pusher, &a, &src, "v1").await;
    let (target_manifest, target_digest) = fetch_raw(&pusher, &b, &dst, "v1").await;
    assert_eq!(target_manifest, source_manifest);
    assert_eq!(target_digest, source_digest);
    let (by_digest, _) = fetch_raw(&pusher, &b, &dst, &image.digest).await;
    assert_eq!(by_digest, source_manifest);
    for blob in image.blobs() {
        let copied = fetch_blob(&pusher, &b, &dst, &blob.digest).await;
        assert_eq!(copied, blob.data.as_ref(), "blob {}", blob.digest);
    }
    settle().await;
    let uploads_after_first = upload_requests("B", &dst).len();
    assert!(
        uploads_after_first >= 4,
        "the access log shows the first copy's uploads"
    );

    // Again: nothing is transferred, the registry sees no upload request.
    let again = copy(&format!("{a}/{src}:v1"), &format!("{b}/{dst}"), None)
        .await
        .expect("copy again");
    assert_eq!(again.digest, image.digest);
    assert!(!again.report.wrote_anything(), "{:?}", again.report);
    assert_eq!(again.report.manifests_skipped, 1);
    settle().await;
    assert_eq!(
        upload_requests("B", &dst).len(),
        uploads_after_first,
        "second copy uploaded something"
    );
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn layers_the_target_has_are_skipped_and_only_new_ones_uploaded() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/base"), unique_repo("dst/base"));
    let pusher = push_client();
    let base = [random_layer(4000), random_layer(5000)];
    let v1 = TestImage::new(
        "amd64",
        vec![base[0].clone(), base[1].clone(), random_layer(3000)],
    );
    let v2 = TestImage::new(
        "amd64",
        vec![base[0].clone(), base[1].clone(), random_layer(3100)],
    );
    v1.push(&pusher, &a, &src, Some("v1")).await;
    v2.push(&pusher, &a, &src, Some("v2")).await;

    copy(&format!("{a}/{src}:v1"), &format!("{b}/{dst}"), None)
        .await
        .expect("copy v1");
    settle().await;
    let before = upload_requests("B", &dst).len();
    let outcome = copy(&format!("{a}/{src}:v2"), &format!("{b}/{dst}"), None)
        .await
        .expect("copy v2");
    assert_eq!(outcome.report.blobs_skipped, 2, "{:?}", outcome.report);
    assert_eq!(
        outcome.report.blobs_uploaded, 2,
        "new layer and new config: {:?}",
        outcome.report
    );
    settle().await;
    let new_uploads: Vec<String> = upload_requests("B", &dst).split_off(before);
    let started = new_uploads.iter().filter(|l| l.contains("\"POST ")).count();
    assert_eq!(started, 2, "exactly two upload sessions: {new_uploads:#?}");
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn blobs_are_mounted_between_repositories_of_one_registry() {
    let a = registry("A");
    let (src, dst) = (unique_repo("src/mount"), unique_repo("dst/mount"));
    let pusher = push_client();
    let image = TestImage::random("arm64", 2);
    image.push(&pusher, &a, &src, Some("v1")).await;

    let outcome = copy(&format!("{a}/{src}:v1"), &format!("{a}/{dst}"), None)
        .await
        .expect("copy");
    assert_eq!(outcome.report.blobs_mounted, 3, "{:?}", outcome.report);
    assert_eq!(outcome.report.blobs_uploaded, 0);
    let (copied, digest) = fetch_raw(&pusher, &a, &dst, "v1").await;
    assert_eq!(copied, image.manifest);
    assert_eq!(digest, image.digest);
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn an_index_is_copied_whole_with_its_digest() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/multi"), unique_repo("dst/multi"));
    let pusher = push_client();
    let index = TestIndex::new(
        vec![TestImage::random("amd64", 2), TestImage::random("arm64", 3)],
        vec![],
    );
    index.push(&pusher, &a, &src, Some("latest")).await;

    let outcome = copy(&format!("{a}/{src}"), &format!("{b}/{dst}"), None)
        .await
        .expect("copy");
    assert_eq!(outcome.digest, index.digest);
    assert_eq!(outcome.media_type, OCI_INDEX);
    assert_eq!(
        outcome.report.manifests_pushed, 3,
        "two images and the index"
    );
    assert_eq!(outcome.report.blobs_uploaded, 3 + 4);

    let (copied, digest) = fetch_raw(&pusher, &b, &dst, "latest").await;
    assert_eq!(copied, index.manifest);
    assert_eq!(digest, index.digest);
    let check = check_client();
    for image in &index.images {
        let (manifest, _) = fetch_raw(&pusher, &b, &dst, &image.digest).await;
        assert_eq!(manifest, image.manifest, "{} manifest", image.architecture);
        for blob in image.blobs() {
            assert!(check
                .blob_exists(&repo_ref(&b, &dst), &blob.digest)
                .await
                .expect("HEAD"));
        }
    }

    let again = copy(&format!("{a}/{src}"), &format!("{b}/{dst}"), None)
        .await
        .expect("again");
    assert!(!again.report.wrote_anything(), "{:?}", again.report);
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn one_architecture_is_picked_from_an_index() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/pick"), unique_repo("dst/pick"));
    let pusher = push_client();
    let index = TestIndex::new(
        vec![TestImage::random("amd64", 2), TestImage::random("arm64", 2)],
        vec![],
    );
    index.push(&pusher, &a, &src, Some("v3")).await;
    let (amd64, arm64) = (&index.images[0], &index.images[1]);

    let outcome = copy(
        &format!("{a}/{src}:v3"),
        &format!("{b}/{dst}"),
        Some("aarch64"),
    )
    .await
    .expect("copy");
    assert_eq!(outcome.digest, arm64.digest);
    assert_eq!(outcome.media_type, OCI_MANIFEST);
    let (tagged, digest) = fetch_raw(&pusher, &b, &dst, "v3").await;
    assert_eq!(tagged, arm64.manifest);
    assert_eq!(digest, arm64.digest);

    let check = check_client();
    let target = |d: &str| Reference::with_digest(b.clone(), dst.clone(), d.into());
    assert_eq!(
        check
            .manifest_digest(&target(&amd64.digest))
            .await
            .expect("HEAD"),
        None
    );
    assert_eq!(
        check
            .manifest_digest(&target(&index.digest))
            .await
            .expect("HEAD"),
        None
    );
    for blob in &amd64.layers {
        assert!(!check
            .blob_exists(&repo_ref(&b, &dst), &blob.digest)
            .await
            .expect("HEAD"));
    }
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn a_missing_architecture_or_a_wrong_single_image_fails_clearly() {
    let (a, b) = (registry("A"), registry("B"));
    let src = unique_repo("src/arch");
    let pusher = push_client();
    // Like buildx's attestation manifests: an index entry with platform unknown/unknown.
    let attestation = TestImage::random("unknown", 1);
    attestation.push(&pusher, &a, &src, None).await;
    let attestation_entry = serde_json::json!({
        "mediaType": OCI_MANIFEST,
        "digest": attestation.digest,
        "size": attestation.manifest.len(),
        "platform": {"architecture": "unknown", "os": "unknown"}
    });
    let amd64 = TestImage::random("amd64", 1);
    let index = TestIndex::new(vec![amd64.clone()], vec![attestation_entry]);
    index.push(&pusher, &a, &src, Some("idx")).await;
    amd64.push(&pusher, &a, &src, Some("single")).await;

    let err = copy(
        &format!("{a}/{src}:idx"),
        &format!("{b}/{}", unique_repo("dst")),
        Some("arm64"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CopyError::PlatformNotFound { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("linux/arm64") && message.contains("linux/amd64, unknown/unknown"),
        "{message}"
    );

    let err = copy(
        &format!("{a}/{src}:single"),
        &format!("{b}/{}", unique_repo("dst")),
        Some("arm64"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, CopyError::ArchitectureMismatch { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("linux/amd64"), "{err}");

    // The right architecture of a single image passes the check.
    let ok = copy(
        &format!("{a}/{src}:single"),
        &format!("{b}/{}", unique_repo("dst")),
        Some("x86_64"),
    )
    .await;
    assert_eq!(ok.expect("copy").digest, amd64.digest);
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn a_missing_tag_a_wrong_digest_and_an_unreachable_registry_fail_specifically() {
    let (a, b) = (registry("A"), registry("B"));
    let src = unique_repo("src/err");
    let pusher = push_client();
    TestImage::random("amd64", 1)
        .push(&pusher, &a, &src, Some("v1"))
        .await;
    let target = format!("{b}/{}", unique_repo("dst/err"));

    let err = copy(&format!("{a}/{src}:nope"), &target, None)
        .await
        .unwrap_err();
    match &err {
        CopyError::SourceNotFound { cause, .. } => {
            assert!(matches!(cause, RegistryError::NotFound { .. }), "{cause:?}")
        }
        other => panic!("missing tag: {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&format!("{a}/{src}:nope")) && message.contains("tag `nope`"),
        "{message}"
    );

    let wrong = format!("sha256:{}", "ab".repeat(32));
    let err = copy(&format!("{a}/{src}@{wrong}"), &target, None)
        .await
        .unwrap_err();
    assert!(matches!(err, CopyError::SourceNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&wrong), "{err}");

    let err = copy(&format!("{a}/{src}@sha256:1234"), &target, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CopyError::InvalidInput {
                property: "SourceImage",
                ..
            }
        ),
        "{err:?}"
    );

    let down = closed_port_addr();
    let err = copy(&format!("{down}/app:v1"), &target, None)
        .await
        .unwrap_err();
    match &err {
        CopyError::Registry(RegistryError::Unreachable { registry, .. }) => {
            assert_eq!(registry, &down)
        }
        other => panic!("unreachable source: {other:?}"),
    }
    assert!(
        err.to_string()
            .contains(&format!("cannot reach registry {down}")),
        "{err}"
    );

    let err = copy(&format!("{a}/{src}:v1"), &format!("{down}/dst"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CopyError::Registry(RegistryError::Unreachable { registry, .. }) if registry == &down),
        "unreachable target: {err:?}"
    );
}

#[tokio::test]
#[ignore = "needs local OCI registries: run scripts/test"]
async fn a_corrupted_source_blob_is_refused_and_never_lands_in_the_target() {
    let (a, b) = (registry("A"), registry("B"));
    let (src, dst) = (unique_repo("src/bad"), unique_repo("dst/bad"));
    let pusher = push_client();
    let image = TestImage::random("amd64", 2);
    image.push(&pusher, &a, &src, Some("v1")).await;

    // Flip bytes of one layer in registry A's storage (same size, other content).
    let victim = &image.layers[1];
    let hex = victim.digest.trim_start_matches("sha256:");
    let path = registry_path("A", "ROOT")
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    let mut data = std::fs::read(&path).expect("read stored blob");
    for byte in data.iter_mut().skip(600).take(64) {
        *byte ^= 0xff;
    }
    std::fs::write(&path, &data).expect("corrupt stored blob");

    let err = copy(&format!("{a}/{src}:v1"), &format!("{b}/{dst}"), None)
        .await
        .unwrap_err();
    match &err {
        CopyError::Registry(RegistryError::DigestMismatch { expected, .. }) => {
            assert_eq!(expected, &victim.digest)
        }
        other => panic!("expected a digest mismatch: {other:?}"),
    }
    let check = check_client();
    assert!(!check
        .blob_exists(&repo_ref(&b, &dst), &victim.digest)
        .await
        .expect("HEAD"));
    assert_eq!(
        check
            .manifest_digest(&Reference::with_digest(
                b.clone(),
                dst.clone(),
                image.digest.clone()
            ))
            .await
            .expect("HEAD"),
        None
    );
}
