//! End to end on one moto server (`CLOUDCRON_MOTO_SES_ENDPOINT`, which holds
//! no Lambda function, so SES's sent mail can be read back): the example
//! task publishes to a FIFO topic, SNS delivers raw to a FIFO queue with a
//! dead-letter queue (maxReceiveCount 2), and the email notifier consumes the
//! queue the way Lambda's event source mapping does: receive a batch, hand
//! it over as an `SqsEvent`, delete what succeeded, and let the reported
//! failures become visible again.
//!
//! Checked: a scheduled run retried publishes one message and one email; a
//! poisoned message in the batch fails alone and ends in the dead-letter
//! queue after its retries; delivered + dead-lettered = published.

use crate::support;

use crate::support::{failed_ids, sdk_config, sent_mail_tagged, verify_sender};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use cloud_cron_example_task::DailyReport;
use cloud_cron_notifiers::channels::email::Email;
use cloud_cron_notifiers::Notifier;
use cloud_cron_runtime::{Environment, Invocation, Runtime};
use cloud_cron_test_support::inbox::Inbox;
use serde_json::{json, Value};

fn scheduler_event(time: &str, attempt: u32) -> Value {
    json!({
        "source": "cloud-cron.scheduler",
        "version": 1,
        "scheduleArn": support::SCHEDULE_ARN,
        "scheduledTime": time,
        "executionId": format!("exec-{time}-{attempt}"),
        "attemptNumber": attempt.to_string(),
    })
}

/// A received SQS message as the record Lambda's event source mapping passes.
fn lambda_record(m: &aws_sdk_sqs::types::Message, queue_arn: &str) -> Value {
    let attributes: serde_json::Map<String, Value> = m
        .attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.as_str().to_owned(), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "messageId": m.message_id(),
        "receiptHandle": m.receipt_handle(),
        "body": m.body(),
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": m.md5_of_body(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    })
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn task_to_inbox_exactly_once_with_poison_dead_lettered() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    let unique = format!("e2e-{}", std::process::id());
    // FIFO topic -> (raw) FIFO queue -> FIFO dead-letter queue after 2 receives.
    let alerts = Inbox::builder("e2e-alerts")
        .fifo(true)
        .dead_letter_after(2)
        .create(&sdk)
        .await;
    let reports_arn = aws_sdk_sns::Client::new(&sdk)
        .create_topic()
        .name(format!("{unique}-reports"))
        .send()
        .await
        .expect("CreateTopic")
        .topic_arn
        .expect("ARN");

    // The task: 06:00 run, its retry, and the 07:00 run -> two alerts.
    let task_env = Environment::from_pairs([
        ("SNS_TOPIC_ARN_ALERTS", alerts.topic_arn.as_str()),
        ("SNS_TOPIC_ARN_REPORTS", reports_arn.as_str()),
    ]);
    let runtime = Runtime::new(DailyReport, &sdk, &task_env).expect("task configured");
    for (time, attempt) in [
        ("2026-11-28T06:00:00Z", 1),
        ("2026-11-28T06:00:00Z", 2),
        ("2026-11-28T07:00:00Z", 1),
    ] {
        runtime
            .handle(
                &scheduler_event(time, attempt),
                &Invocation::new(format!("req-{time}-{attempt}")),
            )
            .await
            .expect("task run");
    }
    // A poisoned message from some other publisher, in its own group.
    let poison = "{\"alert\": \"not an envelope\"}";
    aws_sdk_sns::Client::new(&sdk)
        .publish()
        .topic_arn(&alerts.topic_arn)
        .message(poison)
        .message_group_id("other-publisher")
        .message_deduplication_id("poison-1")
        .send()
        .await
        .expect("Publish poison");
    let published = 3;

    // The email notifier, configured as the construct would.
    verify_sender(&sdk, "reports@example.com").await;
    let channel =
        json!({"kind": "email", "from": "reports@example.com", "to": ["alice@example.com"]});
    let notifier_env = Environment::from_pairs([
        ("CLOUDCRON_CHANNEL", channel.to_string()),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT",
            "env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT_TEXT",
            format!("{unique} [{{{{ task }}}}] {{{{ payload.level }}}} {{{{ scheduled_time }}}}"),
        ),
        (
            "CLOUDCRON_TEMPLATE_HTML",
            "env:CLOUDCRON_TEMPLATE_HTML_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_HTML_TEXT",
            "<p>{{ payload.text }}</p>".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT",
            "env:CLOUDCRON_TEMPLATE_TEXT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT_TEXT",
            "{{ payload.text }}".to_owned(),
        ),
    ]);
    let notifier = Notifier::<Email>::from_env(&notifier_env, &sdk)
        .await
        .expect("notifier configured");

    // Lambda's event source mapping, by hand.
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut delivered = 0;
    let mut batches = Vec::new();
    for _ in 0..10 {
        let received = sqs
            .receive_message()
            .queue_url(&alerts.queue_url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .visibility_timeout(60)
            .send()
            .await
            .expect("ReceiveMessage");
        let messages = received.messages();
        if messages.is_empty() {
            break;
        }
        let event = support::event(
            messages
                .iter()
                .map(|m| lambda_record(m, &alerts.queue_arn))
                .collect(),
        );
        let response = notifier.handle(&event, None).await;
        let failed = failed_ids(&response);
        for m in messages {
            let id = m.message_id().unwrap_or_default();
            let handle = m.receipt_handle().unwrap_or_default();
            if failed.iter().any(|f| f == id) {
                // Visible again at once instead of after the visibility timeout.
                sqs.change_message_visibility()
                    .queue_url(&alerts.queue_url)
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .send()
                    .await
                    .expect("ChangeMessageVisibility");
            } else {
                delivered += 1;
                sqs.delete_message()
                    .queue_url(&alerts.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("DeleteMessage");
            }
        }
        let bodies: Vec<String> = messages
            .iter()
            .map(|m| m.body().unwrap_or_default().to_owned())
            .collect();
        batches.push((bodies, failed));
    }

    // First batch: all three; only the poisoned one reported failed.
    let (first_bodies, first_failed) = &batches[0];
    assert_eq!(first_bodies.len(), 3, "{batches:?}");
    assert_eq!(first_failed.len(), 1, "{batches:?}");
    // Then the poisoned one alone, once more (maxReceiveCount 2), then nothing.
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert_eq!(batches[1].0, [poison]);
    assert_eq!(batches[1].1.len(), 1);

    // Dead-lettered: the poisoned message, untouched.
    let dead_letters = alerts.drain_dead_letters().await;
    let dead: Vec<&str> = dead_letters.iter().filter_map(|m| m.body()).collect();
    assert_eq!(dead, [poison]);

    // One email per scheduled run.
    let mut mail = sent_mail_tagged(&endpoint, &unique).await;
    mail.sort_by_key(|m| m["subject"].as_str().unwrap_or_default().to_owned());
    let subjects: Vec<&str> = mail.iter().filter_map(|m| m["subject"].as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("{unique} [daily-report] info 2026-11-28T06:00:00Z"),
            format!("{unique} [daily-report] info 2026-11-28T07:00:00Z"),
        ]
    );
    assert_eq!(
        mail[0]["body"],
        "<p>The daily report for 2026-11-27 is ready (3 rows)</p>"
    );
    assert_eq!(
        mail[1]["destinations"]["ToAddresses"],
        json!(["alice@example.com"])
    );

    assert_eq!(delivered, mail.len());
    assert_eq!(delivered + dead.len(), published);
}

