//! Alarm messages through the processor: a CloudWatch alarm notification in
//! the exact shape CloudWatch publishes to SNS (`fixtures/cloudwatch-alarm.json`,
//! the format of the AWS documentation's sample, with the description
//! cfn-gen writes) and a watchdog finding (`fixtures/watchdog-finding.json`),
//! rendered with each channel kind's default alarm templates.

use crate::support::{event, failed_ids, record, Recording};
use cloud_cron_contract::notifier::{ChannelKind, TemplatePart};
use cloud_cron_notifiers::processor::{Outcome, ProcessError};
use cloud_cron_notifiers::{Notifier, Rendered, Templates};

pub const CLOUDWATCH_ALARM: &str = include_str!("fixtures/cloudwatch-alarm.json");
pub const WATCHDOG_FINDING: &str = include_str!("fixtures/watchdog-finding.json");

fn task_templates() -> Templates {
    Templates::compile([(TemplatePart::Body, "{{ payload.text }}")]).expect("compiles")
}

/// Each message rendered by a notifier of `kind` with the default alarm templates.
async fn rendered(kind: ChannelKind) -> (Rendered, Rendered) {
    let notifier = Notifier::new(Recording::default(), task_templates())
        .with_alarm_templates(Templates::default_alarm(kind).expect("defaults compile"));
    let report = notifier
        .process(
            &event(vec![
                record("alarm", CLOUDWATCH_ALARM, None),
                record("finding", WATCHDOG_FINDING, None),
            ]),
            None,
        )
        .await;
    assert_eq!(report.delivered(), 2, "{report:?}");
    let delivered = notifier.channel().delivered.lock().expect("lock").clone();
    (delivered[0].1.clone(), delivered[1].1.clone())
}

fn part(r: &Rendered, p: TemplatePart) -> &str {
    r.get(p).unwrap_or("<none>")
}

#[tokio::test]
async fn the_email_defaults_render_an_alarm_and_a_finding() {
    let (alarm, finding) = rendered(ChannelKind::Email).await;
    assert_eq!(
        part(&alarm, TemplatePart::Subject),
        r##"ALARM: CloudCronExample/Reports/Daily (Errors)"##
    );
    assert_eq!(
        part(&alarm, TemplatePart::Html),
        r##"<h2>ALARM: CloudCronExample&#x2f;Reports&#x2f;Daily (Errors)</h2>
<p>CloudCronExample&#x2f;Reports&#x2f;Daily: scheduled task&#x27;s function reported an error (Lambda Errors &gt;= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task&#x27;s dead-letter queue. Read the function&#x27;s CloudWatch Logs, fix the cause, and redrive the dead-letter queue.</p>
<table>
<tr><th align="left">State</th><td>OK &rarr; <b>ALARM</b> at 2026-12-03T06:05:27.123+0000</td></tr>
<tr><th align="left">Reason</th><td>Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03&#x2f;12&#x2f;26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).</td></tr>
<tr><th align="left">Alarm</th><td>CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P</td></tr>
<tr><th align="left">Metric</th><td>AWS&#x2f;Lambda Errors FunctionName=CloudCronExample-ReportsDaily-AbC123</td></tr>
<tr><th align="left">Account</th><td>123456789012 (eu-west-1)</td></tr>
</table>
<p><a href="https:&#x2f;&#x2f;eu-west-1.console.aws.amazon.com&#x2f;cloudwatch&#x2f;home?region=eu-west-1#alarmsV2:alarm&#x2f;CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P">Open in the AWS console</a></p>"##
    );
    assert_eq!(
        part(&alarm, TemplatePart::Text),
        r##"ALARM: CloudCronExample/Reports/Daily (Errors)

CloudCronExample/Reports/Daily: scheduled task's function reported an error (Lambda Errors >= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task's dead-letter queue. Read the function's CloudWatch Logs, fix the cause, and redrive the dead-letter queue.

State:     OK -> ALARM at 2026-12-03T06:05:27.123+0000
Reason:    Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).
Alarm:     CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P
Metric:    AWS/Lambda Errors FunctionName=CloudCronExample-ReportsDaily-AbC123
Account:   123456789012 (eu-west-1)

Open in the AWS console: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Subject),
        r##"Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London)"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Html),
        r##"<h2>Missed run: CloudCronExample&#x2f;Jobs&#x2f;NightlySync at 2027-03-29T09:00:00+01:00 (Europe&#x2f;London)</h2>
