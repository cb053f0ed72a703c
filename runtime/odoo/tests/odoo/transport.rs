//! Timeouts, HTTP error statuses and unreachable servers: transient or permanent.

use std::time::{Duration, Instant};

use cloud_cron_odoo::{OdooClient, OdooError, Protocol};
use serde_json::json;

use crate::server::*;

#[tokio::test]
async fn a_slow_server_times_out_transiently() {
    let server = OdooServer::start();
    server.configure(json!({"delay": 3.0})).await;
    for protocol in PROTOCOLS {
        let config = server
            .config_for(protocol, ADMIN, ADMIN_PASSWORD)
            .request_timeout(Duration::from_millis(300));
        let odoo = OdooClient::new(config).expect("client");
        let started = Instant::now();
        let error = odoo.authenticate().await.expect_err("timeout");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        let OdooError::Timeout { endpoint, timeout } = &error else {
            panic!("not a timeout: {error:?}");
        };
        assert_eq!(*timeout, Duration::from_millis(300));
        assert!(endpoint.starts_with(&server.url()), "{endpoint}");
        assert!(error.is_transient());
        assert!(
            error.to_string().ends_with("did not answer within 300ms"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn http_statuses_are_classified() {
    let server = OdooServer::start();
    for protocol in PROTOCOLS {
        let odoo = server.client(protocol);
        for (status, transient) in [
            (429, true),
            (502, true),
            (503, true),
            (504, true),
            (500, false),
            (404, false),
        ] {
            server
                .configure(json!({"fail_status": status, "fail_count": 1, "retry_after": "7"}))
                .await;
            let error = odoo.version().await.expect_err("HTTP error");
            let OdooError::Http {
                status: got,
                retry_after,
                ..
            } = &error
            else {
                panic!("not an HTTP error: {error:?}");
            };
            assert_eq!(*got, status);
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
            assert_eq!(error.is_transient(), transient, "{protocol:?} {status}");
            assert!(
                error
                    .to_string()
                    .contains(&format!("answered HTTP {status} (retry after 7s)")),
                "{error}"
            );
        }
        // The outage is over: the same client goes on working.
        assert_eq!(
            odoo.version().await.expect("version").server_version,
            "17.0"
        );
    }
}

#[tokio::test]
async fn a_503_during_a_model_call_is_transient_and_the_retry_succeeds() {
    let server = OdooServer::start();
    let odoo = server.client(Protocol::XmlRpc2);
    odoo.authenticate().await.expect("authenticate");
    server
        .configure(json!({"fail_status": 503, "fail_count": 1}))
        .await;
    let error = odoo.run_cron(1).await.expect_err("503");
    assert!(
        matches!(
            error,
            OdooError::Http {
                status: 503,
                retry_after: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_transient());
    odoo.run_cron(1).await.expect("retry");
    assert_eq!(
        server.cron_calls().await,
        json!([{"cron_id": 1, "uid": ADMIN_UID}])
    );
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    cloud_cron_test_support::logs::capture();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let config = cloud_cron_odoo::OdooConfig::new(
        &format!("http://127.0.0.1:{port}"),
        DB,
        ADMIN,
        cloud_cron_odoo::SecretString::from(ADMIN_PASSWORD),
    )
    .expect("config")
    .connect_timeout(Duration::from_secs(2));
    let error = OdooClient::new(config)
        .expect("client")
        .authenticate()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, OdooError::Connect { endpoint, .. } if endpoint.ends_with("/xmlrpc/2/common")),
        "{error:?}"
    );
    assert!(error.is_transient());
}
