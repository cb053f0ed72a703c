//! What the processor logs: one line per record saying what happened and
//! whether a failure is transient or permanent, never a body.
//!
//! The capturing subscriber is the process's global default, writing into a
//! buffer of the capturing test's own thread. A thread-scoped subscriber
//! (`set_default`) is not enough: another test thread that reaches a log
//! call first, with no subscriber, can cache that call site as disabled while
//! the scoped subscriber registers, and the line is lost.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use cloud_cron_sqs_batch::BatchProcessor;

use crate::support::{event, record, Scripted};

type Buffer = Arc<Mutex<Vec<u8>>>;

thread_local! {
    /// Where this thread's log lines go; none: dropped.
    static CAPTURE: RefCell<Option<Buffer>> = const { RefCell::new(None) };
}

/// Writes into the current thread's capture buffer, if it has one.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Some(buffer) = capture.borrow().as_ref() {
                buffer.lock().expect("lock").extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing this thread's log lines (installing the global
/// subscriber on first use) and returns the buffer they go to.
fn capture() -> Buffer {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThreadWriter)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    let buffer = Buffer::default();
    CAPTURE.with(|capture| *capture.borrow_mut() = Some(buffer.clone()));
    buffer
}

#[tokio::test]
async fn each_record_has_a_line_and_no_body_is_logged() {
    let captured = capture();

    let handler = Scripted::failing(&["slow"], &[]);
    let processor = BatchProcessor::new().with_processed_log("stored");
    let ev = event(vec![
        record("m-ok", "job:ok", None),
        record("m-poison", "POISON-BODY", None),
        record("m-slow", "job:slow", None),
    ]);
    processor.process(&handler, &ev).await;

    let logs = String::from_utf8(captured.lock().expect("lock").clone()).expect("UTF-8");
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
