//! The public building blocks on their own: `Function`, the grants
//! resources make (`Topic`, `QueueRef`, `DeadLetterQueue`, `RecordTable`,
//! `SecretRef`, `Function::grant_invoke`), `DeadLetterQueue` and
//! `RecordTable`, and their synth-time checks.

use std::time::Duration;

use cfn_gen::resources::iam::Statement;
use cfn_gen::{
    App, DeadLetterQueue, Function, Problem, QueueRef, RecordTable, RolePolicy, SecretGrants,
    SecretRef, Stack, Topic, Value as CfnValue,
};
use serde_json::{json, Value};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn template(app: &App) -> Value {
    let synthesis = app.synth().expect("valid");
    synthesis.stacks[0].template.to_json()
}

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn role_statements(t: &Value) -> Vec<Value> {
    let roles = of_type(t, "AWS::IAM::Role");
    assert_eq!(roles.len(), 1, "one role");
    roles[0].1["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone()
}

#[test]
fn a_function_alone_emits_its_log_group_role_and_function() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let worker = Function::new(&stack, "Worker")
        .image(IMAGE)
        .timeout(Duration::from_secs(120))
        .memory_mb(512)
        .env("MODE", "nightly")
        .description("Does the nightly work");
    let t = template(&app);

    let resources: Vec<(&String, &str)> = t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .map(|(id, r)| (id, r["Type"].as_str().expect("type")))
        .collect();
    let types: Vec<&str> = resources.iter().map(|(_, ty)| *ty).collect();
    assert_eq!(
        types,
        [
            "AWS::Logs::LogGroup",
            "AWS::IAM::Role",
            "AWS::Serverless::Function"
        ]
    );
    let function_id = resources[2].0;
    assert!(function_id.starts_with("Worker"), "{function_id}");
    assert!(resources[1].0.starts_with("WorkerRole"));
    assert!(resources[0].0.starts_with("WorkerLogGroup"));

    assert_eq!(worker.arn(), CfnValue::get_att(function_id.as_str(), "Arn"));
    assert_eq!(worker.name(), CfnValue::reference(function_id.as_str()));
    assert_eq!(
        worker.role_arn(),
        CfnValue::get_att(resources[1].0.as_str(), "Arn")
    );

    let props = &t["Resources"][function_id]["Properties"];
    assert_eq!(props["Timeout"], 120);
    assert_eq!(props["MemorySize"], 512);
    assert_eq!(props["ImageUri"], IMAGE);
    assert_eq!(props["Environment"]["Variables"]["MODE"], "nightly");
    assert_eq!(
        props["Role"],
        json!({"Fn::GetAtt": [resources[1].0, "Arn"]})
    );

    // Only its own logs until something is granted.
    let statements = role_statements(&t);
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0]["Action"],
        json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );
    // How failures are kept depends on the invocation: no blanket skip.
    let skips = t["Resources"][function_id]["Metadata"]["checkov"]["skip"].to_string();
    assert!(skips.contains("CKV_AWS_117"), "{skips}");
    assert!(!skips.contains("CKV_AWS_116"), "{skips}");
}

#[test]
fn grants_add_exact_statements_to_the_function_role() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let topic = Topic::standard(&stack, "Alerts").kms_key(KEY);
    let failed = DeadLetterQueue::new(&stack, "Failed");
    let table = RecordTable::new(&stack, "Runs");
    let jobs = QueueRef::from_arn("arn:aws:sqs:us-east-1:123456789012:jobs");
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    topic.grant_publish(&worker);
    failed.grant_send(&worker);
    jobs.grant_consume(&worker);
    table.grant_read_write(&worker);
    SecretRef::ssm("/jobs/token").grant_read(&worker);
    worker.add_to_role_policy(Statement::allow(
        ["s3:GetObject"],
        vec![CfnValue::from("arn:aws:s3:::reports/latest.csv")],
    ));
    let t = template(&app);

    let topic_id = topic.node().logical_id();
    let failed_arn = serde_json::to_value(failed.arn()).expect("json");
    let table_arn = serde_json::to_value(table.arn()).expect("json");
    let statements = role_statements(&t);
    let expected = json!([
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [statements[0]["Resource"][0]]},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [{"Ref": topic_id}]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": [KEY]},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [failed_arn]},
        {"Effect": "Allow", "Action": [
            "sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
            "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
         "Resource": ["arn:aws:sqs:us-east-1:123456789012:jobs"]},
        {"Effect": "Allow", "Action": ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
         "Resource": [table_arn]},
        {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [
            {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/jobs/token"}]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::reports/latest.csv"]},
    ]);
    assert_eq!(Value::Array(statements), expected);
}

