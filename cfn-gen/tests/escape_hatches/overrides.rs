//! `override_property`, `delete_property`, `add_override`: nested paths,
//! targets by logical ID or construct path, and the errors.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::Severity;
use serde_json::json;

use crate::{error_with, errors, scheduled_app, template, ticked};

#[test]
fn nested_paths_are_created_and_replaced_by_id_or_path() {
    let (app, stack, _) = scheduled_app("Over");
    let function = from_path(&["Job", "Function"]);
    let topic = from_path(&["Alerts"]);
    stack
        .override_property("Job/Function", "Environment.Variables.MODE", json!("fast"))
        .override_property("Over/Job/Function", "Timeout", json!(42))
        .override_property(&function, "Tracing", json!({"Mode": "Active"}))
        .override_property("Alerts", "ArchivePolicy.MessageRetentionPeriod", json!(30))
        .override_property("Alerts", "Tags", json!([{"Key": "a", "Value": "1"}]))
        .override_property("Alerts", "Tags.0.Value", json!("2"))
        .override_property("Alerts", "Tags.1", json!({"Key": "b", "Value": "3"}))
        .add_override(&topic, "DeletionPolicy", json!("Retain"))
        .add_override(&topic, "Metadata.Owner\\.Team", json!("reports"))
        .delete_property("Job/Function", "Description");
    let t = template(&app);
    let f = &t["Resources"][&function];
    assert_eq!(f["Properties"]["Environment"]["Variables"]["MODE"], "fast");
    assert!(
        f["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("variables")
            .len()
            > 1,
        "the construct's variables stay"
    );
    assert_eq!(f["Properties"]["Timeout"], 42);
    assert_eq!(f["Properties"]["Tracing"], json!({"Mode": "Active"}));
    assert!(f["Properties"].get("Description").is_none());
    let topic = &t["Resources"][&topic];
    assert_eq!(
        topic["Properties"]["ArchivePolicy"],
        json!({"MessageRetentionPeriod": 30})
    );
    assert_eq!(
        topic["Properties"]["Tags"],
        json!([{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}]),
        "an index into a list replaces, one past its end appends"
    );
    assert_eq!(topic["DeletionPolicy"], "Retain");
    assert_eq!(topic["Metadata"]["Owner.Team"], "reports");
}

#[test]
fn overrides_win_over_the_stack_passes() {
    let (app, stack, _) = scheduled_app("Over");
    stack.tag("team", "reports").override_property(
        "Alerts",
        "Tags",
        json!([{"Key": "only", "Value": "this"}]),
    );
    let t = template(&app);
    assert_eq!(
        t["Resources"][from_path(&["Alerts"])]["Properties"]["Tags"],
        json!([{"Key": "only", "Value": "this"}])
    );
}

#[test]
fn a_missing_target_lists_close_ids_and_the_fix_works() {
    let (app, stack, _) = scheduled_app("Over");
    let topic = from_path(&["Alerts"]);
    let typo = topic.replace("Alerts", "Alert");
    stack.override_property(&typo, "DisplayName", json!("Alerts"));
    let errs = errors(&app);
    let e = error_with(&errs, "which is no resource of stack Over");
    assert_eq!(e.path, format!("Over/{typo}"));
    assert!(e.message.contains(&format!("`{topic}`")), "{}", e.message);
    assert!(e.message.contains("DisplayName"), "{}", e.message);

    let (app, stack, _) = scheduled_app("Over");
    stack.override_property(ticked(&e.fix), "DisplayName", json!("Alerts"));
    let t = template(&app);
    assert_eq!(
        t["Resources"][&topic]["Properties"]["DisplayName"],
        "Alerts"
    );
}

#[test]
fn bad_paths_are_errors_whose_fixes_work() {
    let (app, stack, _) = scheduled_app("Over");
    stack
        .override_property("Alerts", "Tags..Value", json!("x"))
        .override_property("Alerts", "Tags", json!([{"Key": "a", "Value": "1"}]))
        .override_property("Alerts", "Tags.3.Value", json!("x"))
        .delete_property("Alerts", "NoSuch.Thing");
    let synthesis = app.synth();
    let problems = match &synthesis {
        Ok(_) => panic!("bad paths must fail"),
        Err(e) => e.problems.clone(),
    };
    let errs: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .cloned()
        .collect();
    let empty = error_with(&errs, "empty segment");
    assert_eq!(empty.path, "Over/Alerts");
    let index = error_with(&errs, "`Properties.Tags` is a list of 1 item(s)");
    assert_eq!(index.path, "Over/Alerts");
    assert!(index.fix.contains("from 0 to 0"), "{}", index.fix);
    let warning = problems
        .iter()
        .find(|p| p.severity == Severity::Warning && p.message.contains("found nothing to delete"))
        .expect("a warning for the empty delete");
    assert_eq!(warning.path, "Over/Alerts");

    let (app, stack, _) = scheduled_app("Over");
    stack
        .override_property("Alerts", "Tags", json!([{"Key": "a", "Value": "1"}]))
        .override_property("Alerts", "Tags.0.Value", json!("x"));
    let t = template(&app);
    assert_eq!(
        t["Resources"][from_path(&["Alerts"])]["Properties"]["Tags"],
        json!([{"Key": "a", "Value": "x"}])
    );
}
