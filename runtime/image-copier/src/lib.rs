//! Copy an OCI image into a stack-owned ECR repository, as a CloudFormation custom resource.
//!
//! This crate is the Lambda body behind cloud-cron's `ImageRepublish` construct. During
//! `sam deploy`, CloudFormation sends the function a custom-resource request naming a
//! source image (`registry/repo:tag` or `registry/repo@sha256:...`) and a target ECR
//! repository; the function copies the image there and answers with the copy pinned by
//! digest (`target-repo@sha256:...`), which the construct hands to Lambda functions.
//!
//! Modules, from the bottom up:
//!
//! - [`registry`]: the OCI distribution API (via the `oci-client` crate): manifests by tag
//!   or digest, blob existence, cross-repository mounts, streamed and verified blob copies,
//!   and typed errors a person can read ([`registry::RegistryError`]).
//! - [`auth`]: credentials per registry host: ECR hosts get `AWS` basic auth from
//!   `GetAuthorizationToken` (in the host's own region); every other registry is anonymous.
//! - [`copy`]: copies one reference: resolves a tag to a digest, walks an image index,
//!   copies only the blobs the target lacks, pushes manifests by digest and then the tag.
//! - [`custom_resource`]: the CloudFormation request and response protocol, and a handler
//!   that always answers exactly once, also when the copy panics or runs out of time.
//! - [`bin`]: the whole `main` of the `image-copier` binary, wiring
//!   [`custom_resource::handle`] to `lambda_runtime`.
//!
//! # Resource properties
//!
//! See [`custom_resource::ImageCopyProperties`] for the property contract and
//! [`custom_resource::ImageData`] for the attributes returned (`Fn::GetAtt`).

pub mod auth;
pub mod bin;
pub mod copy;
pub mod custom_resource;
pub mod registry;

pub use copy::{copy_image, Architecture, CopyError, CopyOutcome, CopyReport, CopyRequest};
pub use custom_resource::{
    handle, HandlerConfig, ImageCopier, ImageCopyProperties, ImageData, OciImageCopier,
};
