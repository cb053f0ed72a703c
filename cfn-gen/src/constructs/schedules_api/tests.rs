//! Wiring of the HTTP API: routes behind IAM or a JWT authorizer, the
//! handler's grants and variables, access logs, throttling, the invoke
//! permission, and each synth check with its fix.

use serde_json::{json, Value as Json};

use super::SchedulesApi;
use crate::validate::Severity;
use crate::{App, BuiltinFunctions, OneOffSchedules, Problem, Stack, Topic};

fn app() -> App {
    App::new().builtin_functions(BuiltinFunctions::default().scheduler_api(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/scheduler-api"
    )))
}

fn of_type<'a>(t: &'a Json, ty: &str) -> Vec<(&'a String, &'a Json)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn j(value: crate::Value) -> Json {
    serde_json::to_value(value).expect("serializes")
}

fn problems(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(s) => s.warnings,
        Err(e) => e.problems,
    }
}

#[test]
fn iam_authorization_guards_every_route_and_the_handler_manages_the_group() {
    let app = app();
    let stack = Stack::new(&app, "Reminders");
    let due = Topic::standard(&stack, "Due");
    let schedules = OneOffSchedules::new(&stack, "Later", &due);
    let api = SchedulesApi::new(&stack, "Api", &schedules)
        .iam_tenant("principalOrgId")
        .throttle(10, 5.0);
    let t = app.synth().expect("valid").stacks[0].template.to_json();

    let routes = of_type(&t, "AWS::ApiGatewayV2::Route");
    let keys: Vec<&str> = routes
        .iter()
        .map(|(_, r)| r["Properties"]["RouteKey"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, super::ROUTES);
    assert!(routes
        .iter()
        .all(|(_, r)| r["Properties"]["AuthorizationType"] == "AWS_IAM"
            && r["Properties"].get("AuthorizerId").is_none()));
    assert!(of_type(&t, "AWS::ApiGatewayV2::Authorizer").is_empty());

    let integration = of_type(&t, "AWS::ApiGatewayV2::Integration")[0].1;
    assert_eq!(
        integration["Properties"]["IntegrationUri"],
        j(api.handler().arn())
    );
    assert_eq!(integration["Properties"]["PayloadFormatVersion"], "2.0");

    let stage = &of_type(&t, "AWS::ApiGatewayV2::Stage")[0].1["Properties"];
    assert_eq!(stage["StageName"], "$default");
    assert_eq!(
        stage["DefaultRouteSettings"],
        json!({"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0})
    );
    let format = stage["AccessLogSettings"]["Format"]
        .as_str()
        .expect("format");
    assert!(format.contains("$context.requestId"));
    assert!(!format.contains("body") && !format.contains("header"));

    let permission = &of_type(&t, "AWS::Lambda::Permission")[0].1["Properties"];
    assert_eq!(permission["Principal"], "apigateway.amazonaws.com");
    assert_eq!(permission["FunctionName"], j(api.handler().arn()));

    let handler = of_type(&t, "AWS::Serverless::Function")[0].1;
    let env = &handler["Properties"]["Environment"]["Variables"];
    assert_eq!(env["CLOUDCRON_API_IAM_TENANT"], "principalOrgId");
    assert_eq!(env["CLOUDCRON_ONE_OFF_GROUP"], j(schedules.group()));
    assert_eq!(handler["Properties"]["Timeout"], 29);
    assert_eq!(
        handler["Metadata"]["BuildProperties"]["Binary"],
        "scheduler-api"
    );
    let text = t.to_string();
    assert!(text.contains("iam:PassRole") && text.contains("scheduler:CreateSchedule"));
    assert_eq!(
        t["Outputs"]
            .as_object()
            .expect("outputs")
            .iter()
            .filter(|(_, o)| o["Value"] == j(api.url()))
            .count(),
        1
    );
}

#[test]
fn a_jwt_authorizer_names_the_issuer_audience_and_tenant_claim() {
    let app = app();
    let stack = Stack::new(&app, "Reminders");
    let due = Topic::standard(&stack, "Due");
    let schedules = OneOffSchedules::new(&stack, "Later", &due);
    SchedulesApi::new(&stack, "Api", &schedules)
        .jwt(
            "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc123",
            ["client-1"],
        )
        .tenant_claim("custom:tenant");
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let (authorizer_id, authorizer) = of_type(&t, "AWS::ApiGatewayV2::Authorizer")[0];
    assert_eq!(
        authorizer["Properties"]["JwtConfiguration"],
        json!({"Issuer": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc123", "Audience": ["client-1"]})
    );
    assert!(of_type(&t, "AWS::ApiGatewayV2::Route")
        .iter()
        .all(|(_, r)| {
            r["Properties"]["AuthorizationType"] == "JWT"
                && r["Properties"]["AuthorizerId"] == json!({"Ref": authorizer_id})
        }));
    let env =
        &of_type(&t, "AWS::Serverless::Function")[0].1["Properties"]["Environment"]["Variables"];
    assert_eq!(env["CLOUDCRON_API_TENANT_CLAIM"], "custom:tenant");
    assert!(env.get("CLOUDCRON_API_IAM_TENANT").is_none());
}

#[test]
fn each_bad_setting_is_an_error_naming_the_path_and_a_fix() {
    let app = app();
    let stack = Stack::new(&app, "Jobs");
    let due = Topic::standard(&stack, "Due");
    let schedules = OneOffSchedules::new(&stack, "Later", &due);
    SchedulesApi::new(&stack, "Iam", &schedules)
        .iam_tenant("accountid")
        .throttle(0, 5.0)
        .access_log_retention_days(10);
    SchedulesApi::new(&stack, "Jwt", &schedules).jwt("http://issuer.example", Vec::<String>::new());
    SchedulesApi::new(&stack, "Claim", &schedules).tenant_claim("custom:tenant");
    let found = problems(&app);
    let at = |path: &str, text: &str| {
        found
            .iter()
            .find(|p| p.path == path && p.message.contains(text))
            .unwrap_or_else(|| panic!("no problem at {path} saying `{text}` in {found:?}"))
    };
    assert!(at("Jobs/Iam", "`accountid`").fix.contains("\"accountId\""));
    assert!(at("Jobs/Iam", "lets no request through")
        .fix
        .contains(".throttle(50, 20.0)"));
    assert!(at("Jobs/Iam", "10 days").fix.contains("90"));
    assert!(at("Jobs/Jwt", "not an https:// URL")
        .fix
        .contains("https://"));
    assert!(at("Jobs/Jwt", "no (or a blank) audience")
        .fix
        .contains("app-client-id"));
    assert!(at("Jobs/Claim", "no JWT issuer").fix.contains(".jwt("));
    assert!(found
        .iter()
        .filter(|p| p.path.starts_with("Jobs/Iam")
            || p.path.starts_with("Jobs/Jwt")
            || p.path.starts_with("Jobs/Claim"))
        .all(|p| p.severity == Severity::Error || p.message.contains("alarm")));
}

#[test]
fn without_a_package_for_the_handler_synth_says_how_to_add_one() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let due = Topic::standard(&stack, "Due");
    let schedules = OneOffSchedules::new(&stack, "Later", &due);
    SchedulesApi::new(&stack, "Api", &schedules);
    let found = problems(&app);
    let missing = found
        .iter()
        .find(|p| p.path == "Jobs/Api" && p.message.contains("`scheduler-api`"))
        .unwrap_or_else(|| panic!("{found:?}"));
    assert!(missing
        .fix
        .contains("cloud_cron_scheduler_api::bin::main()"));
}
