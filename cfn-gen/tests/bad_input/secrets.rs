use super::*;

#[test]
fn a_webhook_url_in_an_env_var_is_named_but_never_shown() {
    let hook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";
    let bad = app_with(|s| {
        job(s, "Report").env("ALERT_TARGET", hook);
    });
    let p = with(&bad, "Slack webhook URL");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Report");
    assert!(!format!("{}", p[0]).contains("hooks.slack.com"));
    // The fix: an SSM parameter name instead of the value.
    let fixed = app_with(|s| {
        job(s, "Report").env("ALERT_TARGET", "/myapp/slack-webhook");
    });
    assert!(fixed.synth().is_ok());
}

#[test]
fn connection_strings_and_tokens_under_harmless_names() {
    for value in [
        "postgres://app:hunter2@db.internal:5432/app",
        "AKIAIOSFODNN7EXAMPLE",
        "sk_live_abcdefghijklmnop1234",
    ] {
        let bad = app_with(|s| {
            job(s, "Report").env("SETTING", value);
        });
        let p = with(&bad, "looks like");
        assert_eq!(p.len(), 1, "{value}: {p:#?}");
        assert!(!p[0].message.contains(value));
        assert!(p[0].fix.contains("SSM Parameter Store"));
    }
    let fixed = app_with(|s| {
        job(s, "Report").env("SETTING", "postgres://db.internal:5432/app");
    });
    assert!(fixed.synth().is_ok());
}

#[test]
fn a_webhook_url_where_its_parameter_name_belongs() {
    use cfn_gen::{NotificationChannel, SecretRef, Topic};
    let slack = |reference: &str| {
        let reference = reference.to_string();
        app_with(move |s| {
            let topic = Topic::standard(s, "Alerts");
            NotificationChannel::slack(s, "Slack", &topic)
                .image(IMAGE)
                .webhook_url(SecretRef::ssm(reference))
                .body("{{ payload.text }}");
        })
    };
    let hook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";
    let p = with(&slack(hook), "looks like a Slack webhook URL");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Slack");
    assert!(problems(&slack(hook))
        .iter()
        .all(|p| !p.to_string().contains("hooks.slack.com")));
    assert!(p[0].fix.contains("SecretRef::ssm(\"/path/name\")"));
    assert!(slack("/path/name").synth().is_ok());
}

#[test]
fn a_secret_in_a_tag_value_is_not_echoed() {
    let value = "postgres://app:hunter2@db.internal:5432/app";
    let bad = app_with(|s| {
        s.tag("database", value);
        job(s, "Report");
    });
    let p = with(&bad, "connection string with a password");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs");
    assert!(!p[0].to_string().contains("hunter2"));
    assert!(
        p[0].fix
            .contains("stack.tag(\"database\", \"/app/database\")"),
        "{}",
        p[0].fix
    );
    let fixed = app_with(|s| {
        s.tag("database", "/app/database");
        job(s, "Report");
    });
    assert!(fixed.synth().is_ok());
}
