//! The library a cloud-cron scheduled Lambda is written with.
//!
//! Today it holds the [`contract`]: the environment variable names and the
//! scheduler input that `cfn-gen` writes into templates and a task reads at
//! run time. `cfn-gen` compiles against this same module, so the two sides
//! cannot drift. The task runtime (task trait, SNS dispatch, `lambda_runtime`
//! wiring) builds on it.

pub mod contract;