#[test]
fn an_aws_managed_topic_grants_no_kms_and_publishing_twice_merges() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let a = Topic::standard(&stack, "A");
    let b = Topic::standard(&stack, "B");
    let worker = Function::new(&stack, "Worker")
        .image(IMAGE)
        .publishes_to("a", &a);
    b.grant_publish(&worker);
    a.grant_publish(&worker);
    let t = template(&app);
    let statements = role_statements(&t);
    assert_eq!(statements.len(), 2, "{statements:#?}");
    assert_eq!(
        statements[1],
        json!({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [
            {"Ref": a.node().logical_id()}, {"Ref": b.node().logical_id()}]})
    );
    let (_, function) = of_type(&t, "AWS::Serverless::Function")[0];
    assert_eq!(
        function["Properties"]["Environment"]["Variables"]["SNS_TOPIC_ARN_A"],
        json!({"Ref": a.node().logical_id()})
    );
}

#[test]
fn grant_invoke_lets_another_role_call_exactly_this_function() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    let policy = RolePolicy::new();
    worker.grant_invoke(&policy);
    let statements = serde_json::to_value(policy.statements()).expect("json");
    assert_eq!(
        statements,
        json!([{"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                "Resource": [{"Fn::GetAtt": [worker.node().logical_id(), "Arn"]}]}])
    );
}

#[test]
fn added_environment_takes_intrinsics_and_is_checked() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let table = RecordTable::new(&stack, "Runs");
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    worker.add_environment("CLOUDCRON_IDEMPOTENCY_TABLE", table.name());
    let t = template(&app);
    let (_, function) = of_type(&t, "AWS::Serverless::Function")[0];
    assert_eq!(
        function["Properties"]["Environment"]["Variables"]["CLOUDCRON_IDEMPOTENCY_TABLE"],
        json!({"Ref": table.node().logical_id()})
    );

    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let worker = Function::new(&stack, "Worker")
        .image(IMAGE)
        .env("MODE", "a");
    worker.add_environment("MODE", "b");
    worker.add_environment("AWS_REGION", "us-east-1");
    worker.add_environment("API_TOKEN", "hunter2");
    let errors = errors(&app);
    let messages: Vec<&str> = errors.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("MODE is set by both")),
        "{messages:#?}"
    );
    assert!(messages
        .iter()
        .any(|m| m.contains("AWS_REGION is reserved by Lambda")));
    assert!(messages
        .iter()
        .any(|m| m.contains("API_TOKEN looks like a secret")));
    assert!(errors.iter().all(|p| p.path == "Jobs/Worker"));
    assert!(
        !format!("{errors:?}").contains("hunter2"),
        "no secret in errors"
    );
}

#[test]
fn a_function_needs_code_and_topics_of_its_own_stack() {
    let app = App::new();
    let other = Stack::new(&app, "Other");
    let remote = Topic::standard(&other, "Remote");
    let stack = Stack::new(&app, "Jobs");
    Function::new(&stack, "Worker").publishes_to("remote", &remote);
    let errors = errors(&app);
    let no_code = errors
        .iter()
        .find(|p| p.message == "the function has no code")
        .expect("no code");
    assert_eq!(no_code.path, "Jobs/Worker");
    assert!(no_code.fix.contains(".image("));
    let cross = errors
        .iter()
        .find(|p| {
            p.message
                .contains("publishes to topic Other/Remote from another stack")
        })
        .expect("cross-stack");
    assert!(cross.fix.contains("Value::import"));
}

#[test]
fn a_dead_letter_queue_alone_has_its_alarm_and_output() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    // CloudWatch can publish only to a topic under a customer managed key.
    let operators = Topic::standard(&stack, "Operators").kms_key(KEY);
    let failed = DeadLetterQueue::new(&stack, "Failed")
        .alarm_to(&operators)
        .alarm_description("Jobs failed");
    let t = template(&app);
    let queue_id = failed.node().logical_id();
    let queue = &t["Resources"][&queue_id];
    assert_eq!(queue["Type"], "AWS::SQS::Queue");
    assert_eq!(queue["Properties"]["KmsMasterKeyId"], "alias/aws/sqs");
    assert_eq!(queue["Properties"]["MessageRetentionPeriod"], 1_209_600);
    assert_eq!(queue["DeletionPolicy"], "Delete");
    let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
    assert_eq!(alarms.len(), 1);
    let alarm = &alarms[0].1["Properties"];
    assert_eq!(alarm["AlarmDescription"], "Jobs failed");
    assert_eq!(alarm["Threshold"], 0.0);
    assert_eq!(
        alarm["Dimensions"][0]["Value"],
        json!({"Fn::GetAtt": [queue_id, "QueueName"]})
    );
    assert_eq!(
        alarm["AlarmActions"],
        json!([{"Ref": operators.node().logical_id()}])
    );
    assert_eq!(alarm["OKActions"], alarm["AlarmActions"]);
    assert_eq!(
        t["Outputs"][format!("{queue_id}Url")]["Value"],
        json!({"Ref": queue_id})
    );
    assert_eq!(failed.url(), CfnValue::reference(queue_id.as_str()));
}

