//! Owns the list of AWS regions (commercial, China, GovCloud, ISO) and the messages for
//! malformed private ECR image URIs: which part of `ACCOUNT.dkr.ecr.REGION.amazonaws.com`
//! is wrong, and how.

/// Every AWS region an ECR image can live in, by partition.
pub const REGIONS: &[&str] = &[
    // aws
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    // aws-cn
    "cn-north-1",
    "cn-northwest-1",
    // aws-us-gov
    "us-gov-east-1",
    "us-gov-west-1",
    // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "us-isof-east-1",
];

/// Checks that `region` is an AWS region; the error suggests the closest one.
///
/// ```
/// use cfn_gen::validate::regions::check_region;
/// assert!(check_region("eu-west-1").is_ok());
/// assert!(check_region("eu-west1").unwrap_err().contains("eu-west-1"));
/// ```
pub fn check_region(region: &str) -> Result<(), String> {
    if REGIONS.contains(&region) {
        return Ok(());
    }
    let closest = REGIONS
        .iter()
        .min_by_key(|r| distance(r, region))
        .copied()
        .unwrap_or("us-east-1");
    Err(format!(
        "`{region}` is not an AWS region; did you mean `{closest}`?"
    ))
}

/// The closest region to `region`, for fixes.
pub fn closest_region(region: &str) -> &'static str {
    REGIONS
        .iter()
        .min_by_key(|r| distance(r, region))
        .copied()
        .unwrap_or("us-east-1")
}

/// What is malformed in the host of a URI that was meant to be a private ECR image, or
/// `None` when the host is well formed (`ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]` with a
/// 12-digit account and a real region).
///
/// ```
/// use cfn_gen::validate::regions::ecr_host_problem;
/// assert!(ecr_host_problem("123456789012.dkr.ecr.eu-west-1.amazonaws.com").is_none());
/// let why = ecr_host_problem("12345678901.dkr.ecr.eu-west-1.amazonaws.com").unwrap();
/// assert!(why.contains("11 digits"), "{why}");
/// ```
pub fn ecr_host_problem(host: &str) -> Option<String> {
    let parts: Vec<&str> = host.split('.').collect();
    let account = parts.first().copied().unwrap_or("");
    if !(account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())) {
        let digits = account.chars().filter(char::is_ascii_digit).count();
        return Some(if account.chars().all(|c| c.is_ascii_digit()) {
            format!("the account id `{account}` has {digits} digits; AWS account ids have 12")
        } else {
            format!("the account id `{account}` is not 12 digits")
        });
    }
    if parts.get(1..3) != Some(&["dkr", "ecr"][..]) {
        return Some(format!(
            "the host `{host}` does not continue `{account}.dkr.ecr.` after the account id"
        ));
    }
    let Some(region) = parts.get(3) else {
        return Some(format!("the host `{host}` has no region after `dkr.ecr.`"));
    };
    if let Err(e) = check_region(region) {
        return Some(e);
    }
    let suffix = &parts[4..];
    let expected: &[&str] = if region.starts_with("cn-") {
        &["amazonaws", "com", "cn"]
    } else {
        &["amazonaws", "com"]
    };
    if suffix != expected {
        return Some(format!(
            "the host `{host}` ends in `.{}`; images in {region} are under `.{}`",
            suffix.join("."),
            expected.join(".")
        ));
    }
    None
}

/// Edit distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_of_every_partition() {
        for r in ["us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"] {
            assert!(check_region(r).is_ok(), "{r}");
        }
        for (bad, meant) in [
            ("us-east-7", "us-east-1"),
            ("eu-wset-1", "eu-west-1"),
            ("cn-nrth-1", "cn-north-1"),
        ] {
            let e = check_region(bad).unwrap_err();
            assert!(e.contains(&format!("`{meant}`")), "{e}");
            assert!(check_region(closest_region(bad)).is_ok());
        }
    }

    #[test]
    fn hosts_say_what_is_malformed() {
        let cases = [
            ("1234.dkr.ecr.us-east-1.amazonaws.com", "4 digits"),
            (
                "acct12345678.dkr.ecr.us-east-1.amazonaws.com",
                "not 12 digits",
            ),
            ("123456789012.ecr.us-east-1.amazonaws.com", "dkr.ecr"),
            ("123456789012.dkr.ecr.us-est-1.amazonaws.com", "`us-east-1`"),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com",
                "`.amazonaws.com.cn`",
            ),
        ];
        for (host, needle) in cases {
            let why = ecr_host_problem(host).unwrap_or_default();
            assert!(why.contains(needle), "{host}: {why}");
        }
        assert!(ecr_host_problem("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").is_none());
    }
}
