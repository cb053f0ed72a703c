//! Each reference spec under `stacks/specs/` gives the template of its Rust
//! stack, byte for byte, in YAML and in JSON.

use cfn_gen::{App, Format, Stack, SynthOptions};

use crate::support::repo;

fn same_templates(spec_file: &str, rust: fn(&App) -> Stack) {
    let loaded = cloud_cron_spec::load(&repo(spec_file)).unwrap_or_else(|e| panic!("{e}"));
    let app = cloud_cron_stacks::new_app();
    rust(&app);
    for format in [Format::Yaml, Format::Json] {
        let options = SynthOptions {
            format,
            ..SynthOptions::default()
        };
        let from_spec = loaded.synth(&options).unwrap_or_else(|e| panic!("{e}"));
        let from_rust = app.synth_with(&options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_spec.synthesis.stacks.len(), 1);
        let (s, r) = (&from_spec.synthesis.stacks[0], &from_rust.stacks[0]);
        assert_eq!(s.name, r.name);
        if s.text != r.text {
            let diff = similar_lines(&r.text, &s.text);
            panic!("{spec_file} differs from the Rust stack ({format:?}):\n{diff}");
        }
        assert_eq!(from_spec.warnings.len(), from_rust.warnings.len());
    }
}

/// The first differing lines, for a readable failure.
fn similar_lines(rust: &str, spec: &str) -> String {
    rust.lines()
        .zip(spec.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(10)
        .map(|(i, (a, b))| format!("line {}:\n  rust: {a}\n  spec: {b}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cloud_cron_example_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/cloud-cron-example.yaml",
        cloud_cron_stacks::cloud_cron_example::stack,
    );
}

#[test]
fn task_example_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/task-example.yaml",
        cloud_cron_stacks::task_example::stack,
    );
}

#[test]
fn image_example_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/image-example.yaml",
        cloud_cron_stacks::image_example::stack,
    );
}

#[test]
fn constructs_locate_to_their_spec_keys() {
    let loaded = cloud_cron_spec::load(&repo("stacks/specs/cloud-cron-example.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let at = loaded
        .location_of("CloudCronExample/ReportSms")
        .expect("channel located");
    assert_eq!(at.path, "stacks.CloudCronExample.channels.ReportSms");
    assert_eq!((at.line, at.column), (47, 7));
    assert!(at.file.ends_with("cloud-cron-example.yaml"));
    // Paths below a construct, and constructs cloud-cron adds, map upwards.
    let below = loaded
        .location_of("CloudCronExample/Report/Function")
        .expect("below a task");
    assert_eq!(below.path, "stacks.CloudCronExample.tasks.Report");
    let stack = loaded
        .location_of("CloudCronExample/ScheduleGroup")
        .expect("stack-level");
    assert_eq!(stack.path, "stacks.CloudCronExample");
    assert_eq!(loaded.location_of("Elsewhere/Report"), None);
}
