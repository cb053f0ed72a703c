//! Every typed helper, in each protocol: the result, the server's state, and the exact
//! requests the server recorded.

use cloud_cron_odoo::{Domain, OdooError, Protocol, SearchReadOptions};
use serde_json::{json, Map, Value};

use crate::server::*;

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Partner {
    id: i64,
    name: String,
    write_date: String,
}

/// The requests after the authentication one (checked too).
async fn calls_after_auth(server: &OdooServer, protocol: Protocol) -> Vec<Value> {
    let mut requests = server.requests().await;
    assert_eq!(
        requests.first(),
        Some(&auth_request(protocol, ADMIN, ADMIN_PASSWORD)),
        "{protocol:?}"
    );
    requests.remove(0);
    requests
}

#[tokio::test]
async fn search_count_sends_the_domain() {
    let domain = Domain::new()
        .filter("city", "=", "Fremont")
        .or(Domain::new().filter("name", "ilike", "deco"));
    let sent = json!(["|", ["city", "=", "Fremont"], ["name", "ilike", "deco"]]);
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        assert_eq!(
            odoo.search_count("res.partner", &domain)
                .await
                .expect("count"),
            3,
            "{protocol:?}"
        );
        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![object_request(
                protocol,
                "res.partner",
                "search_count",
                json!([sent]),
                json!({}),
                json!([sent])
            )]
        );
    }
}

#[tokio::test]
async fn domain_operators_select_the_expected_records() {
    let server = OdooServer::start();
    let odoo = server.client(Protocol::XmlRpc2);
    let cases = [
        (
            Domain::new().filter("write_date", ">", "2026-11-30 08:15:00"),
            vec![4],
        ),
        (
            Domain::new().filter("write_date", ">=", "2026-11-30 08:15:00"),
            vec![3, 4],
        ),
        (
            Domain::new().filter("write_date", "<", "2026-11-29 10:30:00"),
            vec![1],
        ),
        (
            Domain::new().filter("write_date", "<=", "2026-11-29 10:30:00"),
            vec![1, 2],
        ),
        (Domain::new().filter("is_company", "!=", true), vec![3]),
        (
            Domain::new().filter("id", "in", json!([1, 3, 99])),
            vec![1, 3],
        ),
        (Domain::new().filter("email", "=", false), vec![3]),
        (Domain::new().filter("name", "ilike", "FURN"), vec![4]),
        (
            Domain::new()
                .filter("city", "=", "Fremont")
                .filter("is_company", "=", true),
            vec![1],
        ),
        (
            Domain::new().filter("city", "=", "Fremont").and(
                Domain::new()
                    .filter("is_company", "=", false)
                    .or(Domain::new().filter("id", "=", 1)),
            ),
            vec![1, 3],
        ),
        (Domain::new().filter("name", "ilike", "a").negate(), vec![4]),
        (Domain::new(), vec![1, 2, 3, 4]),
    ];
    for (domain, expected) in cases {
        let ids: Vec<i64> = odoo
            .search_read::<Value>(
                "res.partner",
                &domain,
                &SearchReadOptions::default().fields(["id"]).order("id"),
            )
            .await
            .expect("search_read")
            .iter()
            .map(|record| record["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(ids, expected, "{:?}", domain.terms());
        let count = odoo
            .search_count("res.partner", &domain)
            .await
            .expect("count");
        assert_eq!(count, expected.len() as u64);
    }
}

#[tokio::test]
async fn search_read_sends_only_the_options_given() {
    let domain = Domain::new().filter("write_date", ">=", "2026-11-29 00:00:00");
    let sent = json!([["write_date", ">=", "2026-11-29 00:00:00"]]);
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        let options = SearchReadOptions::default()
            .fields(["name", "write_date"])
            .order("write_date desc")
            .limit(2)
            .offset(1);
        let page: Vec<Partner> = odoo
            .search_read("res.partner", &domain, &options)
            .await
            .expect("page");
        assert_eq!(
            page,
            vec![
                Partner {
                    id: 3,
                    name: "Brandon Freeman".into(),
                    write_date: "2026-11-30 08:15:00".into()
                },
                Partner {
                    id: 2,
                    name: "Deco Addict".into(),
                    write_date: "2026-11-29 10:30:00".into()
                },
            ],
            "{protocol:?}"
        );
        let all: Vec<Value> = odoo
            .search_read("res.partner", &domain, &SearchReadOptions::default())
            .await
            .expect("all");
        assert_eq!(all.len(), 3);
        assert_eq!(
            all[2],
            json!({"id": 4, "name": "Gemini Furniture", "email": "gemini@example.com", "is_company": true,
                   "city": "Fairfield", "write_date": "2026-12-01 12:00:00"})
        );
        assert_eq!(
            all[1]["email"],
            json!(false),
            "empty fields come back as false"
        );
        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![
                object_request(
                    protocol,
                    "res.partner",
                    "search_read",
                    json!([sent]),
                    json!({"fields": ["name", "write_date"], "offset": 1, "limit": 2, "order": "write_date desc"}),
                    json!([sent, ["name", "write_date"], 1, 2, "write_date desc"]),
                ),
                object_request(
                    protocol,
                    "res.partner",
                    "search_read",
                    json!([sent]),
                    json!({}),
                    json!([sent, false, 0, false, false]),
                ),
            ],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn read_returns_many2one_pairs() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        let orders: Vec<Value> = odoo
            .read(
                "sale.order",
                &[1, 3],
                &["name", "partner_id", "amount_total"],
            )
            .await
            .expect("read");
        assert_eq!(
            orders,
            vec![
                json!({"id": 1, "name": "S00001", "partner_id": [1, "Azure Interior"], "amount_total": 1799.0}),
                json!({"id": 3, "name": "S00003", "partner_id": [1, "Azure Interior"], "amount_total": 45.0}),
            ],
            "{protocol:?}"
        );
        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![object_request(
                protocol,
                "sale.order",
                "read",
                json!([[1, 3]]),
                json!({"fields": ["name", "partner_id", "amount_total"]}),
                json!([[1, 3], ["name", "partner_id", "amount_total"]]),
            )]
        );
    }
}

