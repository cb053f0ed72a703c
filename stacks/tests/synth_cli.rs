//! The `synth` command as a user runs it: files, summary, exit codes,
//! `--check` drift detection and byte-identical output across runs; and
//! (in [`own_repository`]) as a project of its own uses it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod own_repository;
mod support;

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
        "Reminders",
        "TaskExample",
    ] {
        let file = dir.path().join(format!("{stack}.template.yaml"));
        let body = fs::read_to_string(&file).expect("template written");
        assert!(body.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"));
        assert!(text.contains(&format!("{stack}: ")), "{text}");
    }
    assert!(
        text.contains("CloudCronExample: 61 resources (62 after the SAM transform)"),
        "{text}"
    );
    assert!(text.contains("rate(5 minutes) (UTC)  next: "), "{text}");
    assert!(
        text.contains("cron(0 7 ? * MON-FRI *) (Europe/London)  next: "),
        "{text}"
    );
    // three fire times for each job's cron schedule, each in London time (GMT or BST)
    let cron_line = text
        .lines()
        .find(|l| l.contains("ErpSchedules/OdooJobs/send-invoices"))
        .expect("a job's cron line");
    assert_eq!(cron_line.matches("07:00 ").count(), 3, "{cron_line}");
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
        assert_eq!(names.len(), 7);
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
        "no stack named `NoSuchStack`; the stacks are: CloudCronExample, ErpSchedules, ImageExample, OdooSync, Reminders, TaskExample, TimeTracking"
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

#[test]
fn check_against_a_missing_directory_says_so_in_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("templates");
    let o = synth(&["--check", "--out-dir", out_dir(&missing)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "", "no diff of every file as added");
    let err = stderr(&o);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(err.lines().last(), errors.last().copied(), "{err}");
    assert!(
        errors[0].starts_with(&format!(
            "error: {} does not exist, so there is nothing to check: run `cargo run --bin synth -- --out-dir {}`",
            missing.display(),
            missing.display()
        )),
        "{err}"
    );
}

#[test]
fn the_check_hint_suggests_a_commit_only_for_a_directory_git_tracks() {
    let repo = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("git runs (the test needs git on PATH)");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet"]);
    fs::write(repo.path().join(".gitignore"), "/out\n").expect("write .gitignore");
    let check = |dir: &str| {
        // Write the templates, then make one drift.
        let write = Command::new(env!("CARGO_BIN_EXE_synth"))
            .args(["--out-dir", dir, "--stack", "TaskExample"])
            .current_dir(repo.path())
            .output()
            .expect("synth runs");
        assert!(write.status.success(), "{}", stderr(&write));
        let file = repo.path().join(dir).join("TaskExample.template.yaml");
        fs::write(&file, "drifted\n").expect("edit");
        let o = Command::new(env!("CARGO_BIN_EXE_synth"))
            .args(["--check", "--out-dir", dir, "--stack", "TaskExample"])
            .current_dir(repo.path())
            .output()
            .expect("synth runs");
        assert_eq!(o.status.code(), Some(1));
        // The warnings come first; the hint is the last line.
        stderr(&o).lines().last().unwrap_or_default().to_owned()
    };
    let ignored = check("out");
    assert_eq!(
        ignored,
        "1 template(s) out of date: run `cargo run --bin synth -- --stack TaskExample` to write them"
    );
    let tracked = check("templates");
    assert_eq!(
        tracked,
        "1 template(s) out of date: run `cargo run --bin synth -- --out-dir templates --stack TaskExample` and commit the result"
    );
}

/// The sample run in the README: its warnings (stderr) and its summary
/// (stdout), with `out/` as the output directory.
fn readme_sample() -> (Vec<String>, Vec<String>) {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .expect("read README.md");
    let start = readme
        .find("`cargo run --bin synth` validates every stack")
        .expect("the README describes synth's output");
    let block = readme[start..]
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("a ```text block after the description");
    let (warnings, summary): (Vec<&str>, Vec<&str>) = block
        .lines()
        .partition(|l| l.starts_with("warning: ") || l.starts_with("  fix: "));
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect();
    (owned(warnings), owned(summary))
}

#[test]
fn the_readme_shows_what_synth_prints() {
    // As `cargo run --bin synth` prints it from the repository root: the
    // templates' relative code paths, and so their sizes, depend on out/.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let synthesis = cloud_cron_stacks::app()
        .synth_with(&cfn_gen::SynthOptions {
            format: cfn_gen::Format::Yaml,
            out_dir: root.join("out"),
        })
        .expect("the example stacks are valid");
    let warnings: Vec<String> = synthesis
        .warnings
        .iter()
        .flat_map(|w| w.to_string().lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let mut summary = Vec::new();
    for stack in &synthesis.stacks {
        let path = Path::new("out").join(stack.file_name());
        cloud_cron_cli::write_summary(stack, &path, &mut summary).expect("write summary");
    }
    let actual: Vec<String> = String::from_utf8_lossy(&summary)
        .lines()
        .map(str::to_owned)
        .collect();
    let (readme_warnings, readme_summary) = readme_sample();
    assert_eq!(warnings, readme_warnings, "the README's warnings");
    assert_eq!(
        actual.len(),
        readme_summary.len(),
        "README:\n{}\nsynth:\n{}",
        readme_summary.join("\n"),
        actual.join("\n")
    );
    for (shown, printed) in readme_summary.iter().zip(&actual) {
        match (shown.split_once("  next: "), printed.split_once("  next: ")) {
            // Fire times depend on the day: the schedule and how many times are shown must match.
            (Some((shown_schedule, shown_next)), Some((schedule, next))) => {
                assert_eq!(shown_schedule, schedule);
                assert_eq!(
                    shown_next.split(", ").count(),
                    next.split(", ").count(),
                    "{shown}\n{printed}"
                );
            }
            _ => assert_eq!(
                shown, printed,
                "a README summary line (sizes, counts) is stale"
            ),
        }
    }
}

/// A stack split into nested stacks: the parts are written next to the root,
/// the summary lists them, and `--check` checks them too.
#[test]
fn a_split_stack_writes_and_checks_its_nested_templates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = cloud_cron_stacks::large_app::app(60);
    let run = |extra: &[&str]| {
        let mut args = vec!["synth", "--out-dir", out_dir(dir.path())];
        args.extend_from_slice(extra);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = cloud_cron_cli::run(&app, args, &mut out, &mut err);
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    };
    let (code, text, err) = run(&[]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    assert!(text.contains("LargeApp: "), "{text}");
    assert!(text.contains("  split into 2 nested stacks"), "{text}");
    let root = fs::read_to_string(dir.path().join("LargeApp.template.yaml")).expect("root");
    for part in ["LargeAppPart0", "LargeAppPart1"] {
        let file = format!("{part}.template.yaml");
        assert!(root.contains(&format!("Location: {file}")), "{root}");
        assert!(text.contains(&format!("-> {file}")), "{text}");
        assert!(dir.path().join(&file).is_file(), "{file} written");
    }
    let (code, text, _) = run(&["--check"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    assert!(
        text.contains("LargeAppPart1.template.yaml: up to date"),
        "{text}"
    );
    fs::remove_file(dir.path().join("LargeAppPart1.template.yaml")).expect("remove a part");
    let (code, text, _) = run(&["--check"]);
    assert_ne!(code, std::process::ExitCode::SUCCESS);
    assert!(
        text.contains("LargeAppPart1.template.yaml: missing"),
        "{text}"
    );
}
