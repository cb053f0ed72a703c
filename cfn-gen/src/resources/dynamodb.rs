//! `AWS::DynamoDB::Table`.

use serde_derive::Serialize;

use crate::value::Value;

/// One key attribute's type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    /// The attribute name.
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: &'static str,
}

/// One element of the primary key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    /// The attribute name.
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: &'static str,
}

/// Expire items by an epoch-seconds attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveSpecification {
    /// The attribute holding the expiry.
    pub attribute_name: String,
    /// Whether TTL is on.
    pub enabled: bool,
}

/// Point-in-time recovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PointInTimeRecoverySpecification {
    /// Whether it is on.
    pub point_in_time_recovery_enabled: bool,
}

/// Server-side encryption.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SseSpecification {
    /// Encrypt with KMS (the AWS managed key unless one is named).
    #[serde(rename = "SSEEnabled")]
    pub sse_enabled: bool,
    /// `KMS` with a customer managed key.
    #[serde(rename = "SSEType", skip_serializing_if = "Option::is_none")]
    pub sse_type: Option<&'static str>,
    /// The customer managed key (ARN).
    #[serde(rename = "KMSMasterKeyId", skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<Value>,
}

/// Which attributes an index copies from the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: &'static str,
    /// With `INCLUDE`: the non-key attributes copied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub non_key_attributes: Vec<String>,
}

/// A global secondary index.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndex {
    /// The index name.
    pub index_name: String,
    /// The index's key.
    pub key_schema: Vec<KeySchemaElement>,
    /// What it copies.
    pub projection: Projection,
}

/// The table's change stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    pub stream_view_type: &'static str,
}

/// Properties of `AWS::DynamoDB::Table`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Table {
    /// A fixed physical name (generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_name: Option<Value>,
    /// `PAY_PER_REQUEST` or `PROVISIONED`.
    pub billing_mode: &'static str,
    /// Types of the key attributes.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// The primary key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Global secondary indexes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    /// The change stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<StreamSpecification>,
    /// Item expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_live_specification: Option<TimeToLiveSpecification>,
    /// Point-in-time recovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_in_time_recovery_specification: Option<PointInTimeRecoverySpecification>,
    /// Encryption at rest.
    #[serde(rename = "SSESpecification", skip_serializing_if = "Option::is_none")]
    pub sse_specification: Option<SseSpecification>,
    /// Refuse `DeleteTable` while set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_protection_enabled: Option<bool>,
}
super::resource_type!(Table, "AWS::DynamoDB::Table");
