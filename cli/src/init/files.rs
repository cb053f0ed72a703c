//! The files `cloud-cron init` writes, as (path, text): the spec (or the
//! Rust stacks crate), the functions package `sam build` compiles the
//! notifiers, the image copier and the missed-run watchdog from, a README
//! section and a .gitignore.

use super::deps::Origin;

/// The stack the scaffold declares.
pub const STACK: &str = "Jobs";

/// The schema file next to the spec, named by its `$schema` comment.
pub const SCHEMA_FILE: &str = "cloud-cron.schema.json";

/// A placeholder image pinned by digest (a tag would draw synth's warning).
const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/nightly-report@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// The default scaffold's `cloud-cron.yaml`: a nightly job and an email channel.
pub fn spec() -> String {
    format!(
        r#"# yaml-language-server: $schema=./{SCHEMA_FILE}
#
# The scheduled jobs of this repository. `cloud-cron validate` checks it,
# `cloud-cron synth` writes out/{STACK}.template.yaml, `sam build` and
# `sam deploy` deploy it. `cloud-cron schema --out {SCHEMA_FILE}` refreshes
# the schema your editor completes and checks this file with.

# The package `sam build` compiles the notifiers and the missed-run watchdog from.
functions:
  package: ./functions

stacks:
  {STACK}:
    # Every alarm (failed runs, missed runs, dead letters) goes to operators by email.
    alarms:
      ops_topic: Ops
      channels:
        OpsEmail:
          kind: email
          from: jobs@example.com
          to: [ops@example.com]
          subject: "[cloud-cron] {{{{ task }}}}"
          text: "{{{{ task }}}} at {{{{ scheduled_time }}}}:\n\n{{{{ payload | tojson }}}}"
    topics:
      Alerts: {{}}
    tasks:
      NightlyReport:
        description: Build last night's report and announce it
        # Your job's container image (pin it by digest).
        image: {IMAGE}
        schedule: cron(0 2 * * ? *)
        timezone: Europe/London
        publishes_to:
          alerts: Alerts
    channels:
      AlertEmail:
        kind: email
        topic: Alerts
        # Verify the sender in SES first:
        # aws sesv2 create-email-identity --email-identity jobs@example.com
        from: jobs@example.com
        to: [ops@example.com]
        subject: "[{{{{ task }}}}] {{{{ payload.text | truncate(length=60) }}}}"
        text: "{{{{ payload.text }}}}"
"#
    )
}

/// `--rust`: the workspace manifest (stacks and functions).
pub fn rust_workspace() -> String {
    format!(
        r#"[workspace]
resolver = "2"
members = ["stacks", "functions"]

# Dependencies (cfn-gen, serde, minijinja, the AWS SDK) without debug info: a
# shorter first `cargo run --bin synth`. Your own crates keep theirs.
[profile.dev.package."*"]
debug = false

{RELEASE_PROFILE}"#
    )
}

/// Lambda binaries without symbols: smaller zips, faster cold starts.
const RELEASE_PROFILE: &str = "# Lambda binaries (`sam build`) ship without symbols.
[profile.release]
strip = true
";

/// `--rust`: `stacks/Cargo.toml`.
pub fn rust_stacks_manifest(origin: &Origin) -> String {
    format!(
        r#"[package]
name = "jobs-stacks"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
{}
{}
"#,
        origin.dependency("cfn-gen"),
        origin.dependency("cloud-cron-cli")
    )
}

/// `--rust`: `stacks/src/bin/synth.rs`, the same nightly job and email channel.
pub fn rust_synth() -> String {
    format!(
        r#"//! `cargo run --bin synth` (or `cloud-cron synth`): write this project's
//! templates to out/.

use std::process::ExitCode;

use cfn_gen::{{
    App, BuiltinFunctions, NotificationChannel, OpsTopic, Schedule, ScheduledLambda, Stack, Topic,
}};

fn main() -> ExitCode {{
    // The notifiers and the missed-run watchdog are built from ../functions.
    let app = App::new().builtin_functions(BuiltinFunctions::package(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../functions"
    )));
    let stack = Stack::new(&app, "{STACK}");
    // Every alarm (failed runs, missed runs, dead letters) goes to operators by email.
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    NotificationChannel::email(&stack, "OpsEmail", &ops.topic())
        .from("jobs@example.com")
        .to(["ops@example.com"])
        .subject("[cloud-cron] {{{{ task }}}}")
        .text("{{{{ task }}}} at {{{{ scheduled_time }}}}:\n\n{{{{ payload | tojson }}}}");
    let alerts = Topic::standard(&stack, "Alerts");
    ScheduledLambda::new(&stack, "NightlyReport")
        .description("Build last night's report and announce it")
        // Your job's container image (pin it by digest).
        .image("{IMAGE}")
        .schedule(Schedule::cron("0 2 * * ? *").in_time_zone("Europe/London"))
        .publishes_to("alerts", &alerts);
    // Verify the sender in SES first:
    // aws sesv2 create-email-identity --email-identity jobs@example.com
    NotificationChannel::email(&stack, "AlertEmail", &alerts)
        .from("jobs@example.com")
        .to(["ops@example.com"])
        .subject("[{{{{ task }}}}] {{{{ payload.text | truncate(length=60) }}}}")
        .text("{{{{ payload.text }}}}");
    cloud_cron_cli::main(&app)
}}
"#
    )
}

