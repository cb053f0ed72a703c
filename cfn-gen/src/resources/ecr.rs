//! `AWS::ECR::Repository`.

use serde::Serialize;
use serde_json::Value as Json;

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
    pub repository_policy_text: Json,
    /// Delete the images with the repository.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub empty_on_delete: bool,
}
super::resource_type!(Repository, "AWS::ECR::Repository");
