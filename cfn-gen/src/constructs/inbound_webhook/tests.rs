//! The inbound webhook's resources (API, stage with access logs and
//! throttling, per route the receiver, integration, route and permission),
//! its grants and alarm, and each synth check with its fix.

use serde_json::{json, Value as Json};

use crate::construct::logical_id::from_path;
use crate::{
    App, BuiltinFunctions, Function, HmacSettings, InboundWebhook, OpsTopic, Problem, SecretRef,
    Stack, WebhookRoute, WorkQueue,
};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn id(path: &[&str]) -> String {
    from_path(path)
}

fn setup() -> (App, Stack, WorkQueue) {
    let app = App::new().builtin_functions(
        BuiltinFunctions::default()
            .webhook_receiver(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/webhook")),
    );
    let stack = Stack::new(&app, "Demo");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    let queue = WorkQueue::fifo(&stack, "Entries").consumer(&worker);
    (app, stack, queue)
}

fn signed() -> WebhookRoute {
    WebhookRoute::hmac(
        HmacSettings::hex("X-Signature"),
        SecretRef::ssm("/tt/webhook-secret"),
    )
    .event_id_pointer("/id")
}

fn template(app: &App) -> Json {
    let synthesis = app.synth().unwrap_or_else(|e| panic!("valid:\n{e}"));
    synthesis.stacks[0].template.to_json()
}

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

#[test]
fn a_route_is_an_integration_a_route_and_a_permission_for_its_receiver() {
    let (app, stack, queue) = setup();
    InboundWebhook::new(&stack, "Hooks").route("/entries/created", signed(), &queue);
    let t = template(&app);
    let r = &t["Resources"];
    let api = id(&["Hooks"]);
    assert_eq!(r[&api]["Type"], "AWS::ApiGatewayV2::Api");
    assert_eq!(r[&api]["Properties"]["ProtocolType"], "HTTP");

    let stage = &r[&id(&["Hooks", "Stage"])]["Properties"];
    assert_eq!(stage["StageName"], "$default");
    assert_eq!(
        stage["DefaultRouteSettings"],
        json!({"ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 20.0, "DetailedMetricsEnabled": true})
    );
    assert_eq!(
        stage["AccessLogSettings"]["DestinationArn"],
        json!({"Fn::GetAtt": [id(&["Hooks", "AccessLogs"]), "Arn"]})
    );
    let format = stage["AccessLogSettings"]["Format"]
        .as_str()
        .expect("format");
    assert!(
        serde_json::from_str::<Json>(format).is_ok(),
        "JSON lines: {format}"
    );

    let prefix = "Route/entries/created/";
    let receiver = id(&["Hooks", &format!("{prefix}Receiver")]);
    let integration = id(&["Hooks", &format!("{prefix}Integration")]);
    assert_eq!(
        r[&integration]["Properties"]["IntegrationUri"],
        json!({"Fn::GetAtt": [receiver, "Arn"]})
    );
    assert_eq!(r[&integration]["Properties"]["PayloadFormatVersion"], "2.0");
    let route = &r[&id(&["Hooks", &format!("{prefix}Route")])]["Properties"];
    assert_eq!(route["RouteKey"], "POST /entries/created");
    assert_eq!(
        route["Target"],
        json!({"Fn::Join": ["/", ["integrations", {"Ref": integration}]]})
    );
    let permission = &r[&id(&["Hooks", &format!("{prefix}Permission")])]["Properties"];
    assert_eq!(permission["Principal"], "apigateway.amazonaws.com");
    assert_eq!(
        permission["SourceArn"],
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*/POST/entries/created")})
    );
    assert_eq!(
        t["Outputs"][format!("{api}Endpoint")]["Value"],
        json!({"Fn::Sub": format!("https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}")})
    );
}

#[test]
fn the_receiver_gets_its_settings_queue_and_secret_references_and_exact_grants() {
    let (app, stack, queue) = setup();
    InboundWebhook::new(&stack, "Hooks").route("/entries", signed(), &queue);
    let t = template(&app);
    let r = &t["Resources"];
    let function = &r[&id(&["Hooks", "Route/entries/Receiver"])]["Properties"];
    let vars = &function["Environment"]["Variables"];
    let settings: Json =
        serde_json::from_str(vars["CLOUDCRON_WEBHOOK"].as_str().expect("settings")).expect("JSON");
    assert_eq!(settings["verification"]["mode"], "hmac");
    assert_eq!(settings["eventId"], json!({"jsonPointer": "/id"}));
    assert_eq!(vars["CLOUDCRON_WEBHOOK_SECRETS"], "ssm:/tt/webhook-secret");
    assert_eq!(
        vars["CLOUDCRON_WEBHOOK_QUEUE_URL"],
        json!({"Ref": id(&["Entries"])})
    );
    assert_eq!(function["Timeout"], 10);

    let role = id(&["Hooks", "Route/entries/Role"]);
    let statements = r[&role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    let actions: Vec<String> = statements.iter().map(|s| s["Action"].to_string()).collect();
    assert!(
        actions.iter().any(|a| a.contains("sqs:SendMessage")),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.contains("ssm:GetParameter")),
        "{actions:?}"
    );
    let send = statements
        .iter()
        .find(|s| s["Action"].to_string().contains("sqs:SendMessage"))
        .expect("send");
    assert_eq!(
        send["Resource"],
        json!([{"Fn::GetAtt": [id(&["Entries"]), "Arn"]}])
    );
}

#[test]
fn server_errors_raise_an_alarm_to_the_stack_destination() {
    let (app, stack, queue) = setup();
    InboundWebhook::new(&stack, "Hooks").route("/entries", signed(), &queue);
    let t = template(&app);
    let alarm = &t["Resources"][&id(&["Hooks", "ServerErrorsAlarm"])]["Properties"];
    assert_eq!(alarm["MetricName"], "5xx");
    assert_eq!(alarm["AlarmActions"], json!([{"Ref": id(&["Ops"])}]));
    assert!(alarm["AlarmDescription"]
        .as_str()
        .is_some_and(|d| d.starts_with("Demo/Hooks: ")));
}

#[test]
fn each_route_has_its_own_receiver() {
    let (app, stack, queue) = setup();
    let hooks = InboundWebhook::new(&stack, "Hooks")
        .route("/a", signed(), &queue)
        .route(
            "/b",
            WebhookRoute::token("X-Token", SecretRef::secrets_manager("tt/token")),
            &queue,
        );
    assert!(hooks.receiver("/a").is_some() && hooks.receiver("/b").is_some());
    assert!(hooks.receiver("/c").is_none());
    let t = template(&app);
    let receivers = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| {
            r["Type"] == "AWS::Serverless::Function"
                && r["Properties"]["Environment"]["Variables"]
                    .get("CLOUDCRON_WEBHOOK")
                    .is_some()
        })
        .count();
    assert_eq!(receivers, 2);
}

#[test]
fn problems_are_named_with_fixes_that_work() {
    let (app, stack, _) = setup();
    InboundWebhook::new(&stack, "Hooks");
    let e = errors(&app);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("no route"));

    let (app, stack, queue) = setup();
    InboundWebhook::new(&stack, "Hooks")
        .route("hooks/a b", signed(), &queue)
        .route("/x", signed(), &queue)
        .route("/x", signed(), &queue)
        .route(
            "/y",
            WebhookRoute::hmac(HmacSettings::hex("Bad Header"), SecretRef::ssm("/s")),
            &queue,
        )
        .throttling(0, 0)
        .access_log_retention_days(42);
    let e = errors(&app);
    let find = |needle: &str| {
        e.iter()
            .find(|p| p.message.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {e:?}"))
    };
    let path = find("is not a webhook path");
    assert_eq!(path.path, "Demo/Hooks (route hooks/a b)");
    assert_eq!(path.fix, ".route(\"/hooks/ab\", ...)");
    find("routed twice");
    let header = find("verification.header");
    assert!(header.fix.contains("X-Signature"), "{}", header.fix);
    find("throttling");
    find("42 days");
    assert_eq!(e.len(), 5, "{e:?}");
}

#[test]
fn a_missing_receiver_package_is_named() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    let queue = WorkQueue::standard(&stack, "Jobs").consumer(&worker);
    InboundWebhook::new(&stack, "Hooks").route("/a", signed(), &queue);
    let e = errors(&app);
    assert!(
        e.iter().any(|p| p.message.contains("`webhook-receiver`")
            && p.fix.contains("cloud_cron_webhook::bin::main()")),
        "{e:?}"
    );
}
