//! Every route, end to end through the handler.

use serde_json::json;

use crate::support::{call, create_body, event, jwt, MemoryStore};

#[tokio::test]
async fn create_get_list_reschedule_delete() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    let body = create_body(
        "invoice 7/reminder",
        "2031-03-11T14:32:00",
        json!({"invoice": 7, "lines": [1, 2]}),
    );

    let created = call(&store, &event(&acme, "POST", "/schedules", "", Some(&body))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body,
        json!({
            "key": "invoice 7/reminder",
            "at": "2031-03-11T14:32:00",
            "timeZone": "Europe/London",
            "firesAt": "2031-03-11T14:32:00Z",
            "payload": {"invoice": 7, "lines": [1, 2]}
        })
    );
    assert_eq!(
        created.headers.get("location").map(|v| v.as_bytes()),
        Some(&b"/schedules/invoice%207%2Freminder"[..])
    );

    // The key is percent-encoded in the path (`/` as %2F, space as %20).
    let path = "/schedules/invoice%207%2Freminder";
    let got = call(&store, &event(&acme, "GET", path, "", None)).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body, created.body);

    let listed = call(&store, &event(&acme, "GET", "/schedules", "", None)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!({ "schedules": [created.body] }));

    let moved = json!({"at": "2031-07-01T09:00:00", "timeZone": "Europe/London", "payload": {"invoice": 7, "final": true}});
    let put = call(&store, &event(&acme, "PUT", path, "", Some(&moved))).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["firesAt"], "2031-07-01T08:00:00Z", "BST is UTC+1");
    let got = call(&store, &event(&acme, "GET", path, "", None)).await;
    assert_eq!(got.body["at"], "2031-07-01T09:00:00");
    assert_eq!(got.body["payload"], json!({"invoice": 7, "final": true}));

    let deleted = call(&store, &event(&acme, "DELETE", path, "", None)).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_null());
    for (method, body) in [("GET", None), ("DELETE", None), ("PUT", Some(&moved))] {
        let gone = call(&store, &event(&acme, method, path, "", body)).await;
        assert_eq!(gone.status, 404, "{method}: {}", gone.body);
        assert_eq!(gone.field(), Some("key"));
        assert!(gone.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("invoice 7/reminder"));
    }
}

#[tokio::test]
async fn lists_page_by_page() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    for i in 0..5 {
        let body = create_body(&format!("k{i}"), "2031-03-11T14:32:00", json!(i));
        assert_eq!(
            call(&store, &event(&acme, "POST", "/schedules", "", Some(&body)))
                .await
                .status,
            201
        );
    }
    let mut keys = Vec::new();
    let mut query = "limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = call(&store, &event(&acme, "GET", "/schedules", &query, None)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let schedules = page.body["schedules"]
            .as_array()
            .expect("schedules")
            .clone();
        assert!(schedules.len() <= 2);
        keys.extend(
            schedules
                .iter()
                .map(|s| s["key"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        match page.body["nextToken"].as_str() {
            Some(token) => query = format!("limit=2&nextToken={token}"),
            None => break,
        }
    }
    keys.sort();
    assert_eq!(keys, ["k0", "k1", "k2", "k3", "k4"]);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn named_stages_unknown_paths_and_methods() {
    let store = MemoryStore::default();
    let acme = jwt("acme");
    // A named stage prefixes rawPath.
    let mut staged = event(&acme, "GET", "/prod/schedules", "", None);
    staged.request_context.stage = Some("prod".to_owned());
    assert_eq!(call(&store, &staged).await.status, 200);

    let unknown = call(&store, &event(&acme, "GET", "/other", "", None)).await;
    assert_eq!(unknown.status, 404);
    let slash = call(&store, &event(&acme, "GET", "/schedules/a/b", "", None)).await;
    assert_eq!(slash.status, 404);
    assert!(slash.body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("%2F"));
    let patch = call(&store, &event(&acme, "PATCH", "/schedules/a", "", None)).await;
    assert_eq!(patch.status, 405);
    assert!(patch.body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("GET, PUT, DELETE"));
    let delete_all = call(&store, &event(&acme, "DELETE", "/schedules", "", None)).await;
    assert_eq!(delete_all.status, 405);
    let bad_utf8 = call(&store, &event(&acme, "GET", "/schedules/%FF", "", None)).await;
    assert_eq!((bad_utf8.status, bad_utf8.field()), (400, Some("key")));
}

#[tokio::test]
async fn base64_bodies_are_decoded() {
    use base64::Engine;
    let store = MemoryStore::default();
    let body = create_body("b64", "2031-03-11T14:32:00", json!("hi"));
    let mut request = event(&jwt("acme"), "POST", "/schedules", "", None);
    request.body = Some(base64::engine::general_purpose::STANDARD.encode(body.to_string()));
    request.is_base64_encoded = true;
    let created = call(&store, &request).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["payload"], "hi");
}

#[tokio::test]
async fn locations_keep_unreserved_characters() {
    let store = MemoryStore::default();
    let body = create_body("a-b_c.d~e", "2031-03-11T14:32:00", json!(1));
    let created = call(
        &store,
        &event(&jwt("acme"), "POST", "/schedules", "", Some(&body)),
    )
    .await;
    assert_eq!(
        created.headers.get("location").map(|v| v.as_bytes()),
        Some(&b"/schedules/a-b_c.d~e"[..])
    );
    let got = call(
        &store,
        &event(&jwt("acme"), "GET", "/schedules/a-b_c.d~e", "", None),
    )
    .await;
    assert_eq!(got.status, 200);
}
