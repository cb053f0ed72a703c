use super::*;

fn in_zone(zone: &str) -> App {
    let zone = zone.to_string();
    app_with(move |s| {
        job(s, "Report").schedule(Schedule::cron("0 9 ? * MON-FRI *").in_time_zone(&zone));
    })
}

#[test]
fn abbreviations_warn_with_the_city_zone() {
    for (zone, meant) in [
        ("EST", "America/New_York"),
        ("MST", "America/Denver"),
        ("EST5EDT", "America/New_York"),
    ] {
        let p = with(&in_zone(zone), "time zone");
        assert_eq!(p.len(), 1, "{zone}: {p:#?}");
        assert_eq!(p[0].path, "Jobs/Report");
        assert!(p[0].fix.contains(meant), "{:?}", p[0]);
        assert!(with(&in_zone(meant), "time zone").is_empty());
    }
}

#[test]
fn etc_gmt_signs_are_explained() {
    let p = with(&in_zone("Etc/GMT+5"), "time zone");
    assert!(p[0].message.contains("UTC-5"), "{:?}", p[0]);
    assert!(p[0].fix.contains("America/Bogota"));
    assert!(with(&in_zone("America/Bogota"), "time zone").is_empty());
    assert!(with(&in_zone("UTC"), "time zone").is_empty());
}
