//! [`Table`]: a DynamoDB table for an application's own data, CDK-style:
//! keys, time to live, global secondary indexes, a change stream and
//! encryption, pay-per-request, point-in-time recovery on and kept when the
//! stack is deleted; the grants to read, write and read its stream, scoped
//! to exactly its ARNs; and the synth-time checks of its settings.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::grant::Grantee;
use crate::constructs::topic::check_kms_key_arn;
use crate::resources::{dynamodb, iam};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Resource, Template};
use crate::validate::names::NameRule;
use crate::validate::Report;
use crate::value::Value;

/// DynamoDB's limit on global secondary indexes per table.
pub const MAX_GLOBAL_INDEXES: usize = 20;
/// DynamoDB's limit on projected non-key attributes, summed over all indexes.
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;
/// DynamoDB's limit on a key attribute name, in bytes.
const MAX_KEY_NAME_BYTES: usize = 255;

/// Table and index names: 3 to 255 of `[a-zA-Z0-9_.-]`.
const TABLE_NAME: NameRule = NameRule {
    what: "DynamoDB table name",
    min: 3,
    max: 255,
    allowed: allowed_name_char,
    allowed_text: "ASCII letters, digits, underscores, hyphens and periods",
    first: |_| true,
    first_text: "",
};

/// Index names follow the table name rule.
const INDEX_NAME: NameRule = NameRule {
    what: "DynamoDB index name",
    ..TABLE_NAME
};

fn allowed_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// `S`.
    String,
    /// `N`.
    Number,
    /// `B`.
    Binary,
}

impl AttributeType {
    fn code(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }
}

/// Which attributes a global index copies from the table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Projection {
    /// Every attribute (the default).
    #[default]
    All,
    /// The table's and the index's keys only.
    KeysOnly,
    /// The keys and these non-key attributes.
    Include(Vec<String>),
}

/// What a change stream record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    /// The changed item's keys.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// The item before and after the change.
    NewAndOldImages,
}

impl StreamView {
    fn code(self) -> &'static str {
        match self {
            StreamView::KeysOnly => "KEYS_ONLY",
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// How a table is encrypted at rest (DynamoDB always encrypts; this picks
/// the key).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TableEncryption {
    /// A key AWS owns, at no cost (the default: no `SSESpecification`).
    #[default]
    AwsOwned,
    /// The AWS managed key `alias/aws/dynamodb` (`SSEEnabled: true`).
    AwsManaged,
    /// A customer managed KMS key, by key ARN. Grants add the
    /// `kms:` actions the grantee needs on exactly that key.
    CustomerManaged(Value),
}

/// A global secondary index: another key to query the table by.
///
/// ```
/// use cfn_gen::{AttributeType, GlobalIndex, Projection};
/// let by_user = GlobalIndex::new("byUser")
///     .partition_key("userId", AttributeType::String)
///     .sort_key("createdAt", AttributeType::Number)
///     .projection(Projection::Include(vec!["title".into()]));
/// assert_eq!(by_user.name(), "byUser");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalIndex {
    name: String,
    partition_key: Option<(String, AttributeType)>,
    sort_key: Option<(String, AttributeType)>,
    projection: Projection,
}

impl GlobalIndex {
    /// An index named `name` projecting every attribute; give it a
    /// [`partition_key`](GlobalIndex::partition_key).
    pub fn new(name: impl Into<String>) -> GlobalIndex {
        GlobalIndex {
            name: name.into(),
            partition_key: None,
            sort_key: None,
            projection: Projection::All,
        }
    }

    /// The index's partition (hash) key.
    pub fn partition_key(mut self, name: impl Into<String>, ty: AttributeType) -> GlobalIndex {
        self.partition_key = Some((name.into(), ty));
        self
    }

    /// The index's sort (range) key.
    pub fn sort_key(mut self, name: impl Into<String>, ty: AttributeType) -> GlobalIndex {
        self.sort_key = Some((name.into(), ty));
        self
    }

    /// Which attributes the index copies.
    pub fn projection(mut self, projection: Projection) -> GlobalIndex {
        self.projection = projection;
        self
    }

    /// The index name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn keys(&self) -> impl Iterator<Item = &(String, AttributeType)> {
        self.partition_key.iter().chain(self.sort_key.iter())
    }
}

#[derive(Debug, Clone)]
struct Props {
    partition_key: Option<(String, AttributeType)>,
    sort_key: Option<(String, AttributeType)>,
    ttl: Option<String>,
    indexes: Vec<GlobalIndex>,
    stream: Option<StreamView>,
    encryption: TableEncryption,
    point_in_time_recovery: bool,
    deletion_protection: bool,
    retain: bool,
    name: Option<String>,
}

