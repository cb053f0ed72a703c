//! `Stack::permissions_boundary`: every role, and the roles SAM creates.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::{Resource, Value};
use serde_json::json;

use crate::{error_with, errors, map, of_type, scheduled_app, template, IMAGE};

const BOUNDARY: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/DeveloperBoundary";

fn trust() -> Value {
    map([
        ("Version", "2012-10-17".into()),
        (
            "Statement",
            Value::List(vec![map([
                ("Effect", "Allow".into()),
                (
                    "Principal",
                    map([("Service", "lambda.amazonaws.com".into())]),
                ),
                ("Action", "sts:AssumeRole".into()),
            ])]),
        ),
    ])
}

#[test]
fn every_role_and_every_sam_created_role_gets_the_boundary() {
    let (app, stack, _) = scheduled_app("Bounded");
    stack.permissions_boundary(Value::sub(BOUNDARY));
    stack.add_resource(
        "ExtraRole",
        Resource::raw(
            "AWS::IAM::Role",
            map([("AssumeRolePolicyDocument", trust())]),
        ),
    );
    let own = stack.add_resource(
        "OwnBoundary",
        Resource::raw(
            "AWS::IAM::Role",
            map([
                ("AssumeRolePolicyDocument", trust()),
                (
                    "PermissionsBoundary",
                    "arn:aws:iam::123456789012:policy/Other".into(),
                ),
            ]),
        ),
    );
    let sam_role = stack.add_resource(
        "SamRole",
        Resource::raw(
            "AWS::Serverless::Function",
            map([("PackageType", "Image".into()), ("ImageUri", IMAGE.into())]),
        ),
    );
    let t = template(&app);
    let roles = of_type(&t, "AWS::IAM::Role");
    assert!(roles.len() >= 4, "{roles:?}");
    for (id, role) in roles {
        let expected = if *id == own.logical_id() {
            json!("arn:aws:iam::123456789012:policy/Other")
        } else {
            json!({"Fn::Sub": BOUNDARY})
        };
        assert_eq!(role["Properties"]["PermissionsBoundary"], expected, "{id}");
    }
    for (id, f) in of_type(&t, "AWS::Serverless::Function") {
        let props = &f["Properties"];
        if *id == sam_role.logical_id() {
            assert_eq!(props["PermissionsBoundary"], json!({"Fn::Sub": BOUNDARY}));
        } else {
            assert!(props.get("Role").is_some(), "{id}");
            assert!(
                props.get("PermissionsBoundary").is_none(),
                "{id}: its role has it"
            );
        }
    }
    assert!(
        t["Resources"][from_path(&["Job", "Role"])]["Properties"]["PermissionsBoundary"]
            .is_object()
    );
}

#[test]
fn a_boundary_that_is_no_policy_arn_is_an_error_whose_fix_works() {
    let (app, stack, _) = scheduled_app("Bounded");
    stack.permissions_boundary("DeveloperBoundary");
    let errs = errors(&app);
    let e = error_with(&errs, "permissions boundary `DeveloperBoundary`");
    assert_eq!(e.path, "Bounded");
    let suggested = e.fix.split('"').nth(1).expect("a quoted ARN").to_owned();
    assert_eq!(suggested, BOUNDARY);

    let (app, stack, _) = scheduled_app("Bounded");
    stack.permissions_boundary(Value::sub(suggested));
    assert_eq!(errors(&app), vec![]);
    let (app, stack, _) = scheduled_app("Bounded");
    stack.permissions_boundary("arn:aws:iam::123456789012:policy/teams/DeveloperBoundary");
    assert_eq!(errors(&app), vec![], "a literal ARN with a path is fine");
}
