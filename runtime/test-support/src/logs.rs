//! Every log line of a test binary, captured at TRACE level into one buffer,
//! so tests can prove that a secret is never logged.
//!
//! A process-wide subscriber, installed before any test makes a call: tracing
//! caches per call site whether anyone listens, so a per-test (thread-local)
//! subscriber would miss call sites first reached by tests running in parallel.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

fn buffer() -> &'static Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        logs
    })
}

/// Installs the capturing subscriber (idempotent). Every test calls this
/// before its first call into the code under test.
pub fn capture() {
    buffer();
}

/// Everything logged so far, by every test of the binary.
pub fn captured() -> String {
    String::from_utf8_lossy(&buffer().0.lock().expect("log buffer")).into_owned()
}
