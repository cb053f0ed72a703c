//! The ERP long jobs (`erp_long_jobs::add`: VPC parameters, VPC endpoints,
//! the month-end `FargateJob`) with a Lambda job placed in the same network,
//! through aws-sam-translator, cfn-lint (informational checks included),
//! checkov, and a deploy into moto.
//!
//! moto needs a real VPC for the endpoints and the security group, so a
//! small network stack (VPC, subnet, route table, security group) is
//! deployed first and its ids are the parameters. moto's CloudFormation
//! does not model `AWS::Scheduler::Schedule` (the ECS target), alarms or
//! queue policies, and registers a task definition from its family,
//! containers and memory only: `cfn-gen/tests/private_network/fargate.rs`
//! checks that wiring on the template itself.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use cfn_gen::{App, Format, OpsTopic, Schedule, ScheduledLambda, Stack, SynthesizedStack, Topic};
use cloud_cron_stacks::erp_long_jobs;

use super::support::validators::{
    assert_cfn_lint_clean, assert_no_checkov_failures, checkov, checkov_reports, moto_deploy_with,
    moto_network, read_json, translate,
};
use super::MOTO_UNMODELLED;

fn synthesized() -> SynthesizedStack {
    let app = App::new();
    let stack = Stack::new(&app, "ErpLongJobs").region("us-east-1");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    let results = Topic::standard(&stack, "Results");
    let long_jobs = erp_long_jobs::add(&stack, &results);
    let sync = ScheduledLambda::new(&stack, "NightlySync")
        .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/erp-jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d")
        .schedule(Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London"))
        .idempotency()
        .publishes_to("results", &results)
        .vpc(
            long_jobs.network.subnet_ids(),
            long_jobs.network.security_group_ids(),
        );
    long_jobs.endpoints.serve(&sync);
    let synthesis = app.synth_as(Format::Yaml).expect("valid");
    let vpc_warnings: Vec<_> = synthesis
        .warnings
        .iter()
        .filter(|w| w.message.contains("VPC"))
        .collect();
    assert!(vpc_warnings.is_empty(), "{vpc_warnings:?}");
    synthesis.stacks.into_iter().next().expect("one stack")
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn erp_long_jobs_pass_every_validator_and_deploy_into_moto() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .expect("README.md");
    let dir = tempfile::tempdir().expect("tempdir");
    let stack = synthesized();
    let cfn = translate(dir.path(), &stack);
    assert_cfn_lint_clean(&stack.name, &cfn);

    let (o, report) = checkov(&stack.name, &cfn);
    let mut skipped = BTreeSet::new();
    for report in checkov_reports(&report) {
        assert_no_checkov_failures(&stack.name, report);
        for skip in report["results"]["skipped_checks"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let id = skip["check_id"].as_str().unwrap_or_default().to_owned();
            // The function in the VPC does not skip the VPC placement check.
            if id == "CKV_AWS_117" {
                panic!(
                    "{}: a function in a VPC skips CKV_AWS_117",
                    skip["resource"]
                );
            }
            skipped.insert(id);
        }
    }
    assert_eq!(o.status.code(), Some(0), "checkov exit status");
    for id in &skipped {
        assert!(
            readme.contains(id.as_str()),
            "README.md does not list the checkov skip {id}"
        );
    }

    let run_id = std::process::id();
    let ids = moto_network(&cfn, &format!("ErpNetwork-{run_id}"));
    let params: Vec<(String, String)> = [
        ("ErpVpcId", "Vpc"),
        ("ErpSubnetIds", "Subnet"),
        ("ErpSecurityGroupId", "JobsGroup"),
        ("ErpRouteTableIds", "RouteTable"),
    ]
    .iter()
    .map(|(param, id)| {
        let value = ids.get(*id).cloned().unwrap_or_default();
        assert!(!value.is_empty(), "moto gave {id} no id: {ids:?}");
        ((*param).to_owned(), value)
    })
    .collect();
    let result = moto_deploy_with(
        &stack.name,
        &format!("{}-{run_id}", stack.name),
        &cfn,
        &params,
    );
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
    let mut types = BTreeSet::new();
    for (id, r) in translated["Resources"].as_object().expect("resources") {
        let ty = r["Type"].as_str().unwrap_or_default().to_owned();
        if MOTO_UNMODELLED.contains(&ty.as_str()) {
            continue;
        }
        assert!(
            created.contains(&(id.clone(), ty.clone())),
            "moto did not create {id} ({ty}); created: {created:?}"
        );
        types.insert(ty);
    }
    for ty in [
        "AWS::ECS::Cluster",
        "AWS::ECS::TaskDefinition",
        "AWS::EC2::VPCEndpoint",
        "AWS::EC2::SecurityGroup",
        "AWS::Events::Rule",
        "AWS::Lambda::Function",
    ] {
        assert!(types.contains(ty), "the stack deploys a {ty}: {types:?}");
    }
}
