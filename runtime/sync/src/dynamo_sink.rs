//! [`DynamoSink`]: records in a DynamoDB table, one item per tenant + stream + record id,
//! written with `TransactWriteItems`.
//!
//! Items: `pk` (S) = `tenant#stream`, `sk` (S) = record id, `raw` (S) = the record as JSON,
//! plus the stream's mapped fields as top-level attributes (strings, numbers, booleans,
//! lists, maps; `null` and `false`, Odoo's empty field, are left out: `raw` has them).
//!
//! A transaction holds at most 100 items (the DynamoDB limit), so a batch of more records
//! is written in several transactions. Each is all-or-nothing, and the batch as a whole is
//! made safe by idempotency: every item is a full `Put` keyed by tenant + stream + id (no
//! duplicates can exist), the engine only advances its watermark after every chunk
//! succeeded, and a failed batch is retried with the same records. A reader may see some
//! chunks of a batch before its retry completes, but only as the current versions of those
//! records, never as duplicates; after the retry the table holds exactly the batch. Readers
//! that need batch-consistent state gate on the checkpoint (watermark / `first_sync_done`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use serde_json::Value;

use crate::sink::Sink;
use crate::source::{BoxError, Record};

/// The most items DynamoDB accepts in one `TransactWriteItems`.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// Records in DynamoDB (see the module docs for the layout and the batch guarantee).
#[derive(Clone, Debug)]
pub struct DynamoSink {
    client: Client,
    table: String,
    mapped: HashMap<String, Vec<String>>,
}

impl DynamoSink {
    /// A sink on `table` keeping only `pk`, `sk` and `raw`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoSink {
            client,
            table: table.into(),
            mapped: HashMap::new(),
        }
    }

    /// A sink on `table` with a client from the environment's AWS configuration
    /// (`aws_config`: region, credentials, and `AWS_ENDPOINT_URL` for a local endpoint such
    /// as moto).
    pub async fn from_env(table: impl Into<String>) -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Self::new(Client::new(&config), table)
    }

    /// Also copies `fields` of `stream`'s records into top-level attributes of the same name.
    pub fn map_fields<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        stream: &str,
        fields: I,
    ) -> Self {
        self.mapped.insert(
            stream.to_owned(),
            fields.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// The partition key of `tenant`'s `stream`.
    pub fn partition_key(tenant: &str, stream: &str) -> String {
        format!("{tenant}#{stream}")
    }

    fn item(
        &self,
        pk: &str,
        stream: &str,
        record: &Record,
    ) -> Result<HashMap<String, AttributeValue>, BoxError> {
        let mut item = HashMap::new();
        for field in self.mapped.get(stream).into_iter().flatten() {
            if matches!(field.as_str(), "pk" | "sk" | "raw") {
                continue;
            }
            if let Some(value) = record.data.get(field).and_then(attribute) {
                item.insert(field.clone(), value);
            }
        }
        item.insert("pk".to_owned(), AttributeValue::S(pk.to_owned()));
        item.insert("sk".to_owned(), AttributeValue::S(record.id.clone()));
        item.insert(
            "raw".to_owned(),
            AttributeValue::S(serde_json::to_string(&record.data)?),
        );
        Ok(item)
    }
}

/// A JSON value as an attribute; `None` for `null` and `false` (Odoo sends `false` for an
/// empty field, and a boolean `false` cannot be told apart from it: `raw` keeps both).
fn attribute(value: &Value) -> Option<AttributeValue> {
    Some(match value {
        Value::Null | Value::Bool(false) => return None,
        Value::Bool(true) => AttributeValue::Bool(true),
        Value::Number(number) => AttributeValue::N(number.to_string()),
        Value::String(text) => AttributeValue::S(text.clone()),
        Value::Array(items) => AttributeValue::L(
            items
                .iter()
                .map(|item| attribute(item).unwrap_or(AttributeValue::Null(true)))
                .collect(),
        ),
        Value::Object(fields) => AttributeValue::M(
            fields
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), attribute(value)?)))
                .collect(),
        ),
    })
}

impl Sink for DynamoSink {
    async fn upsert(&self, tenant: &str, stream: &str, records: &[Record]) -> Result<(), BoxError> {
        let pk = Self::partition_key(tenant, stream);
        for chunk in records.chunks(MAX_TRANSACTION_ITEMS) {
            let mut items = Vec::with_capacity(chunk.len());
            for record in chunk {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(self.item(&pk, stream, record)?))
                    .build()?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            self.client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
                .map_err(|error| Box::new(aws_sdk_dynamodb::Error::from(error)) as BoxError)?;
        }
        Ok(())
    }
}
