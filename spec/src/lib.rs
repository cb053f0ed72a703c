//! cloud-cron-spec: `cloud-cron.yaml`, a declarative spec of a cloud-cron
//! app that builds the same [`cfn_gen::App`] a Rust stacks crate builds
//! (byte-identical templates), its JSON Schema, and errors that point at
//! file, line, column and spec path.
//!
//! ```
//! let yaml = r#"
//! stacks:
//!   Jobs:
//!     topics:
//!       Alerts: { fifo: true }
//!     tasks:
//!       NightlySync:
//!         image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1
//!         schedule: rate(1 hour)
//!         publishes_to: { alerts: Alerts }
//! "#;
//! let spec = cloud_cron_spec::load_str("cloud-cron.yaml", yaml).expect("valid spec");
//! let out = spec.synth(&Default::default()).expect("synthesizes");
//! assert!(out.synthesis.stacks[0].text.contains("AWS::Scheduler::Schedule"));
//! let at = spec.location_of("Jobs/NightlySync").expect("built from the spec");
//! assert_eq!(at.to_string(), "cloud-cron.yaml:7:7 (stacks.Jobs.tasks.NightlySync)");
//!
//! let err = cloud_cron_spec::load_str("cloud-cron.yaml", &yaml.replace("rate(1 hour)", "rate(1 hours)"))
//!     .err()
//!     .expect("invalid schedule");
//! assert!(err.to_string().starts_with("cloud-cron.yaml:9:9 (stacks.Jobs.tasks.NightlySync.schedule): error:"));
//! ```
//!
//! Modules: [`error`] (what an error says), [`positions`] (line and column
//! of every key), `parse` (serde, with the path of a type error), [`model`]
//! (the document root and a stack), one module per construct family
//! ([`alarms`], [`topic`], [`table`], [`image`], [`task`], [`channel`],
//! [`one_off`], [`sync_pipeline`], [`fargate`], [`network`], [`functions`],
//! [`work_queue`], [`webhook`]: the spec types and how they build their
//! constructs; `refs` resolves references by id), `build` (the app, references between
//! constructs), [`loaded`] (the result, and synth with spec locations),
//! [`fix`] (synth findings in spec terms: builder method -> spec key),
//! `schema` (the JSON Schema).
//!
//! # Adding a construct family
//!
//! Each family is one module under `spec/src/` (see [`topic`] for the
//! smallest, [`task`] for one with references and checks):
//!
//! 1. The spec type: `#[derive(Deserialize, JsonSchema)]`,
//!    `#[serde(deny_unknown_fields)]`, a doc comment on the type and on
//!    every field (the schema's descriptions) and `#[schemars(example =
//!    ..)]` on every leaf field (`&"text"` for strings). Durations are
//!    `*_seconds` / `*_minutes` integers; secrets are `ssm:/..` /
//!    `secretsmanager:..` strings checked with [`task`]'s `secret`;
//!    schedules go through its `schedule` (both give errors at the key).
//! 2. A map of them, by id, on [`model::StackSpec`], and the ids in
//!    `build::check_unique_ids`.
//! 3. `pub(crate) fn build(b: &mut Build, scope: &StackScope, id, spec)`:
//!    create the cfn-gen construct with its builder, calling
//!    `b.construct(node.path(), spec_path)` so synth findings locate to
//!    the spec; resolve references with `scope.topic(..)` /
//!    `scope.value(..)` (errors listing the ids that exist); report what
//!    the spec itself gets wrong with `b.error(spec_path, what, fix)`.
//!    Add its section to `build::Section`: sections are built in the order
//!    they appear in the file (the order a Rust stack calls its builders
//!    in); references to constructs of other sections go through
//!    `StackScope` or `refs::resolve`.
//! 4. Tests in `tests/spec/bad.rs` (a bad value per check, asserting line,
//!    column, path and fix) and, where a Rust reference stack uses the
//!    family, a spec under `stacks/specs/` compared byte for byte in
//!    `tests/spec/reference.rs`. Regenerate the schema
//!    (`CLOUDCRON_UPDATE_SCHEMA=1`) and review its diff.

pub mod alarms;
mod build;
pub mod channel;
pub mod common;
pub mod error;
pub mod fargate;
pub mod fix;
pub mod functions;
pub mod image;
pub mod loaded;
pub mod model;
pub mod network;
pub mod one_off;
mod parse;
pub mod positions;
mod refs;
mod schema;
pub mod sync_pipeline;
pub mod table;
pub mod task;
pub mod topic;
pub mod webhook;
pub mod work_queue;

use std::path::Path;

use cfn_gen::App;

pub use error::{SpecError, SpecErrors, SpecLocation, SpecSeverity};
pub use loaded::{LoadedSpec, SpecSynthesis};
pub use model::Spec;
pub use schema::json_schema;

use crate::build::{base_dir_of, Build};
use crate::positions::Positions;

/// Read, parse and resolve the spec file at `path` and build its app.
/// Relative paths in the spec (Rust packages, template files, function
/// packages) resolve against the file's directory.
pub fn load(path: &Path) -> Result<LoadedSpec, SpecErrors> {
    let name = path.display().to_string();
    let yaml = std::fs::read_to_string(path).map_err(|e| {
        SpecErrors::one(
            SpecError::new(None, format!("cannot read {name}: {e}"))
                .with_fix("check the path, or create the file (`cloud-cron init`)"),
        )
    })?;
    load_str(&name, &yaml)
}

/// [`load`] from text; `name` is the file name shown in errors, and its
/// directory (the current directory when it has none) is where relative
/// paths resolve.
pub fn load_str(name: &str, yaml: &str) -> Result<LoadedSpec, SpecErrors> {
    let positions = Positions::scan(yaml);
    let spec = parse::parse(name, yaml, &positions)?;
    let mut b = Build::new(name, &positions, base_dir_of(Path::new(name)));
    for d in positions.duplicates() {
        let message = format!(
            "`{}` is given twice in one mapping (first at line {}, column {}); YAML keeps only the last",
            d.path, d.first.line, d.first.column
        );
        let mut error = SpecError::new(
            Some(SpecLocation {
                file: name.to_owned(),
                line: d.again.line,
                column: d.again.column,
                path: d.path.clone(),
            }),
            message,
        );
        error = error.with_fix("remove one of them, or rename this one (ids are unique)");
        b.errors.push(error);
    }
    let app = App::new();
    build::build_app(&mut b, &spec, &app);
    if !b.errors.is_empty() {
        return Err(SpecErrors { errors: b.errors });
    }
    let constructs = b.constructs;
    Ok(LoadedSpec::new(
        app,
        spec,
        name.to_owned(),
        positions,
        constructs,
    ))
}
