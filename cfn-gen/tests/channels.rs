//! `NotificationChannel`: what each kind emits, and every synth-time check
//! (path, message and fix).

use std::time::Duration;

use cfn_gen::{
    App, BuiltinFunctions, ImageRepublish, MessageTemplate, NotificationChannel, Problem,
    SecretRef, Stack, TemplatePart, Topic,
};
use serde_json::{json, Value};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/notifier@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
const SID: &str = "AC0123456789abcdef0123456789abcdef";

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn error_with<'a>(errors: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = errors
        .iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error containing {needle:?}, got: {errors:#?}"
    );
    found[0]
}

/// This workspace's package of notifier binaries.
const NOTIFIERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers");

fn app_with(f: impl FnOnce(&Stack, &Topic, &Topic)) -> App {
    let app = App::new().builtin_functions(BuiltinFunctions::package(NOTIFIERS));
    let stack = Stack::new(&app, "Notify");
    let fifo = Topic::fifo(&stack, "Alerts");
    let standard = Topic::standard(&stack, "Reports");
    f(&stack, &fifo, &standard);
    app
}

fn template(app: &App) -> Value {
    let synthesis = app.synth().expect("valid");
    synthesis.stacks[0].template.to_json()
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn email(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<cfn_gen::Email> {
    NotificationChannel::email(stack, id, topic)
        .image(IMAGE)
        .from("me@example.com")
        .to(["alice@example.com"])
        .subject("{{ task }}")
        .text("{{ payload.text }}")
}

#[test]
fn the_queue_follows_the_topic_and_the_wiring_is_explicit() {
    let app = app_with(|s, fifo, standard| {
        email(s, "Fifo", fifo).timeout(Duration::from_secs(20));
        email(s, "Standard", standard)
            .filter(json!({"level": ["error"]}))
            .max_receive_count(3)
            .batch_size(4);
    });
    let t = template(&app);
    let queues = of_type(&t, "AWS::SQS::Queue");
    let queue = |prefix: &str| {
        queues
            .iter()
            .find(|(id, q)| {
                id.starts_with(prefix) && q["Properties"].get("RedrivePolicy").is_some()
            })
            .map(|(_, q)| &q["Properties"])
            .expect("queue")
    };
    assert_eq!(queue("FifoQueue")["FifoQueue"], true);
    assert_eq!(queue("FifoQueue")["VisibilityTimeout"], 120, "6 x 20 s");
    assert!(queue("StandardQueue").get("FifoQueue").is_none());
    assert_eq!(
        queue("StandardQueue")["RedrivePolicy"]["maxReceiveCount"],
        3
    );
    let fifo_dlq = queues
        .iter()
        .find(|(id, _)| id.starts_with("FifoDeadLetterQueue"))
        .expect("dlq");
    assert_eq!(
        fifo_dlq.1["Properties"]["FifoQueue"], true,
        "a FIFO queue's DLQ is FIFO"
    );

    let subs = of_type(&t, "AWS::SNS::Subscription");
    assert_eq!(subs.len(), 2);
    let filtered = subs
        .iter()
        .map(|(_, s)| &s["Properties"])
        .find(|s| s.get("FilterPolicy").is_some())
        .expect("filtered subscription");
    assert_eq!(filtered["FilterPolicy"], json!({"level": ["error"]}));
    assert_eq!(filtered["FilterPolicyScope"], "MessageAttributes");
    assert_eq!(filtered["RawMessageDelivery"], true);

    let mappings = of_type(&t, "AWS::Lambda::EventSourceMapping");
    let batch: Vec<u64> = mappings
        .iter()
        .map(|(_, m)| m["Properties"]["BatchSize"].as_u64().expect("batch"))
        .collect();
    assert_eq!(batch, [10, 4]);
    // SAM's SqsSubscription shortcut is never used.
    assert!(!serde_json::to_string(&t)
        .expect("json")
        .contains("SqsSubscription"));
}

#[test]
fn secrets_are_references_with_read_rights_on_exactly_them() {
    let app = app_with(|s, _, standard| {
        NotificationChannel::sms(s, "Sms", standard)
            .image(IMAGE)
            .account_sid(SID)
            .from("+15550001111")
            .to(["+15550002222"])
            .api_key(
                "SK0123456789abcdef0123456789abcdef",
                SecretRef::secrets_manager("twilio/api-key"),
            )
            .body("{{ payload.text }}");
        NotificationChannel::webhook(s, "Hook", standard)
            .image(IMAGE)
            .url(SecretRef::ssm("/hooks/url"))
            .signing_key(SecretRef::ssm("/hooks/key"));
    });
    let t = template(&app);
    let text = serde_json::to_string(&t).expect("json");
    assert!(text.contains("secretsmanager:twilio/api-key"));
    assert!(text.contains(
        "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:twilio/api-key-??????"
    ));
    assert!(text.contains(
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/hooks/url"
    ));
    assert!(text.contains(
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/hooks/key"
    ));
    assert!(text.contains(r#"\"signed\":true"#));
}

#[test]
fn ses_rights_cover_the_sender_and_the_configuration_set() {
    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo)
            .from("Ops <ops@mail.example.com>")
            .configuration_set("alerts");
    });
    let text = serde_json::to_string(&template(&app)).expect("json");
    for arn in [
        "identity/ops@mail.example.com",
        "identity/mail.example.com",
        "configuration-set/alerts",
    ] {
        assert!(text.contains(arn), "{arn}");
    }
}

#[test]
fn large_templates_move_to_ssm_parameters_and_huge_ones_are_errors() {
    let big = format!("{{{{ payload.text }}}}{}", "x".repeat(5_000));
    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo).html(big.as_str());
    });
    let t = template(&app);
    let params = of_type(&t, "AWS::SSM::Parameter");
    assert_eq!(params.len(), 1);
    let p = &params[0].1["Properties"];
    assert_eq!(p["Tier"], "Advanced");
    assert_eq!(p["Type"], "String");
    let text = serde_json::to_string(&t).expect("json");
    assert!(text.contains("ssm:/cloudcron/${AWS::StackName}/"), "{text}");
    assert!(
        text.contains("CLOUDCRON_TEMPLATE_TEXT_TEXT"),
        "small parts stay inline"
    );

    let huge = "y".repeat(9_000);
    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo).html(huge.as_str());
    });
    let errs = errors(&app);
    let e = error_with(&errs, "html template is 9000 bytes");
    assert_eq!(e.path, "Notify/Mail");
    assert!(e.fix.contains("MessageTemplate::s3"));
}

