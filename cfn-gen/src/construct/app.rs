//! The root of the construct tree. Synthesis (`App::synth` and friends) is
//! defined in [`crate::synth`], which builds on the tree.

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::Stack;

/// The root of a construct tree: a set of stacks synthesized together.
///
/// ```
/// use cfn_gen::{App, Stack, Topic};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// Topic::standard(&stack, "Reports");
/// let out = app.synth().expect("valid app");
/// assert_eq!(out.stacks[0].name, "Demo");
/// assert!(out.stacks[0].text.contains("AWS::SNS::Topic"));
/// ```
#[derive(Clone, Default)]
pub struct App {
    stacks: Rc<RefCell<Vec<Stack>>>,
}

impl App {
    /// An empty app.
    pub fn new() -> App {
        App::default()
    }

    pub(crate) fn add_stack(&self, stack: Stack) {
        self.stacks.borrow_mut().push(stack);
    }

    /// The stacks in the order they were created.
    pub fn stacks(&self) -> Vec<Stack> {
        self.stacks.borrow().clone()
    }
}
