//! The tenant comes from the authorizer only, and a caller only ever sees
//! or changes its own tenant's schedules.

use cloud_cron_scheduler_api::{ApiSettings, IamTenant};
use serde_json::json;

use crate::support::{call, call_with, create_body, event, jwt, Caller, MemoryStore};

#[tokio::test]
async fn no_authorizer_context_is_401() {
    let store = MemoryStore::default();
    let body = create_body("k", "2031-03-11T14:32:00", json!(1));
    for (method, path, body) in [
        ("POST", "/schedules", Some(&body)),
        ("GET", "/schedules", None),
        ("GET", "/schedules/k", None),
        ("DELETE", "/schedules/k", None),
    ] {
        let answer = call(&store, &event(&Caller::Anonymous, method, path, "", body)).await;
        assert_eq!(answer.status, 401, "{method} {path}");
        assert!(answer.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("authorizer"));
    }
    assert!(store.keys_seen().is_empty(), "nothing reached the store");
}

#[tokio::test]
async fn a_token_without_the_tenant_claim_is_403() {
    let store = MemoryStore::default();
    let caller = Caller::Jwt(json!({"sub": "someone"}));
    let answer = call(&store, &event(&caller, "GET", "/schedules", "", None)).await;
    assert_eq!(answer.status, 403);
    assert!(answer.body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("`tenant` claim"));
    let blank = call(&store, &event(&jwt(" "), "GET", "/schedules", "", None)).await;
    assert_eq!(blank.status, 403);
}

#[tokio::test]
async fn the_claim_name_is_configurable() {
    let store = MemoryStore::default();
    let settings = ApiSettings {
        tenant_claim: "custom:org".to_owned(),
        ..ApiSettings::default()
    };
    let caller = Caller::Jwt(json!({"tenant": "ignored", "custom:org": "globex"}));
    let body = create_body("k", "2031-03-11T14:32:00", json!(1));
    let created = call_with(
        &store,
        &settings,
        &event(&caller, "POST", "/schedules", "", Some(&body)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(store.keys_seen(), ["globex/k"]);
}

#[tokio::test]
async fn iam_callers_are_tenants_by_account_or_principal() {
    let store = MemoryStore::default();
    let caller = Caller::Iam {
        account: "111122223333",
    };
    let body = create_body("k", "2031-03-11T14:32:00", json!(1));
    let created = call(
        &store,
        &event(&caller, "POST", "/schedules", "", Some(&body)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let by_arn = ApiSettings {
        iam_tenant: IamTenant::UserArn,
        ..ApiSettings::default()
    };
    let got = call_with(
        &store,
        &by_arn,
        &event(&caller, "GET", "/schedules/k", "", None),
    )
    .await;
    assert_eq!(
        got.status, 404,
        "the user ARN is another tenant than the account"
    );
    assert_eq!(
        store.keys_seen(),
        [
            "iam:111122223333/k",
            "iam:arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2Fexample-user/k"
        ]
    );
    // A JWT tenant equal to the account id is not the IAM tenant.
    let impostor = call(
        &store,
        &event(&jwt("111122223333"), "GET", "/schedules/k", "", None),
    )
    .await;
    assert_eq!(impostor.status, 404);
    let forged = call(
        &store,
        &event(&jwt("iam:111122223333"), "GET", "/schedules/k", "", None),
    )
    .await;
    assert_eq!(forged.status, 404);
}

#[tokio::test]
async fn tenant_a_cannot_reach_tenant_b() {
    let store = MemoryStore::default();
    let (a, b) = (jwt("tenant-a"), jwt("tenant-b"));
    let body = create_body("shared-name", "2031-03-11T14:32:00", json!({"owner": "b"}));
    assert_eq!(
        call(&store, &event(&b, "POST", "/schedules", "", Some(&body)))
            .await
            .status,
        201
    );

    let get = call(
        &store,
        &event(&a, "GET", "/schedules/shared-name", "", None),
    )
    .await;
    assert_eq!(get.status, 404);
    let list = call(&store, &event(&a, "GET", "/schedules", "", None)).await;
    assert_eq!(list.body, json!({"schedules": []}));
    let delete = call(
        &store,
        &event(&a, "DELETE", "/schedules/shared-name", "", None),
    )
    .await;
    assert_eq!(delete.status, 404);
    let moved = json!({"at": "2031-04-01T00:00:00", "timeZone": "UTC", "payload": {"owner": "a"}});
    let put = call(
        &store,
        &event(&a, "PUT", "/schedules/shared-name", "", Some(&moved)),
    )
    .await;
    assert_eq!(put.status, 404);
    // A's own schedule of the same key is a different one.
    let own = create_body("shared-name", "2031-03-11T14:32:00", json!({"owner": "a"}));
    assert_eq!(
        call(&store, &event(&a, "POST", "/schedules", "", Some(&own)))
            .await
            .status,
        201
    );
    // A slash in a tenant or key cannot climb into another namespace:
    // tenant "tenant-b/x"'s key is not tenant-b's key "x/...".
    let climber = jwt("tenant-b/shared-name");
    let climb = call(
        &store,
        &event(&climber, "GET", "/schedules/shared-name", "", None),
    )
    .await;
    assert_eq!(climb.status, 404);

    let b_view = call(
        &store,
        &event(&b, "GET", "/schedules/shared-name", "", None),
    )
    .await;
    assert_eq!(
        b_view.body["payload"],
        json!({"owner": "b"}),
        "B's schedule is untouched"
    );
    let b_list = call(&store, &event(&b, "GET", "/schedules", "", None)).await;
    assert_eq!(b_list.body["schedules"].as_array().map(Vec::len), Some(1));
    for key in store.keys_seen() {
        assert!(
            key.starts_with("tenant-a/")
                || key.starts_with("tenant-b/")
                || key.starts_with("tenant-b%2Fshared-name/"),
            "{key}"
        );
    }
}

#[tokio::test]
async fn a_page_token_is_only_good_for_its_tenant() {
    let store = MemoryStore::default();
    let (a, b) = (jwt("tenant-a"), jwt("tenant-b"));
    for i in 0..3 {
        let body = create_body(&format!("k{i}"), "2031-03-11T14:32:00", json!(i));
        call(&store, &event(&b, "POST", "/schedules", "", Some(&body))).await;
    }
    let page = call(&store, &event(&b, "GET", "/schedules", "limit=1", None)).await;
    let token = page.body["nextToken"]
        .as_str()
        .expect("more pages")
        .to_owned();
    let stolen = call(
        &store,
        &event(&a, "GET", "/schedules", &format!("nextToken={token}"), None),
    )
    .await;
    assert_eq!((stolen.status, stolen.field()), (400, Some("nextToken")));
}
