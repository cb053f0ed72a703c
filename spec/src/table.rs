//! `tables:` of a stack: DynamoDB tables ([`cfn_gen::Table`]), and the
//! access a task gets to one (`tables:` of a task).

use cfn_gen::{AttributeType, GlobalIndex, Projection, StreamView, Table, TableEncryption};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;

/// A DynamoDB table: pay-per-request, point-in-time recovery on, retained
/// when the stack is deleted.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// The partition key.
    pub partition_key: KeySpec,
    /// The sort key.
    pub sort_key: Option<KeySpec>,
    /// The attribute holding each item's expiry (epoch seconds).
    #[schemars(example = &"expiresAt")]
    pub ttl: Option<String>,
    /// Global secondary indexes, by name.
    #[serde(default)]
    pub global_indexes: IndexMap<String, IndexSpec>,
    /// A change stream, and what its records hold.
    #[schemars(example = &"new_and_old_images")]
    pub stream: Option<StreamSpec>,
    /// The AWS managed key `alias/aws/dynamodb` instead of a key AWS owns.
    #[serde(default)]
    #[schemars(example = false)]
    pub aws_managed_key: bool,
    /// A customer managed KMS key ARN to encrypt with.
    #[schemars(example = &"arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    pub kms_key: Option<String>,
    /// Point-in-time recovery (default true).
    #[schemars(example = true)]
    pub point_in_time_recovery: Option<bool>,
    /// Refuse deletion of the table.
    #[serde(default)]
    #[schemars(example = false)]
    pub deletion_protection: bool,
    /// Delete the table with the stack (by default it is retained).
    #[serde(default)]
    #[schemars(example = false)]
    pub destroy_on_delete: bool,
    /// A fixed table name (otherwise CloudFormation generates one).
    #[schemars(example = &"erp-entries")]
    pub table_name: Option<String>,
}

/// A key attribute.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// The attribute name.
    #[schemars(example = &"pk")]
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    #[schemars(example = &"string")]
    pub attribute_type: AttributeTypeSpec,
}

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttributeTypeSpec {
    /// `S`.
    String,
    /// `N`.
    Number,
    /// `B`.
    Binary,
}

/// A global secondary index.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    /// The index's partition key.
    pub partition_key: KeySpec,
    /// The index's sort key.
    pub sort_key: Option<KeySpec>,
    /// Which attributes it copies (default all).
    #[schemars(example = &"keys_only")]
    pub projection: Option<ProjectionSpec>,
    /// With `projection: include`: the non-key attributes copied.
    #[serde(default)]
    #[schemars(example = vec!["status"])]
    pub include: Vec<String>,
}

/// Which attributes an index copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionSpec {
    /// Every attribute.
    All,
    /// The keys only.
    KeysOnly,
    /// The keys and the attributes in `include`.
    Include,
}

/// What a change stream record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamSpec {
    /// The changed item's keys.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

/// A task's access to a table of its stack.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableAccessSpec {
    /// What the task may do.
    #[schemars(example = &"read_write")]
    pub access: AccessSpec,
    /// The environment variable the table's name arrives in (its stream's
    /// ARN for `stream_read`).
    #[schemars(example = &"TABLE_ENTRIES")]
    pub env: Option<String>,
}

/// Read, write, both, or the change stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessSpec {
    /// Get, query, scan.
    Read,
    /// Put, update, delete.
    Write,
    /// Both.
    ReadWrite,
    /// Read the table's change stream (`DescribeStream`, `GetRecords`,
    /// `GetShardIterator`, `ListStreams`): the table needs `stream`.
    StreamRead,
}

fn key_type(t: AttributeTypeSpec) -> AttributeType {
    match t {
        AttributeTypeSpec::String => AttributeType::String,
        AttributeTypeSpec::Number => AttributeType::Number,
        AttributeTypeSpec::Binary => AttributeType::Binary,
    }
}

/// Create the table `id` of `scope` and register it for references.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &TableSpec) {
    let path = join(&join(&scope.path, "tables"), id);
    let key = &spec.partition_key;
    let mut table =
        Table::new(&scope.stack, id).partition_key(&key.name, key_type(key.attribute_type));
    if let Some(k) = &spec.sort_key {
        table = table.sort_key(&k.name, key_type(k.attribute_type));
    }
    if let Some(t) = &spec.ttl {
        table = table.ttl(t);
    }
    for (name, index) in &spec.global_indexes {
        let ipath = join(&join(&path, "global_indexes"), name);
        let pk = &index.partition_key;
        let mut gi = GlobalIndex::new(name).partition_key(&pk.name, key_type(pk.attribute_type));
        if let Some(k) = &index.sort_key {
            gi = gi.sort_key(&k.name, key_type(k.attribute_type));
        }
        let include = index.projection == Some(ProjectionSpec::Include);
        let lists = !index.include.is_empty();
        if include != lists {
            b.error(
                &ipath,
                format!("index `{name}`: `include` lists attributes exactly when `projection` is `include`"),
                "set `projection: include` with `include: [ATTRIBUTE, ..]`, or remove `include`",
            );
        }
        gi = gi.projection(match index.projection {
            None | Some(ProjectionSpec::All) => Projection::All,
            Some(ProjectionSpec::KeysOnly) => Projection::KeysOnly,
            Some(ProjectionSpec::Include) => Projection::Include(index.include.clone()),
        });
        table = table.global_index(gi);
    }
    if let Some(s) = spec.stream {
        table = table.stream(match s {
            StreamSpec::KeysOnly => StreamView::KeysOnly,
            StreamSpec::NewImage => StreamView::NewImage,
            StreamSpec::OldImage => StreamView::OldImage,
            StreamSpec::NewAndOldImages => StreamView::NewAndOldImages,
        });
    }
    match (&spec.kms_key, spec.aws_managed_key) {
        (Some(_), true) => b.error(
            &join(&path, "aws_managed_key"),
            format!("table `{id}` sets both `kms_key` and `aws_managed_key`"),
            "keep one of them",
        ),
        (Some(k), false) => table = table.kms_key(k.as_str()),
        (None, true) => table = table.encryption(TableEncryption::AwsManaged),
        (None, false) => {}
    }
    if spec.point_in_time_recovery == Some(false) {
        table = table.without_point_in_time_recovery();
    }
    if spec.deletion_protection {
        table = table.deletion_protection();
    }
    if spec.destroy_on_delete {
        table = table.destroy_on_delete();
    }
    if let Some(n) = &spec.table_name {
        table = table.table_name(n);
    }
    b.construct(table.node().path(), &path);
    scope.tables.insert(id.to_owned(), table);
}
