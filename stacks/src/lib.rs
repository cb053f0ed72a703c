//! Example and reference cloud-cron stacks, and the app the `synth` command writes.
//!
//! Each stack is a function that adds one stack to an [`App`]; [`app`] builds
//! them all; each routes its alarms to an operators' topic delivered by
//! email ([`operators`]). `cargo run --bin synth` writes them to `out/`. The notifiers and
//! the image copier and the scheduler API are this repository's own
//! `notifiers/`, `runtime/image-copier/` and `runtime/scheduler-api/` packages.

pub mod cloud_cron_example;
pub mod erp_schedules;
pub mod image_example;
pub mod operators;
pub mod reminders;
pub mod task_example;

use cfn_gen::{App, BuiltinFunctions};

/// Every example stack, in one app.
///
/// ```
/// let synthesis = cloud_cron_stacks::app().synth().expect("examples are valid");
/// let names: Vec<&str> = synthesis.stacks.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(names, ["CloudCronExample", "ErpSchedules", "ImageExample", "Reminders", "TaskExample"]);
/// ```
pub fn app() -> App {
    let app = App::new().builtin_functions(
        BuiltinFunctions::default()
            .notifiers(concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers"))
            .image_copier(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../runtime/image-copier"
            ))
            .scheduler_api(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../runtime/scheduler-api"
            )),
    );
    cloud_cron_example::stack(&app);
    erp_schedules::stack(&app);
    image_example::stack(&app);
    reminders::stack(&app);
    task_example::stack(&app);
    app
}
