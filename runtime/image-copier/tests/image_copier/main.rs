//! The image copier's integration tests, one binary (each test binary links
//! the AWS SDK): one module per concern, `common` shared.

mod common;
mod custom_resource;
mod ecr_moto;
mod ecr_quirks;
mod handler_registries;
mod lambda_binary;
mod registry_copy;
mod token_registry;
