//! The Slack channel against a local server standing in for Slack.

use crate::http_support::*;
use cloud_cron_contract::notifier::{SlackSettings, TemplatePart};
use cloud_cron_notifiers::channels::slack::Slack;
use cloud_cron_notifiers::channels::ChannelConfigError;
use cloud_cron_notifiers::{Channel, DeliveryError};
use secrecy::SecretString;
use wiremock::ResponseTemplate;

const SECRET_PATH: &str = "/services/T0000001/B0000002/sEcReTtOkEn24chars000000";

fn slack(base: &str) -> Slack {
    let url = SecretString::from(format!("{base}{SECRET_PATH}"));
    Slack::new(SlackSettings::default(), url, reqwest::Client::new()).expect("a valid URL")
}

#[tokio::test]
async fn posts_the_body_as_json_text() {
    let server = server_answering(ResponseTemplate::new(200).set_body_string("ok")).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "*Report* ran: \"3\" items ✓\nline 2")]);
    slack(&server.uri())
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_common_headers(&request, "application/json");
    assert_eq!(request.url.path(), SECRET_PATH);
    assert_eq!(request.url.query(), None);
    assert_eq!(
        body(&request),
        r#"{"text":"*Report* ran: \"3\" items ✓\nline 2"}"#
    );
}

#[tokio::test]
async fn classifies_slack_errors() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let channel = slack(&server.uri());
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    // The secret path's token must never be quoted, even when echoed back.
    assert_error_classification(&server, &[SECRET_PATH, "sEcReTtOkEn24chars000000"], || {
        channel.deliver(delivery(&envelope, &rendered))
    })
    .await;
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_hides_the_url() {
    let channel = slack(&closed_port().await);
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    let err = channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("sEcReT"), "{err:?}");
}

#[tokio::test]
async fn a_missing_or_empty_body_is_permanent_and_sends_nothing() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let channel = slack(&server.uri());
    let envelope = envelope();
    for rendered in [rendered(&[]), rendered(&[(TemplatePart::Body, "  \n")])] {
        let err = channel
            .deliver(delivery(&envelope, &rendered))
            .await
            .unwrap_err();
        assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
        assert!(err.to_string().contains("`body`"), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn urls_are_checked_and_never_shown() {
    let channel = slack("https://hooks.slack.com");
    let shown = format!("{channel:?}");
    assert!(
        !shown.contains("sEcReT") && !shown.contains("T0000001"),
        "{shown}"
    );
    assert!(shown.contains("[REDACTED]"));

    let new = |url: &str| {
        Slack::new(
            SlackSettings::default(),
            SecretString::from(url.to_owned()),
            reqwest::Client::new(),
        )
    };
    let err = new(&format!("http://hooks.slack.com{SECRET_PATH}")).unwrap_err();
    assert!(
        matches!(err, ChannelConfigError::InsecureUrl { .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains("sEcReT"), "{err}");
    let err = new(&format!("hooks.slack.com{SECRET_PATH}")).unwrap_err();
    assert!(
        matches!(err, ChannelConfigError::InvalidUrl { .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("sEcReT"), "{err}");
    assert!(matches!(
        new("").unwrap_err(),
        ChannelConfigError::EmptySecret { .. }
    ));
}

#[tokio::test]
async fn with_the_shared_client_a_redirect_is_permanent_and_not_followed() {
    let server = server_answering(
        ResponseTemplate::new(302).insert_header("Location", "http://127.0.0.1:9/elsewhere"),
    )
    .await;
    let client = cloud_cron_notifiers::channels::http_client().expect("a client");
    let url = SecretString::from(format!("{}{SECRET_PATH}", server.uri()));
    let channel = Slack::new(SlackSettings::default(), url, client).expect("a valid URL");
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    let err = channel
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    assert!(err.to_string().contains("302"), "{err}");
    let request = only_request(&server).await;
    assert_common_headers(&request, "application/json");
}
