//! The DynamoDB table that holds cloud-cron's conditional-write records:
//! a scheduled function's idempotency guard (one record per scheduled run)
//! and a channel's delivery records (one per delivered message). Both share
//! the runtime's key and time-to-live attributes.

use cloud_cron_contract as contract;

use crate::resources::dynamodb;
use crate::template::{DeletionPolicy, Resource};

/// A pay-per-request table keyed and expired the way the runtime expects.
pub(crate) fn record_table() -> Resource {
    Resource::new(dynamodb::Table {
        billing_mode: "PAY_PER_REQUEST",
        attribute_definitions: vec![dynamodb::AttributeDefinition {
            attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
            attribute_type: "S",
        }],
        key_schema: vec![dynamodb::KeySchemaElement {
            attribute_name: contract::IDEMPOTENCY_KEY_ATTRIBUTE.into(),
            key_type: "HASH",
        }],
        time_to_live_specification: Some(dynamodb::TimeToLiveSpecification {
            attribute_name: contract::IDEMPOTENCY_TTL_ATTRIBUTE.into(),
            enabled: true,
        }),
        point_in_time_recovery_specification: Some(
            dynamodb::PointInTimeRecoverySpecification {
                point_in_time_recovery_enabled: true,
            },
        ),
        sse_specification: Some(dynamodb::SseSpecification { sse_enabled: true }),
    })
    // Records expire within days; they belong to the stack.
    .deletion_policy(DeletionPolicy::Delete)
    .update_replace_policy(DeletionPolicy::Delete)
    .skip_check(
        "CKV_AWS_119",
        "the table holds only run ids and status, encrypted with the AWS managed key; a customer managed key would add cost and a key policy without protecting more",
    )
}
