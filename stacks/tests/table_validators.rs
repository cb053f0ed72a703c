//! A small stack with a `Table` (keys, TTL, an index, a stream) and a
//! `Function` granted read/write and stream reads, through the real tools:
//! aws-sam-translator, cfn-lint (informational checks included), checkov and
//! a deploy into moto, whose table is then described. moto's CloudFormation
//! ignores point-in-time recovery, encryption and time-to-live settings, so
//! those are asserted on the translated template.
//!
//! The tools come from `scripts/test`, which exports their paths (the tests
//! are ignored under a plain `cargo test`):
//! `scripts/test -p cloud-cron-stacks --test table_validators`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cfn_gen::{
    App, AttributeType, Format, Function, GlobalIndex, Projection, Stack, StreamView,
    SynthesizedStack, Table,
};
use serde_json::{json, Value as Json};

mod support;
use support::validators::{self, assert_cfn_lint_clean, moto_deploy, read_json, tool};
use support::{run, text};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Which encryption the stack's table uses.
#[derive(Clone, Copy)]
enum Key {
    AwsOwned,
    Customer,
}

/// The stack: a table, a function that reads and writes it, and one that
/// reads its stream.
fn synthesized(key: Key) -> SynthesizedStack {
    let app = App::new();
    let stack = Stack::new(&app, "TableCheck");
    let mut entries = Table::new(&stack, "Entries")
        .partition_key("pk", AttributeType::String)
        .sort_key("sk", AttributeType::String)
        .ttl("expiresAt")
        .global_index(
            GlobalIndex::new("byUser")
                .partition_key("userId", AttributeType::String)
                .sort_key("createdAt", AttributeType::Number)
                .projection(Projection::Include(vec!["title".into()])),
        )
        .stream(StreamView::NewAndOldImages)
        .deletion_protection();
    if let Key::Customer = key {
        entries = entries.kms_key(KEY);
    }
    let api = Function::new(&stack, "Api")
        .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1")
        .description("Reads and writes entries");
    api.add_environment("TABLE_ENTRIES", entries.name());
    entries.grant_read_write(&api);
    let audit = Function::new(&stack, "Audit")
        .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/audit:v1")
        .description("Reads the entries stream");
    entries.grant_stream_read(&audit);
    let mut synthesis = app
        .synth_as(Format::Yaml)
        .unwrap_or_else(|e| panic!("the table stack is valid:\n{e}"));
    synthesis.stacks.remove(0)
}

/// The shared translation, one directory per variant so they do not overwrite each other.
fn translate(dir: &Path, stack: &SynthesizedStack, suffix: &str) -> PathBuf {
    let dir = dir.join(suffix);
    fs::create_dir_all(&dir).expect("variant dir");
    validators::translate(&dir, stack)
}

fn both() -> [(Key, &'static str); 2] {
    [(Key::AwsOwned, "owned"), (Key::Customer, "cmk")]
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn the_translated_table_keeps_recovery_encryption_and_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (key, suffix) in both() {
        let cfn = read_json(&translate(dir.path(), &synthesized(key), suffix));
        let (_, table) = cfn["Resources"]
            .as_object()
            .expect("resources")
            .iter()
            .find(|(_, r)| r["Type"] == "AWS::DynamoDB::Table")
            .expect("the table survives translation");
        assert_eq!(table["DeletionPolicy"], "Retain");
        assert_eq!(table["UpdateReplacePolicy"], "Retain");
        let p = &table["Properties"];
        assert_eq!(
            p["PointInTimeRecoverySpecification"],
            json!({"PointInTimeRecoveryEnabled": true})
        );
        assert_eq!(p["DeletionProtectionEnabled"], true);
        assert_eq!(
            p["TimeToLiveSpecification"],
            json!({"AttributeName": "expiresAt", "Enabled": true})
        );
        match key {
            Key::AwsOwned => assert!(p["SSESpecification"].is_null(), "{p}"),
            Key::Customer => assert_eq!(
                p["SSESpecification"],
                json!({"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": KEY})
            ),
        }
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn cfn_lint_finds_nothing_in_the_table_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (key, suffix) in both() {
        let cfn = translate(dir.path(), &synthesized(key), suffix);
        assert_cfn_lint_clean(&format!("the table stack ({suffix})"), &cfn);
    }
}

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn checkov_passes_the_table_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (key, suffix) in both() {
        let cfn = translate(dir.path(), &synthesized(key), suffix);
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
                "checkov output is not JSON ({e}):\n{}{}",
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
            // A bare Function has no dead-letter queue (ScheduledLambda and
            // channels bring one): CKV_AWS_116 on the functions is about them,
            // not the table or its grants, and is the only finding let through.
            let failures: Vec<String> = failed
                .iter()
                .filter(|c| {
                    !(c["check_id"] == "CKV_AWS_116"
                        && c["resource"]
                            .as_str()
                            .is_some_and(|r| r.starts_with("AWS::Lambda::Function.")))
                })
                .map(|c| format!("{} {} on {}", c["check_id"], c["check_name"], c["resource"]))
                .collect();
            assert!(
                failures.is_empty(),
                "checkov failures ({suffix}):\n{}",
                failures.join("\n")
            );
        }
        // 1 = findings, each examined above; anything else is checkov failing.
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "checkov exit status ({suffix}): {:?}",
            o.status.code()
        );
    }
}

/// The deployed table as moto describes it.
const DESCRIBE: &str = r#"
import json, sys, boto3
client = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
table = client.describe_table(TableName=sys.argv[2])["Table"]
print(json.dumps({
    "keys": table["KeySchema"],
    "indexes": [i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])],
    "stream": table.get("StreamSpecification", {}).get("StreamViewType"),
}))
"#;

#[test]
#[ignore = "needs the Python validators and a moto server: run scripts/test"]
fn the_table_stack_deploys_into_moto() {
    let endpoint = tool("CLOUDCRON_MOTO_ENDPOINT");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfn = translate(dir.path(), &synthesized(Key::AwsOwned), "moto");
    let name = format!("TableCheck-{}", std::process::id());
    let result = moto_deploy("the table stack", &name, &cfn);
    let out = result.to_string();
    let table = result["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["type"] == "AWS::DynamoDB::Table")
        .unwrap_or_else(|| panic!("moto created the table: {out}"));
    let physical = table["physical_id"].as_str().expect("table name");
    let o = run(Command::new(tool("CLOUDCRON_PYTHON")).args(["-c", DESCRIBE, &endpoint, physical]));
    assert!(
        o.status.success(),
        "describe_table failed:\n{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let described: Json = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        described,
        json!({
            "keys": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "indexes": ["byUser"],
            "stream": "NEW_AND_OLD_IMAGES",
        })
    );
}
