//! What the processor logs: one line per record saying what happened and,
//! for failures, whether they are transient or permanent; never a message
//! body, a payload value, or what a channel was given. The test installs a
//! thread-local log subscriber: the processor runs on the test's own thread.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::{envelope, event, record, Recording};
use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_notifiers::{DeliveryError, Notifier, Templates};
use serde_json::json;

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
async fn logs_classify_failures_and_never_show_content() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let templates =
        Templates::compile([(TemplatePart::Body, "{{ payload.secret_note }}")]).expect("compiles");
    let notifier = Notifier::new(Recording::default(), templates);
    let good = envelope(
        "2026-11-28T06:00:00Z",
        0,
        json!({ "secret_note": "PAYLOAD-VALUE-1" }),
    );
    let throttled = envelope(
        "2026-11-28T06:00:00Z",
        1,
        json!({ "secret_note": "PAYLOAD-VALUE-2" }),
    );
    notifier.channel().fail_with(
        &throttled.id,
        DeliveryError::transient("HTTP 429 from the provider"),
    );
    let ev = event(vec![
        record("m-good", &serde_json::to_string(&good).expect("JSON"), None),
        record("m-poison", "{\"name\": \"POISON-BODY\"", None),
        record(
            "m-throttled",
            &serde_json::to_string(&throttled).expect("JSON"),
            None,
        ),
    ]);
    let report = notifier.process(&ev, None).await;
    assert_eq!(report.failed(), 2);

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    let line = |needle: &str| {
        logs.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no log line with {needle}:\n{logs}"))
            .to_owned()
    };
    let poison = line("m-poison");
    assert!(
        poison.contains("ERROR") && poison.contains("permanent failure"),
        "{poison}"
    );
    assert!(
        poison.contains("will be dead-lettered after maxReceiveCount"),
        "{poison}"
    );
    let throttled_line = line("m-throttled");
    assert!(
        throttled_line.contains("WARN") && throttled_line.contains("transient failure"),
        "{throttled_line}"
    );
    assert!(
        throttled_line.contains(&throttled.id),
        "the envelope id is logged: {throttled_line}"
    );
    assert!(line("m-good").contains("delivered"));
    assert!(line("batch processed").contains("failed=2"));
    for content in ["PAYLOAD-VALUE-1", "PAYLOAD-VALUE-2", "POISON-BODY"] {
        assert!(
            !logs.contains(content),
            "{content} leaked into the logs:\n{logs}"
        );
    }
}
