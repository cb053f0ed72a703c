//! Dangling `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn`: named with the
//! construct that wrote them, and fixed as the fix says.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::{App, Parameter, Resource, Stack, Topic, Value};
use serde_json::json;

use crate::{error_with, errors, map, quoted, scheduled_app, ticked};

fn queue_with(policy_topic: Value) -> Resource {
    Resource::raw("AWS::SQS::Queue", map([("QueueName", policy_topic)]))
}

#[test]
fn a_dangling_ref_names_the_construct_and_a_close_id() {
    let (app, stack, _) = scheduled_app("Refs");
    let topic = from_path(&["Alerts"]);
    let typo = topic.replace("Alerts", "Alert");
    stack.add_resource("Q", queue_with(Value::reference(&typo)));
    let errs = errors(&app);
    let e = error_with(&errs, &format!("Ref `{typo}`"));
    assert_eq!(e.path, "Refs/Q");
    assert!(e.message.contains("Properties.QueueName"), "{}", e.message);
    assert!(e.message.contains(&topic), "{}", e.message);

    let (app, stack, _) = scheduled_app("Refs");
    stack.add_resource("Q", queue_with(Value::reference(ticked(&e.fix))));
    assert_eq!(errors(&app), vec![]);
}

#[test]
fn dangling_get_att_and_depends_on_are_fixed_by_adding_the_resource() {
    let app = App::new();
    let stack = Stack::new(&app, "Refs");
    stack.add_resource(
        "Q",
        queue_with(Value::get_att("Nope", "Arn")).depends_on("Gone"),
    );
    let errs = errors(&app);
    let get_att = error_with(&errs, "Fn::GetAtt `Nope`");
    assert_eq!(get_att.path, "Refs/Q");
    let depends = error_with(&errs, "DependsOn `Gone`");
    assert_eq!(depends.path, "Refs/Q");

    let app = App::new();
    let stack = Stack::new(&app, "Refs");
    stack.add_resource(
        "Q",
        queue_with(Value::get_att("Nope", "Arn")).depends_on("Gone"),
    );
    for fix in [&get_att.fix, &depends.fix] {
        stack.add_resource_verbatim(&quoted(fix), Resource::raw("AWS::SNS::Topic", map([])));
    }
    assert_eq!(errors(&app), vec![]);
}

#[test]
fn sub_names_escapes_and_variables() {
    let app = App::new();
    let stack = Stack::new(&app, "Refs");
    let topic = Topic::standard(&stack, "Alerts");
    let topic_id = from_path(&["Alerts"]);
    stack.add_resource(
        "Ok",
        queue_with(Value::Sub(
            format!("${{AWS::StackName}}-${{{topic_id}.TopicName}}-${{!Literal}}-${{Own}}-${{Own.Attr}}"),
            vec![("Own".into(), topic.arn())],
        )),
    );
    assert_eq!(
        errors(&app),
        vec![],
        "pseudo, attribute, escape and own variables resolve"
    );

    let app = App::new();
    let stack = Stack::new(&app, "Refs");
    stack.add_resource(
        "Q",
        queue_with(Value::sub("${AWS::Regoin}-${Missing}-${Gone.Arn}")),
    );
    let errs = errors(&app);
    let pseudo = error_with(&errs, "`${AWS::Regoin}`");
    assert_eq!(ticked(&pseudo.fix), "AWS::Region");
    let missing = error_with(&errs, "`${Missing}`");
    assert!(missing.fix.contains("${!Missing}"), "{}", missing.fix);
    let attr = error_with(&errs, "`${Gone.…}`");
    assert_eq!(attr.path, "Refs/Q");

    let app = App::new();
    let stack = Stack::new(&app, "Refs");
    stack.parameter(&quoted(&missing.fix), Parameter::string());
    stack.add_resource_verbatim(
        &quoted(&attr.fix),
        Resource::raw("AWS::SNS::Topic", map([])),
    );
    stack.add_resource(
        "Q",
        queue_with(Value::sub(format!(
            "${{{}}}-${{Missing}}-${{Gone.TopicName}}",
            ticked(&pseudo.fix)
        ))),
    );
    assert_eq!(errors(&app), vec![]);
}

#[test]
fn an_override_that_dangles_names_the_resource_construct() {
    let (app, stack, _) = scheduled_app("Refs");
    stack.override_property(
        "Job/Function",
        "Environment.Variables.X",
        json!({"Ref": "Typo"}),
    );
    let errs = errors(&app);
    let e = error_with(&errs, "Ref `Typo`");
    assert_eq!(e.path, "Refs/Job");
    assert!(
        e.message.contains("Properties.Environment.Variables.X"),
        "{}",
        e.message
    );
}

#[test]
fn a_reference_into_another_stack_says_where_it_is() {
    let app = App::new();
    let shared = Stack::new(&app, "Shared");
    let bucket =
        shared.add_resource_verbatim("SharedBucket", Resource::raw("AWS::S3::Bucket", map([])));
    let jobs = Stack::new(&app, "Jobs");
    jobs.add_resource("Q", queue_with(bucket.ref_()));
    let errs = errors(&app);
    let e = error_with(&errs, "Ref `SharedBucket`");
    assert_eq!(e.path, "Jobs/Q");
    assert!(e.message.contains("is in stack Shared"), "{}", e.message);
    assert!(e.fix.contains("Value::import"), "{}", e.fix);
}
