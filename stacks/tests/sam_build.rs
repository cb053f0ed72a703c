//! `sam build` of the `TaskExample` template: the SAM CLI's `rust-cargolambda`
//! workflow compiles `stacks/example-task` with cargo-lambda (zig as the
//! linker) from the template's relative `CodeUri`, wherever the template is.
//!
//! The tools come from the pinned `sam` virtual environment `scripts/test`
//! builds (`tools/requirements-sam.txt`); it exports `CLOUDCRON_SAM` and
//! `CLOUDCRON_SAM_BIN_DIR`. Run with `scripts/test --test sam_build` (the test
//! is ignored under a plain `cargo test`).
//!
//! Compiled crates are kept in `CLOUDCRON_SAM_TARGET_DIR` (default
//! `~/.cache/cloud-cron/sam-target`), outside the checkout: a cold build takes
//! minutes, a warm one seconds. The build is a debug build (`SAM_BUILD_MODE=debug`,
//! no debug info) to keep a cold CI run short; `CLOUDCRON_SAM_BUILD_MODE=release`
//! runs the `--release` build `sam build` does by default.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cfn_gen::{Format, SynthOptions};
use serde_json::Value;

/// The stack, its Rust function and the binary it builds.
const STACK: &str = "TaskExample";
const BINARY: &str = "example-task";

mod support;
use support::sam::{assert_x86_64_elf, build_command, built_template, release, target_dir, tool};
use support::{run, text};

#[test]
#[ignore = "needs aws-sam-cli and cargo-lambda: run scripts/test"]
fn sam_build_compiles_the_example_task_from_a_synthesized_template() {
    let bin_dir = PathBuf::from(tool("CLOUDCRON_SAM_BIN_DIR"));
    let target_dir = target_dir();
    let release = release();

    // A nested output directory, so the template's CodeUri is a relative path
    // that climbs back to the checkout: it must work wherever the template is.
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("deploy/templates");
    let build_dir = tmp.path().join("build");
    fs::create_dir_all(&out_dir).expect("create out dir");
    let synthesis = cloud_cron_stacks::app()
        .synth_with(&SynthOptions {
            format: Format::Yaml,
            out_dir: out_dir.clone(),
        })
        .expect("the example stacks are valid");
    let stack = synthesis
        .stacks
        .iter()
        .find(|s| s.name == STACK)
        .unwrap_or_else(|| panic!("no stack {STACK}"));
    let template = out_dir.join(stack.file_name());
    fs::write(&template, &stack.text).expect("write template");

    let mut cmd = build_command(&template, &build_dir, tmp.path());
    let started = Instant::now();
    let o = run(&mut cmd);
    let elapsed = started.elapsed();
    assert!(
        o.status.success(),
        "sam build failed (exit {:?}) after {elapsed:.0?} for {}:\n\
         --- template ---\n{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        template.display(),
        stack.text,
        text(&o.stdout),
        text(&o.stderr)
    );
    eprintln!(
        "sam build ({}) took {elapsed:.1?}, target dir {}",
        if release { "release" } else { "debug" },
        target_dir.display()
    );
    let log = format!(
        "--- sam stdout ---\n{}\n--- sam stderr ---\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );

    // The built template, with the function's CodeUri pointing at its artifacts.
    let built = build_dir.join("template.yaml");
    assert!(
        built.is_file(),
        "sam build wrote no {}\n{log}",
        built.display()
    );
    let built_json = built_template(&bin_dir, &built);
    let functions: Vec<(&String, &Value)> = built_json["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        // The task; the stack's other function is its ops channel's notifier.
        .filter(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == "example-task")
        .collect();
    assert_eq!(
        functions.len(),
        1,
        "{STACK} should have exactly one example-task function: {functions:?}"
    );
    let (logical_id, function) = functions[0];
    let code_uri = function["Properties"]["CodeUri"]
        .as_str()
        .unwrap_or_else(|| panic!("{logical_id}: CodeUri is not a path: {function}"));
    let artifact_dir = build_dir.join(logical_id);
    assert!(
        artifact_dir.is_dir(),
        "no artifact directory {}\n{log}",
        artifact_dir.display()
    );
    let code_dir = build_dir.join(code_uri);
    assert_eq!(
        code_dir
            .canonicalize()
            .unwrap_or_else(|e| panic!("CodeUri `{code_uri}` ({}): {e}", code_dir.display())),
        artifact_dir.canonicalize().expect("artifact dir"),
        "{logical_id}: the built template's CodeUri `{code_uri}` is not the artifact directory"
    );
    assert_eq!(function["Properties"]["Handler"], "bootstrap");
    assert_eq!(function["Properties"]["Runtime"], "provided.al2023");

    // The artifact: the example task compiled for Lambda's x86-64 Linux.
    assert_x86_64_elf(&artifact_dir.join("bootstrap"));

    // cargo-lambda compiled into the shared target dir, not into the checkout.
    let compiled = target_dir.join("lambda").join(BINARY).join("bootstrap");
    assert!(
        compiled.is_file(),
        "cargo-lambda did not build into CARGO_TARGET_DIR ({} is missing)\n{log}",
        compiled.display()
    );
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINARY);
    assert!(
        !source.join("target").exists(),
        "sam build wrote a target/ directory into {}",
        source.display()
    );
}
