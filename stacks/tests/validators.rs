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
/// `tools/moto_deploy.py` creates the subscriptions, queue policies and topic
/// policies itself after the stack (`created_by_deploy_script`), and
/// [`fan_out`] checks the subscriptions deliver.
pub(crate) const MOTO_UNMODELLED: &[&str] = &[
    "AWS::Scheduler::Schedule",
    "AWS::Scheduler::ScheduleGroup",
    // Not implemented by moto at all: the wiring tests (cfn-gen's alarms
    // tests for the construct) check the configuration and its role.
    "AWS::Chatbot::SlackChannelConfiguration",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    // moto's apigatewayv2 has no CloudFormation model (the SyncPipeline status API).
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
];

mod large_apps;
mod support;

#[path = "validators/erp_long_jobs.rs"]
mod erp_long_jobs;
#[path = "validators/fan_out.rs"]
mod fan_out;
use support::validators::{
    assert_cfn_lint_clean, assert_no_checkov_failures, checkov, checkov_reports, moto_deploy,
    read_json, translate,
};

/// An example stack translated and deployed into moto.
struct Deployed {
    /// The stack's name.
    name: String,
    /// The translated (CloudFormation) template.
    translated: serde_json::Value,
    /// What `moto_deploy.py` printed.
    report: serde_json::Value,
}

/// Every example stack, deployed into moto once for the tests that read
/// the deployment (a unique stack name per run: the moto server outlives a
/// single test).
fn deployed_examples() -> &'static [Deployed] {
    static DEPLOYED: std::sync::OnceLock<Vec<Deployed>> = std::sync::OnceLock::new();
    DEPLOYED.get_or_init(|| {
        // A second attempt (after a failed one) needs new stack names.
        static ATTEMPT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let attempt = ATTEMPT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = tempfile::tempdir().expect("tempdir");
        let run_id = format!("{}-{attempt}", std::process::id());
        synthesized(Format::Yaml)
            .iter()
            .map(|stack| {
                let cfn = translate(dir.path(), stack);
                let report = moto_deploy(&stack.name, &format!("{}-{run_id}", stack.name), &cfn);
                Deployed {
                    name: stack.name.clone(),
                    translated: read_json(&cfn),
                    report,
                }
            })
            .collect()
    })
}

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
    let mut republished_checked = 0;
    for stack in deployed_examples() {
        let result = &stack.report;

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
        let translated = &stack.translated;

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

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn every_stacks_sns_fan_out_delivers_in_moto() {
    let mut total = fan_out::Coverage::default();
    let mut add = |c: fan_out::Coverage| {
        total.subscriptions += c.subscriptions;
        total.lambda_subscriptions += c.lambda_subscriptions;
        total.raw_deliveries += c.raw_deliveries;
        total.envelope_deliveries += c.envelope_deliveries;
        total.filtered_out += c.filtered_out;
        total.silent_queues += c.silent_queues;
    };
    for stack in deployed_examples() {
        let parts = fan_out::parts(&stack.name, &stack.translated, &stack.report, None);
        let covered = fan_out::check(&stack.name, &parts);
        // Every example routes its alarms to the operators' email channel.
        assert!(
            covered.raw_deliveries > 0,
            "{}: no message reached a channel: {covered:?}",
            stack.name
        );
        add(covered);
    }

    // The cases no example has: a filter policy, SNS's envelope, a Lambda
    // endpoint.
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = fan_out::fixture_app()
        .synth_as(Format::Yaml)
        .expect("the fixture is valid")
        .stacks
        .remove(0);
    let cfn = translate(dir.path(), &fixture);
    let name = format!("{}-{}", fixture.name, std::process::id());
    let report = moto_deploy(&fixture.name, &name, &cfn);
    let parts = fan_out::parts(&fixture.name, &read_json(&cfn), &report, None);
    let covered = fan_out::check(&fixture.name, &parts);
    assert_eq!(covered.lambda_subscriptions, 1, "{covered:?}");
    assert!(covered.envelope_deliveries >= 3, "{covered:?}");
    assert!(covered.filtered_out >= 2, "{covered:?}");
    add(covered);
    assert!(total.silent_queues > 0, "{total:?}");
}