#[test]
fn alarm_templates_ship_beside_the_others_and_are_checked_with_the_alarm_context() {
    let big = format!("{{{{ alarm.reason }}}}{}", "x".repeat(5_000));
    let app = app_with(|s, _, reports| {
        email(s, "Mail", reports)
            .alarm_template(
                TemplatePart::Subject,
                "[{{ alarm.state }}] {{ alarm.task }}",
            )
            .alarm_template(TemplatePart::Html, big.as_str());
    });
    let t = template(&app);
    let text = serde_json::to_string(&t).expect("json");
    for expected in [
        r#""CLOUDCRON_TEMPLATE_ALARM_SUBJECT":"env:CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT""#,
        r#""CLOUDCRON_TEMPLATE_ALARM_SUBJECT_TEXT":"[{{ alarm.state }}] {{ alarm.task }}""#,
        r#""CLOUDCRON_TEMPLATE_SUBJECT":"env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT""#,
        r#""Description":"The alarm html template of Notify/Mail""#,
        r#"/alarm-html"}"#,
        r#""CLOUDCRON_TEMPLATE_ALARM_HTML":{"Fn::Sub":"ssm:/cloudcron/${AWS::StackName}/Mail"#,
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    let params = of_type(&t, "AWS::SSM::Parameter");
    assert_eq!(params.len(), 1);
    assert!(
        params[0].0.starts_with("MailAlarmHtmlTemplate"),
        "{}",
        params[0].0
    );

    // Task variables in an alarm template, a part the kind lacks, a missing body.
    let app = app_with(|s, _, reports| {
        email(s, "Mail", reports)
            .alarm_template(TemplatePart::Subject, "{{ payload.AlarmName }}")
            .alarm_template(TemplatePart::Body, "{{ alarm.title }}");
    });
    let errs = errors(&app);
    let e = error_with(&errs, "the alarm subject template (given inline)");
    assert!(e.message.contains("`payload`"), "{}", e.message);
    assert!(e.fix.contains("alarm, finding, source"), "{}", e.fix);
    assert_eq!(e.path, "Notify/Mail");
    let e = error_with(&errs, "has no body part");
    assert!(
        e.fix
            .contains("TemplatePart::Subject, TemplatePart::Html, TemplatePart::Text"),
        "{}",
        e.fix
    );
    let e = error_with(&errs, "alarm templates replace the defaults but lack");
    assert!(
        e.message
            .contains("TemplatePart::Text or TemplatePart::Html"),
        "{}",
        e.message
    );
}

#[test]
fn template_syntax_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("alert.html.j2");
    std::fs::write(&file, "<p>\n{% if payload.x %}\n{{ payload.x }}\n").expect("write");
    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo).html(MessageTemplate::file(&file));
    });
    let errs = errors(&app);
    let e = error_with(&errs, "does not compile");
    assert!(
        e.message.contains(&file.display().to_string()),
        "{}",
        e.message
    );
    assert!(e.message.contains("line"), "{}", e.message);
    assert_eq!(e.path, "Notify/Mail");

    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo).html(MessageTemplate::file(dir.path().join("missing.j2")));
    });
    assert!(
        error_with(&errors(&app), "cannot read the html template file")
            .fix
            .contains("CARGO_MANIFEST_DIR")
    );
}