<p>no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler&#x27;s dead-letter queue and the function&#x27;s Throttles metric</p>
<table>
<tr><th align="left">Job</th><td>CloudCronExample&#x2f;Jobs&#x2f;NightlySync</td></tr>
<tr><th align="left">Function</th><td>CloudCronExample-JobsNightlySync-9XyZ</td></tr>
<tr><th align="left">Schedule</th><td>cron(0 9 ? * MON-FRI *) (Europe&#x2f;London)</td></tr>
<tr><th align="left">Expected</th><td>2027-03-29T09:00:00+01:00</td></tr>
<tr><th align="left">Checked</th><td>2027-03-29T08:15:00Z</td></tr>
</table>
<p><a href="https:&#x2f;&#x2f;eu-west-1.console.aws.amazon.com&#x2f;lambda&#x2f;home?region=eu-west-1#&#x2f;functions&#x2f;CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring">Open in the AWS console</a></p>"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Text),
        r##"Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London)

no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler's dead-letter queue and the function's Throttles metric

Job:       CloudCronExample/Jobs/NightlySync
Function:  CloudCronExample-JobsNightlySync-9XyZ
Schedule:  cron(0 9 ? * MON-FRI *) (Europe/London)
Expected:  2027-03-29T09:00:00+01:00
Checked:   2027-03-29T08:15:00Z

Open in the AWS console: https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring"##
    );
}

#[tokio::test]
async fn the_sms_defaults_render_an_alarm_and_a_finding() {
    let (alarm, finding) = rendered(ChannelKind::Sms).await;
    assert_eq!(
        part(&alarm, TemplatePart::Body),
        r##"ALARM: CloudCronExample/Reports/Daily (Errors). Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition). https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Body),
        r##"Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London). no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke... https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring"##
    );
}

#[tokio::test]
async fn the_slack_defaults_render_an_alarm_and_a_finding() {
    let (alarm, finding) = rendered(ChannelKind::Slack).await;
    assert_eq!(
        part(&alarm, TemplatePart::Body),
        r##":rotating_light: *ALARM: CloudCronExample/Reports/Daily (Errors)*
CloudCronExample/Reports/Daily: scheduled task's function reported an error (Lambda Errors >= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task's dead-letter queue. Read the function's CloudWatch Logs, fix the cause, and redrive the dead-letter queue.
*Reason:* Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).
*State:* OK → ALARM at 2026-12-03T06:05:27.123+0000 (eu-west-1, account 123456789012)
<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P|Open in the AWS console>"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Body),
        r##":rotating_light: *Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London)*
no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler's dead-letter queue and the function's Throttles metric
Job `CloudCronExample/Jobs/NightlySync`, schedule `cron(0 9 ? * MON-FRI *)` (Europe/London), expected 2027-03-29T09:00:00+01:00
<https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring|Open in the AWS console>"##
    );
}

#[tokio::test]
async fn the_teams_defaults_render_an_alarm_and_a_finding() {
    let (alarm, finding) = rendered(ChannelKind::Teams).await;
    assert_eq!(
        part(&alarm, TemplatePart::Body),
        r##"CloudCronExample/Reports/Daily: scheduled task's function reported an error (Lambda Errors >= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task's dead-letter queue. Read the function's CloudWatch Logs, fix the cause, and redrive the dead-letter queue.

- **Reason:** Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).
- **State:** OK → ALARM at 2026-12-03T06:05:27.123+0000
- **Account:** 123456789012 (eu-west-1)

[Open in the AWS console](https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P)"##
    );
    assert_eq!(
        part(&alarm, TemplatePart::Title),
        r##"ALARM: CloudCronExample/Reports/Daily (Errors)"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Body),
        r##"no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler's dead-letter queue and the function's Throttles metric

- **Job:** CloudCronExample/Jobs/NightlySync
- **Schedule:** cron(0 9 ? * MON-FRI *) (Europe/London)
- **Expected:** 2027-03-29T09:00:00+01:00

[Open in the AWS console](https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring)"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Title),
        r##"Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London)"##
    );
}

