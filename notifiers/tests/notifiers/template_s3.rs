//! `s3://` sources against a moto server (`CLOUDCRON_MOTO_ENDPOINT`, started by
//! `scripts/test`), configured explicitly so no test touches the process environment.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use cloud_cron_notifiers::template_source::{TemplateError, TemplateLoader, TemplateSource};

use crate::support::{moto_endpoint, sdk_config};

/// A bucket of its own for each test, holding `objects`.
async fn bucket_with(config: &SdkConfig, test: &str, objects: &[(&str, &[u8])]) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    let bucket = format!("cloud-cron-{test}-{}-{nanos}", std::process::id());
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("CreateBucket on moto");
    for (key, body) in objects {
        s3.put_object()
            .bucket(&bucket)
            .key(*key)
            .body(ByteStream::from(body.to_vec()))
            .send()
            .await
            .expect("PutObject on moto");
    }
    bucket
}

async fn delete_object(config: &SdkConfig, bucket: &str, key: &str) {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("DeleteObject on moto");
}

fn s3_source(bucket: &str, key: &str) -> TemplateSource {
    format!("s3://{bucket}/{key}")
        .parse()
        .expect("a valid s3: source")
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn object_is_loaded_and_cached() {
    let config = sdk_config(&moto_endpoint()).await;
    let template = "Nightly sync {{ status }} ✓".as_bytes();
    let bucket = bucket_with(&config, "ok", &[("templates/sync.j2", template)]).await;
    let loader = TemplateLoader::from_sdk_config(&config);
    let source = s3_source(&bucket, "templates/sync.j2");
    assert_eq!(loader.load(&source).await.unwrap().as_bytes(), template);

    // Served from the cache: the object is gone, the loader still has it.
    delete_object(&config, &bucket, "templates/sync.j2").await;
    assert_eq!(loader.load(&source).await.unwrap().as_bytes(), template);
    let fresh = TemplateLoader::from_sdk_config(&config);
    assert!(fresh.load(&source).await.is_err());
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn missing_key_is_permanent_and_says_what_to_fix() {
    let config = sdk_config(&moto_endpoint()).await;
    let bucket = bucket_with(&config, "nokey", &[]).await;
    let loader = TemplateLoader::from_sdk_config(&config);
    let err = loader
        .load(&s3_source(&bucket, "absent.j2"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TemplateError::S3 { code: Some(code), status: Some(404), .. } if code == "NoSuchKey"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains(&format!("`s3://{bucket}/absent.j2`")),
        "{text}"
    );
    assert!(
        text.contains("upload the template there or fix the key"),
        "{text}"
    );
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn missing_bucket_is_permanent() {
    let config = sdk_config(&moto_endpoint()).await;
    let loader = TemplateLoader::from_sdk_config(&config);
    let err = loader
        .load(&s3_source("cloud-cron-no-such-bucket", "t.j2"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TemplateError::S3 { code: Some(code), .. } if code == "NoSuchBucket"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(err.to_string().contains("fix the bucket name"), "{err}");
}

#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn object_over_the_size_limit_or_not_utf8_is_refused() {
    let config = sdk_config(&moto_endpoint()).await;
    let big = vec![b'x'; 2048];
    let bucket = bucket_with(
        &config,
        "limits",
        &[("big.j2", &big), ("latin1.j2", b"caf\xe9")],
    )
    .await;
    let small = TemplateLoader::from_sdk_config(&config).with_limits(Duration::from_secs(5), 1024);
    let err = small.load(&s3_source(&bucket, "big.j2")).await.unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::TooLarge {
                limit: 1024,
                size: Some(2048),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_transient());

    let err = small
        .load(&s3_source(&bucket, "latin1.j2"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TemplateError::NotUtf8 { valid_up_to: 3, .. }),
        "{err:?}"
    );
}

/// An endpoint named by host name (a container name, `localhost`) rather than an IP
/// address: only path-style addressing reaches it (`bucket.localhost` does not resolve).
#[tokio::test]
#[ignore = "needs a moto server: run scripts/test"]
async fn named_endpoint_host_is_addressed_path_style() {
    let endpoint = moto_endpoint();
    let setup = sdk_config(&endpoint).await;
    let bucket = bucket_with(&setup, "named", &[("t.j2", b"path style")]).await;
    let named = sdk_config(&endpoint.replace("127.0.0.1", "localhost")).await;
    let loader = TemplateLoader::from_sdk_config(&named);
    assert_eq!(
        &*loader.load(&s3_source(&bucket, "t.j2")).await.unwrap(),
        "path style"
    );
}

/// No moto needed: nothing listens on the endpoint, which is a transient failure.
#[tokio::test]
async fn unreachable_endpoint_is_transient() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let loader = TemplateLoader::from_sdk_config(&config).with_limits(Duration::from_secs(3), 1024);
    let err = loader.load(&s3_source("bucket", "t.j2")).await.unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::S3 { .. } | TemplateError::Timeout { .. }
        ),
        "{err:?}"
    );
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("s3://bucket/t.j2"), "{err}");
}
