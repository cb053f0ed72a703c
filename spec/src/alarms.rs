//! `alarms:` of a stack: where every alarm of the stack goes. An operators'
//! topic ([`cfn_gen::OpsTopic`], KMS-encrypted, CloudWatch may publish),
//! the channels that deliver it (email, SMS, ...), and Slack channels AWS
//! Chatbot posts it to ([`cfn_gen::SlackChannel`]).

use cfn_gen::{ChatbotLogging, OpsTopic, SlackChannel};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::channel::{self, ChannelSpec};
use crate::common::ValueSpec;
use crate::positions::join;

/// Alarm routing: every alarm of the stack goes to `ops_topic`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmsSpec {
    /// The id of the operators' topic created for the stack's alarms (a
    /// KMS-encrypted standard topic CloudWatch may publish to). Tasks and
    /// channels may reference it like any topic.
    #[schemars(example = &"Ops")]
    pub ops_topic: String,
    /// Channels delivering the ops topic, by id (no `topic:`: it is the
    /// ops topic). Without alarm templates, alarms are rendered with the
    /// notifiers' built-in ones.
    #[serde(default)]
    pub channels: IndexMap<String, ChannelSpec>,
    /// Slack channels AWS Chatbot posts the ops topic to, by id.
    #[serde(default)]
    pub chatbot_slack: IndexMap<String, ChatbotSlackSpec>,
}

/// A Slack channel AWS Chatbot posts alarms to. The workspace must be
/// authorized once in the AWS Chatbot console.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatbotSlackSpec {
    /// The Slack workspace id (`T07EA123LEP`), or `{ parameter: NAME }`.
    #[schemars(example = serde_json::json!({"parameter": "SlackWorkspaceId"}))]
    pub workspace_id: ValueSpec,
    /// The Slack channel id (`C07EZ1ABC23`), or `{ parameter: NAME }`.
    #[schemars(example = serde_json::json!({"parameter": "SlackChannelId"}))]
    pub channel_id: ValueSpec,
    /// What Chatbot logs to CloudWatch Logs (default `error`).
    #[schemars(example = &"error")]
    pub logging: Option<LoggingSpec>,
}

/// Chatbot's log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LoggingSpec {
    /// Errors only.
    Error,
    /// Every notification and command.
    Info,
    /// Nothing.
    None,
}

/// The ids `alarms` claims in its stack, with their spec paths.
pub(crate) fn ids(stack_path: &str, spec: &AlarmsSpec) -> Vec<(String, String)> {
    let path = join(stack_path, "alarms");
    let mut out = vec![(spec.ops_topic.clone(), join(&path, "ops_topic"))];
    for id in spec.channels.keys() {
        out.push((id.clone(), join(&join(&path, "channels"), id)));
    }
    for id in spec.chatbot_slack.keys() {
        out.push((id.clone(), join(&join(&path, "chatbot_slack"), id)));
    }
    out
}

/// Create the ops topic, route the stack's alarms to it, and its channels.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, spec: &AlarmsSpec) {
    let path = join(&scope.path, "alarms");
    let ops = OpsTopic::new(&scope.stack, &spec.ops_topic);
    scope.stack.alarms_to(&ops);
    b.construct(ops.node().path(), &join(&path, "ops_topic"));
    scope.topics.insert(spec.ops_topic.clone(), ops.topic());
    for (id, c) in &spec.channels {
        let cpath = join(&join(&path, "channels"), id);
        if c.topic.is_some() {
            b.error(
                &join(&cpath, "topic"),
                format!("channel `{id}` under `alarms.channels` delivers the ops topic `{}`; it takes no `topic`", spec.ops_topic),
                "remove `topic:`, or move the channel to the stack's `channels:`",
            );
        }
        channel::build(b, scope, &cpath, id, c, Some(ops.topic()));
    }
    for (id, s) in &spec.chatbot_slack {
        let spath = join(&join(&path, "chatbot_slack"), id);
        let workspace = scope.value(b, &join(&spath, "workspace_id"), &s.workspace_id);
        let channel = scope.value(b, &join(&spath, "channel_id"), &s.channel_id);
        let mut slack = SlackChannel::new(&scope.stack, id);
        if let Some(w) = workspace {
            slack = slack.workspace_id(w);
        }
        if let Some(c) = channel {
            slack = slack.channel_id(c);
        }
        if let Some(l) = s.logging {
            slack = slack.logging(match l {
                LoggingSpec::Error => ChatbotLogging::Error,
                LoggingSpec::Info => ChatbotLogging::Info,
                LoggingSpec::None => ChatbotLogging::None,
            });
        }
        let slack = slack.topic(&ops);
        b.construct(slack.node().path(), &spath);
    }
}
