//! Unit tests of [`SyncPipeline`]: the resources and their wiring, and the checks.

use std::time::Duration;

use serde_json::Value as Json;

use super::*;
use crate::construct::App;
use crate::constructs::OpsTopic;

fn pipeline(app: &App) -> SyncPipeline {
    let stack = Stack::new(app, "Sync");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    SyncPipeline::new(&stack, "Orders")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
        .tenants(["acme", "globex"])
        .streams(["sales_orders", "contacts"])
}

fn resources(app: &App) -> serde_json::Map<String, Json> {
    let synthesis = app.synth().expect("valid");
    let json = synthesis.stacks[0].template.to_json();
    json["Resources"].as_object().expect("resources").clone()
}

fn of_type<'a>(
    resources: &'a serde_json::Map<String, Json>,
    ty: &str,
) -> Vec<(&'a String, &'a Json)> {
    resources.iter().filter(|(_, r)| r["Type"] == ty).collect()
}

fn function<'a>(resources: &'a serde_json::Map<String, Json>, role: &str) -> &'a Json {
    of_type(resources, "AWS::Serverless::Function")
        .into_iter()
        .map(|(_, r)| r)
        .find(|r| r["Properties"]["Environment"]["Variables"]["CLOUDCRON_SYNC_ROLE"] == role)
        .unwrap_or_else(|| panic!("no {role} function"))
}