#[test]
fn channel_specific_checks() {
    let app = app_with(|s, fifo, standard| {
        NotificationChannel::email(s, "Mail", fifo)
            .image(IMAGE)
            .from("me@localhost")
            .to(["alice@example.com", "bob"])
            .configuration_set("bad set")
            .subject("x");
        NotificationChannel::sms(s, "Sms", standard)
            .image(IMAGE)
            .account_sid("AC123")
            .from("555-0001")
            .to(["+15550002222", "+0123"])
            .body(MessageTemplate::url("http://example.com/t.j2"));
        NotificationChannel::slack(s, "Slack", standard).image(IMAGE);
    });
    let errs = errors(&app);
    assert!(error_with(&errs, "sender `me@localhost`")
        .fix
        .contains("verified SES identity"));
    assert_eq!(error_with(&errs, "recipient `bob`").path, "Notify/Mail");
    assert!(error_with(&errs, "configuration set `bad set`")
        .fix
        .contains("configuration set"));
    assert!(error_with(&errs, "neither an HTML nor a text body")
        .fix
        .contains(".html("));
    assert!(error_with(&errs, "account SID `AC123`")
        .fix
        .contains(".account_sid"));
    assert!(error_with(&errs, "sender `555-0001` is not an E.164")
        .fix
        .contains("+15550001111"));
    assert!(error_with(&errs, "recipient `+0123`").path == "Notify/Sms");
    assert!(
        error_with(&errs, "the sms channel has no twilio credential secret")
            .fix
            .contains(".auth_token(SecretRef::ssm")
    );
    assert!(error_with(&errs, "is not https://").fix.contains("HTTPS"));
    assert_eq!(
        error_with(&errs, "the slack channel has no body template").path,
        "Notify/Slack"
    );
    assert!(
        error_with(&errs, "the slack channel has no webhook url secret")
            .fix
            .contains("SecureString")
    );
}

