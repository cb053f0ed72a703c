//! References by id to constructs of a stack other than topics (images,
//! one-off schedulers, tasks): the construct, or an error at the
//! referring key that lists the ids there are and suggests the closest,
//! or says the construct is declared further down (constructs are created
//! in file order). A construct declared above that could not be built has
//! its own error, so a reference to it adds none.

use indexmap::IndexMap;

use crate::build::{fix_from, list, Build, StackScope};

/// The `kind` (e.g. `image`) with id `id` from `section` (e.g. `images`)
/// of `scope`, or an error at `path`.
pub(crate) fn resolve<T: Clone>(
    b: &mut Build,
    known: &IndexMap<String, T>,
    path: &str,
    id: &str,
    kind: &str,
    section: &str,
    scope: &StackScope,
) -> Option<T> {
    if let Some(found) = known.get(id) {
        return Some(found.clone());
    }
    let ids: Vec<&str> = known.keys().map(String::as_str).collect();
    let declared = b.position(&format!("{}.{section}.{id}", scope.path));
    let here = b.locate(path);
    let (message, fix) = match declared {
        // Declared above but not built: its own error says why.
        Some(at) if (at.line, at.column) < (here.line, here.column) => return None,
        Some(at) => (
            format!(
                "{kind} `{id}` is declared further down (line {}); constructs are created in file order, so a reference must come after what it names",
                at.line
            ),
            format!("move `{section}:` (or `{id}`) above this key"),
        ),
        None => (
            format!(
                "no {kind} `{id}` in stack {}; its {section} are: {}",
                scope.stack.name(),
                list(&ids)
            ),
            fix_from(id, &ids, &format!("declare it under `{section}:` of this stack")),
        ),
    };
    b.error(path, message, fix);
    None
}

/// The image of a construct given `image: URI` or `republished_image: ID`
/// (the keys at `path`), or `None` after an error when neither resolves.
pub(crate) fn image_source(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    image: Option<&str>,
    republished: Option<&str>,
) -> Option<cfn_gen::ImageSource> {
    match (image, republished) {
        (Some(uri), None) => Some(cfn_gen::ImageSource::from(uri)),
        (None, Some(id)) => scope
            .image(b, &crate::positions::join(path, "republished_image"), id)
            .map(|i| cfn_gen::ImageSource::from(&i)),
        _ => None,
    }
}