#[tokio::test]
async fn create_then_write() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        let values =
            json!({"name": "Wood Corner", "email": "wood@example.com", "is_company": true});
        let id = odoo.create("res.partner", &values).await.expect("create");
        assert_eq!(id, 5, "{protocol:?}");
        odoo.write("res.partner", &[id], &json!({"city": "London"}))
            .await
            .expect("write");

        let records = server.records("res.partner").await;
        let created = &records[4];
        assert_eq!(
            (
                &created["id"],
                &created["name"],
                &created["email"],
                &created["is_company"],
                &created["city"]
            ),
            (
                &json!(5),
                &json!("Wood Corner"),
                &json!("wood@example.com"),
                &json!(1),
                &json!("London")
            )
        );
        assert!(
            created["write_date"]
                .as_str()
                .is_some_and(|date| date.len() == 19),
            "{created}"
        );

        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![
                object_request(
                    protocol,
                    "res.partner",
                    "create",
                    json!([values]),
                    json!({}),
                    json!([values])
                ),
                object_request(
                    protocol,
                    "res.partner",
                    "write",
                    json!([[5], {"city": "London"}]),
                    json!({}),
                    json!([[5], {"city": "London"}]),
                ),
            ],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn run_cron_triggers_the_scheduled_action() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        odoo.run_cron(5).await.expect("run_cron");
        assert_eq!(
            server.cron_calls().await,
            json!([{"cron_id": 5, "uid": ADMIN_UID}]),
            "{protocol:?}"
        );
        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![object_request(
                protocol,
                "ir.cron",
                "method_direct_trigger",
                json!([[5]]),
                json!({}),
                json!([[5]])
            )]
        );
    }
}

#[tokio::test]
async fn call_passes_args_and_kwargs_through() {
    for protocol in [Protocol::XmlRpc2, Protocol::JsonRpc] {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        let mut kwargs = Map::new();
        kwargs.insert("raise_exception".into(), json!(false));
        let answer = odoo
            .call(
                "res.partner",
                "check_access_rights",
                vec![json!("write")],
                kwargs,
            )
            .await
            .expect("call");
        assert_eq!(answer, json!(true));
        assert_eq!(
            calls_after_auth(&server, protocol).await,
            vec![object_request(
                protocol,
                "res.partner",
                "check_access_rights",
                json!(["write"]),
                json!({"raise_exception": false}),
                json!(null),
            )]
        );
    }
}

#[tokio::test]
async fn odoo_7_takes_positional_arguments_only() {
    let server = OdooServer::start();
    let odoo = server.client(Protocol::XmlRpcLegacy);
    let answer = odoo
        .call(
            "res.partner",
            "check_access_rights",
            vec![json!("write"), json!(false)],
            Map::new(),
        )
        .await
        .expect("positional call");
    assert_eq!(answer, json!(true));
    let mut kwargs = Map::new();
    kwargs.insert("raise_exception".into(), json!(false));
    let error = odoo
        .call(
            "res.partner",
            "check_access_rights",
            vec![json!("write")],
            kwargs,
        )
        .await
        .expect_err("kwargs refused");
    assert!(matches!(error, OdooError::Config(_)), "{error:?}");
    assert!(
        error.to_string().contains("positional arguments only"),
        "{error}"
    );
    assert!(!error.is_transient());
    // The refused call sent nothing.
    assert_eq!(
        calls_after_auth(&server, Protocol::XmlRpcLegacy).await,
        vec![object_request(
            Protocol::XmlRpcLegacy,
            "res.partner",
            "check_access_rights",
            json!(null),
            json!(null),
            json!(["write", false]),
        )]
    );
}

#[tokio::test]
async fn a_result_of_the_wrong_shape_is_a_permanent_decode_error() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct WrongPartner {
        id: i64,
        email: String,
    }
    let server = OdooServer::start();
    let odoo = server.client(Protocol::XmlRpc2);
    let error = odoo
        .search_read::<WrongPartner>(
            "res.partner",
            &Domain::new(),
            &SearchReadOptions::default().fields(["email"]),
        )
        .await
        .expect_err("Brandon has no email: false is not a string");
    assert!(
        matches!(&error, OdooError::Decode { model, method, .. } if model == "res.partner" && method == "search_read"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("invalid type: boolean `false`, expected a string"),
        "{error}"
    );
    assert!(!error.is_transient());
}
