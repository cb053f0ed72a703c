//! Source image references of `ImageRepublish`, read the way `docker pull`
//! reads them: a repository on any registry (`alpine` is
//! `docker.io/library/alpine`, `vendor/app` is `docker.io/vendor/app`, a first
//! component with a `.` or `:`, or `localhost`, is a registry host), its
//! normalised form, which kind of registry it is (private ECR, public ECR,
//! Docker Hub, GHCR, other), and what is malformed about it.
//!
//! Hand-written rather than a dependency: the docker reference grammar is a
//! few lines, and synth must not link the registry client the copier uses
//! (`oci-client`, which brings reqwest and tokio).

use crate::constructs::ecr_uri::parse_ecr_uri;

/// Docker Hub's canonical host in references.
const DOCKER_HUB: &str = "docker.io";

/// A normalised source repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceRepository {
    /// `host[:port]`, `docker.io` for Docker Hub.
    pub host: String,
    /// The repository path, `library/alpine` for Docker Hub's official images.
    pub path: String,
}

/// Which registry a source lives in: what the copier's role needs for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistryKind {
    /// A private ECR registry: the copier logs in with its role.
    PrivateEcr,
    /// Anything else (Docker Hub, GHCR, public ECR, a registry of your own):
    /// anonymous token auth, or credentials from a secret.
    Other,
}

impl SourceRepository {
    /// `host/path`.
    pub fn uri(&self) -> String {
        format!("{}/{}", self.host, self.path)
    }

    /// Private ECR or not.
    pub fn kind(&self) -> RegistryKind {
        if parse_ecr_uri(&self.uri()).is_some() {
            RegistryKind::PrivateEcr
        } else {
            RegistryKind::Other
        }
    }
}

/// Whether the first path component of a reference names a registry host.
fn is_host(component: &str) -> bool {
    component.contains('.') || component.contains(':') || component == "localhost"
}

/// Checks a registry host: DNS labels of letters, digits and `-`, an optional port.
fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    if let Some(port) = port {
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(format!(
                "registry host `{host}` has an invalid port `{port}` (1 to 65535)"
            ));
        }
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.is_empty() || !name.split('.').all(label_ok) {
        return Err(format!(
            "registry host `{host}` is not a host name (labels of letters, digits and `-`, separated by `.`)"
        ));
    }
    Ok(())
}

/// One repository path component: `[a-z0-9]+` joined by `.`, `_`, `__` or `-`s.
fn check_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    if bytes.is_empty()
        || !bytes[0].is_ascii_alphanumeric()
        || !bytes[bytes.len() - 1].is_ascii_alphanumeric()
    {
        return false;
    }
    let mut separator = String::new();
    for &b in bytes {
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            let ok = separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.bytes().all(|s| s == b'-');
            if !ok {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            separator.push(char::from(b));
        } else {
            return false;
        }
    }
    true
}

/// Normalises a repository reference (no tag, no digest) like docker does.
///
/// Errors say what is malformed, without echoing more than the reference.
pub(crate) fn normalize_repository(text: &str) -> Result<SourceRepository, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the source repository is empty".to_owned());
    }
    if let Some((scheme, _)) = text.split_once("://") {
        return Err(format!(
            "`{text}` starts with `{scheme}://`; a repository has no scheme (e.g. ghcr.io/org/app)"
        ));
    }
    let (first, rest) = text.split_once('/').unwrap_or(("", text));
    let (host, path) = if !first.is_empty() && is_host(first) {
        check_host(first)?;
        let host = match first.to_ascii_lowercase().as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                DOCKER_HUB.to_owned()
            }
            _ => first.to_owned(),
        };
        (host, rest.to_owned())
    } else {
        (DOCKER_HUB.to_owned(), text.to_owned())
    };
    if path.is_empty() {
        return Err(format!("`{text}` names a registry but no repository"));
    }
    let last = path.rsplit('/').next().unwrap_or(&path);
    if last.contains(':') || last.contains('@') {
        return Err(format!(
            "`{text}` has a tag or digest; give the repository alone and the tag or digest as the second argument of .source(), or pass the whole reference to .source_image()"
        ));
    }
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "repository `{path}` has upper-case letters; repository names are lower case"
        ));
    }
    if let Some(bad) = path.split('/').find(|c| !check_component(c)) {
        return Err(format!(
            "repository `{path}` has an invalid component `{bad}` (lower-case letters and digits, joined by `.`, `_`, `__` or `-`)"
        ));
    }
    let path = if host == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    let repository = SourceRepository { host, path };
    if repository.uri().len() > 255 {
        return Err(format!(
            "`{text}` is {} characters long; image names are at most 255",
            repository.uri().len()
        ));
    }
    Ok(repository)
}

