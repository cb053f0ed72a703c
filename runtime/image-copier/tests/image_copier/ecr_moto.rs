//! ECR calls against moto (`CLOUDCRON_MOTO_ENDPOINT`, started by the project's
//! scripts/test): repository creation gives the URI the construct passes as
//! `TargetRepositoryUri`, and `GetAuthorizationToken` gives `AWS` basic-auth credentials
//! for the registry's own region. moto does not serve the registry (v2) API itself, so
//! the copy proper is tested against the local docker-registry servers.

use crate::common::moto_config;
use aws_config::BehaviorVersion;
use aws_sdk_ecr::config::{Credentials, Region};
use cloud_cron_image_copier::auth::{get_ecr_token, EcrRegistry, RegistryAuthenticator};
use cloud_cron_image_copier::copy::TargetRepository;
use oci_client::secrets::RegistryAuth;

#[tokio::test]
#[ignore = "needs moto: run scripts/test"]
async fn a_created_repository_uri_is_a_valid_target_and_its_region_gets_a_token() {
    let aws = moto_config().await;
    let auth = RegistryAuthenticator::with_aws(aws);
    let ecr = auth.ecr_client("us-west-2").expect("client");
    let name = format!("cloud-cron/image-copier-{:08x}", fastrand::u32(..));
    let created = ecr
        .create_repository()
        .repository_name(&name)
        .send()
        .await
        .expect("CreateRepository");
    let uri = created
        .repository()
        .and_then(|r| r.repository_uri())
        .expect("repositoryUri")
        .to_owned();

    let target: TargetRepository = uri.parse().expect("the URI is a valid TargetRepositoryUri");
    assert_eq!(target.repository, name);
    let registry = EcrRegistry::parse(&target.registry).expect("an ECR host");
    assert_eq!(registry.region, "us-west-2");

    // The token is asked of the registry's region (moto names it in proxyEndpoint).
    let token = get_ecr_token(&ecr, "us-west-2")
        .await
        .expect("GetAuthorizationToken");
    assert_eq!(token.username, "AWS");
    assert!(!token.password.is_empty());
    assert_eq!(
        token.proxy_endpoint.as_deref(),
        Some(format!("https://{}", target.registry).as_str())
    );

    match auth
        .credentials_for(&target.registry)
        .await
        .expect("credentials")
    {
        RegistryAuth::Basic(user, password) => {
            assert_eq!(user, "AWS");
            assert_eq!(password, token.password);
        }
        other => panic!("expected basic auth, got {other:?}"),
    }
    // Other registries stay anonymous, without an AWS call.
    assert_eq!(
        auth.credentials_for("127.0.0.1:5000")
            .await
            .expect("anonymous"),
        RegistryAuth::Anonymous
    );
}

#[tokio::test]
async fn a_failing_token_call_is_a_readable_error() {
    // An endpoint where nothing listens: the SDK call fails fast.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let aws = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let auth = RegistryAuthenticator::with_aws(aws);
    let err = auth
        .credentials_for("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("ECR GetAuthorizationToken in eu-west-1 failed"),
        "{message}"
    );
}
