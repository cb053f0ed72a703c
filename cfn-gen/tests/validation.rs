//! Every synth-time validation rule, through the public builders: each test
//! asserts the construct path, the message and the fix.

use std::time::Duration;

use cfn_gen::{
    App, Problem, Resource, Schedule, ScheduledLambda, Severity, Stack, TimeUnit, Topic, Value,
};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn warnings(app: &App) -> Vec<Problem> {
    app.synth().map(|s| s.warnings).unwrap_or_default()
}

/// The one error whose message contains `needle`; fails listing all errors otherwise.
fn error_with<'a>(errors: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = errors
        .iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error containing {needle:?}, got: {errors:#?}"
    );
    found[0]
}

fn job(stack: &Stack, id: &str) -> ScheduledLambda {
    ScheduledLambda::new(stack, id)
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}

fn app_with(f: impl FnOnce(&Stack)) -> App {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    // Alarms that notify nobody are a synth warning.
    stack.alarms_to(&cfn_gen::OpsTopic::new(&stack, "Ops"));
    f(&stack);
    app
}

#[test]
fn a_valid_app_has_no_problems() {
    let app = app_with(|s| {
        let t = Topic::fifo(s, "Alerts");
        job(s, "Report").publishes_to("alerts", &t);
    });
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
}

#[test]
fn seed_day_rules_are_enforced_with_the_field_named() {
    for (expr, ok) in [
        ("0 9 * * * *", false),
        ("0 9 * * MON *", false),
        ("0 9 * * ? *", true),
    ] {
        let app = app_with(|s| {
            ScheduledLambda::new(s, "Report")
                .image(IMAGE)
                .schedule(Schedule::cron(expr));
        });
        let errs = errors(&app);
        if ok {
            assert!(errs.is_empty(), "{expr}: {errs:#?}");
        } else {
            let e = error_with(&errs, "invalid schedule");
            assert_eq!(e.path, "Jobs/Report");
            let msg = e.message.to_lowercase();
            assert!(
                msg.contains("day-of-month") && msg.contains("day-of-week") && msg.contains('?'),
                "{expr}: {}",
                e.message
            );
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let app = app_with(|s| {
        ScheduledLambda::new(s, "A");
        ScheduledLambda::new(s, "B")
            .image(IMAGE)
            .schedule(Schedule::parse("rate(1 minutes)"))
            .memory_mb(64);
    });
    let errs = errors(&app);
    assert!(errs.len() >= 4, "{errs:#?}");
    assert_eq!(error_with(&errs, "no code").path, "Jobs/A");
    assert!(error_with(&errs, "no code").fix.contains(".image("));
    assert_eq!(error_with(&errs, "no schedule").path, "Jobs/A");
    assert_eq!(error_with(&errs, "invalid schedule").path, "Jobs/B");
    assert_eq!(error_with(&errs, "64 MB").path, "Jobs/B");
}

#[test]
fn duplicate_ids_name_both_paths() {
    let app = app_with(|s| {
        Topic::standard(s, "Alerts");
        Topic::fifo(s, "Alerts");
    });
    let errs = errors(&app);
    let e = error_with(&errs, "used twice");
    assert_eq!(e.path, "Jobs/Alerts");
    assert!(e.message.contains("stack Jobs"));
    assert!(e.fix.contains("different id"));
}

#[test]
fn duplicate_and_malformed_stack_names_are_errors() {
    let app = App::new();
    Stack::new(&app, "Jobs");
    Stack::new(&app, "Jobs");
    Stack::new(&app, "2ndStack");
    Stack::new(&app, "bad_stack");
    let errs = errors(&app);
    assert_eq!(error_with(&errs, "used twice in this app").path, "Jobs");
    assert!(error_with(&errs, "starts with `2`")
        .message
        .contains("stack name"));
    assert_eq!(error_with(&errs, "contains `_`").path, "bad_stack");
}

#[test]
fn topic_names_and_options_are_checked() {
    let app = app_with(|s| {
        Topic::fifo(s, "A").topic_name("alerts");
        Topic::standard(s, "B").topic_name("reports.fifo");
        Topic::standard(s, "C").topic_name("bad name");
        Topic::standard(s, "D").content_based_deduplication();
        Topic::standard(s, "E").kms_key("alias/my-key");
        Topic::from_arn(s, "F", "arn:aws:sns:us-east-1:1234:short");
        Topic::from_arn(s, "G", "arn:aws:sns:us-east-1:123456789012:x").topic_name("y");
        Topic::standard(s, "H").export_arn("not/valid");
    });
    let errs = errors(&app);
    assert_eq!(error_with(&errs, "must end in `.fifo`").path, "Jobs/A");
    assert_eq!(error_with(&errs, "ends in `.fifo` but").path, "Jobs/B");
    assert_eq!(error_with(&errs, "`bad name` contains ` `").path, "Jobs/C");
    assert_eq!(
        error_with(&errs, "content-based deduplication").path,
        "Jobs/D"
    );
    let kms = error_with(&errs, "not a KMS key ARN");
    assert_eq!(kms.path, "Jobs/E");
    assert!(kms.fix.contains("aliases cannot be granted"));
    assert_eq!(error_with(&errs, "not an SNS topic ARN").path, "Jobs/F");
    assert_eq!(
        error_with(&errs, "imported topic cannot be renamed").path,
        "Jobs/G"
    );
    assert_eq!(error_with(&errs, "export name `not/valid`").path, "Jobs/H");
}

#[test]
fn image_uris_must_be_private_ecr() {
    let app = app_with(|s| {
        ScheduledLambda::new(s, "Hub")
            .image("docker.io/library/alpine:3")
            .schedule(Schedule::rate(1, TimeUnit::Hours));
        ScheduledLambda::new(s, "NoTag")
            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs")
            .schedule(Schedule::rate(1, TimeUnit::Hours));
        ScheduledLambda::new(s, "BadDigest")
            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:abc")
            .schedule(Schedule::rate(1, TimeUnit::Hours));
        ScheduledLambda::new(s, "Upper")
            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/Jobs:v1")
            .schedule(Schedule::rate(1, TimeUnit::Hours));
    });
    let errs = errors(&app);
    let hub = error_with(&errs, "not in a private ECR registry");
    assert_eq!(hub.path, "Jobs/Hub");
    assert!(
        hub.fix.contains(
            "ImageRepublish::new(&stack, \"Image\").source_image(\"docker.io/library/alpine:3\")"
        ),
        "{}",
        hub.fix
    );
    assert_eq!(
        error_with(&errs, "neither a tag nor a digest").path,
        "Jobs/NoTag"
    );
    assert_eq!(error_with(&errs, "malformed digest").path, "Jobs/BadDigest");
    assert_eq!(
        error_with(&errs, "invalid repository name `Jobs`").path,
        "Jobs/Upper"
    );
}

#[test]
fn tags_warn_and_digests_do_not() {
    let app = app_with(|s| {
        ScheduledLambda::new(s, "Tagged")
            .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:latest")
            .schedule(Schedule::rate(1, TimeUnit::Hours));
        job(s, "Pinned");
    });
    let w = warnings(&app);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].severity, Severity::Warning);
    assert_eq!(w[0].path, "Jobs/Tagged");
    assert!(w[0].fix.contains("@sha256"));
}

