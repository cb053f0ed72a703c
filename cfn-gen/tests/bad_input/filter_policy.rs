use cfn_gen::{NotificationChannel, Stack, Topic};
use serde_json::{json, Value};

use super::*;

fn channel(s: &Stack, policy: Value) {
    let topic = Topic::standard(s, "Alerts");
    NotificationChannel::email(s, "Mail", &topic)
        .image(IMAGE)
        .from("me@example.com")
        .to(["alice@example.com"])
        .subject("{{ task }}")
        .text("{{ payload.text }}")
        .filter(policy);
}

#[test]
fn a_bare_value_is_wrapped_in_an_array() {
    let bad = app_with(|s| channel(s, json!({"level": "error"})));
    let p = with(&bad, "filter policy");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Mail");
    assert!(p[0].message.contains("`level`"));
    assert!(p[0].fix.contains("\"level\": [\"error\"]"));
    let fixed = app_with(|s| channel(s, json!({"level": ["error"]})));
    assert!(fixed.synth().is_ok());
}

#[test]
fn a_reversed_numeric_range_and_too_many_keys() {
    let bad = app_with(|s| channel(s, json!({"n": [{"numeric": ["<", 10, ">", 1]}]})));
    let p = with(&bad, "filter policy");
    assert!(p[0].fix.contains("[\">=\", 1, \"<=\", 10]"), "{p:#?}");
    let fixed = app_with(|s| channel(s, json!({"n": [{"numeric": [">=", 1, "<=", 10]}]})));
    assert!(fixed.synth().is_ok());

    let six = json!({"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]});
    let p = with(&app_with(|s| channel(s, six)), "6 keys");
    assert!(p[0].fix.contains("at most 5 keys"));
    let five = json!({"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"]});
    assert!(app_with(|s| channel(s, five)).synth().is_ok());
}
