//! [`SlackChannel`]: alarms and watchdog findings delivered to a Slack
//! channel through AWS Chatbot (`AWS::Chatbot::SlackChannelConfiguration`).
//!
//! Chatbot subscribes to the topics itself, so the checks are the ones that
//! make a topic reach it at all: a standard topic (SNS FIFO topics deliver
//! to SQS only), in this stack, and not under the AWS managed key
//! `alias/aws/sns` (CloudWatch cannot publish there, so no alarm would ever
//! arrive). SNS decrypts a message before delivering it to a subscriber, so
//! Chatbot itself needs no key permission: an [`OpsTopic`](crate::OpsTopic),
//! whose key policy lets CloudWatch encrypt, is what it needs. The channel
//! role Chatbot assumes may only describe this account's alarms, and the
//! guardrail defaults to `ReadOnlyAccess` (without one, Chatbot applies
//! `AdministratorAccess` to commands run from the channel).

use std::cell::RefCell;
use std::rc::Rc;

use serde_derive::Serialize;

use crate::construct::{AlarmDestination, Construct, Node, Stack, TargetEncryption};
use crate::resources::iam;
use crate::synth::SynthContext;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::{Pseudo, Value};

/// The default guardrail: AWS's read-only managed policy.
const READ_ONLY: &str = "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess";

/// What Chatbot writes to its CloudWatch Logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatbotLogging {
    /// Errors only (the default).
    Error,
    /// Every notification and command.
    Info,
    /// Nothing.
    None,
}

impl ChatbotLogging {
    fn as_str(self) -> &'static str {
        match self {
            ChatbotLogging::Error => "ERROR",
            ChatbotLogging::Info => "INFO",
            ChatbotLogging::None => "NONE",
        }
    }
}

/// Properties of `AWS::Chatbot::SlackChannelConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SlackChannelConfiguration {
    configuration_name: Value,
    iam_role_arn: Value,
    slack_workspace_id: Value,
    slack_channel_id: Value,
    sns_topic_arns: Vec<Value>,
    guardrail_policies: Vec<Value>,
    logging_level: &'static str,
    user_role_required: bool,
}
crate::resources::resource_type!(
    SlackChannelConfiguration,
    "AWS::Chatbot::SlackChannelConfiguration"
);

struct Props {
    workspace_id: Option<Value>,
    channel_id: Option<Value>,
    topics: Vec<Rc<dyn AlarmDestination>>,
    guardrails: Vec<Value>,
    logging: ChatbotLogging,
}

struct Inner {
    node: Node,
    props: RefCell<Props>,
}

/// A Slack channel that AWS Chatbot posts a stack's alarms to.
///
/// The Slack workspace must first be authorized in the AWS Chatbot console
/// (once per account); its id and the channel's are best given as stack
/// parameters, so the template names no workspace.
///
/// ```
/// use cfn_gen::{App, OpsTopic, Parameter, SlackChannel, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Erp");
/// let ops = OpsTopic::new(&stack, "Ops");
/// stack.alarms_to(&ops);
/// let workspace = stack.parameter("SlackWorkspaceId", Parameter::string());
/// let channel = stack.parameter("SlackChannelId", Parameter::string());
/// SlackChannel::new(&stack, "OpsSlack")
///     .workspace_id(workspace.value())
///     .channel_id(channel.value())
///     .topic(&ops);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::Chatbot::SlackChannelConfiguration"));
/// assert!(text.contains("ReadOnlyAccess"));
/// ```
#[derive(Clone)]
pub struct SlackChannel(Rc<Inner>);

