//! Helpers shared by the test modules.

use std::path::PathBuf;

/// A path under the repository root.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path)
}
