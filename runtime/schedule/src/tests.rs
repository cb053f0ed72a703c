//! Table-driven validation tests (valid and invalid expressions from the AWS documentation
//! and its edge cases) and fire-time tests (rate, cron specials, year bounds, `at`, and
//! daylight saving in Europe/London and America/New_York).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};

use super::*;

/// Valid expressions: (expression, time zone, canonical expression).
#[rustfmt::skip]
const VALID: &[(&str, Option<&str>, &str)] = &[
    // Rate expressions.
    ("rate(1 minute)", None, "rate(1 minute)"),
    ("rate(5 minutes)", None, "rate(5 minutes)"),
    ("rate(15 minutes)", None, "rate(15 minutes)"),
    ("rate(1 hour)", None, "rate(1 hour)"),
    ("rate(12 hours)", None, "rate(12 hours)"),
    ("rate(1 day)", None, "rate(1 day)"),
    ("rate(7 days)", None, "rate(7 days)"),
    ("rate(  10   minutes )", None, "rate(10 minutes)"),
    ("rate(5 minutes)", Some("UTC"), "rate(5 minutes)"),
    // Cron examples from the AWS documentation.
    ("cron(0 10 * * ? *)", None, "cron(0 10 * * ? *)"),
    ("cron(15 12 * * ? *)", None, "cron(15 12 * * ? *)"),
    ("cron(0 18 ? * MON-FRI *)", None, "cron(0 18 ? * MON-FRI *)"),
    ("cron(0 8 1 * ? *)", None, "cron(0 8 1 * ? *)"),
    ("cron(0/15 * * * ? *)", None, "cron(0/15 * * * ? *)"),
    ("cron(0/10 * ? * MON-FRI *)", None, "cron(0/10 * ? * MON-FRI *)"),
    ("cron(0/5 8-17 ? * MON-FRI *)", None, "cron(0/5 8-17 ? * MON-FRI *)"),
    ("cron(0 9 ? * 2#1 *)", None, "cron(0 9 ? * 2#1 *)"),
    ("cron(0 10 ? * 6L 2002-2005)", None, "cron(0 10 ? * 6L 2002-2005)"),
    ("cron(1/10 * * * ? *)", None, "cron(1/10 * * * ? *)"),
    ("cron(0 9 * * ? *)", None, "cron(0 9 * * ? *)"),
    ("cron(0 9 ? * MON-FRI *)", None, "cron(0 9 ? * MON-FRI *)"),
    // Wildcards, ranges, steps and lists.
    ("cron(*/5 * * * ? *)", None, "cron(*/5 * * * ? *)"),
    ("cron(1-59/2 * * * ? *)", None, "cron(1-59/2 * * * ? *)"),
    ("cron(0,15,30,45 * * * ? *)", None, "cron(0,15,30,45 * * * ? *)"),
    ("cron(0 0,12 * * ? *)", None, "cron(0 0,12 * * ? *)"),
    ("cron(0 */2 * * ? *)", None, "cron(0 */2 * * ? *)"),
    ("cron(00 09 * * ? *)", None, "cron(00 09 * * ? *)"),
    ("cron(59 23 * * ? *)", None, "cron(59 23 * * ? *)"),
    ("cron(0 9 1-15 * ? *)", None, "cron(0 9 1-15 * ? *)"),
    ("cron(0 9 1/7 * ? *)", None, "cron(0 9 1/7 * ? *)"),
    ("cron(0 9 31 * ? *)", None, "cron(0 9 31 * ? *)"),
    ("cron(0 0 29 2 ? *)", None, "cron(0 0 29 2 ? *)"),
    ("cron(0 0 1 JAN ? *)", None, "cron(0 0 1 JAN ? *)"),
    ("cron(0 0 1 jan,jul ? *)", None, "cron(0 0 1 JAN,JUL ? *)"),
    ("cron(0 0 1 1-12/3 ? *)", None, "cron(0 0 1 1-12/3 ? *)"),
    ("cron(0 0 1 JAN-JUN ? *)", None, "cron(0 0 1 JAN-JUN ? *)"),
    ("cron(0 9 ? * SUN,SAT *)", None, "cron(0 9 ? * SUN,SAT *)"),
    ("cron(0 9 ? * 1,7 *)", None, "cron(0 9 ? * 1,7 *)"),
    ("cron(0 9 ? * * *)", None, "cron(0 9 ? * * *)"),
    ("cron(0 9 ? * mon-fri *)", None, "cron(0 9 ? * MON-FRI *)"),
    ("cron(  0   9 * * ? * )", None, "cron(0 9 * * ? *)"),
    // Ranges that wrap around the end of their field (AWS documents `20-2`).
    ("cron(0/30 20-2 ? * MON-FRI *)", None, "cron(0/30 20-2 ? * MON-FRI *)"),
    ("cron(0 22-2/2 * * ? *)", None, "cron(0 22-2/2 * * ? *)"),
    ("cron(50-10 * * * ? *)", None, "cron(50-10 * * * ? *)"),
    ("cron(0 0 28-3 * ? *)", None, "cron(0 0 28-3 * ? *)"),
    ("cron(0 0 1 NOV-FEB ? *)", None, "cron(0 0 1 NOV-FEB ? *)"),
    ("cron(0 0 1 11-2/2 ? *)", None, "cron(0 0 1 11-2/2 ? *)"),
    ("cron(0 9 ? * FRI-MON *)", None, "cron(0 9 ? * FRI-MON *)"),
    ("cron(0 9 ? * sat-sun *)", None, "cron(0 9 ? * SAT-SUN *)"),
    ("cron(0 9 ? * 7-1 *)", None, "cron(0 9 ? * 7-1 *)"),
    ("cron(0 0 * * ? 2027-2027)", None, "cron(0 0 * * ? 2027-2027)"),
    // Day-of-month specials.
    ("cron(0 0 L * ? *)", None, "cron(0 0 L * ? *)"),
    ("cron(0 0 LW * ? *)", None, "cron(0 0 LW * ? *)"),
    ("cron(0 0 15W * ? *)", None, "cron(0 0 15W * ? *)"),
    ("cron(0 0 1W * ? *)", None, "cron(0 0 1W * ? *)"),
    ("cron(0 0 lw * ? *)", None, "cron(0 0 LW * ? *)"),
    ("cron(0 0 l * ? *)", None, "cron(0 0 L * ? *)"),
    ("cron(0 0 15w * ? *)", None, "cron(0 0 15W * ? *)"),
    // Day-of-week specials.
    ("cron(0 0 ? * L *)", None, "cron(0 0 ? * L *)"),
    ("cron(0 0 ? * 6L *)", None, "cron(0 0 ? * 6L *)"),
    ("cron(0 0 ? * FRIL *)", None, "cron(0 0 ? * FRIL *)"),
    ("cron(0 12 ? * FRI#3 *)", None, "cron(0 12 ? * FRI#3 *)"),
    ("cron(0 12 ? * fri#3 *)", None, "cron(0 12 ? * FRI#3 *)"),
    ("cron(0 0 ? * fril *)", None, "cron(0 0 ? * FRIL *)"),
    ("cron(30 2 ? * 3#5 2027)", None, "cron(30 2 ? * 3#5 2027)"),
    // Year field.
    ("cron(0 0 * * ? 2027)", None, "cron(0 0 * * ? 2027)"),
    ("cron(0 0 * * ? 1970-2199)", None, "cron(0 0 * * ? 1970-2199)"),
    ("cron(0 0 * * ? 2025/2)", None, "cron(0 0 * * ? 2025/2)"),
    ("cron(0 0 * * ? 2027,2029,2031)", None, "cron(0 0 * * ? 2027,2029,2031)"),
    ("cron(59 23 31 12 ? 2199)", None, "cron(59 23 31 12 ? 2199)"),
    // Time zones.
    ("cron(0 9 * * ? *)", Some("Europe/London"), "cron(0 9 * * ? *)"),
    ("cron(0 9 ? * MON-FRI *)", Some("America/New_York"), "cron(0 9 ? * MON-FRI *)"),
    ("cron(30 2 * * ? *)", Some("Asia/Kolkata"), "cron(30 2 * * ? *)"),
    // One-time expressions.
    ("at(2027-01-01T09:00:00)", None, "at(2027-01-01T09:00:00)"),
    ("at(2030-12-31T23:59:59)", None, "at(2030-12-31T23:59:59)"),
    ("at(2028-02-29T00:00:00)", None, "at(2028-02-29T00:00:00)"),
    ("at(2027-03-28T01:30:00)", None, "at(2027-03-28T01:30:00)"),
    ("at(2027-10-31T01:30:00)", Some("Europe/London"), "at(2027-10-31T01:30:00)"),
    ("at( 2027-06-01T12:00:00 )", Some("Australia/Sydney"), "at(2027-06-01T12:00:00)"),
];

