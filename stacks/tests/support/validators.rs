//! The validator pipeline the ignored template tests share: aws-sam-translator
//! (SAM -> CloudFormation), cfn-lint with informational checks, checkov, and
//! a CloudFormation deploy into moto, each with the paths `scripts/test`
//! exports and failure messages that name the stack.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cfn_gen::{SynthesizedNested, SynthesizedStack};
use serde_json::Value;

use super::{run, text};

/// Why a validator test is ignored, and how to run it.
pub const NEEDS_TOOLS: &str = "needs the Python validators and a moto server: run scripts/test";

/// The path of a tool `scripts/test` exports.
pub fn tool(var: &str) -> String {
    super::tool(var, NEEDS_TOOLS)
}

/// Write `stack` into `dir` and translate it with aws-sam-translator; returns
/// the CloudFormation JSON file (named for the stack and its format, so the
/// YAML and JSON renderings of one stack do not overwrite each other).
pub fn translate(dir: &Path, stack: &SynthesizedStack) -> PathBuf {
    let input = dir.join(stack.file_name());
    fs::write(&input, &stack.text).expect("write template");
    let output = dir.join(format!(
        "{}.{}.cfn.json",
        stack.name,
        stack.format.extension()
    ));
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

/// Write the nested template `child` into `dir` and translate it into
/// `<Child>.cfn.json`, the key sam_translate.py gives the root's `Location`
/// of it (moto_deploy.py --nested-dir uploads it from there).
pub fn translate_nested(dir: &Path, child: &SynthesizedNested) -> PathBuf {
    let input = dir.join(child.file_name());
    fs::write(&input, &child.text).expect("write template");
    let output = dir.join(format!("{}.cfn.json", child.name));
    let tools = PathBuf::from(tool("CLOUDCRON_TOOLS"));
    let o = run(Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(tools.join("sam_translate.py"))
        .arg(&input)
        .arg(&output));
    assert!(
        o.status.success(),
        "aws-sam-translator rejected {}:\n{}{}",
        child.name,
        text(&o.stdout),
        text(&o.stderr)
    );
    output
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("JSON")
}

/// Asserts cfn-lint, informational checks included, finds nothing in the
/// CloudFormation file `cfn` translated from the stack `name`.
pub fn assert_cfn_lint_clean(name: &str, cfn: &Path) {
    let o = run(Command::new(tool("CLOUDCRON_CFN_LINT"))
        .args(["--include-checks", "I", "--format", "parseable", "--"])
        .arg(cfn));
    assert!(
        o.status.success() && o.stdout.is_empty(),
        "cfn-lint findings for {name} (exit {:?}):\n{}{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// Runs checkov on the CloudFormation file `cfn` translated from the stack
/// `name`; returns its output and its JSON report (panics if it is not JSON).
pub fn checkov(name: &str, cfn: &Path) -> (Output, Value) {
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
        .arg(cfn));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output for {name} is not JSON ({e}):\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        )
    });
    (o, report)
}

