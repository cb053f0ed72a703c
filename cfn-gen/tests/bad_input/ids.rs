use super::*;

#[test]
fn ids_differing_only_in_dropped_characters_warn() {
    let app = app_with(|s| {
        job(s, "my-job");
        job(s, "my_job");
    });
    let p = with(&app, "differ only");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/my_job");
    let fixed = app_with(|s| {
        job(s, "my-job");
        job(s, "my_job2");
    });
    assert!(with(&fixed, "differ only").is_empty());
}

#[test]
fn over_long_ids_and_characters_iam_rejects() {
    let long = "NightlyReport".repeat(20);
    let p = with(
        &app_with(|s| {
            job(s, &long);
        }),
        "characters long",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    let shorter = quoted(&p[0].fix);
    assert!(app_with(|s| {
        job(s, &shorter);
    })
    .synth()
    .is_ok());

    let p = with(
        &app_with(|s| {
            job(s, "Report 📈");
        }),
        "IAM",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    let cleaned = quoted(&p[0].fix);
    assert!(app_with(|s| {
        job(s, &cleaned);
    })
    .synth()
    .is_ok());
}
