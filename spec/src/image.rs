//! `images:` of a stack: images copied into the stack's own ECR repository
//! ([`cfn_gen::ImageRepublish`]), pinned by digest, that tasks and channels
//! run with `republished_image: ID`. The source reads as `docker pull`
//! reads it (another ECR repository, Docker Hub, GHCR, public ECR or any
//! registry), anonymously or with `credentials:` from Secrets Manager.
//! (An image `sam build` builds is a task's or channel's `dockerfile:`.)

use cfn_gen::{ImageRepublish, SecretRef};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::common::ArchitectureSpec;
use crate::positions::join;

/// An image republished into the stack: its source is either
/// `source_image: REF` or `repository:` with `tag_or_digest:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// The image to copy as one reference, as `docker pull` reads it:
    /// `REPOSITORY:TAG` or `REPOSITORY@sha256:DIGEST` (without either,
    /// `latest`). `alpine:3.20` is Docker Hub's `docker.io/library/alpine`;
    /// `ghcr.io/ORG/APP:TAG`, `public.ecr.aws/ALIAS/APP:TAG`,
    /// `host[:port]/PATH:TAG` and private ECR work alike. Instead of
    /// `repository` and `tag_or_digest`.
    #[schemars(example = &"ghcr.io/vendor/app:v1.4.2")]
    pub source_image: Option<String>,
    /// The source repository without tag, as `docker pull` reads it:
    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO` (private ECR, read with
    /// the copier's role), `ghcr.io/ORG/APP`, `public.ecr.aws/ALIAS/APP`,
    /// `host[:port]/PATH`, or Docker Hub's `ORG/APP` or `APP`. With
    /// `tag_or_digest`; instead of `source_image`.
    #[schemars(example = &"123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda")]
    pub repository: Option<String>,
    /// The tag (`latest`, `v1.4.2`) or digest (`sha256:...`) to copy from
    /// `repository`.
    #[schemars(example = &"latest")]
    pub tag_or_digest: Option<String>,
    /// For a private repository outside ECR (GHCR, Docker Hub, a registry of
    /// your own): the Secrets Manager secret, `secretsmanager:NAME-OR-ARN`,
    /// whose value is `{"username": "...", "password": "..."}`. The copier
    /// reads it at copy time; the value is never in the template. (A private
    /// ECR source needs none: the copier pulls with its role.)
    #[schemars(example = &"secretsmanager:registry/ghcr")]
    pub credentials: Option<String>,
    /// The ARN of the customer managed KMS key that encrypts the
    /// `credentials` secret (not needed for `aws/secretsmanager`).
    #[schemars(example = &"arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    pub credentials_key: Option<String>,
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
    let mut image = ImageRepublish::new(&scope.stack, id);
    image = source(b, &path, image, spec);
    if let Some(text) = &spec.credentials {
        let at = join(&path, "credentials");
        match text.parse::<SecretRef>() {
            Ok(s @ SecretRef::SecretsManager { .. }) => image = image.credentials(s),
            Ok(_) => b.error(
                &at,
                format!("image `{id}`: registry credentials `{text}` are not a Secrets Manager secret (the copier reads {{\"username\", \"password\"}} JSON from Secrets Manager)"),
                "store the credentials in Secrets Manager and write `credentials: secretsmanager:NAME-OR-ARN`",
            ),
            Err(e) => b.error(
                &at,
                format!("image `{id}`: credentials reference `{}` is invalid: {}", e.text, e.reason),
                "write `credentials: secretsmanager:NAME-OR-ARN` (a Secrets Manager secret)",
            ),
        }
    }
    if let Some(key) = &spec.credentials_key {
        if spec.credentials.is_none() {
            b.error(
                &join(&path, "credentials_key"),
                format!("image `{id}` has a `credentials_key` but no `credentials` secret"),
                "add `credentials: secretsmanager:NAME-OR-ARN`, or remove `credentials_key`",
            );
        }
        image = image.credentials_key(key);
    }
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

/// The image's source: `source_image`, or `repository` with `tag_or_digest`.
fn source(b: &mut Build, path: &str, image: ImageRepublish, spec: &ImageSpec) -> ImageRepublish {
    let fix = "give either `source_image: REPOSITORY:TAG` (e.g. `ghcr.io/ORG/APP:TAG`, `alpine:3.20`) or `repository: REPOSITORY` with `tag_or_digest: TAG` (or `sha256:DIGEST`)";
    match (&spec.source_image, &spec.repository, &spec.tag_or_digest) {
        (Some(reference), None, None) => image.source_image(reference.as_str()),
        (None, Some(repository), Some(tag)) => image.source(repository.as_str(), tag.as_str()),
        (Some(_), _, _) => {
            let key = if spec.repository.is_some() {
                "repository"
            } else {
                "tag_or_digest"
            };
            b.error(
                &join(path, key),
                format!("the image has both `source_image` and `{key}`"),
                "keep `source_image` alone (it holds the tag or digest), or remove it and keep `repository` with `tag_or_digest`",
            );
            image
        }
        (None, Some(_), None) => {
            b.error(
                path,
                "the image has a `repository` but is missing field `tag_or_digest`",
                format!("add `tag_or_digest: TAG`, or {fix}"),
            );
            image
        }
        (None, None, Some(_)) => {
            b.error(
                path,
                "the image has a `tag_or_digest` but is missing field `repository`",
                format!("add `repository: REPOSITORY`, or {fix}"),
            );
            image
        }
        (None, None, None) => {
            b.error(path, "the image has no source", fix);
            image
        }
    }
}
