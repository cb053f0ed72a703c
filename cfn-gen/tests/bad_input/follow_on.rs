//! One root mistake, one error: checks over whole templates stay quiet about
//! what a construct's own check already reported.

use super::*;
use cfn_gen::{Topic, Value};

fn errors(app: &App) -> Vec<Problem> {
    app.synth()
        .err()
        .map(|e| e.problems)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.severity == cfn_gen::Severity::Error)
        .collect()
}

#[test]
fn a_duplicate_id_is_one_error() {
    for copies in [2, 3] {
        let app = app_with(|s| {
            for _ in 0..copies {
                job(s, "Report");
            }
        });
        let e = errors(&app);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(e[0].path, "Jobs/Report");
        assert!(e[0].message.contains("used twice"));
    }
    // A raw resource whose logical ID a construct already wrote is still a
    // collision: that one is not a duplicate construct id.
    let app = app_with(|s| {
        let t = Topic::standard(s, "Alerts");
        let id = t.node().logical_id();
        s.add_resource_verbatim(
            &id,
            cfn_gen::Resource::raw("AWS::SNS::Topic", Value::Map(Default::default())),
        );
    });
    let e = errors(&app);
    assert!(
        e.iter().any(|p| p.message.contains("emitted twice")),
        "{e:#?}"
    );
    // The fix, a different id, validates.
    let e = errors(&app_with(|s| {
        job(s, "Report");
        job(s, "Report2");
        job(s, "Report");
    }));
    let free = quoted(&e[0].fix);
    assert_eq!(free, "Report3");
    let fixed = app_with(|s| {
        job(s, "Report");
        job(s, "Report2");
        job(s, &free);
    });
    assert!(fixed.synth().is_ok());
}

fn cross_stack(fixed: bool, channel: bool) -> App {
    let app = App::new();
    let shared = Stack::new(&app, "Shared");
    let jobs = Stack::new(&app, "Jobs");
    let alerts = Topic::standard(&shared, "Alerts");
    let topic = if fixed {
        let _ = alerts.export_arn("shared-alerts-arn");
        Topic::from_arn(&jobs, "Alerts", Value::import("shared-alerts-arn"))
    } else {
        alerts
    };
    if channel {
        cfn_gen::NotificationChannel::email(&jobs, "Mail", &topic)
            .image(IMAGE)
            .from("ops@example.com")
            .to(["team@example.com"])
            .subject("{{ task }}")
            .text("{{ payload.text }}");
    } else {
        job(&jobs, "Report").publishes_to("alerts", &topic);
    }
    app
}

#[test]
fn a_cross_stack_topic_is_one_error_and_its_fix_validates() {
    for channel in [false, true] {
        let e = errors(&cross_stack(false, channel));
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(e[0].message.contains("another stack"), "{}", e[0].message);
        assert!(e[0].fix.contains("export_arn"), "{}", e[0].fix);
        let fixed = cross_stack(true, channel);
        assert!(fixed.synth().is_ok(), "{:#?}", fixed.synth().err());
    }
}
