//! Synth findings speak the spec: every cfn-gen message or fix that names a
//! builder method renders without Rust syntax ([`every_cfn_gen_text_renders_in_spec_terms`]
//! walks cfn-gen's sources), and representative findings of a spec carry
//! a YAML-worded fix that, applied, makes the spec synthesize.

use cloud_cron_spec::fix::in_spec_terms;
use cloud_cron_spec::{load_str, SpecError, SpecErrors};

use crate::support::repo;

/// The string literals of a Rust source outside comments, from the start up
/// to its `#[cfg(test)]` module.
fn string_literals(src: &str) -> Vec<(usize, String)> {
    let src = match src.find("#[cfg(test)]") {
        Some(cut) => &src[..cut],
        None => src,
    };
    let b = src.as_bytes();
    let (mut i, mut line, mut out) = (0usize, 1usize, Vec::new());
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            continue;
        }
        if b[i] == b'r' && (i == 0 || !ident(b[i - 1])) {
            let hashes = src[i + 1..].bytes().take_while(|&c| c == b'#').count();
            if b.get(i + 1 + hashes) == Some(&b'"') {
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..].find(&close).map_or(b.len(), |n| start + n);
                out.push((line, src[start..end].to_owned()));
                line += src[i..end].matches('\n').count();
                i = end + close.len();
                continue;
            }
        }
        if b[i] == b'\'' {
            // A char literal ('"', '\'', 'x'), or a lifetime.
            if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') {
                i += 4;
                continue;
            }
            if b.get(i + 2) == Some(&b'\'') {
                i += 3;
                continue;
            }
        }
        if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            let text = src[i + 1..j.min(b.len())].replace("\\\"", "\"");
            line += text.matches('\n').count();
            out.push((line, text));
            i = j + 1;
            continue;
        }
        if b[i] == b'\n' {
            line += 1;
        }
        i += 1;
    }
    out
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// What Rust syntax looks like in a rendered text: a builder call
/// (`.method(`), a path call (`Type::new(`), a borrowed construct.
fn rust_syntax(text: &str) -> Option<String> {
    // CloudFormation's own type names are not Rust.
    let text = &text.replace("AWS::SSM::Parameter::", "AWS-SSM-Parameter-");
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '.' || (i > 0 && chars[i - 1] == '.') {
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase() || **c == '_')
            .collect();
        if !name.is_empty() && chars.get(i + 1 + name.len()) == Some(&'(') {
            let before: String = chars[..i].iter().collect();
            // The task's own Rust code reads its secrets with `ctx.secret(..)`.
            if !(before.ends_with("ctx") && name == "secret") {
                return Some(format!(".{name}("));
            }
        }
    }
    if let Some(at) = text.find(" &") {
        if text[at + 2..].starts_with(|c: char| c.is_ascii_lowercase()) {
            return Some(text[at..].chars().take(8).collect());
        }
    }
    [
        "&stack",
        "&ops",
        "Duration::",
        "SecretRef",
        "Some(",
        "None",
        "::new(",
        "::from_",
        "env!(",
        "vec!",
        "Schedule::",
        "Topic::",
        "WorkQueue::",
        "OpsTopic::",
        "Parameter::",
        "Statement::",
        "Value::",
    ]
    .iter()
    .find(|s| text.contains(**s))
    .map(|s| (*s).to_owned())
}

