//! What each record's outcome is and what Lambda is answered.

use cloud_cron_sqs_batch::{
    json_handler, BatchProcessor, DuplicateOf, MessageMeta, Outcome, RecordError,
};

use crate::support::{event, failures, record, Scripted, TestError};

#[tokio::test]
async fn only_the_failed_records_are_reported() {
    let handler = Scripted::failing(&["b"], &["d"]);
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", "job:a", None),
        record("m2", "job:b", None),
        record("m3", "job:c", None),
        record("m4", "job:d", None),
    ]);
    let report = processor.process(&handler, &ev).await;
    assert_eq!(failures(&report.response()), ["m2", "m4"]);
    assert_eq!(handler.processed(), ["a", "c"]);
    assert_eq!((report.processed(), report.failed()), (2, 2));
    match &report.records[1].outcome {
        Outcome::Failed(e) => assert_eq!(e, &TestError::Transient("b".into())),
        other => panic!("{other:?}"),
    }
    match &report.records[3].outcome {
        Outcome::Failed(e) => assert_eq!(e, &TestError::Permanent("d".into())),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_failure_in_a_fifo_group_holds_back_the_rest_of_that_group_only() {
    let handler = Scripted::failing(&["a2"], &[]);
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", "job:a1", Some("A")),
        record("m2", "job:a2", Some("A")),
        record("m3", "job:b1", Some("B")),
        record("m4", "job:a3", Some("A")),
        record("m5", "job:b2", Some("B")),
    ]);
    let report = processor.process(&handler, &ev).await;
    assert_eq!(failures(&report.response()), ["m2", "m4"]);
    assert_eq!(handler.processed(), ["a1", "b1", "b2"]);
    assert_eq!(handler.attempts("a3"), 0, "never attempted out of order");
    match &report.records[3].outcome {
        Outcome::NotAttempted {
            group,
            failed_message_id,
        } => assert_eq!((group.as_str(), failed_message_id.as_str()), ("A", "m2")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn on_a_standard_queue_a_failure_holds_nothing_back() {
    let handler = Scripted::failing(&["a"], &[]);
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", "job:a", None),
        record("m2", "job:b", None),
    ]);
    let report = processor.process(&handler, &ev).await;
    assert_eq!(failures(&report.response()), ["m1"]);
    assert_eq!(handler.processed(), ["b"]);
}

#[tokio::test]
async fn a_duplicate_key_is_processed_once_per_container() {
    let handler = Scripted::default();
    let processor = BatchProcessor::new();
    let first = processor
        .process(
            &handler,
            &event(vec![
                record("m1", "job:evt-1", None),
                record("m2", "job:evt-1", None),
            ]),
        )
        .await;
    assert!(matches!(
        first.records[1].outcome,
        Outcome::Duplicate(DuplicateOf::Memory)
    ));
    let later = processor
        .process(&handler, &event(vec![record("m3", "job:evt-1", None)]))
        .await;
    assert!(matches!(
        later.records[0].outcome,
        Outcome::Duplicate(DuplicateOf::Memory)
    ));
    assert!(later.response().batch_item_failures.is_empty());
    assert_eq!(handler.processed(), ["evt-1"]);
    assert_eq!(later.records[0].key.as_deref(), Some("evt-1"));
}

#[tokio::test]
async fn a_failed_key_is_not_remembered_so_its_retry_runs() {
    let handler = Scripted::failing(&["x"], &[]);
    let processor = BatchProcessor::new();
    processor
        .process(&handler, &event(vec![record("m1", "job:x", None)]))
        .await;
    processor
        .process(&handler, &event(vec![record("m1", "job:x", None)]))
        .await;
    assert_eq!(handler.attempts("x"), 2);
}

