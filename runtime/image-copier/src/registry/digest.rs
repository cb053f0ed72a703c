//! `sha256:` digests: computing them, and checking the only form the copier handles.

use sha2::{Digest as _, Sha256};

use super::RegistryError;

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(data))
}

/// Checks that `digest` is `sha256:` followed by 64 lowercase hex digits, the only digest
/// form the copier handles (and the only one ECR produces).
pub fn check_sha256_digest(digest: &str) -> Result<(), RegistryError> {
    let invalid = |reason| RegistryError::InvalidDigest {
        digest: digest.to_owned(),
        reason,
    };
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| invalid("only sha256 digests are supported"))?;
    if hex.len() != 64 {
        return Err(invalid("a sha256 digest has 64 hex digits"));
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(invalid("a sha256 digest has lowercase hex digits only"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_must_be_lowercase_sha256() {
        assert!(check_sha256_digest(&sha256_digest(b"x")).is_ok());
        assert!(check_sha256_digest("sha512:abcd").is_err());
        assert!(check_sha256_digest("sha256:abcd").is_err());
        assert!(
            check_sha256_digest(&sha256_digest(b"x").to_uppercase().replace("SHA", "sha")).is_err()
        );
    }
}
