//! Logical IDs derived from construct paths.
//!
//! Below both the construct tree and the synth-time passes (which turn a
//! construct path given by the user back into a logical ID); also reachable
//! as `cfn_gen::construct::logical_id`.
//!
//! The CDK scheme: the path's components with everything but ASCII letters and
//! digits removed, followed by eight hex digits of a SHA-256 hash of the full
//! path. The readable part is what people see in the console; the hash keeps
//! `A-B/C` and `AB/C` apart. IDs are at most 255 characters.

/// CloudFormation's limit on logical ID length.
pub const MAX_LOGICAL_ID_LEN: usize = 255;
const HASH_LEN: usize = 8;

/// The logical ID for a path inside a stack (the stack name is not part of it).
///
/// ```
/// use cfn_gen::construct::logical_id::from_path;
/// let id = from_path(&["Report", "Function"]);
/// assert!(id.starts_with("ReportFunction"));
/// assert_eq!(id.len(), "ReportFunction".len() + 8);
/// assert_ne!(from_path(&["A-B"]), from_path(&["AB"]));
/// ```
pub fn from_path(components: &[&str]) -> String {
    let readable: String = components
        .iter()
        .flat_map(|c| c.chars())
        .filter(char::is_ascii_alphanumeric)
        .take(MAX_LOGICAL_ID_LEN - HASH_LEN)
        .collect();
    let digest = hmac_sha256::Hash::hash(components.join("/").as_bytes());
    let hash: String = digest
        .iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("{readable}{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_alphanumeric_and_stable() {
        let id = from_path(&["Nightly Sync", "Schedule"]);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        assert_eq!(id, from_path(&["Nightly Sync", "Schedule"]));
        assert!(id.starts_with("NightlySyncSchedule"));
    }

    #[test]
    fn similar_paths_do_not_collide() {
        let pairs = [
            (vec!["A-B"], vec!["AB"]),
            (vec!["A", "BC"], vec!["AB", "C"]),
            (vec!["a"], vec!["A"]),
            (vec!["Report", "Role"], vec!["ReportRole"]),
        ];
        for (a, b) in pairs {
            assert_ne!(from_path(&a), from_path(&b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn long_paths_are_capped_at_255() {
        let long = "x".repeat(400);
        let id = from_path(&[&long, "Function"]);
        assert_eq!(id.len(), MAX_LOGICAL_ID_LEN);
        assert_ne!(id, from_path(&[&long, "Role"]));
    }
}
