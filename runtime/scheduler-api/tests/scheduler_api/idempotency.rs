//! POST twice: the same schedule is 200 and changes nothing; another one
//! under the same key is 409.

use serde_json::json;

use crate::support::{call, create_body, event, jwt, MemoryStore};

#[tokio::test]
async fn the_same_post_twice_is_200_then() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    let body = create_body("once", "2031-03-11T14:32:00", json!({"n": 1}));
    let first = call(&store, &event(&acme, "POST", "/schedules", "", Some(&body))).await;
    let second = call(&store, &event(&acme, "POST", "/schedules", "", Some(&body))).await;
    assert_eq!((first.status, second.status), (201, 200));
    assert_eq!(first.body, second.body);
}

#[tokio::test]
async fn a_different_payload_or_time_is_409() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    let body = create_body("once", "2031-03-11T14:32:00", json!({"n": 1}));
    assert_eq!(
        call(&store, &event(&acme, "POST", "/schedules", "", Some(&body)))
            .await
            .status,
        201
    );
    for other in [
        create_body("once", "2031-03-11T14:32:00", json!({"n": 2})),
        create_body("once", "2031-03-11T14:33:00", json!({"n": 1})),
    ] {
        let conflict = call(
            &store,
            &event(&acme, "POST", "/schedules", "", Some(&other)),
        )
        .await;
        assert_eq!(conflict.status, 409, "{}", conflict.body);
        assert_eq!(conflict.field(), Some("key"));
        let error = conflict.body["error"].as_str().unwrap_or_default();
        assert!(error.contains("`once`") && error.contains("PUT"), "{error}");
        assert!(
            !error.contains("acme"),
            "the namespaced key stays internal: {error}"
        );
    }
    // The first one stands.
    let got = call(&store, &event(&acme, "GET", "/schedules/once", "", None)).await;
    assert_eq!(got.body["payload"], json!({"n": 1}));
}
