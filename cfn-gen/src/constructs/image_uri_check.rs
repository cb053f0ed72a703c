//! The synth-time check of a function's image URI (a private ECR image in
//! the stack's region, pinned or tagged), and the `ImageRepublish` call its
//! fix lines offer for an image from any other registry. Used by function
//! and Fargate job checks.

use crate::constructs::ecr_uri::{is_digest, is_repository_name, parse_ecr_uri};
use crate::constructs::image_source::{normalize_repository, split_reference};
use crate::validate::{regions, Report};

/// The `ImageRepublish` call that copies image `uri` into the stack, when `uri`
/// is a reference it accepts: what a "fix:" line for a foreign image offers.
pub(crate) fn republish_call(uri: &str) -> Option<String> {
    let (repository, reference) = split_reference(uri);
    normalize_repository(&repository).ok()?;
    let reference_ok = if reference.starts_with("sha256:") {
        is_digest(&reference)
    } else {
        !reference.is_empty()
            && reference.len() <= 128
            && reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && !reference.starts_with(['.', '-'])
    };
    reference_ok.then(|| {
        format!("let image = ImageRepublish::new(&stack, \"Image\").source_image(\"{uri}\"); then pass &image to .image()")
    })
}

/// Checks an image URI: a private ECR image, well formed, ideally pinned.
pub(crate) fn check_image_uri(path: &str, uri: &str, region: Option<&str>, report: &mut Report) {
    let fix = "use a private ECR image in the stack's region: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG or REPO@sha256:DIGEST (or copy another registry's image into the stack: let image = ImageRepublish::new(&stack, \"Image\").source_image(\"ghcr.io/ORG/APP:TAG\"); then pass &image to .image())";
    let Some((_, rest)) = uri.split_once('/') else {
        match republish_call(uri) {
            // `alpine:3.20`: a Docker Hub image, as docker reads it.
            Some(call) => report.error(
                path,
                format!("image `{uri}` is not in a private ECR registry (docker reads it as a Docker Hub image); Lambda runs only private ECR images"),
                format!("copy it into the stack's ECR during deploy: {call}"),
            ),
            None => report.error(path, format!("image `{uri}` has no repository"), fix),
        }
        return;
    };
    let host = uri.split('/').next().unwrap_or("");
    let region_problem = parse_ecr_uri(uri).and_then(|(_, r, _)| regions::check_region(r).err());
    if let Some(why) = region_problem.or_else(|| {
        host.contains(".dkr.ecr.")
            .then(|| regions::ecr_host_problem(host))
            .flatten()
    }) {
        report.error(path, format!("image `{uri}` is malformed: {why}"), fix);
        return;
    }
    let Some((_, image_region, _)) = parse_ecr_uri(uri) else {
        report.error(
            path,
            format!("image `{uri}` is not in a private ECR registry; Lambda runs only private ECR images"),
            republish_call(uri).map_or_else(
                || fix.to_owned(),
                |call| format!("copy it into the stack's ECR during deploy: {call}"),
            ),
        );
        return;
    };
    if let Some(region) = region.filter(|r| *r != image_region) {
        report.error(
            path,
            format!(
                "image `{uri}` is in region {image_region}, but the stack deploys to {region}; Lambda runs only images from its own region"
            ),
            republish_call(uri).map_or_else(
                || format!("copy it into the stack with ImageRepublish::new(&stack, \"Image\").source(REPO, TAG_OR_DIGEST) and pass &image to .image(), or push it to ECR in {region}"),
                |call| format!("copy it into the stack: {call}; or push it to ECR in {region}"),
            ),
        );
    }
    let (repo, reference) = match rest.split_once('@') {
        Some((repo, digest)) => {
            if !is_digest(digest) {
                report.error(
                    path,
                    format!("image `{uri}` has a malformed digest"),
                    "a digest is `sha256:` and 64 lower-case hex digits",
                );
            }
            (repo, None)
        }
        None => match rest.rsplit_once(':') {
            Some((repo, tag)) => (repo, Some(tag)),
            None => (rest, None),
        },
    };
    if !is_repository_name(repo) {
        report.error(
            path,
            format!("image `{uri}` has an invalid repository name `{repo}`"),
            "ECR repository names are lower-case letters, digits, `.`, `_`, `-` and `/`",
        );
    }
    match reference {
        Some(tag) if tag.is_empty() || tag.len() > 128 => {
            report.error(path, format!("image `{uri}` has an invalid tag"), "tags are 1 to 128 characters");
        }
        Some(tag) => report.warning(
            path,
            format!("image `{uri}` is referenced by tag `{tag}`; Lambda resolves a tag once, at deploy, so pushing a new image under the same tag changes nothing until the next deploy"),
            "pin the image by digest (REPO@sha256:DIGEST), or republish it with ImageRepublish, so every update is an explicit template change",
        ),
        None if !rest.contains('@') => report.error(
            path,
            format!("image `{uri}` has neither a tag nor a digest"),
            "add `:TAG` or `@sha256:DIGEST`",
        ),
        None => {}
    }
}
