//! ECR answers a manifest PUT with `201 Created` but no `Location` header. `oci-client`
//! works around that only for references with a tag (and panics for a push by digest);
//! the copier's pushes by digest must work against such a registry. A local fake registry
//! plays ECR here.

use crate::common::{RecordingServer, Reply, OCI_MANIFEST};
use bytes::Bytes;
use cloud_cron_image_copier::registry::{sha256_digest, Manifest, RegistryClient, RegistryOptions};
use oci_client::Reference;

#[tokio::test]
async fn manifests_are_pushed_by_digest_and_tag_to_a_registry_that_omits_location() {
    let server = RecordingServer::start(|request, _| match request.method.as_str() {
        "PUT" => Reply::status(201).header("Docker-Content-Digest", &sha256_digest(&request.body)),
        _ => Reply::status(200),
    })
    .await;
    let registry = server.addr.to_string();
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let body = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[]}}"#,
        sha256_digest(config),
        config.len()
    );
    let bytes = Bytes::from(body);
    let manifest =
        Manifest::parse(bytes.clone(), &sha256_digest(&bytes), "test manifest").expect("parse");

    let client = RegistryClient::new(RegistryOptions::default(), &[&registry]).expect("client");
    let repo = Reference::with_tag(registry.clone(), "stack/app".into(), "unused".into());
    client
        .push_manifest(&repo, &manifest, None)
        .await
        .expect("push by digest");
    client
        .push_manifest(&repo, &manifest, Some("v1"))
        .await
        .expect("push by tag");

    let puts: Vec<_> = server
        .settled_requests()
        .await
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(
        puts[0].path,
        format!("/v2/stack/app/manifests/{}", manifest.digest)
    );
    assert_eq!(puts[1].path, "/v2/stack/app/manifests/v1");
    for put in &puts {
        assert_eq!(put.body, bytes.as_ref(), "the exact bytes are pushed");
        assert_eq!(
            put.headers.get("content-type").map(String::as_str),
            Some(OCI_MANIFEST)
        );
    }
}
