//! [`QueueRef`]: an SQS queue named by its ARN, and the grants on it.

use crate::constructs::grant::Grantee;
use crate::resources::iam::Statement;
use crate::value::Value;

/// An SQS queue by ARN: a queue a construct emits
/// ([`DeadLetterQueue::queue`](crate::DeadLetterQueue::queue),
/// [`NotificationChannel::queue`](crate::NotificationChannel::queue)) or an
/// existing one ([`QueueRef::from_arn`]).
///
/// ```
/// use cfn_gen::{QueueRef, RolePolicy};
/// let queue = QueueRef::from_arn("arn:aws:sqs:us-east-1:123456789012:jobs");
/// let policy = RolePolicy::new();
/// queue.grant_send(&policy);
/// assert_eq!(policy.statements()[0].action, ["sqs:SendMessage"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRef {
    arn: Value,
}

impl QueueRef {
    /// The queue with this ARN (a literal or an intrinsic).
    pub fn from_arn(arn: impl Into<Value>) -> QueueRef {
        QueueRef { arn: arn.into() }
    }

    /// The queue's ARN.
    pub fn arn(&self) -> Value {
        self.arn.clone()
    }

    /// Let `grantee` send messages: `sqs:SendMessage` on exactly this queue.
    pub fn grant_send(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(Statement::allow(["sqs:SendMessage"], vec![self.arn()]));
    }

    /// Let `grantee` consume messages the way a Lambda event source
    /// mapping does: receive, delete, change visibility, read attributes.
    pub fn grant_consume(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(Statement::allow(
            [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            vec![self.arn()],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constructs::grant::RolePolicy;

    #[test]
    fn consume_grants_exactly_what_an_event_source_mapping_needs() {
        let queue = QueueRef::from_arn(Value::get_att("Q", "Arn"));
        let policy = RolePolicy::new();
        queue.grant_consume(&policy);
        queue.grant_send(&policy);
        let statements = policy.statements();
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[0].action,
            [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage"
            ]
        );
        assert_eq!(statements[0].resource, vec![Value::get_att("Q", "Arn")]);
        assert_eq!(statements[1].resource, vec![Value::get_att("Q", "Arn")]);
    }
}
