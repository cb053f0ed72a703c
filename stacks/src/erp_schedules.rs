//! `ErpSchedules`: the ERP secondary cron. Odoo's own cron does not promise
//! when (or whether) a job runs; here each Odoo cron job is a `.job(..)` of
//! one function, the ready ERP job (`runtime/odoo-job`), which calls
//! `model.method(args)` at a precise London time.
//!
//! - the Odoo password lives in SSM Parameter Store (`/erp/odoo/password`,
//!   a SecureString) and is read by the task with `ctx.secret`;
//! - every run's outcome goes to the `JobResults` topic, emailed to the ERP
//!   team; failures fail the run, so retries, the dead-letter queue and the
//!   alarms (routed to the operators by [`crate::operators`]) apply;
//! - the idempotency guard makes each scheduled run call Odoo at most once;
//! - the function runs in Odoo's private network (subnets and security group
//!   are stack parameters) and reaches AWS through VPC endpoints; the
//!   month-end close, which can run for hours, is a Fargate task
//!   ([`crate::erp_long_jobs`]).

use std::time::Duration;

use cfn_gen::{
    App, NotificationChannel, RustBinary, Schedule, ScheduledLambda, SecretRef, Stack, Topic,
};
use serde_json::json;

/// Where the Odoo password is kept (an SSM SecureString parameter).
pub const ODOO_PASSWORD_PARAMETER: &str = "/erp/odoo/password";

/// Odoo's `ir.cron` method that runs a scheduled action now.
const TRIGGER: &str = "method_direct_trigger";

fn london(expression: &str) -> Schedule {
    Schedule::cron(expression).in_time_zone("Europe/London")
}

/// Add the `ErpSchedules` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "ErpSchedules")
        .description("cloud-cron example: Odoo cron jobs run on time, on London local time");
    crate::operators::route_alarms_to_slack(&stack);

    let results = Topic::standard(&stack, "JobResults");
    NotificationChannel::email(&stack, "JobResultsEmail", &results)
        .from("cloud-cron@example.com")
        .to(["erp-team@example.com"])
        .subject("[{{ payload.status }}] ERP job {{ payload.job }}")
        .text("{{ payload.model }}.{{ payload.method }} scheduled for {{ scheduled_time }} (attempt {{ payload.attempt }}): {{ payload.status }} in {{ payload.duration_ms }} ms\n\n{{ payload.result or payload.error }}");

    // The private network (stack parameters), its VPC endpoints and the
    // month-end close on Fargate: it can run for hours.
    let long_jobs = crate::erp_long_jobs::add(&stack, &results);

    let odoo_jobs = ScheduledLambda::new(&stack, "OdooJobs")
        .description("Run Odoo's cron jobs at their London times")
        .rust_binary(RustBinary::new(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/odoo-job"),
            "odoo-job",
        ))
        .env("ODOO_URL", "https://erp.example.com")
        .env("ODOO_DB", "acme")
        .env("ODOO_LOGIN", "cron-bot")
        .secret("ODOO_PASSWORD", SecretRef::ssm(ODOO_PASSWORD_PARAMETER))
        // Odoo sits on a private network: the function runs in its subnets,
        // and reaches AWS through the stack's VPC endpoints.
        .vpc(
            long_jobs.network.subnet_ids(),
            long_jobs.network.security_group_ids(),
        )
        .timeout(Duration::from_secs(600))
        .memory_mb(512)
        .flexible_window(5)
        .publishes_to("results", &results)
        .idempotency()
        .job(
            "send-invoices",
            london("0 7 ? * MON-FRI *"),
            json!({"model": "ir.cron", "method": TRIGGER, "args": [[5]]}),
        )
        .job(
            "email-queue",
            london("*/15 7-19 ? * MON-FRI *"),
            json!({"model": "ir.cron", "method": TRIGGER, "args": [[1]]}),
        )
        .job(
            "nightly-replenishment",
            london("30 1 * * ? *"),
            json!({"model": "stock.warehouse.orderpoint", "method": "action_replenish_auto", "args": []}),
        );
    long_jobs.endpoints.serve(&odoo_jobs);
    stack
}
