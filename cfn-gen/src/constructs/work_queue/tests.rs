//! The work queue's resources, grants and alarms, and each synth check
//! with its fix.

use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::construct::logical_id::from_path;
use crate::{App, Function, OpsTopic, Problem, Stack, WorkQueue};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn setup() -> (App, Stack, Function) {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    let worker = Function::new(&stack, "Worker")
        .image(IMAGE)
        .timeout(Duration::from_secs(20));
    (app, stack, worker)
}

/// The logical ID of `path` (a construct, or a construct and a child).
fn id(path: &[&str]) -> String {
    from_path(path)
}

fn template(app: &App) -> Json {
    let synthesis = app.synth().unwrap_or_else(|e| panic!("valid:\n{e}"));
    synthesis.stacks[0].template.to_json()
}

fn problems(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(s) => s.warnings,
        Err(e) => e.problems,
    }
}

fn one_problem(app: &App, needle: &str) -> Problem {
    let found: Vec<Problem> = problems(app)
        .into_iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "one problem with {needle:?}: {found:?}");
    found[0].clone()
}

#[test]
fn a_standard_queue_redrives_to_its_dead_letter_queue_and_feeds_its_consumer() {
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs").consumer(&worker);
    let t = template(&app);
    let r = &t["Resources"];
    assert_eq!(
        r[&id(&["Jobs"])]["Properties"],
        json!({
            "MessageRetentionPeriod": 345_600,
            "VisibilityTimeout": 120,
            "SqsManagedSseEnabled": true,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": [id(&["Jobs", "DeadLetterQueue"]), "Arn"]},
                "maxReceiveCount": 5
            }
        })
    );
    assert_eq!(r[&id(&["Jobs"])]["DeletionPolicy"], "Delete");
    assert_eq!(
        r[&id(&["Jobs", "DeadLetterQueue"])]["Properties"]["SqsManagedSseEnabled"],
        true
    );
    assert_eq!(
        r[&id(&["Jobs", "EventSource"])]["Properties"],
        json!({
            "EventSourceArn": {"Fn::GetAtt": [id(&["Jobs"]), "Arn"]},
            "FunctionName": {"Ref": id(&["Worker"])},
            "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "Enabled": true
        })
    );
    let statements =
        &r[&id(&["Worker", "Role"])]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    let consume = statements
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Action"].to_string().contains("sqs:ReceiveMessage"))
        .expect("a consume statement");
    assert_eq!(
        consume["Resource"],
        json!([{"Fn::GetAtt": [id(&["Jobs"]), "Arn"]}])
    );
}

#[test]
fn every_alarm_goes_to_the_stack_destination() {
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .age_alarm_after(Duration::from_secs(600));
    let t = template(&app);
    let r = &t["Resources"];
    for (alarm_id, metric) in [
        (
            id(&["Jobs", "DeadLetterAlarm"]),
            "ApproximateNumberOfMessagesVisible",
        ),
        (id(&["Jobs", "AgeAlarm"]), "ApproximateAgeOfOldestMessage"),
        (id(&["Jobs", "ErrorsAlarm"]), "Errors"),
        (id(&["Jobs", "ThrottlesAlarm"]), "Throttles"),
    ] {
        let alarm = &r[&alarm_id]["Properties"];
        assert_eq!(alarm["MetricName"], metric, "{alarm_id}");
        assert_eq!(
            alarm["AlarmActions"],
            json!([{"Ref": id(&["Ops"])}]),
            "{alarm_id}"
        );
        assert_eq!(
            alarm["OKActions"],
            json!([{"Ref": id(&["Ops"])}]),
            "{alarm_id}"
        );
        assert!(
            alarm["AlarmDescription"]
                .as_str()
                .is_some_and(|d| d.starts_with("Demo/Jobs: ")),
            "{alarm_id} names the construct"
        );
    }
    assert_eq!(
        r[&id(&["Jobs", "AgeAlarm"])]["Properties"]["Threshold"],
        600.0
    );
    assert_eq!(
        r[&id(&["Jobs", "ErrorsAlarm"])]["Properties"]["Dimensions"][0]["Value"],
        json!({"Ref": id(&["Worker"])})
    );
}

#[test]
fn a_fifo_queue_has_a_fifo_dead_letter_queue_and_no_batching_window() {
    let (app, stack, worker) = setup();
    WorkQueue::fifo(&stack, "Entries")
        .consumer(&worker)
        .queue_name("entries.fifo")
        .content_based_deduplication()
        .maximum_concurrency(3)
        .max_receive_count(2);
    let t = template(&app);
    let r = &t["Resources"];
    assert_eq!(r[&id(&["Entries"])]["Properties"]["FifoQueue"], true);
    assert_eq!(
        r[&id(&["Entries"])]["Properties"]["QueueName"],
        "entries.fifo"
    );
    assert_eq!(
        r[&id(&["Entries"])]["Properties"]["ContentBasedDeduplication"],
        true
    );
    assert_eq!(
        r[&id(&["Entries"])]["Properties"]["RedrivePolicy"]["maxReceiveCount"],
        2
    );
    assert_eq!(
        r[&id(&["Entries", "DeadLetterQueue"])]["Properties"]["FifoQueue"],
        true
    );
    assert_eq!(
        r[&id(&["Entries", "EventSource"])]["Properties"]["ScalingConfig"],
        json!({"MaximumConcurrency": 3})
    );
}