#[test]
fn a_dead_letter_queue_for_sns_is_fifo_and_sse_sqs_on_request() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let failed = DeadLetterQueue::new(&stack, "Failed")
        .fifo()
        .sqs_managed_encryption();
    let t = template(&app);
    let queue = &t["Resources"][failed.node().logical_id()];
    assert_eq!(queue["Properties"]["FifoQueue"], true);
    assert_eq!(queue["Properties"]["SqsManagedSseEnabled"], true);
    assert!(queue["Properties"].get("KmsMasterKeyId").is_none());
    assert!(queue["Metadata"]["checkov"]["skip"]
        .to_string()
        .contains("CKV_AWS_27"));
}

#[test]
fn a_dead_letter_alarm_cannot_notify_another_stack() {
    let app = App::new();
    let other = Stack::new(&app, "Other");
    let remote = Topic::standard(&other, "Remote");
    let stack = Stack::new(&app, "Jobs");
    DeadLetterQueue::new(&stack, "Failed").alarm_to(&remote);
    let errors = errors(&app);
    let found: Vec<&Problem> = errors
        .iter()
        .filter(|p| {
            p.message
                .contains("sends its alarms to topic Other/Remote from another stack")
        })
        .collect();
    assert_eq!(found.len(), 1, "{errors:#?}");
    assert_eq!(found[0].path, "Jobs/Failed");
    assert!(found[0].fix.contains("OpsTopic::new"));
}

#[test]
fn a_record_table_alone_is_the_runtime_table() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let table = RecordTable::new(&stack, "Runs");
    let t = template(&app);
    let resource = &t["Resources"][table.node().logical_id()];
    assert_eq!(resource["Type"], "AWS::DynamoDB::Table");
    assert_eq!(resource["Properties"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        resource["Properties"]["TimeToLiveSpecification"]["Enabled"],
        true
    );
}

#[test]
fn scheduled_functions_expose_their_function_for_grants() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let jobs = QueueRef::from_arn("arn:aws:sqs:us-east-1:123456789012:jobs");
    let report = cfn_gen::ScheduledLambda::new(&stack, "Report")
        .image(IMAGE)
        .schedule(cfn_gen::Schedule::rate(1, cfn_gen::TimeUnit::Hours));
    jobs.grant_send(report.function());
    assert_eq!(report.function().arn(), report.function_arn());
    let t = template(&app);
    let roles = of_type(&t, "AWS::IAM::Role");
    let execution = roles
        .iter()
        .find(|(id, _)| id.starts_with("ReportRole"))
        .expect("execution role");
    let statements = &execution.1["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    // logs, the dead-letter queue (failure destination), then the user's grant
    let sends: Vec<&Value> = statements
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| s["Action"] == json!(["sqs:SendMessage"]))
        .collect();
    assert_eq!(sends.len(), 1, "merged into one statement: {statements:#}");
    assert_eq!(
        sends[0]["Resource"][1],
        json!("arn:aws:sqs:us-east-1:123456789012:jobs")
    );
}

#[test]
fn a_republished_image_grants_pull_on_exactly_its_repository() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let image = cfn_gen::ImageRepublish::new(&stack, "Vendor")
        .source("123456789012.dkr.ecr.us-west-2.amazonaws.com/vendor", "v1");
    let policy = RolePolicy::new();
    image.grant_pull(&policy);
    image.grant_pull(&policy);
    let statements = serde_json::to_value(policy.statements()).expect("json");
    assert_eq!(
        statements,
        json!([
            {"Sid": "EcrLoginHasNoResource", "Effect": "Allow",
             "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
            {"Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": [{"Fn::GetAtt": [image.node().child_logical_id("Repository"), "Arn"]}]},
        ])
    );
}

#[path = "private_network/vpc.rs"]
mod vpc;

#[path = "private_network/fargate.rs"]
mod fargate;
