use cfn_gen::Stack;

use super::*;

#[test]
fn reserved_concurrency_is_summed_across_stacks() {
    let build = |first: u32| {
        let app = App::new();
        let a = Stack::new(&app, "A");
        let b = Stack::new(&app, "B");
        job(&a, "One").reserved_concurrency(first);
        job(&b, "Two").reserved_concurrency(450);
        app
    };
    let p = with(&build(500), "in total");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "A/One");
    assert!(p[0].message.contains("950"));
    let fixed: u32 = p[0]
        .fix
        .split(".reserved_concurrency(")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|n| n.parse().ok())
        .expect("a number in the fix");
    assert!(build(fixed).synth().is_ok());
}

#[test]
fn one_reservation_over_the_reservable_900() {
    let bad = app_with(|s| {
        job(s, "Report").reserved_concurrency(1000);
    });
    let p = with(&bad, "reserved concurrency 1000");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].fix.contains("at most 900"));
    let fixed = app_with(|s| {
        job(s, "Report").reserved_concurrency(900);
    });
    assert!(fixed.synth().is_ok());
}

#[test]
fn queue_concurrency_above_the_reservation_warns() {
    use cfn_gen::{NotificationChannel, Topic};
    let build = |maximum: u32| {
        app_with(move |s| {
            let topic = Topic::standard(s, "Alerts");
            NotificationChannel::email(s, "Mail", &topic)
                .image(IMAGE)
                .from("me@example.com")
                .to(["alice@example.com"])
                .subject("{{ task }}")
                .text("{{ payload.text }}")
                .reserved_concurrency(5)
                .maximum_concurrency(maximum);
        })
    };
    let p = with(&build(10), "maximum concurrency 10");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Mail");
    assert!(p[0].fix.contains("pass 5 to .maximum_concurrency()"));
    assert!(with(&build(5), "maximum concurrency").is_empty());
}
