//! Invalid requests: 400 (413 for size) with a JSON problem naming the field.

use cloud_cron_scheduler::MAX_INPUT_BYTES;
use cloud_cron_scheduler_api::ApiSettings;
use serde_json::{json, Value};

use crate::support::{call, call_with, event, jwt, MemoryStore};

async fn post(store: &MemoryStore, body: Value) -> (i64, Option<String>, String) {
    let answer = call(
        store,
        &event(&jwt("acme"), "POST", "/schedules", "", Some(&body)),
    )
    .await;
    (
        answer.status,
        answer.field().map(str::to_owned),
        answer.body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn each_bad_field_is_named() {
    let store = MemoryStore::default();
    let good = json!({"key": "k", "at": "2031-03-11T14:32:00", "timeZone": "Europe/London", "payload": {}});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().map(|o| o.remove(field));
        body
    };
    let cases = [
        (with("key", json!("")), "key", "empty"),
        (with("key", json!("x".repeat(257))), "key", "257 characters"),
        (with("key", json!("a\nb")), "key", "control character"),
        (with("key", json!(7)), "key", "must be a string"),
        (without("key"), "key", "missing"),
        (
            with("at", json!("2031-03-11 14:32")),
            "at",
            "yyyy-mm-ddThh:mm:ss",
        ),
        (
            with("at", json!("2031-03-11T14:32:00+01:00")),
            "at",
            "without offset",
        ),
        (
            with("at", json!("2031-02-30T14:32:00")),
            "at",
            "not a real date",
        ),
        (
            with("at", json!("2020-03-11T14:32:00")),
            "at",
            "not in the future",
        ),
        (
            with("at", json!("2031-03-30T01:30:00")),
            "at",
            "does not exist",
        ),
        (without("at"), "at", "missing"),
        (
            with("timeZone", json!("Mars/Olympus")),
            "timeZone",
            "unknown time zone",
        ),
        (
            with("timeZone", json!("europe/london")),
            "timeZone",
            "case-sensitive",
        ),
        (with("timeZone", json!("")), "timeZone", "IANA"),
        (without("payload"), "payload", "missing"),
        (
            with("tenant", json!("other")),
            "tenant",
            "unknown field `tenant`",
        ),
    ];
    for (body, field, text) in cases {
        let (status, named, error) = post(&store, body.clone()).await;
        assert_eq!(status, 400, "{body}: {error}");
        assert_eq!(named.as_deref(), Some(field), "{body}: {error}");
        assert!(error.contains(text), "{body}: `{error}` lacks `{text}`");
    }
    assert!(
        store.keys_seen().iter().all(|k| k == "acme/k"),
        "only valid keys reach the store"
    );
}

#[tokio::test]
async fn bodies_that_are_not_objects() {
    let store = MemoryStore::default();
    for (raw, text) in [("", "no body"), ("{", "not JSON"), ("[1]", "JSON object")] {
        let mut request = event(&jwt("acme"), "POST", "/schedules", "", None);
        request.body = Some(raw.to_owned());
        let answer = call(&store, &request).await;
        assert_eq!(
            (answer.status, answer.field()),
            (400, Some("body")),
            "{raw}"
        );
        assert!(
            answer.body["error"]
                .as_str()
                .unwrap_or_default()
                .contains(text),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn size_limits_are_413() {
    let store = MemoryStore::default();
    // A payload over the client's input limit.
    let big = "x".repeat(MAX_INPUT_BYTES);
    let (status, field, error) = post(
        &store,
        json!({"key": "k", "at": "2031-03-11T14:32:00", "timeZone": "UTC", "payload": big}),
    )
    .await;
    assert_eq!(
        (status, field.as_deref()),
        (413, Some("payload")),
        "{error}"
    );
    assert!(error.contains(&MAX_INPUT_BYTES.to_string()), "{error}");
    // A payload that fits alone but not in its envelope: the client's check.
    let almost = "x".repeat(MAX_INPUT_BYTES - 50);
    let (status, field, error) = post(
        &store,
        json!({"key": "k", "at": "2031-03-11T14:32:00", "timeZone": "UTC", "payload": almost}),
    )
    .await;
    assert_eq!(
        (status, field.as_deref()),
        (413, Some("payload")),
        "{error}"
    );
    assert!(error.contains("schedule input"), "{error}");
    // A body over the body limit.
    let settings = ApiSettings {
        max_body_bytes: 1024,
        ..ApiSettings::default()
    };
    let body = json!({"key": "k", "at": "2031-03-11T14:32:00", "timeZone": "UTC", "payload": "y".repeat(2000)});
    let answer = call_with(
        &store,
        &settings,
        &event(&jwt("acme"), "POST", "/schedules", "", Some(&body)),
    )
    .await;
    assert_eq!((answer.status, answer.field()), (413, Some("body")));
    assert!(store.keys_seen().is_empty() || store.keys_seen() == ["acme/k"]);
}

#[tokio::test]
async fn put_bodies_and_list_parameters() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    let with_key =
        json!({"key": "k", "at": "2031-03-11T14:32:00", "timeZone": "UTC", "payload": 1});
    let answer = call(
        &store,
        &event(&acme, "PUT", "/schedules/k", "", Some(&with_key)),
    )
    .await;
    assert_eq!(
        (answer.status, answer.field()),
        (400, Some("key")),
        "the key is the path's"
    );
    for query in ["limit=0", "limit=101", "limit=ten"] {
        let answer = call(&store, &event(&acme, "GET", "/schedules", query, None)).await;
        assert_eq!(
            (answer.status, answer.field()),
            (400, Some("limit")),
            "{query}"
        );
    }
    let answer = call(
        &store,
        &event(&acme, "GET", "/schedules", "nextToken=garbage", None),
    )
    .await;
    assert_eq!((answer.status, answer.field()), (400, Some("nextToken")));
}
