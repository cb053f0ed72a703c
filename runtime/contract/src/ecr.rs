//! Private Amazon ECR image URIs, taken apart: the one parser that synth's
//! image checks and the image copier share.
//!
//! A private ECR registry host names an account and a region, in one of
//! these forms (case-insensitive, an optional `:port` is ignored):
//!
//! | form | host |
//! |---|---|
//! | standard | `ACCOUNT.dkr.ecr.REGION.amazonaws.com` |
//! | FIPS | `ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com` |
//! | China | `ACCOUNT.dkr.ecr.REGION.amazonaws.com.cn` |
//! | dual-stack (IPv4 and IPv6) | `ACCOUNT.dkr-ecr.REGION.on.aws` |
//! | dual-stack FIPS | `ACCOUNT.dkr-ecr-fips.REGION.on.aws` |
//! | dual-stack China | `ACCOUNT.dkr-ecr.REGION.on.amazonwebservices.com.cn` |
//!
//! The partition follows from the domain and the region: `aws-cn` for the
//! China domains (whose regions are `cn-*`, and only theirs), `aws-us-gov`
//! for `us-gov-*` regions, `aws` otherwise. Public registries
//! (`public.ecr.aws`), other registries and malformed hosts are errors.
//!
//! Hand-written rather than a URL crate: the host grammar above is ECR's own,
//! and the contract crate stays free of heavy dependencies.
//!
//! ```
//! use cloud_cron_contract::ecr::{EcrImage, Partition};
//!
//! let image: EcrImage = "123456789012.dkr-ecr.us-gov-west-1.on.aws/team/app:v1".parse()?;
//! assert_eq!(image.registry.account, "123456789012");
//! assert_eq!(image.registry.region, "us-gov-west-1");
//! assert!(image.registry.dual_stack && !image.registry.fips);
//! assert_eq!(image.registry.partition, Partition::AwsUsGov);
//! assert_eq!(image.repository, "team/app");
//! assert_eq!(image.tag.as_deref(), Some("v1"));
//! assert_eq!(
//!     image.repository_arn(),
//!     "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/team/app"
//! );
//! # Ok::<(), cloud_cron_contract::ecr::EcrUriError>(())
//! ```

use std::fmt;
use std::str::FromStr;

/// An AWS partition, as it appears in ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: the China regions (`cn-*`).
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US) (`us-gov-*`).
    AwsUsGov,
}

impl Partition {
    /// The partition's name in ARNs: `aws`, `aws-cn` or `aws-us-gov`.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a host or URI is not a private ECR image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcrUriError {
    /// The URI has no `/` between the registry host and the repository.
    #[error("`{uri}` has no repository: write HOST/REPOSITORY")]
    NoRepository {
        /// The URI.
        uri: String,
    },
    /// The host is not one of the private ECR registry forms.
    #[error(
        "`{host}` is not a private ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com, \
         its FIPS, China or dual-stack form)"
    )]
    NotEcr {
        /// The host.
        host: String,
    },
    /// The first label is not a 12-digit account id.
    #[error("`{host}`: the account id must be 12 digits")]
    InvalidAccount {
        /// The host.
        host: String,
    },
    /// The region label is empty or has characters regions never have.
    #[error("`{host}`: `{region}` is not a region name")]
    InvalidRegion {
        /// The host.
        host: String,
        /// The region label.
        region: String,
    },
    /// A China domain with a non-China region, or the other way round.
    #[error("`{host}`: region {region} is not in the partition of the domain (China regions use the .amazonaws.com.cn domains, and only they do)")]
    PartitionMismatch {
        /// The host.
        host: String,
        /// The region label.
        region: String,
    },
    /// The repository name breaks ECR's naming rules.
    #[error(
        "`{repository}` is not an ECR repository name: 2 to 256 lower-case letters, digits, and \
         `.`, `_`, `-` or `/` between them"
    )]
    InvalidRepository {
        /// The repository name.
        repository: String,
    },
    /// The tag breaks the OCI tag rules.
    #[error("`{tag}` is not an image tag: 1 to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`")]
    InvalidTag {
        /// The tag.
        tag: String,
    },
    /// The digest is not `sha256:` and 64 lower-case hex digits.
    #[error("`{digest}` is not a digest: write sha256: and 64 lower-case hex digits")]
    InvalidDigest {
        /// The digest.
        digest: String,
    },
}

