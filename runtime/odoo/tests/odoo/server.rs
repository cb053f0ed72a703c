//! The Odoo stand-in (`tests/odoo_server.py`, started by cloud-cron-test-support) with the
//! calls these tests make to it, and what it recorded.

use cloud_cron_odoo::{OdooClient, OdooConfig, Protocol, SecretString};
use cloud_cron_test_support::odoo_server::OdooStandIn;
pub use cloud_cron_test_support::odoo_server::{ADMIN, ADMIN_PASSWORD, DB};
use serde_json::{json, Value};

pub const ADMIN_UID: i64 = 2;
pub const PORTAL: &str = "portal";
pub const PORTAL_PASSWORD: &str = "portal-pw-0987";

pub const PROTOCOLS: [Protocol; 3] = [Protocol::XmlRpc2, Protocol::XmlRpcLegacy, Protocol::JsonRpc];

/// A running stand-in server; killed on drop (and exits by itself when the tests end, as it
/// watches its stdin).
pub struct OdooServer {
    stand_in: OdooStandIn,
    http: reqwest::Client,
}

impl OdooServer {
    pub fn start() -> OdooServer {
        cloud_cron_test_support::logs::capture();
        OdooServer {
            stand_in: OdooStandIn::start(),
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self) -> String {
        self.stand_in.url()
    }

    pub fn config_for(&self, protocol: Protocol, login: &str, password: &str) -> OdooConfig {
        OdooConfig::new(&self.url(), DB, login, SecretString::from(password))
            .expect("valid config")
            .protocol(protocol)
    }

    pub fn client(&self, protocol: Protocol) -> OdooClient {
        OdooClient::new(self.config_for(protocol, ADMIN, ADMIN_PASSWORD)).expect("client")
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url()))
            .send()
            .await
            .expect("control request")
            .error_for_status()
            .expect("control status")
            .text()
            .await
            .ok()
            .and_then(|body| serde_json::from_str(&body).ok())
            .expect("control JSON")
    }

    /// Every RPC received so far: `{"path", "service", "method", "params"}`.
    pub async fn requests(&self) -> Vec<Value> {
        match self.get("/_test/requests").await {
            Value::Array(requests) => requests,
            other => panic!("unexpected /_test/requests answer {other}"),
        }
    }

    pub async fn cron_calls(&self) -> Value {
        self.get("/_test/cron_calls").await
    }

    pub async fn records(&self, model: &str) -> Value {
        self.get(&format!("/_test/records?model={model}")).await
    }

    pub async fn configure(&self, changes: Value) {
        self.http
            .post(format!("{}/_test/config", self.url()))
            .body(changes.to_string())
            .send()
            .await
            .expect("control request")
            .error_for_status()
            .expect("control status");
    }
}

/// The recorded authentication request for `protocol` (admin, right password).
pub fn auth_request(protocol: Protocol, login: &str, password: &str) -> Value {
    match protocol {
        Protocol::XmlRpc2 => {
            json!({"path": "/xmlrpc/2/common", "service": "common", "method": "authenticate",
            "params": [DB, login, password, {}]})
        }
        Protocol::XmlRpcLegacy => {
            json!({"path": "/xmlrpc/common", "service": "common", "method": "login",
            "params": [DB, login, password]})
        }
        Protocol::JsonRpc => {
            json!({"path": "/jsonrpc", "service": "common", "method": "authenticate",
            "params": [DB, login, password, {}]})
        }
        _ => unreachable!("every protocol is listed"),
    }
}

/// The recorded model call for `protocol`: `execute_kw(..., args, kwargs)`, or for Odoo 7
/// `execute(..., *legacy_args)`.
pub fn object_request(
    protocol: Protocol,
    model: &str,
    method: &str,
    args: Value,
    kwargs: Value,
    legacy_args: Value,
) -> Value {
    let head = json!([DB, ADMIN_UID, ADMIN_PASSWORD, model, method]);
    let mut params = head.as_array().cloned().unwrap_or_default();
    let (path, rpc_method) = match protocol {
        Protocol::XmlRpc2 => ("/xmlrpc/2/object", "execute_kw"),
        Protocol::XmlRpcLegacy => ("/xmlrpc/object", "execute"),
        Protocol::JsonRpc => ("/jsonrpc", "execute_kw"),
        _ => unreachable!("every protocol is listed"),
    };
    if protocol == Protocol::XmlRpcLegacy {
        params.extend(legacy_args.as_array().cloned().unwrap_or_default());
    } else {
        params.push(args);
        params.push(kwargs);
    }
    json!({"path": path, "service": "object", "method": rpc_method, "params": params})
}
