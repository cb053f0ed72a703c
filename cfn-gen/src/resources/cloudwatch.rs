//! `AWS::CloudWatch::Alarm`: on one metric ([`Alarm`]) or on a metric-math
//! expression ([`MathAlarm`]).

use serde_derive::Serialize;

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

/// A metric: namespace, name and dimensions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// Metric namespace, e.g. `AWS/Lambda`.
    pub namespace: String,
    /// Metric name.
    pub metric_name: String,
    /// Metric dimensions.
    pub dimensions: Vec<Dimension>,
}

/// A metric with its period and statistic, in a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    /// The metric.
    pub metric: Metric,
    /// Period in seconds.
    pub period: u32,
    /// Statistic, e.g. `Sum`.
    pub stat: String,
}

/// One query of a metric-math alarm: a metric, or an expression over the
/// other queries' ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQuery {
    /// The id expressions refer to (lower-case first letter).
    pub id: String,
    /// A metric-math expression, e.g. `FILL(i, 0) - FILL(e, 0)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// What the series means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A metric to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// Whether the alarm evaluates this query (exactly one does).
    pub return_data: bool,
}

/// Properties of `AWS::CloudWatch::Alarm` on a metric-math expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MathAlarm {
    /// What the alarm means and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    /// The queries; the one with `ReturnData` is evaluated.
    pub metrics: Vec<MetricDataQuery>,
    /// Periods to evaluate.
    pub evaluation_periods: u32,
    /// Threshold to compare with.
    pub threshold: f64,
    /// Comparison, e.g. `LessThanThreshold`.
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
super::resource_type!(MathAlarm, "AWS::CloudWatch::Alarm");
