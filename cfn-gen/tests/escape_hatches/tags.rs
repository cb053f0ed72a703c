//! `Stack::tag` and `Stack::tag_construct`: every taggable resource, in its
//! type's shape; bad tags and unknown constructs are errors with working fixes.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::passes::tags::{shape_of, TagShape};
use cfn_gen::{Resource, Value};
use serde_json::{json, Value as Json};

use crate::{error_with, errors, map, quoted, scheduled_app, template};

fn tag_value<'a>(resource: &'a Json, key: &str) -> Option<&'a Json> {
    let tags = &resource["Properties"]["Tags"];
    match tags {
        Json::Array(list) => list.iter().find(|t| t["Key"] == key).map(|t| &t["Value"]),
        Json::Object(m) => m.get(key),
        _ => None,
    }
}

#[test]
fn every_taggable_resource_gets_the_stack_tags_in_its_shape() {
    let (app, stack, _) = scheduled_app("Tagged");
    stack.add_resource_verbatim(
        "Param",
        Resource::raw(
            "AWS::SSM::Parameter",
            map([("Type", "String".into()), ("Value", "v".into())]),
        ),
    );
    stack.tag("team", "reports").tag("cost-center", "42");
    let t = template(&app);
    let resources = t["Resources"].as_object().expect("resources");
    let mut seen = std::collections::BTreeSet::new();
    for (id, r) in resources {
        let ty = r["Type"].as_str().expect("type");
        seen.insert(ty.to_owned());
        match shape_of(ty) {
            Some(TagShape::KeyValueList) => {
                let tags = r["Properties"]["Tags"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{id} ({ty}) has a Tags list"));
                assert_eq!(
                    tags,
                    &vec![
                        json!({"Key": "cost-center", "Value": "42"}),
                        json!({"Key": "team", "Value": "reports"})
                    ],
                    "{id} ({ty}): sorted by key"
                );
            }
            Some(TagShape::Map) => assert_eq!(
                r["Properties"]["Tags"],
                json!({"cost-center": "42", "team": "reports"}),
                "{id} ({ty})"
            ),
            None => assert!(
                r["Properties"].get("Tags").is_none(),
                "{id} ({ty}) takes no tags"
            ),
        }
    }
    for ty in [
        "AWS::Serverless::Function",
        "AWS::IAM::Role",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::Logs::LogGroup",
        "AWS::CloudWatch::Alarm",
        "AWS::Lambda::EventSourceMapping",
        "AWS::SSM::Parameter",
        "AWS::Scheduler::Schedule",
        "AWS::SNS::Subscription",
    ] {
        assert!(seen.contains(ty), "the stack has a {ty}: {seen:?}");
    }
    assert_eq!(
        t["Resources"][from_path(&["Job", "Function"])]["Properties"]["Tags"],
        json!({"cost-center": "42", "team": "reports"}),
        "the SAM function takes a map"
    );
}

#[test]
fn construct_tags_reach_only_that_construct_and_beat_stack_tags() {
    let (app, stack, _) = scheduled_app("Tagged");
    stack
        .tag("team", "reports")
        .tag_construct("Mail", "team", "mail")
        .tag_construct("Tagged/Mail", "channel", "email");
    stack.add_resource(
        "Bucket",
        Resource::raw(
            "AWS::S3::Bucket",
            map([(
                "Tags",
                Value::List(vec![map([("Key", "team".into()), ("Value", "own".into())])]),
            )]),
        ),
    );
    let t = template(&app);
    let mail_queue = &t["Resources"][from_path(&["Mail", "Queue"])];
    assert_eq!(tag_value(mail_queue, "team"), Some(&json!("mail")));
    assert_eq!(tag_value(mail_queue, "channel"), Some(&json!("email")));
    let job_role = &t["Resources"][from_path(&["Job", "Role"])];
    assert_eq!(tag_value(job_role, "team"), Some(&json!("reports")));
    assert_eq!(tag_value(job_role, "channel"), None);
    let bucket = &t["Resources"][from_path(&["Bucket"])];
    assert_eq!(
        bucket["Properties"]["Tags"],
        json!([{"Key": "team", "Value": "own"}]),
        "a resource's own tag keeps its value"
    );
}

#[test]
fn tags_are_deterministic() {
    let render = || {
        let (app, stack, _) = scheduled_app("Tagged");
        stack
            .tag("b", "2")
            .tag("a", "1")
            .tag_construct("Mail", "c", "3");
        app.synth().expect("valid").stacks[0].text.clone()
    };
    assert_eq!(render(), render());
}

#[test]
fn bad_tags_are_errors_whose_fixes_work() {
    let long = "k".repeat(130);
    let (app, stack, _) = scheduled_app("Tagged");
    stack
        .tag("aws:team", "reports")
        .tag(long.as_str(), "v")
        .tag("env", "a{b}")
        .tag_construct("Mail", "", "x")
        .tag_construct("Mial", "team", "mail");
    let errs = errors(&app);
    let reserved = error_with(&errs, "stack tag `aws:team`");
    assert_eq!(reserved.path, "Tagged");
    assert!(
        reserved.message.contains("reserved"),
        "{}",
        reserved.message
    );
    let too_long = error_with(&errs, "130 characters");
    assert_eq!(too_long.path, "Tagged");
    let chars = error_with(&errs, "the value has `{`");
    let empty = error_with(&errs, "the key is empty");
    assert_eq!(empty.path, "Tagged/Mail");
    let unknown = error_with(&errs, "construct `Mial`");
    assert_eq!(unknown.path, "Tagged/Mial");
    assert!(unknown.message.contains("`Mail`"), "{}", unknown.message);

    // Each fix, as written: `stack.tag("k", "v")` / `stack.tag_construct("c", "k", "v")`.
    let args = |fix: &str| -> Vec<String> {
        fix.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let (app, stack, _) = scheduled_app("Tagged");
    for fix in [&reserved.fix, &too_long.fix, &chars.fix] {
        let a = args(fix);
        stack.tag(a[0].as_str(), a[1].as_str());
    }
    let a = args(&empty.fix);
    stack.tag_construct(a[0].as_str(), a[1].as_str(), a[2].as_str());
    stack.tag_construct(quoted(&unknown.fix), "team", "mail");
    let t = template(&app);
    let queue = &t["Resources"][from_path(&["Mail", "Queue"])];
    assert_eq!(tag_value(queue, "team"), Some(&json!("mail")));
    assert_eq!(tag_value(queue, "tag"), Some(&json!("x")));
    assert_eq!(tag_value(queue, "env"), Some(&json!("a_b_")));
}

#[test]
fn too_many_tags_on_one_resource_is_an_error() {
    let (app, stack, _) = scheduled_app("Tagged");
    for i in 0..50 {
        stack.tag(format!("k{i:02}"), "v");
    }
    let errs = errors(&app);
    let over: Vec<_> = errs
        .iter()
        .filter(|p| {
            p.message
                .contains("would carry 50 tags; it takes at most 49")
        })
        .collect();
    let paths: Vec<&str> = over.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Tagged/Job", "Tagged/Mail"],
        "the two SAM functions"
    );
    assert!(over[0].fix.contains("drop 1 tag"), "{}", over[0].fix);

    let (app, stack, _) = scheduled_app("Tagged");
    for i in 0..49 {
        stack.tag(format!("k{i:02}"), "v");
    }
    assert_eq!(errors(&app), vec![], "dropping one tag fixes it");
}
