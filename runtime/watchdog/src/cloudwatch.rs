//! Owns reading Lambda's own metrics from CloudWatch: one `GetMetricData`
//! call (paged, at most 500 queries each) asking, per function, for the
//! `AWS/Lambda` `Invocations` and `Errors` sums and, when an expected duration
//! is set, the `Duration` maximum, dimension `FunctionName`, one-minute period.
//! Only Lambda's metrics are used, so any function (any image, any language)
//! can be watched without changing it.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
};
use chrono::{DateTime, Utc};

use crate::error::WatchdogError;
use crate::metrics::{FunctionMetrics, MetricsRequest, MetricsSource};
use crate::sdk::error_chain;

/// GetMetricData's limit on queries per call.
const MAX_QUERIES: usize = 500;

/// Lambda's namespace.
pub const NAMESPACE: &str = "AWS/Lambda";

/// The metric behind one query id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Series {
    Invocations,
    Errors,
    Duration,
}

impl Series {
    fn metric(self) -> (&'static str, &'static str, char) {
        match self {
            Series::Invocations => ("Invocations", "Sum", 'i'),
            Series::Errors => ("Errors", "Sum", 'e'),
            Series::Duration => ("Duration", "Maximum", 'd'),
        }
    }
}

/// The queries for a request: ids `i<n>`, `e<n>`, `d<n>` for the n-th function.
pub fn queries(request: &MetricsRequest) -> Vec<MetricDataQuery> {
    let mut out = Vec::new();
    for (n, (function, duration)) in request.functions.iter().enumerate() {
        let mut series = vec![Series::Invocations, Series::Errors];
        if *duration {
            series.push(Series::Duration);
        }
        for s in series {
            let (name, stat, prefix) = s.metric();
            out.push(
                MetricDataQuery::builder()
                    .id(format!("{prefix}{n}"))
                    .return_data(true)
                    .metric_stat(
                        MetricStat::builder()
                            .metric(
                                Metric::builder()
                                    .namespace(NAMESPACE)
                                    .metric_name(name)
                                    .dimensions(
                                        Dimension::builder()
                                            .name("FunctionName")
                                            .value(function)
                                            .build(),
                                    )
                                    .build(),
                            )
                            .period(60)
                            .stat(stat)
                            .build(),
                    )
                    .build(),
            );
        }
    }
    out
}

/// Folds GetMetricData results (ids from [`queries`]) into per-function metrics.
pub fn collect(
    request: &MetricsRequest,
    results: &[MetricDataResult],
    into: &mut BTreeMap<String, FunctionMetrics>,
) {
    for result in results {
        let Some(id) = result.id() else { continue };
        let mut chars = id.chars();
        let series = match chars.next() {
            Some('i') => Series::Invocations,
            Some('e') => Series::Errors,
            Some('d') => Series::Duration,
            _ => continue,
        };
        let Some((function, _)) = chars
            .as_str()
            .parse::<usize>()
            .ok()
            .and_then(|n| request.functions.get(n))
        else {
            continue;
        };
        let metrics = into.entry(function.clone()).or_default();
        for (at, value) in result.timestamps().iter().zip(result.values()) {
            let Some(at) = DateTime::<Utc>::from_timestamp(at.secs(), 0) else {
                continue;
            };
            match series {
                Series::Invocations => {
                    metrics.record(at, *value, 0.0);
                }
                Series::Errors => {
                    metrics.record(at, 0.0, *value);
                }
                Series::Duration => {
                    metrics.record_duration(at, *value);
                }
            }
        }
    }
}

/// [`MetricsSource`] over the CloudWatch API.
#[derive(Debug, Clone)]
pub struct CloudWatchMetrics {
    client: aws_sdk_cloudwatch::Client,
}

impl CloudWatchMetrics {
    /// Reads through `client`.
    pub fn new(client: aws_sdk_cloudwatch::Client) -> CloudWatchMetrics {
        CloudWatchMetrics { client }
    }
}

impl MetricsSource for CloudWatchMetrics {
    async fn fetch(
        &self,
        request: &MetricsRequest,
    ) -> Result<BTreeMap<String, FunctionMetrics>, WatchdogError> {
        let mut out = BTreeMap::new();
        let all = queries(request);
        for chunk in all.chunks(MAX_QUERIES) {
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .get_metric_data()
                    .start_time(AwsDateTime::from_secs(request.start.timestamp()))
                    .end_time(AwsDateTime::from_secs(request.end.timestamp()))
                    .scan_by(ScanBy::TimestampAscending)
                    .set_metric_data_queries(Some(chunk.to_vec()))
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| WatchdogError::Metrics(error_chain(&e)))?;
                collect(request, page.metric_data_results(), &mut out);
                match page.next_token() {
                    Some(next) if Some(next) != token.as_deref() => token = Some(next.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 29, h, m, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn queries_name_each_function_and_series() {
        let request = MetricsRequest {
            functions: vec![("a".into(), false), ("b".into(), true)],
            start: at(7, 0),
            end: at(9, 0),
        };
        let ids: Vec<String> = queries(&request)
            .iter()
            .map(|q| q.id().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(ids, ["i0", "e0", "i1", "e1", "d1"]);
        let q = &queries(&request)[4];
        let stat = q.metric_stat().expect("metric stat");
        assert_eq!(stat.period(), Some(60));
        assert_eq!(stat.stat(), Some("Maximum"));
        let metric = stat.metric().expect("metric");
        assert_eq!(metric.namespace(), Some("AWS/Lambda"));
        assert_eq!(metric.metric_name(), Some("Duration"));
        assert_eq!(metric.dimensions()[0].value(), Some("b"));
    }

    #[test]
    fn results_fold_into_minutes_per_function() {
        let request = MetricsRequest {
            functions: vec![("a".into(), false), ("b".into(), true)],
            start: at(7, 0),
            end: at(9, 0),
        };
        let ts = |t: DateTime<Utc>| AwsDateTime::from_secs(t.timestamp());
        let results = vec![
            MetricDataResult::builder()
                .id("i1")
                .timestamps(ts(at(8, 0)))
                .values(2.0)
                .build(),
            MetricDataResult::builder()
                .id("e1")
                .timestamps(ts(at(8, 0)))
                .values(1.0)
                .build(),
            MetricDataResult::builder()
                .id("d1")
                .timestamps(ts(at(8, 0)))
                .values(1500.0)
                .build(),
            MetricDataResult::builder().id("x9").build(),
            MetricDataResult::builder().id("i7").values(1.0).build(),
        ];
        let mut out = BTreeMap::new();
        collect(&request, &results, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        let sample = out["b"].at(at(8, 0));
        assert_eq!(sample.invocations, 2.0);
        assert_eq!(sample.errors, 1.0);
        assert_eq!(sample.max_duration_ms, Some(1500.0));
    }
}
