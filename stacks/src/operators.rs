//! Where every example stack's alarms go: an [`OpsTopic`] that the stack
//! routes all its alarms to, delivered to operators by email, and for the
//! ERP stack also posted to Slack through AWS Chatbot
//! ([`route_alarms_to_slack`]).
//!
//! CloudWatch alarm notifications and the watchdog's findings on the topic
//! are rendered with the notifiers' default alarm templates (the README's
//! "What a person receives"); the channel's own subject and text below apply
//! only to a task that publishes to the ops topic itself.

use cfn_gen::{NotificationChannel, OpsTopic, Parameter, SlackChannel, Stack};

/// Create the stack's `Ops` topic, route every alarm of `stack` to it, and
/// email it to the operators (`OpsEmail`).
pub fn route_alarms(stack: &Stack) -> OpsTopic {
    let ops = OpsTopic::new(stack, "Ops");
    stack.alarms_to(&ops);
    NotificationChannel::email(stack, "OpsEmail", &ops.topic())
        .from("cloud-cron@example.com")
        .to(["ops@example.com"])
        .subject("[cloud-cron] {{ task }}")
        .text("{{ task }} at {{ scheduled_time }}:\n\n{{ payload | tojson }}");
    ops
}

/// [`route_alarms`], and post the `Ops` topic to a Slack channel through AWS
/// Chatbot (`OpsSlack`). The workspace and channel ids are stack parameters
/// (`SlackWorkspaceId`, `SlackChannelId`), given at deploy:
/// `sam deploy --parameter-overrides SlackWorkspaceId=T07EA123LEP SlackChannelId=C07EZ1ABC23`.
pub fn route_alarms_to_slack(stack: &Stack) -> OpsTopic {
    let ops = route_alarms(stack);
    let workspace = stack.parameter(
        "SlackWorkspaceId",
        Parameter::string().description(
            "Slack workspace id authorized in the AWS Chatbot console, e.g. T07EA123LEP",
        ),
    );
    let channel = stack.parameter(
        "SlackChannelId",
        Parameter::string()
            .description("Slack channel id (the end of the channel's link), e.g. C07EZ1ABC23"),
    );
    SlackChannel::new(stack, "OpsSlack")
        .workspace_id(workspace.value())
        .channel_id(channel.value())
        .topic(&ops);
    ops
}
