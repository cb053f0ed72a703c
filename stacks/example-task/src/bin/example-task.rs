//! The Lambda entry point of the example task.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloud_cron_runtime::run(cloud_cron_example_task::DailyReport).await
}
