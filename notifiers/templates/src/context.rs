//! The template context: the variables every template part is rendered with,
//! defined once from the message's envelope. Synth rejects a template that
//! uses any other variable; the notifier renders with exactly these.

use cloud_cron_contract::Envelope;
use minijinja::Value;
use serde::Serialize;

/// One variable of the template context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContextVariable {
    /// `payload`: the task's message as published (any JSON).
    Payload,
    /// `task`: the task's name.
    Task,
    /// `topic`: the topic key the message was published under.
    Topic,
    /// `id`: the message's deduplication id (hex SHA-256).
    Id,
    /// `scheduled_time`: the run's scheduled time, RFC 3339 UTC.
    ScheduledTime,
    /// `schedule_arn`: the schedule's ARN (`manual` for a manual invoke).
    ScheduleArn,
    /// `ordinal`: the message's position among the run's messages to that topic, from 0.
    Ordinal,
}

impl ContextVariable {
    /// Every variable, in the order the docs list them.
    pub const ALL: [ContextVariable; 7] = [
        ContextVariable::Payload,
        ContextVariable::Task,
        ContextVariable::Topic,
        ContextVariable::Id,
        ContextVariable::ScheduledTime,
        ContextVariable::ScheduleArn,
        ContextVariable::Ordinal,
    ];

    /// The name a template uses.
    pub const fn name(self) -> &'static str {
        match self {
            ContextVariable::Payload => "payload",
            ContextVariable::Task => "task",
            ContextVariable::Topic => "topic",
            ContextVariable::Id => "id",
            ContextVariable::ScheduledTime => "scheduled_time",
            ContextVariable::ScheduleArn => "schedule_arn",
            ContextVariable::Ordinal => "ordinal",
        }
    }

    /// What it holds, with an example, as the docs describe it.
    pub const fn holds(self) -> &'static str {
        match self {
            ContextVariable::Payload => "the task's message, as published (any JSON: `payload.text`, `payload.rows[0].value`)",
            ContextVariable::Task => "the task's name (`daily-report`)",
            ContextVariable::Topic => "the topic key it was published under (`alerts`)",
            ContextVariable::Id => "the message's deduplication id (hex SHA-256)",
            ContextVariable::ScheduledTime => "the run's scheduled time, RFC 3339 UTC (`2026-11-28T06:00:00Z`)",
            ContextVariable::ScheduleArn => "the schedule's ARN (`manual` for a manual invoke)",
            ContextVariable::Ordinal => "the message's position among the run's messages to that topic, from 0",
        }
    }

    /// Its value for one message.
    fn value<P: Serialize>(self, envelope: &Envelope<P>) -> Value {
        match self {
            ContextVariable::Payload => Value::from_serialize(&envelope.payload),
            ContextVariable::Task => Value::from(envelope.task.as_str()),
            ContextVariable::Topic => Value::from(envelope.topic.as_str()),
            ContextVariable::Id => Value::from(envelope.id.as_str()),
            ContextVariable::ScheduledTime => Value::from(envelope.scheduled_time.as_str()),
            ContextVariable::ScheduleArn => Value::from(envelope.schedule_arn.as_str()),
            ContextVariable::Ordinal => Value::from(envelope.ordinal),
        }
    }
}

/// The names of [`ContextVariable::ALL`], in order.
pub const CONTEXT_VARIABLES: [&str; 7] = {
    let mut names = [""; 7];
    let mut i = 0;
    while i < names.len() {
        names[i] = ContextVariable::ALL[i].name();
        i += 1;
    }
    names
};

/// The kinds of message a notifier renders, each with its own templates and
/// context variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    /// A task's message: the runtime's envelope ([`CONTEXT_VARIABLES`]).
    Task,
    /// An alarm: a CloudWatch alarm notification or a watchdog finding
    /// ([`ALARM_CONTEXT_VARIABLES`](crate::ALARM_CONTEXT_VARIABLES)).
    Alarm,
}

impl MessageKind {
    /// The variables its templates may use.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            MessageKind::Task => &CONTEXT_VARIABLES,
            MessageKind::Alarm => &crate::alarm::ALARM_CONTEXT_VARIABLES,
        }
    }

    /// `task` or `alarm`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Task => "task",
            MessageKind::Alarm => "alarm",
        }
    }
}

/// The context one message's templates are rendered with: every
/// [`ContextVariable`], from its envelope.
pub fn context<P: Serialize>(envelope: &Envelope<P>) -> Value {
    ContextVariable::ALL
        .into_iter()
        .map(|variable| (variable.name(), variable.value(envelope)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_holds_exactly_the_listed_variables() {
        let envelope = Envelope {
            cloud_cron: 1,
            id: "abc".into(),
            task: "daily".into(),
            topic: "alerts".into(),
            schedule_arn: "manual".into(),
            scheduled_time: "2026-11-28T06:00:00Z".into(),
            ordinal: 3,
            payload: serde_json::json!({"n": 1}),
        };
        let value = context(&envelope);
        let keys: Vec<String> = value
            .try_iter()
            .expect("a map")
            .map(|k| k.to_string())
            .collect();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort();
        let mut names = CONTEXT_VARIABLES.map(str::to_owned).to_vec();
        names.sort();
        assert_eq!(sorted_keys, names);
        assert_eq!(
            value.get_attr("ordinal").map(|v| v.to_string()).ok(),
            Some("3".to_owned())
        );
        assert_eq!(
            CONTEXT_VARIABLES,
            [
                "payload",
                "task",
                "topic",
                "id",
                "scheduled_time",
                "schedule_arn",
                "ordinal"
            ]
        );
    }
}
