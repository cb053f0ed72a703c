//! The password never appears in an error's Display or Debug, nor in any log line, even when
//! the server echoes it back. The log check covers every test of this binary run so far.

use std::time::Duration;

use cloud_cron_odoo::{OdooClient, OdooError, Protocol};
use serde_json::{json, Map};

use crate::server::*;

fn assert_clean(error: &OdooError, secrets: &[&str]) {
    let shown = format!("{error}\n{error:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "a password leaked into {shown}");
    }
}

#[tokio::test]
async fn no_password_in_errors_or_logs() {
    let rotated = "Rotated-pa55word?";
    let wrong = "Wr0ng-pa55word";
    let secrets = [ADMIN_PASSWORD, rotated, wrong];
    let mut errors = Vec::new();
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        assert!(!format!("{odoo:?}").contains(ADMIN_PASSWORD), "{odoo:?}");

        // A server that quotes the whole request, password included, in its fault.
        let error = odoo
            .call("res.partner", "echo_params", vec![json!("x")], Map::new())
            .await
            .expect_err("fault");
        let fault = error.fault().expect("a fault");
        assert!(
            fault.message.contains("[REDACTED]"),
            "{protocol:?}: {}",
            fault.message
        );
        errors.push(error);

        errors.push(
            OdooClient::new(server.config_for(protocol, ADMIN, wrong))
                .expect("client")
                .authenticate()
                .await
                .expect_err("wrong password"),
        );

        server
            .configure(json!({"set_password": [DB, ADMIN, rotated]}))
            .await;
        errors.push(
            odoo.search_count("res.partner", &Default::default())
                .await
                .expect_err("access denied"),
        );

        server
            .configure(json!({"fail_status": 503, "fail_count": 1}))
            .await;
        errors.push(odoo.version().await.expect_err("503"));

        let slow = OdooClient::new(
            server
                .config_for(protocol, ADMIN, rotated)
                .request_timeout(Duration::from_millis(200)),
        )
        .expect("client");
        server.configure(json!({"delay": 1.0})).await;
        errors.push(slow.authenticate().await.expect_err("timeout"));
        server.configure(json!({"delay": 0.0})).await;

        if protocol == Protocol::XmlRpcLegacy {
            let mut kwargs = Map::new();
            kwargs.insert("k".into(), json!(1));
            errors.push(
                odoo.call("res.partner", "read", vec![], kwargs)
                    .await
                    .expect_err("kwargs"),
            );
        }
    }
    assert_eq!(errors.len(), 16);
    for error in &errors {
        assert_clean(error, &secrets);
    }

    // The logs of every test in this binary so far, this one's included.
    let logs = cloud_cron_test_support::logs::captured();
    assert!(
        logs.contains("odoo_rpc{model=res.partner method=echo_params}"),
        "{logs}"
    );
    assert!(logs.contains("odoo call failed"), "{logs}");
    assert!(logs.contains("odoo call succeeded"), "{logs}");
    for secret in secrets {
        assert!(
            !logs.contains(secret),
            "a password leaked into the logs:\n{logs}"
        );
    }
}
