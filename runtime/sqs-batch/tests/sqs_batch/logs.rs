//! What the processor logs: one line per record saying what happened and
//! whether a failure is transient or permanent, never a body.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cloud_cron_sqs_batch::BatchProcessor;

use crate::support::{event, record, Scripted};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_record_has_a_line_and_no_body_is_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let handler = Scripted::failing(&["slow"], &[]);
    let processor = BatchProcessor::new().with_processed_log("stored");
    let ev = event(vec![
        record("m-ok", "job:ok", None),
        record("m-poison", "POISON-BODY", None),
        record("m-slow", "job:slow", None),
    ]);
    processor.process(&handler, &ev).await;

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    let line = |needle: &str| {
        logs.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{logs}"))
            .to_owned()
    };
    assert!(line("m-ok").contains("stored"));
    let poison = line("m-poison");
    assert!(
        poison.contains("ERROR") && poison.contains("permanent failure"),
        "{poison}"
    );
    let slow = line("m-slow");
    assert!(
        slow.contains("WARN") && slow.contains("transient failure"),
        "{slow}"
    );
    assert!(line("batch processed").contains("failed=2"));
    assert!(!logs.contains("POISON-BODY"), "{logs}");
}
