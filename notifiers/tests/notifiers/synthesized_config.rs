//! The contract end to end: the environment `cfn-gen` writes for the
//! reference stack's email channel is exactly what the notifier loads, and
//! its templates render the example task's alert.

use crate::support;

use cloud_cron_contract::notifier::{ChannelConfig, ChannelKind, TemplatePart};
use cloud_cron_notifiers::template_source::TemplateLoader;
use cloud_cron_notifiers::NotifierConfig;
use cloud_cron_runtime::Environment;
use serde_json::json;

/// The literal environment variables of the function of channel `channel`
/// in stack `stack`.
fn function_env(stack: &str, channel: &str) -> Vec<(String, String)> {
    let synthesis = cloud_cron_stacks::app()
        .synth()
        .expect("the examples are valid");
    let stack = synthesis
        .stacks
        .into_iter()
        .find(|s| s.name == stack)
        .expect("stack");
    let t = stack.template.to_json();
    let (_, function) = t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .find(|(id, r)| {
            id.starts_with(&format!("{channel}Function"))
                && r["Type"] == "AWS::Serverless::Function"
        })
        .expect("the channel's function");
    function["Properties"]["Environment"]["Variables"]
        .as_object()
        .expect("variables")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("literal values only").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_reference_email_channel_loads_and_renders_the_example_alert() {
    let env = Environment::from_pairs(function_env("CloudCronExample", "AlertEmail"));
    // Offline: an email channel has no secrets and its templates are inline.
    let sdk = support::sdk_config("http://127.0.0.1:9").await;
    let loader = TemplateLoader::from_sdk_config(&sdk);
    let config = NotifierConfig::load(ChannelKind::Email, &env, &sdk, &loader)
        .await
        .expect("what synth writes is what the notifier reads");
    let ChannelConfig::Email(email) = &config.channel else {
        panic!("an email channel");
    };
    assert_eq!(email.from, "me@example.com");
    assert_eq!(email.to, ["alice@example.com", "bob@example.com"]);

    let envelope = support::envelope(
        "2026-11-28T06:00:00Z",
        0,
        json!({"level": "warning", "text": "Disk <almost> full"}),
    );
    let rendered = config.templates.render(&envelope).expect("renders");
    assert_eq!(
        rendered.get(TemplatePart::Subject),
        Some("[daily-report] WARNING: Disk <almost> full")
    );
    let html = rendered.get(TemplatePart::Html).expect("html body");
    assert!(html.contains("<p>Disk &lt;almost&gt; full</p>"), "{html}");
    let text = rendered.get(TemplatePart::Text).expect("text body");
    assert!(text.starts_with("WARNING: Disk <almost> full"), "{text}");
}
