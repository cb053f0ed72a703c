//! Every example template through the real tools: aws-sam-translator
//! (SAM -> CloudFormation), cfn-lint with informational checks, checkov, and
//! a CloudFormation deploy into a moto server on 127.0.0.1.
//!
//! The tools come from the pinned virtual environments `scripts/test` builds;
//! it exports their paths. Run with `scripts/test` (the tests are ignored
//! under a plain `cargo test`).

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::Path;

use cfn_gen::{Format, SynthesizedStack};

/// Resource types moto's CloudFormation skips (it logs "No Moto CloudFormation
/// support for ..."); tests/wiring.rs checks these from the template instead.
const MOTO_UNMODELLED: &[&str] = &[
    "AWS::Scheduler::Schedule",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::Scheduler::ScheduleGroup",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
];

mod support;
use support::validators::{
    assert_cfn_lint_clean, assert_no_checkov_failures, checkov, checkov_reports, moto_deploy,
    read_json, translate,
};

fn synthesized(format: Format) -> Vec<SynthesizedStack> {
    cloud_cron_stacks::app()
        .synth_as(format)
        .expect("examples are valid")
        .stacks
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn sam_translator_accepts_every_template_and_yaml_equals_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = synthesized(Format::Yaml);
    let json = synthesized(Format::Json);
    for (y, j) in yaml.iter().zip(&json) {
        let from_yaml = read_json(&translate(dir.path(), y));
        let from_json = read_json(&translate(dir.path(), j));
        assert_eq!(
            from_yaml, from_json,
            "{}: the YAML and JSON writers disagree",
            y.name
        );
        let count = from_yaml["Resources"].as_object().map_or(0, |r| r.len());
        assert_eq!(
            count,
            y.template.resource_count_after_transform(),
            "{}: our post-transform resource estimate (used for the 500 limit) is off",
            y.name
        );
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn cfn_lint_finds_nothing_not_even_informational() {
    let dir = tempfile::tempdir().expect("tempdir");
    for stack in synthesized(Format::Yaml) {
        let cfn = translate(dir.path(), &stack);
        assert_cfn_lint_clean(&stack.name, &cfn);
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn checkov_passes_and_every_skip_has_a_reason_listed_in_the_readme() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .expect("README.md");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut skipped_ids = BTreeSet::new();
    for stack in synthesized(Format::Yaml) {
        let cfn = translate(dir.path(), &stack);
        let (o, report) = checkov(&stack.name, &cfn);
        let mut passed = 0;
        for report in checkov_reports(&report) {
            assert_no_checkov_failures(&stack.name, report);
            let results = &report["results"];
            passed += report["summary"]["passed"].as_u64().unwrap_or(0);
            for skip in results["skipped_checks"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let id = skip["check_id"].as_str().unwrap_or_default().to_owned();
                let reason = skip["check_result"]["suppress_comment"]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    reason.len() > 20,
                    "{id} on {} is skipped without a real reason: {reason:?}",
                    skip["resource"]
                );
                skipped_ids.insert(id);
            }
        }
        assert!(
            passed > 10,
            "checkov ran only {passed} checks on {}: is it reading the file?",
            stack.name
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "checkov exit status for {}",
            stack.name
        );
    }
    // Every skip the constructs write is visible in the template metadata, and
    // documented for users.
    let mut written = BTreeSet::new();
    for stack in synthesized(Format::Yaml) {
        for r in stack.template.resources.values() {
            written.extend(r.skipped_checks().iter().map(|(id, _)| id.clone()));
        }
    }
    assert_eq!(
        skipped_ids, written,
        "checkov saw a different set of skips than the templates carry"
    );
    for id in &written {
        assert!(
            readme.contains(id.as_str()),
            "README.md does not list the checkov skip {id}"
        );
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn every_template_deploys_into_moto() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A unique stack name per run: the moto server outlives a single test.
    let run_id = std::process::id();
    let mut republished_checked = 0;
    for stack in synthesized(Format::Yaml) {
        let cfn = translate(dir.path(), &stack);
        let name = format!("{}-{run_id}", stack.name);
        let result = moto_deploy(&stack.name, &name, &cfn);

        let created: BTreeSet<(String, String)> = result["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .map(|r| {
                (
                    r["logical_id"].as_str().unwrap_or_default().to_owned(),
                    r["type"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let translated = read_json(&cfn);

        // A function on a republished image runs exactly the digest the copier answered.
        for f in result["image_functions"]
            .as_array()
            .expect("image functions")
        {
            let id = f["logical_id"].as_str().expect("id");
            let uri = &translated["Resources"][id]["Properties"]["Code"]["ImageUri"];
            let Some(copy) = uri["Fn::GetAtt"][0].as_str() else {
                continue;
            };
            let answered = result["answered_custom_resources"]
                .as_array()
                .expect("answers")
                .iter()
                .find(|a| a["logical_id"] == copy)
                .unwrap_or_else(|| panic!("{}: {copy} was not answered", stack.name));
            assert_eq!(
                f["image_uri"], answered["data"]["ImageUri"],
                "{}/{id}",
                stack.name
            );
            assert!(f["image_uri"].as_str().expect("uri").contains("@sha256:"));
            republished_checked += 1;
        }

        for (id, r) in translated["Resources"].as_object().expect("resources") {
            let ty = r["Type"].as_str().unwrap_or_default().to_owned();
            if MOTO_UNMODELLED.contains(&ty.as_str()) {
                continue;
            }
            assert!(
                created.contains(&(id.clone(), ty.clone())),
                "{}: moto did not create {id} ({ty}); created: {created:?}",
                stack.name
            );
        }
    }
    assert!(
        republished_checked > 0,
        "ImageExample runs a republished image"
    );
}
