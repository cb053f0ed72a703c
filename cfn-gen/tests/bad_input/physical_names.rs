//! Physical names set by the user that two resources would claim: within a
//! stack and across the app, with both paths; each fix, applied, validates.

use super::*;
use cfn_gen::{AttributeType, Resource, Table, Topic, Value};

fn collisions(app: &App) -> Vec<Problem> {
    with(app, "is already used by")
}

/// Applies the builder method the fix names with the name it suggests.
fn suggested(fix: &str, builder: &str) -> String {
    let start = fix
        .find(&format!(".{builder}(\""))
        .unwrap_or_else(|| panic!("{builder} not in {fix}"));
    quoted(&fix[start..])
}

#[test]
fn function_names_collide_within_a_stack_and_across_stacks() {
    let same_stack = |second: &str| {
        let second = second.to_owned();
        app_with(move |s| {
            job(s, "A").function_name("nightly");
            job(s, "B").function_name(second);
        })
    };
    let p = collisions(&same_stack("nightly"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/B");
    assert!(p[0].message.contains("Jobs/A"), "{}", p[0].message);
    let renamed = suggested(&p[0].fix, "function_name");
    assert!(same_stack(&renamed).synth().is_ok());

    let two_stacks = |second: &str, region: Option<&str>| {
        let app = App::new();
        let a = Stack::new(&app, "East");
        let b = Stack::new(&app, "Other");
        let (a, b) = match region {
            Some(r) => (a.region("us-east-1"), b.region(r)),
            None => (a, b),
        };
        job(&a, "Report").function_name("report");
        job(&b, "Report").function_name(second);
        app
    };
    let p = collisions(&two_stacks("report", None));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Other/Report");
    assert!(p[0].message.contains("East/Report"));
    assert!(two_stacks(&suggested(&p[0].fix, "function_name"), None)
        .synth()
        .is_ok());
    // Different declared regions: different namespaces.
    assert!(collisions(&two_stacks("report", Some("eu-west-1"))).is_empty());
    assert_eq!(
        collisions(&two_stacks("report", Some("us-east-1"))).len(),
        1
    );
}

#[test]
fn schedule_topic_and_table_names_collide() {
    let schedules = |second: &str| {
        let second = second.to_owned();
        app_with(move |s| {
            job(s, "A").schedule_name("hourly");
            job(s, "B").schedule_name(second);
        })
    };
    let p = collisions(&schedules("hourly"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].message.contains("schedule group"));
    assert!(schedules(&suggested(&p[0].fix, "schedule_name"))
        .synth()
        .is_ok());

    let topics = |second: &str| {
        let second = second.to_owned();
        let app = App::new();
        let a = Stack::new(&app, "A");
        let b = Stack::new(&app, "B");
        Topic::standard(&a, "Alerts").topic_name("alerts");
        Topic::standard(&b, "Alerts").topic_name(second);
        app
    };
    let p = collisions(&topics("alerts"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(
        (p[0].path.as_str(), p[0].message.contains("A/Alerts")),
        ("B/Alerts", true)
    );
    assert!(topics(&suggested(&p[0].fix, "topic_name")).synth().is_ok());

    let tables = |second: &str| {
        let second = second.to_owned();
        app_with(move |s| {
            Table::new(s, "Runs")
                .partition_key("id", AttributeType::String)
                .table_name("runs");
            Table::new(s, "Runs2")
                .partition_key("id", AttributeType::String)
                .table_name(second);
        })
    };
    let p = collisions(&tables("runs"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(tables(&suggested(&p[0].fix, "table_name")).synth().is_ok());
}

#[test]
fn raw_queue_names_collide_and_the_override_fix_applies() {
    let queue = || {
        Resource::raw(
            "AWS::SQS::Queue",
            Value::Map([("QueueName".to_owned(), Value::from("work"))].into()),
        )
    };
    let build = |fix: Option<&str>| {
        let fix = fix.map(str::to_owned);
        app_with(move |s| {
            s.add_resource("First", queue());
            s.add_resource("Second", queue());
            if let Some(fix) = fix {
                // stack.override_property("<logical id>", "QueueName", "<name>")
                let parts: Vec<&str> = fix.split('"').collect();
                s.override_property(parts[1], parts[3], parts[5]);
            }
        })
    };
    let p = collisions(&build(None));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].message.contains("SQS queue name `work`"));
    let start = p[0].fix.find("override_property").expect("override fix");
    let fixed = build(Some(&p[0].fix[start..]));
    assert!(collisions(&fixed).is_empty(), "{:#?}", problems(&fixed));
    assert!(fixed.synth().is_ok());
}
