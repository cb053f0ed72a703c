use super::*;

fn with_image(uri: &str) -> App {
    let uri = uri.to_string();
    app_with(move |s| {
        ScheduledLambda::new(s, "Report")
            .image(uri)
            .schedule(Schedule::rate(1, TimeUnit::Hours));
    })
}

const DIGEST: &str = "@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

#[test]
fn a_region_that_does_not_exist() {
    let p = with(
        &with_image(&format!(
            "123456789012.dkr.ecr.us-est-1.amazonaws.com/jobs{DIGEST}"
        )),
        "malformed",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Report");
    assert!(
        p[0].message.contains("did you mean `us-east-1`"),
        "{}",
        p[0].message
    );
    assert!(with_image(&format!(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs{DIGEST}"
    ))
    .synth()
    .is_ok());
}

#[test]
fn account_ids_and_china_hosts() {
    let p = with(
        &with_image(&format!(
            "12345678901.dkr.ecr.us-east-1.amazonaws.com/jobs{DIGEST}"
        )),
        "malformed",
    );
    assert!(
        p[0].message.contains("11 digits; AWS account ids have 12"),
        "{p:#?}"
    );
    let p = with(
        &with_image(&format!(
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com/jobs{DIGEST}"
        )),
        "malformed",
    );
    assert!(p[0].message.contains(".amazonaws.com.cn"), "{p:#?}");
    let ok = with_image(&format!(
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/jobs{DIGEST}"
    ));
    assert!(with(&ok, "malformed").is_empty());
}
