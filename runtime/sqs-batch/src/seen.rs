//! [`SeenKeys`]: the bounded set of dedup keys a container remembers,
//! oldest evicted first.

use std::collections::{HashSet, VecDeque};

/// A bounded set of keys, oldest evicted first.
#[derive(Debug)]
pub(crate) struct SeenKeys {
    capacity: usize,
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl SeenKeys {
    pub(crate) fn new(capacity: usize) -> SeenKeys {
        SeenKeys {
            capacity,
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.set.contains(key)
    }

    pub(crate) fn insert(&mut self, key: &str) {
        if self.capacity == 0 || !self.set.insert(key.to_owned()) {
            return;
        }
        self.order.push_back(key.to_owned());
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded() {
        let mut seen = SeenKeys::new(2);
        seen.insert("a");
        seen.insert("b");
        seen.insert("a");
        assert!(seen.contains("a") && seen.contains("b"));
        seen.insert("c");
        assert!(!seen.contains("a"), "the oldest is evicted");
        assert!(seen.contains("b") && seen.contains("c"));
        let mut off = SeenKeys::new(0);
        off.insert("a");
        assert!(!off.contains("a"));
    }
}
