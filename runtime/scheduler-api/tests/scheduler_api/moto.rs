//! The handler over the real client against moto's EventBridge Scheduler,
//! and "fire now": what the Scheduler would hand the target (the stored
//! `Target.Input`) decodes as the one-off input with the posted payload.

use cloud_cron_contract::one_off::OneOffInput;
use cloud_cron_scheduler::name::schedule_name;
use cloud_cron_scheduler::OneOffSettings;
use cloud_cron_scheduler_api::{ApiSettings, AwsScheduleStore};
use cloud_cron_test_support::{moto_endpoint, sdk_config};
use serde_json::{json, Value};

use crate::support::{call_with, create_body, event, jwt, Answer};

/// A store on moto with a schedule group of its own, and a raw client.
async fn moto_store(label: &str) -> (AwsScheduleStore, aws_sdk_scheduler::Client, String) {
    let config = sdk_config(&moto_endpoint()).await;
    let raw = aws_sdk_scheduler::Client::new(&config);
    let group = format!("{label}-{:016x}", fastrand::u64(..));
    raw.create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("create the schedule group");
    let settings = OneOffSettings::new(
        &group,
        "arn:aws:lambda:us-east-1:123456789012:function:deliver",
        "arn:aws:iam::123456789012:role/one-off-scheduler",
    );
    (AwsScheduleStore::new(&config, settings), raw, group)
}

async fn request(
    store: &AwsScheduleStore,
    tenant: &str,
    method: &str,
    path: &str,
    query: &str,
    body: Option<&Value>,
) -> Answer {
    call_with(
        store,
        &ApiSettings::default(),
        &event(&jwt(tenant), method, path, query, body),
    )
    .await
}

/// What the Scheduler delivers when the schedule of `client_key` fires
/// (the shared "fire now" helper: its stored `Target.Input` with the
/// context attributes substituted), decoded as the target decodes it.
async fn fire_now(group: &str, client_key: &str) -> OneOffInput<Value> {
    let config = sdk_config(&moto_endpoint()).await;
    let firing =
        cloud_cron_test_support::fire_now::fire_now(&config, group, &schedule_name(client_key))
            .await;
    serde_json::from_str(&firing.input(1)).expect("a one-off input")
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn every_route_through_the_real_client() {
    let (store, _raw, _group) = moto_store("api-routes").await;
    let body = create_body("invoice/7", "2031-03-11T14:32:00", json!({"invoice": 7}));
    let created = request(&store, "acme", "POST", "/schedules", "", Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let again = request(&store, "acme", "POST", "/schedules", "", Some(&body)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let other = create_body("invoice/7", "2031-03-11T14:32:00", json!({"invoice": 8}));
    let conflict = request(&store, "acme", "POST", "/schedules", "", Some(&other)).await;
    assert_eq!((conflict.status, conflict.field()), (409, Some("key")));

    let path = "/schedules/invoice%2F7";
    let got = request(&store, "acme", "GET", path, "", None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body, created.body);

    let moved = json!({"at": "2031-07-01T09:00:00", "timeZone": "Europe/London", "payload": {"invoice": 7, "final": true}});
    let put = request(&store, "acme", "PUT", path, "", Some(&moved)).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let got = request(&store, "acme", "GET", path, "", None).await;
    assert_eq!(got.body["at"], "2031-07-01T09:00:00");
    assert_eq!(got.body["firesAt"], "2031-07-01T08:00:00Z");

    assert_eq!(
        request(&store, "acme", "DELETE", path, "", None)
            .await
            .status,
        204
    );
    assert_eq!(
        request(&store, "acme", "DELETE", path, "", None)
            .await
            .status,
        404
    );
    assert_eq!(
        request(&store, "acme", "GET", path, "", None).await.status,
        404
    );
    let put_gone = request(&store, "acme", "PUT", path, "", Some(&moved)).await;
    assert_eq!(put_gone.status, 404);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn tenants_list_only_their_own_page_by_page() {
    let (store, _raw, _group) = moto_store("api-tenants").await;
    for i in 0..5 {
        let body = create_body(&format!("a-{i}"), "2031-03-11T14:32:00", json!(i));
        assert_eq!(
            request(&store, "tenant-a", "POST", "/schedules", "", Some(&body))
                .await
                .status,
            201
        );
    }
    let body = create_body("b-0", "2031-03-11T14:32:00", json!("b"));
    assert_eq!(
        request(&store, "tenant-b", "POST", "/schedules", "", Some(&body))
            .await
            .status,
        201
    );
    // A tenant whose name extends another's is another tenant.
    assert_eq!(
        request(&store, "tenant-a2", "POST", "/schedules", "", Some(&body))
            .await
            .status,
        201
    );

    let mut keys = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = request(&store, "tenant-a", "GET", "/schedules", &query, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for schedule in page.body["schedules"].as_array().expect("schedules") {
            keys.push(schedule["key"].as_str().unwrap_or_default().to_owned());
        }
        match page.body["nextToken"].as_str() {
            Some(token) => query = format!("limit=2&nextToken={token}"),
            None => break,
        }
    }
    keys.sort();
    assert_eq!(keys, ["a-0", "a-1", "a-2", "a-3", "a-4"]);

    assert_eq!(
        request(&store, "tenant-a", "GET", "/schedules/b-0", "", None)
            .await
            .status,
        404
    );
    assert_eq!(
        request(&store, "tenant-a", "DELETE", "/schedules/b-0", "", None)
            .await
            .status,
        404
    );
    assert_eq!(
        request(&store, "tenant-b", "GET", "/schedules/b-0", "", None)
            .await
            .status,
        200
    );
    let b = request(&store, "tenant-b", "GET", "/schedules", "", None).await;
    assert_eq!(b.body["schedules"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn fire_now_delivers_the_posted_payload() {
    let (store, _raw, group) = moto_store("api-fire").await;
    let payload = json!({"invoice": 7, "to": ["a@example.com"], "note": "ünïcode"});
    let body = create_body("invoice-7", "2031-03-11T14:32:00", payload.clone());
    assert_eq!(
        request(&store, "acme", "POST", "/schedules", "", Some(&body))
            .await
            .status,
        201
    );

    let input = fire_now(&group, "acme/invoice-7").await;
    assert_eq!(input.cloud_cron, 1);
    assert_eq!(input.key, "acme/invoice-7");
    assert_eq!(input.tenant.as_deref(), Some("acme"));
    assert_eq!(input.scheduled_for, "2031-03-11T14:32:00");
    assert_eq!(input.time_zone, "Europe/London");
    assert_eq!(input.payload, payload);
    // As delivered: the context attributes are the schedule's.
    assert_eq!(input.unsubstituted_field(), None);
    assert_eq!(input.scheduled_time, "2031-03-11T14:32:00Z");
    assert!(
        input.schedule_arn.ends_with(&format!(
            "schedule/{group}/{}",
            schedule_name("acme/invoice-7")
        )),
        "{}",
        input.schedule_arn
    );
}
