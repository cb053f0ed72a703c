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

use std::env;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cfn_gen::{Format, SynthOptions};
use serde_json::Value;

const NEEDS_SAM: &str = "needs aws-sam-cli and cargo-lambda: run scripts/test";

/// The stack, its Rust function and the binary it builds.
const STACK: &str = "TaskExample";
const BINARY: &str = "example-task";

mod support;
use support::{run, text};

fn tool(var: &str) -> String {
    support::tool(var, NEEDS_SAM)
}

/// Where cargo-lambda compiles: kept across runs, outside the checkout.
fn target_dir() -> PathBuf {
    if let Some(dir) = env::var_os("CLOUDCRON_SAM_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = env::var_os("HOME").expect("HOME or CLOUDCRON_SAM_TARGET_DIR must be set");
    Path::new(&home).join(".cache/cloud-cron/sam-target")
}

/// `PATH` with the sam venv's `bin/` first: SAM looks up `cargo` and
/// `cargo-lambda` on PATH, and `cargo lambda` is a cargo subcommand.
fn path_with(bin_dir: &Path) -> OsString {
    let rest = env::var_os("PATH").unwrap_or_default();
    env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(env::split_paths(&rest)))
        .expect("PATH entries")
}

/// The built template as JSON, parsed by SAM's own YAML loader (which also
/// reads short-form intrinsics such as `!GetAtt`).
fn built_template(bin_dir: &Path, template: &Path) -> Value {
    let o = run(Command::new(bin_dir.join("python"))
        .args([
            "-c",
            "import json, sys\n\
             from samcli.yamlhelper import yaml_parse\n\
             with open(sys.argv[1]) as f:\n    print(json.dumps(yaml_parse(f.read())))",
        ])
        .arg(template));
    assert!(
        o.status.success(),
        "could not parse {}:\n{}",
        template.display(),
        text(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON from yaml_parse")
}

/// Panics unless `path` is an executable x86-64 ELF file.
fn assert_x86_64_elf(path: &Path) {
    let meta = fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(meta.is_file(), "{} is not a file", path.display());
    assert_ne!(
        meta.permissions().mode() & 0o111,
        0,
        "{} is not executable (mode {:o})",
        path.display(),
        meta.permissions().mode()
    );
    let bytes = fs::read(path).expect("read bootstrap");
    assert!(
        bytes.len() > 64,
        "{} is too short for an ELF file",
        path.display()
    );
    assert_eq!(
        &bytes[..4],
        b"\x7fELF",
        "{} is not an ELF file",
        path.display()
    );
    assert_eq!(
        bytes[4],
        2,
        "{} is not a 64-bit ELF (EI_CLASS)",
        path.display()
    );
    assert_eq!(
        bytes[5],
        1,
        "{} is not little-endian (EI_DATA)",
        path.display()
    );
    let e_type = u16::from_le_bytes([bytes[16], bytes[17]]);
    assert!(
        e_type == 2 || e_type == 3,
        "{} is not an executable (e_type {e_type})",
        path.display()
    );
    let e_machine = u16::from_le_bytes([bytes[18], bytes[19]]);
    assert_eq!(
        e_machine,
        0x3e,
        "{} is not x86-64 (e_machine {e_machine:#x})",
        path.display()
    );
}

#[test]
#[ignore = "needs aws-sam-cli and cargo-lambda: run scripts/test"]
fn sam_build_compiles_the_example_task_from_a_synthesized_template() {
    let sam = tool("CLOUDCRON_SAM");
    let bin_dir = PathBuf::from(tool("CLOUDCRON_SAM_BIN_DIR"));
    let target_dir = target_dir();
    let release = match env::var("CLOUDCRON_SAM_BUILD_MODE").as_deref() {
        Ok("release") => true,
        Ok("debug" | "") | Err(_) => false,
        Ok(other) => panic!("CLOUDCRON_SAM_BUILD_MODE must be `debug` or `release`, not `{other}`"),
    };

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

    let mut cmd = Command::new(&sam);
    cmd.arg("build")
        .arg("--template-file")
        .arg(&template)
        .arg("--build-dir")
        .arg(&build_dir)
        // No samconfig.toml or .aws-sam from the caller's directory.
        .current_dir(tmp.path())
        .env("PATH", path_with(&bin_dir))
        .env("SAM_CLI_TELEMETRY", "0")
        // Honoured by both SAM (which then skips its own target-dir logic) and
        // cargo-lambda: compiled crates are reused across runs and checkouts.
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("CARGO_BUILD_TARGET");
    if release {
        cmd.env_remove("SAM_BUILD_MODE");
    } else {
        // `cargo lambda build` without `--release`, and without debug info
        // (a 26 MB binary instead of 280 MB, a third of the cache on disk).
        cmd.env("SAM_BUILD_MODE", "debug")
            .env("CARGO_PROFILE_DEV_DEBUG", "0");
    }
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
        .collect();
    assert_eq!(
        functions.len(),
        1,
        "{STACK} should have exactly one function: {functions:?}"
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
