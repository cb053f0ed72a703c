//! The escape hatches on the real example stacks, through the real tools:
//! every example stack gets stack tags, a construct tag, a permissions
//! boundary, a parameter and a raw resource using it, and must still pass
//! aws-sam-translator, cfn-lint (informational checks included), checkov and
//! a deploy into moto. The examples themselves (and their snapshots) stay as
//! they are; the hatches are added to the stacks `app()` returns.
//!
//! The tools come from `scripts/test`, which exports their paths (the tests
//! are ignored under a plain `cargo test`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cfn_gen::{DeletionPolicy, Format, Parameter, Resource, SynthesizedStack, Value};
use serde_json::Value as Json;

mod support;
use support::{run, text};

const NEEDS_TOOLS: &str = "needs the Python validators and a moto server: run scripts/test";
const BOUNDARY: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/DeveloperBoundary";

fn tool(var: &str) -> String {
    support::tool(var, NEEDS_TOOLS)
}

/// The example app with every escape hatch used on every stack.
fn synthesized() -> Vec<SynthesizedStack> {
    let app = cloud_cron_stacks::app();
    for stack in app.stacks() {
        let first = stack.constructs()[0].node().id().to_owned();
        stack
            .tag("team", "reports")
            .tag("cost-center", "4711")
            .tag_construct(first, "component", "first")
            .permissions_boundary(Value::sub(BOUNDARY));
        let retention = stack.parameter(
            "ScratchRetentionSeconds",
            Parameter::number()
                .description("How long the scratch queue keeps messages")
                .default_value("345600"),
        );
        stack.add_resource(
            "Scratch",
            Resource::raw(
                "AWS::SQS::Queue",
                Value::Map(BTreeMap::from([
                    ("MessageRetentionPeriod".to_owned(), retention.value()),
                    ("KmsMasterKeyId".to_owned(), "alias/aws/sqs".into()),
                ])),
            )
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete),
        );
    }
    app.synth_as(Format::Yaml)
        .unwrap_or_else(|e| panic!("the examples with escape hatches are valid:\n{e}"))
        .stacks
}

fn translate(dir: &Path, stack: &SynthesizedStack) -> PathBuf {
    let input = dir.join(stack.file_name());
    fs::write(&input, &stack.text).expect("write template");
    let output = dir.join(format!("{}.cfn.json", stack.name));
    let tools = PathBuf::from(tool("CLOUDCRON_TOOLS"));
    let o = run(Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(tools.join("sam_translate.py"))
        .arg(&input)
        .arg(&output));
    assert!(
        o.status.success(),
        "aws-sam-translator rejected {}:\n{}{}",
        stack.name,
        text(&o.stdout),
        text(&o.stderr)
    );
    output
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn the_hatches_survive_translation_and_reach_every_role() {
    let dir = tempfile::tempdir().expect("tempdir");
    for stack in synthesized() {
        let cfn = read_json(&translate(dir.path(), &stack));
        let resources = cfn["Resources"].as_object().expect("resources");
        let roles: Vec<_> = resources
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
            .collect();
        assert!(!roles.is_empty(), "{} has roles", stack.name);
        for (id, role) in roles {
            assert_eq!(
                role["Properties"]["PermissionsBoundary"],
                serde_json::json!({"Fn::Sub": BOUNDARY}),
                "{}/{id}",
                stack.name
            );
        }
        for (id, f) in resources
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::Lambda::Function")
        {
            let tags = f["Properties"]["Tags"].as_array().expect("function tags");
            assert!(
                tags.iter()
                    .any(|t| t["Key"] == "team" && t["Value"] == "reports"),
                "{}/{id}: SAM turned the tag map into Lambda tags: {tags:?}",
                stack.name
            );
        }
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn cfn_lint_finds_nothing_in_the_hatched_examples() {
    let dir = tempfile::tempdir().expect("tempdir");
    for stack in synthesized() {
        let cfn = translate(dir.path(), &stack);
        let o = run(Command::new(tool("CLOUDCRON_CFN_LINT"))
            .args(["--include-checks", "I", "--format", "parseable", "--"])
            .arg(&cfn));
        assert!(
            o.status.success() && o.stdout.is_empty(),
            "cfn-lint findings for {} (exit {:?}):\n{}{}",
            stack.name,
            o.status.code(),
            text(&o.stdout),
            text(&o.stderr)
        );
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn checkov_passes_the_hatched_examples() {
    let dir = tempfile::tempdir().expect("tempdir");
    for stack in synthesized() {
        let cfn = translate(dir.path(), &stack);
        let o = run(Command::new(tool("CLOUDCRON_CHECKOV"))
            .args([
                "--framework",
                "cloudformation",
                "--skip-download",
                "--compact",
                "--output",
                "json",
                "--file",
            ])
            .arg(&cfn));
        let report: Json = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "checkov output for {} is not JSON ({e}):\n{}{}",
                stack.name,
                text(&o.stdout),
                text(&o.stderr)
            )
        });
        let reports = match &report {
            Json::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for r in reports {
            let failed = r["results"]["failed_checks"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let failures: Vec<String> = failed
                .iter()
                .map(|c| format!("{} {} on {}", c["check_id"], c["check_name"], c["resource"]))
                .collect();
            assert!(
                failures.is_empty(),
                "checkov failures in {}:\n{}",
                stack.name,
                failures.join("\n")
            );
        }
        assert_eq!(
            o.status.code(),
            Some(0),
            "checkov exit status for {}",
            stack.name
        );
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn the_hatched_examples_deploy_into_moto() {
    let endpoint = tool("CLOUDCRON_MOTO_ENDPOINT");
    let tools = PathBuf::from(tool("CLOUDCRON_TOOLS"));
    let dir = tempfile::tempdir().expect("tempdir");
    let run_id = std::process::id();
    for stack in synthesized() {
        let cfn = translate(dir.path(), &stack);
        let name = format!("{}-hatched-{run_id}", stack.name);
        let o = run(Command::new(tool("CLOUDCRON_PYTHON"))
            .arg(tools.join("moto_deploy.py"))
            .args(["--endpoint", &endpoint, "--stack-name", &name])
            .arg(&cfn));
        let out = text(&o.stdout);
        assert!(
            o.status.success(),
            "{} did not deploy:\n{out}{}",
            stack.name,
            text(&o.stderr)
        );
        let result: Json = serde_json::from_str(&out).expect("moto_deploy prints JSON");
        assert_eq!(result["status"], "CREATE_COMPLETE", "{}", stack.name);
    }
}