struct Inner {
    node: Node,
    id: String,
    props: RefCell<Props>,
    /// Whether [`Table::grant_stream_read`] was called (checked at synth:
    /// it needs a stream).
    stream_granted: Cell<bool>,
}

/// A DynamoDB table: pay-per-request, point-in-time recovery on, encrypted
/// (with a key AWS owns unless told otherwise), and retained when the stack
/// is deleted or an update replaces it.
///
/// A function gets the table's name as an environment variable of your
/// choosing and the access it needs from a grant:
///
/// ```
/// use cfn_gen::{App, AttributeType, Function, GlobalIndex, Projection, Stack, StreamView, Table};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let entries = Table::new(&stack, "Entries")
///     .partition_key("pk", AttributeType::String)
///     .sort_key("sk", AttributeType::String)
///     .ttl("expiresAt")
///     .global_index(
///         GlobalIndex::new("byUser")
///             .partition_key("userId", AttributeType::String)
///             .projection(Projection::KeysOnly),
///     )
///     .stream(StreamView::NewAndOldImages);
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1");
/// worker.add_environment("TABLE_ENTRIES", entries.name());
/// entries.grant_read_write(&worker);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("PAY_PER_REQUEST"));
/// assert!(text.contains("dynamodb:PutItem"));
/// ```
#[derive(Clone)]
pub struct Table(Rc<Inner>);

