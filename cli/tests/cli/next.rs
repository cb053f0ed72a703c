//! `cloud-cron next`: fire times of known expressions, and errors worded as
//! synth words them.

use crate::{cloud_cron, readme_block, stderr, stdout};

/// The fire-time lines (after the heading) of `cloud-cron next args`.
fn fire_times(args: &[&str]) -> Vec<String> {
    let o = cloud_cron(&[&["next"], args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn weekday_cron_in_london_follows_the_clock_change() {
    let times = fire_times(&[
        "cron(0 9 ? * MON-FRI *)",
        "--tz",
        "Europe/London",
        "-n",
        "4",
        "--from",
        "2027-03-25T00:00:00Z",
    ]);
    assert_eq!(
        times,
        [
            "Thu 2027-03-25 09:00 GMT  = 2027-03-25 09:00 UTC",
            "Fri 2027-03-26 09:00 GMT  = 2027-03-26 09:00 UTC",
            // 2027-03-28: clocks go forward; 09:00 local is 08:00 UTC from here.
            "Mon 2027-03-29 09:00 BST  = 2027-03-29 08:00 UTC",
            "Tue 2027-03-30 09:00 BST  = 2027-03-30 08:00 UTC",
        ]
    );
}

#[test]
fn the_heading_names_the_canonical_expression_zone_and_start() {
    let o = cloud_cron(&[
        "next",
        "cron(0 9 ? * mon-fri *)",
        "--tz",
        "Europe/London",
        "-n",
        "1",
        "--from",
        "2027-03-25T00:00:00+01:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().next(),
        Some("cron(0 9 ? * MON-FRI *) in Europe/London: 1 fire time after 2027-03-24 23:00:00 UTC")
    );
}

#[test]
fn last_day_of_the_month() {
    assert_eq!(
        fire_times(&[
            "cron(0 18 L * ? *)",
            "-n",
            "3",
            "--from",
            "2027-01-01T00:00:00Z"
        ]),
        [
            "Sun 2027-01-31 18:00 UTC",
            "Sun 2027-02-28 18:00 UTC",
            "Wed 2027-03-31 18:00 UTC",
        ]
    );
    // 2028 is a leap year.
    assert_eq!(
        fire_times(&[
            "cron(0 18 L 2 ? *)",
            "-n",
            "1",
            "--from",
            "2028-01-01T00:00:00Z"
        ]),
        ["Tue 2028-02-29 18:00 UTC"]
    );
}

#[test]
fn a_rate_counts_from_the_start() {
    assert_eq!(
        fire_times(&["rate(6 hours)", "-n", "3", "--from", "2027-01-01T01:30:00Z"]),
        [
            "Fri 2027-01-01 07:30 UTC",
            "Fri 2027-01-01 13:30 UTC",
            "Fri 2027-01-01 19:30 UTC",
        ]
    );
}

#[test]
fn an_at_fires_once_in_its_zone() {
    assert_eq!(
        fire_times(&[
            "at(2027-06-01T09:00:00)",
            "--tz",
            "America/New_York",
            "--from",
            "2027-01-01T00:00:00Z",
        ]),
        ["Tue 2027-06-01 09:00 EDT  = 2027-06-01 13:00 UTC"]
    );
}

#[test]
fn an_at_in_the_past_never_fires() {
    let o = cloud_cron(&[
        "next",
        "at(2027-06-01T09:00:00)",
        "--from",
        "2027-07-01T00:00:00Z",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: at(2027-06-01T09:00:00) (UTC) is in the past"),
        "{err}"
    );
    assert!(err.contains("\n  fix: "), "{err}");
}

#[test]
fn invalid_expressions_exit_1_with_synths_words_and_fix() {
    for (expression, says, fix) in [
        (
            "cron(0 9 * * * *)",
            "one of day-of-month / day-of-week must be `?`",
            "`cron(0 9 * * ? *)`",
        ),
        ("rate(1 minutes)", "singular unit", "`rate(1 minute)`"),
        ("every day", "unrecognised schedule expression", "rate("),
    ] {
        let o = cloud_cron(&["next", expression]);
        assert_eq!(o.status.code(), Some(1), "{expression}");
        assert!(o.stdout.is_empty(), "{expression}");
        let err = stderr(&o);
        assert!(err.starts_with("error: invalid schedule: "), "{err}");
        assert!(err.contains(says), "{expression}: {err}");
        let fix_line = err.lines().nth(1).unwrap_or_default();
        assert!(
            fix_line.starts_with("  fix: ") && fix_line.contains(fix),
            "{err}"
        );
    }
}

#[test]
fn unknown_and_legacy_zones() {
    let o = cloud_cron(&["next", "cron(0 9 * * ? *)", "--tz", "Europe/Londn"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown time zone `Europe/Londn`"),
        "{}",
        stderr(&o)
    );

    let o = cloud_cron(&["next", "cron(0 9 * * ? *)", "--tz", "EST", "-n", "1"]);
    assert!(o.status.success(), "a legacy zone is a warning");
    assert!(
        stderr(&o).starts_with("warning: time zone `EST`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("America/New_York"), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn usage_errors_exit_2() {
    let o = cloud_cron(&["next", "rate(5 minutes)", "--from", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("write e.g. 2027-03-25T00:00:00Z"),
        "{}",
        stderr(&o)
    );
    let o = cloud_cron(&["next"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cloud_cron(&["next", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("cloud-cron next 'cron(0 9 ? * MON-FRI *)' --tz Europe/London"));
}

#[test]
fn the_readme_shows_what_next_prints() {
    let command = readme_block("### `cloud-cron next`", "sh");
    let args: Vec<String> = command
        .trim()
        .strip_prefix("cloud-cron ")
        .expect("a cloud-cron command")
        .replace('\'', "")
        .split(' ')
        .map(str::to_owned)
        .collect();
    // The expression is one argument: rejoin the words between `next` and `--tz`.
    let tz = args.iter().position(|a| a == "--tz").expect("--tz");
    let mut argv = vec!["next".to_owned(), args[1..tz].join(" ")];
    argv.extend(args[tz..].iter().cloned());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let o = cloud_cron(&argv);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), readme_block(&command, "text"));
}