/// checkov's JSON report: one object, or a list of them (one per framework).
pub fn checkov_reports(report: &Value) -> Vec<&Value> {
    match report {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Asserts one checkov report of the stack `name` has no failed check.
pub fn assert_no_checkov_failures(name: &str, report: &Value) {
    let failures: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{} {} on {}", c["check_id"], c["check_name"], c["resource"]))
        .collect();
    assert!(
        failures.is_empty(),
        "checkov failures in {name}:\n{}",
        failures.join("\n")
    );
}

/// Deploys the CloudFormation file `cfn` translated from the stack `name`
/// into the moto server as `stack_name`; asserts it reached
/// `CREATE_COMPLETE` and returns what `moto_deploy.py` printed.
pub fn moto_deploy(name: &str, stack_name: &str, cfn: &Path) -> Value {
    moto_deploy_with(name, stack_name, cfn, &[])
}

/// [`moto_deploy`] with values for the template's parameters.
pub fn moto_deploy_with(
    name: &str,
    stack_name: &str,
    cfn: &Path,
    parameters: &[(String, String)],
) -> Value {
    moto_deploy_full(name, stack_name, cfn, parameters, &[])
}

/// [`moto_deploy`] with more moto_deploy.py options (`--nested-dir DIR`,
/// `--timeout SECONDS`).
pub fn moto_deploy_options(name: &str, stack_name: &str, cfn: &Path, options: &[&str]) -> Value {
    moto_deploy_full(name, stack_name, cfn, &[], options)
}

fn moto_deploy_full(
    name: &str,
    stack_name: &str,
    cfn: &Path,
    parameters: &[(String, String)],
    options: &[&str],
) -> Value {
    let endpoint = tool("CLOUDCRON_MOTO_ENDPOINT");
    let tools = PathBuf::from(tool("CLOUDCRON_TOOLS"));
    // Parameters without a default: a network's ids (VPC, subnets, security
    // groups, route tables) come from a small network deployed into moto
    // first, since moto checks that they exist; the others (e.g. the Slack
    // ids of the ERP stack) get a placeholder: moto does not model what they
    // configure.
    let template: Value =
        serde_json::from_str(&std::fs::read_to_string(cfn).expect("read template"))
            .expect("JSON template");
    let missing: Vec<(String, String)> = template["Parameters"]
        .as_object()
        .map(|ps| {
            ps.iter()
                .filter(|(key, p)| {
                    p.get("Default").is_none() && !parameters.iter().any(|(k, _)| k == *key)
                })
                .map(|(key, p)| {
                    let ty = p["Type"].as_str().unwrap_or_default().to_owned();
                    (key.clone(), ty)
                })
                .collect()
        })
        .unwrap_or_default();
    let needs_network = missing
        .iter()
        .any(|(key, ty)| ty.contains("AWS::EC2::") || key.contains("RouteTable"));
    let network = if needs_network {
        moto_network(cfn, &format!("{stack_name}-network"))
    } else {
        Default::default()
    };
    let placeholders: Vec<String> = missing
        .iter()
        .map(|(key, ty)| {
            let from_network = if ty.contains("AWS::EC2::VPC::Id") {
                "Vpc"
            } else if ty.contains("AWS::EC2::Subnet::Id") {
                "Subnet"
            } else if ty.contains("AWS::EC2::SecurityGroup::Id") {
                "JobsGroup"
            } else if key.contains("RouteTable") {
                "RouteTable"
            } else {
                ""
            };
            let value = network
                .get(from_network)
                .cloned()
                .unwrap_or_else(|| "T0PLACEHOLDER".to_owned());
            format!("{key}={value}")
        })
        .collect();
    let mut command = Command::new(tool("CLOUDCRON_PYTHON"));
    command.arg(tools.join("moto_deploy.py")).args([
        "--endpoint",
        &endpoint,
        "--stack-name",
        stack_name,
    ]);
    for p in &placeholders {
        command.args(["--parameter", p]);
    }
    for (key, value) in parameters {
        command.arg("--parameter").arg(format!("{key}={value}"));
    }
    let o = run(command.args(options).arg(cfn));
    let out = text(&o.stdout);
    assert!(
        o.status.success(),
        "{name} did not deploy:\n{out}{}",
        text(&o.stderr)
    );
    let result: Value = serde_json::from_str(&out).expect("moto_deploy prints JSON");
    assert_eq!(result["status"], "CREATE_COMPLETE", "{name}");
    result
}

/// A VPC with one subnet, its route table and a security group, deployed into
/// moto as `stack_name` (its template written beside `cfn`); returns the
/// physical id of each (`Vpc`, `Subnet`, `RouteTable`, `JobsGroup`).
pub fn moto_network(cfn: &Path, stack_name: &str) -> std::collections::BTreeMap<String, String> {
    let template = serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.20.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.20.1.0/24", "AvailabilityZone": "us-east-1a"}},
            "RouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "JobsGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "jobs", "VpcId": {"Ref": "Vpc"}}}
        }
    });
    let path = cfn.with_file_name(format!("{stack_name}.network.json"));
    fs::write(&path, template.to_string()).expect("write network template");
    let result = moto_deploy(stack_name, stack_name, &path);
    result["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["logical_id"].as_str().unwrap_or_default().to_owned(),
                r["physical_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
