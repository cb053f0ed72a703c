//! The ERP job's Lambda entry point: see the `cloud_cron_odoo_job` crate docs.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let job = match cloud_cron_odoo_job::OdooJob::from_process() {
        Ok(job) => job,
        Err(e) => {
            // Logged before the runtime starts: name the variable, never a value.
            eprintln!("odoo-job cannot start: {e}");
            return Err(e.into());
        }
    };
    cloud_cron_runtime::run(job).await
}
