//! Property overrides: the last word on any resource in the template, as
//! CDK's `addOverride` / `addPropertyOverride`.
//!
//! Overrides are applied after every construct has synthesized and after the
//! other passes, in the order they were added. A target is a logical ID or a
//! construct path (see [`resolve_resource`]); one that names no resource is
//! an error listing the closest logical IDs.

use serde_json::Value as Json;

use crate::json_path::{self, PathError};
use crate::passes::{resolve_resource, Origins};
use crate::suggest;
use crate::template::Template;
use crate::validate::Report;

/// One override: set or delete a path of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The resource: a logical ID or a construct path.
    pub target: String,
    /// The path from the resource's root, e.g. `["Properties", "Timeout"]`.
    pub path: Vec<String>,
    /// The new value; `None` deletes.
    pub value: Option<Json>,
}

/// Apply `overrides` to `template` in order, reporting targets that name no
/// resource and paths that cannot be followed.
pub fn apply(
    template: &mut Template,
    origins: &Origins,
    overrides: &[Override],
    report: &mut Report,
) {
    let stack = origins.stack();
    for o in overrides {
        let shown = json_path::join(&o.path);
        let verb = if o.value.is_some() {
            "override"
        } else {
            "delete"
        };
        let Some(id) = resolve_resource(template, stack, &o.target) else {
            let close = suggest::close_matches(&o.target, template.resources.keys());
            let message = format!(
                "{verb} of `{shown}` targets `{}`, which is no resource of stack {stack}{}",
                o.target,
                suggest::listed(&close)
                    .map(|l| format!("; close logical IDs: {l}"))
                    .unwrap_or_default()
            );
            let fix = match close.first() {
                Some(best) => format!("target the logical ID `{best}` instead"),
                None => format!(
                    "target a logical ID from the synthesized template or a construct path such as `{stack}/<Construct>/<Resource>`; the template has: {}",
                    sample(template)
                ),
            };
            report.error(&format!("{stack}/{}", o.target), message, fix);
            continue;
        };
        let path = origins.resource_path(&id);
        let Some(resource) = template.resources.get_mut(&id) else {
            continue;
        };
        match resource.apply_override(&o.path, o.value.clone()) {
            Ok(true) => {}
            Ok(false) if o.value.is_none() => report.warning(
                &path,
                format!("delete of `{shown}` on `{id}` found nothing to delete"),
                "check the path against the synthesized template (`cargo run --bin synth`), or drop the delete",
            ),
            Ok(false) => {}
            Err(PathError::NotAnIndex { at, segment, len }) => report.error(
                &path,
                format!("{verb} of `{shown}` on `{id}`: `{at}` is a list of {len} item(s) and `{segment}` is not an index into it"),
                if len == 0 {
                    format!("override the whole list at `{at}` instead")
                } else {
                    format!("use an index from 0 to {} after `{at}.`, or override the whole list at `{at}`", len - 1)
                },
            ),
            Err(PathError::EmptySegment { path: p }) => report.error(
                &path,
                format!("{verb} path `{p}` has an empty segment"),
                "write the path as dot-separated keys, e.g. `Properties.Environment.Variables.MODE`",
            ),
        }
    }
}

fn sample(template: &Template) -> String {
    let ids: Vec<String> = template
        .resources
        .keys()
        .take(5)
        .map(|k| format!("`{k}`"))
        .collect();
    if ids.is_empty() {
        "no resources".to_owned()
    } else {
        ids.join(", ")
    }
}