#[test]
fn function_settings_are_bounded() {
    let app = app_with(|s| {
        job(s, "Job")
            .timeout(Duration::from_millis(1500))
            .memory_mb(20_000)
            .reserved_concurrency(0)
            .log_retention_days(31)
            .schedule_retries(186, Duration::from_secs(30))
            .function_retries(3, Duration::from_secs(30_000))
            .function_name("x".repeat(65))
            .schedule_name("has space")
            .flexible_window(1441)
            .description("d".repeat(257));
    });
    let errs = errors(&app);
    for needle in [
        "timeout 1.5s",
        "20000 MB",
        "reserved concurrency 0",
        "31 days",
        "186 schedule retry attempts",
        "schedule retry age of 30 s",
        "3 function retries",
        "function event age of 30000 s",
        "Lambda function name",
        "schedule name `has space`",
        "1441 minutes",
        "256 characters",
    ] {
        assert_eq!(error_with(&errs, needle).path, "Jobs/Job");
    }
}

#[test]
fn environment_rules() {
    let app = app_with(|s| {
        job(s, "Job")
            .env("AWS_REGION", "eu-west-1")
            .env("SNS_TOPIC_ARN_X", "arn")
            .env("1BAD", "x")
            .env("TWILIO_AUTH_TOKEN", "s3cr3t")
            .env("TWILIO_TOKEN_PARAMETER_OK", "/cloudcron/twilio/token")
            .env("BIG", "x".repeat(4000));
    });
    let errs = errors(&app);
    assert!(error_with(&errs, "AWS_REGION is reserved").path == "Jobs/Job");
    assert!(error_with(&errs, "prefix reserved for topic ARNs")
        .fix
        .contains("publishes_to"));
    assert!(error_with(&errs, "`1BAD` starts with `1`").path == "Jobs/Job");
    let secret = error_with(&errs, "TWILIO_AUTH_TOKEN looks like a secret");
    assert!(secret.fix.contains("SecureString"));
    assert!(!errs
        .iter()
        .any(|e| e.message.contains("TWILIO_TOKEN_PARAMETER_OK")));
    let size = error_with(&errs, "bytes; Lambda allows 4096");
    assert!(size.fix.contains("SSM"));
}

