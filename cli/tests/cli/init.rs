//! `cloud-cron init`: the scaffolds, refusing to overwrite, and (Rust
//! scaffold) `cloud-cron synth` passing through `cargo run --bin synth`.
//! The spec scaffold's synth, validators and `sam build` are in
//! [`crate::spec`]'s neighbours below.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{checkout, cloud_cron_in, stderr, stdout};

/// `cloud-cron init args` in `dir`, with `path` dependencies on this checkout.
pub fn init(dir: &Path, args: &[&str]) -> Output {
    let checkout = checkout();
    let checkout = checkout.to_str().expect("utf-8 checkout");
    let o = cloud_cron_in(dir, &[&["init", "--path", checkout], args].concat());
    assert!(
        o.status.success(),
        "init failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// `cloud-cron args` in the project `dir`, offline, compiling into a target
/// directory of its own under this one's `tmp/` (kept across runs): cargo
/// resolves the project from this checkout's lock file (copied into it).
pub fn in_project(dir: &Path, args: &[&str]) -> Output {
    let lock = dir.join("Cargo.lock");
    if !lock.exists() && dir.join("Cargo.toml").exists() {
        fs::copy(checkout().join("Cargo.lock"), &lock).expect("copy Cargo.lock");
    }
    Command::new(env!("CARGO_BIN_EXE_cloud-cron"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-project"),
        )
        .output()
        .expect("cloud-cron runs")
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                out.push(relative.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Panics unless every `CodeUri` of the YAML template `template` (in `out_dir`)
/// resolves to `functions` inside `project`; returns how many there are.
pub fn assert_code_paths_in(project: &Path, out_dir: &Path, template: &str) -> usize {
    let mut count = 0;
    for line in template.lines() {
        if let Some(uri) = line.trim().strip_prefix("CodeUri: ") {
            let resolved: PathBuf = out_dir
                .join(uri.trim_matches('"'))
                .canonicalize()
                .unwrap_or_else(|e| panic!("CodeUri {uri} does not resolve: {e}"));
            assert_eq!(resolved, project.join("functions"), "CodeUri {uri}");
            count += 1;
        }
    }
    count
}

const FUNCTION_FILES: [&str; 8] = [
    "functions/Cargo.toml",
    "functions/src/bin/image-copier.rs",
    "functions/src/bin/notifier-email.rs",
    "functions/src/bin/notifier-slack.rs",
    "functions/src/bin/notifier-sms.rs",
    "functions/src/bin/notifier-teams.rs",
    "functions/src/bin/notifier-webhook.rs",
    "functions/src/bin/watchdog.rs",
];

#[test]
fn the_spec_scaffold_has_its_schema_functions_readme_and_gitignore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = init(dir.path(), &["jobs"]);
    let project = dir.path().join("jobs");
    let mut expected = vec![
        ".gitignore",
        "README.md",
        "cloud-cron.schema.json",
        "cloud-cron.yaml",
    ];
    expected.extend(FUNCTION_FILES);
    expected.sort();
    assert_eq!(files(&project), expected);
    assert!(
        stdout(&o).contains("cd jobs && cloud-cron synth"),
        "{}",
        stdout(&o)
    );

    let spec = fs::read_to_string(project.join("cloud-cron.yaml")).expect("spec");
    assert!(
        spec.starts_with("# yaml-language-server: $schema=./cloud-cron.schema.json\n"),
        "{spec}"
    );
    let schema = fs::read_to_string(project.join("cloud-cron.schema.json")).expect("schema");
    let printed = cloud_cron_in(dir.path(), &["schema"]);
    assert_eq!(schema, stdout(&printed), "init writes what `schema` prints");

    let manifest = fs::read_to_string(project.join("functions/Cargo.toml")).expect("manifest");
    let notifiers = checkout().join("notifiers");
    assert!(
        manifest.contains(&format!(
            "cloud-cron-notifiers = {{ path = {:?} }}",
            notifiers
        )),
        "{manifest}"
    );
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    let readme = fs::read_to_string(project.join("README.md")).expect("README");
    assert!(
        readme.starts_with("## Scheduled jobs (cloud-cron)\n"),
        "{readme}"
    );
    assert!(readme.contains("sam build --template-file out/Jobs.template.yaml"));
}

#[test]
fn without_path_the_manifests_name_the_git_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = cloud_cron_in(dir.path(), &["init", "--rust"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for manifest in ["stacks/Cargo.toml", "functions/Cargo.toml"] {
        let text = fs::read_to_string(dir.path().join(manifest)).expect("manifest");
        assert!(!text.contains("path ="), "{text}");
        assert!(
            text.contains(r#" = { git = "https://example.invalid/cloud-cron" }"#),
            "{text}"
        );
    }
    let o = cloud_cron_in(
        dir.path(),
        &["init", "--git", "https://git.example/cc.git", "other"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("other/functions/Cargo.toml")).expect("manifest");
    assert!(
        text.contains(r#"cloud-cron-watchdog = { git = "https://git.example/cc.git" }"#),
        "{text}"
    );
}

#[test]
fn init_never_overwrites_and_says_which_files_are_in_the_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    init(dir.path(), &[]);
    fs::write(dir.path().join("cloud-cron.yaml"), "mine\n").expect("edit spec");
    let before: Vec<(String, Vec<u8>)> = files(dir.path())
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.path().join(&f)).expect("read");
            (f, bytes)
        })
        .collect();
    let o = cloud_cron_in(dir.path(), &["init"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("already has cloud-cron.yaml, cloud-cron.schema.json, functions/Cargo.toml"),
        "{err}"
    );
    assert!(
        err.contains("README.md"),
        "the README already has the section: {err}"
    );
    assert!(err.contains("`cloud-cron init DIR`"), "{err}");
    let after: Vec<(String, Vec<u8>)> = files(dir.path())
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.path().join(&f)).expect("read");
            (f, bytes)
        })
        .collect();
    assert_eq!(before, after, "nothing written");
}

#[test]
fn an_existing_readme_and_gitignore_are_appended_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("README.md"), "# Our jobs").expect("write");
    fs::write(dir.path().join(".gitignore"), "/target\n*.log\n").expect("write");
    let o = init(dir.path(), &["--rust"]);
    assert!(
        stdout(&o).contains("appended to README.md"),
        "{}",
        stdout(&o)
    );
    let readme = fs::read_to_string(dir.path().join("README.md")).expect("README");
    assert!(
        readme.starts_with("# Our jobs\n\n## Scheduled jobs (cloud-cron)\n"),
        "{readme}"
    );
    assert!(readme.contains("cloud-cron synth          # runs `cargo run --bin synth`"));
    let gitignore = fs::read_to_string(dir.path().join(".gitignore")).expect(".gitignore");
    assert!(gitignore.starts_with("/target\n*.log\n"), "{gitignore}");
    assert_eq!(
        gitignore.lines().filter(|l| *l == "/target").count(),
        1,
        "{gitignore}"
    );
    assert!(gitignore.contains("/.aws-sam\n") && gitignore.contains("/out\n"));
}