/// Invalid expressions: (expression, time zone, substrings the message must contain).
#[rustfmt::skip]
const INVALID: &[(&str, Option<&str>, &[&str])] = &[
    // The day-of-month / day-of-week `?` rule.
    ("cron(0 9 * * * *)", None, &["must be `?`", "cron(0 9 * * ? *)"]),
    ("cron(0 9 * * MON *)", None, &["must be `?`", "cron(0 9 ? * MON *)"]),
    ("cron(0 9 15 * MON *)", None, &["both set", "cron(0 9 15 * ? *)", "cron(0 9 ? * MON *)"]),
    ("cron(0 9 L * 2 *)", None, &["must be `?`"]),
    ("cron(0 20-2 * * FRI-MON *)", None, &["must be `?`", "cron(0 20-2 ? * FRI-MON *)"]),
    ("cron(0 9 1-5 * MON-FRI *)", None, &["both set", "cron(0 9 1-5 * ? *)", "cron(0 9 ? * MON-FRI *)"]),
    ("cron(0/30 20-2 ? * MON-FRI)", None, &["found 5", "cron(0/30 20-2 ? * MON-FRI *)"]),
    ("cron(0 9 ? * ? *)", None, &["both `?`", "cron(0 9 * * ? *)"]),
    // Field count.
    ("cron(0 9 * * ?)", None, &["expected 6 fields", "found 5", "cron(0 9 * * ? *)"]),
    ("cron(0 0 9 * * ? *)", None, &["found 7", "no seconds field", "cron(0 9 * * ? *)"]),
    ("cron(30 0 9 * * ? 2027)", None, &["found 7", "cron(0 9 * * ? 2027)"]),
    ("cron()", None, &["found 0"]),
    // Ranges of each field.
    ("cron(60 * * * ? *)", None, &["minutes field `60`", "0-59"]),
    ("cron(0 24 * * ? *)", None, &["hours field `24`", "0-23"]),
    ("cron(0 0 0 * ? *)", None, &["day-of-month field `0`", "1-31"]),
    ("cron(0 0 32 * ? *)", None, &["day-of-month field `32`", "1-31"]),
    ("cron(0 0 1 13 ? *)", None, &["month field `13`", "1-12 or JAN-DEC"]),
    ("cron(0 0 1 FOO ? *)", None, &["month field `FOO`", "not a month number or name"]),
    ("cron(0 0 1 JAN-FOO ? *)", None, &["`FOO`"]),
    ("cron(0 0 ? * 0 *)", None, &["day-of-week field `0`", "1 = SUN"]),
    ("cron(0 0 ? * 8 *)", None, &["day-of-week field `8`", "1-7 or SUN-SAT"]),
    ("cron(0 0 ? * FUN *)", None, &["day-of-week field `FUN`"]),
    ("cron(0 0 ? * fun *)", None, &["day-of-week field `fun`", "`fun` is not a day-of-week number or name"]),
    ("cron(0 0 * * ? 1969)", None, &["year field `1969`", "1970-2199"]),
    ("cron(0 0 * * ? 2200)", None, &["year field `2200`", "1970-2199"]),
    // Step, range and list syntax.
    ("cron(0/0 * * * ? *)", None, &["increment `/0`", "1 to 59"]),
    ("cron(*/60 * * * ? *)", None, &["increment `/60`"]),
    ("cron(*/x * * * ? *)", None, &["increment `/x`"]),
    ("cron(/5 * * * ? *)", None, &["no start before `/`"]),
    ("cron(1-2-3 * * * ? *)", None, &["minutes field `1-2-3`"]),
    ("cron(1,,2 * * * ? *)", None, &["empty value"]),
    ("cron(0 9 * * ? 2027,)", None, &["year field", "empty value"]),
    ("cron(a * * * ? *)", None, &["`a` is not a number"]),
    ("cron(-5 * * * ? *)", None, &["missing a value"]),
    ("cron(0 0 * * ? 2027-2026)", None, &["runs backwards", "years do not wrap", "cron(0 0 * * ? 2026-2027)"]),
    ("cron(0 0 * * ? 2030,2199-1970/2)", None, &["`2199-1970`", "cron(0 0 * * ? 2030,1970-2199/2)"]),
    ("cron(0 25-2 * * ? *)", None, &["hours field `25-2`", "`25` is out of range 0-23"]),
    ("cron(0 0 30-32 * ? *)", None, &["`32` is out of range 1-31"]),
    ("cron(0 9 ? * FRI-MON/2 *)", None, &["not allowed in day-of-week"]),
    ("cron(0 9 ? * FRI-MON#2 *)", None, &["single day before it"]),
    ("cron(0 9 ? * SAT-FUN *)", None, &["`FUN`"]),
    ("cron(0 9 ? * 1/2 *)", None, &["`/`", "not allowed in day-of-week"]),
    // `?`, `L`, `W` and `#` in the wrong place.
    ("cron(? 9 * * ? *)", None, &["minutes field `?`", "only allowed in day-of-month and day-of-week"]),
    ("cron(0 9 ?,1 * ? *)", None, &["`?` must be the whole field"]),
    ("cron(L 9 * * ? *)", None, &["minutes field `L`", "`L` (last)"]),
    ("cron(0 9 * L ? *)", None, &["month field `L`", "`L` (last)"]),
    ("cron(0 9 ? * 2W *)", None, &["day-of-week field `2W`", "`W` (nearest weekday) is only allowed in day-of-month"]),
    ("cron(0 9 2#1 * ? *)", None, &["day-of-month field `2#1`", "only allowed in day-of-week"]),
    ("cron(0 9 L-2 * ? *)", None, &["`L-2`", "not documented"]),
    ("cron(0 9 l-2 * ? *)", None, &["`l-2`", "not documented"]),
    ("cron(0 9 15L * ? *)", None, &["`15L` is not a valid use of `L`"]),
    ("cron(0 9 WL * ? *)", None, &["day-of-month field `WL`"]),
    ("cron(0 9 LW,1 * ? *)", None, &["must be the whole field"]),
    ("cron(0 9 1W,15 * ? *)", None, &["must be the whole field"]),
    ("cron(0 9 1-5W * ? *)", None, &["`W` takes a single day"]),
    ("cron(0 9 32W * ? *)", None, &["`32` is out of range 1-31"]),
    ("cron(0 9 ? * 2,L *)", None, &["`L` must be the whole field"]),
    ("cron(0 9 ? * 0L *)", None, &["`0` is out of range"]),
    ("cron(0 9 ? * 2#1,3#2 *)", None, &["only one `#` term"]),
    ("cron(0 9 ? * 2#1,5 *)", None, &["`#` term must be the whole field"]),
    ("cron(0 9 ? * 2#6 *)", None, &["must be 1-5"]),
    ("cron(0 9 ? * 2#0 *)", None, &["must be 1-5"]),
    ("cron(0 9 ? * 8#1 *)", None, &["`8` is out of range"]),
    ("cron(0 9 ? * MON-FRI#2 *)", None, &["single day before it"]),
    // Rate expressions.
    ("rate(1 minutes)", None, &["singular", "rate(1 minute)"]),
    ("rate(1 hours)", None, &["singular", "rate(1 hour)"]),
    ("rate(5 minute)", None, &["plural", "rate(5 minutes)"]),
    ("rate(2 day)", None, &["plural", "rate(2 days)"]),
    ("rate(0 hours)", None, &[">= 1"]),
    ("rate(5 seconds)", None, &["`seconds` is not a rate unit", "once a minute"]),
    ("rate(2 weeks)", None, &["rate(14 days)"]),
    ("rate(1 week)", None, &["rate(7 days)"]),
    ("rate(5 Minutes)", None, &["lowercase", "rate(5 minutes)"]),
    ("rate(5)", None, &["has no unit"]),
    ("rate()", None, &["missing"]),
    ("rate(five minutes)", None, &["not a positive whole number"]),
    ("rate(-5 minutes)", None, &["not a positive whole number"]),
    ("rate(1.5 hours)", None, &["not a positive whole number", "rate(90 minutes)"]),
    ("rate(99999999999 minutes)", None, &["too large"]),
    ("rate(5 minutes now)", None, &["expected two words"]),
    // One-time expressions.
    ("at(2027-01-01 09:00:00)", None, &["yyyy-mm-ddThh:mm:ss", "at(2027-01-01T09:00:00)"]),
    ("at(2027-01-01T09:00)", None, &["add the seconds", "at(2027-01-01T09:00:00)"]),
    ("at(2027-02-30T09:00:00)", None, &["2027-02-30 is not a calendar date"]),
    ("at(2027-13-01T09:00:00)", None, &["month `13`"]),
    ("at(2027-01-01T25:00:00)", None, &["25:00:00 is not a time of day"]),
    ("at(2027-01-01T09:00:00Z)", None, &["UTC offset", "at(2027-01-01T09:00:00)"]),
    ("at(2027-01-01T09:00:00+02:00)", None, &["UTC offset"]),
    ("at(tomorrow)", None, &["yyyy-mm-ddThh:mm:ss"]),
    ("at()", None, &["date-time is missing"]),
    ("at(2027-03-28T01:30:00)", Some("Europe/London"), &["does not exist in Europe/London", "at(2027-03-28T02:00:00)"]),
    ("at(2027-10-03T02:15:00)", Some("Australia/Lord_Howe"), &["does not exist", "at(2027-10-03T02:30:00)"]),
    ("at(2027-03-14T02:30:00)", Some("America/New_York"), &["does not exist in America/New_York"]),
    // Expression kind and wrapper.
    ("every 5 minutes", None, &["unrecognised schedule expression", "rate(5 minutes)"]),
    ("cron(0 9 * * ? *", None, &["closing `)` is missing", "cron(0 9 * * ? *)"]),
    ("Cron(0 9 * * ? *)", None, &["`cron(`", "cron(0 9 * * ? *)"]),
    ("schedule(0 9 * * ? *)", None, &["`schedule` is not a schedule type"]),
    ("cron((0 9 * * ? *))", None, &["parentheses"]),
    ("", None, &["unrecognised schedule expression"]),
    // Time zones.
    ("cron(0 9 * * ? *)", Some("Europe/Londn"), &["unknown time zone `Europe/Londn`", "IANA"]),
    ("cron(0 9 * * ? *)", Some("europe/london"), &["did you mean `Europe/London`"]),
    ("rate(5 minutes)", Some(""), &["unknown time zone ``", "leave the time zone unset"]),
    ("rate(5 minutes)", Some("PST"), &["abbreviations like `PST` are not zones"]),
];

