//! "Fire now", end to end on the SES moto server: one HTTP request (an API
//! Gateway v2 event into the schedules API handler, IAM caller) creates a
//! one-off schedule in moto's Scheduler; `fire_now` reads it back and
//! delivers its input to the target the way the Scheduler would, twice (an
//! at-least-once duplicate); the email notifier consumes the topic's queue;
//! SES holds exactly one mail.
//!
//! - `a_reminder_posted_over_http_is_mailed_once_when_fired_twice`: the
//!   `Reminders` stack's wiring, the schedule's target is a topic (the
//!   Scheduler publishes the one-off input itself) and the channel renders
//!   it with the stack's templates. Each copy reaches another notifier
//!   container; the dedup table makes them one delivery.
//! - `a_follow_up_task_runs_once_and_its_message_is_mailed_once`: the
//!   target is a task (a function): the runtime reads the one-off input,
//!   the task gets the payload typed (`ctx.input`), runs once (the
//!   idempotency table skips the duplicate) and publishes; one mail.

use aws_config::SdkConfig;
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use cloud_cron_notifiers::channels::email::Email;
use cloud_cron_notifiers::Notifier;
use cloud_cron_runtime::idempotency::IdempotencyStore;
use cloud_cron_runtime::{Environment, Invocation, RunContext, Runtime, Task, TaskError};
use cloud_cron_scheduler::name::schedule_name;
use cloud_cron_scheduler::OneOffSettings;
use cloud_cron_scheduler_api::tenant::{Tenant, TenantSource};
use cloud_cron_scheduler_api::{handle, ApiSettings, AwsScheduleStore};
use cloud_cron_test_support::fire_now::{fire_now, Delivered};
use cloud_cron_test_support::inbox::Inbox;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::support::{self, failed_ids, sdk_config, sent_mail_tagged, verify_sender};

const ACCOUNT: &str = "123456789012";

/// What a test wires up on moto: a standard topic with a raw SQS
/// subscription, a schedule group, and a table for delivery and run records.
struct Wiring {
    topic_arn: String,
    queue_url: String,
    queue_arn: String,
    group: String,
    table: String,
}

async fn wire(sdk: &SdkConfig, unique: &str) -> Wiring {
    let Inbox {
        topic_arn,
        queue_url,
        queue_arn,
        ..
    } = Inbox::builder("due").create(sdk).await;
    let group = unique.to_owned();
    aws_sdk_scheduler::Client::new(sdk)
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("CreateScheduleGroup");
    let table = format!("{unique}-records");
    support::idempotency_table(sdk, &table).await;
    Wiring {
        topic_arn,
        queue_url,
        queue_arn,
        group,
        table,
    }
}

/// `POST /schedules` as API Gateway hands it to the handler: payload format
/// 2.0, signed with SigV4 by an IAM principal of [`ACCOUNT`].
fn post_schedule(body: &Value) -> ApiGatewayV2httpRequest {
    serde_json::from_value(json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/schedules",
        "rawQueryString": "",
        "headers": { "content-type": "application/json" },
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "api-id",
            "authorizer": { "iam": {
                "accessKey": "ASIA0000000000EXAMPLE",
                "accountId": ACCOUNT,
                "callerId": "AIDACKCEVSQ6C2EXAMPLE",
                "cognitoIdentity": null,
                "principalOrgId": "o-abcdefghij",
                "userArn": format!("arn:aws:iam::{ACCOUNT}:user/planner"),
                "userId": "AIDACOSFODNN7EXAMPLE2"
            }},
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": { "method": "POST", "path": "/schedules", "protocol": "HTTP/1.1",
                      "sourceIp": "192.0.2.1", "userAgent": "agent" },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1583348638390_i64
        },
        "body": body.to_string(),
        "isBase64Encoded": false
    }))
    .expect("a payload format 2.0 event")
}

