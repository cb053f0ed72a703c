//! cloud-cron used from another repository: the project that the README's
//! "Use cloud-cron in your own repository" section builds, written to a
//! temporary directory outside this checkout from the README's own text
//! (with `path` dependencies on this checkout in place of the placeholder
//! `git` URL), its `cargo run --bin synth` run, and every code path in its
//! template checked to stay inside that project. The ignored test (run by
//! `scripts/test`) also `sam build`s its email notifier and image copier.
//!
//! The project compiles into its own target directory under this one's
//! `tmp/` (kept across runs): in the shared one, its `synth` binary would
//! replace this package's `target/debug/synth`, which cargo does not restore
//! when nothing changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use serde_json::Value;

use crate::support::sam::{assert_x86_64_elf, build_command, target_dir};
use crate::support::{run, text};

/// The README section that describes the project.
const SECTION: &str = "## Use cloud-cron in your own repository";
/// How the README names cloud-cron's packages: the workspace's placeholder URL.
const GIT: &str = r#"{ git = "https://example.invalid/cloud-cron" }"#;
/// The stack the README's `synth` defines.
const STACK: &str = "Jobs";

/// One project build at a time: the projects share a target directory and
/// the path of their `synth` binary, which `cargo run` runs after building.
static BUILD: Mutex<()> = Mutex::new(());

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the checkout")
}

/// The files the README's section shows, as (path, text): each "`path`..:"
/// line followed by a fenced block.
fn readme_files() -> Vec<(String, String)> {
    let readme = fs::read_to_string(checkout().join("README.md")).expect("read README.md");
    let start = readme.find(SECTION).expect("the README has the section");
    let section = &readme[start + SECTION.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let lines: Vec<&str> = section.lines().collect();
    let mut files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence = lines.get(i + 2).is_some_and(|l| l.starts_with("```"));
        if line.starts_with('`') && line.ends_with(':') && fence {
            let path = line[1..].split('`').next().unwrap_or_default().to_owned();
            let body: Vec<&str> = lines[i + 3..]
                .iter()
                .take_while(|l| !l.starts_with("```"))
                .copied()
                .collect();
            files.push((path, body.join("\n") + "\n"));
            i += 3 + body.len();
        }
        i += 1;
    }
    files
}

/// Where this checkout keeps each package the README takes from git.
fn package_dir(package: &str) -> &'static str {
    match package {
        "cfn-gen" => "cfn-gen",
        "cloud-cron-cli" => "cfn-gen/cli",
        "cloud-cron-notifiers" => "notifiers",
        "cloud-cron-image-copier" => "runtime/image-copier",
        "cloud-cron-watchdog" => "runtime/watchdog",
        other => panic!("the README depends on `{other}`, which this test does not know"),
    }
}

