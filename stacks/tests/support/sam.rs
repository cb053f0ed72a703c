//! Running `sam build` with the pinned aws-sam-cli and cargo-lambda that
//! `scripts/test` provides (`CLOUDCRON_SAM`, `CLOUDCRON_SAM_BIN_DIR`,
//! `CLOUDCRON_SAM_TARGET_DIR`, `CLOUDCRON_SAM_BUILD_MODE`), and checking what
//! it built.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{run, text};

/// Why a `sam build` test is ignored, and how to run it.
pub const NEEDS_SAM: &str = "needs aws-sam-cli and cargo-lambda: run scripts/test";

/// The path of a tool `scripts/test` exports.
pub fn tool(var: &str) -> String {
    super::tool(var, NEEDS_SAM)
}

/// Whether `CLOUDCRON_SAM_BUILD_MODE` asks for `sam build`'s release build
/// (the default here is a debug build, to keep a cold run short).
pub fn release() -> bool {
    match env::var("CLOUDCRON_SAM_BUILD_MODE").as_deref() {
        Ok("release") => true,
        Ok("debug" | "") | Err(_) => false,
        Ok(other) => panic!("CLOUDCRON_SAM_BUILD_MODE must be `debug` or `release`, not `{other}`"),
    }
}

/// `sam build --template-file template --build-dir build_dir`, run in `dir`
/// with the venv's tools first on PATH and cargo-lambda compiling into
/// [`target_dir`] (debug unless [`release`]).
pub fn build_command(template: &Path, build_dir: &Path, dir: &Path) -> Command {
    let sam = tool("CLOUDCRON_SAM");
    let bin_dir = PathBuf::from(tool("CLOUDCRON_SAM_BIN_DIR"));
    let mut cmd = Command::new(&sam);
    cmd.arg("build")
        .arg("--template-file")
        .arg(template)
        .arg("--build-dir")
        .arg(build_dir)
        // No samconfig.toml or .aws-sam from the caller's directory.
        .current_dir(dir)
        .env("PATH", path_with(&bin_dir))
        .env("SAM_CLI_TELEMETRY", "0")
        // Honoured by both SAM (which then skips its own target-dir logic) and
        // cargo-lambda: compiled crates are reused across runs and checkouts.
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("CARGO_BUILD_TARGET");
    if release() {
        cmd.env_remove("SAM_BUILD_MODE");
    } else {
        // `cargo lambda build` without `--release`, and without debug info
        // (a 26 MB binary instead of 280 MB, a third of the cache on disk).
        cmd.env("SAM_BUILD_MODE", "debug")
            .env("CARGO_PROFILE_DEV_DEBUG", "0");
    }
    cmd
}

/// Where cargo-lambda compiles: kept across runs, outside the checkout.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = env::var_os("CLOUDCRON_SAM_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = env::var_os("HOME").expect("HOME or CLOUDCRON_SAM_TARGET_DIR must be set");
    Path::new(&home).join(".cache/cloud-cron/sam-target")
}

/// `PATH` with the sam venv's `bin/` first: SAM looks up `cargo` and
/// `cargo-lambda` on PATH, and `cargo lambda` is a cargo subcommand.
pub fn path_with(bin_dir: &Path) -> OsString {
    let rest = env::var_os("PATH").unwrap_or_default();
    env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(env::split_paths(&rest)))
        .expect("PATH entries")
}

/// The built template as JSON, parsed by SAM's own YAML loader (which also
/// reads short-form intrinsics such as `!GetAtt`).
pub fn built_template(bin_dir: &Path, template: &Path) -> Value {
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
pub fn assert_x86_64_elf(path: &Path) {
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