/// A private ECR registry host, taken apart (see the module docs for the forms).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EcrRegistry {
    /// The 12-digit account id.
    pub account: String,
    /// The region, e.g. `us-west-2`.
    pub region: String,
    /// A FIPS endpoint (`dkr.ecr-fips` or `dkr-ecr-fips`).
    pub fips: bool,
    /// A dual-stack (IPv4 and IPv6) endpoint (`dkr-ecr...on.aws`).
    pub dual_stack: bool,
    /// The partition the region is in.
    pub partition: Partition,
}

impl EcrRegistry {
    /// Parses a registry host (`host` or `host:port`, any case).
    ///
    /// ```
    /// use cloud_cron_contract::ecr::{EcrRegistry, Partition};
    /// let ecr = EcrRegistry::parse("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com")?;
    /// assert_eq!((ecr.account.as_str(), ecr.region.as_str(), ecr.fips), ("123456789012", "us-east-1", true));
    /// assert_eq!(ecr.partition, Partition::Aws);
    /// assert!(EcrRegistry::parse("public.ecr.aws").is_err());
    /// # Ok::<(), cloud_cron_contract::ecr::EcrUriError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EcrUriError`] saying what does not fit.
    pub fn parse(host: &str) -> Result<EcrRegistry, EcrUriError> {
        let original = host;
        let host = host.trim();
        let host = match host.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                name
            }
            _ => host,
        }
        .to_ascii_lowercase();
        let not_ecr = || EcrUriError::NotEcr {
            host: original.to_owned(),
        };
        let labels: Vec<&str> = host.split('.').collect();
        let (account, rest) = labels.split_first().ok_or_else(not_ecr)?;
        let (region, fips, dual_stack, china) = match rest {
            ["dkr", service @ ("ecr" | "ecr-fips"), region, "amazonaws", "com"] => {
                (*region, *service == "ecr-fips", false, false)
            }
            ["dkr", service @ ("ecr" | "ecr-fips"), region, "amazonaws", "com", "cn"] => {
                (*region, *service == "ecr-fips", false, true)
            }
            [service @ ("dkr-ecr" | "dkr-ecr-fips"), region, "on", "aws"] => {
                (*region, *service == "dkr-ecr-fips", true, false)
            }
            [service @ ("dkr-ecr" | "dkr-ecr-fips"), region, "on", "amazonwebservices", "com", "cn"] => {
                (*region, *service == "dkr-ecr-fips", true, true)
            }
            _ => return Err(not_ecr()),
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EcrUriError::InvalidAccount {
                host: original.to_owned(),
            });
        }
        if !is_region(region) {
            return Err(EcrUriError::InvalidRegion {
                host: original.to_owned(),
                region: region.to_owned(),
            });
        }
        if china != region.starts_with("cn-") {
            return Err(EcrUriError::PartitionMismatch {
                host: original.to_owned(),
                region: region.to_owned(),
            });
        }
        let partition = if china {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else {
            Partition::Aws
        };
        Ok(EcrRegistry {
            account: (*account).to_owned(),
            region: region.to_owned(),
            fips,
            dual_stack,
            partition,
        })
    }

    /// The registry's host, lower-case and without a port, in its own form
    /// (FIPS, dual-stack, China as parsed).
    pub fn host(&self) -> String {
        let china = self.partition == Partition::AwsCn;
        let fips = if self.fips { "-fips" } else { "" };
        let (account, region) = (&self.account, &self.region);
        match (self.dual_stack, china) {
            (false, false) => format!("{account}.dkr.ecr{fips}.{region}.amazonaws.com"),
            (false, true) => format!("{account}.dkr.ecr{fips}.{region}.amazonaws.com.cn"),
            (true, false) => format!("{account}.dkr-ecr{fips}.{region}.on.aws"),
            (true, true) => {
                format!("{account}.dkr-ecr{fips}.{region}.on.amazonwebservices.com.cn")
            }
        }
    }
}

