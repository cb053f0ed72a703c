use super::*;

fn with_schedule(schedule: Schedule) -> App {
    app_with(move |s| {
        job(s, "Report").schedule(schedule);
    })
}

fn expression_in(fix: &str) -> String {
    let start = fix.find("cron(").or_else(|| fix.find("at(")).expect(fix);
    let end = fix[start..].find(')').expect(fix) + start + 1;
    fix[start..end].to_string()
}

#[test]
fn past_one_time_schedules() {
    let p = with(
        &with_schedule(Schedule::at("2001-01-01T09:00:00")),
        "in the past",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Report");
    let fixed = with_schedule(Schedule::parse(&expression_in(&p[0].fix)));
    assert!(fixed.synth().is_ok(), "{:?}", p[0].fix);
}

#[test]
fn cron_dates_that_never_exist() {
    for expr in [
        "cron(0 9 30 2 ? *)",
        "cron(0 9 31 4,6,9,11 ? *)",
        "cron(0 9 * * ? 2001-2005)",
    ] {
        let p = with(&with_schedule(Schedule::parse(expr)), "never fires");
        assert_eq!(p.len(), 1, "{expr}: {p:#?}");
        let fixed = with_schedule(Schedule::parse(&expression_in(&p[0].fix)));
        assert!(fixed.synth().is_ok(), "{expr}: {:?}", p[0].fix);
    }
}

#[test]
fn an_end_date_before_the_first_run() {
    let bad = app_with(|s| {
        job(s, "Report")
            .schedule(Schedule::cron("0 9 1 1 ? *"))
            .start_date("2099-02-01T00:00:00Z")
            .end_date("2099-06-01T00:00:00Z");
    });
    let p = with(&bad, "never fires");
    assert_eq!(p.len(), 1, "{p:#?}");
    let end = quoted(&p[0].fix);
    let fixed = app_with(|s| {
        job(s, "Report")
            .schedule(Schedule::cron("0 9 1 1 ? *"))
            .start_date("2099-02-01T00:00:00Z")
            .end_date(end);
    });
    assert!(fixed.synth().is_ok());
}
