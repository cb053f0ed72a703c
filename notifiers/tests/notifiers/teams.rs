//! The Teams channel against a local server standing in for a Workflows
//! webhook.

use crate::http_support::*;
use cloud_cron_contract::notifier::{TeamsSettings, TemplatePart};
use cloud_cron_notifiers::channels::teams::Teams;
use cloud_cron_notifiers::channels::ChannelConfigError;
use cloud_cron_notifiers::{Channel, DeliveryError};
use secrecy::SecretString;
use wiremock::ResponseTemplate;

const PATH: &str = "/workflows/0a1b2c3d/triggers/manual/paths/invoke";
const QUERY: &str = "api-version=2016-06-01&sig=SiGnAtUrE0123456789abcdef";

fn teams(base: &str) -> Teams {
    let url = SecretString::from(format!("{base}{PATH}?{QUERY}"));
    Teams::new(TeamsSettings::default(), url, reqwest::Client::new()).expect("a valid URL")
}

#[tokio::test]
async fn posts_an_adaptive_card_with_a_title() {
    let server = server_answering(ResponseTemplate::new(202)).await;
    let envelope = envelope();
    let rendered = rendered(&[
        (TemplatePart::Title, "Daily report"),
        (TemplatePart::Body, "**3** items \"ok\""),
    ]);
    teams(&server.uri())
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_common_headers(&request, "application/json");
    assert_eq!(request.url.path(), PATH);
    assert_eq!(request.url.query(), Some(QUERY));
    assert_eq!(
        body(&request),
        concat!(
            r#"{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","#,
            r#""contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","#,
            r#""type":"AdaptiveCard","version":"1.4","body":["#,
            r#"{"type":"TextBlock","text":"Daily report","weight":"Bolder","size":"Medium","wrap":true},"#,
            r#"{"type":"TextBlock","text":"**3** items \"ok\"","wrap":true}]}}]}"#
        )
    );
}

#[tokio::test]
async fn without_a_title_the_card_has_only_the_body() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let envelope = envelope();
    let channel = teams(&server.uri());
    for rendered in [
        rendered(&[(TemplatePart::Body, "just text")]),
        rendered(&[
            (TemplatePart::Title, " "),
            (TemplatePart::Body, "just text"),
        ]),
    ] {
        server.reset().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        channel
            .deliver(delivery(&envelope, &rendered))
            .await
            .unwrap();
        let request = only_request(&server).await;
        let json: serde_json::Value = request.body_json().unwrap();
        assert_eq!(
            json["attachments"][0]["content"]["body"],
            serde_json::json!([{"type": "TextBlock", "text": "just text", "wrap": true}])
        );
    }
}

#[tokio::test]
async fn classifies_teams_errors() {
    let server = server_answering(ResponseTemplate::new(202)).await;
    let channel = teams(&server.uri());
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Body, "hi")]);
    assert_error_classification(&server, &["SiGnAtUrE0123456789abcdef"], || {
        channel.deliver(delivery(&envelope, &rendered))
    })
    .await;
}

#[tokio::test]
async fn a_missing_body_is_permanent() {
    let server = server_answering(ResponseTemplate::new(202)).await;
    let envelope = envelope();
    let rendered = rendered(&[(TemplatePart::Title, "only a title")]);
    let err = teams(&server.uri())
        .deliver(delivery(&envelope, &rendered))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn the_url_is_checked_and_never_shown() {
    let shown = format!("{:?}", teams("https://prod-00.westus.logic.azure.com"));
    assert!(
        !shown.contains("SiGnAtUrE") && !shown.contains("0a1b2c3d"),
        "{shown}"
    );
    let err = Teams::new(
        TeamsSettings::default(),
        SecretString::from(format!(
            "http://prod-00.westus.logic.azure.com{PATH}?{QUERY}"
        )),
        reqwest::Client::new(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ChannelConfigError::InsecureUrl {
            what: "Teams workflow URL",
            scheme: "http".into()
        }
    );
}
