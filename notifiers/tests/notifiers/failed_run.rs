//! A failed scheduled run reaches a person, end to end against moto, from
//! the synthesized `TaskExample` template.
//!
//! What moto does: creates the stack from the template (translated by
//! aws-sam-translator and deployed with `tools/moto_deploy.py` into the
//! general moto server): the task's dead-letter queue, its idempotency
//! table, its topics, the KMS-encrypted ops topic and the email channel's
//! queues (moto's CloudFormation skips `AWS::SNS::Subscription`; moto_deploy
//! subscribes the channel's queue to the ops topic with the template's
//! properties after the stack, and lists it under
//! `created_by_deploy_script`); keeps the idempotency records (DynamoDB) and the queues; fans
//! the alarm notification out from the ops topic to the email channel's
//! queue (SNS -> SQS, raw delivery); sends and records the mail (SES, on the
//! second moto server, which holds no Lambda function so its
//! `/moto-api/data.json` can show the mail).
//!
//! The email channel's subscription to the ops topic: its wiring (topic,
//! queue endpoint, raw delivery, redrive policy, the queue policy it waits
//! for) is asserted on the template, and the subscription moto holds on the
//! topic is checked to be exactly that.
//!
//! What the test plays, from the template, because moto here neither fires
//! schedules nor runs functions (no Docker) nor evaluates alarms:
//! - EventBridge Scheduler: the invocation event is the schedule's
//!   `Target.Input` with its context placeholders substituted;
//! - Lambda: the task handler (`cloud_cron_runtime::Runtime`) runs with the
//!   function's environment from the template (references resolved to what
//!   moto created), once plus the `EventInvokeConfig`'s `MaximumRetryAttempts`
//!   times, and the failed event goes, as Lambda's invocation record, to the
//!   queue its `OnFailure` destination names;
//! - CloudWatch: the dead-letter-depth alarm of the template is evaluated on
//!   the queue's depth, and its notification (the JSON CloudWatch publishes,
//!   with the alarm's description, metric and dimensions from the template)
//!   is published to the topic its `AlarmActions` name;
//! - Lambda's event source mapping: the email notifier's handler gets the
//!   channel queue's messages as an `SqsEvent`, with the environment the
//!   template gives the `OpsEmail` function.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_config::SdkConfig;
use aws_sdk_sqs::types::QueueAttributeName;
use cloud_cron_notifiers::channels::email::Email;
use cloud_cron_notifiers::Notifier;
use cloud_cron_runtime::{Environment, Invocation, RunContext, Runtime, Task, TaskError};
use serde_json::{json, Value};

use crate::support::{self, failed_ids, sdk_config, sent_mail, verify_sender};

const NEEDS_TOOLS: &str = "needs the Python tools and both moto servers: run scripts/test";

fn tool(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: {NEEDS_TOOLS}"))
}

/// The example task, with its system of record down: every run fails.
struct UnreachableReport;

impl Task for UnreachableReport {
    const NAME: &'static str = "daily-report";
    const TOPICS: &'static [&'static str] = &["alerts", "reports"];

    async fn run(&self, _ctx: RunContext) -> Result<(), TaskError> {
        Err("the report database refused the connection".into())
    }
}

/// The synthesized `TaskExample` stack: its SAM template (as JSON) and the
/// CloudFormation JSON aws-sam-translator makes of it, in `dir`.
fn task_example(dir: &Path) -> (Value, PathBuf) {
    let synthesis = cloud_cron_stacks::app()
        .synth()
        .expect("the examples are valid");
    let stack = synthesis
        .stacks
        .into_iter()
        .find(|s| s.name == "TaskExample")
        .expect("the TaskExample stack");
    let input = dir.join(stack.file_name());
    std::fs::write(&input, &stack.text).expect("write template");
    let output = dir.join("TaskExample.cfn.json");
    let translated = Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(Path::new(&tool("CLOUDCRON_TOOLS")).join("sam_translate.py"))
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run sam_translate.py");
    assert!(
        translated.status.success(),
        "aws-sam-translator rejected TaskExample: {}",
        String::from_utf8_lossy(&translated.stderr)
    );
    (stack.template.to_json(), output)
}

/// What moto's CloudFormation made of a template.
struct Deployed {
    /// Each created resource's physical id, by logical id.
    physical: BTreeMap<String, String>,
    /// The logical ids of the resources moto's CloudFormation skipped that
    /// moto_deploy.py created itself.
    created_by_deploy_script: Vec<String>,
}

