//! Registry credentials.
//!
//! Private ECR registries (`<account>.dkr.ecr.<region>.amazonaws.com` and its FIPS,
//! China and dual-stack forms, as [`cloud_cron_contract::ecr`] parses them) take HTTP basic auth with user `AWS` and a password from
//! ECR's `GetAuthorizationToken`, asked of ECR **in the registry's own region** (a token
//! is regional). Every other registry (Docker Hub, GHCR, public ECR, the tests' loopback
//! registries) is accessed anonymously, unless the resource names a Secrets Manager
//! secret with [`RegistryCredentials`] ([`RegistryAuthenticator::secret_credentials`]),
//! read at run time and never logged.
//!
//! The token dance itself is `oci-client`'s: a registry that answers `401` with
//! `WWW-Authenticate: Bearer realm=..,service=..` gets a token request at the realm
//! (`?scope=repository:<name>:pull&service=..`), anonymous or with the credentials as
//! HTTP basic auth, and the token goes on every later request; a registry that asks
//! for `Basic` gets the credentials directly.
//!
//! [`RegistryAuthenticator`] hands out [`RegistryAuth`] per registry host, caching ECR
//! tokens per region until shortly before they expire (they last 12 hours; a warm Lambda
//! reuses them).

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use aws_sdk_ecr::config::Region;
use aws_sdk_ecr::error::DisplayErrorContext;
use base64::Engine as _;
use oci_client::secrets::RegistryAuth;
use tokio::sync::Mutex;

/// A private ECR registry host, taken apart: the contract's parser, shared
/// with synth's image checks.
pub use cloud_cron_contract::ecr::EcrRegistry;

/// The JSON a credentials secret holds (`{"username": .., "password": ..}`).
pub use cloud_cron_contract::image_republish::RegistryCredentials;

/// Why credentials could not be had.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// `GetAuthorizationToken` failed (no permission, no credentials, network).
    #[error("ECR GetAuthorizationToken in {region} failed: {detail}")]
    GetAuthorizationToken {
        /// The region asked.
        region: String,
        /// The SDK error, with its causes.
        detail: String,
    },
    /// ECR answered without authorization data.
    #[error("ECR GetAuthorizationToken in {region} returned no authorization data")]
    NoAuthorizationData {
        /// The region asked.
        region: String,
    },
    /// The token is not base64 of `user:password`.
    #[error("ECR authorization token from {region} is malformed: {reason}")]
    MalformedToken {
        /// The region asked.
        region: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An ECR registry, but the authenticator was made without AWS configuration.
    #[error("{registry} is an ECR registry, but no AWS configuration is available to get a token")]
    NoAwsConfig {
        /// The registry host.
        registry: String,
    },
    /// A credentials secret, but the authenticator was made without AWS configuration.
    #[error("credentials secret `{secret}` cannot be read: no AWS configuration is available")]
    NoAwsConfigForSecret {
        /// The secret's name or ARN.
        secret: String,
    },
    /// `GetSecretValue` failed (no permission, no such secret, KMS, network).
    #[error("Secrets Manager GetSecretValue of `{secret}` failed: {detail}")]
    GetSecretValue {
        /// The secret's name or ARN.
        secret: String,
        /// The SDK error, with its causes (never the value).
        detail: String,
    },
    /// The secret's value is not `{"username": "...", "password": "..."}`; the
    /// reason never quotes the value.
    #[error("credentials secret `{secret}` {reason}; store {{\"username\": \"...\", \"password\": \"...\"}} (a password or an access token) as its SecretString")]
    MalformedCredentials {
        /// The secret's name or ARN.
        secret: String,
        /// What is wrong, without the value.
        reason: &'static str,
    },
}

/// ECR registry credentials from `GetAuthorizationToken`.
#[derive(Clone, PartialEq, Eq)]
pub struct EcrToken {
    /// The user name (always `AWS`).
    pub username: String,
    /// The password (the token proper).
    pub password: String,
    /// The registry URL the token is for, e.g. `https://123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    pub proxy_endpoint: Option<String>,
    /// When the token expires.
    pub expires_at: Option<SystemTime>,
}

impl fmt::Debug for EcrToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcrToken")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("proxy_endpoint", &self.proxy_endpoint)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl EcrToken {
    /// The token as registry credentials.
    pub fn registry_auth(&self) -> RegistryAuth {
        RegistryAuth::Basic(self.username.clone(), self.password.clone())
    }
}

/// Decodes an ECR authorization token: base64 of `user:password`.
pub fn decode_authorization_token(token: &str) -> Result<(String, String), &'static str> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|_| "not base64")?;
    let text = String::from_utf8(decoded).map_err(|_| "not UTF-8")?;
    let (user, password) = text
        .split_once(':')
        .ok_or("no `:` between user and password")?;
    if user.is_empty() || password.is_empty() {
        return Err("empty user or password");
    }
    Ok((user.to_owned(), password.to_owned()))
}

