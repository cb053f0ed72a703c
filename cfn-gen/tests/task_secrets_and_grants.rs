//! `.secret(..)` / `.secret_with_key(..)` and `.grant(..)` on
//! `ScheduledLambda` and `Function`: the reference in
//! `CLOUDCRON_SECRET_<NAME>`, read grants on exactly that secret, and the
//! synth-time checks of names, references, keys and extra statements.

use cfn_gen::resources::iam::Statement;
use cfn_gen::{
    App, Function, Problem, Schedule, ScheduledLambda, SecretRef, Stack, TimeUnit,
    Value as CfnValue,
};
use serde_json::{json, Value};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn scheduled(stack: &Stack) -> ScheduledLambda {
    ScheduledLambda::new(stack, "Sync")
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}

fn function_of(t: &Value) -> &Value {
    t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .find(|r| r["Type"] == "AWS::Serverless::Function")
        .expect("a function")
}

fn statements(t: &Value) -> Vec<Value> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(id, r)| r["Type"] == "AWS::IAM::Role" && !id.contains("ScheduleRole"))
        .flat_map(|(_, r)| {
            r["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn a_secret_is_a_reference_in_the_environment_and_a_read_grant_on_exactly_it() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    scheduled(&stack)
        .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))
        .secret_with_key(
            "ODOO_API_KEY",
            SecretRef::secrets_manager("erp/odoo-api-key"),
            KEY,
        );
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let vars = &function_of(&t)["Properties"]["Environment"]["Variables"];
    assert_eq!(
        vars["CLOUDCRON_SECRET_ODOO_PASSWORD"],
        "ssm:/erp/odoo/password"
    );
    assert_eq!(
        vars["CLOUDCRON_SECRET_ODOO_API_KEY"],
        "secretsmanager:erp/odoo-api-key"
    );
    let statements = statements(&t);
    assert!(statements.contains(&json!({
        "Effect": "Allow",
        "Action": ["ssm:GetParameter"],
        "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/erp/odoo/password"}]
    })), "{statements:#?}");
    assert!(statements.contains(&json!({
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:erp/odoo-api-key-??????"}]
    })), "{statements:#?}");
    assert!(
        statements.contains(&json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [KEY]
        })),
        "{statements:#?}"
    );
}

#[test]
fn a_function_takes_secrets_and_grants_too() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    Function::new(&stack, "Worker")
        .image(IMAGE)
        .secret("TOKEN", SecretRef::ssm("/erp/token"))
        .grant(Statement::allow(
            ["s3:GetObject"],
            vec![CfnValue::from("arn:aws:s3:::erp-exports/*")],
        ))
        .grant(Statement::allow(
            ["cloudwatch:PutMetricData"],
            vec![CfnValue::from("*")],
        ));
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    assert_eq!(
        function_of(&t)["Properties"]["Environment"]["Variables"]["CLOUDCRON_SECRET_TOKEN"],
        "ssm:/erp/token"
    );
    let statements = statements(&t);
    assert!(
        statements.contains(&json!({
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::erp-exports/*"]
        })),
        "{statements:#?}"
    );
    assert!(
        statements.contains(&json!({
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"]
        })),
        "{statements:#?}"
    );
}

#[test]
fn bad_names_duplicates_references_and_keys_are_named() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    scheduled(&stack)
        .secret("odoo-password", SecretRef::ssm("/erp/a"))
        .secret("TOKEN", SecretRef::ssm("/erp/b"))
        .secret("TOKEN", SecretRef::ssm("/erp/c"))
        .secret("BAD_REF", SecretRef::ssm("not a name"))
        .secret_with_key("KEYED", SecretRef::ssm("/erp/d"), "alias/erp");
    let errors = errors(&app);
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 4, "{text:#?}");
    assert!(errors.iter().all(|e| e.path == "Erp/Sync"), "{text:#?}");
    assert!(
        text.iter()
            .any(|e| e.contains("`odoo-password`") && e.contains("ODOO_PASSWORD")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|e| e.contains("secret TOKEN is declared twice")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|e| e.contains("secret BAD_REF") && e.contains("SecretRef::ssm")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|e| e.contains("`alias/erp` is not a KMS key ARN")),
        "{text:#?}"
    );
}

#[test]
fn a_secret_value_given_as_its_reference_is_rejected_and_not_echoed() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    let token = format!("ghp_{}", "A".repeat(36));
    scheduled(&stack).secret("GITHUB_TOKEN", SecretRef::secrets_manager(&token));
    let text: Vec<String> = errors(&app).iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(!text[0].contains(&token), "{text:#?}");
}

#[test]
fn wildcard_grants_are_rejected_with_the_statement_and_the_fix() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    scheduled(&stack)
        .grant(Statement::allow(
            ["s3:GetObject"],
            vec![CfnValue::from("*")],
        ))
        .grant(Statement::allow(
            ["dynamodb:*"],
            vec![CfnValue::from(
                "arn:aws:dynamodb:us-east-1:123456789012:table/erp",
            )],
        ))
        .grant(Statement::allow(
            ["*"],
            vec![CfnValue::from("arn:aws:s3:::erp")],
        ))
        .grant(Statement::allow(
            ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            vec![CfnValue::from("*")],
        ));
    let text: Vec<String> = errors(&app).iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:#?}");
    assert!(
        text[0].contains("grant #1")
            && text[0].contains("s3:GetObject")
            && text[0].contains("scope the statement to the exact ARN"),
        "{text:#?}"
    );
    assert!(
        text[1].contains("grant #2") && text[1].contains("dynamodb:*"),
        "{text:#?}"
    );
    assert!(
        text[2].contains("grant #3") && text[2].contains("every service"),
        "{text:#?}"
    );
}
