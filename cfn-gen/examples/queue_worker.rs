//! A construct of your own, out of cfn-gen's public building blocks: a
//! queue, a `Function` consuming it, and a `DeadLetterQueue` (with its alarm)
//! for messages that keep failing. Run with
//! `cargo run -p cfn-gen --example queue_worker`; it prints the template.

use std::rc::Rc;
use std::time::Duration;

use cfn_gen::construct::Construct;
use cfn_gen::resources::iam::Statement;
use cfn_gen::resources::{lambda, sqs};
use cfn_gen::validate::Report;
use cfn_gen::{
    App, DeadLetterQueue, Function, Node, QueueRef, RecordTable, Resource, SecretGrants, SecretRef,
    Stack, SynthContext, Template, Topic, Value,
};

// README:construct
/// Messages sent to a queue, handled by a function, failures kept.
struct QueueWorker {
    node: Node,
    function: Function,
    dead_letter: DeadLetterQueue,
}

impl QueueWorker {
    fn new(stack: &Stack, id: &str, image: &str, alarms: &Topic) -> Rc<QueueWorker> {
        let function = Function::new(stack, &format!("{id}Function")).image(image);
        let dead_letter = DeadLetterQueue::new(stack, &format!("{id}Failed")).alarm_to(alarms);
        let worker = Rc::new(QueueWorker {
            node: stack.claim(id),
            function,
            dead_letter,
        });
        worker.queue().grant_consume(&worker.function);
        stack.add(worker.clone());
        worker
    }

    fn queue(&self) -> QueueRef {
        QueueRef::from_arn(Value::get_att(self.node.logical_id(), "Arn"))
    }
}

impl Construct for QueueWorker {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, _report: &mut Report) {}

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let queue = sqs::Queue {
            visibility_timeout: Some(180),
            sqs_managed_sse_enabled: Some(true),
            redrive_policy: Some(sqs::RedrivePolicy {
                dead_letter_target_arn: self.dead_letter.arn(),
                max_receive_count: 5,
            }),
            ..Default::default()
        };
        template.add_resource(self.node.logical_id(), Resource::new(queue));
        let mapping = lambda::EventSourceMapping {
            event_source_arn: self.queue().arn(),
            function_name: self.function.name(),
            batch_size: 10,
            function_response_types: vec!["ReportBatchItemFailures"],
            maximum_batching_window_in_seconds: None,
            scaling_config: None,
            enabled: true,
        };
        template.add_resource(
            self.node.child_logical_id("EventSource"),
            Resource::new(mapping),
        );
    }
}
// README:end

fn main() {
    let app = App::new();
    let stack = Stack::new(&app, "Workers");
    let operators = Topic::standard(&stack, "Operators");

    // README:function
    let alerts = Topic::fifo(&stack, "Alerts");
    let runs = RecordTable::new(&stack, "Runs");
    let nightly = Function::new(&stack, "Nightly")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/nightly:v1")
        .timeout(Duration::from_secs(300))
        .env("MODE", "full")
        .publishes_to("alerts", &alerts); // SNS_TOPIC_ARN_ALERTS + sns:Publish
    nightly.add_environment("RUNS_TABLE", runs.name()); // a Ref, resolved at deploy
    runs.grant_read_write(&nightly); // grants live on the granted resource
    SecretRef::ssm("/nightly/api-token").grant_read(&nightly);
    nightly.add_to_role_policy(Statement::allow(
        ["s3:GetObject"],
        vec![Value::from("arn:aws:s3:::reports/nightly/*")],
    ));
    // README:end

    QueueWorker::new(
        &stack,
        "Ingest",
        "123456789012.dkr.ecr.us-west-2.amazonaws.com/ingest:v1",
        &operators,
    );
    match app.synth() {
        Ok(synthesis) => print!("{}", synthesis.stacks[0].text),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
