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

use cfn_gen::{DeletionPolicy, Format, Parameter, Resource, SynthesizedStack, Value};

mod support;
use support::validators::{
    assert_cfn_lint_clean, assert_no_checkov_failures, checkov, checkov_reports, moto_deploy,
    read_json, translate,
};

const BOUNDARY: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/DeveloperBoundary";

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
        assert_cfn_lint_clean(&stack.name, &cfn);
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn checkov_passes_the_hatched_examples() {
    let dir = tempfile::tempdir().expect("tempdir");
    for stack in synthesized() {
        let cfn = translate(dir.path(), &stack);
        let (o, report) = checkov(&stack.name, &cfn);
        for r in checkov_reports(&report) {
            assert_no_checkov_failures(&stack.name, r);
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
    let dir = tempfile::tempdir().expect("tempdir");
    let run_id = std::process::id();
    for stack in synthesized() {
        let cfn = translate(dir.path(), &stack);
        let name = format!("{}-hatched-{run_id}", stack.name);
        moto_deploy(&stack.name, &name, &cfn);
    }
}
