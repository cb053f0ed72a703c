//! `OdooSync`: the reference incremental sync. Every tenant's sales orders, invoices,
//! contacts and employees are pulled from its Odoo database into a DynamoDB record
//! table by a [`SyncPipeline`]: a dispatcher every 5 minutes, a FIFO queue grouped by
//! tenant (3 tenants at a time), a worker that continues each tenant until it is caught
//! up, checkpoints, a dead-letter queue, and a JWT-protected status endpoint for the
//! dashboard. The Odoo password is an SSM SecureString the worker reads at run time;
//! only its reference is in the template. Alarms go to the operators ([`crate::operators`]).

use cfn_gen::{App, RustBinary, SecretRef, Stack, StatusAuth, SyncPipeline};

/// Add the `OdooSync` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "OdooSync")
        .description("cloud-cron reference stack: incremental per-tenant Odoo sync with checkpoints, retries and progress");
    crate::operators::route_alarms(&stack);
    SyncPipeline::new(&stack, "Odoo")
        .rust_binary(RustBinary::new(
            concat!(env!("CARGO_MANIFEST_DIR"), "/odoo-sync"),
            "odoo-sync",
        ))
        .tenants(["acme", "globex", "initech"])
        .streams(["sales_orders", "invoices", "contacts", "employees"])
        .max_concurrency(3)
        .worker_env("ODOO_URL", "https://erp.example.com")
        .worker_env("ODOO_LOGIN", "sync-bot")
        .secret("ODOO_PASSWORD", SecretRef::ssm("/odoo-sync/odoo/password"))
        .status_api(
            StatusAuth::jwt(
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
                ["dashboard-client-id"],
            )
            .tenant_claim("custom:tenant"),
        );
    stack
}
