//! The Odoo stand-in (`runtime/odoo/tests/odoo_server.py`, stdlib Python)
//! started on a free port for a test, and killed when the handle drops.
//! The crates that test against Odoo (the ERP job, the sync engine) wrap it
//! with the calls of their own tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The stand-in's database.
pub const DB: &str = "acme";
/// Its administrator's login.
pub const ADMIN: &str = "admin";
/// Its administrator's password (a test value, never a real secret).
pub const ADMIN_PASSWORD: &str = "Adm1n-s3cret-PW!";

/// A running stand-in server, killed on drop.
pub struct OdooStandIn {
    child: Child,
    port: u16,
}

impl OdooStandIn {
    /// Start the server with the system `python3`; panics (naming the
    /// script) when it cannot start.
    pub fn start() -> OdooStandIn {
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
        OdooStandIn { child, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for OdooStandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