/// `functions/Cargo.toml`; `standalone` adds `[workspace]` and the release
/// profile (the spec scaffold has no workspace manifest of its own).
pub fn functions_manifest(origin: &Origin, standalone: bool) -> String {
    let mut manifest = format!(
        r#"[package]
name = "jobs-functions"
version = "0.1.0"
edition = "2021"
publish = false

# The Lambda functions cloud-cron provides, one thin binary each in src/bin/:
# `sam build` compiles the ones the templates use with cargo-lambda.
[dependencies]
{}
{}
{}
"#,
        origin.dependency("cloud-cron-notifiers"),
        origin.dependency("cloud-cron-image-copier"),
        origin.dependency("cloud-cron-watchdog")
    );
    if standalone {
        manifest.push_str("\n# Its own workspace, even inside another one.\n[workspace]\n\n");
        manifest.push_str(RELEASE_PROFILE);
    }
    manifest
}

/// `functions/src/bin/*.rs`: each function's whole `main`.
pub fn function_binaries() -> Vec<(String, String)> {
    let notifiers = ["email", "sms", "slack", "teams", "webhook"].map(|kind| {
        (
            format!("functions/src/bin/notifier-{kind}.rs"),
            format!(
                "fn main() -> Result<(), cloud_cron_notifiers::bin::Error> {{\n    cloud_cron_notifiers::bin::{kind}()\n}}\n"
            ),
        )
    });
    let mut files: Vec<(String, String)> = notifiers.into_iter().collect();
    for (bin, krate) in [
        ("image-copier", "cloud_cron_image_copier"),
        ("watchdog", "cloud_cron_watchdog"),
    ] {
        files.push((
            format!("functions/src/bin/{bin}.rs"),
            format!(
                "fn main() -> Result<(), {krate}::bin::Error> {{\n    {krate}::bin::main()\n}}\n"
            ),
        ));
    }
    files
}

/// The README section (a whole README when there is none).
pub fn readme_section(rust: bool) -> String {
    let (declare, synth) = if rust {
        (
            "`stacks/src/bin/synth.rs` declares the jobs and notification channels with\n\
             cloud-cron's Rust builders (cfn-gen).",
            "cloud-cron synth          # runs `cargo run --bin synth`: writes out/Jobs.template.yaml",
        )
    } else {
        (
            "`cloud-cron.yaml` declares the jobs and notification channels. Editors with\n\
             the YAML language server complete and check it against `cloud-cron.schema.json`\n\
             (refresh it with `cloud-cron schema --out cloud-cron.schema.json`).",
            "cloud-cron synth          # writes out/Jobs.template.yaml",
        )
    };
    format!(
        r#"## Scheduled jobs (cloud-cron)

{declare}
`functions/` is the package `sam build` compiles the notifiers, the image copier
and the missed-run watchdog from (one thin binary each).

```sh
cloud-cron validate       # every check, nothing written
{synth}
cloud-cron next 'cron(0 2 * * ? *)' --tz Europe/London   # when the job runs
sam build --template-file out/{STACK}.template.yaml     # compiles the functions with cargo-lambda
sam deploy --guided                                    # deploys .aws-sam/build/template.yaml
```

`sam build` needs the SAM CLI and cargo-lambda (`pip install aws-sam-cli cargo-lambda`).
Before deploying, replace the placeholder image with your job's and verify the
email sender in SES (`aws sesv2 create-email-identity --email-identity jobs@example.com`).
"#
    )
}

/// What git should not track: build output and templates (synth writes them).
pub const GITIGNORE: &str = "/target
/functions/target
/stacks/target
/.aws-sam
/out
";
