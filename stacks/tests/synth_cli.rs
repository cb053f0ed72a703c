//! The `synth` command as a user runs it: files, summary, exit codes,
//! `--check` drift detection and byte-identical output across runs.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn synth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synth"))
        .args(args)
        .output()
        .expect("synth runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out_dir(dir: &Path) -> &str {
    dir.to_str().expect("utf-8 temp path")
}

#[test]
fn writes_every_stack_and_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = synth(&["--out-dir", out_dir(dir.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for stack in [
        "CloudCronExample",
        "ErpSchedules",
        "ImageExample",
        "TaskExample",
    ] {
        let file = dir.path().join(format!("{stack}.template.yaml"));
        let body = fs::read_to_string(&file).expect("template written");
        assert!(body.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"));
        assert!(text.contains(&format!("{stack}: ")), "{text}");
    }
    assert!(
        text.contains("CloudCronExample: 27 resources (28 after the SAM transform)"),
        "{text}"
    );
    assert!(text.contains("rate(5 minutes) (UTC)  next: "), "{text}");
    assert!(
        text.contains("cron(30 1 ? * MON-FRI *) (Europe/London)  next: "),
        "{text}"
    );
    // three fire times for the cron schedule, each in London time (GMT or BST)
    let cron_line = text
        .lines()
        .find(|l| l.contains("NightlySync"))
        .expect("cron line");
    assert_eq!(cron_line.matches("01:30 ").count(), 3, "{cron_line}");
    // the tag warning goes to stderr, not into the summary
    assert!(stderr(&o).contains("warning: CloudCronExample/Report: image"));
}

#[test]
fn two_runs_are_byte_identical() {
    for format in ["yaml", "json"] {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        assert!(synth(&["--format", format, "--out-dir", out_dir(a.path())])
            .status
            .success());
        assert!(synth(&["--format", format, "--out-dir", out_dir(b.path())])
            .status
            .success());
        let mut names: Vec<_> = fs::read_dir(a.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 4);
        for name in names {
            let x = fs::read(a.path().join(&name)).expect("read a");
            let y = fs::read(b.path().join(&name)).expect("read b");
            assert_eq!(x, y, "{name:?} differs between runs");
        }
    }
}

#[test]
fn json_format_and_stack_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = synth(&[
        "--format",
        "json",
        "--stack",
        "ErpSchedules",
        "--out-dir",
        out_dir(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let body = fs::read_to_string(dir.path().join("ErpSchedules.template.json")).expect("written");
    let parsed: serde_json::Value = serde_json::from_str(&body).expect("valid JSON");
    assert_eq!(parsed["Transform"], "AWS::Serverless-2016-10-31");
    assert!(!dir.path().join("CloudCronExample.template.json").exists());
}

#[test]
fn check_passes_when_current_and_shows_a_diff_on_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = out_dir(dir.path());
    assert!(synth(&["--out-dir", d]).status.success());
    let o = synth(&["--check", "--out-dir", d]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("up to date"));

    let file = dir.path().join("CloudCronExample.template.yaml");
    let edited = fs::read_to_string(&file)
        .expect("read")
        .replace("rate(5 minutes)", "rate(10 minutes)");
    fs::write(&file, &edited).expect("edit");
    let o = synth(&["--check", "--out-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    let diff = stdout(&o);
    assert!(
        diff.contains("-      ScheduleExpression: rate(10 minutes)"),
        "{diff}"
    );
    assert!(
        diff.contains("+      ScheduleExpression: rate(5 minutes)"),
        "{diff}"
    );
    assert!(stderr(&o).contains("1 template(s) out of date"));
    // --check never writes
    assert_eq!(fs::read_to_string(&file).expect("read"), edited);

    fs::remove_file(&file).expect("remove");
    let o = synth(&["--check", "--out-dir", d]);
    assert_eq!(o.status.code(), Some(1), "a missing file is drift");
}

#[test]
fn usage_errors_exit_2() {
    let o = synth(&["--stack", "NoSuchStack"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(
        "no stack named `NoSuchStack`; the stacks are: CloudCronExample, ErpSchedules, ImageExample, TaskExample"
    ));
    let o = synth(&["--format", "toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = synth(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validation_errors_exit_1_and_write_nothing() {
    use cfn_gen::{App, Schedule, ScheduledLambda, Stack};
    let app = App::new();
    let stack = Stack::new(&app, "Broken");
    ScheduledLambda::new(&stack, "Report")
        .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:v1")
        .schedule(Schedule::cron("0 9 * * MON *"));
    ScheduledLambda::new(&stack, "Other");
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cloud_cron_cli::run(
        &app,
        ["synth", "--out-dir", out_dir(dir.path())],
        &mut out,
        &mut err,
    );
    assert_eq!(code, std::process::ExitCode::from(1));
    let err = String::from_utf8_lossy(&err);
    assert!(err.starts_with("synth found 3 error(s):"), "{err}");
    assert!(
        err.contains("error: Broken/Report: invalid schedule"),
        "{err}"
    );
    assert!(
        err.contains("fix: use `?` in day-of-month: `cron(0 9 ? * MON *)`"),
        "{err}"
    );
    assert!(
        err.contains("error: Broken/Other: the function has no code"),
        "{err}"
    );
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing written"
    );
}
