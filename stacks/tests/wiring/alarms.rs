//! Nothing fails silently, checked on every example template: each alarm
//! notifies someone when it fires and when it clears, each alarm action is a
//! topic CloudWatch can publish to (standard, under a customer managed key
//! whose policy lets `cloudwatch.amazonaws.com` use it, with a topic policy
//! letting CloudWatch publish), and each alarm watches a metric AWS
//! publishes, with the dimensions AWS publishes it under.

use serde_json::{json, Value};

use super::{of_type, resource, templates};

/// The metrics the constructs alarm on: (namespace, metric names, the
/// dimension names AWS publishes them with, the resource type the
/// dimension's value refers to). From the AWS documentation: "Lambda
/// function metrics" (per `FunctionName`), "Available CloudWatch metrics
/// for Amazon SQS" (per `QueueName`), and "Monitoring Amazon EventBridge
/// Scheduler with Amazon CloudWatch" (per `ScheduleGroup`, the finest
/// dimension the Scheduler publishes: there is none per schedule), and
/// "Monitor CloudWatch metrics for HTTP APIs in API Gateway" (per `ApiId`).
const PUBLISHED: &[(&str, &[&str], &str, &str)] = &[
    (
        "AWS/Lambda",
        &["Errors", "Throttles", "Duration", "Invocations"],
        "FunctionName",
        "AWS::Serverless::Function",
    ),
    (
        "AWS/SQS",
        &[
            "ApproximateNumberOfMessagesVisible",
            "ApproximateAgeOfOldestMessage",
        ],
        "QueueName",
        "AWS::SQS::Queue",
    ),
    (
        "AWS/Scheduler",
        &[
            "TargetErrorCount",
            "InvocationThrottleCount",
            "InvocationDroppedCount",
            "InvocationsFailedToBeSentToDeadLetterCount",
        ],
        "ScheduleGroup",
        "AWS::Scheduler::ScheduleGroup",
    ),
    (
        "AWS/Events",
        &["FailedInvocations"],
        "RuleName",
        "AWS::Events::Rule",
    ),
    (
        "AWS/ApiGateway",
        &["5xx"],
        "ApiId",
        "AWS::ApiGatewayV2::Api",
    ),
];

/// The logical ID a dimension value points at (`Ref` or `Fn::GetAtt`).
fn referenced(value: &Value) -> &str {
    value["Ref"]
        .as_str()
        .or_else(|| value["Fn::GetAtt"][0].as_str())
        .unwrap_or_else(|| panic!("dimension value is not a reference: {value}"))
}

/// Every metric an alarm reads: its own, or each of its metric-math
/// queries' (`Metrics[].MetricStat.Metric`).
fn metrics_of(alarm: &Value) -> Vec<Value> {
    match alarm["Metrics"].as_array() {
        Some(queries) => queries
            .iter()
            .filter_map(|q| q.get("MetricStat"))
            .map(|stat| stat["Metric"].clone())
            .collect(),
        None => vec![json!({
            "Namespace": alarm["Namespace"],
            "MetricName": alarm["MetricName"],
            "Dimensions": alarm["Dimensions"],
        })],
    }
}

#[test]
fn every_alarm_notifies_when_it_fires_and_when_it_clears() {
    for (stack, t) in templates() {
        let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
        assert!(!alarms.is_empty(), "{stack} has alarms");
        for (id, alarm) in alarms {
            let p = &alarm["Properties"];
            let actions = p["AlarmActions"].as_array().expect("AlarmActions");
            assert!(!actions.is_empty(), "{stack}/{id} has an alarm action");
            assert_eq!(p["OKActions"], p["AlarmActions"], "{stack}/{id}");
            let text = p["AlarmDescription"].as_str().expect("a description");
            assert!(
                text.starts_with(&format!("{stack}/")),
                "{stack}/{id} names its construct: {text}"
            );
        }
    }
}