#[tokio::test]
async fn a_duplicate_the_handler_recognises_is_reported_processed() {
    let mut handler = Scripted::default();
    handler.durable_duplicates.insert("old".into());
    let processor = BatchProcessor::new().with_seen_capacity(0);
    let report = processor
        .process(&handler, &event(vec![record("m1", "job:old", None)]))
        .await;
    assert!(matches!(
        report.records[0].outcome,
        Outcome::Duplicate(DuplicateOf::Handler)
    ));
    assert!(report.response().batch_item_failures.is_empty());
}

#[tokio::test]
async fn a_poisoned_message_fails_permanently_and_the_batch_goes_on() {
    let handler = Scripted::default();
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", "not a job", None),
        record("m2", "job:a", None),
    ]);
    let report = processor.process(&handler, &ev).await;
    assert_eq!(failures(&report.response()), ["m1"]);
    assert!(matches!(
        &report.records[0].outcome,
        Outcome::Failed(TestError::Poisoned)
    ));
    assert_eq!(report.records[0].key, None);
    assert_eq!(handler.processed(), ["a"]);
}

#[tokio::test]
async fn permanent_failures_go_to_the_dead_letter_hook_and_transient_ones_do_not() {
    let mut handler = Scripted::failing(&["t"], &["p"]);
    handler.dead_letters = true;
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", "garbage", Some("G")),
        record("m2", "job:p", Some("G")),
        record("m3", "job:t", Some("G")),
        record("m4", "job:ok", Some("G")),
    ]);
    let report = processor.process(&handler, &ev).await;
    // Dead-lettered records leave the queue; the group goes on to the
    // transient failure, which holds back what follows.
    assert_eq!(handler.dead_lettered(), ["m1", "m2"]);
    assert_eq!(report.dead_lettered(), 2);
    assert_eq!(failures(&report.response()), ["m3", "m4"]);
    assert!(matches!(
        report.records[3].outcome,
        Outcome::NotAttempted { .. }
    ));
}

#[tokio::test]
async fn a_record_without_a_message_id_fails_the_whole_batch() {
    let handler = Scripted::failing(&["a"], &[]);
    let processor = BatchProcessor::new();
    let mut r = record("", "job:a", None);
    r.message_id = None;
    let report = processor.process(&handler, &event(vec![r])).await;
    assert_eq!(failures(&report.response()), [""]);
}

#[derive(serde::Deserialize)]
struct Entry {
    id: String,
    hours: f64,
}

#[tokio::test]
async fn a_json_handler_decodes_typed_records_and_dedups_on_a_chosen_key() {
    let seen = std::sync::Mutex::new(Vec::<(String, String)>::new());
    let handler = json_handler(|meta: MessageMeta, entry: Entry| {
        let ok = entry.hours >= 0.0;
        if ok {
            seen.lock()
                .expect("lock")
                .push((meta.message_id, entry.id.clone()));
        }
        async move {
            if ok {
                Ok(())
            } else {
                Err(RecordError::permanent(format!(
                    "entry {}: negative hours",
                    entry.id
                )))
            }
        }
    })
    .dedup_on(|_, entry: &Entry| Some(entry.id.clone()));
    let processor = BatchProcessor::new();
    let ev = event(vec![
        record("m1", r#"{"id":"e1","hours":1.5}"#, None),
        record("m2", r#"{"id":"e1","hours":1.5}"#, None),
        record("m3", r#"{"id":"e2","hours":-1}"#, None),
        record("m4", r#"{"id":"e3","hours":"SECRET-VALUE"}"#, None),
    ]);
    let report = processor.process(&handler, &ev).await;
    assert_eq!(failures(&report.response()), ["m3", "m4"]);
    assert_eq!(
        *seen.lock().expect("lock"),
        [("m1".to_owned(), "e1".to_owned())]
    );
    match &report.records[3].outcome {
        Outcome::Failed(e) => {
            let text = e.to_string();
            assert!(text.contains("does not decode"), "{text}");
            assert!(
                !text.contains("SECRET-VALUE"),
                "the body is not quoted: {text}"
            );
        }
        other => panic!("{other:?}"),
    }
}