#[test]
fn a_path_that_is_not_a_checkout_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = cloud_cron_in(dir.path(), &["init", "--path", "/nonexistent/cloud-cron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/cloud-cron is not a cloud-cron checkout"),
        "{}",
        stderr(&o)
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn the_rust_scaffold_synthesizes_through_cargo_run_bin_synth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("project");
    init(&project, &["--rust"]);
    let mut expected = vec![
        ".gitignore",
        "Cargo.toml",
        "README.md",
        "stacks/Cargo.toml",
        "stacks/src/bin/synth.rs",
    ];
    expected.extend(FUNCTION_FILES);
    expected.sort();
    assert_eq!(files(&project), expected);
    let workspace = fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    assert!(
        workspace.contains("[profile.dev.package.\"*\"]\ndebug = false\n"),
        "dependencies compile without debug info: {workspace}"
    );

    let o = in_project(&project, &["synth"]);
    assert!(
        o.status.success(),
        "synth failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(stdout(&o).starts_with("Jobs: "), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("Jobs/NightlyReport  cron(0 2 * * ? *) (Europe/London)  next: "),
        "{}",
        stdout(&o)
    );
    let out_dir = project.join("out");
    let template = fs::read_to_string(out_dir.join("Jobs.template.yaml")).expect("written");
    // Two email channels (alerts, operators) and the missed-run watchdog,
    // all from functions/.
    assert_eq!(assert_code_paths_in(&project, &out_dir, &template), 3);
    assert!(stdout(&o).contains("alarms: "), "{}", stdout(&o));
    assert!(!stdout(&o).contains("-> nobody"), "{}", stdout(&o));
    assert!(o.stderr.is_empty(), "no warnings: {}", stderr(&o));

    // synth's options and exit status pass through.
    let o = in_project(&project, &["synth", "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    fs::write(out_dir.join("Jobs.template.yaml"), "stale\n").expect("write");
    let o = in_project(&project, &["synth", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 template(s) out of date"),
        "{}",
        stderr(&o)
    );
    let o = in_project(&project, &["synth", "--stack", "Nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // The spec scaffold declares the same app: the same template, byte for byte.
    let spec_dir = tempfile::tempdir().expect("tempdir");
    init(spec_dir.path(), &[]);
    let o = cloud_cron_in(spec_dir.path(), &["synth"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(spec_dir.path().join("out/Jobs.template.yaml")).expect("written"),
        template,
        "cloud-cron.yaml and the Rust scaffold disagree"
    );

    let o = in_project(&project, &["validate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(out_dir.join("Jobs.template.yaml")).expect("read"),
        "stale\n",
        "validate writes nothing into the project"
    );
}