#[test]
fn producers_may_send_to_exactly_this_queue() {
    let (app, stack, worker) = setup();
    let producer = Function::new(&stack, "Intake").image(IMAGE);
    let jobs = WorkQueue::standard(&stack, "Jobs").consumer(&worker);
    jobs.grant_send(&producer);
    let t = template(&app);
    let statements = &t["Resources"][&id(&["Intake", "Role"])]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"];
    // The log statement, then exactly the send grant.
    assert_eq!(statements.as_array().map(Vec::len), Some(2));
    assert_eq!(
        statements[1],
        json!({
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [{"Fn::GetAtt": [id(&["Jobs"]), "Arn"]}]
        })
    );
}

#[test]
fn a_queue_without_a_consumer_is_refused_with_the_fix() {
    let (app, stack, _) = setup();
    WorkQueue::standard(&stack, "Jobs");
    let p = one_problem(&app, "no consumer");
    assert_eq!(p.path, "Demo/Jobs");
    assert!(p.fix.contains(".consumer(&worker)"));
}

#[test]
fn fifo_names_must_end_in_fifo_and_standard_ones_must_not() {
    let (app, stack, worker) = setup();
    WorkQueue::fifo(&stack, "A")
        .consumer(&worker)
        .queue_name("entries");
    let p = one_problem(&app, "does not end in `.fifo`");
    assert_eq!(p.fix, ".queue_name(\"entries.fifo\")");

    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "B")
        .consumer(&worker)
        .queue_name("jobs.fifo");
    let p = one_problem(&app, "ends in `.fifo`");
    assert!(p.fix.starts_with(".queue_name(\"jobs\")"));

    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "C")
        .consumer(&worker)
        .queue_name("my jobs!");
    let p = one_problem(&app, "not 1 to 80");
    assert_eq!(p.fix, ".queue_name(\"myjobs\")");
    // The fix itself passes.
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "C")
        .consumer(&worker)
        .queue_name("myjobs");
    assert!(app.synth().is_ok());
}

#[test]
fn visibility_under_the_consumer_timeout_is_refused_and_under_six_times_warned() {
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .visibility_timeout(Duration::from_secs(10));
    let p = one_problem(&app, "under the consumer's timeout of 20 s");
    assert!(p.fix.contains("120 s"));

    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .visibility_timeout(Duration::from_secs(60));
    let synthesis = app.synth().expect("a warning only");
    assert_eq!(synthesis.warnings.len(), 1, "{:?}", synthesis.warnings);
    assert!(synthesis.warnings[0].message.contains("6 times"));
}

#[test]
fn batching_is_checked_for_the_queue_type() {
    let (app, stack, worker) = setup();
    WorkQueue::fifo(&stack, "Entries")
        .consumer(&worker)
        .batching_window(Duration::from_secs(5));
    one_problem(&app, "batching window is set on a FIFO queue");

    let (app, stack, worker) = setup();
    WorkQueue::fifo(&stack, "Entries")
        .consumer(&worker)
        .batch_size(50);
    one_problem(&app, "outside 1 to 10 (FIFO queue)");

    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .batch_size(100);
    let p = one_problem(&app, "needs a batching window");
    assert!(p.fix.contains("Duration::from_secs(1)"));
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .batch_size(100)
        .batching_window(Duration::from_secs(1));
    let t = template(&app);
    assert_eq!(
        t["Resources"][&id(&["Jobs", "EventSource"])]["Properties"]
            ["MaximumBatchingWindowInSeconds"],
        1
    );
}

#[test]
fn bounds_are_checked() {
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .max_receive_count(0)
        .maximum_concurrency(1)
        .age_alarm_after(Duration::from_secs(10))
        .content_based_deduplication();
    let messages: Vec<String> = problems(&app).into_iter().map(|p| p.message).collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("max receive count 0")));
    assert!(messages.iter().any(|m| m.contains("maximum concurrency 1")));
    assert!(messages.iter().any(|m| m.contains("age alarm")));
    assert!(messages.iter().any(|m| m.contains("content-based")));
}

#[test]
fn a_long_consumer_timeout_overflows_the_visibility_maximum() {
    let (app, stack, _) = setup();
    let slow = Function::new(&stack, "Slow")
        .image(IMAGE)
        .timeout(Duration::from_secs(900));
    WorkQueue::standard(&stack, "Jobs").consumer(&slow);
    assert!(app.synth().is_ok(), "6 x 900 s fits");
    let (app, stack, worker) = setup();
    WorkQueue::standard(&stack, "Jobs")
        .consumer(&worker)
        .visibility_timeout(Duration::from_secs(50_000));
    one_problem(&app, "over SQS's 43200 s");
}
