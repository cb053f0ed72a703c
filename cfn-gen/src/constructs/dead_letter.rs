//! The alarm every dead-letter queue gets: it fires on the first message,
//! because a message there is work that did not happen.

use crate::resources::cloudwatch;
use crate::template::Resource;
use crate::value::Value;

/// An alarm on the depth of the queue `dlq_id`, notifying `actions`.
pub(crate) fn depth_alarm(description: String, dlq_id: &str, actions: Vec<Value>) -> Resource {
    Resource::new(cloudwatch::Alarm {
        alarm_description: Some(description),
        namespace: "AWS/SQS".into(),
        metric_name: "ApproximateNumberOfMessagesVisible".into(),
        dimensions: vec![cloudwatch::Dimension {
            name: "QueueName".into(),
            value: Value::get_att(dlq_id, "QueueName"),
        }],
        statistic: "Maximum".into(),
        period: 60,
        evaluation_periods: 1,
        threshold: 0.0,
        comparison_operator: "GreaterThanThreshold".into(),
        treat_missing_data: Some("notBreaching".into()),
        alarm_actions: actions,
        ok_actions: Vec::new(),
    })
}
