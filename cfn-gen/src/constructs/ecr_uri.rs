//! Private ECR image URIs (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO`):
//! their parts, digests and repository names. The check of a function's
//! image URI built on them is `image_uri_check.rs`.

/// The parts of a private ECR URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REST`):
/// account, region, and what follows the host.
pub(crate) fn parse_ecr_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let (host, rest) = uri.split_once('/')?;
    let registry = cloud_cron_contract::ecr::EcrRegistry::parse(host).ok()?;
    let label = |value: &str| {
        host.split('.')
            .find(|label| label.eq_ignore_ascii_case(value))
    };
    Some((label(&registry.account)?, label(&registry.region)?, rest))
}

/// `sha256:` and 64 lower-case hex digits.
pub(crate) fn is_digest(text: &str) -> bool {
    let hex = text.strip_prefix("sha256:").unwrap_or("");
    hex.len() == 64
        && hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// An ECR repository name: lower-case letters, digits, `.`, `_`, `-`, `/`.
pub(crate) fn is_repository_name(repo: &str) -> bool {
    (2..=256).contains(&repo.len())
        && repo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_uris_split_into_account_region_and_repository() {
        assert_eq!(
            parse_ecr_uri("123456789012.dkr.ecr.us-west-2.amazonaws.com/vendor/app"),
            Some(("123456789012", "us-west-2", "vendor/app"))
        );
        assert_eq!(parse_ecr_uri("ghcr.io/vendor/app"), None);
        assert_eq!(parse_ecr_uri("public.ecr.aws/lambda/provided"), None);
    }
}
