//! [`DynamoCheckpointStore`]: checkpoints in a DynamoDB table, written with conditional
//! `PutItem`s on a version number, so two workers can never both claim a tenant + stream.
//!
//! Table: partition key `pk` (S) = tenant, sort key `sk` (S) = stream. Items carry
//! `version` (N), `status` (S), `lease_owner` / `lease_expires_at` (when leased, for
//! operators) and `checkpoint` (S), the whole [`Checkpoint`] as JSON.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use crate::checkpoint::{Checkpoint, CheckpointStore, StoreError};

/// Checkpoints in DynamoDB (see the module docs for the table layout).
///
/// ```no_run
/// # async fn example() {
/// // Region, credentials and AWS_ENDPOINT_URL (e.g. moto) from the environment.
/// let store = cloud_cron_sync::DynamoCheckpointStore::from_env("sync-checkpoints").await;
/// let sink = cloud_cron_sync::DynamoSink::from_env("sync-records").await.map_fields("sales_orders", ["name", "state"]);
/// # let _ = (store, sink);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct DynamoCheckpointStore {
    client: Client,
    table: String,
}

impl DynamoCheckpointStore {
    /// A store on `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoCheckpointStore {
            client,
            table: table.into(),
        }
    }

    /// A store on `table` with a client from the environment's AWS configuration
    /// (`aws_config`: region, credentials, and `AWS_ENDPOINT_URL` for a local endpoint such
    /// as moto).
    pub async fn from_env(table: impl Into<String>) -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Self::new(Client::new(&config), table)
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }
}

fn backend(operation: &'static str, error: impl Into<aws_sdk_dynamodb::Error>) -> StoreError {
    StoreError::Backend {
        operation,
        source: Box::new(error.into()),
    }
}

fn decode(item: &HashMap<String, AttributeValue>) -> Result<Checkpoint, StoreError> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    let corrupt = |reason: String| StoreError::Corrupt {
        tenant: text("pk").unwrap_or_default().to_owned(),
        stream: text("sk").unwrap_or_default().to_owned(),
        reason,
    };
    let json = text("checkpoint").ok_or_else(|| corrupt("no `checkpoint` attribute".into()))?;
    let checkpoint: Checkpoint =
        serde_json::from_str(json).map_err(|error| corrupt(error.to_string()))?;
    let version = match item.get("version") {
        Some(AttributeValue::N(number)) => number.parse::<u64>().ok(),
        _ => None,
    };
    if version != Some(checkpoint.version) {
        return Err(corrupt(format!(
            "`version` attribute {version:?} differs from the JSON's {}",
            checkpoint.version
        )));
    }
    Ok(checkpoint)
}

impl CheckpointStore for DynamoCheckpointStore {
    async fn get(&self, tenant: &str, stream: &str) -> Result<Option<Checkpoint>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(tenant.to_owned()))
            .key("sk", AttributeValue::S(stream.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| backend("GetItem", error))?;
        output.item().map(decode).transpose()
    }

    async fn put(&self, checkpoint: &Checkpoint, expected: Option<u64>) -> Result<(), StoreError> {
        let json = serde_json::to_string(checkpoint).map_err(|error| StoreError::Corrupt {
            tenant: checkpoint.tenant.clone(),
            stream: checkpoint.stream.clone(),
            reason: error.to_string(),
        })?;
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(checkpoint.tenant.clone()))
            .item("sk", AttributeValue::S(checkpoint.stream.clone()))
            .item("version", AttributeValue::N(checkpoint.version.to_string()))
            .item(
                "status",
                AttributeValue::S(checkpoint.status.as_str().to_owned()),
            )
            .item("checkpoint", AttributeValue::S(json));
        if let Some(lease) = &checkpoint.lease {
            request = request
                .item("lease_owner", AttributeValue::S(lease.owner.clone()))
                .item(
                    "lease_expires_at",
                    AttributeValue::N(lease.expires_at.timestamp().to_string()),
                );
        }
        request = match expected {
            None => request.condition_expression("attribute_not_exists(pk)"),
            Some(version) => request
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string())),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service))
                if matches!(
                    service.err(),
                    PutItemError::ConditionalCheckFailedException(_)
                ) =>
            {
                Err(StoreError::Conflict {
                    tenant: checkpoint.tenant.clone(),
                    stream: checkpoint.stream.clone(),
                })
            }
            Err(error) => Err(backend("PutItem", error)),
        }
    }

    async fn list(&self, tenant: &str) -> Result<Vec<Checkpoint>, StoreError> {
        let mut checkpoints = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :tenant")
                .expression_attribute_values(":tenant", AttributeValue::S(tenant.to_owned()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|error| backend("Query", error))?;
            for item in output.items() {
                checkpoints.push(decode(item)?);
            }
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(checkpoints),
            }
        }
    }
}