/// Creates the schedule of `key` through the API handler over moto, for
/// delivery to `target_arn`; returns the schedule's name.
async fn schedule_over_http(
    sdk: &SdkConfig,
    wiring: &Wiring,
    target_arn: &str,
    key: &str,
    payload: Value,
) -> String {
    let settings = OneOffSettings::new(
        &wiring.group,
        target_arn,
        format!("arn:aws:iam::{ACCOUNT}:role/one-off-delivery"),
    );
    let store = AwsScheduleStore::new(sdk, settings);
    let body = json!({
        "key": key, "at": "2031-03-11T14:32:00", "timeZone": "Europe/London", "payload": payload
    });
    let response = handle(&store, &ApiSettings::default(), &post_schedule(&body)).await;
    let answer: Value = match &response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => {
            serde_json::from_str(text).expect("a JSON body")
        }
        other => panic!("unexpected body {other:?}"),
    };
    assert_eq!(response.status_code, 201, "{answer}");
    assert_eq!(answer["firesAt"], "2031-03-11T14:32:00Z");
    let tenant = Tenant::new(ACCOUNT, TenantSource::Iam).expect("a tenant");
    schedule_name(&tenant.scoped_key(key))
}

/// The email notifier as the channel's function runs it, with the dedup table.
async fn email_notifier(
    sdk: &SdkConfig,
    table: &str,
    subject: &str,
    text: &str,
) -> Notifier<Email> {
    let channel =
        json!({"kind": "email", "from": "reminders@example.com", "to": ["team@example.com"]});
    let env = Environment::from_pairs([
        ("CLOUDCRON_CHANNEL", channel.to_string()),
        ("CLOUDCRON_DEDUP_TABLE", table.to_owned()),
        ("CLOUDCRON_TEMPLATE_SUBJECT", "env:SUBJECT_TEXT".to_owned()),
        ("SUBJECT_TEXT", subject.to_owned()),
        ("CLOUDCRON_TEMPLATE_TEXT", "env:TEXT_TEXT".to_owned()),
        ("TEXT_TEXT", text.to_owned()),
    ]);
    Notifier::<Email>::from_env(&env, sdk)
        .await
        .expect("notifier configured")
}

/// Lambda's event source mapping by hand: each received message goes to
/// the next of `containers` in turn; what succeeded is deleted. Returns
/// how many records were handled.
async fn drain(sdk: &SdkConfig, wiring: &Wiring, containers: &[Notifier<Email>]) -> usize {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut handled = 0;
    for _ in 0..10 {
        let received = sqs
            .receive_message()
            .queue_url(&wiring.queue_url)
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
        for m in messages {
            let record = json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": wiring.queue_arn,
                "awsRegion": "us-east-1",
            });
            let notifier = &containers[handled % containers.len()];
            let response = notifier.handle(&support::event(vec![record]), None).await;
            assert!(failed_ids(&response).is_empty(), "{response:?}");
            sqs.delete_message()
                .queue_url(&wiring.queue_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("DeleteMessage");
            handled += 1;
        }
    }
    handled
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn a_reminder_posted_over_http_is_mailed_once_when_fired_twice() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    let unique = format!("remind-{}", std::process::id());
    let wiring = wire(&sdk, &unique).await;
    verify_sender(&sdk, "reminders@example.com").await;

    let name = schedule_over_http(
        &sdk,
        &wiring,
        &wiring.topic_arn,
        "invoice-7",
        json!({"title": format!("{unique} invoice 7"), "text": "Send invoice 7."}),
    )
    .await;

    // Due: the Scheduler publishes the input to the topic, and once more.
    let firing = fire_now(&sdk, &wiring.group, &name).await;
    assert_eq!(firing.target_arn, wiring.topic_arn);
    assert_eq!(firing.scheduled_time, "2031-03-11T14:32:00Z");
    for attempt in [1, 2] {
        assert!(matches!(
            firing.deliver(&sdk, attempt).await,
            Delivered::Published { .. }
        ));
    }

    // The Reminders stack's email templates; two containers, one table.
    let subject =
        "Reminder: {{ payload.payload.title | default(value=payload.key) | truncate(length=80) }}";
    let text = "{{ payload.payload.text | default(value='') }}\n\nScheduled for {{ payload.scheduledFor }} ({{ payload.timeZone }}), key {{ payload.key }}.";
    let containers = [
        email_notifier(&sdk, &wiring.table, subject, text).await,
        email_notifier(&sdk, &wiring.table, subject, text).await,
    ];
    assert_eq!(
        drain(&sdk, &wiring, &containers).await,
        2,
        "both copies arrived"
    );

    let mail = sent_mail_tagged(&endpoint, &unique).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["subject"], format!("Reminder: {unique} invoice 7"));
    assert_eq!(
        mail[0]["body"],
        format!("Send invoice 7.\n\nScheduled for 2031-03-11T14:32:00 (Europe/London), key iam:{ACCOUNT}/invoice-7.")
    );
    assert_eq!(
        mail[0]["destinations"]["ToAddresses"],
        json!(["team@example.com"])
    );
}

