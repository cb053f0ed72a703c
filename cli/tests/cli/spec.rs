//! `schema`, `validate` and `synth` of a `cloud-cron.yaml`: the committed
//! schema, errors with file:line:column, spec path and fix, and exit codes.

use std::fs;
use std::path::Path;

use crate::{checkout, cloud_cron, cloud_cron_in, readme_block, stderr, stdout};

/// A spec scaffolded by `init` (path dependencies), with `edit` applied.
fn spec_with(dir: &Path, name: &str, edit: impl Fn(String) -> String) {
    if !dir.join("cloud-cron.yaml").exists() {
        crate::init::init(dir, &[]);
    }
    let spec = fs::read_to_string(dir.join("cloud-cron.yaml")).expect("spec");
    let edited = edit(spec.clone());
    assert_ne!(edited, spec, "the edit changed nothing");
    fs::write(dir.join(name), edited).expect("write spec");
}

#[test]
fn schema_prints_the_committed_schema() {
    let committed =
        fs::read_to_string(checkout().join("spec/cloud-cron.schema.json")).expect("schema");
    let o = cloud_cron(&["schema"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), committed);

    let dir = tempfile::tempdir().expect("tempdir");
    let o = cloud_cron_in(dir.path(), &["schema", "--out", "s.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(
        fs::read_to_string(dir.path().join("s.json")).expect("written"),
        committed
    );
}

#[test]
fn validate_accepts_the_reference_specs() {
    let o = cloud_cron(&["validate", "-f", "../stacks/specs/task-example.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "TaskExample: valid, 46 resources (48 after the SAM transform)\n"
    );
}

#[test]
fn validate_names_file_line_column_path_and_fix_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Found while loading: a schedule AWS rejects, and a reference to no topic.
    spec_with(dir.path(), "bad.yaml", |s| {
        s.replace("cron(0 2 * * ? *)", "cron(0 2 * * * *)")
            .replace("topic: Alerts", "topic: Alert")
    });
    let o = cloud_cron_in(dir.path(), &["validate", "-f", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bad.yaml:31:9 (stacks.Jobs.tasks.NightlyReport.schedule): error: invalid cron expression `cron(0 2 * * * *)`"),
        "{err}"
    );
    assert!(
        err.contains("\n  fix: use `?` in day-of-week: `cron(0 2 * * ? *)`"),
        "{err}"
    );
    assert!(
        err.contains("(stacks.Jobs.channels.AlertEmail.topic): error: no topic `Alert` in stack Jobs; its topics are: Ops, Alerts"),
        "{err}"
    );
    assert_eq!(
        err,
        readme_block("Every error and warning names the file", "text"),
        "the README shows this spec's errors"
    );

    // Found by synth: an address and a template, at the channel's line.
    spec_with(dir.path(), "synth.yaml", |s| {
        s.replacen(
            "to: [ops@example.com]\n        subject: \"[{{ task }}] {{ payload.text",
            "to: [ops.example.com]\n        subject: \"[{{ task }}] {{ payload.text",
            1,
        )
        .replace("text: \"{{ payload.text }}\"", "text: \"{{ payload.text \"")
    });
    let o = cloud_cron_in(dir.path(), &["validate", "-f", "synth.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("synth found 2 error(s):\n"), "{err}");
    assert!(
        err.contains("synth.yaml:36:7 (stacks.Jobs.channels.AlertEmail): error: recipient `ops.example.com` is not an email address"),
        "{err}"
    );
    assert!(err.contains("does not compile"), "{err}");
    assert_eq!(
        err.matches("\n  construct: Jobs/AlertEmail\n").count(),
        2,
        "{err}"
    );
    assert_eq!(err.matches("\n  fix: ").count(), 2, "{err}");
}

#[test]
fn synth_of_a_bad_spec_writes_nothing_and_warnings_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    spec_with(dir.path(), "bad.yaml", |s| {
        s.replace("kind: email\n        topic", "kind: e-mail\n        topic")
    });
    let o = cloud_cron_in(dir.path(), &["synth", "-f", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("bad.yaml:"), "{}", stderr(&o));
    assert!(!dir.path().join("out").exists(), "nothing written");

    spec_with(dir.path(), "warn.yaml", |s| {
        s.replace("Europe/London", "EST")
    });
    let o = cloud_cron_in(dir.path(), &["synth", "-f", "warn.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "warn.yaml:27:7 (stacks.Jobs.tasks.NightlyReport): warning: time zone `EST`"
        ),
        "{err}"
    );
    assert!(dir.path().join("out/Jobs.template.yaml").is_file());
}

#[test]
fn synth_check_compares_and_names_the_command_that_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::init::init(dir.path(), &[]);
    let o = cloud_cron_in(dir.path(), &["synth", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("out does not exist, so there is nothing to check: run `cloud-cron synth` to write them"),
        "{}",
        stderr(&o)
    );
    let o = cloud_cron_in(
        dir.path(),
        &["synth", "--format", "json", "--out-dir", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Jobs: "), "{}", stdout(&o));
    let o = cloud_cron_in(
        dir.path(),
        &["synth", "--format", "json", "--out-dir", "json", "--check"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "json/Jobs.template.json: up to date\n");
    fs::write(dir.path().join("json/Jobs.template.json"), "{}\n").expect("write");
    let o = cloud_cron_in(
        dir.path(),
        &["synth", "--format", "json", "--out-dir", "json", "--check"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("run `cloud-cron synth --out-dir json --format json` to write them"),
        "{}",
        stderr(&o)
    );
    let o = cloud_cron_in(dir.path(), &["synth", "--stack", "Nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no stack named `Nope`; the stacks are: Jobs"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn without_a_spec_or_cargo_project_synth_and_validate_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for command in ["synth", "validate"] {
        let o = cloud_cron_in(dir.path(), &[command]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert!(
            stderr(&o).contains("no cloud-cron.yaml and no Cargo.toml in"),
            "{}",
            stderr(&o)
        );
        let o = cloud_cron_in(dir.path(), &[command, "-f", "missing.yaml"]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert!(
            stderr(&o).contains("missing.yaml does not exist"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn every_subcommand_has_help() {
    for command in ["init", "synth", "validate", "next", "schema"] {
        let o = cloud_cron(&[command, "--help"]);
        assert!(o.status.success(), "{command}");
        assert!(
            stdout(&o).contains(&format!("Usage: cloud-cron {command}")),
            "{}",
            stdout(&o)
        );
    }
    let o = cloud_cron(&["--help"]);
    assert!(o.status.success());
    for command in ["init", "synth", "validate", "next", "schema"] {
        assert!(
            stdout(&o).contains(&format!("  {command} ")),
            "{}",
            stdout(&o)
        );
    }
    let o = cloud_cron(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}
