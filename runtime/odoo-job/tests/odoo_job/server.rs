//! Starts the Odoo stand-in server with the system `python3` on a free port
//! and reads back the cron calls it recorded.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const DB: &str = "acme";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "Adm1n-s3cret-PW!";

/// A running stand-in server, killed on drop.
pub struct OdooServer {
    child: Child,
    port: u16,
}

impl OdooServer {
    pub fn start() -> OdooServer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../odoo/tests/odoo_server.py");
        let mut child = Command::new("python3")
            .args([script, "--port", "0", "--exit-on-stdin-close"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("these tests need the system python3 to run {script}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's first line");
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("odoo_server.py did not start; its first line was {line:?}"));
        OdooServer { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
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

impl Drop for OdooServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
