//! The email notifier against moto's SES v2 (`CLOUDCRON_MOTO_SES_ENDPOINT`,
//! a moto server without Lambda functions so `/moto-api/data.json` works):
//! configuration from the contract's environment, the mail SES records,
//! and how SES failures are classified.

use crate::support;

use crate::support::{
    envelope, event, failed_ids, record, sdk_config, sent_mail_tagged, verify_sender,
};
use cloud_cron_notifiers::channels::email::Email;
use cloud_cron_notifiers::processor::{Outcome, ProcessError};
use cloud_cron_notifiers::{ConfigError, Notifier};
use cloud_cron_runtime::Environment;
use serde_json::json;

fn email_env(from: &str, tag: &str, html: bool) -> Environment {
    let channel = json!({
        "kind": "email",
        "from": from,
        "to": ["alice@example.com"],
        "cc": ["carol@example.com"],
        "bcc": ["audit@example.com"],
        "replyTo": ["ops@example.com"],
    })
    .to_string();
    let mut pairs = vec![
        ("CLOUDCRON_CHANNEL".to_owned(), channel),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT".to_owned(),
            "env:CLOUDCRON_TEMPLATE_SUBJECT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_SUBJECT_TEXT".to_owned(),
            format!("{tag} [{{{{ task }}}}] {{{{ payload.title }}}}\n"),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT".to_owned(),
            "env:CLOUDCRON_TEMPLATE_TEXT_TEXT".to_owned(),
        ),
        (
            "CLOUDCRON_TEMPLATE_TEXT_TEXT".to_owned(),
            "{{ payload.title }} at {{ scheduled_time }}".to_owned(),
        ),
    ];
    if html {
        pairs.push((
            "CLOUDCRON_TEMPLATE_HTML".to_owned(),
            "env:CLOUDCRON_TEMPLATE_HTML_TEXT".to_owned(),
        ));
        pairs.push((
            "CLOUDCRON_TEMPLATE_HTML_TEXT".to_owned(),
            "<h1>{{ payload.title }}</h1><p>{{ id }}</p>".to_owned(),
        ));
    }
    Environment::from_pairs(pairs)
}

fn message_body(title: &str) -> (String, String) {
    let e = envelope("2026-11-28T06:00:00Z", 0, json!({ "title": title }));
    (e.id.clone(), serde_json::to_string(&e).expect("JSON"))
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn html_and_text_mail_reaches_ses_as_rendered() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    verify_sender(&sdk, "reports@example.com").await;
    let tag = format!("html-{}", std::process::id());
    let notifier = Notifier::<Email>::from_env(&email_env("reports@example.com", &tag, true), &sdk)
        .await
        .expect("configured");
    let (id, body) = message_body("Q3 <R&D> report");
    let response = notifier
        .handle(
            &event(vec![record("m1", &body, Some("daily-report"))]),
            None,
        )
        .await;
    assert!(failed_ids(&response).is_empty(), "{response:?}");

    let sent = sent_mail_tagged(&endpoint, &tag).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mail = &sent[0];
    // The subject template's trailing newline is gone; no escaping outside HTML.
    assert_eq!(
        mail["subject"],
        format!("{tag} [daily-report] Q3 <R&D> report")
    );
    assert_eq!(
        mail["body"],
        format!("<h1>Q3 &lt;R&amp;D&gt; report</h1><p>{id}</p>"),
        "moto keeps the HTML body when there is one"
    );
    assert_eq!(mail["source"], "reports@example.com");
    assert_eq!(
        mail["destinations"]["ToAddresses"],
        json!(["alice@example.com"])
    );
    assert_eq!(
        mail["destinations"]["CcAddresses"],
        json!(["carol@example.com"])
    );
    assert_eq!(
        mail["destinations"]["BccAddresses"],
        json!(["audit@example.com"])
    );
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn text_only_mail_is_sent_unescaped() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    verify_sender(&sdk, "reports@example.com").await;
    let tag = format!("text-{}", std::process::id());
    let notifier =
        Notifier::<Email>::from_env(&email_env("reports@example.com", &tag, false), &sdk)
            .await
            .expect("configured");
    let (_, body) = message_body("Tom & Jerry <3");
    let response = notifier
        .handle(&event(vec![record("m1", &body, None)]), None)
        .await;
    assert!(failed_ids(&response).is_empty(), "{response:?}");
    let sent = sent_mail_tagged(&endpoint, &tag).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["body"], "Tom & Jerry <3 at 2026-11-28T06:00:00Z");
}