#[tokio::test]
async fn the_webhook_defaults_render_an_alarm_and_a_finding() {
    let (alarm, finding) = rendered(ChannelKind::Webhook).await;
    assert_eq!(
        part(&alarm, TemplatePart::Body),
        r##"{"alarm":{"account":"123456789012","console_url":"https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P","description":"CloudCronExample/Reports/Daily: scheduled task\u0027s function reported an error (Lambda Errors \u003e= 1 in 5 minutes): a run failed. Lambda retries it, then sends the event to the task\u0027s dead-letter queue. Read the function\u0027s CloudWatch Logs, fix the cause, and redrive the dead-letter queue.","dimensions":{"FunctionName":"CloudCronExample-ReportsDaily-AbC123"},"is_ok":false,"metric":"AWS/Lambda Errors","name":"CloudCronExample-ReportsDailyErrorsAlarm-1K2L3M4N5O6P","previous_state":"OK","reason":"Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 06:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -\u003e ALARM transition).","region":"eu-west-1","state":"ALARM","task":"CloudCronExample/Reports/Daily","time":"2026-12-03T06:05:27.123+0000","title":"ALARM: CloudCronExample/Reports/Daily (Errors)"},"finding":null,"source":"cloudwatch"}"##
    );
    assert_eq!(
        part(&finding, TemplatePart::Body),
        r##"{"alarm":{"account":"","console_url":"https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring","description":"","dimensions":{"FunctionName":"CloudCronExample-JobsNightlySync-9XyZ"},"is_ok":false,"metric":"","name":"Missed run: CloudCronExample/Jobs/NightlySync","previous_state":"","reason":"no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler\u0027s dead-letter queue and the function\u0027s Throttles metric","region":"eu-west-1","state":"ALARM","task":"CloudCronExample/Jobs/NightlySync","time":"2027-03-29T09:00:00+01:00","title":"Missed run: CloudCronExample/Jobs/NightlySync at 2027-03-29T09:00:00+01:00 (Europe/London)"},"finding":{"checked_at":"2027-03-29T08:15:00Z","console_url":"https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/CloudCronExample-JobsNightlySync-9XyZ?tab=monitoring","detail":"no invocation of CloudCronExample-JobsNightlySync-9XyZ between 2027-03-29 09:00 BST and 2027-03-29 09:15 BST (grace 900 s): check that the schedule is enabled and exists, that its role may invoke the function, the Scheduler\u0027s dead-letter queue and the function\u0027s Throttles metric","expected_local":"2027-03-29T09:00:00+01:00","expected_utc":"2027-03-29T08:00:00Z","expression":"cron(0 9 ? * MON-FRI *)","function":"CloudCronExample-JobsNightlySync-9XyZ","id":"cf49a4c852371926a365c1522829168c8280edc720fe18198f9bb449f96bc3b5","job":"CloudCronExample/Jobs/NightlySync","kind":"missed","observed_local":"","observed_utc":"","time_zone":"Europe/London"},"source":"watchdog"}"##
    );
    for body in [&alarm, &finding] {
        let json: serde_json::Value =
            serde_json::from_str(part(body, TemplatePart::Body)).expect("the body is JSON");
        assert!(json["alarm"]["title"].is_string(), "{json}");
    }
}

