//! A spec using most keys gives the template of the same app written with
//! the builders, byte for byte: each key maps onto its builder method.

use std::time::Duration;

use cfn_gen::resources::iam::Statement;
use cfn_gen::{
    AttributeType, GlobalIndex, ImageRepublish, MessageTemplate, NotificationChannel, OpsTopic,
    Parameter, Projection, Schedule, ScheduledLambda, SecretRef, SlackChannel, Stack, StreamView,
    Table, TemplatePart, Topic, Value,
};
use serde_json::json;

use crate::support::repo;

const SPEC: &str = r#"
functions:
  notifiers: notifiers
  image_copier: runtime/image-copier
  watchdog: runtime/watchdog
stacks:
  Everything:
    description: every key the spec has
    region: eu-west-2
    tags: { team: erp, cost-center: "1234" }
    permissions_boundary: arn:aws:iam::123456789012:policy/Boundary
    schedule_delivery_alarm_threshold: 3
    parameters:
      SlackWorkspaceId: { description: the workspace }
      SlackChannelId: { description: the channel, default: C07EZ1ABC23 }
      Env: { allowed_values: [dev, prod], default: dev }
    alarms:
      ops_topic: Ops
      channels:
        OpsEmail:
          kind: email
          from: cloud-cron@example.com
          to: [ops@example.com]
          subject: "[cloud-cron] {{ task }}"
          text: "{{ payload | tojson }}"
          alarm_templates:
            subject: "[{{ alarm.state }}] {{ alarm.task or alarm.name }}"
            text: "{{ alarm.reason }}"
      chatbot_slack:
        OpsSlack:
          workspace_id: { parameter: SlackWorkspaceId }
          channel_id: { parameter: SlackChannelId }
          logging: info
    topics:
      Alerts: { fifo: true, content_based_deduplication: true, display_name: Alerts }
      Legacy: { arn: "arn:aws:sns:eu-west-2:123456789012:legacy" }
    tables:
      Entries:
        partition_key: { name: pk, type: string }
        sort_key: { name: sk, type: number }
        ttl: expiresAt
        global_indexes:
          byUser:
            partition_key: { name: user, type: string }
            projection: include
            include: [status]
        stream: new_and_old_images
        deletion_protection: true
    images:
      Vendor:
        repository: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor
        tag_or_digest: v2
        architecture: arm64
        refresh: "1"
      Hub:
        source_image: vendor/app:v3
        credentials: secretsmanager:registry/dockerhub
        credentials_key: arn:aws:kms:eu-west-2:123456789012:key/k2
    tasks:
      Sync:
        description: Sync the ERP
        republished_image: Vendor
        architecture: arm64
        schedule: cron(30 1 ? * MON-FRI *)
        timezone: Europe/London
        start_date: "2027-01-01T00:00:00Z"
        flexible_window_minutes: 10
        publishes_to: { alerts: Alerts, legacy: Legacy }
        jobs:
          invoices:
            schedule: cron(0 8 ? * MON-FRI *)
            timezone: Europe/London
            input: { model: account.move, args: [[5]] }
        secrets:
          ODOO_PASSWORD: ssm:/erp/odoo/password
          API_KEY: secretsmanager:erp/api-key
          SIGNING: { ref: "ssm:/erp/signing", kms_key: "arn:aws:kms:eu-west-2:123456789012:key/k1" }
        tables: { Entries: { access: read_write, env: TABLE_ENTRIES } }
        grants:
          - actions: [s3:GetObject]
            resources: ["arn:aws:s3:::erp-exports/*"]
        vpc: { subnets: [subnet-0a1b2c3d], security_groups: [sg-0a1b2c3d], behind_nat: true }
        retries:
          schedule: { attempts: 10, max_age_seconds: 3600 }
          function: { attempts: 1, max_age_seconds: 600 }
        alarms: { to: Ops, duration_percent: 90, missed_run_grace_minutes: 30 }
        idempotency: true
        timeout_seconds: 300
        memory_mb: 512
        environment: { ODOO_URL: "https://erp.example.com" }
        reserved_concurrency: 2
        log_retention_days: 90
      Cleanup:
        rust_binary: { package: stacks/example-task, binary: example-task }
        schedule: rate(1 day)
        disabled: true
        alarms: { missed_runs: false, duration_percent: 0 }
    channels:
      Texts:
        kind: sms
        topic: Alerts
        account_sid: AC00000000000000000000000000000000
        messaging_service: MG00000000000000000000000000000000
        to: ["+15550002222"]
        api_key: { sid: SK00000000000000000000000000000000, secret: ssm:/twilio/key }
        body: "{{ payload.text }}"
        batch_size: 5
        max_receive_count: 3
        maximum_concurrency: 2
      Chat:
        kind: slack
        topic: Alerts
        webhook_url: ssm:/slack/webhook
        body: { file: stacks/templates/alert.html.j2 }
        filter: { level: [error] }
        queue_age_alarm_minutes: 0
        alarm_to: Ops
      Cards:
        kind: teams
        topic: Alerts
        webhook_url: secretsmanager:teams/webhook
        title: "{{ task }}"
        body: { url: "https://templates.example.com/card.j2" }
        retention_seconds: 86400
        visibility_timeout_seconds: 300
        paused: true
      Hook:
        kind: webhook
        topic: Alerts
        url: ssm:/hook/url
        signing_key: ssm:/hook/key
        body: { s3: { bucket: my-templates, key: hook.json.j2 } }
        durable_dedup: true