#[test]
fn every_alarm_target_is_a_topic_cloudwatch_can_publish_to() {
    for (stack, t) in templates() {
        for (id, alarm) in of_type(&t, "AWS::CloudWatch::Alarm") {
            for action in alarm["Properties"]["AlarmActions"]
                .as_array()
                .expect("actions")
            {
                let topic_id = action["Ref"].as_str().expect("a topic in this template");
                let topic = resource(&t, topic_id);
                assert_eq!(topic["Type"], "AWS::SNS::Topic", "{stack}/{id}");
                assert!(
                    topic["Properties"].get("FifoTopic").is_none(),
                    "{stack}/{topic_id}: CloudWatch cannot publish to a FIFO topic"
                );
                let key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
                    .as_str()
                    .unwrap_or_else(|| panic!("{stack}/{topic_id} is under a key of this stack"));
                let key = resource(&t, key_id);
                assert_eq!(key["Type"], "AWS::KMS::Key");
                assert_eq!(key["Properties"]["EnableKeyRotation"], true);
                let cloudwatch_may_use = key["Properties"]["KeyPolicy"]["Statement"]
                    .as_array()
                    .expect("key policy")
                    .iter()
                    .any(|s| {
                        s["Effect"] == "Allow"
                            && s["Principal"]["Service"] == "cloudwatch.amazonaws.com"
                            && s["Action"] == json!(["kms:Decrypt", "kms:GenerateDataKey*"])
                            && s["Condition"]["StringEquals"]["aws:SourceAccount"]
                                == json!({"Ref": "AWS::AccountId"})
                    });
                assert!(
                    cloudwatch_may_use,
                    "{stack}/{key_id} lets CloudWatch use it"
                );
                let may_publish = of_type(&t, "AWS::SNS::TopicPolicy").iter().any(|(_, p)| {
                    p["Properties"]["Topics"]
                        .as_array()
                        .is_some_and(|ts| ts.contains(&json!({"Ref": topic_id})))
                        && p["Properties"]["PolicyDocument"]["Statement"]
                            .as_array()
                            .expect("statements")
                            .iter()
                            .any(|s| {
                                s["Principal"]["Service"] == "cloudwatch.amazonaws.com"
                                    && s["Action"] == json!(["sns:Publish"])
                            })
                });
                assert!(may_publish, "{stack}/{topic_id} lets CloudWatch publish");
            }
        }
    }
}

#[test]
fn every_alarm_watches_a_metric_aws_publishes() {
    for (stack, t) in templates() {
        for (id, alarm) in of_type(&t, "AWS::CloudWatch::Alarm") {
            let metrics = metrics_of(&alarm["Properties"]);
            assert!(!metrics.is_empty(), "{stack}/{id} reads a metric");
            for metric in metrics {
                let namespace = metric["Namespace"].as_str().expect("namespace");
                let name = metric["MetricName"].as_str().expect("metric name");
                let (_, _, dimension, points_at) = PUBLISHED
                    .iter()
                    .find(|(ns, names, _, _)| *ns == namespace && names.contains(&name))
                    .unwrap_or_else(|| {
                        panic!("{stack}/{id}: {namespace} {name} is not in the table of published metrics")
                    });
                let dims = metric["Dimensions"].as_array().expect("dimensions");
                assert_eq!(dims.len(), 1, "{stack}/{id}: {dims:?}");
                assert_eq!(dims[0]["Name"], *dimension, "{stack}/{id}");
                let target = referenced(&dims[0]["Value"]);
                assert_eq!(
                    resource(&t, target)["Type"],
                    *points_at,
                    "{stack}/{id}: {dimension} names a {points_at}"
                );
            }
        }
    }
}

#[test]
fn every_schedule_is_in_its_stacks_own_group() {
    for (stack, t) in templates() {
        // The stack's own group holds its template's schedules; a
        // OneOffSchedules construct adds a group of its own for the
        // schedules created at run time.
        let groups: Vec<_> = of_type(&t, "AWS::Scheduler::ScheduleGroup")
            .into_iter()
            .filter(|(id, _)| id.starts_with("ScheduleGroup"))
            .collect();
        assert_eq!(groups.len(), 1, "{stack} has one schedule group of its own");
        let group = json!({"Ref": groups[0].0});
        for (id, schedule) in of_type(&t, "AWS::Scheduler::Schedule") {
            assert_eq!(schedule["Properties"]["GroupName"], group, "{stack}/{id}");
        }
    }
}