fn errors(app: &App) -> Vec<String> {
    app.synth()
        .expect_err("invalid")
        .errors()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_fifo_queue_grouped_by_tenant_feeds_the_worker_with_partial_batch_failures() {
    let app = App::new();
    pipeline(&app).max_concurrency(7);
    let resources = resources(&app);
    let queues = of_type(&resources, "AWS::SQS::Queue");
    // The work queue and its dead-letter queue, both FIFO, and the dispatcher's
    // (standard) dead-letter queue.
    assert_eq!(queues.len(), 3);
    assert_eq!(
        queues
            .iter()
            .filter(|(_, q)| q["Properties"]["FifoQueue"] == true)
            .count(),
        2
    );
    let (work_id, work) = queues
        .iter()
        .find(|(_, q)| q["Properties"].get("RedrivePolicy").is_some())
        .expect("work queue");
    assert_eq!(work["Properties"]["RedrivePolicy"]["maxReceiveCount"], 5);
    assert_eq!(work["Properties"]["VisibilityTimeout"], 720, "6 x 120 s");

    let mappings = of_type(&resources, "AWS::Lambda::EventSourceMapping");
    assert_eq!(mappings.len(), 1);
    let mapping = &mappings[0].1["Properties"];
    assert_eq!(mapping["EventSourceArn"]["Fn::GetAtt"][0], work_id.as_str());
    assert_eq!(
        mapping["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
    assert_eq!(mapping["ScalingConfig"]["MaximumConcurrency"], 7);
    assert_eq!(mapping["BatchSize"], 1);

    let worker = function(&resources, "worker");
    let vars = &worker["Properties"]["Environment"]["Variables"];
    assert_eq!(vars["CLOUDCRON_SYNC_QUEUE_URL"]["Ref"], work_id.as_str());
    assert_eq!(
        vars["CLOUDCRON_SYNC_STREAMS"],
        r#"["sales_orders","contacts"]"#
    );
    assert!(vars["CLOUDCRON_SYNC_SETTINGS"]
        .as_str()
        .is_some_and(|s| s.contains("\"batchLimit\":200")));
    assert!(vars.get("CLOUDCRON_SYNC_RECORD_TABLE").is_some());
    let dispatcher = function(&resources, "dispatcher");
    assert_eq!(
        dispatcher["Properties"]["Environment"]["Variables"]["CLOUDCRON_SYNC_TENANTS"],
        r#"["acme","globex"]"#
    );
}

#[test]
fn grants_are_exactly_what_each_function_does() {
    let app = App::new();
    pipeline(&app).status_api(StatusAuth::jwt("https://auth.example.com", ["dashboard"]));
    let resources = resources(&app);
    let role_actions = |role: &str| -> Vec<String> {
        let function = function(&resources, role);
        let role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .expect("role")
            .to_owned();
        resources[&role_id]["Properties"]["Policies"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|p| {
                p["PolicyDocument"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .flat_map(|s| match &s["Action"] {
                Json::Array(a) => a
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect(),
                Json::String(a) => vec![a.clone()],
                _ => vec![],
            })
            .collect()
    };
    let dispatcher = role_actions("dispatcher");
    assert!(
        dispatcher.contains(&"sqs:SendMessage".to_owned()),
        "{dispatcher:?}"
    );
    assert!(dispatcher.contains(&"dynamodb:Query".to_owned()));
    assert!(!dispatcher.contains(&"dynamodb:PutItem".to_owned()));
    let worker = role_actions("worker");
    for action in [
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
    ] {
        assert!(
            worker.contains(&action.to_owned()),
            "{action} in {worker:?}"
        );
    }
    let status = role_actions("status");
    assert!(status.contains(&"dynamodb:Query".to_owned()));
    assert!(
        !status
            .iter()
            .any(|a| a.starts_with("sqs:") || a == "dynamodb:PutItem"),
        "{status:?}"
    );
}

#[test]
fn alarms_cover_backlog_worker_dead_letters_and_dispatcher_and_go_to_the_ops_topic() {
    let app = App::new();
    pipeline(&app).status_api(StatusAuth::jwt("https://auth.example.com", ["dashboard"]));
    let resources = resources(&app);
    let alarms = of_type(&resources, "AWS::CloudWatch::Alarm");
    let metrics: Vec<(&str, &str)> = alarms
        .iter()
        .map(|(_, a)| {
            (
                a["Properties"]["MetricName"].as_str().unwrap_or_default(),
                a["Properties"]["AlarmDescription"]
                    .as_str()
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert!(metrics
        .iter()
        .any(|(m, d)| *m == "ApproximateAgeOfOldestMessage" && d.starts_with("Sync/OrdersQueue:")));
    assert!(metrics
        .iter()
        .any(|(m, d)| *m == "Errors" && d.contains("sync worker")));
    assert!(metrics
        .iter()
        .any(|(m, d)| *m == "Errors" && d.contains("status endpoint")));
    assert!(metrics
        .iter()
        .any(|(m, d)| *m == "Errors" && d.contains("scheduled task")));
    // Dead-letter queues: the dispatcher's and the pipeline's.
    assert_eq!(
        metrics
            .iter()
            .filter(|(m, _)| *m == "ApproximateNumberOfMessagesVisible")
            .count(),
        2
    );
    for (id, alarm) in alarms {
        assert!(
            alarm["Properties"]["AlarmActions"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{id} has no action"
        );
    }
}

#[test]
fn the_status_endpoint_is_a_jwt_protected_http_api_calling_the_status_function() {
    let app = App::new();
    pipeline(&app).status_api(
        StatusAuth::jwt(
            "https://cognito-idp.eu-west-1.amazonaws.com/pool",
            ["client"],
        )
        .tenant_claim("custom:tenant"),
    );
    let resources = resources(&app);
    let authorizer = of_type(&resources, "AWS::ApiGatewayV2::Authorizer");
    assert_eq!(authorizer.len(), 1);
    let config = &authorizer[0].1["Properties"]["JwtConfiguration"];
    assert_eq!(
        config["Issuer"],
        "https://cognito-idp.eu-west-1.amazonaws.com/pool"
    );
    assert_eq!(config["Audience"][0], "client");
    let route = &of_type(&resources, "AWS::ApiGatewayV2::Route")[0].1["Properties"];
    assert_eq!(route["RouteKey"], "GET /status");
    assert_eq!(route["AuthorizationType"], "JWT");
    let status = function(&resources, "status");
    assert_eq!(
        status["Properties"]["Environment"]["Variables"]["CLOUDCRON_SYNC_TENANT_CLAIM"],
        "custom:tenant"
    );
    let permission = &of_type(&resources, "AWS::Lambda::Permission")[0].1["Properties"];
    assert_eq!(permission["Principal"], "apigateway.amazonaws.com");
    // Without status_api: no API, no status function.
    let app = App::new();
    pipeline(&app);
    let without = self::resources(&app);
    assert!(of_type(&without, "AWS::ApiGatewayV2::Api").is_empty());
    assert_eq!(of_type(&without, "AWS::Serverless::Function").len(), 2);
}

#[test]
fn synthesis_is_deterministic() {
    let text = || {
        let app = App::new();
        pipeline(&app).status_api(StatusAuth::jwt("https://auth.example.com", ["d"]));
        app.synth().expect("valid").stacks[0].text.clone()
    };
    assert_eq!(text(), text());
}

#[test]
fn checks_name_the_pipeline_the_problem_and_a_fix() {
    let app = App::new();
    let stack = Stack::new(&app, "Sync");
    SyncPipeline::new(&stack, "Orders")
        .tenants(["acme", "acme", "bad/tenant"])
        .streams(Vec::<String>::new())
        .max_concurrency(1)
        .batch_size(11)
        .window_limits(Duration::from_secs(7200), Duration::from_secs(3600))
        .lease(Duration::from_secs(60))
        .status_api(StatusAuth::jwt(
            "http://auth.example.com",
            Vec::<String>::new(),
        ));
    let errors = errors(&app);
    let expect = |needle: &str| {
        assert!(
            errors
                .iter()
                .any(|e| e.contains("Sync/Orders") && e.contains(needle)),
            "no error about {needle}: {errors:#?}"
        );
    };
    expect("listed twice");
    expect("`bad/tenant`");
    expect("no streams");
    expect("max_concurrency is 1");
    expect("batch_size is 11");
    expect("narrower than the narrowest");
    expect("not longer than the worker's timeout");
    expect("not an https:// URL");
    expect("audience is empty");
    expect("no code");
}

#[test]
fn the_suggested_fixes_work() {
    // Every fix of the previous test, applied: synth succeeds.
    let app = App::new();
    let stack = Stack::new(&app, "Sync");
    SyncPipeline::new(&stack, "Orders")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
        .tenants(["acme", "acme-eu"])
        .streams(["a", "b"])
        .max_concurrency(2)
        .batch_size(1)
        .window_limits(Duration::from_secs(1800), Duration::from_secs(86400))
        .lease(Duration::from_secs(300))
        .status_api(StatusAuth::jwt(
            "https://cognito-idp.REGION.amazonaws.com/POOL_ID",
            ["CLIENT_ID"],
        ));
    app.synth().expect("the fixes make it valid");
}
