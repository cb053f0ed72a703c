//! `Stack::add_resource`: any resource type, wired to the constructs.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::{App, Resource, Stack, Topic, Value};
use serde_json::json;

use crate::{error_with, errors, map, quoted, template, ticked};

fn rule(topic: &Topic) -> Resource {
    Resource::raw(
        "AWS::Events::Rule",
        map([
            ("ScheduleExpression", "rate(1 day)".into()),
            (
                "Targets",
                Value::List(vec![map([("Id", "alerts".into()), ("Arn", topic.arn())])]),
            ),
        ]),
    )
}

#[test]
fn a_raw_resource_refers_to_a_topic_and_is_referred_to() {
    let app = App::new();
    let stack = Stack::new(&app, "Raw");
    let alerts = Topic::standard(&stack, "Alerts");
    let rule = stack.add_resource("Nightly", rule(&alerts));
    let bucket = stack.add_resource_verbatim(
        "ReportsBucket",
        Resource::raw("AWS::S3::Bucket", map([])).depends_on(rule.logical_id()),
    );
    stack.add_resource(
        "Policy",
        Resource::raw(
            "AWS::SNS::TopicPolicy",
            map([
                ("Topics", Value::List(vec![alerts.arn()])),
                (
                    "PolicyDocument",
                    map([
                        ("Version", "2012-10-17".into()),
                        (
                            "Statement",
                            Value::List(vec![map([
                                ("Effect", "Allow".into()),
                                ("Action", "sns:Publish".into()),
                                ("Resource", alerts.arn()),
                                (
                                    "Principal",
                                    map([("Service", "events.amazonaws.com".into())]),
                                ),
                                (
                                    "Condition",
                                    map([(
                                        "ArnEquals",
                                        map([("aws:SourceArn", rule.get_att("Arn"))]),
                                    )]),
                                ),
                            ])]),
                        ),
                    ]),
                ),
            ]),
        ),
    );
    assert_eq!(rule.logical_id(), from_path(&["Nightly"]));
    assert_eq!(bucket.logical_id(), "ReportsBucket");
    assert_eq!(bucket.ref_(), Value::reference("ReportsBucket"));

    let t = template(&app);
    let topic_id = from_path(&["Alerts"]);
    let r = &t["Resources"][rule.logical_id()];
    assert_eq!(r["Type"], "AWS::Events::Rule");
    assert_eq!(
        r["Properties"]["Targets"][0]["Arn"],
        json!({"Ref": topic_id})
    );
    assert_eq!(
        t["Resources"]["ReportsBucket"]["DependsOn"],
        json!([rule.logical_id()])
    );
    let policy = &t["Resources"][from_path(&["Policy"])];
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"][0]["Condition"]["ArnEquals"]
            ["aws:SourceArn"],
        json!({"Fn::GetAtt": [rule.logical_id(), "Arn"]})
    );
}

#[test]
fn malformed_types_and_ids_are_errors_whose_fixes_work() {
    let app = App::new();
    let stack = Stack::new(&app, "Raw");
    stack.add_resource("Bucket", Resource::raw("AWS::S3:Bucket", map([])));
    stack.add_resource_verbatim("reports-bucket", Resource::raw("AWS::S3::Bucket", map([])));
    stack.add_resource("Hook", Resource::raw("Custom::Hook", map([])));
    let errs = errors(&app);
    let bad_type = error_with(&errs, "resource type `AWS::S3:Bucket`");
    assert_eq!(bad_type.path, "Raw/Bucket");
    let bad_id = error_with(&errs, "logical ID `reports-bucket`");
    assert_eq!(bad_id.path, "Raw/reports-bucket");
    let custom = error_with(&errs, "has no ServiceToken");
    assert_eq!(custom.path, "Raw/Hook");
    assert!(custom.fix.contains("ServiceToken"), "{}", custom.fix);

    let app = App::new();
    let stack = Stack::new(&app, "Raw");
    stack.add_resource("Bucket", Resource::raw(ticked(&bad_type.fix), map([])));
    stack.add_resource_verbatim(
        &quoted(&bad_id.fix),
        Resource::raw("AWS::S3::Bucket", map([])),
    );
    stack.add_resource(
        "Hook",
        Resource::raw(
            "Custom::Hook",
            map([(
                "ServiceToken",
                "arn:aws:lambda:us-east-1:123456789012:function:hook".into(),
            )]),
        ),
    );
    assert_eq!(errors(&app), vec![], "the fixes synthesize");
}