/// The ops topic path: CloudWatch publishes its alarm JSON to a standard
/// topic (an alarm cannot target a FIFO topic), SNS delivers it raw to the
/// email channel's queue, and the notifier, whose only templates are for
/// task messages, renders it with the default alarm templates: SES holds a
/// readable mail.
#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn a_cloudwatch_alarm_on_the_ops_topic_reaches_the_inbox_as_a_readable_mail() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    let unique = format!("ops-{}", std::process::id());
    let sns = aws_sdk_sns::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let Inbox {
        topic_arn,
        queue_url,
        queue_arn,
        ..
    } = Inbox::builder("ops").create(&sdk).await;

    // As CloudWatch publishes it: the alarm JSON as the message, its own subject.
    let alarm = crate::alarms::CLOUDWATCH_ALARM.replace(
        "CloudCronExample/Reports/Daily",
        &format!("{unique}/Reports/Daily"),
    );
    sns.publish()
        .topic_arn(&topic_arn)
        .subject("ALARM: \"CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P\" in EU (Ireland)")
        .message(&alarm)
        .send()
        .await
        .expect("Publish");

    verify_sender(&sdk, "cloud-cron@example.com").await;
    let channel =
        json!({"kind": "email", "from": "cloud-cron@example.com", "to": ["ops@example.com"]});
    let notifier_env = Environment::from_pairs([
        ("CLOUDCRON_CHANNEL", channel.to_string()),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT",
            "env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT_TEXT",
            "[{{ task }}] {{ payload.title }}".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT",
            "env:CLOUDCRON_TEMPLATE_TEXT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT_TEXT",
            "{{ payload.text }}".to_owned(),
        ),
    ]);
    let notifier = Notifier::<Email>::from_env(&notifier_env, &sdk)
        .await
        .expect("notifier configured");

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("ReceiveMessage");
    let messages = received.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].body().unwrap_or_default(),
        alarm,
        "raw delivery: the body is CloudWatch's JSON"
    );
    let event = support::event(
        messages
            .iter()
            .map(|m| lambda_record(m, &queue_arn))
            .collect(),
    );
    let response = notifier.handle(&event, None).await;
    assert!(failed_ids(&response).is_empty(), "{response:?}");

    let mail = sent_mail_tagged(&endpoint, &unique).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(
        mail[0]["subject"],
        format!("ALARM: {unique}/Reports/Daily (Errors)")
    );
    assert_eq!(
        mail[0]["destinations"]["ToAddresses"],
        json!(["ops@example.com"])
    );
    // moto keeps the HTML body.
    let body = mail[0]["body"].as_str().unwrap_or_default();
    for expected in [
        "<tr><th align=\"left\">State</th><td>OK &rarr; <b>ALARM</b> at 2026-12-03T06:05:27.123+0000</td></tr>",
        "reported an error (Lambda Errors &gt;= 1 in 5 minutes)",
        "<tr><th align=\"left\">Metric</th><td>AWS&#x2f;Lambda Errors FunctionName=CloudCronExample-ReportsDaily-AbC123</td></tr>",
        "<tr><th align=\"left\">Account</th><td>123456789012 (eu-west-1)</td></tr>",
        "<a href=\"https:&#x2f;&#x2f;eu-west-1.console.aws.amazon.com&#x2f;cloudwatch&#x2f;home?region=eu-west-1#alarmsV2:alarm&#x2f;CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P\">Open in the AWS console</a>",
    ] {
        assert!(body.contains(expected), "{expected} not in {body}");
    }
}
