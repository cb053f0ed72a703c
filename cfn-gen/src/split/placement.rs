//! Owns where movable constructs go: parts named by the leading bits of a
//! SHA-256 hash of the construct path (extendible hashing), split only when
//! over budget, so adding a construct moves no other unless its part fills.

use std::collections::BTreeSet;

use super::{PART_MAX_BYTES, PART_MAX_OUTPUTS, PART_MAX_RESOURCES};

/// Deepest split: 2^24 parts is far past what CloudFormation could nest.
const MAX_DEPTH: usize = 24;

/// A movable construct and what it costs a part.
#[derive(Debug, Clone)]
pub struct Item {
    /// The construct id.
    pub id: String,
    /// The construct path, which is hashed.
    pub path: String,
    /// Its resources after the SAM transform.
    pub resources: usize,
    /// Its estimated template bytes.
    pub bytes: usize,
    /// Its outputs.
    pub outputs: usize,
    /// The parameters it needs from the root.
    pub parameters: BTreeSet<String>,
}

impl Item {
    fn hash(&self) -> [u8; 32] {
        hmac_sha256::Hash::hash(self.path.as_bytes())
    }
}

/// Whether bit `i` (from the most significant of the first byte) is set.
fn bit(hash: &[u8; 32], i: usize) -> bool {
    hash.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
}

fn fits(items: &[&Item]) -> bool {
    let resources: usize = items.iter().map(|i| i.resources).sum();
    let bytes: usize = items.iter().map(|i| i.bytes).sum();
    let outputs: usize = items.iter().map(|i| i.outputs).sum();
    let parameters: BTreeSet<&String> = items.iter().flat_map(|i| &i.parameters).collect();
    resources <= PART_MAX_RESOURCES
        && bytes <= PART_MAX_BYTES
        && outputs <= PART_MAX_OUTPUTS
        && parameters.len() <= PART_MAX_OUTPUTS
}

/// The parts, as (hash bits, the indexes of their items in `items`' order),
/// ordered by bits; empty parts are left out.
///
/// ```
/// use cfn_gen::split::placement::{place, Item};
/// let item = |n: usize| Item {
///     id: format!("Job{n}"),
///     path: format!("Jobs/Job{n}"),
///     resources: 10,
///     bytes: 1_000,
///     outputs: 0,
///     parameters: Default::default(),
/// };
/// let items: Vec<Item> = (0..100).map(item).collect();
/// let parts = place(&items);
/// assert!(parts.len() >= 3, "1,000 resources need three parts of 400");
/// let mut more = items.clone();
/// more.push(item(100));
/// let grown = place(&more);
/// // Every part the new job did not land in is unchanged.
/// let moved = parts.iter().filter(|p| !grown.contains(p)).count();
/// assert!(moved <= 1);
/// ```
pub fn place(items: &[Item]) -> Vec<(String, Vec<usize>)> {
    let hashes: Vec<[u8; 32]> = items.iter().map(Item::hash).collect();
    let mut out = Vec::new();
    let all: Vec<usize> = (0..items.len()).collect();
    divide(items, &hashes, all, String::new(), &mut out);
    out
}

fn divide(
    items: &[Item],
    hashes: &[[u8; 32]],
    members: Vec<usize>,
    bits: String,
    out: &mut Vec<(String, Vec<usize>)>,
) {
    if members.is_empty() {
        return;
    }
    let depth = bits.len();
    let chosen: Vec<&Item> = members.iter().filter_map(|&i| items.get(i)).collect();
    if depth > 0 && (fits(&chosen) || members.len() == 1 || depth >= MAX_DEPTH) {
        out.push((bits, members));
        return;
    }
    let (ones, zeros): (Vec<usize>, Vec<usize>) = members
        .into_iter()
        .partition(|&i| hashes.get(i).is_some_and(|h| bit(h, depth)));
    divide(items, hashes, zeros, format!("{bits}0"), out);
    divide(items, hashes, ones, format!("{bits}1"), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: usize, resources: usize) -> Item {
        Item {
            id: format!("Job{n}"),
            path: format!("Jobs/Job{n}"),
            resources,
            bytes: 100,
            outputs: 0,
            parameters: BTreeSet::new(),
        }
    }

    #[test]
    fn parts_fit_and_cover_every_item_once() {
        let items: Vec<Item> = (0..1_000).map(|n| item(n, 10)).collect();
        let parts = place(&items);
        let mut seen: Vec<usize> = parts.iter().flat_map(|(_, m)| m.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..1_000).collect::<Vec<_>>());
        for (bits, members) in &parts {
            let total: usize = members.iter().map(|&i| items[i].resources).sum();
            assert!(total <= PART_MAX_RESOURCES, "{bits}: {total}");
        }
        assert_eq!(parts, place(&items), "deterministic");
    }

    #[test]
    fn adding_an_item_changes_at_most_the_part_it_lands_in() {
        let items: Vec<Item> = (0..500).map(|n| item(n, 10)).collect();
        let before = place(&items);
        for extra in 500..520 {
            let mut more = items.clone();
            more.push(item(extra, 10));
            let after = place(&more);
            let changed: Vec<_> = before.iter().filter(|p| !after.contains(p)).collect();
            assert!(changed.len() <= 1, "{changed:?}");
        }
    }

    #[test]
    fn one_item_over_budget_still_gets_a_part() {
        let parts = place(&[item(0, 900)]);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].1, [0]);
    }
}
