//! Where alarms go: [`AlarmTarget`] (what synth needs to know about a
//! topic to check that CloudWatch can publish to it) and
//! [`AlarmDestination`], implemented by everything that can be one
//! ([`Topic`](crate::Topic), [`OpsTopic`](crate::OpsTopic)).
//!
//! CloudWatch publishes alarm notifications only to standard topics that
//! are unencrypted or encrypted under a customer managed KMS key whose key
//! policy lets `cloudwatch.amazonaws.com` use it.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::construct::Node;
use crate::validate::Report;
use crate::value::Value;

/// How an alarm target's messages are encrypted, as far as synth knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetEncryption {
    /// The AWS managed key `alias/aws/sns`: CloudWatch cannot use it.
    AwsManaged,
    /// A customer managed key (its policy must let CloudWatch use it).
    CustomerKey,
    /// Unknown (a topic imported by ARN): not checked.
    Unknown,
}

/// A topic that alarms notify, as seen by synth's checks.
#[derive(Debug, Clone)]
pub struct AlarmTarget {
    /// Where the topic is defined.
    pub node: Node,
    /// The topic's ARN (the alarm action).
    pub arn: Value,
    /// Whether it is a FIFO topic (never a valid alarm action).
    pub fifo: bool,
    /// How it is encrypted.
    pub encryption: TargetEncryption,
}

/// Something alarms can be sent to.
pub trait AlarmDestination {
    /// The topic, as synth checks it. Read at synth, so builder calls made
    /// after `alarms_to`/`alarm_to` count.
    fn alarm_target(&self) -> AlarmTarget;

    /// The topic itself, for constructs that publish their own findings
    /// where the alarms go (the missed-run watchdog). `None` by default.
    fn topic(&self) -> Option<crate::constructs::Topic> {
        None
    }
}

impl AlarmTarget {
    /// Add an error to `report` (at `path`, the construct whose alarms go
    /// there) when CloudWatch could not publish to the target from `from`'s stack.
    pub fn check(&self, from: &Node, path: &str, report: &mut Report) {
        let topic = self.node.path();
        if !from.same_stack(&self.node) {
            report.error(
                path,
                format!("sends its alarms to topic {topic} from another stack; an alarm action cannot name a resource of another template"),
                "create an OpsTopic in this stack (OpsTopic::new(&stack, \"Ops\")) and pass it to stack.alarms_to(&ops), or import the topic with Topic::from_arn(&stack, \"Ops\", Value::import(..)).kms_key(..)",
            );
        }
        if self.fifo {
            report.error(
                path,
                format!("sends its alarms to FIFO topic {topic}; CloudWatch can only publish to standard topics"),
                "send alarms to a standard topic: OpsTopic::new(&stack, \"Ops\") and stack.alarms_to(&ops)",
            );
        }
        if self.encryption == TargetEncryption::AwsManaged {
            report.error(
                path,
                format!("sends its alarms to topic {topic}, encrypted with the AWS managed key alias/aws/sns, which CloudWatch cannot use: no alarm would ever be delivered"),
                "use OpsTopic::new(&stack, \"Ops\") (a topic under a customer managed key CloudWatch may use) and stack.alarms_to(&ops)",
            );
        }
    }
}

/// A stack's default alarm destination, shared by every node of the stack.
#[derive(Clone, Default)]
pub(crate) struct StackAlarms(Rc<RefCell<Option<Rc<dyn AlarmDestination>>>>);

impl StackAlarms {
    pub(crate) fn set(&self, destination: Rc<dyn AlarmDestination>) {
        *self.0.borrow_mut() = Some(destination);
    }

    pub(crate) fn target(&self) -> Option<AlarmTarget> {
        self.0.borrow().as_ref().map(|d| d.alarm_target())
    }

    pub(crate) fn topic(&self) -> Option<crate::constructs::Topic> {
        self.0.borrow().as_ref().and_then(|d| d.topic())
    }
}

impl fmt::Debug for StackAlarms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.target() {
            Some(t) => write!(f, "StackAlarms({})", t.node.path()),
            None => f.write_str("StackAlarms(none)"),
        }
    }
}

impl PartialEq for StackAlarms {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for StackAlarms {}