impl SlackChannel {
    /// A new Chatbot Slack channel configuration in `stack`.
    pub fn new(stack: &Stack, id: &str) -> SlackChannel {
        let inner = Rc::new(Inner {
            node: stack.claim(id),
            props: RefCell::new(Props {
                workspace_id: None,
                channel_id: None,
                topics: Vec::new(),
                guardrails: vec![Value::sub(READ_ONLY)],
                logging: ChatbotLogging::Error,
            }),
        });
        stack.add(inner.clone());
        SlackChannel(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> SlackChannel {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// The Slack workspace (team) id, e.g. `T07EA123LEP`, or a parameter.
    pub fn workspace_id(self, id: impl Into<Value>) -> SlackChannel {
        let id = id.into();
        self.update(|p| p.workspace_id = Some(id))
    }

    /// The Slack channel id, e.g. `C07EZ1ABC23` (the end of the channel's
    /// link), or a parameter.
    pub fn channel_id(self, id: impl Into<Value>) -> SlackChannel {
        let id = id.into();
        self.update(|p| p.channel_id = Some(id))
    }

    /// Post what this topic receives: an [`OpsTopic`](crate::OpsTopic) or
    /// a [`Topic`](crate::Topic) of this stack. May be called more than once.
    pub fn topic<D: AlarmDestination + Clone + 'static>(self, topic: &D) -> SlackChannel {
        let topic: Rc<dyn AlarmDestination> = Rc::new(topic.clone());
        self.update(|p| p.topics.push(topic))
    }

    /// Replace the guardrail policies (managed policy ARNs capping what
    /// commands run from the channel may do; default `ReadOnlyAccess`).
    pub fn guardrail_policies(self, arns: impl IntoIterator<Item = Value>) -> SlackChannel {
        let arns: Vec<Value> = arns.into_iter().collect();
        self.update(|p| p.guardrails = arns)
    }

    /// What Chatbot logs (default [`ChatbotLogging::Error`]).
    pub fn logging(self, level: ChatbotLogging) -> SlackChannel {
        self.update(|p| p.logging = level)
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }
}

/// The text of a literal id, for messages.
fn literal(id: &Value) -> &str {
    match id {
        Value::String(s) => s,
        _ => "(an intrinsic)",
    }
}

/// Whether a literal id has Chatbot's shape: upper-case letters and digits.
fn id_ok(id: &Value, first: &[char]) -> bool {
    match id {
        Value::String(s) => {
            s.len() >= 9
                && s.len() <= 255
                && s.starts_with(first)
                && s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
        // A parameter or another intrinsic: checked by CloudFormation.
        _ => true,
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let p = self.props.borrow();
        match &p.workspace_id {
            None => report.error(
                &path,
                "the Slack channel has no workspace id",
                "call .workspace_id(stack.parameter(\"SlackWorkspaceId\", Parameter::string()).value()) with the id AWS Chatbot shows for the authorized workspace, e.g. T07EA123LEP",
            ),
            Some(id) if !id_ok(id, &['T', 'E']) => report.error(
                &path,
                format!("Slack workspace id `{}` is not a workspace id (T or E, then upper-case letters and digits, 9 characters or more)", literal(id)),
                "copy the workspace id from the AWS Chatbot console, e.g. .workspace_id(\"T07EA123LEP\")",
            ),
            Some(_) => {}
        }
        match &p.channel_id {
            None => report.error(
                &path,
                "the Slack channel has no channel id",
                "call .channel_id(stack.parameter(\"SlackChannelId\", Parameter::string()).value()) with the id at the end of the channel's link, e.g. C07EZ1ABC23",
            ),
            Some(id) if !id_ok(id, &['C', 'G']) => report.error(
                &path,
                format!("Slack channel id `{}` is not a channel id (C or G, then upper-case letters and digits, 9 characters or more)", literal(id)),
                "copy the id at the end of the channel's link (Copy link in Slack), e.g. .channel_id(\"C07EZ1ABC23\")",
            ),
            Some(_) => {}
        }
        if p.topics.is_empty() {
            report.error(
                &path,
                "the Slack channel has no topic, so nothing would be posted",
                "pass the stack's operators' topic: .topic(&ops), where ops = OpsTopic::new(&stack, \"Ops\")",
            );
        }
        if p.guardrails.is_empty() {
            report.error(
                &path,
                "no guardrail policy: AWS Chatbot would apply AdministratorAccess to commands run from the channel",
                "keep the default ReadOnlyAccess guardrail, or pass managed policy ARNs to .guardrail_policies(..)",
            );
        }
        for topic in &p.topics {
            let target = topic.alarm_target();
            let name = target.node.path();
            if !self.node.same_stack(&target.node) {
                report.error(
                    &path,
                    format!("posts topic {name} of another stack; Chatbot's configuration can only name a topic of its own template"),
                    "create the SlackChannel in the topic's stack, or give this stack its own OpsTopic::new(&stack, \"Ops\")",
                );
            }
            if target.fifo {
                report.error(
                    &path,
                    format!("posts FIFO topic {name}; FIFO topics deliver to SQS queues only, never to AWS Chatbot"),
                    "use a standard topic: .topic(&ops) with ops = OpsTopic::new(&stack, \"Ops\")",
                );
            }
            if target.encryption == TargetEncryption::AwsManaged {
                report.error(
                    &path,
                    format!("posts topic {name}, encrypted with the AWS managed key alias/aws/sns, which CloudWatch cannot use: no alarm would reach the channel"),
                    "use an OpsTopic (a customer managed key CloudWatch may use): .topic(&ops) with ops = OpsTopic::new(&stack, \"Ops\")",
                );
            }
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let role_id = self.node.child_logical_id("Role");
        template.add_resource(
            &role_id,
            Resource::new(iam::Role {
                assume_role_policy_document: iam::PolicyDocument::new(vec![
                    iam::Statement::assume_by_service("chatbot.amazonaws.com").when(
                        "StringEquals",
                        "aws:SourceAccount",
                        Pseudo::AccountId.into(),
                    ),
                ]),
                description: Some(format!("Role AWS Chatbot assumes for {path}: it may describe this account's alarms, to show them in Slack")),
                policies: vec![iam::Policy {
                    policy_name: "describe-alarms".into(),
                    policy_document: iam::PolicyDocument::new(vec![iam::Statement::allow(
                        ["cloudwatch:DescribeAlarms"],
                        vec![Value::sub(
                            "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*",
                        )],
                    )]),
                }],
                role_name: None,
            }),
        );
        let missing = || Value::from("");
        template.add_resource(
            self.node.logical_id(),
            Resource::new(SlackChannelConfiguration {
                configuration_name: Value::sub(format!("${{AWS::StackName}}-{}", self.node.id())),
                iam_role_arn: Value::get_att(&role_id, "Arn"),
                slack_workspace_id: p.workspace_id.clone().unwrap_or_else(missing),
                slack_channel_id: p.channel_id.clone().unwrap_or_else(missing),
                sns_topic_arns: p.topics.iter().map(|t| t.alarm_target().arn).collect(),
                guardrail_policies: p.guardrails.clone(),
                logging_level: p.logging.as_str(),
                user_role_required: false,
            }),
        );
    }
}
