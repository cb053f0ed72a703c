//! `AWS::CloudWatch::Alarm`.

use serde::Serialize;

use crate::value::Value;

/// One metric dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    /// Dimension name, e.g. `QueueName`.
    pub name: String,
    /// Dimension value.
    pub value: Value,
}

/// Properties of `AWS::CloudWatch::Alarm` on a single metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alarm {
    /// What the alarm means and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    /// Metric namespace, e.g. `AWS/SQS`.
    pub namespace: String,
    /// Metric name.
    pub metric_name: String,
    /// Metric dimensions.
    pub dimensions: Vec<Dimension>,
    /// Statistic, e.g. `Maximum`.
    pub statistic: String,
    /// Period in seconds.
    pub period: u32,
    /// Periods to evaluate.
    pub evaluation_periods: u32,
    /// Threshold to compare with.
    pub threshold: f64,
    /// Comparison, e.g. `GreaterThanThreshold`.
    pub comparison_operator: String,
    /// How missing data counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    /// What to notify when the alarm fires.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<Value>,
    /// What to notify when the alarm clears.
    #[serde(rename = "OKActions", skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<Value>,
}
super::resource_type!(Alarm, "AWS::CloudWatch::Alarm");