/// Splits a whole reference (`alpine:3.20`, `ghcr.io/org/app@sha256:..`,
/// `localhost:5000/app`) into repository and tag or digest (`latest` when it
/// has neither, as docker does).
pub(crate) fn split_reference(text: &str) -> (String, String) {
    let text = text.trim();
    if let Some((repository, digest)) = text.split_once('@') {
        return (repository.to_owned(), digest.to_owned());
    }
    let slash = text.rfind('/').map_or(0, |i| i + 1);
    match text[slash..].rfind(':') {
        Some(colon) => (
            text[..slash + colon].to_owned(),
            text[slash + colon + 1..].to_owned(),
        ),
        None => (text.to_owned(), "latest".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> Result<String, String> {
        normalize_repository(text).map(|r| r.uri())
    }

    #[test]
    fn short_names_are_docker_hub_like_docker_reads_them() {
        assert_eq!(norm("alpine").unwrap(), "docker.io/library/alpine");
        assert_eq!(norm("vendor/app").unwrap(), "docker.io/vendor/app");
        assert_eq!(
            norm("docker.io/library/alpine").unwrap(),
            "docker.io/library/alpine"
        );
        assert_eq!(
            norm("docker.io/alpine").unwrap(),
            "docker.io/library/alpine"
        );
        assert_eq!(
            norm("index.docker.io/alpine").unwrap(),
            "docker.io/library/alpine"
        );
        assert_eq!(norm("ghcr.io/org/app").unwrap(), "ghcr.io/org/app");
        assert_eq!(
            norm("public.ecr.aws/lambda/provided").unwrap(),
            "public.ecr.aws/lambda/provided"
        );
        assert_eq!(norm("localhost:5000/app").unwrap(), "localhost:5000/app");
        assert_eq!(
            norm("registry.example.com:8443/team/app").unwrap(),
            "registry.example.com:8443/team/app"
        );
    }

    #[test]
    fn registry_kinds() {
        let kind = |t: &str| normalize_repository(t).unwrap().kind();
        assert_eq!(
            kind("123456789012.dkr.ecr.us-west-2.amazonaws.com/app"),
            RegistryKind::PrivateEcr
        );
        for other in [
            "alpine",
            "ghcr.io/org/app",
            "public.ecr.aws/x/y",
            "localhost:5000/a",
        ] {
            assert_eq!(kind(other), RegistryKind::Other, "{other}");
        }
    }

    #[test]
    fn malformed_references_say_what_is_wrong() {
        let cases = [
            ("", "is empty"),
            ("https://ghcr.io/org/app", "has no scheme"),
            ("ghcr.io/", "no repository"),
            ("ghcr.io/org/app:v1", "has a tag or digest"),
            ("ghcr.io/Org/App", "upper-case"),
            ("ghcr.io/org//app", "invalid component ``"),
            ("ghcr.io/org/-app", "invalid component `-app`"),
            ("ghcr.io/org/a..b", "invalid component `a..b`"),
            ("ghcr.io:99999/org/app", "invalid port"),
            ("bad_host.example/app", "not a host name"),
        ];
        for (text, needle) in cases {
            let err = normalize_repository(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
        assert!(norm(&format!("ghcr.io/{}", "a".repeat(250))).is_err());
        assert!(norm("ghcr.io/org/my__app.v2-beta---x").is_ok());
    }

    #[test]
    fn whole_references_split_into_repository_and_tag_or_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let cases = [
            ("alpine:3.20", ("alpine", "3.20")),
            ("alpine", ("alpine", "latest")),
            ("localhost:5000/app", ("localhost:5000/app", "latest")),
            ("localhost:5000/app:v1", ("localhost:5000/app", "v1")),
        ];
        for (text, (repo, reference)) in cases {
            assert_eq!(
                split_reference(text),
                (repo.to_owned(), reference.to_owned()),
                "{text}"
            );
        }
        assert_eq!(
            split_reference(&format!("ghcr.io/org/app@{digest}")),
            ("ghcr.io/org/app".to_owned(), digest)
        );
    }
}
