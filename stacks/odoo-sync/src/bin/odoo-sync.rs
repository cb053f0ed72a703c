//! The `OdooSync` stack's function: the sync pipeline's dispatcher, worker or status
//! endpoint, as `CLOUDCRON_SYNC_ROLE` says. The worker syncs each tenant from the Odoo
//! database of the same name on `ODOO_URL`, as `ODOO_LOGIN`, with the password read from
//! the secret `ODOO_PASSWORD` (an SSM SecureString reference, never its value), into the
//! record table with the standard streams' mapped fields.

use cloud_cron_odoo::{OdooClient, OdooConfig};
use cloud_cron_runtime::secrets::TaskSecrets;
use cloud_cron_runtime::Environment;
use cloud_cron_sync::odoo::OdooSource;
use cloud_cron_sync::DynamoSink;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_sync::pipeline::lambda::run(|env| async move {
        let var = |name: &str| {
            std::env::var(name)
                .map_err(|_| format!("{name} is not set (the OdooSync stack sets it)"))
        };
        let (url, login) = (var("ODOO_URL")?, var("ODOO_LOGIN")?);
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let password = TaskSecrets::new(&sdk, &Environment::from_process())
            .get("ODOO_PASSWORD")
            .await?;
        let mut source = OdooSource::standard();
        for tenant in &env.tenants {
            let config = OdooConfig::new(&url, tenant.as_str(), login.as_str(), password.clone())?;
            source = source.tenant(tenant.as_str(), OdooClient::new(config)?);
        }
        let sink = DynamoSink::from_env(env.require_record_table()?)
            .await
            .map_fields(
                "sales_orders",
                ["name", "state", "amount_total", "date_order"],
            )
            .map_fields(
                "invoices",
                [
                    "name",
                    "move_type",
                    "state",
                    "amount_total",
                    "payment_state",
                ],
            )
            .map_fields("contacts", ["name", "email", "is_company"])
            .map_fields("employees", ["name", "work_email", "job_title"]);
        Ok((source, sink))
    })
    .await
}
