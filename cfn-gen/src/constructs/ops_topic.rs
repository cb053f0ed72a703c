//! [`OpsTopic`]: the topic a stack's alarms go to. A standard SNS topic
//! under a new customer managed KMS key whose policy lets CloudWatch use
//! it, and a topic policy letting CloudWatch (of this account only)
//! publish: what CloudWatch needs to deliver an alarm to an encrypted topic.

use std::rc::Rc;

use crate::construct::{AlarmDestination, AlarmTarget, Construct, Node, Stack};
use crate::constructs::Topic;
use crate::resources::{iam, kms, sns};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Resource, Template};
use crate::validate::Report;
use crate::value::{Pseudo, Value};

/// The service principal that publishes alarm notifications.
const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

struct Inner {
    node: Node,
    topic: Topic,
    key_id: String,
    alias_id: String,
    policy_id: String,
}

/// A standard SNS topic for operators: every alarm of the stack can go
/// there ([`Stack::alarms_to`]), and channels can subscribe to it
/// ([`OpsTopic::topic`]).
///
/// Emits the topic, an `AWS::KMS::Key` (rotated yearly; administered by
/// the account; usable by `cloudwatch.amazonaws.com` for this account's
/// alarms), an `AWS::KMS::Alias` `alias/<stack>-<id>`, and an
/// `AWS::SNS::TopicPolicy` letting CloudWatch publish for this account.
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions, NotificationChannel, OpsTopic, Stack};
/// # let notifiers = concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers");
/// let app = App::new().builtin_functions(BuiltinFunctions::package(notifiers));
/// let stack = Stack::new(&app, "Demo");
/// let ops = OpsTopic::new(&stack, "Ops");
/// stack.alarms_to(&ops);
/// NotificationChannel::email(&stack, "OpsEmail", &ops.topic())
///     .from("cloud-cron@example.com")
///     .to(["ops@example.com"])
///     .subject("{{ payload.AlarmName }}")
///     .text("{{ payload.NewStateReason }}");
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::KMS::Key"));
/// assert!(text.contains("cloudwatch.amazonaws.com"));
/// ```
#[derive(Clone)]
pub struct OpsTopic(Rc<Inner>);

impl OpsTopic {
    /// A new operators' topic in `stack`. The topic's logical ID derives
    /// from `id`; the key's, alias's and policy's from `id` and `Key`,
    /// `KeyAlias`, `Policy`.
    pub fn new(stack: &Stack, id: &str) -> OpsTopic {
        let topic = Topic::standard(stack, id);
        let node = topic.node().clone();
        let key_id = node.child_logical_id("Key");
        let topic = topic.kms_key(Value::get_att(&key_id, "Arn"));
        let inner = Rc::new(Inner {
            alias_id: node.child_logical_id("KeyAlias"),
            policy_id: node.child_logical_id("Policy"),
            key_id,
            node,
            topic,
        });
        stack.add(inner.clone());
        OpsTopic(inner)
    }

    /// The topic, to subscribe channels to or publish to.
    pub fn topic(&self) -> Topic {
        self.0.topic.clone()
    }

    /// The topic's ARN.
    pub fn arn(&self) -> Value {
        self.0.topic.arn()
    }

    /// The KMS key's ARN.
    pub fn key_arn(&self) -> Value {
        Value::get_att(&self.0.key_id, "Arn")
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }
}

impl AlarmDestination for OpsTopic {
    fn alarm_target(&self) -> AlarmTarget {
        self.0.topic.alarm_target()
    }

    fn topic(&self) -> Option<Topic> {
        Some(self.0.topic.clone())
    }
}

impl std::fmt::Debug for OpsTopic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpsTopic({})", self.0.node.path())
    }
}

/// The key policy: the account administers the key (without it the key
/// would be unmanageable); CloudWatch may encrypt for this account only.
pub(crate) fn key_policy() -> iam::PolicyDocument {
    let account = Value::from(Pseudo::AccountId);
    iam::PolicyDocument::new(vec![
        iam::Statement::allow(["kms:*"], vec![Value::from("*")])
            .sid("AccountAdministers")
            .principal_aws(Value::sub(
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
            )),
        iam::Statement::allow(
            ["kms:Decrypt", "kms:GenerateDataKey*"],
            vec![Value::from("*")],
        )
        .sid("CloudWatchAlarmsEncrypt")
        .principal_service(CLOUDWATCH)
        .when("StringEquals", "aws:SourceAccount", account),
    ])
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, _report: &mut Report) {
        // The topic validates itself; the key and policy have no settings.
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let path = self.node.path();
        template.add_resource(
            &self.key_id,
            Resource::new(kms::Key {
                description: Some(format!("Encrypts alarm notifications on topic {path}")),
                enable_key_rotation: true,
                key_policy: key_policy(),
            })
            // The key protects alarm notifications in flight only, so it
            // goes with the stack; KMS still waits its pending window
            // (30 days by default) before the key is gone.
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete),
        );
        template.add_resource(
            &self.alias_id,
            Resource::new(kms::Alias {
                alias_name: Value::sub(format!("alias/${{AWS::StackName}}-{}", self.node.id())),
                target_key_id: Value::reference(&self.key_id),
            }),
        );
        template.add_resource(
            &self.policy_id,
            Resource::new(sns::TopicPolicy {
                policy_document: iam::PolicyDocument::new(vec![iam::Statement::allow(
                    ["sns:Publish"],
                    vec![self.topic.arn()],
                )
                .sid("CloudWatchAlarmsPublish")
                .principal_service(CLOUDWATCH)
                .when(
                    "StringEquals",
                    "aws:SourceAccount",
                    Value::from(Pseudo::AccountId),
                )]),
                topics: vec![self.topic.arn()],
            }),
        );
    }
}
