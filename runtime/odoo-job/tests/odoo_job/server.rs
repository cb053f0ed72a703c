//! Starts the Odoo stand-in server with the system `python3` on a free port
//! and reads back the cron calls it recorded.

use cloud_cron_test_support::odoo_server::OdooStandIn;
use serde_json::Value;

pub use cloud_cron_test_support::odoo_server::{ADMIN, ADMIN_PASSWORD, DB};

/// A running stand-in server, killed on drop.
pub struct OdooServer(OdooStandIn);

impl OdooServer {
    pub fn start() -> OdooServer {
        OdooServer(OdooStandIn::start())
    }

    pub fn url(&self) -> String {
        self.0.url()
    }

    /// The `ir.cron` triggers recorded so far: `[{"cron_id", "uid"}]`.
    pub async fn cron_calls(&self) -> Vec<Value> {
        let body = reqwest::get(format!("{}/_test/cron_calls", self.url()))
            .await
            .expect("control request")
            .text()
            .await
            .expect("control body");
        match serde_json::from_str(&body).expect("control JSON") {
            Value::Array(calls) => calls,
            other => panic!("unexpected /_test/cron_calls answer {other}"),
        }
    }
}
