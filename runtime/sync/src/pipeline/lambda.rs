//! The pipeline's Lambda entry point: one binary, three roles (`CLOUDCRON_SYNC_ROLE`).
//!
//! ```no_run
//! use cloud_cron_sync::odoo::OdooSource;
//! use cloud_cron_sync::DynamoSink;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_runtime::Error> {
//!     // The closure runs in the worker only: the dispatcher and the status function
//!     // never connect to the source (nor read its secrets).
//!     cloud_cron_sync::pipeline::lambda::run(|env| async move {
//!         let table = env.require_record_table()?.to_owned();
//!         let source = OdooSource::standard(); // .tenant("acme", client), ...
//!         Ok((source, DynamoSink::from_env(table).await))
//!     })
//!     .await
//! }
//! ```

use std::future::Future;
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use cloud_cron_contract::sync::{ROLE_DISPATCHER, ROLE_STATUS, ROLE_WORKER};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

use crate::dynamo_checkpoint::DynamoCheckpointStore;
use crate::pipeline::dispatch::dispatch;
use crate::pipeline::queue::SqsWorkQueue;
use crate::pipeline::{status, work, PipelineEnv};
use crate::sink::Sink;
use crate::source::{BoxError, Source};
use crate::worker::SyncWorker;

/// Runs the function's role until the Lambda runtime stops. `make_worker_parts` builds
/// the worker's source and sink (called once per container, in the worker only).
pub async fn run<F, Fut, S, K>(make_worker_parts: F) -> Result<(), lambda_runtime::Error>
where
    F: FnOnce(PipelineEnv) -> Fut,
    Fut: Future<Output = Result<(S, K), BoxError>>,
    S: Source + 'static,
    K: Sink + 'static,
{
    lambda_runtime::tracing::init_default_subscriber();
    let env = PipelineEnv::from_env()?;
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let store = DynamoCheckpointStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        env.checkpoint_table.clone(),
    );
    let queue = || -> Result<SqsWorkQueue, BoxError> {
        Ok(SqsWorkQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            env.require_queue_url()?,
        ))
    };
    let streams = Arc::new(env.streams.clone());
    let config = Arc::new(env.config.clone());
    match env.role.as_str() {
        ROLE_DISPATCHER => {
            let queue = Arc::new(queue()?);
            let store = Arc::new(store);
            let tenants = Arc::new(env.tenants.clone());
            lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| {
                let (queue, store, tenants, streams, config) = (
                    queue.clone(),
                    store.clone(),
                    tenants.clone(),
                    streams.clone(),
                    config.clone(),
                );
                async move {
                    let results = dispatch(
                        &*store,
                        &*queue,
                        &tenants,
                        &streams,
                        &config,
                        chrono::Utc::now(),
                    )
                    .await?;
                    let summary: Vec<Value> = results
                        .iter()
                        .map(|(tenant, outcome)| json!({"tenant": tenant, "outcome": format!("{outcome:?}")}))
                        .collect();
                    Ok::<Value, lambda_runtime::Error>(json!({ "dispatched": summary }))
                }
            }))
            .await
        }
        ROLE_WORKER => {
            let queue = Arc::new(queue()?);
            let (source, sink) = make_worker_parts(env.clone()).await?;
            let worker = Arc::new(SyncWorker::new(source, sink, store, env.config.clone())?);
            lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
                let (worker, queue, streams) = (worker.clone(), queue.clone(), streams.clone());
                async move {
                    Ok::<SqsBatchResponse, lambda_runtime::Error>(
                        work::handle_batch(&*worker, &*queue, &streams, event.payload).await,
                    )
                }
            }))
            .await
        }
        ROLE_STATUS => {
            let store = Arc::new(store);
            let claim = Arc::new(env.tenant_claim.clone());
            lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
                let (store, streams, config, claim) =
                    (store.clone(), streams.clone(), config.clone(), claim.clone());
                async move {
                    Ok::<Value, lambda_runtime::Error>(
                        status::respond(&*store, &streams, &config, &claim, &event.payload).await,
                    )
                }
            }))
            .await
        }
        other => Err(format!(
            "CLOUDCRON_SYNC_ROLE is {other:?}; expected {ROLE_DISPATCHER:?}, {ROLE_WORKER:?} or {ROLE_STATUS:?} (set by cfn-gen's SyncPipeline)"
        )
        .into()),
    }
}