#[tokio::test]
#[ignore = "needs the SES moto server: run scripts/test"]
async fn an_unverified_sender_is_a_permanent_failure() {
    let endpoint = support::moto_ses_endpoint();
    let sdk = sdk_config(&endpoint).await;
    let tag = format!("unverified-{}", std::process::id());
    let notifier = Notifier::<Email>::from_env(
        &email_env(
            &format!("nobody-{}@unverified.example", std::process::id()),
            &tag,
            true,
        ),
        &sdk,
    )
    .await
    .expect("configured");
    let (_, body) = message_body("never sent");
    let report = notifier
        .process(&event(vec![record("m1", &body, None)]), None)
        .await;
    assert_eq!(failed_ids(&report.response()), ["m1"]);
    match &report.records[0].outcome {
        Outcome::Failed(e @ ProcessError::Delivery(_)) => {
            assert!(!e.is_transient(), "{e}");
            assert!(e.to_string().contains("MessageRejected"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(sent_mail_tagged(&endpoint, &tag).await.is_empty());
}

#[tokio::test]
async fn an_unreachable_ses_is_a_transient_failure() {
    // Nothing listens on port 9 of the loopback interface.
    let sdk = sdk_config("http://127.0.0.1:9").await;
    let notifier = Notifier::<Email>::from_env(&email_env("reports@example.com", "x", true), &sdk)
        .await
        .expect("configured");
    let (_, body) = message_body("unreachable");
    let report = notifier
        .process(&event(vec![record("m1", &body, None)]), None)
        .await;
    match &report.records[0].outcome {
        Outcome::Failed(e) => assert!(e.is_transient(), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn configuration_errors_name_what_to_fix() {
    let sdk = sdk_config("http://127.0.0.1:9").await;
    let base = email_env("reports@example.com", "x", true);
    let with = |changes: &[(&str, Option<&str>)]| {
        let mut pairs: Vec<(String, String)> = [
            "CLOUDCRON_CHANNEL",
            "CLOUDCRON_TEMPLATE_SUBJECT",
            "CLOUDCRON_TEMPLATE_SUBJECT_TEXT",
            "CLOUDCRON_TEMPLATE_HTML",
            "CLOUDCRON_TEMPLATE_HTML_TEXT",
            "CLOUDCRON_TEMPLATE_TEXT",
            "CLOUDCRON_TEMPLATE_TEXT_TEXT",
        ]
        .iter()
        .filter(|k| !changes.iter().any(|(c, _)| c == *k))
        .filter_map(|k| base.get(k).map(|v| (k.to_string(), v.to_owned())))
        .collect();
        for (k, v) in changes {
            if let Some(v) = v {
                pairs.push((k.to_string(), v.to_string()));
            }
        }
        Environment::from_pairs(pairs)
    };
    let error = |env: Environment| {
        let sdk = sdk.clone();
        async move {
            Notifier::<Email>::from_env(&env, &sdk)
                .await
                .expect_err("a configuration error")
        }
    };

    let e = error(with(&[("CLOUDCRON_CHANNEL", None)])).await;
    assert!(matches!(e, ConfigError::ChannelMissing), "{e}");
    let e = error(with(&[("CLOUDCRON_CHANNEL", Some(r#"{"kind":"slack"}"#))])).await;
    assert_eq!(
        e.to_string(),
        "this is the email notifier but CLOUDCRON_CHANNEL configures a slack channel; deploy notifier-slack for it"
    );
    let e = error(with(&[("CLOUDCRON_CHANNEL", Some(r#"{"kind":"email"}"#))])).await;
    assert!(e.to_string().contains("missing field `from`"), "{e}");
    let e = error(with(&[("CLOUDCRON_TEMPLATE_SUBJECT", None)])).await;
    assert!(
        e.to_string().contains("set CLOUDCRON_TEMPLATE_SUBJECT"),
        "{e}"
    );
    let e = error(with(&[
        ("CLOUDCRON_TEMPLATE_HTML", None),
        ("CLOUDCRON_TEMPLATE_TEXT", None),
    ]))
    .await;
    assert!(matches!(e, ConfigError::EmailBodyMissing), "{e}");
    let e = error(with(&[("CLOUDCRON_TEMPLATE_TITLE", Some("env:X"))])).await;
    assert!(
        e.to_string().contains(
            "CLOUDCRON_TEMPLATE_TITLE is set but email channels have no `title` template"
        ),
        "{e}"
    );
    let e = error(with(&[(
        "CLOUDCRON_TEMPLATE_HTML_TEXT",
        Some("<p>{{ payload.x </p>"),
    )]))
    .await;
    assert!(
        e.to_string()
            .starts_with("CLOUDCRON_TEMPLATE_HTML: the html template has a syntax error at line 1"),
        "{e}"
    );
    let e = error(with(&[("CLOUDCRON_TEMPLATE_TEXT_TEXT", None)])).await;
    assert!(
        e.to_string()
            .contains("environment variable `CLOUDCRON_TEMPLATE_TEXT_TEXT` is not set"),
        "{e}"
    );
    let e = error(with(&[(
        "CLOUDCRON_TEMPLATE_HTML",
        Some("file:/nonexistent/alert.html"),
    )]))
    .await;
    assert!(
        e.to_string().starts_with(
            "CLOUDCRON_TEMPLATE_HTML: template source `file:/nonexistent/alert.html`: no such file"
        ),
        "{e}"
    );
    assert!(!e.is_transient());
    let e = error(with(&[(
        "CLOUDCRON_CHANNEL",
        Some(r#"{"kind":"email","from":"reports@example.com","to":["not-an-address"]}"#),
    )]))
    .await;
    assert!(
        e.to_string()
            .contains("`not-an-address` is not an email address"),
        "{e}"
    );

    // A template file bundled with the function.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("alert.html");
    std::fs::write(&path, "<b>{{ payload.title }}</b>").expect("write");
    let file = format!("file:{}", path.display());
    let notifier =
        Notifier::<Email>::from_env(&with(&[("CLOUDCRON_TEMPLATE_HTML", Some(&file))]), &sdk)
            .await
            .expect("configured from a file");
    let rendered = notifier
        .templates()
        .render(&envelope(
            "2026-11-28T06:00:00Z",
            0,
            json!({ "title": "a<b" }),
        ))
        .expect("renders");
    assert_eq!(
        rendered.get(cloud_cron_contract::notifier::TemplatePart::Html),
        Some("<b>a&lt;b</b>")
    );
}
