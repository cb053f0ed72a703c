//! The root of the construct tree. Synthesis (`App::synth` and friends) is
//! defined in [`crate::synth`], which builds on the tree.

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtin_functions::{BuiltinFunctions, SharedBuiltins};
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
    builtins: SharedBuiltins,
}

impl App {
    /// An empty app.
    pub fn new() -> App {
        App::default()
    }

    /// Where the functions cloud-cron provides (the channels' notifiers,
    /// `ImageRepublish`'s copier) are built from: packages of your workspace,
    /// see [`BuiltinFunctions`]. Read at synth, for every stack of the app.
    ///
    /// ```
    /// use cfn_gen::{App, BuiltinFunctions};
    /// let app = App::new().builtin_functions(BuiltinFunctions::package(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../functions"
    /// )));
    /// ```
    pub fn builtin_functions(self, functions: BuiltinFunctions) -> App {
        self.builtins.set(functions);
        self
    }

    pub(crate) fn builtins(&self) -> SharedBuiltins {
        self.builtins.clone()
    }

    pub(crate) fn add_stack(&self, stack: Stack) {
        self.stacks.borrow_mut().push(stack);
    }

    /// The stacks in the order they were created.
    pub fn stacks(&self) -> Vec<Stack> {
        self.stacks.borrow().clone()
    }
}