#[test]
fn queue_and_mapping_limits() {
    let app = app_with(|s, fifo, _| {
        email(s, "Mail", fifo)
            .timeout(Duration::from_secs(60))
            .visibility_timeout(Duration::from_secs(120))
            .batch_size(11)
            .max_receive_count(0)
            .maximum_concurrency(1)
            .filter(json!(["level"]))
            .env("CLOUDCRON_CHANNEL", "x");
    });
    let errs = errors(&app);
    assert!(
        error_with(&errs, "visibility timeout of 120 s is under 6 times")
            .fix
            .contains("360 s")
    );
    assert!(error_with(&errs, "batch size 11").fix.contains("FIFO"));
    assert!(error_with(&errs, "max receive count 0")
        .fix
        .contains(".max_receive_count()"));
    assert!(error_with(&errs, "maximum concurrency 1")
        .fix
        .contains("2 to 1,000"));
    assert!(error_with(&errs, "filter policy is not a JSON object")
        .fix
        .contains("json!"));
    assert!(error_with(&errs, "CLOUDCRON_CHANNEL uses the prefix reserved").path == "Notify/Mail");
}

#[test]
fn the_default_notifier_is_the_binary_for_the_kind_in_the_apps_functions_package() {
    let app = App::new();
    let stack = Stack::new(&app, "Notify");
    let topic = Topic::standard(&stack, "Reports");
    NotificationChannel::slack(&stack, "Slack", &topic)
        .webhook_url(SecretRef::ssm("/slack/url"))
        .body("{{ payload.text }}");
    // Set after the channel exists: the setting is read at synth.
    let app = app.builtin_functions(BuiltinFunctions::package("/work/functions"));
    // Whether or not the binary exists yet, the function is a cargo-lambda build of it.
    let template = app.stacks()[0].template_with(&cfn_gen::SynthContext::new(
        std::path::Path::new("/work/out"),
    ));
    let t = template.to_json();
    let (_, f) = of_type(&t, "AWS::Serverless::Function")[0];
    assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda");
    assert_eq!(f["Metadata"]["BuildProperties"]["Binary"], "notifier-slack");
    assert_eq!(f["Properties"]["Runtime"], "provided.al2023");
    assert_eq!(f["Properties"]["CodeUri"], "../functions");
}

#[test]
fn without_a_functions_package_each_construct_that_needs_one_says_how_to_add_it() {
    let app = App::new();
    let stack = Stack::new(&app, "Notify");
    let topic = Topic::standard(&stack, "Reports");
    NotificationChannel::slack(&stack, "Slack", &topic)
        .webhook_url(SecretRef::ssm("/slack/url"))
        .body("{{ payload.text }}");
    NotificationChannel::sms(&stack, "Sms", &topic)
        .account_sid(SID)
        .from("+15550001111")
        .to(["+15550002222"])
        .auth_token(SecretRef::ssm("/twilio/token"))
        .body("{{ payload.text }}");
    // Its own code: needs no package.
    NotificationChannel::slack(&stack, "Own", &topic)
        .image(IMAGE)
        .webhook_url(SecretRef::ssm("/slack/url"))
        .body("{{ payload.text }}");
    ImageRepublish::new(&stack, "Vendor").source(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/vendor",
        "sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
    );
    let errs = errors(&app);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    let slack = error_with(&errs, "(binary `notifier-slack`)");
    assert_eq!(slack.path, "Notify/Slack");
    assert!(slack.message.contains("the app does not say which package"));
    assert!(slack.fix.contains("src/bin/notifier-slack.rs is `fn main() -> Result<(), cloud_cron_notifiers::bin::Error> { cloud_cron_notifiers::bin::slack() }`"), "{}", slack.fix);
    assert!(slack.fix.contains("App::new().builtin_functions(BuiltinFunctions::package(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../functions\")))"), "{}", slack.fix);
    assert_eq!(
        error_with(&errs, "(binary `notifier-sms`)").path,
        "Notify/Sms"
    );
    let copier = error_with(&errs, "(binary `image-copier`)");
    assert_eq!(copier.path, "Notify/Vendor");
    assert!(copier.fix.contains("cloud_cron_image_copier::bin::main()"));

    // A package that lacks the binary is named, with the file to add.
    let app = app.builtin_functions(BuiltinFunctions::package(NOTIFIERS));
    let errs = errors(&app);
    let copier = error_with(&errs, "has no binary `image-copier`");
    assert_eq!(copier.path, "Notify/Vendor");
    assert!(copier.fix.contains("add src/bin/image-copier.rs"));
    assert_eq!(errs.len(), 1, "the notifiers are found: {errs:#?}");
}