/// The payload the follow-up schedules carry.
#[derive(Debug, Serialize, Deserialize)]
struct FollowUp {
    title: String,
    invoice: u32,
}

/// A task a one-off schedule targets: reads its payload typed and mails it.
struct FollowUpTask;

/// What it publishes.
#[derive(Debug, Serialize)]
struct Note {
    title: String,
    text: String,
}

impl Task for FollowUpTask {
    const NAME: &'static str = "follow-up";
    const TOPICS: &'static [&'static str] = &["reminders"];

    async fn run(&self, ctx: RunContext) -> Result<(), TaskError> {
        let follow_up: FollowUp = ctx.input()?;
        let key = ctx.one_off_key().unwrap_or_default().to_owned();
        ctx.send(ctx.message(
            "reminders",
            &Note {
                title: follow_up.title,
                text: format!("Invoice {} is still open ({key}).", follow_up.invoice),
            },
        )?)
        .await?;
        Ok(())
    }
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn a_follow_up_task_runs_once_and_its_message_is_mailed_once() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    let unique = format!("follow-{}", std::process::id());
    let wiring = wire(&sdk, &unique).await;
    verify_sender(&sdk, "reminders@example.com").await;
    let function_arn = format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{unique}");

    let name = schedule_over_http(
        &sdk,
        &wiring,
        &function_arn,
        "invoice-9",
        json!({"title": format!("{unique} invoice 9"), "invoice": 9}),
    )
    .await;

    // Due: the Scheduler invokes the function with the input, and once more.
    let firing = fire_now(&sdk, &wiring.group, &name).await;
    let task_env =
        Environment::from_pairs([("SNS_TOPIC_ARN_REMINDERS", wiring.topic_arn.as_str())]);
    let runs = IdempotencyStore::new(aws_sdk_dynamodb::Client::new(&sdk), &wiring.table);
    let runtime = Runtime::new(FollowUpTask, &sdk, &task_env)
        .expect("task configured")
        .with_idempotency(runs);
    let mut outcomes = Vec::new();
    for attempt in [1, 2] {
        let Delivered::Invoke(event) = firing.deliver(&sdk, attempt).await else {
            panic!("a function target is invoked");
        };
        let report = runtime
            .handle(&event, &Invocation::new(format!("req-{attempt}")))
            .await
            .expect("the run");
        assert_eq!(report.scheduled_time, "2031-03-11T14:32:00Z");
        outcomes.push(report.outcome);
    }
    assert_eq!(outcomes, ["completed", "skipped"]);

    let containers = [email_notifier(
        &sdk,
        &wiring.table,
        "{{ payload.title }}",
        "{{ payload.text }}",
    )
    .await];
    assert_eq!(drain(&sdk, &wiring, &containers).await, 1);
    let mail = sent_mail_tagged(&endpoint, &unique).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["subject"], format!("{unique} invoice 9"));
    assert_eq!(
        mail[0]["body"],
        format!("Invoice 9 is still open (iam:{ACCOUNT}/invoice-9).")
    );
}
