//! The root of the construct tree, and the entry point of synthesis.

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::Stack;
use crate::synth::{SynthError, SynthOptions, Synthesis};
use crate::writer::Format;

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

    /// Validate everything and render every stack as YAML.
    pub fn synth(&self) -> Result<Synthesis, SynthError> {
        self.synth_as(Format::Yaml)
    }

    /// Validate everything and render every stack in `format`. Every problem
    /// in every stack is reported at once; nothing is returned when any of
    /// them is an error.
    pub fn synth_as(&self, format: Format) -> Result<Synthesis, SynthError> {
        self.synth_with(&SynthOptions {
            format,
            ..SynthOptions::default()
        })
    }

    /// Validate everything and render every stack as `options` say.
    pub fn synth_with(&self, options: &SynthOptions) -> Result<Synthesis, SynthError> {
        crate::synth::synthesize(&self.stacks(), options)
    }
}