impl Table {
    /// A new table in `stack`; give it a
    /// [`partition_key`](Table::partition_key).
    pub fn new(stack: &Stack, id: &str) -> Table {
        let node = stack.claim(id);
        let inner = Rc::new(Inner {
            id: node.logical_id(),
            node,
            props: RefCell::new(Props {
                partition_key: None,
                sort_key: None,
                ttl: None,
                indexes: Vec::new(),
                stream: None,
                encryption: TableEncryption::AwsOwned,
                point_in_time_recovery: true,
                deletion_protection: false,
                retain: true,
                name: None,
            }),
            stream_granted: Cell::new(false),
        });
        stack.add(inner.clone());
        Table(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> Table {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// The partition (hash) key.
    pub fn partition_key(self, name: impl Into<String>, ty: AttributeType) -> Table {
        let key = (name.into(), ty);
        self.update(|p| p.partition_key = Some(key))
    }

    /// The sort (range) key.
    pub fn sort_key(self, name: impl Into<String>, ty: AttributeType) -> Table {
        let key = (name.into(), ty);
        self.update(|p| p.sort_key = Some(key))
    }

    /// Expire items by the epoch-seconds number in `attribute` (not a key).
    pub fn ttl(self, attribute: impl Into<String>) -> Table {
        let attribute = attribute.into();
        self.update(|p| p.ttl = Some(attribute))
    }

    /// Add a global secondary index (at most 20, names unique).
    pub fn global_index(self, index: GlobalIndex) -> Table {
        self.update(|p| p.indexes.push(index))
    }

    /// Record every change in a stream whose records hold `view`.
    pub fn stream(self, view: StreamView) -> Table {
        self.update(|p| p.stream = Some(view))
    }

    /// Pick the encryption key.
    pub fn encryption(self, encryption: TableEncryption) -> Table {
        self.update(|p| p.encryption = encryption)
    }

    /// Encrypt with a customer managed KMS key (by key ARN).
    pub fn kms_key(self, key_arn: impl Into<Value>) -> Table {
        self.encryption(TableEncryption::CustomerManaged(key_arn.into()))
    }

    /// Turn point-in-time recovery off (it is on by default; checkov's
    /// CKV_AWS_28 then fails).
    pub fn without_point_in_time_recovery(self) -> Table {
        self.update(|p| p.point_in_time_recovery = false)
    }

    /// Refuse `DeleteTable` until the protection is lifted.
    pub fn deletion_protection(self) -> Table {
        self.update(|p| p.deletion_protection = true)
    }

    /// Delete the table (and its data) with the stack or when an update
    /// replaces it, instead of keeping it (`Retain`, the default).
    pub fn destroy_on_delete(self) -> Table {
        self.update(|p| p.retain = false)
    }

    /// Give the table a fixed physical name (3 to 255 of
    /// `[a-zA-Z0-9_.-]`). Without one CloudFormation generates a unique
    /// name, so the stack can be deployed twice in one account.
    pub fn table_name(self, name: impl Into<String>) -> Table {
        let name = name.into();
        self.update(|p| p.name = Some(name))
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The table's name (`Ref`): hand it to a function with
    /// [`Function::add_environment`](crate::Function::add_environment).
    pub fn name(&self) -> Value {
        Value::reference(&self.0.id)
    }

    /// The table's ARN.
    pub fn arn(&self) -> Value {
        Value::get_att(&self.0.id, "Arn")
    }

    /// The ARN of every index of the table (`<table ARN>/index/*`).
    pub fn index_arns(&self) -> Value {
        Value::sub(format!("${{{}.Arn}}/index/*", self.0.id))
    }

    /// The stream's ARN (the table needs a [`stream`](Table::stream)).
    pub fn stream_arn(&self) -> Value {
        Value::get_att(&self.0.id, "StreamArn")
    }

    /// The customer managed key, when the table uses one.
    pub fn kms_key_arn(&self) -> Option<Value> {
        match &self.0.props.borrow().encryption {
            TableEncryption::CustomerManaged(key) => Some(key.clone()),
            TableEncryption::AwsOwned | TableEncryption::AwsManaged => None,
        }
    }

    fn grant_key(&self, grantee: &dyn Grantee, actions: &[&str]) {
        if let Some(key) = self.kms_key_arn() {
            grantee.add_to_role_policy(iam::Statement::allow(actions.iter().copied(), vec![key]));
        }
    }

    /// Let `grantee` read: `BatchGetItem`, `ConditionCheckItem`,
    /// `DescribeTable`, `GetItem`, `Query` and `Scan` on the table and its
    /// indexes, and `kms:Decrypt` on a customer managed key.
    pub fn grant_read(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(iam::Statement::allow(
            READ_ACTIONS,
            vec![self.arn(), self.index_arns()],
        ));
        self.grant_key(grantee, &["kms:Decrypt"]);
    }

    /// Let `grantee` write: `BatchWriteItem`, `DeleteItem`, `DescribeTable`,
    /// `PutItem` and `UpdateItem` on the table, and `kms:Decrypt` and
    /// `kms:GenerateDataKey*` on a customer managed key.
    pub fn grant_write(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(iam::Statement::allow(WRITE_ACTIONS, vec![self.arn()]));
        self.grant_key(grantee, &WRITE_KEY_ACTIONS);
    }

    /// [`grant_read`](Table::grant_read) and
    /// [`grant_write`](Table::grant_write) in one: reads on the table and
    /// its indexes, writes on the table, one statement for the key.
    ///
    /// ```
    /// use cfn_gen::{App, AttributeType, RolePolicy, Stack, Table};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// let table = Table::new(&stack, "Entries").partition_key("pk", AttributeType::String);
    /// let policy = RolePolicy::new();
    /// table.grant_read_write(&policy);
    /// let statements = policy.statements();
    /// assert_eq!(statements.len(), 2);
    /// assert!(statements[0].action.contains(&"dynamodb:Query".to_owned()));
    /// assert!(statements[1].action.contains(&"dynamodb:PutItem".to_owned()));
    /// ```
    pub fn grant_read_write(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(iam::Statement::allow(
            READ_ACTIONS,
            vec![self.arn(), self.index_arns()],
        ));
        grantee.add_to_role_policy(iam::Statement::allow(WRITE_ACTIONS, vec![self.arn()]));
        self.grant_key(grantee, &WRITE_KEY_ACTIONS);
    }

    /// Let `grantee` read the change stream (what a Lambda event source
    /// mapping's function needs): `DescribeStream`, `GetRecords`,
    /// `GetShardIterator` and `ListStreams` on the stream, and
    /// `kms:Decrypt` on a customer managed key. Synthesis fails if the
    /// table has no [`stream`](Table::stream).
    pub fn grant_stream_read(&self, grantee: &dyn Grantee) {
        self.0.stream_granted.set(true);
        grantee.add_to_role_policy(iam::Statement::allow(
            [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            vec![self.stream_arn()],
        ));
        self.grant_key(grantee, &["kms:Decrypt"]);
    }
}

const READ_ACTIONS: [&str; 6] = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];

const WRITE_ACTIONS: [&str; 5] = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

const WRITE_KEY_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey*"];

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({})", self.node().path())
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let p = self.props.borrow();
        validate_keys(&path, &p, report);
        validate_indexes(&path, &p, report);
        if let Some(name) = &p.name {
            if let Err(message) = TABLE_NAME.check(name) {
                report.error(
                    &path,
                    message,
                    "fix the name given to .table_name(), or leave it out and let CloudFormation generate one",
                );
            }
        }
        if let TableEncryption::CustomerManaged(key) = &p.encryption {
            check_kms_key_arn(&path, key, report);
        }
        if self.stream_granted.get() && p.stream.is_none() {
            report.error(
                &path,
                "grant_stream_read() was called but the table has no stream",
                "turn the stream on with .stream(StreamView::NewAndOldImages) (or another view)",
            );
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        template.add_resource(&self.id, table_resource(&self.props.borrow()));
    }
}

/// Key attribute names: present, at most 255 bytes, partition and sort key
/// different; the TTL attribute is none of the keys.
fn validate_keys(path: &str, p: &Props, report: &mut Report) {
    match &p.partition_key {
        None => report.error(
            path,
            "the table has no partition key",
            "add one: .partition_key(\"pk\", AttributeType::String)",
        ),
        Some((pk, _)) => {
            if p.sort_key.as_ref().is_some_and(|(sk, _)| sk == pk) {
                report.error(
                    path,
                    format!("`{pk}` is both the partition key and the sort key"),
                    "give the sort key another attribute name, or drop .sort_key()",
                );
            }
        }
    }
    for (name, _) in p.partition_key.iter().chain(p.sort_key.iter()) {
        check_key_name(path, "table", name, report);
    }
    if let Some(ttl) = &p.ttl {
        let index_keys = p.indexes.iter().flat_map(GlobalIndex::keys);
        let is_key = p
            .partition_key
            .iter()
            .chain(p.sort_key.iter())
            .chain(index_keys)
            .any(|(k, _)| k == ttl);
        if is_key {
            report.error(
                path,
                format!("the time-to-live attribute `{ttl}` is also a key attribute"),
                "expire items by an attribute of its own: .ttl(\"expiresAt\")",
            );
        } else if ttl.is_empty() || ttl.len() > MAX_KEY_NAME_BYTES {
            report.error(
                path,
                "the time-to-live attribute name must be 1 to 255 bytes",
                "name it like .ttl(\"expiresAt\")",
            );
        }
    }
    // One attribute, one type, wherever it is a key.
    let mut types: BTreeMap<&str, AttributeType> = BTreeMap::new();
    let table_keys = p.partition_key.iter().chain(p.sort_key.iter());
    for (name, ty) in table_keys.chain(p.indexes.iter().flat_map(GlobalIndex::keys)) {
        match types.get(name.as_str()) {
            Some(seen) if seen != ty => report.error(
                path,
                format!(
                    "key attribute `{name}` is declared as both {} and {}",
                    seen.code(),
                    ty.code()
                ),
                format!("declare `{name}` with the same AttributeType everywhere it is a key"),
            ),
            _ => {
                types.insert(name, *ty);
            }
        }
    }
}

fn check_key_name(path: &str, owner: &str, name: &str, report: &mut Report) {
    if name.is_empty() || name.len() > MAX_KEY_NAME_BYTES {
        report.error(
            path,
            format!("{owner} key attribute name `{name}` must be 1 to 255 bytes"),
            "name the key attribute like \"pk\"",
        );
    }
}

/// Index count, names (valid, unique), keys and projections.
fn validate_indexes(path: &str, p: &Props, report: &mut Report) {
    if p.indexes.len() > MAX_GLOBAL_INDEXES {
        report.error(
            path,
            format!(
                "the table has {} global indexes; DynamoDB allows {MAX_GLOBAL_INDEXES}",
                p.indexes.len()
            ),
            "remove indexes until at most 20 remain (an index with a generic key such as gsi1pk can serve several access patterns)",
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut projected = 0;
    for index in &p.indexes {
        let name = index.name.as_str();
        if let Err(message) = INDEX_NAME.check(name) {
            report.error(path, message, "rename the index in GlobalIndex::new()");
        }
        if seen.contains(&name) {
            report.error(
                path,
                format!("two global indexes are named `{name}`"),
                "give each GlobalIndex::new() a name of its own",
            );
        }
        seen.push(name);
        match &index.partition_key {
            None => report.error(
                path,
                format!("global index `{name}` has no partition key"),
                "add one: GlobalIndex::new(..).partition_key(\"userId\", AttributeType::String)",
            ),
            Some((pk, _)) => {
                if index.sort_key.as_ref().is_some_and(|(sk, _)| sk == pk) {
                    report.error(
                        path,
                        format!(
                            "`{pk}` is both the partition key and the sort key of index `{name}`"
                        ),
                        "give the index's sort key another attribute name, or drop it",
                    );
                }
            }
        }
        for (key, _) in index.keys() {
            check_key_name(path, &format!("index `{name}`"), key, report);
        }
        if let Projection::Include(attributes) = &index.projection {
            if attributes.is_empty() {
                report.error(
                    path,
                    format!("global index `{name}` includes no attributes"),
                    "name them, Projection::Include(vec![\"title\".into()]), or use Projection::KeysOnly",
                );
            }
            projected += attributes.len();
        }
    }
    if projected > MAX_PROJECTED_ATTRIBUTES {
        report.error(
            path,
            format!(
                "the indexes project {projected} non-key attributes; DynamoDB allows {MAX_PROJECTED_ATTRIBUTES} over all indexes"
            ),
            "include fewer attributes, or use Projection::All on the index that needs most of them",
        );
    }
}

fn key_schema(
    pk: &Option<(String, AttributeType)>,
    sk: &Option<(String, AttributeType)>,
) -> Vec<dynamodb::KeySchemaElement> {
    let hash = pk.iter().map(|(name, _)| dynamodb::KeySchemaElement {
        attribute_name: name.clone(),
        key_type: "HASH",
    });
    let range = sk.iter().map(|(name, _)| dynamodb::KeySchemaElement {
        attribute_name: name.clone(),
        key_type: "RANGE",
    });
    hash.chain(range).collect()
}

/// The table's resource.
fn table_resource(p: &Props) -> Resource {
    // Each key attribute once, sorted by name (deterministic whatever the
    // order the keys were declared in).
    let mut attributes: BTreeMap<&str, AttributeType> = BTreeMap::new();
    let table_keys = p.partition_key.iter().chain(p.sort_key.iter());
    for (name, ty) in table_keys.chain(p.indexes.iter().flat_map(GlobalIndex::keys)) {
        attributes.entry(name).or_insert(*ty);
    }
    let indexes = p
        .indexes
        .iter()
        .map(|index| dynamodb::GlobalSecondaryIndex {
            index_name: index.name.clone(),
            key_schema: key_schema(&index.partition_key, &index.sort_key),
            projection: match &index.projection {
                Projection::All => dynamodb::Projection {
                    projection_type: "ALL",
                    non_key_attributes: Vec::new(),
                },
                Projection::KeysOnly => dynamodb::Projection {
                    projection_type: "KEYS_ONLY",
                    non_key_attributes: Vec::new(),
                },
                Projection::Include(attributes) => dynamodb::Projection {
                    projection_type: "INCLUDE",
                    non_key_attributes: attributes.clone(),
                },
            },
        })
        .collect();
    let sse_specification = match &p.encryption {
        TableEncryption::AwsOwned => None,
        TableEncryption::AwsManaged => Some(dynamodb::SseSpecification {
            sse_enabled: true,
            sse_type: None,
            kms_master_key_id: None,
        }),
        TableEncryption::CustomerManaged(key) => Some(dynamodb::SseSpecification {
            sse_enabled: true,
            sse_type: Some("KMS"),
            kms_master_key_id: Some(key.clone()),
        }),
    };
    let properties = dynamodb::Table {
        table_name: p.name.clone().map(Value::String),
        billing_mode: "PAY_PER_REQUEST",
        attribute_definitions: attributes
            .into_iter()
            .map(|(name, ty)| dynamodb::AttributeDefinition {
                attribute_name: name.to_owned(),
                attribute_type: ty.code(),
            })
            .collect(),
        key_schema: key_schema(&p.partition_key, &p.sort_key),
        global_secondary_indexes: indexes,
        stream_specification: p.stream.map(|view| dynamodb::StreamSpecification {
            stream_view_type: view.code(),
        }),
        time_to_live_specification: p.ttl.as_ref().map(|attribute| {
            dynamodb::TimeToLiveSpecification {
                attribute_name: attribute.clone(),
                enabled: true,
            }
        }),
        point_in_time_recovery_specification: p.point_in_time_recovery.then_some(
            dynamodb::PointInTimeRecoverySpecification {
                point_in_time_recovery_enabled: true,
            },
        ),
        sse_specification,
        deletion_protection_enabled: p.deletion_protection.then_some(true),
    };
    let policy = if p.retain {
        DeletionPolicy::Retain
    } else {
        DeletionPolicy::Delete
    };
    let resource = Resource::new(properties)
        .deletion_policy(policy)
        .update_replace_policy(policy);
    match p.encryption {
        TableEncryption::CustomerManaged(_) => resource,
        _ => resource.skip_check(
            "CKV_AWS_119",
            "encrypted at rest with an AWS owned or AWS managed key, as chosen with Table::encryption; Table::kms_key switches to a customer managed key",
        ),
    }
}