"#;

/// The same app with the builders.
fn rust(app: &cfn_gen::App) {
    let root = repo("");
    let stack = Stack::new(app, "Everything")
        .description("every key the spec has")
        .region("eu-west-2");
    stack.tag("team", "erp");
    stack.tag("cost-center", "1234");
    stack.permissions_boundary("arn:aws:iam::123456789012:policy/Boundary");
    stack.schedule_delivery_alarms(Some(3));
    let workspace = stack.parameter(
        "SlackWorkspaceId",
        Parameter::string().description("the workspace"),
    );
    let channel = stack.parameter(
        "SlackChannelId",
        Parameter::string()
            .description("the channel")
            .default_value("C07EZ1ABC23"),
    );
    stack.parameter(
        "Env",
        Parameter::string()
            .default_value("dev")
            .allowed_values(["dev", "prod"]),
    );
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    NotificationChannel::email(&stack, "OpsEmail", &ops.topic())
        .from("cloud-cron@example.com")
        .to(["ops@example.com"])
        .subject("[cloud-cron] {{ task }}")
        .text("{{ payload | tojson }}")
        .alarm_template(
            TemplatePart::Subject,
            "[{{ alarm.state }}] {{ alarm.task or alarm.name }}",
        )
        .alarm_template(TemplatePart::Text, "{{ alarm.reason }}");
    SlackChannel::new(&stack, "OpsSlack")
        .workspace_id(workspace.value())
        .channel_id(channel.value())
        .logging(cfn_gen::ChatbotLogging::Info)
        .topic(&ops);
    let alerts = Topic::fifo(&stack, "Alerts")
        .content_based_deduplication()
        .display_name("Alerts");
    let legacy = Topic::from_arn(
        &stack,
        "Legacy",
        "arn:aws:sns:eu-west-2:123456789012:legacy",
    );
    let entries = Table::new(&stack, "Entries")
        .partition_key("pk", AttributeType::String)
        .sort_key("sk", AttributeType::Number)
        .ttl("expiresAt")
        .global_index(
            GlobalIndex::new("byUser")
                .partition_key("user", AttributeType::String)
                .projection(Projection::Include(vec!["status".into()])),
        )
        .stream(StreamView::NewAndOldImages)
        .deletion_protection();
    let vendor = ImageRepublish::new(&stack, "Vendor")
        .source("123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor", "v2")
        .architecture(cfn_gen::Architecture::Arm64)
        .refresh("1");
    ImageRepublish::new(&stack, "Hub")
        .source_image("vendor/app:v3")
        .credentials(SecretRef::secrets_manager("registry/dockerhub"))
        .credentials_key("arn:aws:kms:eu-west-2:123456789012:key/k2");
    let london = |e: &str| Schedule::parse(e).in_time_zone("Europe/London");
    let sync = ScheduledLambda::new(&stack, "Sync")
        .description("Sync the ERP")
        .image(&vendor)
        .schedule(london("cron(30 1 ? * MON-FRI *)"))
        .start_date("2027-01-01T00:00:00Z")
        .flexible_window(10)
        .publishes_to("alerts", &alerts)
        .publishes_to("legacy", &legacy)
        .job(
            "invoices",
            london("cron(0 8 ? * MON-FRI *)"),
            json!({"model": "account.move", "args": [[5]]}),
        )
        .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))
        .secret("API_KEY", SecretRef::secrets_manager("erp/api-key"))
        .secret_with_key(
            "SIGNING",
            SecretRef::ssm("/erp/signing"),
            "arn:aws:kms:eu-west-2:123456789012:key/k1",
        );
    entries.grant_read_write(sync.function());
    sync.function()
        .add_environment("TABLE_ENTRIES", entries.name());
    sync.grant(Statement::allow(
        ["s3:GetObject"],
        vec![Value::from("arn:aws:s3:::erp-exports/*")],
    ))
    .vpc_behind_nat(
        vec!["subnet-0a1b2c3d".to_owned()],
        vec!["sg-0a1b2c3d".to_owned()],
    )
    .schedule_retries(10, Duration::from_secs(3600))
    .function_retries(1, Duration::from_secs(600))
    .alarm_to(&ops.topic())
    .duration_alarm(Some(90))
    .expect_runs(Duration::from_secs(1800))
    .idempotency()
    .timeout(Duration::from_secs(300))
    .memory_mb(512)
    .architecture(cfn_gen::Architecture::Arm64)
    .env("ODOO_URL", "https://erp.example.com")
    .reserved_concurrency(2)
    .log_retention_days(90);
    ScheduledLambda::new(&stack, "Cleanup")
        .rust_binary(cfn_gen::RustBinary::new(
            root.join("stacks/example-task"),
            "example-task",
        ))
        .schedule(Schedule::parse("rate(1 day)"))
        .disabled()
        .duration_alarm(None)
        .no_missed_run_alarm();
    NotificationChannel::sms(&stack, "Texts", &alerts)
        .account_sid("AC00000000000000000000000000000000")
        .messaging_service("MG00000000000000000000000000000000")
        .to(["+15550002222"])
        .api_key(
            "SK00000000000000000000000000000000",
            SecretRef::ssm("/twilio/key"),
        )
        .body("{{ payload.text }}")
        .batch_size(5)
        .max_receive_count(3)
        .maximum_concurrency(2);
    NotificationChannel::slack(&stack, "Chat", &alerts)
        .webhook_url(SecretRef::ssm("/slack/webhook"))
        .body(MessageTemplate::file(
            root.join("stacks/templates/alert.html.j2"),
        ))
        .filter(json!({"level": ["error"]}))
        .queue_age_alarm(None)
        .alarm_to(&ops.topic());
    NotificationChannel::teams(&stack, "Cards", &alerts)
        .webhook_url(SecretRef::secrets_manager("teams/webhook"))
        .title("{{ task }}")
        .body(MessageTemplate::url(
            "https://templates.example.com/card.j2",
        ))
        .retention(Duration::from_secs(86400))
        .visibility_timeout(Duration::from_secs(300))
        .paused();
    NotificationChannel::webhook(&stack, "Hook", &alerts)
        .url(SecretRef::ssm("/hook/url"))
        .signing_key(SecretRef::ssm("/hook/key"))
        .body(MessageTemplate::s3("my-templates", "hook.json.j2"))
        .durable_dedup();
}

