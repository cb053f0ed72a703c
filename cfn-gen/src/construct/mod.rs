//! The construct tree: [`App`] > [`Stack`] > constructs.
//!
//! Every construct has an id unique in its stack; its path
//! (`Stack/Construct`) names it in error messages and derives the logical IDs
//! of the resources it emits (see [`logical_id`](crate::logical_id)). Constructs register with
//! their stack when created, so builder chains need no final `build()`.

mod alarm_target;
mod app;
mod parameter;
mod raw;
mod stack;

pub use crate::logical_id;

pub(crate) use alarm_target::StackAlarms;
pub use alarm_target::{AlarmDestination, AlarmTarget, TargetEncryption};
pub use app::App;
pub use parameter::{parameter_type_ok, StackParameter};
pub use raw::CfnResource;
pub use stack::Stack;

use std::cell::RefCell;
use std::rc::Rc;

use crate::context::{ScheduleSummary, SynthContext};
use crate::template::Template;
use crate::validate::Report;

/// Where a construct sits in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    stack_uid: u64,
    stack: String,
    region: Rc<RefCell<Option<String>>>,
    alarms: StackAlarms,
    id: String,
}

impl Node {
    /// The construct's id within its stack.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The stack's name.
    pub fn stack_name(&self) -> &str {
        &self.stack
    }

    /// The region the stack declares it deploys to ([`Stack::region`]).
    pub fn region(&self) -> Option<String> {
        self.region.borrow().clone()
    }

    /// Where the stack sends alarms by default ([`Stack::alarms_to`]).
    pub fn stack_alarm_target(&self) -> Option<AlarmTarget> {
        self.alarms.target()
    }

    /// The topic the stack sends alarms to, when it is one cfn-gen knows
    /// ([`Topic`](crate::Topic) or [`OpsTopic`](crate::OpsTopic)).
    pub fn stack_alarm_topic(&self) -> Option<crate::constructs::Topic> {
        self.alarms.topic()
    }

    /// The full path, `Stack/Construct`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.stack, self.id)
    }

    /// The logical ID of the construct's main resource.
    pub fn logical_id(&self) -> String {
        logical_id::from_path(&[&self.id])
    }

    /// The logical ID of a named resource inside the construct.
    pub fn child_logical_id(&self, child: &str) -> String {
        logical_id::from_path(&[&self.id, child])
    }

    /// Whether `other` lives in the same stack.
    pub fn same_stack(&self, other: &Node) -> bool {
        self.stack_uid == other.stack_uid
    }
}

/// A piece of infrastructure that checks itself and writes resources.
pub trait Construct {
    /// Its place in the tree.
    fn node(&self) -> &Node;

    /// Add every problem with the construct's settings to `report`.
    fn validate(&self, report: &mut Report);

    /// Add its resources and outputs to the stack's template.
    ///
    /// Runs even when validation found errors (so that template-wide limits
    /// can be reported in the same pass), so it must not panic on bad input.
    fn synthesize(&self, ctx: &SynthContext, template: &mut Template);

    /// The schedules it runs, for the synth summary.
    fn schedules(&self) -> Vec<ScheduleSummary> {
        Vec::new()
    }

    /// Output exports it declares, as (output id, literal export name).
    fn exports(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}
