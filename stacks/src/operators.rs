//! Where every example stack's alarms go: an [`OpsTopic`] that the stack
//! routes all its alarms to, delivered to operators by email.
//!
//! CloudWatch publishes its own alarm JSON (`AlarmName`, `NewStateValue`,
//! `NewStateReason`, ...) to the topic, not a cloud-cron envelope; the
//! templates read those fields from `payload`.

use cfn_gen::{NotificationChannel, OpsTopic, Stack};

/// Create the stack's `Ops` topic, route every alarm of `stack` to it, and
/// email it to the operators (`OpsEmail`).
pub fn route_alarms(stack: &Stack) -> OpsTopic {
    let ops = OpsTopic::new(stack, "Ops");
    stack.alarms_to(&ops);
    NotificationChannel::email(stack, "OpsEmail", &ops.topic())
        .from("cloud-cron@example.com")
        .to(["ops@example.com"])
        .subject("[{{ payload.NewStateValue }}] {{ payload.AlarmName }}")
        .text("{{ payload.AlarmDescription }}\n\n{{ payload.NewStateReason }}");
    ops
}
