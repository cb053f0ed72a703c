//! Authentication in each protocol's shape, the cached uid, refused credentials, `version`.

use cloud_cron_odoo::{FaultKind, OdooClient, OdooError, Protocol};
use serde_json::json;

use crate::server::*;

#[tokio::test]
async fn authenticates_once_per_client_in_each_shape() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        assert_eq!(
            odoo.authenticate().await.expect("authenticate"),
            ADMIN_UID,
            "{protocol:?}"
        );
        assert_eq!(odoo.authenticate().await.expect("cached"), ADMIN_UID);
        odoo.search_count("res.partner", &Default::default())
            .await
            .expect("count");
        let requests = server.requests().await;
        assert_eq!(
            requests,
            vec![
                auth_request(protocol, ADMIN, ADMIN_PASSWORD),
                object_request(
                    protocol,
                    "res.partner",
                    "search_count",
                    json!([[]]),
                    json!({}),
                    json!([[]])
                ),
            ],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_permanent_authentication_failure() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = OdooClient::new(server.config_for(protocol, ADMIN, "not-the-password"))
            .expect("client");
        let error = odoo
            .search_read::<serde_json::Value>(
                "res.partner",
                &Default::default(),
                &Default::default(),
            )
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, OdooError::AuthenticationFailed { database, login } if database == DB && login == ADMIN),
            "{error:?}"
        );
        assert!(!error.is_transient());
        assert_eq!(
            error.to_string(),
            "Odoo refused login \"admin\" on database \"acme\": wrong login or password, or the user is inactive"
        );
        // Nothing cached: the next call asks again, and no model call was attempted.
        assert!(odoo.authenticate().await.is_err());
        assert_eq!(
            server.requests().await,
            vec![auth_request(protocol, ADMIN, "not-the-password"); 2],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn a_password_changed_after_login_is_access_denied_and_forgets_the_uid() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        odoo.authenticate().await.expect("authenticate");
        server
            .configure(json!({"set_password": [DB, ADMIN, "rotated-password"]}))
            .await;
        let error = odoo.run_cron(5).await.expect_err("access denied");
        let fault = error.fault().expect("a fault");
        assert_eq!(
            fault.kind,
            FaultKind::AccessDenied,
            "{protocol:?}: {fault:?}"
        );
        assert_eq!(fault.message, "Access Denied");
        assert!(!error.is_transient());
        // The cached uid was dropped: the next call authenticates again (and is refused).
        let again = odoo.run_cron(5).await.expect_err("refused");
        assert!(
            matches!(again, OdooError::AuthenticationFailed { .. }),
            "{again:?}"
        );
        let methods: Vec<_> = server
            .requests()
            .await
            .iter()
            .map(|r| r["method"].clone())
            .collect();
        let (auth, exec) = match protocol {
            Protocol::XmlRpcLegacy => ("login", "execute"),
            _ => ("authenticate", "execute_kw"),
        };
        assert_eq!(
            methods,
            vec![json!(auth), json!(exec), json!(auth)],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_database_is_a_permanent_server_fault() {
    let server = OdooServer::start();
    for protocol in PROTOCOLS {
        let config = cloud_cron_odoo::OdooConfig::new(
            &server.url(),
            "nope",
            ADMIN,
            cloud_cron_odoo::SecretString::from(ADMIN_PASSWORD),
        )
        .expect("config")
        .protocol(protocol);
        let error = OdooClient::new(config)
            .expect("client")
            .authenticate()
            .await
            .expect_err("no such db");
        let fault = error.fault().expect("a fault");
        assert_eq!(fault.kind, FaultKind::Server, "{protocol:?}");
        assert!(
            fault.message.contains("database \"nope\" does not exist"),
            "{protocol:?}: {}",
            fault.message
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn version_needs_no_credentials() {
    let server = OdooServer::start();
    for protocol in PROTOCOLS {
        let version = OdooClient::new(server.config_for(protocol, ADMIN, "wrong"))
            .expect("client")
            .version()
            .await
            .expect("version");
        assert_eq!(version.server_version, "17.0");
        assert_eq!(version.server_serie, "17.0");
        assert_eq!(version.protocol_version, 1);
        assert_eq!(
            version.server_version_info,
            vec![
                json!(17),
                json!(0),
                json!(0),
                json!("final"),
                json!(0),
                json!("")
            ]
        );
    }
    assert_eq!(
        server.requests().await,
        vec![
            json!({"path": "/xmlrpc/2/common", "service": "common", "method": "version", "params": []}),
            json!({"path": "/xmlrpc/common", "service": "common", "method": "version", "params": []}),
            json!({"path": "/jsonrpc", "service": "common", "method": "version", "params": []}),
        ]
    );
}
