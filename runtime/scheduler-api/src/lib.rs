//! An API Gateway HTTP API (payload format 2.0) in front of the one-off
//! scheduler (`cloud-cron-scheduler`): callers create, read, list, move and
//! cancel their own tenant's one-off schedules over HTTP.
//!
//! | route | answer |
//! |---|---|
//! | `POST /schedules` | 201 with the schedule; 200 if the same one exists; 409 if the key has another |
//! | `GET /schedules/{key}` | 200 or 404 |
//! | `GET /schedules?limit=&nextToken=` | a page of the caller's schedules |
//! | `PUT /schedules/{key}` | 200 with the moved schedule, or 404 |
//! | `DELETE /schedules/{key}` | 204 or 404 |
//!
//! The tenant comes from the authorizer context only ([`tenant`]); bodies
//! are validated field by field ([`validate`]); errors are JSON problems
//! naming the field ([`problem`]); the OpenAPI 3.1 document is generated
//! from the same types ([`openapi`]). [`handle`] runs over any
//! [`ScheduleStore`]; the Lambda (`src/bin/scheduler-api.rs`) uses
//! [`AwsScheduleStore`].
//!
//! Files: `routes.rs` (method and path), `tenant.rs` (authorizer ->
//! namespace), `validate.rs`, `model.rs` (bodies), `problem.rs` (errors),
//! `page_token.rs`, `store.rs` (the trait), `aws_store.rs`, `handler.rs`,
//! `openapi.rs`, `settings.rs`, `bin.rs` (the Lambda's `main`).
//!
//! ```no_run
//! use cloud_cron_scheduler::OneOffSettings;
//! use cloud_cron_scheduler_api::{handle, ApiSettings, AwsScheduleStore};
//!
//! # async fn run(event: aws_lambda_events::apigw::ApiGatewayV2httpRequest) -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let store = AwsScheduleStore::new(&config, OneOffSettings::from_env()?);
//! let response = handle(&store, &ApiSettings::from_env()?, &event).await;
//! println!("{}", response.status_code);
//! # Ok(())
//! # }
//! ```

pub mod aws_store;
pub mod bin;
mod handler;
pub mod model;
pub mod openapi;
pub mod page_token;
pub mod problem;
pub mod routes;
pub mod settings;
pub mod store;
pub mod tenant;
pub mod validate;

pub use self::aws_store::AwsScheduleStore;
pub use self::handler::handle;
pub use self::problem::ApiError;
pub use self::settings::{ApiSettings, IamTenant};
pub use self::store::{ScheduleStore, StorePage};