impl fmt::Display for EcrRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host())
    }
}

impl FromStr for EcrRegistry {
    type Err = EcrUriError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EcrRegistry::parse(s)
    }
}

/// A private ECR image or repository URI: `HOST/REPOSITORY[:TAG][@DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EcrImage {
    /// The registry.
    pub registry: EcrRegistry,
    /// The repository name, e.g. `team/app`.
    pub repository: String,
    /// The tag, when the URI has one.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), when the URI has one.
    pub digest: Option<String>,
}

impl EcrImage {
    /// Parses `HOST/REPOSITORY`, `HOST/REPOSITORY:TAG`, `HOST/REPOSITORY@sha256:HEX`
    /// or `HOST/REPOSITORY:TAG@sha256:HEX`.
    ///
    /// ```
    /// use cloud_cron_contract::ecr::EcrImage;
    /// let digest = format!("sha256:{}", "a".repeat(64));
    /// let image = EcrImage::parse(&format!("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@{digest}"))?;
    /// assert_eq!(image.registry.partition.as_str(), "aws-cn");
    /// assert_eq!((image.tag, image.digest), (None, Some(digest)));
    /// # Ok::<(), cloud_cron_contract::ecr::EcrUriError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EcrUriError`] saying which part does not fit.
    pub fn parse(uri: &str) -> Result<EcrImage, EcrUriError> {
        let uri = uri.trim();
        let (host, rest) = uri
            .split_once('/')
            .filter(|(_, rest)| !rest.is_empty())
            .ok_or_else(|| EcrUriError::NoRepository {
                uri: uri.to_owned(),
            })?;
        let registry = EcrRegistry::parse(host)?;
        let (name_and_tag, digest) = match rest.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (rest, None),
        };
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match name_and_tag[last_slash..].rsplit_once(':') {
            Some((_, tag)) => (
                &name_and_tag[..name_and_tag.len() - tag.len() - 1],
                Some(tag),
            ),
            None => (name_and_tag, None),
        };
        if !is_repository_name(repository) {
            return Err(EcrUriError::InvalidRepository {
                repository: repository.to_owned(),
            });
        }
        if let Some(tag) = tag.filter(|tag| !is_tag(tag)) {
            return Err(EcrUriError::InvalidTag {
                tag: tag.to_owned(),
            });
        }
        if let Some(digest) = digest.filter(|digest| !is_digest(digest)) {
            return Err(EcrUriError::InvalidDigest {
                digest: digest.to_owned(),
            });
        }
        Ok(EcrImage {
            registry,
            repository: repository.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// The repository's ARN: `arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME`.
    pub fn repository_arn(&self) -> String {
        let r = &self.registry;
        format!(
            "arn:{}:ecr:{}:{}:repository/{}",
            r.partition, r.region, r.account, self.repository
        )
    }

    /// `HOST/REPOSITORY`, without tag or digest.
    pub fn repository_uri(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for EcrImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for EcrImage {
    type Err = EcrUriError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EcrImage::parse(s)
    }
}

/// Lower-case letters and digits in dash-separated groups (`us-gov-west-1`).
fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// ECR's rule: 2 to 256 characters; `/`-separated components of lower-case
/// letters and digits, with single `.`, `_` or `-` between them.
pub fn is_repository_name(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (2..=256).contains(&name.len())
        && name.split('/').all(|component| {
            let bytes = component.as_bytes();
            bytes.first().copied().is_some_and(alnum)
                && bytes.last().copied().is_some_and(alnum)
                && bytes.iter().all(|&b| alnum(b) || b"._-".contains(&b))
                && bytes
                    .windows(2)
                    .all(|pair| alnum(pair[0]) || alnum(pair[1]))
        })
}

/// The OCI tag rule: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
}

/// `sha256:` and 64 lower-case hex digits.
pub fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    fn registry(host: &str) -> EcrRegistry {
        EcrRegistry::parse(host).unwrap_or_else(|e| panic!("{host}: {e}"))
    }

    #[test]
    fn every_private_registry_form_is_recognised() {
        // host, region, fips, dual-stack, partition
        let cases = [
            (
                "123456789012.dkr.ecr.us-west-2.amazonaws.com",
                "us-west-2",
                false,
                false,
                Partition::Aws,
            ),
            (
                "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com",
                "us-east-1",
                true,
                false,
                Partition::Aws,
            ),
            (
                "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
                true,
                false,
                Partition::AwsUsGov,
            ),
            (
                "123456789012.dkr.ecr.us-gov-east-1.amazonaws.com",
                "us-gov-east-1",
                false,
                false,
                Partition::AwsUsGov,
            ),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
                false,
                false,
                Partition::AwsCn,
            ),
            (
                "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn",
                "cn-northwest-1",
                false,
                false,
                Partition::AwsCn,
            ),
            (
                "123456789012.dkr-ecr.eu-west-1.on.aws",
                "eu-west-1",
                false,
                true,
                Partition::Aws,
            ),
            (
                "123456789012.dkr-ecr-fips.us-east-2.on.aws",
                "us-east-2",
                true,
                true,
                Partition::Aws,
            ),
            (
                "123456789012.dkr-ecr.us-gov-west-1.on.aws",
                "us-gov-west-1",
                false,
                true,
                Partition::AwsUsGov,
            ),
            (
                "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn",
                "cn-north-1",
                false,
                true,
                Partition::AwsCn,
            ),
        ];
        for (host, region, fips, dual_stack, partition) in cases {
            let parsed = registry(host);
            assert_eq!(parsed.account, ACCOUNT, "{host}");
            assert_eq!(parsed.region, region, "{host}");
            assert_eq!(
                (parsed.fips, parsed.dual_stack),
                (fips, dual_stack),
                "{host}"
            );
            assert_eq!(parsed.partition, partition, "{host}");
            // The host is rebuilt in its own form.
            assert_eq!(parsed.host(), host);
        }
    }

