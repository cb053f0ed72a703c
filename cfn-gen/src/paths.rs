//! Local paths written into templates: always relative to the template file,
//! with `/` separators, so `sam build` finds code wherever `--out-dir` put the
//! template and the same layout gives the same bytes on every machine.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the current directory and with `.` and `..`
/// resolved lexically (the path need not exist).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The path of `target` as seen from the directory `base`, both made absolute
/// first.
///
/// ```
/// use std::path::Path;
/// use cfn_gen::paths::relative;
/// assert_eq!(relative(Path::new("/repo/out"), Path::new("/repo/stacks")), "../stacks");
/// assert_eq!(relative(Path::new("/repo"), Path::new("/repo/stacks")), "stacks");
/// assert_eq!(relative(Path::new("/repo/stacks"), Path::new("/repo/stacks")), ".");
/// ```
pub fn relative(base: &Path, target: &Path) -> String {
    let base = absolute(base);
    let target = absolute(target);
    let base: Vec<Component> = base.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_owned(), base.len() - common).collect();
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_walk_up_and_down() {
        assert_eq!(
            relative(Path::new("/a/b/c"), Path::new("/a/x/y")),
            "../../x/y"
        );
        assert_eq!(relative(Path::new("/a/./b/../b"), Path::new("/a/b/t")), "t");
        assert_eq!(relative(Path::new("/"), Path::new("/a")), "a");
    }
}
