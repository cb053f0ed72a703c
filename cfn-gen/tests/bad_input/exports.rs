//! Imports of export names: a near-typo of an app export is an error, a name
//! no stack of the app exports a warning with the closest ones.

use super::*;
use cfn_gen::{Topic, Value};

fn app(import: &str) -> App {
    let app = App::new();
    let shared = Stack::new(&app, "Shared");
    let jobs = Stack::new(&app, "Jobs");
    let _ = Topic::standard(&shared, "Alerts").export_arn("shared-alerts-arn");
    let alerts = Topic::from_arn(&jobs, "Alerts", Value::import(import));
    job(&jobs, "Report").publishes_to("alerts", &alerts);
    app
}

#[test]
fn a_near_typo_of_an_app_export_is_an_error_whose_fix_validates() {
    for typo in ["shared-alert-arn", "Shared-Alerts-Arn", "shared-alerts-ran"] {
        let e = app(typo).synth().expect_err(typo).problems;
        let p: Vec<_> = e.iter().filter(|p| p.message.contains("imports")).collect();
        assert_eq!(p.len(), 1, "{e:#?}");
        assert_eq!(p[0].severity, cfn_gen::Severity::Error);
        assert!(p[0].path.starts_with("Jobs/"), "{}", p[0].path);
        assert!(p[0].message.contains("Shared/"), "{}", p[0].message);
        let fixed = quoted(&p[0].fix);
        assert!(app(&fixed).synth().is_ok());
    }
}

#[test]
fn unknown_exports_warn_with_the_closest_names() {
    let s = app("billing-topic-arn").synth().expect("a warning only");
    let w: Vec<_> = s
        .warnings
        .iter()
        .filter(|p| p.message.contains("imports"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", s.warnings);
    assert!(!w[0].message.contains("closest"));
    let s = app("shared-alerts-topic-arn")
        .synth()
        .expect("a warning only");
    let w: Vec<_> = s
        .warnings
        .iter()
        .filter(|p| p.message.contains("imports"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", s.warnings);
    assert!(
        w[0].message.contains("closest: `shared-alerts-arn`"),
        "{}",
        w[0].message
    );
    let fixed = quoted(&w[0].fix);
    let s = app(&fixed).synth().expect("valid");
    assert!(s.warnings.iter().all(|p| !p.message.contains("imports")));
}