#[test]
fn topic_arns_count_toward_the_environment_limit() {
    // 40 topics with generated names push the worst-case ARN total past 4 KB.
    let app = app_with(|s| {
        let mut f = job(s, "Job");
        for i in 0..40 {
            let t = Topic::standard(s, &format!("Topic{i}"));
            f = f.publishes_to(&format!("topic-{i}"), &t);
        }
    });
    let errs = errors(&app);
    assert_eq!(error_with(&errs, "Lambda allows 4096").path, "Jobs/Job");
}

#[test]
fn topic_keys_are_checked() {
    let app = app_with(|s| {
        let t = Topic::standard(s, "T");
        job(s, "Job")
            .publishes_to("a-b", &t)
            .publishes_to("a_b", &t)
            .publishes_to("no spaces", &t);
    });
    let errs = errors(&app);
    assert!(error_with(&errs, "both map to SNS_TOPIC_ARN_A_B")
        .fix
        .contains("distinct key"));
    assert!(error_with(&errs, "topic key `no spaces` is invalid").path == "Jobs/Job");
}

#[test]
fn references_across_stacks_need_an_explicit_export() {
    let app = App::new();
    let shared = Stack::new(&app, "Shared");
    let topic = Topic::fifo(&shared, "Alerts").export_arn("shared-alerts-arn");
    let jobs = Stack::new(&app, "Jobs");
    job(&jobs, "Direct").publishes_to("alerts", &topic);
    let errs = errors(&app);
    let e = error_with(&errs, "from another stack");
    assert_eq!(e.path, "Jobs/Direct");
    assert!(e.message.contains("Shared/Alerts"));
    assert!(e.fix.contains("Value::import"));

    // The explicit route works.
    let app = App::new();
    let shared = Stack::new(&app, "Shared");
    Topic::fifo(&shared, "Alerts").export_arn("shared-alerts-arn");
    let jobs = Stack::new(&app, "Jobs");
    let imported =
        Topic::from_arn(&jobs, "Alerts", Value::import("shared-alerts-arn")).fifo_topic(true);
    job(&jobs, "Imported").publishes_to("alerts", &imported);
    let synthesis = app.synth().expect("explicit export/import is valid");
    assert!(synthesis.stacks[0].text.contains("Name: shared-alerts-arn"));
    assert!(synthesis.stacks[1]
        .text
        .contains("Fn::ImportValue: shared-alerts-arn"));
}

#[test]
fn duplicate_exports_across_stacks_are_errors() {
    let app = App::new();
    let a = Stack::new(&app, "A");
    Topic::standard(&a, "T").export_arn("same");
    let b = Stack::new(&app, "B");
    Topic::standard(&b, "T").export_arn("same");
    let errs = errors(&app);
    let e = error_with(&errs, "export name `same` is already used");
    assert!(e.path.starts_with("B/"));
    assert!(e.message.contains("A/"));
}

#[test]
fn dates_are_rfc3339_ordered_and_not_for_at() {
    let app = app_with(|s| {
        job(s, "Bad").start_date("tomorrow");
        job(s, "Backwards")
            .start_date("2027-02-01T00:00:00Z")
            .end_date("2027-01-01T00:00:00Z");
        ScheduledLambda::new(s, "Once")
            .image(IMAGE)
            .schedule(Schedule::at("2027-06-01T09:00:00"))
            .end_date("2027-07-01T00:00:00Z");
    });
    let errs = errors(&app);
    assert_eq!(error_with(&errs, "start date `tomorrow`").path, "Jobs/Bad");
    assert_eq!(
        error_with(&errs, "is not after start date").path,
        "Jobs/Backwards"
    );
    assert_eq!(
        error_with(&errs, "not to a one-time at(...)").path,
        "Jobs/Once"
    );
}

#[test]
fn overlapping_runs_warn() {
    let app = app_with(|s| {
        ScheduledLambda::new(s, "Fast")
            .image(IMAGE)
            .schedule(Schedule::rate(1, TimeUnit::Minutes))
            .timeout(Duration::from_secs(300));
    });
    let w = warnings(&app);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(w[0].message.contains("every 60 s but the timeout is 300 s"));
}

