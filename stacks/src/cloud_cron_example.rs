//! `CloudCronExample`: the reference architecture. A Lambda from a container
//! image runs every five minutes and publishes alerts to a FIFO topic and
//! report rows to a standard topic; alerts are emailed (SES), report rows
//! are texted (Twilio).

use cfn_gen::{
    App, MessageTemplate, NotificationChannel, Schedule, ScheduledLambda, SecretRef, Stack,
    TimeUnit, Topic,
};

/// Add the `CloudCronExample` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "CloudCronExample").description(
        "cloud-cron reference architecture: a scheduled Lambda publishing to a FIFO and a standard topic, with email and SMS channels",
    );
    crate::operators::route_alarms(&stack);
    let alerts = Topic::fifo(&stack, "Alerts");
    let reports = Topic::standard(&stack, "Reports");
    ScheduledLambda::new(&stack, "Report")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest")
        .schedule(Schedule::rate(5, TimeUnit::Minutes))
        .publishes_to("alerts", &alerts)
        .publishes_to("reports", &reports);

    NotificationChannel::email(&stack, "AlertEmail", &alerts)
        .from("me@example.com")
        .to(["alice@example.com", "bob@example.com"])
        .subject("[{{ task }}] {{ payload.level | upper }}: {{ payload.text | truncate(length=60) }}")
        .html(MessageTemplate::file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/alert.html.j2"
        )))
        .text("{{ payload.level | upper }}: {{ payload.text }}\n\nScheduled run of {{ scheduled_time }}");

    NotificationChannel::sms(&stack, "ReportSms", &reports)
        // Your Twilio account SID (not a secret); the auth token stays in SSM.
        .account_sid("AC00000000000000000000000000000000")
        .from("+15550001111")
        .to(["+15550002222"])
        .auth_token(SecretRef::ssm("/cloudcron/twilio/token"))
        .body("{{ payload.day }} {{ payload.metric }}: {{ payload.value }}");
    stack
}
