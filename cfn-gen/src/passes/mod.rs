//! Synth-time passes over a stack's finished template: they apply to every
//! resource whatever construct wrote it, so no construct has to know them.
//!
//! A stack builds its template in this order: parameters, then every
//! construct's resources (their [`Origins`] recorded), then [`tags`], the
//! [`boundary`] on IAM roles, and last the user's [`overrides`] (so an
//! override can change anything the passes wrote). [`references`] then
//! checks that every `Ref`, `Fn::GetAtt` and `Fn::Sub` names something in
//! the stack.

pub mod boundary;
pub mod overrides;
pub mod references;
pub mod tags;

use std::collections::BTreeMap;

use crate::logical_id;
use crate::template::Template;

/// Which construct wrote each resource and output of a template, so that
/// problems found in the template name the construct to fix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    stack: String,
    resources: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
    constructs: Vec<String>,
}

impl Origins {
    /// Origins for the stack named `stack`.
    pub fn new(stack: &str) -> Origins {
        Origins {
            stack: stack.to_owned(),
            ..Origins::default()
        }
    }

    /// The stack's name.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// Record that construct `id` wrote the resources and outputs added to
    /// `template` since `before` was taken.
    pub fn record(&mut self, id: &str, before: &Snapshot, template: &Template) {
        self.constructs.push(id.to_owned());
        for rid in template.resources.keys().skip(before.resources) {
            self.resources.insert(rid.clone(), id.to_owned());
        }
        for oid in template.outputs.keys().skip(before.outputs) {
            self.outputs.insert(oid.clone(), id.to_owned());
        }
    }

    /// The construct ids, in creation order.
    pub fn constructs(&self) -> &[String] {
        &self.constructs
    }

    /// The path of the construct that wrote resource `logical_id`, or the
    /// stack's name when no construct did.
    pub fn resource_path(&self, logical_id: &str) -> String {
        self.path_of(self.resources.get(logical_id))
    }

    /// The path of the construct that wrote output `output_id`.
    pub fn output_path(&self, output_id: &str) -> String {
        self.path_of(self.outputs.get(output_id))
    }

    /// The id of the construct that wrote output `output_id`.
    pub fn output_owner(&self, output_id: &str) -> Option<&str> {
        self.outputs.get(output_id).map(String::as_str)
    }

    /// The id of the construct that wrote resource `logical_id`.
    pub fn resource_owner(&self, logical_id: &str) -> Option<&str> {
        self.resources.get(logical_id).map(String::as_str)
    }

    fn path_of(&self, construct: Option<&String>) -> String {
        match construct {
            Some(c) => format!("{}/{c}", self.stack),
            None => self.stack.clone(),
        }
    }

    /// A construct id from `target`: an id, or a path `Stack/Id`.
    pub fn construct(&self, target: &str) -> Option<&str> {
        let id = target
            .strip_prefix(&format!("{}/", self.stack))
            .unwrap_or(target);
        self.constructs
            .iter()
            .find(|c| c.as_str() == id)
            .map(String::as_str)
    }
}

/// How many resources and outputs a template had: taken before a construct
/// synthesizes, for [`Origins::record`].
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    resources: usize,
    outputs: usize,
}

impl Snapshot {
    /// The counts of `template` now.
    pub fn of(template: &Template) -> Snapshot {
        Snapshot {
            resources: template.resources.len(),
            outputs: template.outputs.len(),
        }
    }
}

/// The logical ID of the resource `target` names in `template`: a logical ID
/// as written, or a construct path (`Construct`, `Construct/Child`, with or
/// without the leading `Stack/`) turned into its logical ID the way
/// constructs derive theirs ([`logical_id::from_path`]).
pub fn resolve_resource(template: &Template, stack: &str, target: &str) -> Option<String> {
    if template.resources.contains_key(target) {
        return Some(target.to_owned());
    }
    let path = target.strip_prefix(&format!("{stack}/")).unwrap_or(target);
    let components: Vec<&str> = path.split('/').collect();
    let id = logical_id::from_path(&components);
    template.resources.contains_key(&id).then_some(id)
}
