//! CloudWatch in moto through its JSON protocol.
//!
//! The Rust SDK's CloudWatch client speaks Smithy RPC v2 CBOR
//! (`POST /service/GraniteServiceVersion20100801/operation/GetMetricData`),
//! which moto 5.2.5 does not route (it answers 404); moto serves CloudWatch in
//! the JSON (`X-Amz-Target`) and query protocols. So these tests put Lambda's
//! metrics and read them back over the JSON protocol: the queries are the ones
//! `cloud_cron_watchdog::cloudwatch::queries` builds, and the answers are
//! folded by `cloud_cron_watchdog::cloudwatch::collect`, the same code the
//! SDK client uses; only the wire encoding differs. moto does not check
//! signatures, so a well-formed Authorization header naming the service is enough.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::MetricDataResult;
use chrono::{DateTime, Utc};
use cloud_cron_contract::run_metrics::{
    RunOutcome, FUNCTION_DIMENSION, JOB_DIMENSION, RUN_METRICS_NAMESPACE,
};
use cloud_cron_watchdog::cloudwatch::{collect, queries, NAMESPACE};
use cloud_cron_watchdog::error::WatchdogError;
use cloud_cron_watchdog::metrics::{FunctionMetrics, MetricsRequest, MetricsSource, RunSource};
use serde_json::{json, Value};

/// A CloudWatch client for moto's JSON protocol.
pub struct MotoCloudWatch {
    endpoint: String,
    http: reqwest::Client,
}

impl MotoCloudWatch {
    pub fn new(endpoint: &str) -> MotoCloudWatch {
        MotoCloudWatch {
            endpoint: endpoint.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, operation: &str, body: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}/", self.endpoint))
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20270329/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00",
            )
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", format!("GraniteServiceVersion20100801.{operation}"))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{operation}: HTTP {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{operation}: {e}: {text}"))
    }

    /// Puts one `AWS/Lambda` datapoint for `function`.
    pub async fn put(&self, function: &str, metric: &str, at: DateTime<Utc>, value: f64) {
        let unit = if metric == "Duration" {
            "Milliseconds"
        } else {
            "Count"
        };
        self.call(
            "PutMetricData",
            json!({
                "Namespace": NAMESPACE,
                "MetricData": [{
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                    "Timestamp": at.timestamp(),
                    "Value": value,
                    "Unit": unit,
                }],
            }),
        )
        .await
        .expect("moto accepts PutMetricData in the AWS/Lambda namespace");
    }
}

impl MotoCloudWatch {
    /// Puts the datapoint one run of `job` of `function` emits as an EMF
    /// line (CloudWatch Logs extracts exactly this from the line).
    pub async fn put_run(&self, function: &str, job: &str, outcome: RunOutcome, at: DateTime<Utc>) {
        self.call(
            "PutMetricData",
            json!({
                "Namespace": RUN_METRICS_NAMESPACE,
                "MetricData": [{
                    "MetricName": outcome.metric(),
                    "Dimensions": [
                        {"Name": FUNCTION_DIMENSION, "Value": function},
                        {"Name": JOB_DIMENSION, "Value": job},
                    ],
                    "Timestamp": at.timestamp(),
                    "Value": 1.0,
                    "Unit": "Count",
                }],
            }),
        )
        .await
        .expect("moto accepts PutMetricData in the CloudCron namespace");
    }
}

impl MetricsSource for MotoCloudWatch {
    async fn fetch(
        &self,
        request: &MetricsRequest,
    ) -> Result<BTreeMap<RunSource, FunctionMetrics>, WatchdogError> {
        let wire: Vec<Value> = queries(request)
            .iter()
            .map(|q| {
                let stat = q.metric_stat().expect("metric stat");
                let metric = stat.metric().expect("metric");
                json!({
                    "Id": q.id(),
                    "ReturnData": q.return_data(),
                    "MetricStat": {
                        "Metric": {
                            "Namespace": metric.namespace(),
                            "MetricName": metric.metric_name(),
                            "Dimensions": metric.dimensions().iter().map(|d| json!({"Name": d.name(), "Value": d.value()})).collect::<Vec<_>>(),
                        },
                        "Period": stat.period(),
                        "Stat": stat.stat(),
                    },
                })
            })
            .collect();
        let answer = self
            .call(
                "GetMetricData",
                json!({
                    "StartTime": request.start.timestamp(),
                    "EndTime": request.end.timestamp(),
                    "ScanBy": "TimestampAscending",
                    "MetricDataQueries": wire,
                }),
            )
            .await
            .map_err(WatchdogError::Metrics)?;
        let results: Vec<MetricDataResult> = answer["MetricDataResults"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let stamps = r["Timestamps"].as_array().cloned().unwrap_or_default();
                let values = r["Values"].as_array().cloned().unwrap_or_default();
                MetricDataResult::builder()
                    .set_id(r["Id"].as_str().map(str::to_owned))
                    .set_timestamps(Some(
                        stamps
                            .iter()
                            .map(|t| AwsDateTime::from_secs_f64(t.as_f64().unwrap_or_default()))
                            .collect(),
                    ))
                    .set_values(Some(
                        values
                            .iter()
                            .map(|v| v.as_f64().unwrap_or_default())
                            .collect(),
                    ))
                    .build()
            })
            .collect();
        let mut out = BTreeMap::new();
        collect(request, &results, &mut out);
        Ok(out)
    }
}
