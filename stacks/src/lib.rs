//! Example and reference cloud-cron stacks, and the app the `synth` command writes.
//!
//! Each stack is a function that adds one stack to an [`App`]; [`app`] builds
//! them all; each routes its alarms to an operators' topic delivered by
//! email ([`operators`]); [`erp_long_jobs`] adds the ERP network, VPC
//! endpoints and the month-end Fargate job to the ERP stack. `cargo run
//! --bin synth` writes them to `out/`. The notifiers, the image copier, the
//! missed-run watchdog, the one-off schedules API and the webhook receiver
//! are this repository's own `notifiers/`, `runtime/image-copier/`,
//! `runtime/watchdog/`, `runtime/scheduler-api/` and `runtime/webhook/`
//! packages; `OdooSync`'s function is `stacks/odoo-sync/`.

pub mod cloud_cron_example;
pub mod erp_long_jobs;
pub mod erp_schedules;
pub mod image_example;
pub mod large_app;
pub mod odoo_sync;
pub mod operators;
pub mod reminders;
pub mod task_example;
pub mod time_tracking;

use cfn_gen::{App, BuiltinFunctions};

/// Every example stack, in one app.
///
/// ```
/// let synthesis = cloud_cron_stacks::app().synth().expect("examples are valid");
/// let names: Vec<&str> = synthesis.stacks.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(
///     names,
///     ["CloudCronExample", "ErpSchedules", "ImageExample", "OdooSync", "Reminders", "TaskExample", "TimeTracking"]
/// );
/// ```
pub fn app() -> App {
    let app = new_app();
    cloud_cron_example::stack(&app);
    erp_schedules::stack(&app);
    image_example::stack(&app);
    odoo_sync::stack(&app);
    reminders::stack(&app);
    task_example::stack(&app);
    time_tracking::stack(&app);
    app
}

/// An empty app whose built-in functions (notifiers, image copier,
/// missed-run watchdog, one-off schedules API, webhook receiver) are this
/// repository's packages.
pub fn new_app() -> App {
    App::new().builtin_functions(
        BuiltinFunctions::default()
            .notifiers(concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers"))
            .image_copier(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../runtime/image-copier"
            ))
            .watchdog(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/watchdog"))
            .scheduler_api(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../runtime/scheduler-api"
            ))
            .webhook_receiver(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/webhook")),
    )
}
