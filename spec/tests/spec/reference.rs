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

#[test]
fn a_spec_of_sixty_jobs_splits_like_the_rust_large_app() {
    const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
    let mut yaml = String::from(
        "functions:\n  notifiers: notifiers\n  image_copier: runtime/image-copier\n  watchdog: runtime/watchdog\n  scheduler_api: runtime/scheduler-api\n  webhook_receiver: runtime/webhook\nstacks:\n  LargeApp:\n    description: \"cloud-cron example: many jobs in one stack, split into nested stacks\"\n    alarms:\n      ops_topic: Ops\n      channels:\n        OpsEmail:\n          kind: email\n          from: cloud-cron@example.com\n          to: [ops@example.com]\n          subject: \"[cloud-cron] {{ task }}\"\n          text: \"{{ task }} at {{ scheduled_time }}:\\n\\n{{ payload | tojson }}\"\n    topics:\n      Results: {}\n    tasks:\n",
    );
    for n in 0..60 {
        yaml.push_str(&format!(
            "      Job{n:04}:\n        image: {IMAGE}\n        schedule: rate(1 hour)\n        environment: {{ JOB_NUMBER: \"{n}\" }}\n        publishes_to: {{ results: Results }}\n"
        ));
    }
    let name = repo("cloud-cron.yaml").display().to_string();
    let loaded = cloud_cron_spec::load_str(&name, &yaml).unwrap_or_else(|e| panic!("{e}"));
    let from_spec = loaded
        .synth(&SynthOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let from_rust = cloud_cron_stacks::large_app::app(60)
        .synth()
        .unwrap_or_else(|e| panic!("{e}"));
    let (s, r) = (&from_spec.synthesis.stacks[0], &from_rust.stacks[0]);
    assert!(!s.nested.is_empty(), "60 jobs are split");
    assert!(s.text == r.text, "{}", similar_lines(&r.text, &s.text));
    assert_eq!(s.nested.len(), r.nested.len());
    for (a, b) in s.nested.iter().zip(&r.nested) {
        assert_eq!(a.name, b.name);
        assert!(a.text == b.text, "{}", similar_lines(&b.text, &a.text));
    }
}

#[test]
fn reminders_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/reminders.yaml",
        cloud_cron_stacks::reminders::stack,
    );
}

#[test]
fn odoo_sync_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/odoo-sync.yaml",
        cloud_cron_stacks::odoo_sync::stack,
    );
}

#[test]
fn erp_schedules_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/erp-schedules.yaml",
        cloud_cron_stacks::erp_schedules::stack,
    );
}

#[test]
fn time_tracking_spec_matches_the_rust_stack() {
    same_templates(
        "stacks/specs/time-tracking.yaml",
        cloud_cron_stacks::time_tracking::stack,
    );
}
