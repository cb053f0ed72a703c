//! The init'd spec project through the real tools (ignored under a plain
//! `cargo test`; `scripts/test` provides the tools): its template through
//! aws-sam-translator, cfn-lint, checkov and a deploy into moto, and
//! `sam build` of its email notifier with cargo-lambda. The helpers are the
//! stacks tests' own (`stacks/tests/support`), shared by path.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::init::init;
use crate::support::sam::{assert_x86_64_elf, build_command};
use crate::support::validators::{
    assert_cfn_lint_clean, assert_no_checkov_failures, checkov, checkov_reports, moto_deploy,
    read_json, tool,
};
use crate::support::{run, text};
use crate::{checkout, cloud_cron_in, stderr, stdout};

/// A spec project from `init`, synthesized (YAML in out/, JSON in json/).
fn synthesized_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("project");
    init(&project, &[]);
    for args in [
        &["synth"][..],
        &["synth", "--format", "json", "--out-dir", "json"][..],
    ] {
        let o = cloud_cron_in(&project, args);
        assert!(
            o.status.success(),
            "synth failed:\n{}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    (dir, project)
}

/// aws-sam-translator on `template`: the CloudFormation JSON file it wrote.
fn translate(template: &Path) -> PathBuf {
    let output = template.with_extension("cfn.json");
    let tools = PathBuf::from(tool("CLOUDCRON_TOOLS"));
    let o = run(Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(tools.join("sam_translate.py"))
        .arg(template)
        .arg(&output));
    assert!(
        o.status.success(),
        "aws-sam-translator rejected {}:\n{}{}",
        template.display(),
        text(&o.stdout),
        text(&o.stderr)
    );
    output
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn the_init_d_project_passes_the_validators_and_deploys_into_moto() {
    let (_dir, project) = synthesized_project();
    let cfn = translate(&project.join("out/Jobs.template.yaml"));
    let from_json = translate(&project.join("json/Jobs.template.json"));
    assert_eq!(
        read_json(&cfn),
        read_json(&from_json),
        "YAML and JSON agree"
    );
    assert_cfn_lint_clean("init'd Jobs", &cfn);
    let (_, report) = checkov("init'd Jobs", &cfn);
    for report in checkov_reports(&report) {
        assert_no_checkov_failures("init'd Jobs", report);
    }
    let deployed = moto_deploy("init'd Jobs", "cli-init-jobs", &cfn);
    assert_eq!(deployed["status"], "CREATE_COMPLETE");
}

#[test]
#[ignore = "needs aws-sam-cli and cargo-lambda: run scripts/test"]
fn sam_build_compiles_the_init_d_projects_email_notifier() {
    let (_dir, project) = synthesized_project();
    // Offline: the versions this checkout locks are in cargo's cache.
    fs::copy(
        checkout().join("Cargo.lock"),
        project.join("functions/Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    let template: Value = read_json(&project.join("json/Jobs.template.json"));
    let (id, _) = template["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == "notifier-email")
        .expect("a function runs notifier-email");
    let build_dir = project.join(".aws-sam/build");
    let o = run(build_command(
        &project.join("out/Jobs.template.yaml"),
        &build_dir,
        &project,
    )
    .arg(id));
    assert!(
        o.status.success(),
        "sam build {id} failed (exit {:?}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_x86_64_elf(&build_dir.join(id).join("bootstrap"));
    assert!(
        !project.join("functions/target").exists(),
        "sam build wrote a target/ directory into the project"
    );
}
