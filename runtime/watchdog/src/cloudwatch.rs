//! Owns reading run metrics from CloudWatch: one `GetMetricData` call (paged,
//! at most 500 queries each) asking, one-minute period,
//! - per function, for the `AWS/Lambda` `Invocations` and `Errors` sums and,
//!   when an expected duration is set, the `Duration` maximum, dimension
//!   `FunctionName`: Lambda's own metrics, so any function (any image, any
//!   language) can be watched without changing it;
//! - per job of a function, for the `CloudCron` `RunSucceeded` and
//!   `RunFailed` sums, dimensions `FunctionName` and `Job`, which the runtime
//!   (or an image following `cloud_cron_contract::run_metrics`) emits; read as
//!   invocations (both) and errors (`RunFailed`).

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime as AwsDateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
};
use chrono::{DateTime, Utc};

use crate::error::WatchdogError;
use cloud_cron_contract::run_metrics::{
    FUNCTION_DIMENSION, JOB_DIMENSION, RUN_FAILED_METRIC, RUN_METRICS_NAMESPACE,
    RUN_SUCCEEDED_METRIC,
};

use crate::metrics::{FunctionMetrics, MetricsRequest, MetricsSource, RunSource};
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
    Succeeded,
    Failed,
}

impl Series {
    /// Namespace, metric, statistic and query id prefix.
    fn metric(self) -> (&'static str, &'static str, &'static str, char) {
        match self {
            Series::Invocations => (NAMESPACE, "Invocations", "Sum", 'i'),
            Series::Errors => (NAMESPACE, "Errors", "Sum", 'e'),
            Series::Duration => (NAMESPACE, "Duration", "Maximum", 'd'),
            Series::Succeeded => (RUN_METRICS_NAMESPACE, RUN_SUCCEEDED_METRIC, "Sum", 's'),
            Series::Failed => (RUN_METRICS_NAMESPACE, RUN_FAILED_METRIC, "Sum", 'f'),
        }
    }

    fn of_prefix(prefix: char) -> Option<Series> {
        [
            Series::Invocations,
            Series::Errors,
            Series::Duration,
            Series::Succeeded,
            Series::Failed,
        ]
        .into_iter()
        .find(|s| s.metric().3 == prefix)
    }
}

/// The series and dimensions of one source.
fn series_of(source: &RunSource, duration: bool) -> (Vec<Series>, Vec<Dimension>) {
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    match source {
        RunSource::Function(function) => {
            let mut series = vec![Series::Invocations, Series::Errors];
            if duration {
                series.push(Series::Duration);
            }
            (series, vec![dimension(FUNCTION_DIMENSION, function)])
        }
        RunSource::Job { function, job } => (
            vec![Series::Succeeded, Series::Failed],
            vec![
                dimension(FUNCTION_DIMENSION, function),
                dimension(JOB_DIMENSION, job),
            ],
        ),
    }
}

