//! The batch processor with a recording channel: poisoned messages, FIFO
//! group failure propagation, in-memory dedup, and durable dedup against
//! moto's DynamoDB (`CLOUDCRON_MOTO_ENDPOINT`).

use crate::support;

use crate::support::{envelope, event, failed_ids, record, Recording};
use cloud_cron_contract::notifier::TemplatePart;
use cloud_cron_notifiers::processor::{DuplicateOf, Outcome, ProcessError};
use cloud_cron_notifiers::{DeliveryError, Notifier, Templates};
use serde_json::json;

const T1: &str = "2026-11-28T06:00:00Z";

fn templates() -> Templates {
    Templates::compile([
        (TemplatePart::Subject, "[{{ task }}] {{ payload.level }}"),
        (
            TemplatePart::Text,
            "{{ payload.text }} ({{ scheduled_time }}, #{{ ordinal }})",
        ),
    ])
    .expect("templates compile")
}

fn notifier() -> Notifier<Recording> {
    Notifier::new(Recording::default(), templates())
}

fn body(ordinal: u32, text: &str) -> (String, String) {
    let e = envelope(T1, ordinal, json!({ "level": "info", "text": text }));
    (e.id.clone(), serde_json::to_string(&e).expect("JSON"))
}

#[tokio::test]
async fn a_poisoned_message_fails_alone_and_the_others_are_delivered() {
    let n = notifier();
    let (id0, b0) = body(0, "first");
    let (id2, b2) = body(2, "third");
    let ev = event(vec![
        record("m0", &b0, None),
        record("m1", "{\"cloudCron\": 1, \"id\": ", None),
        record("m2", &b2, None),
    ]);
    let report = n.process(&ev, None).await;
    assert_eq!(failed_ids(&report.response()), ["m1"]);
    assert_eq!(
        serde_json::to_value(report.response()).unwrap(),
        json!({ "batchItemFailures": [{ "itemIdentifier": "m1" }] }),
        "the JSON Lambda reads"
    );
    assert_eq!(n.channel().delivered_ids(), [id0, id2.clone()]);
    match &report.records[1].outcome {
        Outcome::Failed(e @ ProcessError::Malformed(_)) => {
            assert!(!e.is_transient());
            assert!(e.to_string().contains("not JSON"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let (_, rendered) = &n.channel().delivered.lock().expect("lock")[1];
    assert_eq!(
        rendered.get(TemplatePart::Subject),
        Some("[daily-report] info")
    );
    assert_eq!(
        rendered.get(TemplatePart::Text),
        Some("third (2026-11-28T06:00:00Z, #2)")
    );
    assert_eq!(report.delivered(), 2);
    assert_eq!(report.failed(), 1);
}

#[tokio::test]
async fn a_message_the_template_cannot_render_fails_permanently() {
    let n = notifier();
    let (_, good) = body(0, "ok");
    // No `text` in this payload: strict undefined.
    let bad = envelope(T1, 1, json!({ "level": "warning" }));
    let ev = event(vec![
        record("m0", &good, None),
        record("m1", &serde_json::to_string(&bad).unwrap(), None),
    ]);
    let report = n.process(&ev, None).await;
    assert_eq!(failed_ids(&report.response()), ["m1"]);
    match &report.records[1].outcome {
        Outcome::Failed(e @ ProcessError::Render(_)) => {
            assert!(!e.is_transient());
            assert!(e.to_string().contains("`payload.text`"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        n.channel().attempts().len(),
        1,
        "nothing is sent for the bad one"
    );
}

#[tokio::test]
async fn a_fifo_failure_fails_the_rest_of_its_group_but_not_other_groups() {
    let n = notifier();
    let (a1, ba1) = body(0, "a1");
    let (a2, ba2) = body(1, "a2");
    let (_a3, ba3) = body(2, "a3");
    let (b1, bb1) = body(3, "b1");
    let (b2, bb2) = body(4, "b2");
    n.channel()
        .fail_with(&a2, DeliveryError::transient("HTTP 503"));
    let ev = event(vec![
        record("ma1", &ba1, Some("A")),
        record("mb1", &bb1, Some("B")),
        record("ma2", &ba2, Some("A")),
        record("mb2", &bb2, Some("B")),
        record("ma3", &ba3, Some("A")),
    ]);
    let report = n.process(&ev, None).await;
    assert_eq!(
        failed_ids(&report.response()),
        ["ma2", "ma3"],
        "the failed record and every later one of its group, in order"
    );
    assert_eq!(n.channel().delivered_ids(), [a1, b1, b2]);
    assert_eq!(
        n.channel().attempts().len(),
        4,
        "a3 is not attempted after a2 failed"
    );
    match &report.records[4].outcome {
        Outcome::Failed(ProcessError::EarlierInGroupFailed {
            group,
            failed_message_id,
        }) => {
            assert_eq!(group, "A");
            assert_eq!(failed_message_id, "ma2");
        }
        other => panic!("{other:?}"),
    }
    // A poisoned (unparseable) record holds back its group the same way.
    let n = notifier();
    let (c2, bc2) = body(5, "c2");
    let ev = event(vec![
        record("mc1", "not json", Some("C")),
        record("mc2", &bc2, Some("C")),
        record("md1", &bc2, Some("D")),
    ]);
    let report = n.process(&ev, None).await;
    assert_eq!(failed_ids(&report.response()), ["mc1", "mc2"]);
    assert_eq!(n.channel().delivered_ids(), [c2]);
}

#[tokio::test]
async fn standard_queue_duplicates_are_delivered_once_per_warm_container() {
    let n = notifier();
    let (id, b) = body(0, "once");
    // SQS at-least-once: the same envelope under two message ids, in one batch and later.
    let report = n
        .process(
            &event(vec![record("m1", &b, None), record("m2", &b, None)]),
            None,
        )
        .await;
    assert!(report.response().batch_item_failures.is_empty());
    assert_eq!(report.delivered(), 1);
    assert!(matches!(
        report.records[1].outcome,
        Outcome::Duplicate(DuplicateOf::Memory)
    ));
    let later = n.process(&event(vec![record("m3", &b, None)]), None).await;
    assert_eq!(later.duplicates(), 1);
    assert_eq!(n.channel().delivered_ids(), [id]);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_and_not_remembered_as_delivered() {
    let n = notifier();
    let (id, b) = body(0, "retry me");
    n.channel()
        .fail_with(&id, DeliveryError::permanent("HTTP 400: bad request"));
    let first = n.process(&event(vec![record("m1", &b, None)]), None).await;
    assert_eq!(failed_ids(&first.response()), ["m1"]);
    match &first.records[0].outcome {
        Outcome::Failed(e) => assert!(!e.is_transient()),
        other => panic!("{other:?}"),
    }
    n.channel().fail.lock().expect("lock").clear();
    let second = n.process(&event(vec![record("m1", &b, None)]), None).await;
    assert_eq!(second.delivered(), 1);
    assert_eq!(n.channel().attempts(), [id.clone(), id]);
}

#[tokio::test]
async fn a_record_without_a_message_id_fails_the_whole_batch() {
    let n = notifier();
    let mut r = record("x", "not json", None);
    r.as_object_mut().unwrap().remove("messageId");
    let response = n.handle(&event(vec![r]), None).await;
    assert_eq!(
        failed_ids(&response),
        [""],
        "Lambda retries the whole batch"
    );
}

mod durable {
    use super::*;
    use cloud_cron_contract::notifier::delivery_key;
    use cloud_cron_contract::IDEMPOTENCY_KEY_ATTRIBUTE;
    use cloud_cron_runtime::idempotency::{Decision, IdempotencyStore};

    async fn table(name: &str) -> aws_sdk_dynamodb::Client {
        let sdk = support::sdk_config(&support::moto_endpoint()).await;
        support::idempotency_table(&sdk, name).await
    }

    #[tokio::test]
    #[ignore = "needs a moto server: run scripts/test"]
    async fn the_dedup_table_stops_duplicates_across_containers() {
        let name = format!("deliveries-{}", std::process::id());
        let client = table(&name).await;
        let store = IdempotencyStore::new(client.clone(), &name);
        // Two containers: separate memory, one table.
        let first = notifier().with_dedup_store(store.clone());
        let second = notifier().with_dedup_store(store.clone());
        let (id, b) = body(0, "exactly once");
        let r1 = first
            .process(&event(vec![record("m1", &b, None)]), None)
            .await;
        assert_eq!(r1.delivered(), 1);
        let r2 = second
            .process(&event(vec![record("m2", &b, None)]), None)
            .await;
        assert!(matches!(
            r2.records[0].outcome,
            Outcome::Duplicate(DuplicateOf::Table)
        ));
        assert!(second.channel().attempts().is_empty());
        let item = client
            .get_item()
            .table_name(&name)
            .key(
                IDEMPOTENCY_KEY_ATTRIBUTE,
                aws_sdk_dynamodb::types::AttributeValue::S(delivery_key(&id)),
            )
            .send()
            .await
            .unwrap()
            .item
            .expect("a delivery record");
        assert_eq!(
            item.get("status")
                .and_then(|v| v.as_s().ok())
                .map(String::as_str),
            Some("COMPLETED")
        );

        // A message another invocation is delivering right now: transient.
        let (busy, bb) = body(1, "busy");
        let Decision::Proceed(_held) = store.begin_key(&delivery_key(&busy)).await.unwrap() else {
            panic!("claim")
        };
        let r3 = first
            .process(&event(vec![record("m3", &bb, None)]), None)
            .await;
        match &r3.records[0].outcome {
            Outcome::Failed(e @ ProcessError::InProgressElsewhere) => assert!(e.is_transient()),
            other => panic!("{other:?}"),
        }

        // A failed delivery releases its record: the retry delivers.
        let (flaky, bf) = body(2, "flaky");
        first
            .channel()
            .fail_with(&flaky, DeliveryError::transient("throttled"));
        let r4 = first
            .process(&event(vec![record("m4", &bf, None)]), None)
            .await;
        assert_eq!(r4.failed(), 1);
        first.channel().fail.lock().expect("lock").clear();
        let r5 = second
            .process(&event(vec![record("m4", &bf, None)]), None)
            .await;
        assert_eq!(r5.delivered(), 1, "{r5:?}");
    }
}

/// A one-off input as the Scheduler publishes it to a topic target, for
/// the schedule of `key` firing at `time`.
fn one_off_body(key: &str, time: &str, title: &str) -> String {
    json!({
        "cloudCron": 1, "key": key, "tenant": "acme",
        "scheduledFor": "2027-03-09T14:32:00", "timeZone": "Europe/London",
        "scheduleArn": format!("arn:aws:scheduler:us-east-1:123456789012:schedule/reminders/{}", key.replace('/', ".")),
        "scheduledTime": time,
        "payload": { "title": title, "text": "Send the invoice." }
    })
    .to_string()
}

#[tokio::test]
async fn one_off_inputs_render_with_the_channel_templates_once_per_firing() {
    // The Reminders stack's email templates.
    let templates = Templates::compile([
        (
            TemplatePart::Subject,
            "Reminder: {{ payload.payload.title | default(value=payload.key) | truncate(length=80) }}",
        ),
        (
            TemplatePart::Text,
            "{{ payload.payload.text | default(value='') }}\n\nScheduled for {{ payload.scheduledFor }} ({{ payload.timeZone }}), key {{ payload.key }}.",
        ),
    ])
    .expect("templates compile");
    let n = Notifier::new(Recording::default(), templates);
    let first = one_off_body("acme/invoice-7", "2027-03-09T14:32:00Z", "Invoice 7");
    let moved = one_off_body("acme/invoice-7", "2027-03-10T14:32:00Z", "Invoice 7");
    let other = one_off_body("acme/invoice-8", "2027-03-09T14:32:00Z", "Invoice 8");
    // The Scheduler delivers the first firing twice (at least once), in one
    // batch and again in the next.
    let report = n
        .process(
            &event(vec![
                record("m0", &first, None),
                record("m1", &first, None),
                record("m2", &other, None),
            ]),
            None,
        )
        .await;
    assert_eq!(report.failed(), 0, "{:?}", report.records);
    assert_eq!((report.delivered(), report.duplicates()), (2, 1));
    let again = n
        .process(
            &event(vec![record("m3", &first, None), record("m4", &moved, None)]),
            None,
        )
        .await;
    assert_eq!((again.delivered(), again.duplicates()), (1, 1));

    let delivered = n.channel().delivered.lock().expect("lock").clone();
    assert_eq!(delivered.len(), 3);
    let (_, rendered) = &delivered[0];
    assert_eq!(
        rendered.get(TemplatePart::Subject),
        Some("Reminder: Invoice 7")
    );
    assert_eq!(
        rendered.get(TemplatePart::Text),
        Some("Send the invoice.\n\nScheduled for 2027-03-09T14:32:00 (Europe/London), key acme/invoice-7.")
    );
    let ids: std::collections::BTreeSet<_> = n.channel().delivered_ids().into_iter().collect();
    assert_eq!(ids.len(), 3, "distinct firings have distinct ids");
}

#[tokio::test]
async fn a_one_off_input_with_placeholders_is_refused() {
    let n = notifier();
    let raw = serde_json::to_string(&cloud_cron_contract::one_off::OneOffInput::template(
        "acme/x",
        Some("acme"),
        "2027-03-09T14:32:00",
        "UTC",
        json!({"level": "info", "text": "t"}),
    ))
    .expect("JSON");
    let report = n
        .process(&event(vec![record("m0", &raw, None)]), None)
        .await;
    match &report.records[0].outcome {
        Outcome::Failed(e @ ProcessError::Malformed(_)) => {
            assert!(!e.is_transient());
            assert!(e.to_string().contains("unsubstituted"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(n.channel().attempts().is_empty());
}
