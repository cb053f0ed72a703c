//! `AWS::ECR::Repository` and the `Custom::ImageRepublish` resource that copies an image into one.

use serde_derive::Serialize;

use crate::value::Value;

/// `ImageScanningConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageScanningConfiguration {
    /// Scan every pushed image for vulnerabilities.
    pub scan_on_push: bool,
}

/// `EncryptionConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionConfiguration {
    /// `AES256` or `KMS`.
    pub encryption_type: &'static str,
}

/// `LifecyclePolicy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecyclePolicy {
    /// The policy as JSON text.
    pub lifecycle_policy_text: String,
}

/// Properties of `AWS::ECR::Repository`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Repository {
    /// `IMMUTABLE` or `MUTABLE`.
    pub image_tag_mutability: &'static str,
    /// Scanning.
    pub image_scanning_configuration: ImageScanningConfiguration,
    /// Encryption at rest.
    pub encryption_configuration: EncryptionConfiguration,
    /// Image expiry rules.
    pub lifecycle_policy: LifecyclePolicy,
    /// Who else may pull or push.
    pub repository_policy_text: Value,
    /// Delete the images with the repository.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub empty_on_delete: bool,
}
super::resource_type!(Repository, "AWS::ECR::Repository");

/// Properties of a `Custom::ImageRepublish` resource, answered by the image
/// copier Lambda (`runtime/image-copier`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageRepublish {
    /// The copier function's ARN.
    pub service_token: Value,
    /// Seconds CloudFormation waits for the answer.
    pub service_timeout: u32,
    /// `registry/repo:tag` or `registry/repo@sha256:...`.
    pub source_image: String,
    /// The stack's repository URI.
    pub target_repository_uri: Value,
    /// `amd64` or `arm64`: the one platform to copy from an index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<&'static str>,
    /// The tag of the copy (`{digest}` becomes the digest as a tag).
    pub target_tag: String,
    /// Not read by the copier: changing it forces a new copy of a moving tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The Secrets Manager secret (name or ARN) with the source registry's
    /// credentials; the copier reads it at run time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_credentials: Option<String>,
}
super::resource_type!(ImageRepublish, "Custom::ImageRepublish");

#[cfg(test)]
mod tests {
    use super::*;
    use cloud_cron_contract::image_republish::props;

    /// The property names written here are the ones the copier reads: one
    /// definition, in the contract.
    #[test]
    fn image_republish_properties_are_the_contract_s() {
        let written = serde_json::to_value(ImageRepublish {
            service_token: Value::String("arn".into()),
            service_timeout: 960,
            source_image: "a/b:c".into(),
            target_repository_uri: Value::String("r".into()),
            architecture: Some("amd64"),
            target_tag: "t".into(),
            refresh_token: Some("x".into()),
            source_credentials: Some("registry/ghcr".into()),
        })
        .expect("serializes");
        let mut keys: Vec<&str> = written
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut expected = vec![
            props::ARCHITECTURE,
            props::REFRESH_TOKEN,
            props::SERVICE_TIMEOUT,
            props::SERVICE_TOKEN,
            props::SOURCE_CREDENTIALS,
            props::SOURCE_IMAGE,
            props::TARGET_REPOSITORY_URI,
            props::TARGET_TAG,
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
}