/// The queries for a request: ids `i<n>`, `e<n>`, `d<n>` for the n-th
/// source when it is a function, `s<n>`, `f<n>` when it is a job.
pub fn queries(request: &MetricsRequest) -> Vec<MetricDataQuery> {
    let mut out = Vec::new();
    for (n, (source, duration)) in request.sources.iter().enumerate() {
        let (series, dimensions) = series_of(source, *duration);
        for s in series {
            let (namespace, name, stat, prefix) = s.metric();
            out.push(
                MetricDataQuery::builder()
                    .id(format!("{prefix}{n}"))
                    .return_data(true)
                    .metric_stat(
                        MetricStat::builder()
                            .metric(
                                Metric::builder()
                                    .namespace(namespace)
                                    .metric_name(name)
                                    .set_dimensions(Some(dimensions.clone()))
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

/// Folds GetMetricData results (ids from [`queries`]) into per-source metrics.
pub fn collect(
    request: &MetricsRequest,
    results: &[MetricDataResult],
    into: &mut BTreeMap<RunSource, FunctionMetrics>,
) {
    for result in results {
        let Some(id) = result.id() else { continue };
        let mut chars = id.chars();
        let Some(series) = chars.next().and_then(Series::of_prefix) else {
            continue;
        };
        let Some((source, _)) = chars
            .as_str()
            .parse::<usize>()
            .ok()
            .and_then(|n| request.sources.get(n))
        else {
            continue;
        };
        let metrics = into.entry(source.clone()).or_default();
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
                // A run that succeeded is an invocation without error, one
                // that failed an invocation with one.
                Series::Succeeded => {
                    metrics.record(at, *value, 0.0);
                }
                Series::Failed => {
                    metrics.record(at, *value, *value);
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
    ) -> Result<BTreeMap<RunSource, FunctionMetrics>, WatchdogError> {
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
            sources: vec![
                (RunSource::Function("a".into()), false),
                (RunSource::Function("b".into()), true),
                (
                    RunSource::Job {
                        function: "c".into(),
                        job: "nightly".into(),
                    },
                    true,
                ),
            ],
            start: at(7, 0),
            end: at(9, 0),
        };
        let ids: Vec<String> = queries(&request)
            .iter()
            .map(|q| q.id().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(ids, ["i0", "e0", "i1", "e1", "d1", "s2", "f2"]);
        let q = &queries(&request)[4];
        let stat = q.metric_stat().expect("metric stat");
        assert_eq!(stat.period(), Some(60));
        assert_eq!(stat.stat(), Some("Maximum"));
        let metric = stat.metric().expect("metric");
        assert_eq!(metric.namespace(), Some("AWS/Lambda"));
        assert_eq!(metric.metric_name(), Some("Duration"));
        assert_eq!(metric.dimensions()[0].value(), Some("b"));
        let job = queries(&request)[6]
            .metric_stat()
            .cloned()
            .expect("metric stat");
        assert_eq!(job.stat(), Some("Sum"));
        let metric = job.metric().expect("metric");
        assert_eq!(metric.namespace(), Some("CloudCron"));
        assert_eq!(metric.metric_name(), Some("RunFailed"));
        let dims: Vec<(Option<&str>, Option<&str>)> = metric
            .dimensions()
            .iter()
            .map(|d| (d.name(), d.value()))
            .collect();
        assert_eq!(
            dims,
            [
                (Some("FunctionName"), Some("c")),
                (Some("Job"), Some("nightly"))
            ]
        );
    }

    #[test]
    fn results_fold_into_minutes_per_function() {
        let job = RunSource::Job {
            function: "b".into(),
            job: "nightly".into(),
        };
        let request = MetricsRequest {
            sources: vec![
                (RunSource::Function("a".into()), false),
                (RunSource::Function("b".into()), true),
                (job.clone(), false),
            ],
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
            MetricDataResult::builder()
                .id("s2")
                .timestamps(ts(at(8, 0)))
                .timestamps(ts(at(8, 3)))
                .values(1.0)
                .values(1.0)
                .build(),
            MetricDataResult::builder()
                .id("f2")
                .timestamps(ts(at(8, 0)))
                .values(2.0)
                .build(),
            MetricDataResult::builder().id("x9").build(),
            MetricDataResult::builder().id("i7").values(1.0).build(),
        ];
        let mut out = BTreeMap::new();
        collect(&request, &results, &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        let sample = out[&RunSource::Function("b".into())].at(at(8, 0));
        assert_eq!(sample.invocations, 2.0);
        assert_eq!(sample.errors, 1.0);
        assert_eq!(sample.max_duration_ms, Some(1500.0));
        let runs = &out[&job];
        assert_eq!(
            (runs.at(at(8, 0)).invocations, runs.at(at(8, 0)).errors),
            (3.0, 2.0),
            "two failed runs and one that succeeded"
        );
        assert_eq!(
            (runs.at(at(8, 3)).invocations, runs.at(at(8, 3)).errors),
            (1.0, 0.0)
        );
    }
}
