//! Server exceptions as Odoo sends them in each protocol (integer codes on `/xmlrpc/2`,
//! string codes on Odoo 7's `/xmlrpc`, named errors on JSON-RPC), classified.

use cloud_cron_odoo::{FaultCode, FaultKind, OdooClient, OdooError, Protocol};
use serde_json::{json, Map};

use crate::server::*;

fn code(protocol: Protocol, int: i64, legacy: &str, json_name: &str) -> FaultCode {
    match protocol {
        Protocol::XmlRpc2 => FaultCode::Int(int),
        Protocol::XmlRpcLegacy => FaultCode::Text(legacy.to_owned()),
        _ => FaultCode::Text(json_name.to_owned()),
    }
}

fn expect_fault(
    result: Result<impl std::fmt::Debug, OdooError>,
) -> (OdooError, cloud_cron_odoo::Fault) {
    let error = result.expect_err("a fault");
    let fault = error
        .fault()
        .cloned()
        .unwrap_or_else(|| panic!("not a fault: {error:?}"));
    (error, fault)
}

#[tokio::test]
async fn missing_record() {
    let message =
        "Record does not exist or has been deleted.\n(Record: res.partner(999,), User: 2)";
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let (error, fault) = expect_fault(
            server
                .client(protocol)
                .read::<serde_json::Value>("res.partner", &[999], &[])
                .await,
        );
        assert_eq!(fault.kind, FaultKind::MissingError, "{protocol:?}");
        assert_eq!(fault.message, message);
        assert_eq!(
            fault.code,
            code(
                protocol,
                2,
                &format!("warning -- MissingError\n\n{message}"),
                "odoo.exceptions.MissingError"
            )
        );
        assert_eq!(
            (fault.model.as_str(), fault.method.as_str()),
            ("res.partner", "read")
        );
        assert_eq!(
            error.to_string(),
            format!("Odoo MissingError in res.partner.read: {message}")
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn validation_error() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let (error, fault) = expect_fault(
            server
                .client(protocol)
                .create("res.partner", &json!({"name": ""}))
                .await,
        );
        // Odoo's /xmlrpc/2 and Odoo 7 report a ValidationError as a UserError (fault code 2,
        // "warning -- UserError"); only JSON-RPC names the class.
        let kind = if protocol == Protocol::JsonRpc {
            FaultKind::ValidationError
        } else {
            FaultKind::UserError
        };
        assert_eq!(fault.kind, kind, "{protocol:?}");
        assert_eq!(fault.message, "Contacts require a name");
        assert_eq!(
            fault.code,
            code(
                protocol,
                2,
                "warning -- UserError\n\nContacts require a name",
                "odoo.exceptions.ValidationError"
            )
        );
        assert!(!error.is_transient());
        assert!(server
            .records("res.partner")
            .await
            .as_array()
            .is_some_and(|rows| rows.len() == 4));
    }
}

#[tokio::test]
async fn access_error() {
    let message = "You are not allowed to read 'Sales Order' (sale.order) records.\n\n\
                   This operation is allowed for the following groups:\n\t- Administration/Settings\n\n\
                   Contact your administrator to request access if necessary.";
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let portal =
            OdooClient::new(server.config_for(protocol, PORTAL, PORTAL_PASSWORD)).expect("client");
        let (error, fault) =
            expect_fault(portal.search_count("sale.order", &Default::default()).await);
        assert_eq!(fault.kind, FaultKind::AccessError, "{protocol:?}");
        assert_eq!(fault.message, message);
        assert_eq!(
            fault.code,
            code(
                protocol,
                4,
                &format!("warning -- AccessError\n\n{message}"),
                "odoo.exceptions.AccessError"
            )
        );
        assert!(!error.is_transient());
        // Only administrators may run scheduled actions.
        let (_, fault) = expect_fault(portal.run_cron(5).await);
        assert_eq!(fault.kind, FaultKind::AccessError);
        assert_eq!(server.cron_calls().await, json!([]));
    }
}

#[tokio::test]
async fn user_error() {
    let message =
        "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.";
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let result = server
            .client(protocol)
            .call("sale.order", "unlink", vec![json!([2])], Map::new())
            .await;
        let (error, fault) = expect_fault(result);
        assert_eq!(fault.kind, FaultKind::UserError, "{protocol:?}");
        assert_eq!(fault.message, message);
        assert_eq!(
            fault.code,
            code(
                protocol,
                2,
                &format!("warning -- UserError\n\n{message}"),
                "odoo.exceptions.UserError"
            )
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn unknown_method_is_a_permanent_server_error_with_its_traceback() {
    let message = "The method 'res.partner.nope' does not exist";
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let result = server
            .client(protocol)
            .call("res.partner", "nope", vec![], Map::new())
            .await;
        let (error, fault) = expect_fault(result);
        assert_eq!(fault.kind, FaultKind::Server, "{protocol:?}");
        let expected_message = match protocol {
            Protocol::XmlRpc2 => format!("AttributeError: {message}"),
            _ => message.to_owned(),
        };
        assert_eq!(fault.message, expected_message, "{protocol:?}");
        assert_eq!(
            fault.code,
            code(protocol, 1, message, "builtins.AttributeError")
        );
        assert!(
            fault.detail.contains("Traceback (most recent call last)"),
            "{protocol:?}: {}",
            fault.detail
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn a_serialization_failure_is_transient() {
    for protocol in PROTOCOLS {
        let server = OdooServer::start();
        let odoo = server.client(protocol);
        server.configure(json!({"serialization_failures": 1})).await;
        let (error, fault) =
            expect_fault(odoo.search_count("sale.order", &Default::default()).await);
        assert_eq!(
            fault.kind,
            FaultKind::Concurrency,
            "{protocol:?}: {fault:?}"
        );
        assert!(
            fault
                .message
                .contains("could not serialize access due to concurrent update"),
            "{}",
            fault.message
        );
        assert!(error.is_transient());
        // Tried again, it goes through.
        assert_eq!(
            odoo.search_count("sale.order", &Default::default())
                .await
                .expect("retry"),
            3
        );
    }
}