    #[test]
    fn case_and_port_do_not_matter() {
        let parsed = registry("123456789012.DKR.ECR.us-east-1.AMAZONAWS.COM:443");
        assert_eq!(parsed.region, "us-east-1");
        assert_eq!(
            parsed.host(),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn other_registries_and_malformed_hosts_are_refused() {
        for host in [
            "public.ecr.aws",
            "ghcr.io",
            "127.0.0.1:5000",
            "localhost",
            "",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com.evil.example",
            "evil.example.123456789012.dkr.ecr.us-west-2.amazonaws.com",
            "123456789012.dkr.ecr.us-west-2.amazonaws.org",
            "123456789012.dkr-ecr.us-west-2.amazonaws.com",
            "123456789012.dkr.ecr.us-west-2.on.aws",
            "123456789012.ecr.us-west-2.amazonaws.com",
        ] {
            assert!(
                matches!(EcrRegistry::parse(host), Err(EcrUriError::NotEcr { .. })),
                "{host}: {:?}",
                EcrRegistry::parse(host)
            );
        }
        assert!(matches!(
            EcrRegistry::parse("12345678901.dkr.ecr.us-west-2.amazonaws.com"),
            Err(EcrUriError::InvalidAccount { .. })
        ));
        assert!(matches!(
            EcrRegistry::parse("12345678901a.dkr.ecr.us-west-2.amazonaws.com"),
            Err(EcrUriError::InvalidAccount { .. })
        ));
        for region in ["us_west_2", "us--west-2", "-us-west-2", ""] {
            let host = format!("{ACCOUNT}.dkr.ecr.{region}.amazonaws.com");
            assert!(
                matches!(
                    EcrRegistry::parse(&host),
                    Err(EcrUriError::InvalidRegion { .. })
                ),
                "{host}"
            );
        }
    }

    #[test]
    fn china_domains_and_china_regions_go_together() {
        for host in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com",
            "123456789012.dkr-ecr.cn-north-1.on.aws",
            "123456789012.dkr-ecr.us-east-1.on.amazonwebservices.com.cn",
        ] {
            assert!(
                matches!(
                    EcrRegistry::parse(host),
                    Err(EcrUriError::PartitionMismatch { .. })
                ),
                "{host}"
            );
        }
    }

    #[test]
    fn images_split_into_repository_tag_and_digest() {
        let host = "123456789012.dkr.ecr.us-west-2.amazonaws.com";
        let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
        let cases: [(String, &str, Option<&str>, Option<&str>); 5] = [
            (format!("{host}/app"), "app", None, None),
            (
                format!("{host}/team/app:v1.2"),
                "team/app",
                Some("v1.2"),
                None,
            ),
            (
                format!("{host}/team/app@{digest}"),
                "team/app",
                None,
                Some(&digest),
            ),
            (
                format!("{host}/app:v1@{digest}"),
                "app",
                Some("v1"),
                Some(&digest),
            ),
            (
                format!("{host}:443/a.b_c-d/e_f:latest"),
                "a.b_c-d/e_f",
                Some("latest"),
                None,
            ),
        ];
        for (uri, repository, tag, digest) in cases {
            let image = EcrImage::parse(&uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert_eq!(image.repository, repository, "{uri}");
            assert_eq!(image.tag.as_deref(), tag, "{uri}");
            assert_eq!(image.digest.as_deref(), digest, "{uri}");
            assert_eq!(image.repository_uri(), format!("{host}/{repository}"));
        }
        let image = EcrImage::parse(&format!("{host}/app:v1@{digest}")).expect("parses");
        assert_eq!(image.to_string(), format!("{host}/app:v1@{digest}"));
        assert_eq!(
            image.repository_arn(),
            "arn:aws:ecr:us-west-2:123456789012:repository/app"
        );
    }

    #[test]
    fn malformed_images_say_which_part_is_wrong() {
        let host = "123456789012.dkr.ecr.us-west-2.amazonaws.com";
        assert!(matches!(
            EcrImage::parse(host),
            Err(EcrUriError::NoRepository { .. })
        ));
        assert!(matches!(
            EcrImage::parse(&format!("{host}/")),
            Err(EcrUriError::NoRepository { .. })
        ));
        assert!(matches!(
            EcrImage::parse("ghcr.io/vendor/app:v1"),
            Err(EcrUriError::NotEcr { .. })
        ));
        for repository in ["App", "a", "a//b", "-a", "a-", "a..b", "a__b", "a b", "a/"] {
            let uri = format!("{host}/{repository}:v1");
            assert!(
                matches!(
                    EcrImage::parse(&uri),
                    Err(EcrUriError::InvalidRepository { .. })
                ),
                "{uri}: {:?}",
                EcrImage::parse(&uri)
            );
        }
        for tag in ["", ".v1", "-v1", "v!1", &"t".repeat(129)] {
            let uri = format!("{host}/app:{tag}");
            assert!(
                matches!(EcrImage::parse(&uri), Err(EcrUriError::InvalidTag { .. })),
                "{uri}"
            );
        }
        for digest in [
            "sha256:abc",
            "md5:00",
            &format!("sha256:{}", "A".repeat(64)),
        ] {
            let uri = format!("{host}/app@{digest}");
            assert!(
                matches!(
                    EcrImage::parse(&uri),
                    Err(EcrUriError::InvalidDigest { .. })
                ),
                "{uri}"
            );
        }
    }

    #[test]
    fn arns_carry_the_partition() {
        for (uri, arn) in [
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app",
                "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app",
            ),
            (
                "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/x/app",
                "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/x/app",
            ),
            (
                "123456789012.dkr-ecr.eu-central-1.on.aws/app",
                "arn:aws:ecr:eu-central-1:123456789012:repository/app",
            ),
        ] {
            assert_eq!(EcrImage::parse(uri).expect(uri).repository_arn(), arn);
        }
    }

    #[test]
    fn errors_name_what_to_write() {
        let e = EcrRegistry::parse("ghcr.io").unwrap_err().to_string();
        assert!(e.contains("ACCOUNT.dkr.ecr.REGION.amazonaws.com"), "{e}");
    }
}
