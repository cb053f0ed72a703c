//! The webhook receiver's tests: the verifier on its own, the environment, the handler with
//! API Gateway v2 events and an in-memory queue, and (`#[ignore]`d, run by
//! `scripts/test`) the receiver against moto's SQS and SSM.

mod config;
mod handler;
mod moto;
mod support;
mod verifier;