/// Calls `GetAuthorizationToken` with `client` (whose region picks the registry region).
pub async fn get_ecr_token(
    client: &aws_sdk_ecr::Client,
    region: &str,
) -> Result<EcrToken, AuthError> {
    let output = client.get_authorization_token().send().await.map_err(|e| {
        AuthError::GetAuthorizationToken {
            region: region.to_owned(),
            detail: DisplayErrorContext(&e).to_string(),
        }
    })?;
    let data =
        output
            .authorization_data()
            .first()
            .ok_or_else(|| AuthError::NoAuthorizationData {
                region: region.to_owned(),
            })?;
    let token = data
        .authorization_token()
        .ok_or_else(|| AuthError::NoAuthorizationData {
            region: region.to_owned(),
        })?;
    let (username, password) =
        decode_authorization_token(token).map_err(|reason| AuthError::MalformedToken {
            region: region.to_owned(),
            reason,
        })?;
    let expires_at = data
        .expires_at()
        .and_then(|t| SystemTime::try_from(*t).ok());
    Ok(EcrToken {
        username,
        password,
        proxy_endpoint: data.proxy_endpoint().map(str::to_owned),
        expires_at,
    })
}

/// Parses a credentials secret's value. Errors say what is wrong without quoting
/// any of it (serde's own messages would).
///
/// ```
/// use cloud_cron_image_copier::auth::parse_credentials;
/// let creds = parse_credentials(r#"{"username":"bot","password":"pw"}"#).unwrap();
/// assert_eq!((creds.username.as_str(), creds.password.as_str()), ("bot", "pw"));
/// assert_eq!(parse_credentials("bot:pw").unwrap_err(), "is not JSON");
/// ```
pub fn parse_credentials(value: &str) -> Result<RegistryCredentials, &'static str> {
    let json: serde_json::Value = serde_json::from_str(value).map_err(|_| "is not JSON")?;
    let object = json.as_object().ok_or("is not a JSON object")?;
    let field = |name: &str| {
        object
            .get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let username = field("username").ok_or("has no non-empty `username` string")?;
    let password = field("password").ok_or("has no non-empty `password` string")?;
    Ok(RegistryCredentials { username, password })
}

/// The region of a Secrets Manager ARN (`arn:PARTITION:secretsmanager:REGION:..`).
fn secret_arn_region(secret: &str) -> Option<&str> {
    let mut parts = secret.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|region| !region.is_empty())
}

/// Credentials per registry: ECR tokens for ECR hosts, credentials from a secret
/// when the copy names one, anonymous for the rest.
pub struct RegistryAuthenticator {
    aws: Option<aws_config::SdkConfig>,
    tokens: Mutex<HashMap<String, EcrToken>>,
}

impl fmt::Debug for RegistryAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryAuthenticator")
            .field("aws", &self.aws.is_some())
            .finish_non_exhaustive()
    }
}

/// Tokens are refreshed this long before they expire.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(15 * 60);

