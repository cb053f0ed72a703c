//! [`RecordTable`]: the DynamoDB table that holds cloud-cron's
//! conditional-write records: a scheduled function's idempotency guard (one
//! record per scheduled run) and a channel's delivery records (one per
//! delivered message). Both share the runtime's key and time-to-live
//! attributes.

use std::rc::Rc;

use cloud_cron_contract as contract;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::grant::Grantee;
use crate::resources::{dynamodb, iam};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Resource, Template};
use crate::validate::Report;
use crate::value::Value;

struct Inner {
    node: Node,
    id: String,
}

/// A pay-per-request table keyed and expired the way the runtime expects
/// (`cloud_cron_runtime`'s idempotency guard and the notifiers' delivery
/// records), encrypted, with point-in-time recovery, deleted with the stack.
///
/// ```
/// use cfn_gen::{App, Function, RecordTable, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let table = RecordTable::new(&stack, "Runs");
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1");
/// worker.add_environment("CLOUDCRON_IDEMPOTENCY_TABLE", table.name());
/// table.grant_read_write(&worker);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("dynamodb:PutItem"));
/// ```
#[derive(Clone)]
pub struct RecordTable(Rc<Inner>);

impl RecordTable {
    /// A new table in `stack`.
    pub fn new(stack: &Stack, id: &str) -> RecordTable {
        let node = stack.claim(id);
        let inner = Rc::new(Inner {
            id: node.logical_id(),
            node,
        });
        stack.add(inner.clone());
        RecordTable(inner)
    }

    /// The table named `child` of the construct at `node` (not registered
    /// in the stack: that construct emits it).
    pub(crate) fn within(node: &Node, child: &str) -> RecordTable {
        RecordTable(Rc::new(Inner {
            node: node.clone(),
            id: node.child_logical_id(child),
        }))
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The table's name (`Ref`).
    pub fn name(&self) -> Value {
        Value::reference(&self.0.id)
    }

    /// The table's ARN.
    pub fn arn(&self) -> Value {
        Value::get_att(&self.0.id, "Arn")
    }

    /// Let `grantee` write records the way the runtime does: conditional
    /// `PutItem`, `UpdateItem` and `DeleteItem` (a condition reads the item
    /// it checks, so no read action is needed), on exactly this table.
    pub fn grant_read_write(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(iam::Statement::allow(
            [
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
            vec![self.arn()],
        ));
    }

    /// Emits the table.
    pub(crate) fn emit(&self, template: &mut Template) {
        template.add_resource(&self.0.id, record_table());
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, _report: &mut Report) {}

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        template.add_resource(&self.id, record_table());
    }
}

/// The table's resource.
fn record_table() -> Resource {
    Resource::new(dynamodb::Table {
        table_name: None,
        billing_mode: "PAY_PER_REQUEST",
        attribute_definitions: vec![dynamodb::AttributeDefinition {
            attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
            attribute_type: "S",
        }],
        key_schema: vec![dynamodb::KeySchemaElement {
            attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
            key_type: "HASH",
        }],
        global_secondary_indexes: Vec::new(),
        stream_specification: None,
        time_to_live_specification: Some(dynamodb::TimeToLiveSpecification {
            attribute_name: contract::IDEMPOTENCY_TTL_ATTRIBUTE.into(),
            enabled: true,
        }),
        point_in_time_recovery_specification: Some(
            dynamodb::PointInTimeRecoverySpecification {
                point_in_time_recovery_enabled: true,
            },
        ),
        sse_specification: Some(dynamodb::SseSpecification {
            sse_enabled: true,
            sse_type: None,
            kms_master_key_id: None,
        }),
        deletion_protection_enabled: None,
    })
    // Records expire within days; they belong to the stack.
    .deletion_policy(DeletionPolicy::Delete)
    .update_replace_policy(DeletionPolicy::Delete)
    .skip_check(
        "CKV_AWS_119",
        "the table holds only run ids and status, encrypted with the AWS managed key; a customer managed key would add cost and a key policy without protecting more",
    )
}
