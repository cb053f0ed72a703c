//! The webhook receiver's tests: the verifier on its own, the environment, the handler with
//! API Gateway v2 events and an in-memory queue, and (`#[ignore]`d, run by
//! `scripts/test`) the receiver against moto's SQS and SSM, and the whole path
//! webhook -> queue -> worker (`cloud-cron-sqs-batch`) -> table.

mod config;
mod handler;
mod moto;
mod pipeline;
mod support;
mod verifier;