#[test]
fn a_spec_of_every_key_matches_the_builders() {
    let name = repo("cloud-cron.yaml").display().to_string();
    let loaded = cloud_cron_spec::load_str(&name, SPEC).unwrap_or_else(|e| panic!("{e}"));
    let app = cfn_gen::App::new().builtin_functions(
        cfn_gen::BuiltinFunctions::default()
            .notifiers(repo("notifiers"))
            .image_copier(repo("runtime/image-copier"))
            .watchdog(repo("runtime/watchdog")),
    );
    rust(&app);
    let from_rust = app.synth();
    let from_spec = loaded.synth(&Default::default());
    match (from_rust, from_spec) {
        (Ok(r), Ok(s)) => {
            let (r, s) = (&r.stacks[0].text, &s.synthesis.stacks[0].text);
            let first = r.lines().zip(s.lines()).position(|(a, b)| a != b);
            assert!(r == s, "templates differ from line {first:?}");
            for needle in [
                "Boundary",
                "cost-center",
                "AWS::Chatbot::SlackChannelConfiguration",
                "AWS::DynamoDB::Table",
                "Custom::ImageRepublish",
                "TABLE_ENTRIES",
                "ssm:/erp/odoo/password",
                "MaximumRetryAttempts: 10",
                "arn:aws:sns:eu-west-2:123456789012:legacy",
            ] {
                assert!(s.contains(needle), "{needle}");
            }
        }
        (Err(r), Err(s)) => {
            let r: Vec<String> = r.problems.iter().map(|p| p.message.clone()).collect();
            let s: Vec<String> = s.errors.iter().map(|e| e.message.clone()).collect();
            panic!("both failed:\nrust: {r:#?}\nspec: {s:#?}");
        }
        (r, s) => panic!("rust ok: {}, spec ok: {}", r.is_ok(), s.is_ok()),
    }
}