#[test]
fn resource_limit_is_counted_after_the_transform() {
    // Each ScheduledLambda is 12 resources after the transform (5 of them
    // alarms), the operators' topic 4, and the stack's schedule group 5
    // (the group and its 4 delivery alarms): 41 of them make 501, over the
    // limit of 500, so the stack is split into nested stacks rather than
    // rejected.
    let app = app_with(|s| {
        for i in 0..41 {
            job(s, &format!("Job{i}"));
        }
    });
    let synthesis = app.synth().expect("split, not rejected");
    let stack = &synthesis.stacks[0];
    assert!(!stack.nested.is_empty());
    let moved: usize = stack
        .nested
        .iter()
        .map(|c| c.template.resource_count_after_transform())
        .sum();
    let root = stack.template.resource_count_after_transform() - stack.nested.len();
    assert_eq!(moved + root, 501);

    // What cannot move (each raw queue is read by the one before it, so only
    // the first moves, with the unused operators' topic) keeps the root over
    // the limit: 500 queues and the nested stack, an error with the count.
    let app = app_with(|s| {
        for i in 0..501 {
            let next = Value::sub(format!("${{Q{}.QueueName}}-next", i + 1));
            let props = if i < 500 {
                Value::Map([("QueueName".to_owned(), next)].into())
            } else {
                Value::Map(Default::default())
            };
            s.add_resource_verbatim(&format!("Q{i}"), Resource::raw("AWS::SQS::Queue", props));
        }
    });
    let errs = errors(&app);
    let e = error_with(&errs, "501 resources after the SAM transform");
    assert_eq!(e.path, "Jobs");
}

#[test]
fn synth_error_display_lists_everything() {
    let app = app_with(|s| {
        ScheduledLambda::new(s, "A");
    });
    let err = app.synth().expect_err("invalid");
    let text = err.to_string();
    assert!(text.starts_with("synth found 2 error(s):"), "{text}");
    assert!(text.contains("error: Jobs/A: the function has no code\n  fix: call .image("));
}

mod image_build {
    use super::*;
    use cfn_gen::{Architecture, ImageBuild};
    use std::fs;

    fn context(dockerfile: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write");
        dir
    }

    fn built(stack: &Stack, id: &str, image: ImageBuild) -> ScheduledLambda {
        ScheduledLambda::new(stack, id)
            .image(image)
            .schedule(Schedule::rate(1, TimeUnit::Hours))
    }

    #[test]
    fn a_valid_build_emits_sam_metadata_and_no_image_uri() {
        let dir = context("FROM --platform=$BUILDPLATFORM rust:1 AS build\nFROM public.ecr.aws/lambda/provided:al2023 AS runtime\n");
        let app = app_with(|s| {
            built(
                s,
                "Built",
                ImageBuild::new(dir.path())
                    .build_arg("PROFILE", "release")
                    .target("runtime"),
            );
        });
        let options = cfn_gen::SynthOptions {
            format: cfn_gen::Format::Yaml,
            out_dir: dir.path().join("out"),
        };
        let synthesis = app.synth_with(&options).expect("valid");
        let text = &synthesis.stacks[0].text;
        assert!(text.contains("      Dockerfile: Dockerfile\n      DockerContext: \"..\"\n      DockerTag: latest\n      DockerBuildArgs:\n        PROFILE: release\n      DockerBuildTarget: runtime\n"), "{text}");
        assert!(text.contains("PackageType: Image"));
        assert!(!text.contains("ImageUri"));
    }

    #[test]
    fn build_problems_are_reported() {
        let arm = context("FROM --platform=linux/arm64 public.ecr.aws/lambda/provided:al2023\n");
        let plain = context("FROM public.ecr.aws/lambda/provided:al2023\n");
        let app = app_with(|s| {
            built(s, "NoDir", ImageBuild::new("/definitely/not/here"));
            built(
                s,
                "NoFile",
                ImageBuild::new(plain.path()).dockerfile("Missing.Dockerfile"),
            );
            built(s, "FromArm", ImageBuild::new(arm.path()));
            built(
                s,
                "Platform",
                ImageBuild::new(plain.path()).platform(Architecture::Arm64),
            );
            built(s, "Stage", ImageBuild::new(plain.path()).target("runtime"));
            built(
                s,
                "Secret",
                ImageBuild::new(plain.path()).build_arg("NPM_TOKEN", "abc"),
            );
        });
        let errs = errors(&app);
        assert_eq!(error_with(&errs, "is not a directory").path, "Jobs/NoDir");
        assert!(error_with(&errs, "cannot read Dockerfile")
            .fix
            .contains(".dockerfile()"));
        let from = error_with(&errs, "final stage is FROM --platform=linux/arm64");
        assert_eq!(from.path, "Jobs/FromArm");
        assert!(from.fix.contains("linux/amd64"));
        assert_eq!(
            error_with(&errs, "built for arm64 but the function runs on x86_64").path,
            "Jobs/Platform"
        );
        assert_eq!(
            error_with(&errs, "no stage named `runtime`").path,
            "Jobs/Stage"
        );
        assert_eq!(
            error_with(&errs, "NPM_TOKEN looks like a secret").path,
            "Jobs/Secret"
        );
    }
}
