//! `cloud-cron next`: the next fire times of any EventBridge Scheduler
//! expression (rate, cron or at) in a time zone, with the same evaluator,
//! and the same error and warning words, as synth.

use std::io::Write;

use cfn_gen::schedule::{Schedule, Tz};
use chrono::{DateTime, Utc};

use crate::exit::Exit;

/// Print the next fire times of a schedule expression, in its time zone and in UTC.
///
/// Uses synth's own evaluator, so what it prints is what EventBridge Scheduler
/// does with the expression: daylight-saving gaps and repeats, `L`, `W` and
/// `#`, rates counted from the start time.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  cloud-cron next 'cron(0 9 ? * MON-FRI *)' --tz Europe/London
  cloud-cron next 'cron(0 18 L * ? *)' -n 3 --from 2027-01-01T00:00:00Z
  cloud-cron next 'rate(6 hours)'
  cloud-cron next 'at(2027-06-01T09:00:00)' --tz America/New_York")]
pub struct NextArgs {
    /// The schedule expression: `rate(5 minutes)`, `cron(0 9 ? * MON-FRI *)`
    /// or `at(2027-06-01T09:00:00)` (quote it in the shell).
    pub expression: String,
    /// The IANA time zone the expression is read in (EventBridge Scheduler's
    /// `ScheduleExpressionTimezone`), e.g. `Europe/London`. Default: UTC.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// How many fire times to print.
    #[arg(short = 'n', long = "count", value_name = "N", default_value_t = 10)]
    pub count: usize,
    /// Start after this instant (RFC 3339, e.g. `2027-03-25T00:00:00Z`) instead
    /// of now; a `rate(..)` counts from it.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub from: Option<DateTime<Utc>>,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 time ({e}); write e.g. 2027-03-25T00:00:00Z")
        })
}

/// Runs `next`: fire times to `out`, problems to `err` (worded as synth
/// words them: `error: invalid schedule: ..` and a `fix:` line).
pub fn run(args: &NextArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Exit> {
    let mut schedule = Schedule::parse(&args.expression);
    if let Some(tz) = &args.tz {
        schedule = schedule.in_time_zone(tz);
    }
    let valid = match schedule.validate() {
        Ok(valid) => valid,
        Err(e) => {
            writeln!(
                err,
                "error: invalid schedule: {}\n  fix: {}",
                e.problem(),
                e.fix()
            )?;
            return Ok(Exit::Invalid);
        }
    };
    for warning in valid.warnings() {
        writeln!(err, "warning: {}\n  fix: {}", warning.problem, warning.fix)?;
    }
    let from = args.from.unwrap_or_else(Utc::now);
    if let Err(never) = valid.check_fires(from, None, None) {
        writeln!(err, "error: {}\n  fix: {}", never.problem, never.fix)?;
        return Ok(Exit::Invalid);
    }
    let zone = valid.time_zone().unwrap_or("UTC");
    let times = valid.next_fire_times(from, args.count);
    let noun = if times.len() == 1 { "time" } else { "times" };
    writeln!(
        out,
        "{} in {zone}: {} fire {noun} after {}",
        valid.expression(),
        times.len(),
        from.format("%Y-%m-%d %H:%M:%S UTC")
    )?;
    for time in &times {
        writeln!(out, "  {}", line(time, zone == "UTC"))?;
    }
    Ok(Exit::Success)
}

/// One fire time: weekday, local date-time and zone abbreviation, then the
/// same instant in UTC (left out when the zone is UTC).
fn line(time: &DateTime<Tz>, utc_zone: bool) -> String {
    let local = time.format("%a %Y-%m-%d %H:%M %Z").to_string();
    if utc_zone {
        return local;
    }
    let utc = time.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC");
    format!("{local}  = {utc}")
}
