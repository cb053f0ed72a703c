//! `images:` of a stack: images copied into the stack's own ECR repository
//! ([`cfn_gen::ImageRepublish`]), pinned by digest, that tasks and channels
//! run with `republished_image: ID`. (An image `sam build` builds is a
//! task's or channel's `dockerfile:`.)

use cfn_gen::ImageRepublish;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::common::ArchitectureSpec;
use crate::positions::join;

/// An image republished into the stack.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// The source ECR repository URI (without tag).
    #[schemars(example = &"123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda")]
    pub repository: String,
    /// The tag (`latest`, `v1.4.2`) or digest (`sha256:...`) to copy.
    #[schemars(example = &"latest")]
    pub tag_or_digest: String,
    /// The platform copied from a multi-architecture index (default
    /// `x86_64`); it must match the functions using it.
    #[schemars(example = &"arm64")]
    pub architecture: Option<ArchitectureSpec>,
    /// Copy a multi-architecture index whole (Lambda cannot run it).
    #[serde(default)]
    #[schemars(example = false)]
    pub whole_index: bool,
    /// Any text; change it to copy a moving tag again on the next deploy.
    #[schemars(example = &"2026-11-28")]
    pub refresh: Option<String>,
    /// Delete the repository and its images with the stack.
    #[serde(default)]
    #[schemars(example = false)]
    pub empty_on_delete: bool,
}

/// Create the image `id` of `scope` and register it for references.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &ImageSpec) {
    let path = join(&join(&scope.path, "images"), id);
    let mut image = ImageRepublish::new(&scope.stack, id)
        .source(spec.repository.as_str(), spec.tag_or_digest.as_str());
    if spec.whole_index {
        if spec.architecture.is_some() {
            b.error(
                &join(&path, "whole_index"),
                format!("image `{id}` copies the whole index and also one `architecture`"),
                "remove `architecture` to copy every platform, or `whole_index` to copy one",
            );
        }
        image = image.whole_index();
    } else if let Some(a) = spec.architecture {
        image = image.architecture(a.into());
    }
    if let Some(r) = &spec.refresh {
        image = image.refresh(r);
    }
    if spec.empty_on_delete {
        image = image.empty_on_delete();
    }
    b.construct(image.node().path(), &path);
    scope.images.insert(id.to_owned(), image);
}
