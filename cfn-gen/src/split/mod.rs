//! Owns nested-stack splitting: a stack whose template would pass
//! CloudFormation's limits (500 resources, 200 outputs, 1 MB from S3) is
//! deployed as a root template with `AWS::Serverless::Application` children,
//! so one `sam deploy` of the root still deploys everything.
//!
//! Generic over resources: it works on the built template and the
//! [`Origins`] of its resources, never on construct types.
//!
//! - **What moves.** A construct moves into a child when no other construct
//!   refers to its resources (a shared topic, role or function stays in the
//!   root, where every child can be given it), none of its resources or
//!   outputs is conditional, and its outputs refer only to its own resources
//!   or only to names outside it. Everything else stays in the root.
//! - **Where it goes** ([`placement`]): by a stable hash of the construct
//!   path, as in extendible hashing: all movable constructs start in two
//!   parts by the hash's first bit, and a part over its budget splits in two
//!   by the next bit. Adding one construct changes only the part it hashes
//!   into, and moves constructs only when that part overflows (then half of
//!   that one part moves to a new part). Same input, same parts.
//! - **Wiring** ([`wiring`]): a child refers to the root's resources,
//!   parameters and the root's stack name through parameters the root passes
//!   (`Ref` keeps its name, `Fn::GetAtt X.Attr` becomes `Ref XAttr`); a
//!   cross-part `DependsOn` becomes a `DependsOn` of the nested stack. The
//!   outputs of moved constructs move with them into the child; an exported
//!   one also stays in the root with its export, read from the child with
//!   `Fn::GetAtt Part.Outputs.Id`, so exports never move between parts.
//!
//! Children are written next to the root template; `Location` is the file
//! name, which `sam build` and `sam deploy` (`sam package`) upload and
//! rewrite. The root needs `CAPABILITY_AUTO_EXPAND` besides
//! `CAPABILITY_IAM` since its children use the SAM transform.

pub mod placement;
pub mod wiring;

use crate::passes::Origins;
use crate::template::Template;
use crate::validate::limits;

/// A part gets at most this many resources (after the SAM transform): 80 %
/// of CloudFormation's 500, the level at which synth warns.
pub const PART_MAX_RESOURCES: usize = limits::WARN_RESOURCES;
/// A part gets at most this many outputs and parameters (of 200 each).
pub const PART_MAX_OUTPUTS: usize = 150;
/// A part's estimated template size, well under the 1 MB CloudFormation
/// reads from S3 (the estimate is compact JSON; YAML is about as long).
pub const PART_MAX_BYTES: usize = 600_000;

/// One child template of a split stack.
#[derive(Debug, Clone)]
pub struct NestedStack {
    /// The child's name: `<Stack>Part<bits>`, also its file name's stem.
    pub name: String,
    /// The logical ID of its `AWS::Serverless::Application` in the root.
    pub logical_id: String,
    /// The hash bits of its part (`0`, `10`, `110` ...).
    pub bits: String,
    /// The ids of the constructs placed in it, in creation order.
    pub constructs: Vec<String>,
    /// Its template.
    pub template: Template,
}

impl NestedStack {
    /// The file the child is written to, next to the root template.
    pub fn file_name(&self, extension: &str) -> String {
        format!("{}.template.{extension}", self.name)
    }
}

/// A stack split into a root and its children.
#[derive(Debug, Clone)]
pub struct Split {
    /// The root template: what stays, and one resource per child.
    pub root: Template,
    /// The children, by their hash bits.
    pub nested: Vec<NestedStack>,
}

/// Whether a template has more resources after the SAM transform or more
/// outputs than CloudFormation takes, so it must be split whatever its size.
pub fn over_counts(template: &Template) -> bool {
    template.resource_count_after_transform() > limits::MAX_RESOURCES
        || template.outputs.len() > limits::MAX_OUTPUTS
}

/// Whether a template must be split: [`over_counts`], or more bytes than
/// CloudFormation reads.
pub fn needs_split(template: &Template, rendered_bytes: usize) -> bool {
    over_counts(template) || rendered_bytes > limits::MAX_S3_TEMPLATE_BYTES
}

/// Split `template` (the stack `origins` describes) into a root and
/// children; `None` when no construct can move. `extension` is the file
/// extension of the written templates (`yaml` or `json`).
pub fn split(template: &Template, origins: &Origins, extension: &str) -> Option<Split> {
    let analysis = wiring::Analysis::of(template, origins);
    let movable = analysis.movable_constructs(template, origins);
    if movable.is_empty() {
        return None;
    }
    let items: Vec<placement::Item> = movable
        .iter()
        .map(|id| analysis.item(template, origins.stack(), id))
        .collect();
    let parts = placement::place(&items);
    Some(wiring::build(
        template, origins, &analysis, &items, &parts, extension,
    ))
}