#[tokio::test]
async fn alarm_messages_are_delivered_once_under_a_stable_id() {
    let notifier = Notifier::new(Recording::default(), task_templates())
        .with_alarm_templates(Templates::default_alarm(ChannelKind::Sms).expect("defaults"));
    // SNS and SQS deliver at least once: the copy is recognised.
    let report = notifier
        .process(
            &event(vec![
                record("a1", CLOUDWATCH_ALARM, None),
                record("a2", CLOUDWATCH_ALARM, None),
                record("f1", WATCHDOG_FINDING, None),
            ]),
            None,
        )
        .await;
    assert_eq!((report.delivered(), report.duplicates()), (2, 1));
    let ids = notifier.channel().delivered_ids();
    assert_eq!(ids.len(), 2);
    assert_eq!(
        ids[1], "cf49a4c852371926a365c1522829168c8280edc720fe18198f9bb449f96bc3b5",
        "a finding is delivered under its own id"
    );
    assert_eq!(
        ids[0].len(),
        64,
        "a hex SHA-256 of the alarm's state change"
    );
}

#[tokio::test]
async fn unknown_kinds_and_missing_alarm_templates_fail_permanently_with_a_clear_error() {
    let plain = Notifier::new(Recording::default(), task_templates());
    let report = plain
        .process(
            &event(vec![
                record("alarm", CLOUDWATCH_ALARM, None),
                record(
                    "other",
                    r#"{"detail-type":"Scheduled Event","name":"Jane"}"#,
                    None,
                ),
                record(
                    "finding-v2",
                    &WATCHDOG_FINDING.replace(r#""version":1"#, r#""version":2"#),
                    None,
                ),
            ]),
            None,
        )
        .await;
    assert_eq!(
        failed_ids(&report.response()),
        ["alarm", "other", "finding-v2"]
    );
    let errors: Vec<String> = report
        .records
        .iter()
        .map(|r| match &r.outcome {
            Outcome::Failed(e) => {
                assert!(!e.is_transient(), "{e}");
                e.to_string()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(matches!(
        report.records[0].outcome,
        Outcome::Failed(ProcessError::NoAlarmTemplates)
    ));
    assert!(errors[0].contains("with_alarm_templates"), "{}", errors[0]);
    assert!(
        errors[1].contains("neither a CloudWatch alarm notification")
            && !errors[1].contains("Jane"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains("watchdog finding version 2 is not supported"),
        "{}",
        errors[2]
    );
}

#[tokio::test]
async fn a_users_alarm_template_replaces_the_default() {
    let mine = Templates::compile_for(
        cloud_cron_templates::MessageKind::Alarm,
        [(
            TemplatePart::Body,
            "{{ source }}: {{ alarm.state }} {{ alarm.task }}{% if finding is defined %} ({{ finding.kind }}){% endif %}",
        )],
    )
    .expect("compiles");
    let notifier = Notifier::new(Recording::default(), task_templates()).with_alarm_templates(mine);
    notifier
        .process(
            &event(vec![
                record("alarm", CLOUDWATCH_ALARM, None),
                record("finding", WATCHDOG_FINDING, None),
            ]),
            None,
        )
        .await;
    let delivered = notifier.channel().delivered.lock().expect("lock").clone();
    let bodies: Vec<&str> = delivered
        .iter()
        .map(|(_, r)| part(r, TemplatePart::Body))
        .collect();
    assert_eq!(
        bodies,
        [
            "cloudwatch: ALARM CloudCronExample/Reports/Daily",
            "watchdog: ALARM CloudCronExample/Jobs/NightlySync (missed)"
        ]
    );
}

fn email_env(extra: &[(&str, &str)]) -> cloud_cron_runtime::Environment {
    let mut pairs: Vec<(String, String)> = vec![
        (
            "CLOUDCRON_CHANNEL".into(),
            r#"{"kind":"email","from":"me@example.com","to":["ops@example.com"]}"#.into(),
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT".into(),
            "env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT".into(),
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT_TEXT".into(),
            "{{ task }}".into(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT".into(),
            "env:CLOUDCRON_TEMPLATE_TEXT_TEXT".into(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT_TEXT".into(),
            "{{ payload.text }}".into(),
        ),
    ];
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    cloud_cron_runtime::Environment::from_pairs(pairs)
}

fn offline_sdk() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build()
}

#[tokio::test]
async fn the_environment_chooses_the_alarm_templates() {
    use cloud_cron_notifiers::channels::email::Email;
    use cloud_cron_notifiers::ConfigError;

    // None set: the kind's defaults.
    let notifier = Notifier::<Email>::from_env(&email_env(&[]), &offline_sdk())
        .await
        .expect("configured");
    let parts: Vec<TemplatePart> = notifier
        .alarm_templates()
        .expect("alarm templates")
        .parts()
        .collect();
    assert_eq!(
        parts,
        [
            TemplatePart::Subject,
            TemplatePart::Html,
            TemplatePart::Text
        ]
    );

    // The channel's own, exactly those.
    let notifier = Notifier::<Email>::from_env(
        &email_env(&[
            (
                "CLOUDCRON_TEMPLATE_ALARM_SUBJECT",
                "env:CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT",
            ),
            (
                "CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT",
                "[{{ alarm.state }}] {{ alarm.task }}",
            ),
            (
                "CLOUDCRON_TEMPLATE_ALARM_TEXT",
                "env:CLOUDCRON_TEMPLATE_ALARM_TEXT_TEXT",
            ),
            ("CLOUDCRON_TEMPLATE_ALARM_TEXT_TEXT", "{{ alarm.reason }}"),
        ]),
        &offline_sdk(),
    )
    .await
    .expect("configured");
    let templates = notifier.alarm_templates().expect("alarm templates");
    assert_eq!(
        templates.parts().collect::<Vec<_>>(),
        [TemplatePart::Subject, TemplatePart::Text]
    );
    let Ok(cloud_cron_notifiers::message::Message::Alarm(alarm)) =
        cloud_cron_notifiers::message::parse_message(CLOUDWATCH_ALARM)
    else {
        panic!("an alarm")
    };
    let rendered = templates.render_alarm(&alarm).expect("renders");
    assert_eq!(
        rendered.get(TemplatePart::Subject),
        Some("[ALARM] CloudCronExample/Reports/Daily")
    );

    // A part the kind lacks, or an incomplete set, names the variable to fix.
    let err = Notifier::<Email>::from_env(
        &email_env(&[
            ("CLOUDCRON_TEMPLATE_ALARM_SUBJECT", "env:X"),
            ("CLOUDCRON_TEMPLATE_ALARM_TEXT", "env:X"),
            ("CLOUDCRON_TEMPLATE_ALARM_BODY", "env:X"),
        ]),
        &offline_sdk(),
    )
    .await
    .expect_err("email has no body part");
    assert!(
        matches!(&err, ConfigError::TemplateUnexpected { var, .. } if var == "CLOUDCRON_TEMPLATE_ALARM_BODY"),
        "{err}"
    );
    let err = Notifier::<Email>::from_env(
        &email_env(&[
            (
                "CLOUDCRON_TEMPLATE_ALARM_SUBJECT",
                "env:CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT",
            ),
            ("CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT", "{{ alarm.title }}"),
        ]),
        &offline_sdk(),
    )
    .await
    .expect_err("no alarm body");
    assert!(
        err.to_string().contains("CLOUDCRON_TEMPLATE_ALARM_TEXT"),
        "{err}"
    );
    // A syntax error in an alarm template names its variable.
    let err = Notifier::<Email>::from_env(
        &email_env(&[
            (
                "CLOUDCRON_TEMPLATE_ALARM_SUBJECT",
                "env:CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT",
            ),
            ("CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT", "{{ alarm.title"),
            (
                "CLOUDCRON_TEMPLATE_ALARM_TEXT",
                "env:CLOUDCRON_TEMPLATE_ALARM_TEXT_TEXT",
            ),
            ("CLOUDCRON_TEMPLATE_ALARM_TEXT_TEXT", "{{ alarm.reason }}"),
        ]),
        &offline_sdk(),
    )
    .await
    .expect_err("syntax");
    assert!(
        err.to_string()
            .starts_with("CLOUDCRON_TEMPLATE_ALARM_SUBJECT:"),
        "{err}"
    );
}
