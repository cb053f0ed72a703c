//! `TemplateLoader::from_env` with S3 pointed at moto by `AWS_ENDPOINT_URL_S3`, as a
//! Lambda under test would be. The test sets process environment variables, so it
//! holds [`lock_env`](crate::lock_env) throughout.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::Credentials;
use aws_sdk_s3::primitives::ByteStream;
use cloud_cron_notifiers::template_source::{TemplateLoader, TemplateSource};

#[test]
#[ignore = "needs a moto server: run scripts/test"]
fn from_env_reads_the_s3_endpoint_from_the_environment() {
    let _env = crate::lock_env();
    let endpoint = std::env::var("CLOUDCRON_MOTO_ENDPOINT").expect(
        "set CLOUDCRON_MOTO_ENDPOINT=http://127.0.0.1:PORT (scripts/test starts moto and sets it)",
    );
    // The S3-only variable, with a host name rather than an IP address: the loader
    // must notice it and address S3 path-style (`bucket.localhost` does not resolve).
    std::env::remove_var("AWS_ENDPOINT_URL");
    std::env::set_var(
        "AWS_ENDPOINT_URL_S3",
        endpoint.replace("127.0.0.1", "localhost"),
    );
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_PROFILE");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/cloud-cron/config");
    std::env::set_var(
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/cloud-cron/credentials",
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let setup = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .load()
            .await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&setup)
                .force_path_style(true)
                .build(),
        );
        let bucket = format!("cloud-cron-from-env-{}", std::process::id());
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        s3.put_object()
            .bucket(&bucket)
            .key("t.j2")
            .body(ByteStream::from_static(b"from env {{ x }}"))
            .send()
            .await
            .unwrap();

        let loader = TemplateLoader::from_env().await;
        let source: TemplateSource = format!("s3://{bucket}/t.j2").parse().unwrap();
        assert_eq!(&*loader.load(&source).await.unwrap(), "from env {{ x }}");
    });
}