/// Deploys `cfn` into the general moto server as `stack_name`.
fn deploy(cfn: &Path, stack_name: &str) -> Deployed {
    let o = Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(Path::new(&tool("CLOUDCRON_TOOLS")).join("moto_deploy.py"))
        .args(["--endpoint", &tool("CLOUDCRON_MOTO_ENDPOINT")])
        .args(["--stack-name", stack_name])
        .arg(cfn)
        .output()
        .expect("run moto_deploy.py");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "moto_deploy.py printed no report ({e}): {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert_eq!(report["status"], "CREATE_COMPLETE", "{report:#}");
    let physical = report["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| {
            Some((
                r["logical_id"].as_str()?.to_owned(),
                r["physical_id"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let created_by_deploy_script = report["created_by_deploy_script"]
        .as_array()
        .expect("created_by_deploy_script")
        .iter()
        .filter_map(|r| r["logical_id"].as_str().map(str::to_owned))
        .collect();
    Deployed {
        physical,
        created_by_deploy_script,
    }
}

/// The one resource of `template` of type `ty` whose logical id starts with `prefix`.
fn resource<'a>(template: &'a Value, prefix: &str, ty: &str) -> (&'a str, &'a Value) {
    let found: Vec<(&str, &Value)> = template["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(id, r)| id.starts_with(prefix) && r["Type"] == ty)
        .map(|(id, r)| (id.as_str(), r))
        .collect();
    assert_eq!(found.len(), 1, "one {ty} named {prefix}*: {found:?}");
    found[0]
}

/// The logical id a `Ref` or `Fn::GetAtt` points at.
fn target(value: &Value) -> &str {
    value["Ref"]
        .as_str()
        .or_else(|| value["Fn::GetAtt"][0].as_str())
        .unwrap_or_else(|| panic!("not a reference: {value}"))
}

/// A queue's URL from its physical id (moto reports the URL).
async fn queue_url(sqs: &aws_sdk_sqs::Client, physical: &str) -> String {
    if physical.starts_with("http") {
        return physical.to_owned();
    }
    let name = physical.rsplit(':').next().unwrap_or(physical);
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .expect("GetQueueUrl")
        .queue_url
        .expect("queue URL")
}

async fn queue_attribute(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    attribute: QueueAttributeName,
) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(attribute.clone())
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes()
        .and_then(|a| a.get(&attribute))
        .cloned()
        .unwrap_or_default()
}

/// A function's environment from the template, references resolved to the
/// physical ids moto created (`Ref` of a topic is its ARN, of a table its name).
fn environment(function: &Value, physical: &BTreeMap<String, String>) -> Vec<(String, String)> {
    function["Properties"]["Environment"]["Variables"]
        .as_object()
        .expect("variables")
        .iter()
        .map(|(name, value)| {
            let value = match value.as_str() {
                Some(text) => text.to_owned(),
                None => physical
                    .get(target(value))
                    .unwrap_or_else(|| panic!("{name}: {value} was not created"))
                    .clone(),
            };
            (name.clone(), value)
        })
        .collect()
}

/// The email channel's subscription to the ops topic, as the template wires
/// it: asserted on the template, then present in moto with exactly those
/// attributes (moto_deploy.py created it: moto's CloudFormation skips
/// `AWS::SNS::Subscription`). Returns the channel queue's logical id.
async fn ops_email_subscription(
    template: &Value,
    deployed: &Deployed,
    sns: &aws_sdk_sns::Client,
    sqs: &aws_sdk_sqs::Client,
) -> String {
    let (subscription_id, subscription) =
        resource(template, "OpsEmailSubscription", "AWS::SNS::Subscription");
    let props = &subscription["Properties"];
    let mut names: Vec<&str> = props
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Endpoint",
            "Protocol",
            "RawMessageDelivery",
            "RedrivePolicy",
            "TopicArn"
        ],
        "every property of the subscription is played below"
    );
    let (ops_id, _) = resource(template, "Ops", "AWS::SNS::Topic");
    assert_eq!(target(&props["TopicArn"]), ops_id);
    assert_eq!(props["Protocol"], "sqs");
    assert_eq!(props["Endpoint"]["Fn::GetAtt"][1], "Arn");
    let (queue_id, _) = resource(template, "OpsEmailQueue", "AWS::SQS::Queue");
    assert_eq!(target(&props["Endpoint"]), queue_id);
    assert_eq!(
        props["RawMessageDelivery"], true,
        "the notifier reads CloudWatch's JSON as the body"
    );
    let (dead_id, _) = resource(template, "OpsEmailDeadLetterQueue", "AWS::SQS::Queue");
    assert_eq!(
        target(&props["RedrivePolicy"]["deadLetterTargetArn"]),
        dead_id,
        "what SNS cannot deliver waits in the channel's dead-letter queue"
    );

    // The queues let the ops topic (and only it) send, before SNS subscribes.
    let (policy_id, policy) = resource(template, "OpsEmailQueuePolicy", "AWS::SQS::QueuePolicy");
    assert_eq!(subscription["DependsOn"], json!([policy_id]));
    let queues: Vec<&str> = policy["Properties"]["Queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(target)
        .collect();
    assert_eq!(queues, [queue_id, dead_id]);
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    assert_eq!(statements.len(), 1, "{statements:#?}");
    let statement = &statements[0];
    assert_eq!(statement["Effect"], "Allow");
    assert_eq!(
        statement["Principal"],
        json!({"Service": "sns.amazonaws.com"})
    );
    assert_eq!(statement["Action"], json!(["sqs:SendMessage"]));
    let resources: Vec<&str> = statement["Resource"]
        .as_array()
        .expect("resources")
        .iter()
        .map(target)
        .collect();
    assert_eq!(resources, [queue_id, dead_id]);
    assert_eq!(
        target(&statement["Condition"]["ArnEquals"]["aws:SourceArn"]),
        ops_id
    );

    // What moto created, references resolved.
    let topic_arn = &deployed.physical[ops_id];
    let channel_url = queue_url(sqs, &deployed.physical[queue_id]).await;
    let queue_arn = queue_attribute(sqs, &channel_url, QueueAttributeName::QueueArn).await;
    let dead_url = queue_url(sqs, &deployed.physical[dead_id]).await;
    let dead_arn = queue_attribute(sqs, &dead_url, QueueAttributeName::QueueArn).await;
    assert!(
        deployed
            .created_by_deploy_script
            .iter()
            .any(|id| id == subscription_id),
        "moto_deploy.py subscribes what moto's CloudFormation skips"
    );
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .send()
        .await
        .expect("ListSubscriptionsByTopic");
    let subscriptions = subscriptions.subscriptions();
    assert_eq!(subscriptions.len(), 1, "{subscriptions:?}");
    assert_eq!(subscriptions[0].protocol(), Some("sqs"));
    assert_eq!(subscriptions[0].endpoint(), Some(queue_arn.as_str()));
    let attributes = sns
        .get_subscription_attributes()
        .subscription_arn(subscriptions[0].subscription_arn().unwrap_or_default())
        .send()
        .await
        .expect("GetSubscriptionAttributes");
    let attributes = attributes.attributes().expect("attributes");
    assert_eq!(
        attributes.get("PendingConfirmation").map(String::as_str),
        Some("false"),
        "an SQS subscription in the same account needs no confirmation"
    );
    assert_eq!(
        attributes.get("RawMessageDelivery").map(String::as_str),
        Some("true")
    );
    let stored: Option<Value> = attributes
        .get("RedrivePolicy")
        .and_then(|r| serde_json::from_str(r).ok());
    assert_eq!(stored, Some(json!({"deadLetterTargetArn": dead_arn})));
    queue_id.to_owned()
}

async fn receive_all(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut out = Vec::new();
    loop {
        let batch = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage");
        if batch.messages().is_empty() {
            return out;
        }
        out.extend(batch.messages().iter().cloned());
    }
}

fn lambda_record(m: &aws_sdk_sqs::types::Message, queue_arn: &str) -> Value {
    json!({
        "messageId": m.message_id(),
        "receiptHandle": m.receipt_handle(),
        "body": m.body(),
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": m.md5_of_body(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    })
}

#[tokio::test]
#[ignore = "needs the Python tools and both moto servers: run scripts/test"]
async fn a_run_that_fails_after_its_retries_reaches_the_operators_inbox() {
    let aws: SdkConfig = sdk_config(&tool("CLOUDCRON_MOTO_ENDPOINT")).await;
    let ses_endpoint = support::moto_ses_endpoint();
    let ses_aws = sdk_config(&ses_endpoint).await;
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let dir = tempfile::tempdir().expect("temp dir");
    let (template, cfn) = task_example(dir.path());
    let stack_name = format!("failed-run-{}", std::process::id());
    let deployed = deploy(&cfn, &stack_name);
    let physical = &deployed.physical;
    let sns = aws_sdk_sns::Client::new(&aws);

    // The email channel's subscription to the ops topic, as the template wires it.
    let channel_queue_id = ops_email_subscription(&template, &deployed, &sns, &sqs).await;

    // The template's scheduled task: schedule, function, retries, dead letters.
    let (_, schedule) = resource(&template, "DailyReportSchedule", "AWS::Scheduler::Schedule");
    let (function_id, function) = resource(
        &template,
        "DailyReportFunction",
        "AWS::Serverless::Function",
    );
    let invoke = &function["Properties"]["EventInvokeConfig"];
    let retries = invoke["MaximumRetryAttempts"]
        .as_u64()
        .expect("retry count");
    assert_eq!(
        retries, 2,
        "the example keeps Lambda's default of two retries"
    );
    let on_failure = &invoke["DestinationConfig"]["OnFailure"];
    assert_eq!(on_failure["Type"], "SQS");
    let dlq_id = target(&on_failure["Destination"]);
    assert_eq!(
        target(&schedule["Properties"]["Target"]["DeadLetterConfig"]["Arn"]),
        dlq_id,
        "the Scheduler dead-letters to the same queue"
    );
    let dlq_url = queue_url(&sqs, &physical[dlq_id]).await;
    let dlq_arn = queue_attribute(&sqs, &dlq_url, QueueAttributeName::QueueArn).await;
    let dlq_name = dlq_arn.rsplit(':').next().unwrap_or_default().to_owned();
    let function_name = physical[function_id].clone();
    let function_arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}");

    // Scheduler: the configured input, its placeholders substituted.
    let scheduled_time = "2026-12-03T05:00:00Z";
    let (schedule_id, _) = resource(&template, "DailyReportSchedule", "AWS::Scheduler::Schedule");
    let group = physical
        .get(target(&schedule["Properties"]["GroupName"]))
        .map_or("default", String::as_str);
    let schedule_name = physical
        .get(schedule_id)
        .cloned()
        .unwrap_or_else(|| format!("{stack_name}-{schedule_id}"));
    let schedule_arn =
        format!("arn:aws:scheduler:us-east-1:123456789012:schedule/{group}/{schedule_name}");
    let input = schedule["Properties"]["Target"]["Input"]
        .as_str()
        .expect("the schedule's input");

    // Lambda: the first attempt and each retry fail.
    let mut env = environment(function, physical);
    env.push(("AWS_LAMBDA_FUNCTION_NAME".into(), function_name.clone()));
    let runtime = Runtime::new(UnreachableReport, &aws, &Environment::from_pairs(env))
        .expect("the function's environment configures the task");
    let attempts = 1 + retries;
    let mut last_error = String::new();
    let mut event = Value::Null;
    for attempt in 1..=attempts {
        let text = input
            .replace("<aws.scheduler.schedule-arn>", &schedule_arn)
            .replace("<aws.scheduler.scheduled-time>", scheduled_time)
            .replace(
                "<aws.scheduler.execution-id>",
                &format!("{stack_name}-exec"),
            )
            .replace("<aws.scheduler.attempt-number>", "1");
        event = serde_json::from_str(&text).expect("the input is JSON");
        let err = runtime
            .handle(&event, &Invocation::new(format!("request-{attempt}")))
            .await
            .expect_err("the run fails");
        last_error = err.to_string();
    }
    assert!(
        last_error.contains("the report database refused the connection"),
        "{last_error}"
    );
    // ... so Lambda sends its invocation record to the OnFailure destination.
    let record = json!({
        "version": "1.0",
        "timestamp": "2026-12-03T05:04:10.000Z",
        "requestContext": {
            "requestId": format!("request-{attempts}"),
            "functionArn": format!("{function_arn}:$LATEST"),
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorType": "cloud_cron::Task", "errorMessage": last_error},
    });
    sqs.send_message()
        .queue_url(&dlq_url)
        .message_body(record.to_string())
        .send()
        .await
        .expect("SendMessage to the dead-letter queue");
    let depth: f64 = queue_attribute(
        &sqs,
        &dlq_url,
        QueueAttributeName::ApproximateNumberOfMessages,
    )
    .await
    .parse()
    .expect("a count");
    assert_eq!(depth, 1.0, "the failed run waits in the dead-letter queue");

    // CloudWatch: the template's dead-letter alarm on that queue breaches ...
    let (alarm_id, alarm) = resource(
        &template,
        "DailyReportDeadLetterAlarm",
        "AWS::CloudWatch::Alarm",
    );
    let p = &alarm["Properties"];
    assert_eq!(p["Namespace"], "AWS/SQS");
    assert_eq!(p["MetricName"], "ApproximateNumberOfMessagesVisible");
    assert_eq!(target(&p["Dimensions"][0]["Value"]), dlq_id);
    assert_eq!(p["ComparisonOperator"], "GreaterThanThreshold");
    let threshold = p["Threshold"].as_f64().expect("threshold");
    assert!(depth > threshold, "{depth} > {threshold}: ALARM");
    let ops_id = target(&p["AlarmActions"][0]);
    let ops_arn = physical[ops_id].clone();
    let alarm_name = physical
        .get(alarm_id)
        .cloned()
        .unwrap_or_else(|| format!("{stack_name}-{alarm_id}"));
    // ... and CloudWatch publishes its notification to the alarm's action.
    let notification = json!({
        "AlarmName": alarm_name,
        "AlarmDescription": p["AlarmDescription"],
        "AWSAccountId": "123456789012",
        "AlarmConfigurationUpdatedTimestamp": "2026-12-01T08:00:00.000+0000",
        "NewStateValue": "ALARM",
        "NewStateReason": format!("Threshold Crossed: 1 out of the last 1 datapoints [{depth} (03/12/26 05:04:00)] was greater than the threshold ({threshold}) (minimum 1 datapoint for OK -> ALARM transition)."),
        "StateChangeTime": "2026-12-03T05:05:12.345+0000",
        "Region": "US East (N. Virginia)",
        "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm_name}"),
        "OldStateValue": "OK",
        "OKActions": [ops_arn],
        "AlarmActions": [ops_arn],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": p["MetricName"],
            "Namespace": p["Namespace"],
            "StatisticType": "Statistic",
            "Statistic": p["Statistic"].as_str().unwrap_or_default().to_uppercase(),
            "Unit": null,
            "Dimensions": [{"value": dlq_name, "name": p["Dimensions"][0]["Name"]}],
            "Period": p["Period"],
            "EvaluationPeriods": p["EvaluationPeriods"],
            "ComparisonOperator": p["ComparisonOperator"],
            "Threshold": threshold,
            "TreatMissingData": p["TreatMissingData"],
            "EvaluateLowSampleCountPercentile": "",
        },
    });
    sns.publish()
        .topic_arn(&ops_arn)
        .subject(format!("ALARM: \"{alarm_name}\" in US East (N. Virginia)"))
        .message(notification.to_string())
        .send()
        .await
        .expect("Publish to the ops topic");

    // SNS -> SQS (moto): the email channel's queue, subscribed in the template.
    let channel_queue = queue_url(&sqs, &physical[&channel_queue_id]).await;
    let channel_queue_arn =
        queue_attribute(&sqs, &channel_queue, QueueAttributeName::QueueArn).await;
    let messages = receive_all(&sqs, &channel_queue).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        serde_json::from_str::<Value>(messages[0].body().unwrap_or_default()).ok(),
        Some(notification),
        "raw delivery: the body is CloudWatch's JSON"
    );

    // The email notifier, configured as the template configures OpsEmail, sends through SES.
    let (_, notifier_function) =
        resource(&template, "OpsEmailFunction", "AWS::Serverless::Function");
    let notifier_env = Environment::from_pairs(environment(notifier_function, physical));
    verify_sender(&ses_aws, "cloud-cron@example.com").await;
    let notifier = Notifier::<Email>::from_env(&notifier_env, &ses_aws)
        .await
        .expect("the template's channel configuration loads");
    let event = support::event(
        messages
            .iter()
            .map(|m| lambda_record(m, &channel_queue_arn))
            .collect(),
    );
    let response = notifier.handle(&event, None).await;
    assert!(failed_ids(&response).is_empty(), "{response:?}");

    // SES holds a mail a person can act on.
    let mail: Vec<Value> = sent_mail(&ses_endpoint)
        .await
        .into_iter()
        .filter(|m| m["body"].as_str().is_some_and(|b| b.contains(&dlq_name)))
        .collect();
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(
        mail[0]["subject"],
        "ALARM: TaskExample/DailyReport (ApproximateNumberOfMessagesVisible)"
    );
    assert_eq!(
        mail[0]["destinations"]["ToAddresses"],
        json!(["ops@example.com"])
    );
    let body = mail[0]["body"].as_str().unwrap_or_default();
    for expected in [
        "a scheduled run failed after every retry; its event is in the dead-letter queue",
        "<b>ALARM</b>",
        &format!("AWS&#x2f;SQS ApproximateNumberOfMessagesVisible QueueName={dlq_name}"),
    ] {
        assert!(body.contains(expected), "{expected} not in {body}");
    }
}