/// A manifest from the README with `path` dependencies on this checkout.
fn with_local_paths(manifest: &str) -> String {
    let checkout = checkout();
    manifest
        .lines()
        .map(|line| match line.split_once(" = ") {
            Some((package, GIT)) => format!(
                "{package} = {{ path = {:?} }}",
                checkout.join(package_dir(package))
            ),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The `[profile...]` sections of this workspace's manifest that `project`
/// (the README's workspace manifest) does not have itself, so the project's
/// dependencies compile as this workspace's do. Sections for one named
/// package are left out: the project builds some of those packages as
/// dependencies (non-incremental already, and without debug info through the
/// README's `package."*"`), and a section naming a package the project does
/// not build (the spec crate, insta) only makes cargo warn.
fn profiles(project: &str) -> String {
    let manifest = fs::read_to_string(checkout().join("Cargo.toml")).expect("read Cargo.toml");
    let start = manifest.find("\n[profile.").expect("profiles");
    let own: Vec<&str> = project.lines().filter(|l| l.starts_with('[')).collect();
    manifest[start..]
        .split("\n[")
        .filter(|section| !section.trim().is_empty())
        .map(|section| format!("[{section}"))
        .filter(|section| {
            let header = section.lines().next().unwrap_or_default();
            let one_package = header.contains(".package.") && !header.contains(".package.\"*\"]");
            !one_package && !own.contains(&header)
        })
        .fold(String::from("\n"), |all, section| all + &section + "\n")
}

/// The README's project, in a new temporary directory.
fn write_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = readme_files();
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "Cargo.toml",
        "stacks/Cargo.toml",
        "stacks/src/bin/synth.rs",
        "functions/Cargo.toml",
        "functions/src/bin/notifier-email.rs",
        "functions/src/bin/notifier-sms.rs",
        "functions/src/bin/notifier-slack.rs",
        "functions/src/bin/notifier-teams.rs",
        "functions/src/bin/notifier-webhook.rs",
        "functions/src/bin/image-copier.rs",
        "functions/src/bin/watchdog.rs",
    ] {
        assert!(
            names.contains(&expected),
            "the README shows no {expected}: {names:?}"
        );
    }
    for (path, body) in &files {
        let mut body = if path.ends_with("Cargo.toml") {
            with_local_paths(body)
        } else {
            body.clone()
        };
        if path == "Cargo.toml" {
            let profiles = profiles(&body);
            body.push_str(&profiles);
        }
        let file = dir.path().join(path);
        fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        fs::write(&file, body).expect("write project file");
    }
    // Offline: the versions this checkout locks are in cargo's cache.
    fs::copy(checkout().join("Cargo.lock"), dir.path().join("Cargo.lock"))
        .expect("copy Cargo.lock");
    dir
}

/// `cargo run --bin synth -- args`, as the README says, in `project`.
fn synth(project: &Path, args: &[&str]) -> Output {
    let _one_at_a_time = BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Every project's `synth` has the same unit hash (cargo hashes a path
    // package by its place in the workspace); a source newer than the last
    // build makes cargo rebuild it for this project's paths.
    fs::File::options()
        .write(true)
        .open(project.join("stacks/src/bin/synth.rs"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .expect("touch synth.rs");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let o = run(Command::new(cargo)
        .args(["run", "--offline", "--quiet", "--bin", "synth", "--"])
        .args(args)
        .current_dir(project)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-repository"),
        ));
    assert!(
        o.status.success(),
        "cargo run --bin synth failed in {}:\n{}{}",
        project.display(),
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

/// Panics unless `path` (relative to `out_dir`) resolves to a directory
/// inside `project`.
fn assert_inside(project: &Path, out_dir: &Path, key: &str, path: &str) {
    let resolved = out_dir.join(path).canonicalize().unwrap_or_else(|e| {
        panic!(
            "{key} `{path}` does not resolve from {}: {e}",
            out_dir.display()
        )
    });
    assert!(
        resolved.starts_with(project),
        "{key} `{path}` resolves to {}, outside the project {}",
        resolved.display(),
        project.display()
    );
}

/// Every function's code path in a JSON template: (logical id, key, path).
fn code_paths(template: &Value) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    for (id, resource) in template["Resources"].as_object().expect("Resources") {
        if let Some(uri) = resource["Properties"]["CodeUri"].as_str() {
            out.push((id.clone(), "CodeUri", uri.to_owned()));
        }
        if let Some(context) = resource["Metadata"]["DockerContext"].as_str() {
            out.push((id.clone(), "DockerContext", context.to_owned()));
        }
    }
    out
}

/// The function that runs `binary`.
fn function_of<'a>(template: &'a Value, binary: &str) -> (&'a String, &'a Value) {
    template["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == binary)
        .unwrap_or_else(|| panic!("no function runs `{binary}`"))
}

#[test]
fn a_project_of_its_own_synthesizes_templates_that_point_only_into_itself() {
    let dir = write_project();
    let project = dir.path().canonicalize().expect("project dir");
    let checkout = checkout();
    let home_cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));

    // As the README says: YAML into out/.
    let o = synth(&project, &[]);
    let summary = text(&o.stdout);
    assert!(summary.contains(&format!("{STACK}: ")), "{summary}");
    let out_dir = project.join("out");
    let yaml = fs::read_to_string(out_dir.join(format!("{STACK}.template.yaml")))
        .expect("out/Jobs.template.yaml written");
    let checkout_text = checkout.to_str().expect("utf-8 checkout path");
    assert!(
        !yaml.contains(checkout_text),
        "the template names this checkout ({checkout_text}):\n{yaml}"
    );
    if let Some(cargo_home) = &home_cargo {
        let cargo_home = cargo_home.to_str().expect("utf-8 cargo home");
        assert!(
            !yaml.contains(cargo_home),
            "the template names {cargo_home}:\n{yaml}"
        );
    }
    let mut yaml_paths = 0;
    for line in yaml.lines() {
        let line = line.trim();
        for key in ["CodeUri", "DockerContext"] {
            if let Some(value) = line.strip_prefix(key).and_then(|r| r.strip_prefix(": ")) {
                assert_inside(&project, &out_dir, key, value.trim_matches('"'));
                yaml_paths += 1;
            }
        }
    }

    // The same in JSON, read structurally: every function's code is the
    // project's functions package.
    let o = synth(&project, &["--format", "json", "--out-dir", "json"]);
    assert!(text(&o.stdout).contains(STACK));
    let json_dir = project.join("json");
    let template: Value = serde_json::from_str(
        &fs::read_to_string(json_dir.join(format!("{STACK}.template.json"))).expect("JSON written"),
    )
    .expect("valid JSON");
    let paths = code_paths(&template);
    assert_eq!(
        paths.len(),
        yaml_paths,
        "the same code paths in YAML and JSON"
    );
    assert_eq!(
        paths.len(),
        3,
        "the email and SMS notifiers and the image copier: {paths:?}"
    );
    for (id, key, path) in &paths {
        assert_inside(&project, &json_dir, key, path);
        assert_eq!(
            json_dir.join(path).canonicalize().expect("resolves"),
            project.join("functions"),
            "{id}: {key}"
        );
    }
    for binary in ["notifier-email", "notifier-sms", "image-copier"] {
        function_of(&template, binary);
    }
}

#[test]
#[ignore = "needs aws-sam-cli and cargo-lambda: run scripts/test"]
fn sam_build_compiles_a_notifier_and_the_copier_of_a_project_of_its_own() {
    let dir = write_project();
    let project = dir.path().canonicalize().expect("project dir");
    synth(&project, &[]);
    let template_file = project.join("out").join(format!("{STACK}.template.yaml"));
    synth(&project, &["--format", "json", "--out-dir", "json"]);
    let template: Value = serde_json::from_str(
        &fs::read_to_string(project.join("json").join(format!("{STACK}.template.json")))
            .expect("JSON written"),
    )
    .expect("valid JSON");

    // One resource per `sam build`: the whole stack would compile every
    // function; these two cover both packages' entry points.
    for binary in ["notifier-email", "image-copier"] {
        let (id, _) = function_of(&template, binary);
        let build_dir = project.join(".aws-sam").join(binary);
        let o = run(build_command(&template_file, &build_dir, &project).arg(id));
        assert!(
            o.status.success(),
            "sam build {id} failed (exit {:?}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            o.status.code(),
            text(&o.stdout),
            text(&o.stderr)
        );
        assert_x86_64_elf(&build_dir.join(id).join("bootstrap"));
        assert!(
            target_dir()
                .join("lambda")
                .join(binary)
                .join("bootstrap")
                .is_file(),
            "cargo-lambda did not build {binary} into the shared sam target dir"
        );
    }
    assert!(
        !project.join("functions/target").exists() && !project.join("target").exists(),
        "sam build wrote a target/ directory into the project"
    );
}
