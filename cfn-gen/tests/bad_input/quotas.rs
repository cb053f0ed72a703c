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