impl RegistryAuthenticator {
    /// Anonymous access everywhere; an ECR host is an [`AuthError::NoAwsConfig`].
    pub fn anonymous() -> Self {
        Self {
            aws: None,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// ECR tokens from the AWS configuration `aws` (its credentials and, if set, its
    /// endpoint URL; the region is each registry's own).
    pub fn with_aws(aws: aws_config::SdkConfig) -> Self {
        Self {
            aws: Some(aws),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// An ECR client for `region`, from the AWS configuration.
    pub fn ecr_client(&self, region: &str) -> Option<aws_sdk_ecr::Client> {
        let aws = self.aws.as_ref()?;
        let config = aws_sdk_ecr::config::Builder::from(aws)
            .region(Region::new(region.to_owned()))
            .build();
        Some(aws_sdk_ecr::Client::from_conf(config))
    }

    /// Reads the credentials secret `secret` (a name, or an ARN, whose region is
    /// asked) from Secrets Manager, as HTTP basic credentials for the registry and its
    /// token service.
    pub async fn secret_credentials(&self, secret: &str) -> Result<RegistryAuth, AuthError> {
        let aws = self
            .aws
            .as_ref()
            .ok_or_else(|| AuthError::NoAwsConfigForSecret {
                secret: secret.to_owned(),
            })?;
        let mut config = aws_sdk_secretsmanager::config::Builder::from(aws);
        if let Some(region) = secret_arn_region(secret) {
            config = config.region(Region::new(region.to_owned()));
        }
        let client = aws_sdk_secretsmanager::Client::from_conf(config.build());
        let output = client
            .get_secret_value()
            .secret_id(secret)
            .send()
            .await
            .map_err(|e| AuthError::GetSecretValue {
                secret: secret.to_owned(),
                detail: DisplayErrorContext(&e).to_string(),
            })?;
        let value = output
            .secret_string()
            .ok_or_else(|| AuthError::MalformedCredentials {
                secret: secret.to_owned(),
                reason: "has no SecretString (a binary secret)",
            })?;
        let creds = parse_credentials(value).map_err(|reason| AuthError::MalformedCredentials {
            secret: secret.to_owned(),
            reason,
        })?;
        tracing::info!(secret, username = %creds.username, "read registry credentials");
        Ok(RegistryAuth::Basic(creds.username, creds.password))
    }

    /// The credentials to use for `registry` (`host[:port]`).
    pub async fn credentials_for(&self, registry: &str) -> Result<RegistryAuth, AuthError> {
        let Ok(ecr) = EcrRegistry::parse(registry) else {
            return Ok(RegistryAuth::Anonymous);
        };
        let mut tokens = self.tokens.lock().await;
        if let Some(token) = tokens.get(&ecr.region) {
            let fresh = token
                .expires_at
                .is_some_and(|t| t > SystemTime::now() + TOKEN_REFRESH_MARGIN);
            if fresh {
                return Ok(token.registry_auth());
            }
        }
        let client = self
            .ecr_client(&ecr.region)
            .ok_or_else(|| AuthError::NoAwsConfig {
                registry: registry.to_owned(),
            })?;
        let token = get_ecr_token(&client, &ecr.region).await?;
        let auth = token.registry_auth();
        tokens.insert(ecr.region, token);
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_hosts_are_recognized_in_all_their_forms() {
        let cases = [
            (
                "123456789012.dkr.ecr.us-west-2.amazonaws.com",
                Some("us-west-2"),
            ),
            (
                "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                Some("us-gov-west-1"),
            ),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
                Some("cn-north-1"),
            ),
            ("123456789012.dkr-ecr.eu-west-1.on.aws", Some("eu-west-1")),
            (
                "123456789012.dkr-ecr-fips.us-east-2.on.aws",
                Some("us-east-2"),
            ),
            (
                "123456789012.DKR.ECR.us-east-1.AMAZONAWS.COM:443",
                Some("us-east-1"),
            ),
            ("12345678901.dkr.ecr.us-west-2.amazonaws.com", None),
            (
                "123456789012.dkr.ecr.us-west-2.amazonaws.com.evil.example",
                None,
            ),
            ("public.ecr.aws", None),
            ("ghcr.io", None),
            ("127.0.0.1:5000", None),
        ];
        for (host, region) in cases {
            assert_eq!(
                EcrRegistry::parse(host).ok().map(|e| e.region),
                region.map(str::to_owned),
                "{host}"
            );
        }
    }

    #[test]
    fn authorization_tokens_decode_to_user_and_password() {
        let token = base64::engine::general_purpose::STANDARD.encode("AWS:secret:with:colons");
        assert_eq!(
            decode_authorization_token(&token),
            Ok(("AWS".to_owned(), "secret:with:colons".to_owned()))
        );
        assert_eq!(decode_authorization_token("%%%"), Err("not base64"));
        let no_colon = base64::engine::general_purpose::STANDARD.encode("AWS");
        assert!(decode_authorization_token(&no_colon).is_err());
    }

    #[test]
    fn token_debug_output_hides_the_password() {
        let token = EcrToken {
            username: "AWS".into(),
            password: "hunter2".into(),
            proxy_endpoint: None,
            expires_at: None,
        };
        assert!(!format!("{token:?}").contains("hunter2"));
    }

    #[test]
    fn credentials_secrets_parse_without_echoing_their_value() {
        let creds =
            parse_credentials(r#"{"username": "bot", "password": "s3cr3t-value"}"#).expect("valid");
        assert_eq!(creds.username, "bot");
        assert_eq!(creds.password, "s3cr3t-value");
        for (value, reason) in [
            ("bot:s3cr3t-value", "is not JSON"),
            (r#""s3cr3t-value""#, "is not a JSON object"),
            (
                r#"{"user": "bot", "password": "s3cr3t-value"}"#,
                "has no non-empty `username` string",
            ),
            (
                r#"{"username": "bot", "password": 7}"#,
                "has no non-empty `password` string",
            ),
            (
                r#"{"username": "bot", "password": ""}"#,
                "has no non-empty `password` string",
            ),
        ] {
            assert_eq!(parse_credentials(value).unwrap_err(), reason, "{value}");
        }
        let err = AuthError::MalformedCredentials {
            secret: "registry/ghcr".into(),
            reason: "is not JSON",
        };
        assert!(
            err.to_string()
                .contains(r#"{"username": "...", "password": "..."}"#),
            "{err}"
        );
    }

    #[test]
    fn secret_arns_name_their_region() {
        assert_eq!(
            secret_arn_region("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"),
            Some("eu-west-1")
        );
        assert_eq!(secret_arn_region("registry/ghcr"), None);
    }

    #[tokio::test]
    async fn a_secret_needs_aws_config() {
        let err = RegistryAuthenticator::anonymous()
            .secret_credentials("registry/ghcr")
            .await
            .unwrap_err();
        assert!(
            matches!(err, AuthError::NoAwsConfigForSecret { .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn non_ecr_registries_are_anonymous_and_ecr_needs_aws_config() {
        let auth = RegistryAuthenticator::anonymous();
        assert_eq!(
            auth.credentials_for("127.0.0.1:5000").await.ok(),
            Some(RegistryAuth::Anonymous)
        );
        let err = auth
            .credentials_for("123456789012.dkr.ecr.us-west-2.amazonaws.com")
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::NoAwsConfig { .. }), "{err}");
    }
}
