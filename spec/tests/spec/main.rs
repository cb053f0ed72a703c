//! cloud-cron-spec's integration tests, one binary: the reference specs give
//! the same templates as the Rust stacks ([`reference`]), bad specs give
//! errors with file, line, column, path and fix ([`bad`]), and the committed
//! JSON Schema is current ([`schema`]).

mod bad;
mod bad_constructs;
mod coverage;
mod fixes;
mod readme;
mod reference;
mod schema;
mod support;
