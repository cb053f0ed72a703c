//! Owns the mapping from a caller's key to a schedule name.
//!
//! Schedule names are 1-64 characters of `[0-9a-zA-Z-_.]`, unique per group;
//! keys are any text. A name is `<tenant>.<readable>.<hash>`:
//!
//! - `<tenant>`: the key's tenant (the part before its first `/`) verbatim when
//!   it is 1-24 characters of `[0-9a-zA-Z-]`; otherwise `_` followed by 12 hex
//!   digits of its SHA-256; `_` alone when the key has no tenant. The three forms
//!   never coincide, and none contains `.`, so `<tenant>.` is a name prefix that
//!   matches exactly one tenant's schedules ([`tenant_prefix`]).
//! - `<readable>`: the rest of the key with every character outside
//!   `[0-9a-zA-Z-_]` replaced by `_`, cut to fit; for people reading a console.
//! - `<hash>`: 20 hex digits (80 bits) of the SHA-256 of the whole key, which is
//!   what makes names of distinct keys distinct. Were two keys ever to collide,
//!   creating the second would meet the first's schedule, whose input names its
//!   key, and fail with `AlreadyScheduled` rather than replace it.

use sha2::{Digest, Sha256};

/// Longest schedule name the Scheduler accepts.
pub const MAX_NAME_LEN: usize = 64;
/// Hex digits of the key's hash at the end of every name.
const HASH_HEX: usize = 20;
/// Longest tenant kept verbatim in a name.
const MAX_VERBATIM_TENANT: usize = 24;
/// Hex digits of a hashed tenant segment.
const TENANT_HASH_HEX: usize = 12;

/// The tenant of `key`: the part before its first `/`, if there is one.
///
/// ```
/// use cloud_cron_scheduler::name::tenant_of;
/// assert_eq!(tenant_of("tenant-42/invoice-7"), Some("tenant-42"));
/// assert_eq!(tenant_of("invoice-7"), None);
/// ```
pub fn tenant_of(key: &str) -> Option<&str> {
    key.split_once('/').map(|(tenant, _)| tenant)
}

/// The schedule name for `key`.
///
/// ```
/// use cloud_cron_scheduler::name::schedule_name;
/// let name = schedule_name("tenant-42/invoice 7");
/// assert!(name.starts_with("tenant-42.invoice_7."));
/// assert!(name.len() <= 64);
/// ```
pub fn schedule_name(key: &str) -> String {
    let (tenant, rest) = match key.split_once('/') {
        Some((tenant, rest)) => (Some(tenant), rest),
        None => (None, key),
    };
    let segment = tenant_segment(tenant);
    let hash = hex_prefix(key, HASH_HEX);
    let room = MAX_NAME_LEN - segment.len() - hash.len() - 2;
    let mut name = String::with_capacity(MAX_NAME_LEN);
    name.push_str(&segment);
    name.push('.');
    name.extend(rest.chars().take(room).map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '_'
        }
    }));
    name.push('.');
    name.push_str(&hash);
    name
}

/// The name prefix shared by every schedule of `tenant`, and by no other
/// schedule: `None` lists the schedules whose keys have no tenant.
///
/// ```
/// use cloud_cron_scheduler::name::{schedule_name, tenant_prefix};
/// assert!(schedule_name("acme/a").starts_with(&tenant_prefix(Some("acme"))));
/// assert!(!schedule_name("acme2/a").starts_with(&tenant_prefix(Some("acme"))));
/// ```
pub fn tenant_prefix(tenant: Option<&str>) -> String {
    let mut prefix = tenant_segment(tenant);
    prefix.push('.');
    prefix
}

fn tenant_segment(tenant: Option<&str>) -> String {
    match tenant {
        None => "_".to_owned(),
        Some(t)
            if (1..=MAX_VERBATIM_TENANT).contains(&t.len())
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            t.to_owned()
        }
        Some(t) => format!("_{}", hex_prefix(t, TENANT_HASH_HEX)),
    }
}

/// The first `digits` lower-case hex digits of the SHA-256 of `text`.
fn hex_prefix(text: &str, digits: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(digits);
    for byte in digest.iter().take(digits.div_ceil(2)) {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out.truncate(digits);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn valid(name: &str) -> bool {
        (1..=MAX_NAME_LEN).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    }

    /// A random key of up to `max` characters drawn from ASCII, `/`, and a few
    /// multi-byte characters.
    fn random_key(rng: &mut fastrand::Rng, max: usize) -> String {
        const EXTRA: [char; 8] = ['/', '/', 'é', '日', '🦀', ' ', '.', '\u{0}'];
        let len = rng.usize(0..=max);
        (0..len)
            .map(|_| {
                if rng.u8(0..4) == 0 {
                    EXTRA[rng.usize(0..EXTRA.len())]
                } else {
                    char::from(rng.u8(0x20..0x7f))
                }
            })
            .collect()
    }

    #[test]
    fn names_of_random_keys_are_valid() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let key = random_key(&mut rng, 200);
            let name = schedule_name(&key);
            assert!(valid(&name), "{key:?} -> {name:?}");
            assert_eq!(name, schedule_name(&key), "deterministic");
        }
        assert!(valid(&schedule_name("")));
        assert!(valid(&schedule_name(&"x".repeat(10_000))));
    }

    #[test]
    fn distinct_keys_get_distinct_names() {
        let mut rng = fastrand::Rng::with_seed(11);
        let mut keys = HashSet::new();
        let mut names = HashSet::new();
        for _ in 0..50_000 {
            let key = random_key(&mut rng, 40);
            if keys.insert(key.clone()) {
                assert!(names.insert(schedule_name(&key)), "collision for {key:?}");
            }
        }
        // Keys that read the same after sanitizing and cutting still differ.
        let long = "a".repeat(100);
        let near = [
            "t/a b".to_owned(),
            "t/a_b".to_owned(),
            "t/a.b".to_owned(),
            format!("t/{long}1"),
            format!("t/{long}2"),
        ];
        let near: HashSet<String> = near.iter().map(|k| schedule_name(k)).collect();
        assert_eq!(near.len(), 5);
    }

    #[test]
    fn tenant_prefixes_select_exactly_one_tenant() {
        let tenants: [Option<&str>; 7] = [
            None,
            Some("acme"),
            Some("acme-2"),
            Some("ac"),
            Some("tenant with spaces"),
            Some("_"),
            Some(""),
        ];
        let mut rng = fastrand::Rng::with_seed(3);
        for owner in tenants {
            for _ in 0..200 {
                let rest = random_key(&mut rng, 30).replace('/', "-");
                let key = match owner {
                    Some(t) => format!("{t}/{rest}"),
                    None => rest,
                };
                let name = schedule_name(&key);
                for other in tenants {
                    assert_eq!(
                        name.starts_with(&tenant_prefix(other)),
                        other == owner,
                        "{key:?} -> {name:?} against tenant {other:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_read_like_their_keys() {
        let name = schedule_name("tenant-42/invoice-7");
        assert!(name.starts_with("tenant-42.invoice-7."), "{name}");
        assert_eq!(name.len(), "tenant-42.invoice-7.".len() + HASH_HEX);
        assert!(schedule_name("reminder").starts_with("_.reminder."));
        assert!(schedule_name("Tenant With Space/x").starts_with('_'));
    }
}