#[test]
fn every_cfn_gen_text_renders_in_spec_terms() {
    let mut files = Vec::new();
    rust_files(&repo("cfn-gen/src"), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        for (line, text) in string_literals(&src) {
            if rust_syntax(&text).is_none() {
                continue;
            }
            // Doc examples and generated code are not findings; a finding's
            // text is prose around the calls.
            if text.trim_start().starts_with("#[")
                || text.contains("fn main()") && !text.contains("functions package")
            {
                continue;
            }
            checked += 1;
            let rendered = in_spec_terms(&text);
            if let Some(syntax) = rust_syntax(&rendered) {
                failures.push(format!(
                    "{}:{line}: `{syntax}` in\n    {text}\n  ->{rendered}",
                    file.display()
                ));
            }
        }
    }
    assert!(
        checked > 150,
        "found only {checked} texts naming builder methods"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn representative_fixes_render_with_their_spec_keys() {
    for (rust, spec) in [
        ("call .to([\"alice@example.com\"])", "set `to: [alice@example.com]`"),
        ("pass a value in range to .memory_mb()", "pass a value in range to `memory_mb`"),
        (
            "pin a digest (.source(REPO, \"sha256:...\")) or bump .refresh(\"YYYY-MM-DD\") to take a new release",
            "pin a digest (`repository: REPO` and `tag_or_digest: sha256:...` (under `images`)) or bump `refresh: YYYY-MM-DD` to take a new release",
        ),
        (".max_concurrency(2) (or up to 1000)", "`max_concurrency: 2` (or up to 1000)"),
        ("fix the address given to .to(), .cc(), .bcc() or .reply_to()", "fix the address given to `to`, `cc`, `bcc` or `reply_to`"),
        (
            "call .schedule(Schedule::cron(\"0 2 L * ? *\")) (or a rate or at schedule)",
            "set `schedule: cron(0 2 L * ? *)` (or a rate or at schedule)",
        ),
        (
            "give the schedule a .start_date(\"2027-01-01T00:00:00Z\") so the stack's watchdog can count its fire times, or call .no_missed_run_alarm()",
            "give the schedule a `start_date: \"2027-01-01T00:00:00Z\"` so the stack's watchdog can count its fire times, or set `alarms: { missed_runs: false }`",
        ),
        (
            ".window_limits(Duration::from_secs(1800), Duration::from_secs(86400))",
            "`window_limits: { min_seconds: 1800, max_seconds: 86400 }`",
        ),
        (
            "call .vpc([\"subnet-0123456789abcdef0\"], [\"sg-0123456789abcdef0\"]) (or pass stack parameters)",
            "set `vpc: { subnets: [subnet-0123456789abcdef0], security_groups: [sg-0123456789abcdef0] }` (or pass stack parameters)",
        ),
    ] {
        assert_eq!(in_spec_terms(rust), spec);
    }
}

/// Synthesize `yaml`: its errors, or else its warnings.
fn findings(yaml: &str) -> SpecErrors {
    let loaded = load_str("cloud-cron.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    match loaded.synth(&Default::default()) {
        Ok(out) => SpecErrors {
            errors: out.warnings,
        },
        Err(e) => e,
    }
}

/// The finding whose message mentions `subject`, if any.
fn finding(yaml: &str, subject: &str) -> Option<SpecError> {
    findings(yaml)
        .errors
        .into_iter()
        .find(|e| e.message.contains(subject))
}

const QUEUE: &str = r#"stacks:
  Jobs:
    functions:
      Worker:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/worker:v1
        timeout_seconds: 60
    work_queues:
      Events:
        consumer: Worker
        visibility_timeout_seconds: 100
"#;

#[test]
fn a_short_visibility_timeout_is_fixed_with_its_spec_key() {
    let e = finding(QUEUE, "visibility").expect("100 s is shorter than 6 x 60 s");
    let fix = e.fix.as_deref().unwrap_or_default();
    assert!(fix.contains("`visibility_timeout_seconds`"), "{e}");
    assert!(
        rust_syntax(fix).is_none() && rust_syntax(&e.message).is_none(),
        "{e}"
    );
    assert_eq!(e.path(), Some("stacks.Jobs.work_queues.Events"), "{e}");
    // Applying the fix: 6 x 60 s.
    let fixed = QUEUE.replace(
        "visibility_timeout_seconds: 100",
        "visibility_timeout_seconds: 360",
    );
    assert_eq!(finding(&fixed, "visibility"), None);
}

const PIPELINE: &str = r#"stacks:
  Jobs:
    sync_pipelines:
      Sync:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/sync:v1
        tenants: [acme]
        streams: [orders]
        max_concurrency: 1
"#;

#[test]
fn a_sync_pipeline_finding_names_its_spec_key() {
    let e = finding(PIPELINE, "max_concurrency").expect("1 is below 2");
    assert_eq!(
        e.fix.as_deref(),
        Some("`max_concurrency: 2` (or up to 1000)"),
        "{e}"
    );
    let fixed = PIPELINE.replace("max_concurrency: 1", "max_concurrency: 2");
    assert_eq!(finding(&fixed, "max_concurrency"), None);
}

const REPUBLISH: &str = r#"functions:
  image_copier: ../runtime/image-copier
stacks:
  Jobs:
    images:
      Vendor:
        repository: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor
        tag_or_digest: v1
    functions:
      Worker:
        republished_image: Vendor
"#;

#[test]
fn a_republished_tag_is_fixed_with_refresh_or_a_digest() {
    let e = finding(REPUBLISH, "refresh").expect("a tag is copied once");
    let fix = e.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains("`refresh: YYYY-MM-DD`") && fix.contains("`tag_or_digest: sha256:...`"),
        "{e}"
    );
    assert!(rust_syntax(&e.message).is_none(), "{e}");
    assert_eq!(e.path(), Some("stacks.Jobs.images.Vendor"), "{e}");
    let pinned = REPUBLISH.replace(
        "tag_or_digest: v1",
        "tag_or_digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    assert_eq!(finding(&pinned, "refresh"), None);
}

const DOCKER_HUB: &str = r#"functions:
  image_copier: ../runtime/image-copier
stacks:
  Jobs:
    functions:
      Worker:
        image: alpine:3.20
"#;

#[test]
fn a_docker_hub_image_is_fixed_with_an_images_entry() {
    let e = finding(DOCKER_HUB, "alpine:3.20").expect("Lambda runs only private ECR images");
    let fix = e.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains("`images: { Image: { source_image: alpine:3.20 } }`")
            && fix.contains("`republished_image: Image`"),
        "{e}"
    );
    assert!(rust_syntax(fix).is_none(), "{e}");
    // Applying the fix: the image copied under `images`, run from there.
    let fixed = DOCKER_HUB.replace(
        "    functions:\n      Worker:\n        image: alpine:3.20\n",
        "    images: { Image: { source_image: alpine:3.20 } }\n    functions:\n      Worker:\n        republished_image: Image\n",
    );
    assert_ne!(fixed, DOCKER_HUB);
    assert_eq!(finding(&fixed, "alpine:3.20"), None);
    assert_eq!(
        findings(&fixed)
            .errors
            .iter()
            .filter(|e| e.message.contains("private ECR"))
            .count(),
        0
    );
}

#[test]
fn image_sources_credentials_and_cron_paths_render_in_spec_terms() {
    assert_eq!(
        in_spec_terms(
            "copy it into the stack with ImageRepublish::new(&stack, \"Image\").source(REPO, TAG_OR_DIGEST) and pass &image to .image(), or push it to ECR in eu-west-2"
        ),
        "copy it into the stack as `images: { Image: { repository: REPO, tag_or_digest: TAG_OR_DIGEST } }` and run it with `republished_image: Image` in place of `image`, or push it to ECR in eu-west-2"
    );
    assert_eq!(
        in_spec_terms(
            "write the job's schedule as a cron (rate(1 hour) is Schedule::cron(\"0 * * * ? *\"))"
        ),
        "write the job's schedule as a cron (rate(1 hour) is cron(0 * * * ? *))"
    );
    assert_eq!(
        in_spec_terms("add .credentials(SecretRef::secrets_manager(\"registry/ghcr\")), or remove .credentials_key()"),
        "add `credentials: secretsmanager:registry/ghcr`, or remove `credentials_key`"
    );
}