fn schedule(expression: &str, zone: Option<&str>) -> Schedule {
    let s = Schedule::parse(expression);
    match zone {
        Some(z) => s.in_time_zone(z),
        None => s,
    }
}

#[test]
fn table_has_enough_rows() {
    assert!(VALID.len() >= 45, "{} valid rows", VALID.len());
    assert!(INVALID.len() >= 45, "{} invalid rows", INVALID.len());
}

#[test]
fn valid_expressions_validate_and_render_canonically() {
    let mut failures = Vec::new();
    for (expression, zone, canonical) in VALID {
        let s = schedule(expression, *zone);
        match s.validate() {
            Ok(valid) => {
                if valid.expression() != *canonical || s.expression() != *canonical {
                    failures.push(format!(
                        "{expression}: rendered {} / {}, expected {canonical}",
                        valid.expression(),
                        s.expression()
                    ));
                }
                if valid.time_zone() != *zone {
                    failures.push(format!("{expression}: zone {:?}", valid.time_zone()));
                }
            }
            Err(e) => failures.push(format!("{expression}: unexpected error: {e}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn invalid_expressions_report_what_where_and_how() {
    let mut failures = Vec::new();
    for (expression, zone, needles) in INVALID {
        match schedule(expression, *zone).validate() {
            Ok(valid) => failures.push(format!("{expression}: accepted as {}", valid.expression())),
            Err(e) => {
                let message = e.to_string();
                if !message.contains("Fix: ") {
                    failures.push(format!("{expression}: no fix in `{message}`"));
                }
                for needle in *needles {
                    if !message.contains(needle) {
                        failures.push(format!("{expression}: `{needle}` not in `{message}`"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The backticked snippets of a fix text: `` write `cron(0 9 * * ? *)` `` gives
/// `cron(0 9 * * ? *)`.
fn snippets(fix: &str) -> Vec<&str> {
    fix.split('`').skip(1).step_by(2).collect()
}

/// A fix that shows a whole expression (or, for a time zone, a zone name) must itself
/// validate: the property holds over every invalid expression in the table.
#[test]
fn every_fix_that_shows_an_expression_validates() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (expression, zone, _) in INVALID {
        let Err(error) = schedule(expression, *zone).validate() else {
            continue; // reported by invalid_expressions_report_what_where_and_how
        };
        for snippet in snippets(error.fix()) {
            let candidate = if ["rate(", "cron(", "at("]
                .iter()
                .any(|kind| snippet.starts_with(kind))
            {
                schedule(snippet, *zone)
            } else if matches!(error, ScheduleError::TimeZone { .. })
                && (snippet.contains('/') || snippet == "UTC")
            {
                schedule(expression, Some(snippet))
            } else {
                continue; // a field value or a word, not a whole expression
            };
            checked += 1;
            if let Err(e) = candidate.validate() {
                failures.push(format!(
                    "{expression}: the fix `{snippet}` does not validate: {e}"
                ));
            }
        }
    }
    assert!(checked >= 30, "only {checked} fixes showed an expression");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn snippets_are_the_backticked_parts() {
    assert_eq!(
        snippets("keep `cron(0 9 15 * ? *)`, or `cron(0 9 ? * MON *)`"),
        ["cron(0 9 15 * ? *)", "cron(0 9 ? * MON *)"]
    );
    assert!(snippets("no expression here").is_empty());
}

#[test]
fn typed_constructors_agree_with_parse() {
    assert_eq!(
        Schedule::rate(1, TimeUnit::Minutes).expression(),
        "rate(1 minute)"
    );
    assert_eq!(
        Schedule::rate(5, TimeUnit::Minutes).expression(),
        "rate(5 minutes)"
    );
    assert_eq!(
        Schedule::rate(1, TimeUnit::Days).expression(),
        "rate(1 day)"
    );
    let zero = Schedule::rate(0, TimeUnit::Hours).validate();
    assert!(zero.is_err_and(|e| e.to_string().contains(">= 1")));

    for (input, canonical) in [
        ("0 9 ? * MON-FRI *", "cron(0 9 ? * MON-FRI *)"),
        ("cron(0 9 ? * MON-FRI *)", "cron(0 9 ? * MON-FRI *)"),
        (" cron (0 9 ? * MON-FRI *)", "cron (0 9 ? * MON-FRI *)"),
    ] {
        assert_eq!(Schedule::cron(input).expression(), canonical, "{input}");
    }
    assert!(Schedule::cron("cron(0 9 ? * MON-FRI *)").validate().is_ok());
    assert!(Schedule::cron("0 9 ? * MON-FRI *").validate().is_ok());
    assert!(Schedule::at("at(2027-01-01T09:00:00)").validate().is_ok());
    assert!(Schedule::at("2027-01-01T09:00:00").validate().is_ok());
    // A space between the kind and `(` is not AWS syntax.
    assert!(Schedule::cron(" cron (0 9 ? * MON-FRI *)")
        .validate()
        .is_err());

    let london = Schedule::cron("0 9 * * ? *").in_time_zone("Europe/London");
    assert_eq!(london.time_zone(), Some("Europe/London"));
    assert_eq!(london.to_string(), "cron(0 9 * * ? *)");
}

#[test]
fn errors_name_the_cron_field() {
    let field = |e: &str| {
        Schedule::cron(e)
            .validate()
            .err()
            .and_then(|e| e.cron_field())
    };
    assert_eq!(field("0 9 * * MON *"), Some(CronField::DayOfMonth));
    assert_eq!(field("0 9 * * * *"), Some(CronField::DayOfWeek));
    assert_eq!(field("0 9 ? * MON 2200"), Some(CronField::Year));
    assert_eq!(field("61 9 ? * MON *"), Some(CronField::Minutes));
    assert_eq!(field("0 9 ? * MON"), None);
}

// ---- fire times -------------------------------------------------------------------------

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("test instant is valid")
}

/// Fire times as RFC 3339 strings in the schedule's zone.
fn fire(expression: &str, zone: Option<&str>, after: DateTime<Utc>, n: usize) -> Vec<String> {
    let valid = schedule(expression, zone)
        .validate()
        .unwrap_or_else(|e| panic!("{expression} should be valid: {e}"));
    valid
        .next_fire_times(after, n)
        .iter()
        .map(|t| t.to_rfc3339())
        .collect()
}

/// Fire times as RFC 3339 strings in UTC.
fn fire_utc(expression: &str, zone: Option<&str>, after: DateTime<Utc>, n: usize) -> Vec<String> {
    let valid = schedule(expression, zone)
        .validate()
        .unwrap_or_else(|e| panic!("{expression} should be valid: {e}"));
    valid
        .next_fire_times(after, n)
        .iter()
        .map(|t| t.with_timezone(&Utc).to_rfc3339())
        .collect()
}

#[test]
fn rate_fires_at_fixed_intervals_from_after() {
    let after = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 30)
        .single()
        .expect("valid");
    assert_eq!(
        fire("rate(5 minutes)", None, after, 3),
        [
            "2027-01-01T00:05:30+00:00",
            "2027-01-01T00:10:30+00:00",
            "2027-01-01T00:15:30+00:00"
        ]
    );
    assert_eq!(
        fire("rate(2 hours)", None, after, 1),
        ["2027-01-01T02:00:30+00:00"]
    );
    assert!(fire("rate(1 minute)", None, after, 0).is_empty());
}

#[test]
fn rate_days_are_24_hours_across_dst() {
    // London springs forward on 2027-03-28: the local hour moves from 09:00 to 10:00.
    assert_eq!(
        fire(
            "rate(1 day)",
            Some("Europe/London"),
            utc(2027, 3, 27, 9, 0),
            2
        ),
        ["2027-03-28T10:00:00+01:00", "2027-03-29T10:00:00+01:00"]
    );
}

#[test]
fn cron_basic_and_strictly_after() {
    assert_eq!(
        fire("cron(0 9 * * ? *)", None, utc(2027, 1, 1, 9, 0), 2),
        ["2027-01-02T09:00:00+00:00", "2027-01-03T09:00:00+00:00"]
    );
    assert_eq!(
        fire("cron(0/20 * * * ? *)", None, utc(2027, 1, 1, 23, 30), 3),
        [
            "2027-01-01T23:40:00+00:00",
            "2027-01-02T00:00:00+00:00",
            "2027-01-02T00:20:00+00:00"
        ]
    );
    // 2027-01-01 is a Friday.
    assert_eq!(
        fire("cron(0 18 ? * MON-FRI *)", None, utc(2027, 1, 1, 19, 0), 2),
        ["2027-01-04T18:00:00+00:00", "2027-01-05T18:00:00+00:00"]
    );
}

#[test]
fn cron_last_day_of_month() {
    assert_eq!(
        fire("cron(0 0 L * ? *)", None, utc(2027, 1, 15, 0, 0), 3),
        [
            "2027-01-31T00:00:00+00:00",
            "2027-02-28T00:00:00+00:00",
            "2027-03-31T00:00:00+00:00"
        ]
    );
    assert_eq!(
        fire("cron(0 0 L 2 ? *)", None, utc(2027, 6, 1, 0, 0), 2),
        ["2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00"]
    );
}

#[test]
fn cron_nearest_weekday() {
    // 2027-05-15 is a Saturday (-> Fri 14th); June 15th a Tuesday; July 15th a Thursday.
    assert_eq!(
        fire("cron(0 0 15W * ? *)", None, utc(2027, 5, 1, 0, 0), 3),
        [
            "2027-05-14T00:00:00+00:00",
            "2027-06-15T00:00:00+00:00",
            "2027-07-15T00:00:00+00:00"
        ]
    );
    // 2027-05-01 is a Saturday: 1W moves forward to Monday the 3rd, not back into April.
    assert_eq!(
        fire("cron(0 0 1W 5 ? *)", None, utc(2027, 4, 1, 0, 0), 1),
        ["2027-05-03T00:00:00+00:00"]
    );
    // 2027-10-31 is a Sunday and the last day: Friday 29th; November has no 31st.
    assert_eq!(
        fire("cron(0 0 31W * ? *)", None, utc(2027, 10, 1, 0, 0), 2),
        ["2027-10-29T00:00:00+00:00", "2027-12-31T00:00:00+00:00"]
    );
}

#[test]
fn cron_last_weekday() {
    // 2027-07-31 is a Saturday -> Friday 30th; 2027-08-31 is a Tuesday.
    assert_eq!(
        fire("cron(0 0 LW * ? *)", None, utc(2027, 7, 1, 0, 0), 2),
        ["2027-07-30T00:00:00+00:00", "2027-08-31T00:00:00+00:00"]
    );
}

#[test]
fn cron_nth_weekday() {
    assert_eq!(
        fire("cron(0 9 ? * 2#1 *)", None, utc(2027, 1, 1, 0, 0), 3),
        [
            "2027-01-04T09:00:00+00:00",
            "2027-02-01T09:00:00+00:00",
            "2027-03-01T09:00:00+00:00"
        ]
    );
    // Only March, June, August and November 2027 have a fifth Tuesday.
    assert_eq!(
        fire("cron(0 9 ? * TUE#5 *)", None, utc(2027, 1, 1, 0, 0), 4),
        [
            "2027-03-30T09:00:00+00:00",
            "2027-06-29T09:00:00+00:00",
            "2027-08-31T09:00:00+00:00",
            "2027-11-30T09:00:00+00:00"
        ]
    );
    assert_eq!(
        fire("cron(0 12 ? * FRI#3 *)", None, utc(2027, 1, 1, 0, 0), 1),
        ["2027-01-15T12:00:00+00:00"]
    );
}

#[test]
fn cron_day_of_week_last() {
    // `L` alone is the last day of the week, Saturday.
    assert_eq!(
        fire("cron(0 0 ? * L *)", None, utc(2027, 1, 1, 0, 0), 2),
        ["2027-01-02T00:00:00+00:00", "2027-01-09T00:00:00+00:00"]
    );
    // `6L` is the last Friday of the month.
    assert_eq!(
        fire("cron(0 0 ? * 6L *)", None, utc(2027, 1, 1, 0, 0), 3),
        [
            "2027-01-29T00:00:00+00:00",
            "2027-02-26T00:00:00+00:00",
            "2027-03-26T00:00:00+00:00"
        ]
    );
}

#[test]
fn cron_year_bounds() {
    // A single year: runs stop at its end.
    assert_eq!(
        fire("cron(0 0 * * ? 2027)", None, utc(2027, 12, 30, 12, 0), 5),
        ["2027-12-31T00:00:00+00:00"]
    );
    // A past year never fires again.
    assert!(fire("cron(0 0 * * ? 2020)", None, utc(2026, 1, 1, 0, 0), 3).is_empty());
    // Nothing after 2199.
    assert_eq!(
        fire("cron(59 23 31 12 ? 2199)", None, utc(2199, 1, 1, 0, 0), 3),
        ["2199-12-31T23:59:00+00:00"]
    );
    assert!(fire("cron(0 0 * * ? *)", None, utc(2199, 12, 31, 0, 0), 3).is_empty());
    assert!(fire("cron(0 0 * * ? *)", None, utc(2300, 1, 1, 0, 0), 3).is_empty());
    // Before 1970 the walk starts at 1970.
    assert_eq!(
        fire("cron(0 0 1 1 ? *)", None, utc(1960, 6, 1, 0, 0), 1),
        ["1970-01-01T00:00:00+00:00"]
    );
}

#[test]
fn at_fires_once_or_never() {
    let s = "at(2027-01-01T09:00:00)";
    assert_eq!(
        fire(s, None, utc(2026, 6, 1, 0, 0), 3),
        ["2027-01-01T09:00:00+00:00"]
    );
    assert!(fire(s, None, utc(2027, 1, 1, 9, 0), 3).is_empty());
    assert!(fire(s, None, utc(2028, 1, 1, 0, 0), 3).is_empty());
    assert!(fire(s, None, utc(2026, 6, 1, 0, 0), 0).is_empty());
    // In a zone, the local time is read in that zone.
    assert_eq!(
        fire_utc(s, Some("America/New_York"), utc(2026, 6, 1, 0, 0), 1),
        ["2027-01-01T14:00:00+00:00"]
    );
    // A repeated local time runs at its first instant (BST).
    assert_eq!(
        fire_utc(
            "at(2027-10-31T01:30:00)",
            Some("Europe/London"),
            utc(2027, 1, 1, 0, 0),
            1
        ),
        ["2027-10-31T00:30:00+00:00"]
    );
}

#[test]
fn dst_london_spring_forward_skips_nonexistent_time() {
    // 2027-03-28: 01:00 GMT jumps to 02:00 BST, so 01:30 does not exist that day.
    assert_eq!(
        fire(
            "cron(30 1 * * ? *)",
            Some("Europe/London"),
            utc(2027, 3, 26, 12, 0),
            3
        ),
        [
            "2027-03-27T01:30:00+00:00",
            "2027-03-29T01:30:00+01:00",
            "2027-03-30T01:30:00+01:00"
        ]
    );
    // Every 30 minutes: the 01:00 and 01:30 runs vanish, 02:00 BST follows 00:30 GMT.
    assert_eq!(
        fire_utc(
            "cron(0/30 * * * ? *)",
            Some("Europe/London"),
            utc(2027, 3, 28, 0, 0),
            3
        ),
        [
            "2027-03-28T00:30:00+00:00",
            "2027-03-28T01:00:00+00:00",
            "2027-03-28T01:30:00+00:00"
        ]
    );
}

#[test]
fn dst_london_fall_back_runs_once_at_first_instant() {
    // 2027-10-31: 02:00 BST falls back to 01:00 GMT, so 01:30 happens twice.
    assert_eq!(
        fire_utc(
            "cron(30 1 * * ? *)",
            Some("Europe/London"),
            utc(2027, 10, 30, 12, 0),
            2
        ),
        ["2027-10-31T00:30:00+00:00", "2027-11-01T01:30:00+00:00"]
    );
    // Every 30 minutes: 01:00 and 01:30 run once (in BST); the repeated hour is not rerun.
    assert_eq!(
        fire_utc(
            "cron(0/30 * * * ? *)",
            Some("Europe/London"),
            utc(2027, 10, 30, 23, 45),
            4
        ),
        [
            "2027-10-31T00:00:00+00:00",
            "2027-10-31T00:30:00+00:00",
            "2027-10-31T02:00:00+00:00",
            "2027-10-31T02:30:00+00:00"
        ]
    );
}

#[test]
fn dst_new_york() {
    // 2027-03-14: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    assert_eq!(
        fire(
            "cron(30 2 * * ? *)",
            Some("America/New_York"),
            utc(2027, 3, 13, 12, 0),
            2
        ),
        ["2027-03-15T02:30:00-04:00", "2027-03-16T02:30:00-04:00"]
    );
    // 2027-11-07: 02:00 EDT falls back to 01:00 EST; 01:30 runs once, in EDT.
    assert_eq!(
        fire_utc(
            "cron(30 1 * * ? *)",
            Some("America/New_York"),
            utc(2027, 11, 6, 12, 0),
            2
        ),
        ["2027-11-07T05:30:00+00:00", "2027-11-08T06:30:00+00:00"]
    );
    // Weekday 09:00 keeps its local time across the change.
    assert_eq!(
        fire(
            "cron(0 9 ? * MON-FRI *)",
            Some("America/New_York"),
            utc(2027, 3, 12, 15, 0),
            1
        ),
        ["2027-03-15T09:00:00-04:00"]
    );
}

#[test]
fn search_is_fast_for_rare_and_impossible_dates() {
    let start = Instant::now();
    assert_eq!(
        fire("cron(0 0 29 2 ? *)", None, utc(2027, 1, 1, 0, 0), 3),
        [
            "2028-02-29T00:00:00+00:00",
            "2032-02-29T00:00:00+00:00",
            "2036-02-29T00:00:00+00:00"
        ]
    );
    // Never matches: the walk ends at 2199 instead of looping.
    assert!(fire("cron(0 0 30 2 ? *)", None, utc(2027, 1, 1, 0, 0), 3).is_empty());
    assert!(fire("cron(0 0 ? 2 2#5 2199)", None, utc(2027, 1, 1, 0, 0), 3).len() <= 1);
    // Every minute: many fire times from one day.
    assert_eq!(
        fire("cron(* * * * ? *)", None, utc(2027, 1, 1, 0, 0), 2000).len(),
        2000
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

// ---- ranges that wrap around ------------------------------------------------------------

#[test]
fn wrapped_hours_run_past_midnight_field_by_field() {
    // AWS's example. 2027-01-01 is a Friday: 20:00-23:30 run on Friday; 00:00-02:30 run on
    // Monday to Friday mornings (each field matches on its own), so not on Saturday.
    let s = "cron(0/30 20-2 ? * MON-FRI *)";
    assert_eq!(
        fire(s, None, utc(2027, 1, 1, 22, 45), 4),
        [
            "2027-01-01T23:00:00+00:00",
            "2027-01-01T23:30:00+00:00",
            "2027-01-04T00:00:00+00:00",
            "2027-01-04T00:30:00+00:00"
        ]
    );
    assert_eq!(
        fire(s, None, utc(2027, 1, 4, 2, 0), 3),
        [
            "2027-01-04T02:30:00+00:00",
            "2027-01-04T20:00:00+00:00",
            "2027-01-04T20:30:00+00:00"
        ]
    );
    // A step walks the wrapped sequence: 22, 24 -> 0, 26 -> 2.
    assert_eq!(
        fire("cron(15 22-3/2 * * ? *)", None, utc(2027, 1, 1, 12, 0), 4),
        [
            "2027-01-01T22:15:00+00:00",
            "2027-01-02T00:15:00+00:00",
            "2027-01-02T02:15:00+00:00",
            "2027-01-02T22:15:00+00:00"
        ]
    );
}

#[test]
fn wrapped_minutes_days_months_and_weekdays() {
    // Minutes 50, 60 -> 0, 70 -> 10.
    assert_eq!(
        fire("cron(50-10/10 9 * * ? *)", None, utc(2027, 1, 1, 0, 0), 4),
        [
            "2027-01-01T09:00:00+00:00",
            "2027-01-01T09:10:00+00:00",
            "2027-01-01T09:50:00+00:00",
            "2027-01-02T09:00:00+00:00"
        ]
    );
    // Days 30, 31, 1, 2: February 2027 has neither a 30th nor a 31st.
    assert_eq!(
        fire("cron(0 0 30-2 * ? *)", None, utc(2027, 1, 29, 0, 0), 6),
        [
            "2027-01-30T00:00:00+00:00",
            "2027-01-31T00:00:00+00:00",
            "2027-02-01T00:00:00+00:00",
            "2027-02-02T00:00:00+00:00",
            "2027-03-01T00:00:00+00:00",
            "2027-03-02T00:00:00+00:00"
        ]
    );
    // November to February crosses the new year.
    assert_eq!(
        fire("cron(0 0 1 NOV-FEB ? *)", None, utc(2027, 3, 1, 0, 0), 5),
        [
            "2027-11-01T00:00:00+00:00",
            "2027-12-01T00:00:00+00:00",
            "2028-01-01T00:00:00+00:00",
            "2028-02-01T00:00:00+00:00",
            "2028-11-01T00:00:00+00:00"
        ]
    );
    // Months 11, 13 -> 1: every other month through the wrapped range.
    assert_eq!(
        fire("cron(0 0 1 11-2/2 ? *)", None, utc(2027, 3, 1, 0, 0), 3),
        [
            "2027-11-01T00:00:00+00:00",
            "2028-01-01T00:00:00+00:00",
            "2028-11-01T00:00:00+00:00"
        ]
    );
    // Friday to Monday; 2027-01-06 is a Wednesday.
    assert_eq!(
        fire("cron(0 9 ? * FRI-MON *)", None, utc(2027, 1, 6, 0, 0), 5),
        [
            "2027-01-08T09:00:00+00:00",
            "2027-01-09T09:00:00+00:00",
            "2027-01-10T09:00:00+00:00",
            "2027-01-11T09:00:00+00:00",
            "2027-01-15T09:00:00+00:00"
        ]
    );
}

#[test]
fn wrapped_ranges_across_daylight_saving_in_london() {
    // 2027-03-28: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist, so it does not run.
    assert_eq!(
        fire(
            "cron(30 23-2 * * ? *)",
            Some("Europe/London"),
            utc(2027, 3, 27, 23, 0),
            4
        ),
        [
            "2027-03-27T23:30:00+00:00",
            "2027-03-28T00:30:00+00:00",
            "2027-03-28T02:30:00+01:00",
            "2027-03-28T23:30:00+01:00"
        ]
    );
    // 2027-10-30 is a Saturday; SAT-SUN wraps (7-1). On Sunday 31st 02:00 BST falls back
    // to 01:00 GMT: 01:30 runs once, in BST. Monday has no runs; the next Saturday does.
    assert_eq!(
        fire(
            "cron(30 22-1 ? * SAT-SUN *)",
            Some("Europe/London"),
            utc(2027, 10, 30, 21, 0),
            7
        ),
        [
            "2027-10-30T22:30:00+01:00",
            "2027-10-30T23:30:00+01:00",
            "2027-10-31T00:30:00+01:00",
            "2027-10-31T01:30:00+01:00",
            "2027-10-31T22:30:00+00:00",
            "2027-10-31T23:30:00+00:00",
            "2027-11-06T00:30:00+00:00"
        ]
    );
}
